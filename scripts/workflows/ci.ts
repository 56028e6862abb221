/**
 * `ci.yml`: every pull request and every push to main. The unit tests (with lint, type-check and
 * synthesis) run in one job; the offline proof runs as a matrix of shards on separate runners
 * (`npm run test:offline -- --shard=i/n`, scripts/offline/shard.ts), one more shard for every few
 * stacks the registry adds, so CI's wall time stays flat as environments are added. The first check
 * regenerates the workflows: a change to their source (a Renovate pull request that bumps a pin in
 * common.ts) fails until the regenerated files are committed with it. The guardrail findings go to
 * code scanning (`cdktf.out/guardrails.sarif`, written by a failing synthesis too).
 */
import { ACTIONS, READ_ONLY, render, runner, type Step, synth, toolchain } from './common';

/** Fails when .github/workflows/ is not what `npm run workflows` makes of scripts/workflows/ and the registry. */
const workflowsInStep: Step = {
  name: 'Workflows generated from their source (npm run workflows)',
  run: [
    'npm run workflows',
    'if [ -n "$(git status --porcelain -- .github/workflows)" ]; then',
    '  echo "::error::.github/workflows/ differs from what scripts/workflows/ generates: run npm run workflows and commit the result"',
    '  git status --short -- .github/workflows',
    '  git diff -- .github/workflows',
    '  exit 1',
    'fi',
  ].join('\n'),
};

/**
 * The guardrail report to code scanning: after the synthesis, failed or not, whenever it wrote the
 * file. Where code scanning is not available (a private repository without it, a fork's pull
 * request with a read-only token) the upload fails without failing the job.
 */
const uploadGuardrailsStep: Step = {
  name: 'Guardrail findings to code scanning',
  if: "always() && hashFiles('cdktf.out/guardrails.sarif') != ''",
  uses: ACTIONS.uploadSarif,
  'continue-on-error': true,
  with: { sarif_file: 'cdktf.out/guardrails.sarif', category: 'guardrails' },
};

export function ci(shards: number): string {
  const range = Array.from({ length: shards }, (_, i) => i + 1);
  return render({
    name: 'ci',
    on: { pull_request: { branches: ['main'] }, push: { branches: ['main'] } },
    permissions: READ_ONLY,
    concurrency: { group: 'ci-${{ github.ref }}', 'cancel-in-progress': true },
    jobs: {
      test: {
        name: 'lint, type-check, unit tests, synth',
        ...runner(20),
        // security-events for the SARIF upload only (this job; the offline proof keeps the default).
        permissions: { ...READ_ONLY, 'security-events': 'write' },
        env: { CHECKPOINT_DISABLE: '1' },
        steps: [
          ...toolchain,
          workflowsInStep,
          { name: 'Lint', run: 'npm run lint' },
          { name: 'Type-check', run: 'npm run typecheck' },
          { name: 'Unit tests', run: 'npm run test:unit', env: { CI: 'true' } },
          synth,
          uploadGuardrailsStep,
          {
            name: 'Upload synthesized stacks',
            uses: ACTIONS.uploadArtifact,
            with: { name: 'cdktf.out', path: 'cdktf.out/', 'retention-days': 7 },
          },
        ],
      },
      offline: {
        name: `offline proof \${{ matrix.shard }}/${shards}`,
        ...runner(20),
        env: { CHECKPOINT_DISABLE: '1' },
        strategy: { 'fail-fast': false, matrix: { shard: range } },
        steps: [
          ...toolchain,
          {
            name: "Real-provider plan + mock apply of this shard's stacks",
            run: `npm run test:offline -- --shard="$SHARD/${shards}"`,
            env: { CI: 'true', SHARD: '${{ matrix.shard }}' },
          },
        ],
      },
    },
  });
}

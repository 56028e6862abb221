/**
 * `pr-diff.yml`: every pull request gets one `cdktf diff <stack>` comment per environment, with the
 * cost delta, updated on each push. The plan roles take no state lock: `TF_CLI_ARGS_plan` adds
 * `-lock=false` to the plan cdktf runs, `TF_CLI_ARGS_init` keeps its init to the committed lock file. A
 * failed diff fails the job.
 */
import {
  ACTIONS,
  checkout,
  credentials,
  OIDC,
  placeLockFile,
  planMatrix,
  READ_ONLY,
  render,
  runner,
  summary,
  synth,
  toolchain,
} from './common';
import type { StackTarget } from './targets';

/** github-script: creates the environment's plan comment, or updates it (found by its marker). */
const COMMENT_SCRIPT = [
  "const fs = require('fs');",
  'const env = process.env.TARGET;',
  'const marker = `<!-- pr-diff:${env} -->`;',
  "let plan = fs.readFileSync('plan.txt', 'utf8');",
  "if (plan.length > 60000) plan = plan.slice(0, 60000) + '\\n... (truncated; full plan in the job log)';",
  "const status = process.env.CHANGES === 'true' ? 'changes' : 'no changes';",
  "const cost = fs.existsSync('cost.md') ? fs.readFileSync('cost.md', 'utf8').trim() + '\\n\\n' : '';",
  'const body = `${marker}\\n### cdktf diff: \\`${env}\\` (${status})\\n\\n${cost}<details><summary>Plan</summary>\\n\\n\\`\\`\\`\\n${plan}\\n\\`\\`\\`\\n</details>`;',
  'const { owner, repo } = context.repo;',
  'const issue_number = context.issue.number;',
  'const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number });',
  'const mine = comments.find((c) => c.body && c.body.startsWith(marker));',
  'if (mine) await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });',
  'else await github.rest.issues.createComment({ owner, repo, issue_number, body });',
].join('\n');

export function prDiff(targets: readonly StackTarget[]): string {
  return render({
    name: 'pr-diff',
    on: { pull_request: { branches: ['main'] } },
    permissions: READ_ONLY,
    jobs: {
      diff: {
        name: 'plan ${{ matrix.environment }}',
        // OIDC tokens are not issued to pull requests from forks.
        if: 'github.event.pull_request.head.repo.full_name == github.repository',
        ...runner(30),
        environment: '${{ matrix.environment }}-plan',
        permissions: { ...OIDC, 'pull-requests': 'write' },
        concurrency: {
          group: 'pr-diff-${{ github.event.pull_request.number }}-${{ matrix.environment }}',
          'cancel-in-progress': true,
        },
        ...planMatrix(targets),
        steps: [
          ...toolchain,
          credentials('${{ matrix.role }}', '${{ matrix.region }}'),
          synth,
          // cdktf diff runs `terraform init` in the stack's directory: with the committed lock file.
          placeLockFile,
          {
            name: 'Diff (cdktf diff)',
            id: 'plan',
            env: { TF_CLI_ARGS_plan: '-lock=false', TF_CLI_ARGS_init: '-lockfile=readonly' },
            run: [
              'set -o pipefail',
              'npm run --silent diff -- "$STACK" --skip-synth --no-color 2>&1 | tee plan.txt',
              'if grep -q "No changes." plan.txt; then changes=false; else changes=true; fi',
              'echo "changes=$changes" >> "$GITHUB_OUTPUT"',
              summary('${STACK}', 'tail -c 60000 plan.txt'),
            ].join('\n'),
          },
          // The cost delta of the pull request (npm run cost): the base branch synthesized with this
          // checkout's dependencies, both estimated with this branch's price table.
          {
            name: 'Check out the base',
            ...checkout,
            with: {
              ...(checkout.with as object),
              ref: '${{ github.event.pull_request.base.sha }}',
              path: '.base',
            },
          },
          {
            name: 'Synthesize the base',
            'continue-on-error': true,
            run: 'ln -s "$PWD/node_modules" .base/node_modules && cd .base && npm run synth',
          },
          {
            name: 'Cost delta',
            env: { TARGET: '${{ matrix.environment }}' },
            run: [
              'if [ -f .base/cdktf.out/manifest.json ]; then',
              '  npm run --silent cost -- --base .base/cdktf.out --env "$TARGET" > cost.md',
              'else',
              '  echo "Cost delta unavailable: the base branch did not synthesize." > cost.md',
              'fi',
              'cat cost.md >> "$GITHUB_STEP_SUMMARY"',
            ].join('\n'),
          },
          {
            name: 'Comment the plan on the pull request',
            uses: ACTIONS.githubScript,
            env: { TARGET: '${{ matrix.environment }}', CHANGES: '${{ steps.plan.outputs.changes }}' },
            with: { script: COMMENT_SCRIPT },
          },
        ],
      },
    },
  });
}

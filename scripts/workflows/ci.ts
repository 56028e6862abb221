/** `ci.yml`: lint, type-check, test and synthesize every pull request and every push to main. */
import { ACTIONS, READ_ONLY, render, runner, synth, toolchain } from './common';

export function ci(): string {
  return render({
    name: 'ci',
    on: { pull_request: { branches: ['main'] }, push: { branches: ['main'] } },
    permissions: READ_ONLY,
    concurrency: { group: 'ci-${{ github.ref }}', 'cancel-in-progress': true },
    jobs: {
      test: {
        name: 'lint, type-check, test, synth',
        ...runner(30),
        env: { CHECKPOINT_DISABLE: '1' },
        steps: [
          ...toolchain,
          { name: 'Lint', run: 'npm run lint' },
          { name: 'Type-check', run: 'npm run typecheck' },
          {
            name: 'Test (includes terraform validate, offline plan and mock apply)',
            run: 'npm test',
            env: { CI: 'true' },
          },
          synth,
          {
            name: 'Upload synthesized stacks',
            uses: ACTIONS.uploadArtifact,
            with: { name: 'cdktf.out', path: 'cdktf.out/', 'retention-days': 7 },
          },
        ],
      },
    },
  });
}

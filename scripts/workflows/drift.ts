/** `drift.yml`: plans every environment on weekday mornings and fails where the cloud has drifted. */
import { matrixPlanSteps, OIDC, planMatrix, READ_ONLY, render, runner, summary, tf } from './common';
import type { StackTarget } from './targets';

export function drift(targets: readonly StackTarget[]): string {
  return render({
    name: 'drift',
    on: { schedule: [{ cron: '0 6 * * 1-5' }], workflow_dispatch: {} },
    permissions: READ_ONLY,
    jobs: {
      drift: {
        name: 'drift ${{ matrix.environment }}',
        ...runner(30),
        environment: '${{ matrix.environment }}-plan',
        permissions: OIDC,
        ...planMatrix(targets),
        steps: [
          ...matrixPlanSteps,
          {
            name: 'Detect drift',
            run: [
              'set +e',
              `${tf('plan -input=false -no-color -lock=false -detailed-exitcode')} > plan.txt`,
              'code=$?',
              'set -e',
              'if [ "$code" -eq 0 ]; then echo "### ${STACK}: no drift" >> "$GITHUB_STEP_SUMMARY"; exit 0; fi',
              'if [ "$code" -eq 2 ]; then',
              `  ${summary('${STACK}: drift detected', 'tail -c 60000 plan.txt')}`,
              '  echo "::error::${STACK} has drifted from its configuration"',
              'fi',
              'cat plan.txt',
              'exit 1',
            ].join('\n'),
          },
        ],
      },
    },
  });
}

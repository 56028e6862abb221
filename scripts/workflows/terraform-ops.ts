/**
 * `terraform-ops.yml`: plan, apply or destroy one environment by hand. Destroying a production
 * environment needs its name typed into the confirmation.
 */
import { OIDC, READ_ONLY, render, runner, terraformSteps, tf } from './common';
import type { StackTarget } from './targets';

/** `TARGETS[inputs.environment].<field>` in an expression. */
const target = (field: string) => `fromJSON(env.TARGETS)[inputs.environment].${field}`;

const guardJob = {
  name: 'check the request',
  ...runner(5),
  steps: [
    {
      name: 'Refuse to destroy production without the typed confirmation',
      env: {
        ACTION: '${{ inputs.action }}',
        TARGET: '${{ inputs.environment }}',
        CONFIRM: '${{ inputs.confirm }}',
        PRODUCTION: `\${{ ${target('production')} }}`,
      },
      run: [
        'if [ "$ACTION" = destroy ] && [ "$PRODUCTION" = true ] && [ "$CONFIRM" != "destroy $TARGET" ]; then',
        '  echo "::error::$TARGET is a production environment: type \'destroy $TARGET\' in confirm to destroy it"',
        '  exit 1',
        'fi',
      ].join('\n'),
    },
  ],
};

const terraformJob = {
  name: '${{ inputs.action }} ${{ inputs.environment }}',
  needs: 'guard',
  ...runner(60),
  environment:
    "${{ inputs.action == 'plan' && format('{0}-plan', inputs.environment) || inputs.environment }}",
  permissions: OIDC,
  env: { ACTION: '${{ inputs.action }}', TARGET: '${{ inputs.environment }}', CHECKPOINT_DISABLE: '1' },
  steps: [
    {
      name: 'Resolve the stack',
      run: 'node -e \'const { TARGETS, TARGET, GITHUB_ENV } = process.env; require("fs").appendFileSync(GITHUB_ENV, `STACK=${JSON.parse(TARGETS)[TARGET].stack}\\n`)\'',
    },
    ...terraformSteps(
      `\${{ inputs.action == 'plan' && ${target('planRole')} || ${target('applyRole')} }}`,
      `\${{ ${target('region')} }}`,
    ),
    {
      name: 'Run',
      run: [
        'case "$ACTION" in',
        `  plan) ${tf('plan -input=false -no-color')} ;;`,
        `  apply) ${tf('apply -input=false -no-color -auto-approve')} ;;`,
        `  destroy) ${tf('destroy -input=false -no-color -auto-approve')} ;;`,
        'esac',
      ].join('\n'),
    },
  ],
};

export function terraformOps(targets: readonly StackTarget[]): string {
  const map = Object.fromEntries(
    targets.map((t) => [
      t.environment,
      {
        stack: t.stack,
        region: t.region,
        planRole: t.planRole,
        applyRole: t.applyRole,
        production: t.production,
      },
    ]),
  );
  return render({
    name: 'terraform-ops',
    on: {
      workflow_dispatch: {
        inputs: {
          action: {
            description: 'What to run',
            required: true,
            type: 'choice',
            options: ['plan', 'apply', 'destroy'],
          },
          environment: {
            description: 'Environment',
            required: true,
            type: 'choice',
            options: targets.map((t) => t.environment),
          },
          confirm: {
            description: "Destroying a production environment: type 'destroy <environment>'",
            required: false,
            type: 'string',
            default: '',
          },
        },
      },
    },
    permissions: READ_ONLY,
    env: { TARGETS: JSON.stringify(map) },
    concurrency: { group: 'deploy-${{ inputs.environment }}', 'cancel-in-progress': false },
    jobs: { guard: guardJob, terraform: terraformJob },
  });
}

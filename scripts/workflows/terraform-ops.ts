/**
 * `terraform-ops.yml`: plan, apply or destroy one environment by hand. A plan runs anywhere with the
 * plan role. Apply and destroy run only from main (the apply role's trust requires `ref` main and
 * `_deploy.yml`; the guard refuses earlier, with a message) and only as a saved plan applied behind
 * the environment's gate, through the same `_deploy.yml` as every deploy. Destroying a production
 * environment also needs its name typed into the confirmation.
 */
import { type Job, OIDC, READ_ONLY, render, runner, terraformSteps, tf } from './common';
import type { StackTarget } from './targets';

/** The target's fields the later jobs read (`needs.guard.outputs.<field>`). */
const FIELDS = ['stack', 'region', 'planRole', 'applyRole', 'alertTopic'] as const;

const guardJob: Job = {
  name: 'check the request',
  ...runner(5),
  outputs: Object.fromEntries(FIELDS.map((f) => [f, `\${{ steps.resolve.outputs.${f} }}`])),
  steps: [
    {
      name: 'Refuse changes from a branch other than main, and production destroys without the confirmation',
      env: {
        ACTION: '${{ inputs.action }}',
        TARGET: '${{ inputs.environment }}',
        CONFIRM: '${{ inputs.confirm }}',
        PRODUCTION: '${{ fromJSON(env.TARGETS)[inputs.environment].production }}',
      },
      run: [
        'if [ "$ACTION" != plan ] && [ "$GITHUB_REF" != refs/heads/main ]; then',
        '  echo "::error::$ACTION runs only from main (this run: $GITHUB_REF); dispatch it on main"',
        '  exit 1',
        'fi',
        'if [ "$ACTION" = destroy ] && [ "$PRODUCTION" = true ] && [ "$CONFIRM" != "destroy $TARGET" ]; then',
        '  echo "::error::$TARGET is a production environment: type \'destroy $TARGET\' in confirm to destroy it"',
        '  exit 1',
        'fi',
      ].join('\n'),
    },
    {
      name: 'Resolve the target',
      id: 'resolve',
      env: { TARGET: '${{ inputs.environment }}' },
      run: `node -e 'const { TARGETS, TARGET, GITHUB_OUTPUT } = process.env; const t = JSON.parse(TARGETS)[TARGET]; require("fs").appendFileSync(GITHUB_OUTPUT, ${JSON.stringify(FIELDS)}.map((k) => \`\${k}=\${t[k]}\\n\`).join(""))'`,
    },
  ],
};

const out = (field: (typeof FIELDS)[number]) => `\${{ needs.guard.outputs.${field} }}`;

/** `plan`: the plan role in `<env>-plan`, nothing saved. */
const planJob: Job = {
  name: 'plan ${{ inputs.environment }}',
  needs: 'guard',
  if: "inputs.action == 'plan'",
  ...runner(30),
  environment: "${{ format('{0}-plan', inputs.environment) }}",
  permissions: OIDC,
  env: { STACK: out('stack'), CHECKPOINT_DISABLE: '1' },
  steps: [
    ...terraformSteps(out('planRole'), out('region')),
    { name: 'Plan', run: tf('plan -input=false -no-color -lock=false') },
  ],
};

/** `apply` / `destroy`: the reusable deploy (saved plan, gate, apply exactly that plan). */
const changeJob: Job = {
  needs: 'guard',
  if: "inputs.action != 'plan'",
  uses: './.github/workflows/_deploy.yml',
  permissions: OIDC,
  with: {
    stack: out('stack'),
    plan_environment: "${{ format('{0}-plan', inputs.environment) }}",
    apply_environment: '${{ inputs.environment }}',
    region: out('region'),
    plan_role: out('planRole'),
    apply_role: out('applyRole'),
    alert_topic: out('alertTopic'),
    destroy: "${{ inputs.action == 'destroy' }}",
  },
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
        alertTopic: t.alertTopic,
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
            description: 'What to run (apply and destroy: from main, as a saved plan behind the gate)',
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
    jobs: { guard: guardJob, plan: planJob, change: changeJob },
  });
}

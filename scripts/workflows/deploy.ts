/**
 * Deploys: the reusable `_deploy.yml` (plan, save the plan, apply exactly that plan behind the
 * approval gate) and its thin callers, one per environment and one per account.
 */
import {
  ACTIONS,
  credentials,
  input,
  type Job,
  notifyFailure,
  OIDC,
  placeLockFile,
  planToFile,
  READ_ONLY,
  render,
  runner,
  secretVariableEnv,
  setupTerraform,
  stackEnv,
  summary,
  synth,
  tf,
  toolchain,
} from './common';
import { backupBeforeRiskyChange } from './backup-before-change';
import { masterPasswordGuard } from './master-password-guard';
import {
  backendStep,
  CREDENTIALS_REGION,
  deployInit,
  STATE_INPUT,
  STATE_REPLICA_INPUT,
  stateReplicaWith,
} from './state-replica';
import type { AccountTargets, StackTarget } from './targets';

/** Unique per run and attempt: the apply job downloads what this run's plan job uploaded. */
const PLAN_ARTIFACT = 'plan-${{ inputs.stack }}-${{ github.run_id }}-${{ github.run_attempt }}';

function planJob(targets: readonly StackTarget[]): Job {
  return {
    name: 'plan ${{ inputs.stack }}',
    ...runner(30),
    environment: '${{ inputs.plan_environment }}',
    permissions: OIDC,
    env: { ...stackEnv('${{ inputs.stack }}'), ...secretVariableEnv(targets) },
    outputs: { changes: '${{ steps.plan.outputs.changes }}' },
    steps: [
      // terraformSteps, with the backend (the stack's, or the replica's: state-replica.ts) chosen first.
      ...toolchain,
      backendStep,
      credentials('${{ inputs.plan_role }}', CREDENTIALS_REGION),
      synth,
      placeLockFile,
      deployInit,
      {
        name: 'Plan (saved)',
        id: 'plan',
        // `-destroy` when a destroy was asked for (terraform-ops); the flag comes from the environment.
        env: { PLAN_FLAGS: "${{ inputs.destroy && '-destroy' || '' }}" },
        run: [
          // The plan role holds no lock (pipeline-policies.ts); the apply of this saved plan locks,
          // and a plan gone stale meanwhile fails to apply.
          ...planToFile('-lock=false ${PLAN_FLAGS:+"$PLAN_FLAGS"} '),
          summary('Plan: ${STACK}', `${tf('show -no-color tfplan')} | tail -c 60000`),
        ].join('\n'),
      },
      masterPasswordGuard(tf('show -json tfplan')),
      {
        name: 'Save the plan with its configuration and lock file',
        uses: ACTIONS.uploadArtifact,
        with: {
          name: PLAN_ARTIFACT,
          path: 'cdktf.out/stacks/${{ inputs.stack }}/\n!cdktf.out/stacks/${{ inputs.stack }}/.terraform/',
          'include-hidden-files': true,
          'retention-days': 7,
          'if-no-files-found': 'error',
        },
      },
    ],
  };
}

function applyJob(): Job {
  return {
    name: 'apply ${{ inputs.stack }}',
    needs: 'plan',
    if: "needs.plan.outputs.changes == 'true'",
    ...runner(60),
    environment: '${{ inputs.apply_environment }}',
    permissions: OIDC,
    env: stackEnv('${{ inputs.stack }}'),
    steps: [
      setupTerraform,
      {
        name: 'The saved plan',
        uses: ACTIONS.downloadArtifact,
        with: { name: PLAN_ARTIFACT, path: 'cdktf.out/stacks/${{ inputs.stack }}' },
      },
      backendStep,
      credentials('${{ inputs.apply_role }}', CREDENTIALS_REGION),
      deployInit,
      // Production with a database: an on-demand backup, completed, before the apply; not against
      // the replica (the database's region is the one that is down: docs/runbooks.md).
      backupBeforeRiskyChange({
        condition: "inputs.backup != '' && inputs.state_replica == ''",
        database: '${{ fromJSON(inputs.backup).database }}',
        vault: '${{ fromJSON(inputs.backup).vault }}',
        role: '${{ fromJSON(inputs.backup).role }}',
        deleteAfterDays: '${{ fromJSON(inputs.backup).deleteAfterDays }}',
      }),
      { name: 'Apply exactly the reviewed plan', run: tf('apply -input=false -no-color tfplan') },
      notifyFailure({
        topic: '${{ inputs.alert_topic }}',
        environment: '${{ inputs.apply_environment }}',
        deploys: 'stack ${{ inputs.stack }}',
      }),
    ],
  };
}

/**
 * The reusable deploy: plan in the plan environment, save it, apply exactly that plan behind the gate.
 * `targets`: the stacks it deploys, for their secret variables.
 */
export function reusableDeploy(targets: readonly StackTarget[]): string {
  return render({
    name: 'deploy (reusable)',
    on: {
      workflow_call: {
        inputs: {
          stack: input('Synthesized stack, e.g. platform-dev'),
          plan_environment: input('GitHub environment of the plan job (no reviewers)'),
          apply_environment: input('GitHub environment of the apply job (the approval gate)'),
          region: input('AWS region for credentials'),
          plan_role: input('Role the plan job assumes'),
          apply_role: input('Role the apply job assumes'),
          alert_topic: input(
            'Warning topic the apply job publishes its failure to (its role may publish there)',
          ),
          backup: {
            description:
              'JSON {database, vault, role, deleteAfterDays}: an on-demand AWS Backup of the database, waited for, before the apply (production); empty: none',
            required: false,
            type: 'string',
            default: '',
          },
          destroy: {
            description: 'Plan a destroy instead of an update (terraform-ops)',
            required: false,
            type: 'boolean',
            default: false,
          },
          ...STATE_REPLICA_INPUT,
        },
      },
    },
    permissions: READ_ONLY,
    jobs: { plan: planJob(targets), apply: applyJob() },
  });
}

interface CallerJob {
  readonly id: string;
  readonly target: StackTarget;
  readonly needs?: string;
}

function deployCaller(
  name: string,
  on: Record<string, unknown>,
  jobs: readonly CallerJob[],
  condition?: string,
): string {
  return render({
    name,
    on,
    permissions: READ_ONLY,
    // One deploy per environment at a time, and never cancel an apply in progress.
    concurrency: { group: name, 'cancel-in-progress': false },
    jobs: Object.fromEntries(
      jobs.map(({ id, target, needs }) => [
        id,
        {
          ...(condition ? { if: condition } : {}),
          ...(needs ? { needs } : {}),
          uses: './.github/workflows/_deploy.yml',
          permissions: OIDC,
          with: {
            stack: target.stack,
            plan_environment: target.planEnvironment,
            apply_environment: target.environment,
            region: target.region,
            plan_role: target.planRole,
            apply_role: target.applyRole,
            alert_topic: target.alertTopic,
            ...(target.backup ? { backup: JSON.stringify(target.backup) } : {}),
            ...(target.stateReplica ? { state_replica: stateReplicaWith(target.stateReplica) } : {}),
          },
        } satisfies Job,
      ]),
    ),
  });
}

/**
 * Triggers from each environment's `deploy`: `push` deploys on merge to main, or, with `after`, once
 * that environment's deploy workflow has succeeded; `tag` on a release tag (v*); `manual` only by
 * dispatch. Every deploy can also be dispatched by hand.
 */
export function environmentDeploys(targets: readonly StackTarget[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const t of targets) {
    const name = `deploy-${t.environment}`;
    const { on, condition } = deployTrigger(t.deploy, t.stateReplica !== undefined);
    files[`${name}.yml`] = deployCaller(name, on, [{ id: 'deploy', target: t }], condition);
  }
  return files;
}

function deployTrigger(
  deploy: StackTarget['deploy'],
  replica: boolean,
): { on: Record<string, unknown>; condition?: string } {
  // With a state replica, a dispatch may choose it (`state`, state-replica.ts); nothing else can.
  const dispatch = { workflow_dispatch: replica ? { inputs: STATE_INPUT } : {} };
  switch (deploy.trigger) {
    case 'tag':
      return { on: { ...dispatch, push: { tags: ['v*'] } } };
    case 'manual':
      return { on: dispatch };
    case 'push':
      if (deploy.after === undefined) return { on: { ...dispatch, push: { branches: ['main'] } } };
      return {
        on: {
          ...dispatch,
          workflow_run: { workflows: [`deploy-${deploy.after}`], types: ['completed'], branches: ['main'] },
        },
        condition:
          "github.event_name == 'workflow_dispatch' || github.event.workflow_run.conclusion == 'success'",
      };
  }
}

/** What the account stacks are built from: a merge to main that touches one of these deploys them. */
const ACCOUNT_PATHS = [
  'environments/accounts.ts',
  'stacks/state-stack.ts',
  'stacks/baseline-stack.ts',
  'stacks/aws.ts',
  'stacks/backend.ts',
  'constructs/core/**',
  'constructs/state/**',
  'constructs/delivery/**',
  'constructs/security/account-baseline.ts',
];

/**
 * Per account the state stack, then the baseline stack (plans in `account-<account>-plan`, applies in
 * `account-<account>`). No state job while the state stack's backend is still local.
 */
export function accountDeploys(accounts: readonly AccountTargets[]): Record<string, string> {
  return Object.fromEntries(
    accounts.map(({ environment, stateBackend, state, baseline }) => {
      const name = `deploy-${environment}`;
      const on = { workflow_dispatch: {}, push: { branches: ['main'], paths: ACCOUNT_PATHS } };
      const jobs: CallerJob[] =
        stateBackend === 's3'
          ? [
              { id: 'state', target: state },
              { id: 'baseline', target: baseline, needs: 'state' },
            ]
          : [{ id: 'baseline', target: baseline }];
      return [`${name}.yml`, deployCaller(name, on, jobs)];
    }),
  );
}

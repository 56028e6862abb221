/**
 * Terraform against the state replica during a regional outage (issue 28; docs/runbooks.md, "Run
 * Terraform against the replicated state during a regional outage"). An environment whose account
 * has a recovery region (`accountRecoveryRegion`) gets a `workflow_dispatch` input `state`
 * (`primary` | `replica`, default primary) on its deploy workflow; `replica` passes `_deploy.yml`
 * the replica (`state_replica`, JSON), whose jobs then assume their roles in the recovery region and
 * init with backend overrides. Only a dispatch can select it: pushes, tags and `workflow_run` always
 * use the stack's own backend, as pull requests (pr-diff.yml) and drift do.
 *
 * The replica key is named by its alias (`alias/<state key alias>-replica`, state-replica.ts), as the
 * stacks' own backend names the state key (`kms_key_id = state.kmsKeyAlias`, stacks/backend.ts): S3
 * resolves it in the replica's region, and no key id has to be read from the state stack's output.
 */
import { stateReplicaBucketName } from '../../constructs/state/state-replica';
import { accountOf, accountRecoveryRegion, type Registry } from '../../environments/registry';
import type { EnvironmentConfig } from '../../environments/schema';
import { type Step, tf } from './common';

/** Where the replica is: what `_deploy.yml` gets as `state_replica` (JSON). */
export interface StateReplicaTarget {
  readonly bucket: string;
  readonly region: string;
  readonly kms_key_id: string;
}

/** The replica of the environment's account, or undefined when the account has no recovery region. */
export function stateReplicaTargetOf(
  registry: Registry,
  env: EnvironmentConfig,
): StateReplicaTarget | undefined {
  const { slug, account } = accountOf(registry, env);
  const region = accountRecoveryRegion(registry, slug);
  if (region === undefined) return undefined;
  return {
    bucket: stateReplicaBucketName(account.state.bucket),
    region,
    kms_key_id: `${account.state.kmsKeyAlias}-replica`,
  };
}

/** The deploy workflow's dispatch input. */
export const STATE_INPUT = {
  state: {
    description:
      'Terraform state: primary (the stack backend), or replica (its copy in the recovery region, during a regional outage of the state bucket; docs/runbooks.md)',
    required: false,
    type: 'choice',
    options: ['primary', 'replica'],
    default: 'primary',
  },
} as const;

/** True only in a dispatched run that asked for the replica (a push has no inputs, and is not a dispatch). */
export const REPLICA_SELECTED = "github.event_name == 'workflow_dispatch' && inputs.state == 'replica'";

/**
 * The caller's `state_replica`: the replica's JSON when selected, else empty. (`a && b || ''`: `b` is
 * a non-empty string, so the expression never falls through to '' when selected.)
 */
export const stateReplicaWith = (target: StateReplicaTarget) =>
  `\${{ ${REPLICA_SELECTED} && '${JSON.stringify(target)}' || '' }}`;

/** `_deploy.yml`'s input. */
export const STATE_REPLICA_INPUT = {
  state_replica: {
    description:
      'JSON {bucket, region, kms_key_id}: run against the state replica in the recovery region (a regional outage, docs/runbooks.md); empty: the stack backend',
    required: false,
    type: 'string',
    default: '',
  },
} as const;

/** The id of the step that says which backend and region the job uses. */
export const BACKEND_STEP_ID = 'backend';
/** The region the job's credentials are for: the recovery region with the replica (STS of the home region may be down). */
export const CREDENTIALS_REGION = `\${{ steps.${BACKEND_STEP_ID}.outputs.region }}`;

/** The backend overrides, exactly (docs/runbooks.md); `$bucket`, `$region`, `$kms_key_id` from the step. */
export const REPLICA_BACKEND_FLAGS = [
  '-reconfigure',
  '-backend-config="bucket=$bucket"',
  '-backend-config="region=$region"',
  '-backend-config="kms_key_id=$kms_key_id"',
  '-backend-config=use_lockfile=true',
  '-backend-config=dynamodb_table=',
];

const PARSE = [
  'bucket=$(jq -er .bucket <<< "$STATE_REPLICA")',
  'region=$(jq -er .region <<< "$STATE_REPLICA")',
  'kms_key_id=$(jq -er .kms_key_id <<< "$STATE_REPLICA")',
];

/**
 * A replica run refuses to start while the primary state answers (the stack's own backend inits
 * within a minute): the home region is not down, and an apply there would write state only to the
 * replica (a fork the next run from the primary would undo), skip the lock table and the backup
 * before a production apply. During an outage that init fails or times out and the run goes on. A
 * partial outage in which S3 still answers is run by an admin by hand (docs/runbooks.md).
 */
export const PRIMARY_STILL_ANSWERS = [
  `if timeout 60 ${tf('init -input=false -lockfile=readonly -reconfigure')} > /dev/null 2>&1; then`,
  '  echo "::error::The stack backend (the primary state) answers: its region is not down, and a replica run would fork the state (docs/runbooks.md)."',
  '  exit 1',
  'fi',
];

/** Before the credentials: the region they are for (the stack's, or the replica's). */
export const backendStep: Step = {
  name: 'State backend (the stack backend, or its replica during a regional outage)',
  id: BACKEND_STEP_ID,
  env: { STATE_REPLICA: '${{ inputs.state_replica }}', REGION: '${{ inputs.region }}' },
  run: [
    'set -euo pipefail',
    'if [ -z "$STATE_REPLICA" ]; then',
    '  echo "region=$REGION" >> "$GITHUB_OUTPUT"',
    '  exit 0',
    'fi',
    '  region=$(jq -er .region <<< "$STATE_REPLICA")',
    '  echo "::warning::Terraform runs against the state replica in $region (docs/runbooks.md): stop every other writer first"',
    '  echo "region=$region" >> "$GITHUB_OUTPUT"',
  ].join('\n'),
};

/** `Init` of `_deploy.yml`'s jobs: the stack backend, or the replica with the backend overrides. */
export const deployInit: Step = {
  name: 'Init',
  env: { STATE_REPLICA: '${{ inputs.state_replica }}' },
  run: [
    'set -euo pipefail',
    'if [ -z "$STATE_REPLICA" ]; then',
    `  ${tf('init -input=false -lockfile=readonly')}`,
    '  exit 0',
    'fi',
    ...PARSE.map((l) => `  ${l}`),
    ...PRIMARY_STILL_ANSWERS.map((l) => `  ${l}`),
    `  ${tf(`init -input=false -lockfile=readonly ${REPLICA_BACKEND_FLAGS.join(' ')}`)}`,
  ].join('\n'),
};

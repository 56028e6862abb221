/**
 * What every pipeline role's contract shares (constructs/core/role-contract.ts): where a
 * must-allow's call is made (the generated workflows' steps), the account scope, and the state
 * backend's requests on the role's own keys and the keys it must never reach.
 */
import type { ContextValues, ContractRequest } from '../../core/role-contract';
import {
  digestItems,
  lockItems,
  lockObjectArns,
  type StateAccess,
  stateObjectArns,
} from '../pipeline-policies';
import { iamArn } from '../statements';
import { replicaAllows, replicaDenies } from './state-replica';

/** Where a must-allow's call is made: `.github/workflows/<file> job '<job>' step '<step>': <call>`. */
export const workflowStep = (file: string, job: string, step: string, call: string) =>
  `.github/workflows/${file} job '${job}' step '${step}': ${call}`;

/** The last step of every job that deploys (scripts/workflows/common.ts, `notifyFailure`). */
const NOTIFY = 'Publish the failure to the warning topic';
/** The backup before a risky change (scripts/workflows/backup-before-change.ts, `BACKUP_STEP_NAME`). */
const BACKUP = 'On-demand backup of the database, waited for, before the change';

/** The step names of the generated workflows the contracts cite (scripts/workflows/ generates them). */
export const STEPS = {
  planInit: ['_deploy.yml', 'plan', 'Init'],
  plan: ['_deploy.yml', 'plan', 'Plan (saved)'],
  applyInit: ['_deploy.yml', 'apply', 'Init'],
  apply: ['_deploy.yml', 'apply', 'Apply exactly the reviewed plan'],
  backupApply: ['_deploy.yml', 'apply', BACKUP],
  ecrLogin: ['app-image.yml', 'image', 'ECR login'],
  push: ['app-image.yml', 'image', 'Push'],
  serviceMigration: [
    'app-image.yml',
    'migrate',
    'Run the schema migrations and wait for them (fails the deployment on a non-zero exit)',
  ],
  register: ['app-image.yml', 'deploy', 'Register a task definition revision with only the image swapped'],
  rollOut: ['app-image.yml', 'deploy', 'Roll out (rolling, circuit breaker on) and wait for stability'],
  blueGreen: [
    'app-image.yml',
    'deploy',
    'Deploy blue/green (CodeDeploy: test listener, traffic shift, alarms) until traffic has moved',
  ],
  stopBlueGreen: ['app-image.yml', 'deploy', 'Stop the blue/green deployment and roll back'],
  migration: ['db-migrate.yml', 'migrate', 'Run the migration task and wait for it'],
  backupMigration: ['db-migrate.yml', 'migrate', BACKUP],
  backupServiceMigration: ['app-image.yml', 'migrate', BACKUP],
  upload: [
    'frontend-deploy.yml',
    'site',
    'Upload (hashed assets immutable, index.html no-cache) and delete removed files',
  ],
  invalidate: ['frontend-deploy.yml', 'site', 'Invalidate index.html and the changed paths'],
  notifyApply: ['_deploy.yml', 'apply', NOTIFY],
  notifyImage: ['app-image.yml', 'image', NOTIFY],
  notifyServiceMigration: ['app-image.yml', 'migrate', NOTIFY],
  notifyDeploy: ['app-image.yml', 'deploy', NOTIFY],
  notifyMigration: ['db-migrate.yml', 'migrate', NOTIFY],
  notifySite: ['frontend-deploy.yml', 'site', NOTIFY],
} as const satisfies Record<string, readonly [string, string, string]>;

export const at = (step: keyof typeof STEPS, call: string) => {
  const [file, job, name] = STEPS[step];
  return workflowStep(file, job, name, call);
};

/** The account, its OIDC provider and its repositories, as every pipeline contract needs them. */
export interface ContractScope {
  readonly project: string;
  readonly accountId: string;
  readonly accountSlug: string;
  readonly providerArn: string;
  /** The pipeline boundary's ARN (every pipeline role's). */
  readonly pipelineBoundaryArn: string;
  /** The environments of the account (their state keys and resources are what a role must not reach). */
  readonly environments: readonly string[];
}

export const allow = (
  action: string,
  resource: string,
  because: string,
  context?: ContextValues,
): ContractRequest => ({ action, resource, because, ...(context ? { context } : {}) });
export const deny = allow;

export const role = (s: ContractScope, name: string) => iamArn(s.accountId, 'role', name);
/** A name no environment has: the allow-list of state keys holds for keys nobody uses yet. */
export const NOWHERE = 'elsewhere';

/** State: what `terraform init / plan / apply` does with the S3 backend on the role's keys. */
export function stateAllows(state: StateAccess, write: boolean): ContractRequest[] {
  const viaS3 = { 'kms:ViaService': `s3.${state.region}.amazonaws.com` };
  const [init, run] = write ? (['applyInit', 'apply'] as const) : (['planInit', 'plan'] as const);
  const op = write ? 'terraform apply' : 'terraform plan -lock=false';
  const item = (key: string) => ({ 'dynamodb:LeadingKeys': [key] });
  const replica = state.replica ? replicaAllows(state.replica, state, write) : [];
  const reads = [
    allow('s3:ListBucket', state.bucketArn, at(init, 'terraform init (S3 backend: lists the workspaces)')),
    ...stateObjectArns(state).map((o) =>
      allow('s3:GetObject', o, at(run, `${op} (S3 backend: reads the state)`)),
    ),
    ...digestItems(state).map((d) =>
      allow('dynamodb:GetItem', state.lockTableArn, at(run, `${op} (S3 backend: the state digest)`), item(d)),
    ),
    allow('kms:Decrypt', state.kmsKeyArn, at(run, `${op} (S3 backend: SSE-KMS state object)`), viaS3),
  ];
  if (!write) return [...reads, ...replica];
  const locks = lockItems(state).filter((i) => !i.endsWith('-md5'));
  return [
    ...reads,
    ...stateObjectArns(state).map((o) =>
      allow('s3:PutObject', o, at(run, `${op} (S3 backend: writes the state)`)),
    ),
    ...locks.flatMap((l) => [
      allow('dynamodb:PutItem', state.lockTableArn, at(run, `${op} (S3 backend: takes the lock)`), item(l)),
      allow('dynamodb:GetItem', state.lockTableArn, at(run, `${op} (S3 backend: reads the lock)`), item(l)),
      allow(
        'dynamodb:DeleteItem',
        state.lockTableArn,
        at(run, `${op} (S3 backend: releases the lock)`),
        item(l),
      ),
    ]),
    ...digestItems(state).map((d) =>
      allow(
        'dynamodb:PutItem',
        state.lockTableArn,
        at(run, `${op} (S3 backend: writes the digest)`),
        item(d),
      ),
    ),
    ...lockObjectArns(state).flatMap((o) =>
      ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'].map((a) =>
        allow(a, o, at(run, `${op} (S3 backend, use_lockfile: the .tflock object)`)),
      ),
    ),
    allow('kms:GenerateDataKey', state.kmsKeyArn, at(run, `${op} (S3 backend: SSE-KMS state object)`), viaS3),
    ...replica,
  ];
}

/** The state keys and lock items of the account that are not the role's. */
export function stateDenies(
  s: ContractScope,
  state: StateAccess,
  ownKeys: readonly string[],
  opts: { readonly managesStateStack: boolean; readonly write?: boolean } = { managesStateStack: false },
): ContractRequest[] {
  const others = [
    ...s.environments.map((e) => `${s.project}/${e}/terraform.tfstate`),
    `${s.project}/${NOWHERE}/terraform.tfstate`,
    `${s.project}/accounts/${s.accountSlug}/terraform.tfstate`,
    `${s.project}/accounts/${s.accountSlug}/state.tfstate`,
  ].filter((k) => !ownKeys.includes(k));
  // Beside its own key, in its own prefix: an allow-list, not a prefix.
  const beside = `${ownKeys[0].replace(/[^/]+$/, '')}other.tfstate`;
  return [
    ...others.flatMap((k) => [
      deny(
        's3:PutObject',
        `${state.bucketArn}/${k}`,
        "another stack's state (the allow-list holds only its own keys)",
      ),
      deny('s3:GetObject', `${state.bucketArn}/${k}`, "another stack's state"),
    ]),
    deny('s3:PutObject', `${state.bucketArn}/${beside}`, 'a key beside its own: not an allow-listed key'),
    ...stateObjectArns(state).map((o) => deny('s3:DeleteObjectVersion', o, 'its state history stays')),
    ...others.map((k) =>
      deny('dynamodb:PutItem', state.lockTableArn, "another stack's lock", {
        'dynamodb:LeadingKeys': [`${state.bucket}/${k}`],
      }),
    ),
    ...(opts.managesStateStack
      ? []
      : [
          deny(
            's3:PutBucketPolicy',
            state.bucketArn,
            "the state bucket's settings are the admins' and the account apply role's",
          ),
        ]),
    deny('dynamodb:Scan', state.lockTableArn, "every stack's lock items"),
    deny('dynamodb:UpdateItem', state.lockTableArn, "another stack's lock, changed in place", {
      'dynamodb:LeadingKeys': [`${state.bucket}/${others[0]}`],
    }),
    ...(state.replica
      ? replicaDenies(state.replica, state, others, {
          write: opts.write ?? true,
          managesStateStack: opts.managesStateStack,
        })
      : []),
  ];
}

/**
 * The state replica's requests in the pipeline roles' contracts (state-replica-access.ts): what a
 * workflow run against the replica makes during a regional outage (`_deploy.yml`, input
 * `state: replica`: init with backend overrides, S3-native lock files, no lock table), and what
 * stays out of reach there.
 */
import type { ContractRequest } from '../../core/role-contract';
import type { StateAccess } from '../pipeline-policies';
import {
  replicaLockObjectArns,
  replicaObjectArns,
  replicaViaS3,
  type StateReplicaAccess,
} from '../state-replica-access';
import { allow, at, deny } from './common';

const OUTAGE = 'state: replica, a regional outage';

/** What `terraform init / plan / apply` does on the replica with the role's keys. */
export function replicaAllows(r: StateReplicaAccess, state: StateAccess, write: boolean): ContractRequest[] {
  const [init, run] = write ? (['applyInit', 'apply'] as const) : (['planInit', 'plan'] as const);
  const op = `${write ? 'terraform apply' : 'terraform plan -lock=false'} (${OUTAGE}`;
  const objects = replicaObjectArns(r, state.keys);
  const reads = [
    allow(
      's3:ListBucket',
      r.bucketArn,
      at(init, `terraform init -backend-config=bucket=<bucket>-replica (${OUTAGE}: lists the workspaces)`),
    ),
    ...objects.map((o) => allow('s3:GetObject', o, at(run, `${op}: reads the state)`))),
    allow('kms:Decrypt', r.kmsKeyArn, at(run, `${op}: SSE-KMS state object, replica key)`), replicaViaS3(r)),
  ];
  if (!write) return reads;
  return [
    ...reads,
    ...objects.map((o) => allow('s3:PutObject', o, at(run, `${op}: writes the state)`))),
    ...replicaLockObjectArns(r, state.keys).flatMap((o) =>
      ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'].map((a) =>
        allow(a, o, at(run, `${op}, use_lockfile=true: the .tflock object)`)),
      ),
    ),
    allow(
      'kms:GenerateDataKey',
      r.kmsKeyArn,
      at(run, `${op}: SSE-KMS state object, replica key)`),
      replicaViaS3(r),
    ),
  ];
}

/**
 * What stays out of reach in the replica: `others` (the account's state keys that are not the
 * role's), version deletes, the replica's settings (unless the role applies the state stack, which
 * makes the replica), the replica key outside S3, and a plan's lock.
 */
export function replicaDenies(
  r: StateReplicaAccess,
  state: StateAccess,
  others: readonly string[],
  opts: { readonly write: boolean; readonly managesStateStack: boolean },
): ContractRequest[] {
  const objects = replicaObjectArns(r, state.keys);
  return [
    ...others.flatMap((k) => [
      deny('s3:PutObject', `${r.bucketArn}/${k}`, "another stack's state in the replica"),
      deny('s3:GetObject', `${r.bucketArn}/${k}`, "another stack's state in the replica"),
    ]),
    ...objects.flatMap((o) => [
      deny('s3:DeleteObjectVersion', o, "the replica's state history stays"),
      deny('s3:DeleteObject', o, 'Terraform writes state in the replica, never deletes it'),
    ]),
    ...replicaLockObjectArns(r, state.keys).map((o) =>
      opts.write
        ? deny(
            's3:DeleteObjectVersion',
            o,
            'a .tflock is released with a delete marker, no version is deleted',
          )
        : deny('s3:PutObject', o, 'a plan takes no lock in the replica either (-lock=false)'),
    ),
    ...(opts.managesStateStack
      ? []
      : [
          deny(
            's3:PutBucketPolicy',
            r.bucketArn,
            "the replica's settings are the admins' and the account apply role's",
          ),
          deny('s3:PutReplicationConfiguration', r.bucketArn, "the replica's settings"),
          deny('s3:PutBucketVersioning', r.bucketArn, "the replica's settings"),
          deny('kms:PutKeyPolicy', r.kmsKeyArn, 'the replica key only for state'),
        ]),
    deny('kms:Decrypt', r.kmsKeyArn, 'the replica key only through S3 (its state objects)'),
    deny('kms:Decrypt', r.kmsKeyArn, 'the replica key only through S3 in the recovery region', {
      'kms:ViaService': `ssm.${r.region}.amazonaws.com`,
    }),
  ];
}

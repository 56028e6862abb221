/**
 * What a pipeline role may do with the state replica (`<bucket>-replica` in the account's recovery
 * region, constructs/state/state-replica.ts) during a regional outage, when a workflow runs Terraform
 * against it (docs/runbooks.md, "Run Terraform against the replicated state during a regional
 * outage"): exactly what it may do with the primary's own keys, and the `.tflock` lock files of
 * S3-native locking (the replica has no lock table). Nothing of the replica's settings, no version
 * deletes, the replica key only through S3 in its region.
 */
import type { PolicyStatement } from '../core/iam';

/** The replica as the pipeline roles reach it. */
export interface StateReplicaAccess {
  /** `<state bucket>-replica`: deterministic, as the state bucket's ARN is. */
  readonly bucketArn: string;
  /** The recovery region (where S3 uses the replica key: `kms:ViaService`). */
  readonly region: string;
  /**
   * The replica key's ARN (a token: the key id is AWS's; the state stack makes the replica after the
   * pipeline, whose workload boundary its role carries, and hands the ARN in lazily).
   */
  readonly kmsKeyArn: string;
}

/** The replica's copies of the role's state objects. */
export const replicaObjectArns = (r: StateReplicaAccess, keys: readonly string[]) =>
  keys.map((k) => `${r.bucketArn}/${k}`);
/** The S3-native lock objects in the replica (an outage's runs lock with `use_lockfile=true`). */
export const replicaLockObjectArns = (r: StateReplicaAccess, keys: readonly string[]) =>
  keys.map((k) => `${r.bucketArn}/${k}.tflock`);
/** S3 in the recovery region: the only way the replica key is used. */
export const replicaViaS3 = (r: StateReplicaAccess) => ({ 'kms:ViaService': `s3.${r.region}.amazonaws.com` });

/** The KMS calls that use a key's material: with the replica key, only through S3. */
const KEY_USE_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/** Both ways: no version of any replica object is deleted, the key is used only through S3. */
function replicaGuards(r: StateReplicaAccess): PolicyStatement[] {
  return [
    {
      // The replica is the history during an outage: Terraform never deletes a version (only a
      // `.tflock` object, with a delete marker).
      Sid: 'StateReplicaVersionsStay',
      Effect: 'Deny',
      Action: 's3:DeleteObjectVersion',
      Resource: `${r.bucketArn}/*`,
    },
    {
      Sid: 'StateReplicaKeyOnlyThroughS3',
      Effect: 'Deny',
      Action: KEY_USE_ACTIONS,
      Resource: r.kmsKeyArn,
      Condition: { StringNotEquals: replicaViaS3(r) },
    },
  ];
}

/** A plan role (`-lock=false`): list the replica, read its own state objects there, decrypt them. */
export function replicaReadStatements(r: StateReplicaAccess, keys: readonly string[]): PolicyStatement[] {
  return [
    { Sid: 'StateReplicaList', Effect: 'Allow', Action: 's3:ListBucket', Resource: r.bucketArn },
    {
      Sid: 'StateReplicaRead',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: replicaObjectArns(r, keys),
    },
    {
      Sid: 'StateReplicaKey',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: r.kmsKeyArn,
      Condition: { StringEquals: replicaViaS3(r) },
    },
    ...replicaGuards(r),
  ];
}

/** An apply role: read and write its own state objects there, take and release their `.tflock`. */
export function replicaWriteStatements(r: StateReplicaAccess, keys: readonly string[]): PolicyStatement[] {
  const objects = replicaObjectArns(r, keys);
  return [
    { Sid: 'StateReplicaList', Effect: 'Allow', Action: 's3:ListBucket', Resource: r.bucketArn },
    {
      Sid: 'StateReplicaReadWrite',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: objects,
    },
    {
      Sid: 'StateReplicaLockObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: replicaLockObjectArns(r, keys),
    },
    { Sid: 'StateReplicaStays', Effect: 'Deny', Action: 's3:DeleteObject', Resource: objects },
    {
      Sid: 'StateReplicaKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: r.kmsKeyArn,
      Condition: { StringEquals: replicaViaS3(r) },
    },
    ...replicaGuards(r),
  ];
}

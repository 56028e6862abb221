import type { IConstruct } from 'constructs';
import type { PolicyStatement } from './iam';
import type { ContractRequest } from './role-contract';
import { CROSS_REGION_RPO_MINUTES } from '../../environments/schema/recovery';

/**
 * What S3 replication needs of its role (aws_s3_bucket_replication_configuration, AWS docs "Setting
 * up permissions"), shared by the state replica (state/state-replica.ts) and the data bucket replicas
 * (data/bucket-replication.ts): read the source's configuration and versions, write replicas, and the
 * two keys through S3 only.
 */
export interface S3ReplicationPair {
  readonly sourceBucketArn: string;
  readonly sourceKeyArn: string;
  readonly sourceRegion: string;
  readonly replicaBucketArn: string;
  readonly replicaKeyArn: string;
  readonly replicaRegion: string;
}

/** The replication calls on one source/replica pair (the role's identity policy). */
export function s3ReplicationStatements(p: S3ReplicationPair): PolicyStatement[] {
  const src = p.sourceBucketArn;
  const dst = p.replicaBucketArn;
  return [
    {
      Sid: 'ReadSourceConfiguration',
      Effect: 'Allow',
      Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
      Resource: src,
    },
    {
      Sid: 'ReadSourceVersions',
      Effect: 'Allow',
      Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
      Resource: `${src}/*`,
    },
    {
      Sid: 'WriteReplicas',
      Effect: 'Allow',
      Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
      Resource: `${dst}/*`,
    },
    {
      Sid: 'DecryptSource',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: p.sourceKeyArn,
      Condition: {
        StringEquals: { 'kms:ViaService': `s3.${p.sourceRegion}.amazonaws.com` },
      },
    },
    {
      Sid: 'EncryptReplica',
      Effect: 'Allow',
      Action: 'kms:Encrypt',
      Resource: p.replicaKeyArn,
      Condition: {
        StringEquals: { 'kms:ViaService': `s3.${p.replicaRegion}.amazonaws.com` },
      },
    },
  ];
}

const S3_REPLICATION =
  'S3 replication (aws_s3_bucket_replication_configuration, AWS docs "Setting up permissions")';

/** What S3 calls as the role for one object `key` of the pair: the contract's allowed requests. */
export function s3ReplicationRequests(p: S3ReplicationPair, key: string): ContractRequest[] {
  const src = p.sourceBucketArn;
  const dst = p.replicaBucketArn;
  const via = (region: string) => ({ 'kms:ViaService': `s3.${region}.amazonaws.com` });
  const s3 = S3_REPLICATION;
  return [
    { action: 's3:GetReplicationConfiguration', resource: src, because: s3 },
    { action: 's3:ListBucket', resource: src, because: s3 },
    ...['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'].map(
      (action) => ({ action, resource: `${src}/${key}`, because: s3 }),
    ),
    ...['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'].map((action) => ({
      action,
      resource: `${dst}/${key}`,
      because: s3,
    })),
    {
      action: 'kms:Decrypt',
      resource: p.sourceKeyArn,
      context: {
        ...via(p.sourceRegion),
      },
      because: `${s3}: reads SSE-KMS source objects`,
    },
    {
      action: 'kms:Encrypt',
      resource: p.replicaKeyArn,
      context: {
        ...via(p.replicaRegion),
      },
      because: `${s3}: writes replicas with replica_kms_key_id`,
    },
  ];
}

/** What a replication role never does, whatever it replicates (`roleArn`: the role itself). */
export function s3ReplicationDenials(
  p: S3ReplicationPair,
  accountId: string,
  otherAccountId: string,
  roleArn: string,
): ContractRequest[] {
  const src = p.sourceBucketArn;
  return [
    {
      action: 's3:GetObjectVersionForReplication',
      resource: `arn:aws:s3:::other-bucket-${accountId}/a.jpg`,
      because: 'no other bucket',
    },
    {
      action: 's3:ReplicateObject',
      resource: `arn:aws:s3:::elsewhere-${otherAccountId}/x`,
      because: 'no other destination',
    },
    { action: 's3:PutBucketPolicy', resource: src, because: "the bucket's settings are the apply role's" },
    { action: 'kms:Decrypt', resource: p.sourceKeyArn, because: 'only through S3 (kms:ViaService)' },
    {
      action: 'kms:ScheduleKeyDeletion',
      resource: p.replicaKeyArn,
      because: 'keys are never destroyed by a service role',
    },
    {
      action: 'iam:CreateRole',
      resource: `arn:aws:iam::${accountId}:role/escalated`,
      because: 'escalation: no service role changes IAM',
    },
    { action: 'iam:PassRole', resource: roleArn, because: 'escalation: passes no role' },
  ];
}

/** What the failure alarm of a replication rule names (`AWS/S3 OperationsFailedReplication` dimensions). */
export interface ReplicationMetrics {
  /** The alarm's short subject (the bucket's config name). */
  readonly subject: string;
  readonly sourceBucket: string;
  readonly destinationBucket: string;
  readonly ruleId: string;
  /** Replication Time Control is on: `OperationsMissedThreshold` counts copies later than 15 minutes. */
  readonly timeControl?: boolean;
}

const METRICS = new WeakMap<IConstruct, ReplicationMetrics>();

/** Records the metric dimensions of a replication configuration: the monitoring pass alarms on them. */
export function declareReplicationMetrics(configuration: IConstruct, metrics: ReplicationMetrics): void {
  METRICS.set(configuration, metrics);
}

/** The metric dimensions `declareReplicationMetrics` recorded for a replication configuration. */
export function replicationMetricsOf(configuration: IConstruct): ReplicationMetrics | undefined {
  return METRICS.get(configuration);
}

/**
 * The one replication rule of a copy to the recovery region: everything, delete markers too, KMS
 * objects re-encrypted with the replica's key; metrics (OperationsFailedReplication, by RuleId) for
 * the failure alarm. Replication Time Control (per GB: only when the RPO needs it) adds its 15-minute
 * objective and the metrics' event threshold (OperationsMissedThreshold).
 */
export function recoveryReplicationRule(
  id: string,
  destinationBucketArn: string,
  replicaKeyArn: string,
  timeControl = false,
) {
  const minutes = { minutes: CROSS_REGION_RPO_MINUTES.bucketReplicationTimeControl };
  return {
    id,
    status: 'Enabled',
    priority: 1,
    filter: { prefix: '' },
    deleteMarkerReplication: { status: 'Enabled' },
    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
    destination: {
      bucket: destinationBucketArn,
      storageClass: 'STANDARD',
      encryptionConfiguration: { replicaKmsKeyId: replicaKeyArn },
      metrics: { status: 'Enabled', ...(timeControl ? { eventThreshold: minutes } : {}) },
      ...(timeControl ? { replicationTime: { status: 'Enabled', time: minutes } } : {}),
    },
  };
}

import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { type TerraformProvider, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { waiveGuardrail } from '../core/guardrails';
import { policyDocument, serviceTrustPolicy } from '../core/iam';
import { denyKeyDestruction, EncryptionKey } from '../core/kms-key';
import type { Naming } from '../core/naming';
import { declareContract, OTHER_ACCOUNT, serviceTrustRequests } from '../core/role-contract';
import {
  recoveryReplicationRule,
  declareReplicationMetrics,
  s3ReplicationDenials,
  type S3ReplicationPair,
  s3ReplicationRequests,
  s3ReplicationStatements,
} from '../core/s3-replication';
import { AppBucket, type AppBucketProps } from './app-bucket';

/** The replication rule's id: the `RuleId` dimension of its replication metrics (the failure alarm). */
export const DATA_REPLICATION_RULE_ID = 'data-to-recovery-region';

/** A replicated data bucket: its config name, the bucket, and the settings its replica repeats. */
export interface ReplicatedBucket {
  readonly name: string;
  readonly bucket: AppBucket;
  readonly settings: Pick<AppBucketProps, 'noncurrentVersionExpirationDays' | 'archive'>;
  /** S3 Replication Time Control (15 minutes, with its SLA) when the RPO needs it (recoveryCopies). */
  readonly timeControl: boolean;
}

export interface BucketReplicationProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** The home region and the data key the buckets are encrypted with. */
  readonly sourceRegion: string;
  readonly sourceKeyArn: string;
  /** The recovery region (`backupCopyRegion`) and its provider (alias `dr`). */
  readonly region: string;
  readonly provider: TerraformProvider;
  /** Versioned buckets only (S3 replicates versions). */
  readonly buckets: readonly ReplicatedBucket[];
  /** The only principals that may schedule the replica key's deletion or disable it. */
  readonly adminPrincipalArns: readonly string[];
}

/** The replica of a data bucket: `<project>-<env>-<name>-replica-<account>` (naming.bucket limits). */
export function dataReplicaBucketName(naming: Naming, name: string): string {
  return naming.bucket(`${name}-replica`);
}

/**
 * The data buckets' copies in the recovery region (issue 28, docs/architecture.md "Environment data
 * copies"): per versioned bucket a replica hardened as its source (AppBucket: versioning, public access
 * block, BucketOwnerEnforced, TLS-only, the same tiering) encrypted with one new single-region key
 * there (`alias/<project>-<env>-data-replica`; the data key stays single-region), and the replication
 * configuration on the source (everything, delete markers, SSE-KMS objects, metrics for the failure
 * alarm). S3 replicates as one role per environment, `<project>-<env>-data-replication`.
 */
export class BucketReplication extends Construct {
  readonly key: EncryptionKey;
  readonly role: IamRole;
  /** Per config name: the replica and the replication configuration on its source. */
  readonly replicas: Record<
    string,
    {
      readonly source: AppBucket;
      readonly replica: AppBucket;
      readonly replication: S3BucketReplicationConfigurationA;
    }
  > = {};

  constructor(scope: Construct, id: string, props: BucketReplicationProps) {
    super(scope, id);
    const { naming, accountId, region } = props;
    const regional = new Construct(this, 'Recovery');
    this.key = new EncryptionKey(regional, 'Key', {
      alias: naming.alias('data-replica'),
      description: `${naming.name()} replicas of the data buckets in the recovery region`,
      accountId,
      statements: [denyKeyDestruction(props.adminPrincipalArns)],
    });
    const replicas = props.buckets.map((b) => {
      const replica = new AppBucket(regional, `Bucket-${b.name}`, {
        ...b.settings,
        bucketName: dataReplicaBucketName(naming, b.name),
        kmsKeyArn: this.key.arn,
        region,
        versioned: true,
      });
      // A copy, not data of its own: its source is in the backup plan (and copied by it).
      waiveGuardrail(
        replica.bucket.bucket,
        'backup-coverage',
        `S3 replica of the ${b.name} bucket in the recovery region: a copy, its source is in the backup plan (and copied there by it)`,
      );
      return { ...b, replica };
    });
    for (const c of regional.node.findAll()) {
      if (c instanceof TerraformResource) c.provider = props.provider;
    }

    const roleName = naming.name('data-replication');
    this.role = new IamRole(this, 'Role', {
      name: roleName,
      description: 'S3 replicates the data buckets to the recovery region as this role',
      assumeRolePolicy: serviceTrustPolicy('s3.amazonaws.com', accountId),
    });
    const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
    const pairs = replicas.map((r) => ({
      ...r,
      pair: {
        sourceBucketArn: r.bucket.arn,
        sourceKeyArn: props.sourceKeyArn,
        sourceRegion: props.sourceRegion,
        replicaBucketArn: r.replica.arn,
        replicaKeyArn: this.key.arn,
        replicaRegion: region,
      } satisfies S3ReplicationPair,
    }));
    for (const { name, pair } of pairs) {
      new IamRolePolicy(this, `Policy-${name}`, {
        role: this.role.id,
        name: `replicate-${name}`,
        policy: policyDocument(s3ReplicationStatements(pair)),
      });
    }
    const object = 'uploads/example.bin';
    const first = pairs[0].pair;
    declareContract(this.role, {
      purpose: 'S3 replication of the data buckets into their replicas in the recovery region, nothing else',
      allow: pairs.flatMap(({ pair }) => s3ReplicationRequests(pair, object)),
      deny: [
        ...pairs.flatMap(({ name, pair }) => [
          {
            action: 's3:GetObject',
            resource: `${pair.sourceBucketArn}/${object}`,
            because: `replicates versions, never reads ${name} as a client`,
          },
          {
            action: 's3:PutObject',
            resource: `${pair.replicaBucketArn}/${object}`,
            because: 'writes replicas only by replication',
          },
          {
            action: 's3:DeleteObjectVersion',
            resource: `${pair.replicaBucketArn}/${object}`,
            because: 'never deletes a replica version',
          },
        ]),
        ...s3ReplicationDenials(first, accountId, OTHER_ACCOUNT, roleArn),
      ],
      trust: serviceTrustRequests(
        's3.amazonaws.com',
        accountId,
        `the replication configuration of the data buckets of ${naming.name()}`,
        [{ principal: 'lambda.amazonaws.com', because: 'no function replicates data' }],
      ),
    });

    for (const { name, bucket, replica, pair, timeControl } of pairs) {
      const replication = new S3BucketReplicationConfigurationA(this, `Replication-${name}`, {
        bucket: bucket.name,
        role: this.role.arn,
        rule: [
          recoveryReplicationRule(DATA_REPLICATION_RULE_ID, pair.replicaBucketArn, this.key.arn, timeControl),
        ],
        dependsOn: [
          bucket.bucket.node.findChild('Versioning') as TerraformResource,
          replica.bucket.node.findChild('Versioning') as TerraformResource,
        ],
      });
      declareReplicationMetrics(replication, {
        subject: name,
        sourceBucket: bucket.name,
        destinationBucket: replica.name,
        ruleId: DATA_REPLICATION_RULE_ID,
        timeControl,
      });
      this.replicas[name] = { source: bucket, replica, replication };
    }
  }
}

import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { type TerraformProvider, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, serviceTrustPolicy } from '../core/iam';
import { EncryptionKey } from '../core/kms-key';
import { declareContract, OTHER_ACCOUNT, serviceTrustRequests } from '../core/role-contract';
import {
  recoveryReplicationRule,
  s3ReplicationDenials,
  type S3ReplicationPair,
  s3ReplicationRequests,
  s3ReplicationStatements,
} from '../core/s3-replication';
import { SecureBucket } from '../core/secure-bucket';

/** The replication rule's id: the `RuleId` dimension of its replication metrics (the failure alarm). */
export const STATE_REPLICATION_RULE_ID = 'state-to-recovery-region';

/** The replica of a state bucket: `<bucket>-replica` (S3 bucket names are global). */
export function stateReplicaBucketName(bucket: string): string {
  const name = `${bucket}-replica`;
  if (name.length > 63) throw new Error(`state replica bucket name ${name} is longer than 63 characters`);
  return name;
}

export interface StateReplicaProps {
  readonly accountId: string;
  /** The provider of the recovery region: the replica bucket and its key are made there. */
  readonly provider: TerraformProvider;
  readonly region: string;
  /** The state bucket (versioned) and its key, in the home region. */
  readonly sourceBucketName: string;
  readonly sourceBucketArn: string;
  readonly sourceKeyArn: string;
  readonly sourceRegion: string;
  /** The versioning resource of the source bucket: replication waits for it. */
  readonly sourceDependsOn: readonly TerraformResource[];
  readonly replicaBucketName: string;
  readonly replicaKmsKeyAlias: string;
  /** The replication role S3 assumes (`<project>-state-replication`), under `boundaryArn`. */
  readonly roleName: string;
  readonly boundaryArn: string;
  /** Principals admitted to the replica besides the account root and service-linked roles. */
  readonly allowedPrincipalArns: readonly string[];
  readonly noncurrentVersionExpirationDays?: number;
}

/**
 * The state bucket's copy in the account's recovery region (docs/architecture.md, "Recovery
 * objectives"): a bucket hardened as the state bucket is, with its own single-region key there, and
 * the replication configuration on the state bucket (every version, delete markers too, metrics on
 * for the failure alarm in the baseline stack) with the role S3 replicates as.
 */
export class StateReplica extends Construct {
  readonly key: EncryptionKey;
  readonly bucket: SecureBucket;
  readonly role: IamRole;
  readonly replication: S3BucketReplicationConfigurationA;

  constructor(scope: Construct, id: string, props: StateReplicaProps) {
    super(scope, id);
    const root = `arn:aws:iam::${props.accountId}:root`;
    const admitted = [
      root,
      `arn:aws:iam::${props.accountId}:role/aws-service-role/*`,
      `arn:aws:iam::${props.accountId}:role/${props.roleName}`,
      ...props.allowedPrincipalArns,
    ];
    const regional = new Construct(this, 'Recovery');
    // A key of its own in the recovery region (the state key stays single-region).
    this.key = new EncryptionKey(regional, 'Key', {
      alias: props.replicaKmsKeyAlias,
      description: 'Encrypts the replica of Terraform state in the recovery region',
      accountId: props.accountId,
    });
    this.bucket = new SecureBucket(regional, 'Bucket', {
      bucketName: props.replicaBucketName,
      kmsKeyArn: this.key.arn,
      versioned: true,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 90,
      policyStatements: (arn) => [
        {
          Sid: 'DenyAllButNamedPrincipals',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [arn, `${arn}/*`],
          Condition: { StringNotLike: { 'aws:PrincipalArn': admitted } },
        },
      ],
    });
    for (const c of regional.node.findAll()) {
      if (c instanceof TerraformResource) c.provider = props.provider;
    }

    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: 'S3 replicates the Terraform state bucket to the recovery region as this role',
      assumeRolePolicy: serviceTrustPolicy('s3.amazonaws.com', props.accountId),
      permissionsBoundary: props.boundaryArn,
    });
    const pair: S3ReplicationPair = {
      sourceBucketArn: props.sourceBucketArn,
      sourceKeyArn: props.sourceKeyArn,
      sourceRegion: props.sourceRegion,
      replicaBucketArn: this.bucket.arn,
      replicaKeyArn: this.key.arn,
      replicaRegion: props.region,
    };
    const src = pair.sourceBucketArn;
    const dst = pair.replicaBucketArn;
    const object = 'state/terraform.tfstate';
    new IamRolePolicy(this, 'Policy', {
      role: this.role.id,
      name: 'replicate-state',
      policy: policyDocument(s3ReplicationStatements(pair)),
    });
    declareContract(this.role, {
      purpose:
        'S3 replication of the Terraform state bucket into its replica in the recovery region, nothing else',
      allow: s3ReplicationRequests(pair, object),
      deny: [
        {
          action: 's3:GetObject',
          resource: `${src}/${object}`,
          because: 'replicates versions, never reads state as a client',
        },
        {
          action: 's3:PutObject',
          resource: `${dst}/${object}`,
          because: 'writes replicas only by replication',
        },
        {
          action: 's3:DeleteObject',
          resource: `${src}/${object}`,
          because: 'never deletes state',
        },
        {
          action: 's3:DeleteObjectVersion',
          resource: `${dst}/${object}`,
          because: 'never deletes a replica version',
        },
        ...s3ReplicationDenials(
          pair,
          props.accountId,
          OTHER_ACCOUNT,
          `arn:aws:iam::${props.accountId}:role/${props.roleName}`,
        ),
      ],
      trust: serviceTrustRequests(
        's3.amazonaws.com',
        props.accountId,
        `the replication configuration of ${props.sourceBucketName}`,
        [{ principal: 'lambda.amazonaws.com', because: 'no function replicates state' }],
      ),
    });

    this.replication = new S3BucketReplicationConfigurationA(this, 'Replication', {
      bucket: props.sourceBucketName,
      role: this.role.arn,
      rule: [recoveryReplicationRule(STATE_REPLICATION_RULE_ID, dst, this.key.arn)],
      dependsOn: [...props.sourceDependsOn, this.bucket.node.findChild('Versioning') as TerraformResource],
    });
  }
}

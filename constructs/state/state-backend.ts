import { DynamodbResourcePolicy } from '@cdktf/provider-aws/lib/dynamodb-resource-policy';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';
import { SecureBucket } from '../core/secure-bucket';
import { policyDocument, type PolicyStatement } from '../core/iam';
import { EncryptionKey } from '../core/kms-key';
import { STATE_BUCKET_SETTINGS_ACTIONS } from '../core/state-settings';

export interface StateBackendProps {
  readonly accountId: string;
  readonly bucketName: string;
  readonly lockTableName: string;
  readonly kmsKeyAlias: string;
  /**
   * Principals (ARN patterns) allowed to touch the state bucket at all: admins for bootstrap,
   * migration and break-glass, plus the pipeline roles. Everyone else is denied by the bucket policy,
   * whatever their IAM policies say. The account root and AWS service-linked roles are always admitted.
   */
  readonly allowedPrincipalArns: readonly string[];
  /**
   * Principals (ARN patterns) that may change the bucket's policy, versioning, encryption, public
   * access block, lifecycle or delete it, besides the account root: the admins and the role that
   * applies this stack. Everyone else is denied, whatever their IAM policies say.
   */
  readonly settingsPrincipalArns: readonly string[];
  /**
   * Roles AWS services act as on the bucket alone (S3 replication, state-replica.ts): admitted to the
   * bucket, not to the lock table. Default: none.
   */
  readonly bucketServiceRoleArns?: readonly string[];
  /** State key prefixes (`<project>/<env>/`) and the only principals that may read or write under each. */
  readonly keyFences?: readonly KeyFence[];
  /** Days until old state versions expire. Default: 90. */
  readonly noncurrentVersionExpirationDays?: number;
}

export interface KeyFence {
  readonly prefix: string;
  readonly principalArns: readonly string[];
}

const OBJECT_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
];

/**
 * Where Terraform keeps state: a versioned, KMS-encrypted bucket that only named principals may
 * use, a DynamoDB lock table, and the key that encrypts both.
 */
export class StateBackend extends Construct {
  readonly key: EncryptionKey;
  readonly bucket: SecureBucket;
  readonly lockTable: DynamodbTable;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    const root = `arn:aws:iam::${props.accountId}:root`;
    const admitted = [
      root,
      `arn:aws:iam::${props.accountId}:role/aws-service-role/*`,
      ...props.allowedPrincipalArns,
    ];

    this.key = new EncryptionKey(this, 'Key', {
      alias: props.kmsKeyAlias,
      description: 'Encrypts Terraform state and its lock table',
      accountId: props.accountId,
    });

    this.bucket = new SecureBucket(this, 'Bucket', {
      bucketName: props.bucketName,
      kmsKeyArn: this.key.arn,
      versioned: true,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 90,
      policyStatements: (arn): PolicyStatement[] => [
        {
          Sid: 'DenyAllButNamedPrincipals',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [arn, `${arn}/*`],
          Condition: {
            StringNotLike: { 'aws:PrincipalArn': [...admitted, ...(props.bucketServiceRoleArns ?? [])] },
          },
        },
        {
          Sid: 'OnlyAdminsChangeSettings',
          Effect: 'Deny',
          Principal: '*',
          Action: STATE_BUCKET_SETTINGS_ACTIONS,
          Resource: arn,
          Condition: { ArnNotLike: { 'aws:PrincipalArn': [root, ...props.settingsPrincipalArns] } },
        },
        ...(props.keyFences ?? []).map((fence, i) => ({
          Sid: `StateKeyFence${i}`,
          Effect: 'Deny' as const,
          Principal: '*' as const,
          Action: OBJECT_ACTIONS,
          Resource: `${arn}/${fence.prefix}*`,
          Condition: { ArnNotLike: { 'aws:PrincipalArn': [root, ...fence.principalArns] } },
        })),
      ],
    });

    this.lockTable = new DynamodbTable(this, 'LockTable', {
      name: props.lockTableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: this.key.arn },
      deletionProtectionEnabled: true,
    });
    new DynamodbResourcePolicy(this, 'LockTablePolicy', {
      resourceArn: this.lockTable.arn,
      policy: policyDocument([
        {
          Sid: 'DenyAllButNamedPrincipals',
          Effect: 'Deny',
          Principal: '*',
          Action: 'dynamodb:*',
          Resource: this.lockTable.arn,
          Condition: { StringNotLike: { 'aws:PrincipalArn': admitted } },
        },
      ]),
    });
  }
}

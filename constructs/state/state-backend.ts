import { DynamodbResourcePolicy } from '@cdktf/provider-aws/lib/dynamodb-resource-policy';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';
import { SecureBucket } from '../core/secure-bucket';
import { policyDocument, type PolicyStatement } from '../core/iam';
import { EncryptionKey } from '../core/kms-key';

export interface StateBackendProps {
  readonly accountId: string;
  readonly partition?: string;
  readonly bucketName: string;
  readonly lockTableName: string;
  readonly kmsKeyAlias: string;
  /**
   * Principals (ARN patterns) allowed to touch the state bucket at all: admins for bootstrap,
   * migration and break-glass, plus the pipeline roles. Everyone else is denied by the bucket policy,
   * whatever their IAM policies say. The account root and AWS service-linked roles are always admitted.
   */
  readonly allowedPrincipalArns: readonly string[];
  /** Days until old state versions expire. Default: 90. */
  readonly noncurrentVersionExpirationDays?: number;
}

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
    const partition = props.partition ?? 'aws';
    const admitted = [
      `arn:${partition}:iam::${props.accountId}:root`,
      `arn:${partition}:iam::${props.accountId}:role/aws-service-role/*`,
      ...props.allowedPrincipalArns,
    ];

    this.key = new EncryptionKey(this, 'Key', {
      alias: props.kmsKeyAlias,
      description: 'Encrypts Terraform state and its lock table',
      accountId: props.accountId,
      partition,
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
          Condition: { StringNotLike: { 'aws:PrincipalArn': admitted } },
        },
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

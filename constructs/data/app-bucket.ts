import type { S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { Construct } from 'constructs';
import type { PolicyStatement } from '../core/iam';
import type { ContractRequest } from '../core/role-contract';
import { SecureBucket } from '../core/secure-bucket';

export interface AppBucketProps {
  readonly bucketName: string;
  readonly kmsKeyArn: string;
  readonly region: string;
  /** Default: true. */
  readonly versioned?: boolean;
  /** Default: 90. */
  readonly noncurrentVersionExpirationDays?: number;
  /** Logs -> infrequent access -> Glacier -> expiry, for data read less over time. Default: none. */
  readonly archive?: {
    readonly infrequentAccessDays: number;
    readonly glacierDays?: number;
    readonly expireDays?: number;
  };
  /** Server access logs go here (an SSE-S3 bucket that admits S3 log delivery). */
  readonly accessLogs?: { readonly bucketName: string; readonly prefix: string };
}

/**
 * An application bucket (seed 002: assets, media, backups) with the SecureBucket posture, SSE-KMS
 * with the data key, server access logs, and optional tiering.
 */
export class AppBucket extends Construct {
  readonly bucket: SecureBucket;
  readonly arn: string;
  readonly name: string;
  private readonly props: AppBucketProps;

  constructor(scope: Construct, id: string, props: AppBucketProps) {
    super(scope, id);
    this.props = props;
    const a = props.archive;
    const tiering: S3BucketLifecycleConfigurationRule[] = a
      ? [
          {
            id: 'archive',
            status: 'Enabled',
            transition: [
              { days: a.infrequentAccessDays, storageClass: 'STANDARD_IA' },
              ...(a.glacierDays ? [{ days: a.glacierDays, storageClass: 'GLACIER' }] : []),
            ],
            ...(a.expireDays ? { expiration: [{ days: a.expireDays }] } : {}),
          },
        ]
      : [];
    this.bucket = new SecureBucket(this, 'Bucket', {
      bucketName: props.bucketName,
      kmsKeyArn: props.kmsKeyArn,
      versioned: props.versioned ?? true,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
      lifecycleRules: tiering,
      accessLogs: props.accessLogs,
    });
    this.arn = this.bucket.arn;
    this.name = this.bucket.name;
  }

  /** Object read/write/delete, listing, and the data key through S3. */
  readWriteStatements(sid: string): PolicyStatement[] {
    return [
      {
        Sid: `${sid}Objects`,
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: `${this.arn}/*`,
      },
      { Sid: `${sid}List`, Effect: 'Allow', Action: 's3:ListBucket', Resource: this.arn },
      {
        Sid: `${sid}Key`,
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: this.props.kmsKeyArn,
        Condition: { StringEquals: { 'kms:ViaService': this.viaS3 } },
      },
    ];
  }

  /**
   * What a client of `readWriteStatements` calls (@aws-sdk/client-s3), and what S3 asks KMS for with
   * the caller's rights on an SSE-KMS bucket with a bucket key (S3 user guide, "Using SSE-KMS").
   */
  clientRequests(): ContractRequest[] {
    const name = this.props.bucketName;
    const s3 = (action: string, resource: string, command: string): ContractRequest => ({
      action,
      resource,
      context: { 'aws:SecureTransport': 'true' },
      because: `@aws-sdk/client-s3 ${command} on ${name}`,
    });
    const key = (action: string, because: string): ContractRequest => ({
      action,
      resource: this.props.kmsKeyArn,
      context: this.keyContext(),
      because,
    });
    return [
      s3('s3:GetObject', this.exampleObject, 'GetObjectCommand'),
      s3('s3:PutObject', this.exampleObject, 'PutObjectCommand'),
      s3('s3:DeleteObject', this.exampleObject, 'DeleteObjectCommand'),
      s3('s3:ListBucket', this.arn, 'ListObjectsV2Command'),
      key('kms:GenerateDataKey', `@aws-sdk/client-s3 PutObjectCommand on ${name}: S3 asks for the data key`),
      key('kms:Decrypt', `@aws-sdk/client-s3 GetObjectCommand on ${name}: S3 decrypts the bucket key`),
    ];
  }

  /** What a user of the bucket still never does: change or delete the bucket itself. */
  userDenials(): ContractRequest[] {
    return [
      { action: 's3:PutBucketPolicy', resource: this.arn, because: 'objects only, never the bucket policy' },
      { action: 's3:DeleteBucket', resource: this.arn, because: 'objects only, never the bucket' },
    ];
  }

  /** What a workload that does not use the bucket never does on it: `why` names the workload. */
  outsiderDenials(why: string): ContractRequest[] {
    return [
      { action: 's3:GetObject', resource: this.exampleObject, because: why },
      { action: 's3:PutObject', resource: this.exampleObject, because: why },
    ];
  }

  private get viaS3(): string {
    return `s3.${this.props.region}.amazonaws.com`;
  }

  private get exampleObject(): string {
    return `${this.arn}/uploads/example.bin`;
  }

  /** The grant conditions on the calling service only (the key policy, on the account too). */
  private keyContext(): Record<string, string> {
    return { 'kms:ViaService': this.viaS3 };
  }
}

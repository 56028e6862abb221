import type { S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { Construct } from 'constructs';
import type { PolicyStatement } from '../core/iam';
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
        Condition: { StringEquals: { 'kms:ViaService': `s3.${this.props.region}.amazonaws.com` } },
      },
    ];
  }
}

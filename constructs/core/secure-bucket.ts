import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { denyInsecureTransport, policyDocument, type PolicyStatement } from './iam';

export interface SecureBucketProps {
  readonly bucketName: string;
  /** SSE-KMS with this key. Default: SSE-S3 (required where AWS services cannot use KMS, e.g. ALB logs). */
  readonly kmsKeyArn?: string;
  /** Default: true. Turn off only for disposable data (logs with their own expiry). */
  readonly versioned?: boolean;
  /** Days until noncurrent versions expire. Default: 90. */
  readonly noncurrentVersionExpirationDays?: number;
  /** Extra lifecycle rules (each gets a filter of the whole bucket when none is given). */
  readonly lifecycleRules?: readonly S3BucketLifecycleConfigurationRule[];
  /** Statements added to the bucket policy after the TLS-only deny (use `${arn}` placeholders via `this.arn`). */
  readonly policyStatements?: (bucketArn: string) => PolicyStatement[];
  /** Server access logs to this bucket. Default: none. */
  readonly accessLogs?: { readonly bucketName: string; readonly prefix: string };
  /** Default: false: a bucket with objects must be emptied on purpose before Terraform deletes it. */
  readonly forceDestroy?: boolean;
}

/**
 * An S3 bucket with the posture every bucket here has: all four public-access blocks, objects owned
 * by the bucket owner (ACLs off), default encryption with bucket keys, a TLS-only policy, versioning
 * with noncurrent-version expiry, and incomplete multipart uploads cleaned up.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly arn: string;
  readonly name: string;
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const versioned = props.versioned ?? true;
    this.bucket = new S3Bucket(this, 'Bucket', {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
    });
    this.arn = this.bucket.arn;
    this.name = this.bucket.bucket;

    const publicAccess = new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'Ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
        },
      ],
    });
    const versioning = new S3BucketVersioningA(this, 'Versioning', {
      bucket: this.bucket.id,
      // 'Disabled' (never versioned) rather than 'Suspended', which keeps existing versions around.
      versioningConfiguration: { status: versioned ? 'Enabled' : 'Disabled' },
    });

    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
      ...(versioned
        ? [
            {
              id: 'expire-noncurrent-versions',
              status: 'Enabled',
              filter: [{ prefix: '' }],
              noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 90 }],
            },
          ]
        : []),
      ...(props.lifecycleRules ?? []).map((r) => ({ filter: [{ prefix: '' }], ...r })),
    ];
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', {
      bucket: this.bucket.id,
      rule: rules,
      dependsOn: [versioning],
    });

    if (props.accessLogs) {
      new S3BucketLoggingA(this, 'AccessLogs', {
        bucket: this.bucket.id,
        targetBucket: props.accessLogs.bucketName,
        targetPrefix: props.accessLogs.prefix,
      });
    }

    this.policy = new S3BucketPolicy(this, 'Policy', {
      bucket: this.bucket.id,
      policy: policyDocument([
        denyInsecureTransport([this.arn, `${this.arn}/*`]),
        ...(props.policyStatements?.(this.arn) ?? []),
      ]),
      // The public-access block first: a policy written before it could be judged public.
      dependsOn: [publicAccess],
    });
  }
}

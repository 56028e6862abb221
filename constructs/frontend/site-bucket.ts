import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { SITE_BUCKET_COMPONENT, type Naming } from '../core/naming';
import { SecureBucket } from '../core/secure-bucket';
import { waiveGuardrail } from '../core/guardrails';

export interface SiteBucketProps {
  readonly naming: Naming;
  /** The distribution allowed to read, resolved when the policy is written (it needs the bucket first). */
  readonly distributionArn: () => string;
  /** Days superseded site files are kept (a rollback re-uploads a build). Default: 30. */
  readonly noncurrentVersionExpirationDays?: number;
}

/**
 * The static site's bucket, `<project>-<env>-site-<account>`: private (all public-access blocks, ACLs
 * off), versioned, TLS only, readable only by CloudFront through Origin Access Control and only for
 * this environment's distribution (`AWS:SourceArn`). SSE-S3, not the data key: the content is public
 * by design, and SSE-KMS would need the data key's policy to admit CloudFront (docs/architecture.md,
 * "Static frontend").
 */
export class SiteBucket extends Construct {
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: SiteBucketProps) {
    super(scope, id);
    const sourceArn = Lazy.stringValue({ produce: () => props.distributionArn() });
    this.bucket = new SecureBucket(this, 'Bucket', {
      bucketName: props.naming.bucket(SITE_BUCKET_COMPONENT),
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 30,
      policyStatements: (arn) => [
        {
          Sid: 'CloudFrontReadsThroughOac',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: `${arn}/*`,
          Condition: { StringEquals: { 'AWS:SourceArn': sourceArn } },
        },
        {
          // Without ListBucket a missing key answers 403, not 404: SPA routing maps both.
          Sid: 'CloudFrontListsThroughOac',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:ListBucket',
          Resource: arn,
          Condition: { StringEquals: { 'AWS:SourceArn': sourceArn } },
        },
      ],
    });
    waiveGuardrail(
      this.bucket.bucket,
      'backup-coverage',
      'the built site: frontend-deploy.yml publishes it again from the site repository (versioned objects undo a bad publish)',
    );
  }

  get name(): string {
    return this.bucket.name;
  }

  get regionalDomainName(): string {
    return this.bucket.bucket.bucketRegionalDomainName;
  }
}

import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { Naming } from './naming';
import { SecureBucket } from './secure-bucket';
import { waiveGuardrail } from './guardrails';

export interface LogArchiveProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** Days delivered logs are kept (at least 31: they move to STANDARD_IA after 30). */
  readonly retentionDays: number;
  /** Admit CloudFront standard logging v2 (delivered by CloudWatch Logs from us-east-1). Default: false. */
  readonly cloudFrontLogs?: boolean;
}

/** Where one AWS service delivers its logs in the archive. */
export interface LogDestination {
  readonly bucketName: string;
  readonly prefix: string;
  /** The bucket policy that admits the delivery: deliveries configured before it fail. */
  readonly dependsOn: ITerraformDependable[];
}

const ALB_PREFIX = 'alb';
const S3_PREFIX = 's3';
const CLOUDFRONT_PREFIX = 'cloudfront';

/**
 * The environment's log archive: one bucket for the logs AWS services deliver to S3 (ALB access
 * logs, S3 server access logs of the application buckets; CloudFront's standard logs later). Those
 * deliveries support SSE-S3 only, so the bucket is SSE-S3, unversioned, archived after 30 days and
 * expired after the retention. Owned by the stack, not by one of its producers.
 */
export class LogArchive extends Construct {
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    const elbAccount = new DataAwsElbServiceAccount(this, 'ElbAccount');
    const albLogs = (arn: string) => `${arn}/${ALB_PREFIX}/AWSLogs/${props.accountId}/*`;
    this.bucket = new SecureBucket(this, 'AccessLogs', {
      bucketName: props.naming.bucket('alb-logs'),
      versioned: false,
      lifecycleRules: [
        {
          id: 'archive-then-expire',
          status: 'Enabled',
          transition: [{ days: 30, storageClass: 'STANDARD_IA' }],
          expiration: [{ days: Math.max(props.retentionDays, 31) }],
        },
      ],
      policyStatements: (arn) => [
        {
          Sid: 'ElbLogDelivery',
          Effect: 'Allow',
          Principal: { AWS: elbAccount.arn },
          Action: 's3:PutObject',
          Resource: albLogs(arn),
        },
        {
          Sid: 'S3ServerAccessLogs',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${arn}/${S3_PREFIX}/*`,
          Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
        },
        {
          Sid: 'ElbLogDeliveryService',
          Effect: 'Allow',
          Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: albLogs(arn),
        },
        ...(props.cloudFrontLogs
          ? [
              {
                Sid: 'CloudFrontLogDelivery',
                Effect: 'Allow' as const,
                Principal: { Service: 'delivery.logs.amazonaws.com' },
                Action: 's3:PutObject',
                Resource: `${arn}/${CLOUDFRONT_PREFIX}/*`,
                Condition: {
                  StringEquals: { 'aws:SourceAccount': props.accountId },
                  ArnLike: { 'aws:SourceArn': `arn:aws:logs:us-east-1:${props.accountId}:delivery-source:*` },
                },
              },
            ]
          : []),
      ],
    });
    waiveGuardrail(
      this.bucket.bucket,
      'backup-coverage',
      'access logs AWS services deliver: records of traffic, not application data; kept by their lifecycle, not restored',
    );
  }

  /** The ALB's access logs. */
  get loadBalancerLogs(): LogDestination {
    return { bucketName: this.bucket.name, prefix: ALB_PREFIX, dependsOn: [this.bucket.policy] };
  }

  /** CloudFront's access logs (standard logging v2); only with `cloudFrontLogs`. */
  get cloudFrontLogs(): LogDestination {
    return { bucketName: this.bucket.name, prefix: CLOUDFRONT_PREFIX, dependsOn: [this.bucket.policy] };
  }

  /** S3 server access logs of one bucket. */
  serverAccessLogs(bucketName: string): LogDestination {
    return { bucketName: this.bucket.name, prefix: `${S3_PREFIX}/${bucketName}/`, dependsOn: [] };
  }
}

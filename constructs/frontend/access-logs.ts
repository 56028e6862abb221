import { CloudwatchLogDelivery } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery';
import { CloudwatchLogDeliveryDestination } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination';
import { CloudwatchLogDeliverySource } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery-source';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { LogDestination } from '../core/log-archive';

export interface CdnAccessLogsProps {
  readonly name: string;
  /** us-east-1: CloudFront's delivery sources exist only there. */
  readonly provider: AwsProvider;
  readonly distributionArn: string;
  /** The log archive's CloudFront prefix (its bucket policy admits the log delivery service). */
  readonly destination: LogDestination;
  readonly bucketArn: string;
}

/**
 * CloudFront standard logging v2: the distribution's access logs delivered by CloudWatch Logs'
 * vended-log delivery to the log archive (Parquet, hive-style partitions for Athena). Not the legacy
 * logging config: it writes through bucket ACLs, which the archive (objects owned by the bucket
 * owner, ACLs off) refuses.
 */
export class CdnAccessLogs extends Construct {
  readonly source: CloudwatchLogDeliverySource;
  readonly delivery: CloudwatchLogDelivery;

  constructor(scope: Construct, id: string, props: CdnAccessLogsProps) {
    super(scope, id);
    const { provider } = props;
    this.source = new CloudwatchLogDeliverySource(this, 'Source', {
      provider,
      name: props.name,
      logType: 'ACCESS_LOGS',
      resourceArn: props.distributionArn,
    });
    const destination = new CloudwatchLogDeliveryDestination(this, 'Destination', {
      provider,
      name: props.name,
      outputFormat: 'parquet',
      deliveryDestinationConfiguration: [
        { destinationResourceArn: `${props.bucketArn}/${props.destination.prefix}` },
      ],
    });
    this.delivery = new CloudwatchLogDelivery(this, 'Delivery', {
      provider,
      deliverySourceName: this.source.name,
      deliveryDestinationArn: destination.arn,
      // Partitioned by distribution and hour (hive-style keys: Athena reads them as partitions).
      s3DeliveryConfiguration: [
        { enableHiveCompatiblePath: true, suffixPath: '{DistributionId}/{yyyy}/{MM}/{dd}/{HH}' },
      ],
      dependsOn: props.destination.dependsOn,
    });
  }
}

/**
 * Alarms on the copies to the recovery region (issue 28): S3 replication of the data buckets and
 * DynamoDB global table replicas. Their metrics are published in the source region, where the
 * alarms live.
 */
import type { ReplicationMetrics } from '../core/s3-replication';
import type { TableReplicaMetrics } from '../core/table-replica-metrics';
import { timing, type MonitorContext } from './monitor-context';

const GT = 'GreaterThanThreshold' as const;

/**
 * A bucket's S3 replication to the recovery region (data/bucket-replication.ts): any failed operation
 * is a missing copy (replication metrics are enabled on the rule and published in the source region);
 * with Replication Time Control, any copy later than its 15 minutes misses the RPO.
 */
export function monitorBucketReplication(ctx: MonitorContext, metrics: ReplicationMetrics): void {
  const subject = metrics.subject;
  const metric = (name: string) => ({
    namespace: 'AWS/S3',
    name,
    dimensions: {
      SourceBucket: metrics.sourceBucket,
      DestinationBucket: metrics.destinationBucket,
      RuleId: metrics.ruleId,
    },
    stat: 'Sum',
  });
  const base = {
    ...timing(ctx),
    subject,
    row: 'data',
    threshold: 0,
    comparison: GT,
    treatMissingData: 'notBreaching' as const,
  };
  ctx.alarms.add({
    ...base,
    kind: 'bucket-replication-failed',
    summary: `Replication of bucket ${subject} to the recovery region failed`,
    metrics: [metric('OperationsFailedReplication')],
  });
  if (metrics.timeControl)
    ctx.alarms.add({
      ...base,
      kind: 'bucket-replication-late',
      summary: `Replication of bucket ${subject} to the recovery region missed its 15-minute objective`,
      metrics: [metric('OperationsMissedThreshold')],
    });
}

/**
 * A table's global table replica (data/table-replication.ts): an average replication latency above the
 * replica's RPO (the table's writes are not reaching the recovery region in time). DynamoDB publishes
 * the metric only while items are written, so a quiet table is not in alarm.
 */
export function monitorTableReplica(ctx: MonitorContext, metrics: TableReplicaMetrics): void {
  ctx.alarms.add({
    ...timing(ctx),
    kind: 'table-replication-latency',
    subject: metrics.subject,
    row: 'data',
    summary: `Replication of table ${metrics.subject} to ${metrics.receivingRegion} is slower than ${metrics.thresholdMs / 1000} s`,
    metrics: [
      {
        namespace: 'AWS/DynamoDB',
        name: 'ReplicationLatency',
        dimensions: { TableName: metrics.tableName, ReceivingRegion: metrics.receivingRegion },
        stat: 'Average',
      },
    ],
    threshold: metrics.thresholdMs,
    comparison: GT,
    treatMissingData: 'notBreaching',
  });
}

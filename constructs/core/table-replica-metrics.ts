/**
 * What the monitoring pass needs to alarm on a DynamoDB global table replica: DynamoDB publishes
 * `ReplicationLatency` in the source table's region, by the source table's name and the receiving
 * region, neither of which the replica resource exposes as plain attributes.
 */
import type { IConstruct } from 'constructs';

export interface TableReplicaMetrics {
  /** The alarm's short subject (the table's config name). */
  readonly subject: string;
  /** The source table's name (the `TableName` dimension). */
  readonly tableName: string;
  /** The replica's region (the `ReceivingRegion` dimension). */
  readonly receivingRegion: string;
  /** Above this average latency (milliseconds) the replica misses its RPO. */
  readonly thresholdMs: number;
}

const METRICS = new WeakMap<IConstruct, TableReplicaMetrics>();

/** Records the metric dimensions of a replica: the monitoring pass alarms on them. */
export function declareTableReplicaMetrics(replica: IConstruct, metrics: TableReplicaMetrics): void {
  METRICS.set(replica, metrics);
}

/** The metric dimensions `declareTableReplicaMetrics` recorded for a replica. */
export function tableReplicaMetricsOf(replica: IConstruct): TableReplicaMetrics | undefined {
  return METRICS.get(replica);
}

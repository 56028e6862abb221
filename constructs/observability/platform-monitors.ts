import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import type { MskCluster } from '@cdktf/provider-aws/lib/msk-cluster';
import { subjectOf, timing, type MonitorContext } from './monitor-context';

/**
 * A provisioned MSK cluster: no active controller (the cluster cannot change leadership), offline
 * partitions (data unavailable) and broker disks filling up faster than storage autoscaling grows them.
 */
export function monitorKafkaCluster(ctx: MonitorContext, cluster: MskCluster): void {
  const subject = subjectOf(ctx, cluster, cluster.clusterNameInput);
  const name = cluster.clusterName;
  const metric = (metricName: string, stat: string, extra: Record<string, string> = {}) => ({
    namespace: 'AWS/Kafka',
    name: metricName,
    dimensions: { 'Cluster Name': name, ...extra },
    stat,
  });
  const base = { ...timing(ctx), subject, row: 'data' };
  ctx.alarms.add({
    ...base,
    kind: 'kafka-no-controller',
    summary: 'Kafka has no active controller',
    metrics: [metric('ActiveControllerCount', 'Maximum')],
    threshold: 1,
    comparison: 'LessThanThreshold',
    treatMissingData: 'breaching',
  });
  ctx.alarms.add({
    ...base,
    kind: 'kafka-offline-partitions',
    summary: 'Kafka partitions offline',
    metrics: [metric('OfflinePartitionsCount', 'Maximum')],
    threshold: 0,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'missing',
  });
  const brokers = Number(cluster.numberOfBrokerNodesInput ?? 0);
  for (let broker = 1; broker <= brokers; broker++) {
    ctx.alarms.add({
      ...base,
      subject: `${subject}-${broker}`,
      kind: 'kafka-disk',
      summary: `Kafka broker ${broker} disk use above ${ctx.thresholds.kafkaDiskPercent} %`,
      metrics: [metric('KafkaDataLogsDiskUsed', 'Maximum', { 'Broker ID': String(broker) })],
      threshold: ctx.thresholds.kafkaDiskPercent,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'missing',
    });
  }
}

/**
 * An EKS cluster (control-plane metrics EKS publishes to AWS/EKS): pods no node can take (node groups
 * at their maximum, or requests too large) and API server errors.
 */
export function monitorEksCluster(ctx: MonitorContext, cluster: EksCluster): void {
  const subject = subjectOf(ctx, cluster, cluster.nameInput);
  const metric = (metricName: string, stat: string) => ({
    namespace: 'AWS/EKS',
    name: metricName,
    dimensions: { ClusterName: cluster.name },
    stat,
  });
  const base = { ...timing(ctx), subject, row: 'service cluster' };
  ctx.alarms.add({
    ...base,
    kind: 'eks-unschedulable-pods',
    summary: 'EKS pods that no node can schedule',
    metrics: [metric('scheduler_pending_pods_UNSCHEDULABLE', 'Maximum')],
    threshold: 0,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'missing',
  });
  ctx.alarms.add({
    ...base,
    kind: 'eks-apiserver-5xx',
    summary: `EKS API server 5xx responses above ${ctx.thresholds.target5xxCount} per period`,
    metrics: [metric('apiserver_request_total_5XX', 'Sum')],
    threshold: ctx.thresholds.target5xxCount,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  });
}

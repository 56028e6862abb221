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
 * An EKS cluster: from the control-plane metrics EKS publishes to AWS/EKS, pods no node can take (node
 * groups at their maximum, or requests too large) and API server errors; from Container Insights (the
 * amazon-cloudwatch-observability add-on, ContainerInsights namespace, cluster dimension), node and
 * pod CPU and memory, and container restarts.
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
  monitorContainerInsights(ctx, base, cluster.name);
}

/** Container Insights alarms of one cluster (the cluster-level aggregates the agent publishes). */
function monitorContainerInsights(
  ctx: MonitorContext,
  base: { subject: string; row: string; periodSeconds: number; evaluationPeriods: number },
  clusterName: string,
): void {
  const t = ctx.thresholds;
  const insight = (metricName: string, stat: string) => ({
    namespace: 'ContainerInsights',
    name: metricName,
    dimensions: { ClusterName: clusterName },
    stat,
  });
  const specs = [
    ['eks-node-cpu', 'node_cpu_utilization', 'Average', t.nodeCpuPercent, 'EKS nodes CPU above %s %'],
    [
      'eks-node-memory',
      'node_memory_utilization',
      'Average',
      t.nodeMemoryPercent,
      'EKS nodes memory above %s %',
    ],
    [
      'eks-pod-cpu',
      'pod_cpu_utilization',
      'Maximum',
      t.podCpuPercent,
      'An EKS pod using above %s % of its node CPU',
    ],
    [
      'eks-pod-memory',
      'pod_memory_utilization',
      'Maximum',
      t.podMemoryPercent,
      'An EKS pod using above %s % of its node memory',
    ],
  ] as const;
  for (const [kind, metricName, stat, threshold, summary] of specs)
    ctx.alarms.add({
      ...base,
      kind,
      summary: summary.replace('%s', String(threshold)),
      metrics: [insight(metricName, stat)],
      threshold,
      comparison: 'GreaterThanThreshold',
      // No data: the agent is not reporting (see the runbook), not a breach.
      treatMissingData: 'missing',
    });
  ctx.alarms.add({
    ...base,
    kind: 'eks-pod-restarts',
    summary: `EKS containers restarted more than ${t.podRestarts} times per period`,
    // The metric counts each pod's restarts so far: the alarm watches its increase per period.
    metrics: [insight('pod_number_of_container_restarts', 'Sum')],
    expression: 'DIFF(m1)',
    threshold: t.podRestarts,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  });
}

import type { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import type { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import type { DbProxy } from '@cdktf/provider-aws/lib/db-proxy';
import type { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import type { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import type { Alarm, AlarmSpec, Metric } from './alarm-set';
import { subjectOf, timing, type MonitorContext } from './monitor-context';

const GT = 'GreaterThanThreshold' as const;
const LT = 'LessThanThreshold' as const;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * An ECS service (seed 001): CPU and memory above the thresholds (80 %) for the evaluation periods
 * (2), and fewer running tasks than desired for three periods (a deployment or placement stuck).
 */
export function monitorEcsService(ctx: MonitorContext, service: EcsService, clusterName: string): Alarm[] {
  const t = ctx.thresholds;
  const name = subjectOf(ctx, service, service.nameInput);
  const dims = { ClusterName: clusterName, ServiceName: service.name };
  const base = { ...timing(ctx), subject: name, row: `service ${name}`, comparison: GT };
  const ecs = (metric: string): Metric => ({
    namespace: 'AWS/ECS',
    name: metric,
    dimensions: dims,
    stat: 'Average',
  });
  const cpu = ctx.alarms.add({
    ...base,
    kind: 'ecs-cpu',
    summary: `CPU utilisation of service ${name} above ${t.serviceCpuPercent} %`,
    metrics: [ecs('CPUUtilization')],
    threshold: t.serviceCpuPercent,
    // No data while the service is scaled to zero: keep the last state.
    treatMissingData: 'missing',
  });
  const memory = ctx.alarms.add({
    ...base,
    kind: 'ecs-memory',
    summary: `Memory utilisation of service ${name} above ${t.serviceMemoryPercent} %`,
    metrics: [ecs('MemoryUtilization')],
    threshold: t.serviceMemoryPercent,
    treatMissingData: 'missing',
  });
  const insights = (metric: string): Metric => ({
    namespace: 'ECS/ContainerInsights',
    name: metric,
    dimensions: dims,
    stat: 'Average',
  });
  const running = ctx.alarms.add({
    ...base,
    kind: 'ecs-running-tasks',
    summary: `Service ${name} runs fewer tasks than desired`,
    metrics: [insights('DesiredTaskCount'), insights('RunningTaskCount')],
    expression: 'm1 - m2',
    threshold: 0,
    evaluationPeriods: 3,
    treatMissingData: 'notBreaching',
  });
  return [cpu, memory, running];
}

type DbResource = DbInstance | RdsClusterInstance;

/** An RDS instance or Aurora cluster instance: CPU, memory, connections; storage and lag where they apply. */
export function monitorDbInstance(
  ctx: MonitorContext,
  db: DbResource,
  opts: { storage: boolean; replica: boolean },
): void {
  const t = ctx.thresholds;
  const subject = subjectOf(ctx, db, db.identifierInput);
  const rds = (metric: string, stat = 'Average'): Metric => ({
    namespace: 'AWS/RDS',
    name: metric,
    dimensions: { DBInstanceIdentifier: db.identifier },
    stat,
  });
  const base = { ...timing(ctx), subject, row: 'data' };
  const specs: Array<
    Omit<AlarmSpec, 'subject' | 'row' | 'periodSeconds' | 'evaluationPeriods'> & Partial<AlarmSpec>
  > = [
    {
      kind: 'db-cpu',
      summary: `Database ${subject} CPU above ${t.databaseCpuPercent} %`,
      metrics: [rds('CPUUtilization')],
      threshold: t.databaseCpuPercent,
      comparison: GT,
      treatMissingData: 'missing',
    },
    {
      kind: 'db-freeable-memory',
      summary: `Database ${subject} freeable memory below ${t.databaseFreeableMemoryMb} MiB`,
      metrics: [rds('FreeableMemory', 'Minimum')],
      threshold: t.databaseFreeableMemoryMb * MIB,
      comparison: LT,
      treatMissingData: 'missing',
    },
    {
      kind: 'db-connections',
      summary: `Database ${subject} connections above ${t.databaseConnections}`,
      metrics: [rds('DatabaseConnections', 'Maximum')],
      threshold: t.databaseConnections,
      comparison: GT,
      treatMissingData: 'missing',
    },
  ];
  // Burstable classes (db.t*) run on CPU credits: out of credits, they drop to their baseline.
  if ((db.instanceClassInput ?? '').startsWith('db.t')) {
    specs.push({
      kind: 'db-cpu-credits',
      summary: `Database ${subject} CPU credit balance below ${t.databaseCpuCreditBalance}`,
      metrics: [rds('CPUCreditBalance', 'Minimum')],
      threshold: t.databaseCpuCreditBalance,
      comparison: LT,
      treatMissingData: 'missing',
    });
  }
  if (opts.storage) {
    specs.push({
      kind: 'db-free-storage',
      summary: `Database ${subject} free storage below ${t.databaseFreeStorageGb} GiB`,
      metrics: [rds('FreeStorageSpace', 'Minimum')],
      threshold: t.databaseFreeStorageGb * GIB,
      comparison: LT,
      evaluationPeriods: 1,
      treatMissingData: 'missing',
    });
  }
  if (opts.replica) {
    specs.push({
      kind: 'db-replica-lag',
      summary: `Read replica ${subject} lags more than ${t.replicaLagSeconds} s`,
      metrics: [rds('ReplicaLag', 'Maximum')],
      threshold: t.replicaLagSeconds,
      comparison: GT,
      treatMissingData: 'notBreaching',
    });
  }
  for (const spec of specs) ctx.alarms.add({ ...base, ...spec });
}

/** An Aurora cluster: the largest reader lag (readers are whichever instances are not the writer). */
export function monitorAuroraCluster(ctx: MonitorContext, cluster: RdsCluster): void {
  const t = ctx.thresholds;
  const subject = subjectOf(ctx, cluster, cluster.clusterIdentifierInput);
  ctx.alarms.add({
    ...timing(ctx),
    kind: 'db-replica-lag',
    subject,
    row: 'data',
    summary: `Aurora readers of ${subject} lag more than ${t.replicaLagSeconds} s`,
    metrics: [
      {
        namespace: 'AWS/RDS',
        name: 'AuroraReplicaLagMaximum',
        dimensions: { DBClusterIdentifier: cluster.clusterIdentifier },
        stat: 'Maximum',
      },
    ],
    // AuroraReplicaLag is in milliseconds.
    threshold: t.replicaLagSeconds * 1000,
    comparison: GT,
    treatMissingData: 'notBreaching',
  });
}

/**
 * RDS Proxy: clients waiting for a pooled connection (the pool is at `maxConnectionsPercent` of the
 * database's connections, or the database is slow to hand them back).
 */
export function monitorDbProxy(ctx: MonitorContext, proxy: DbProxy): void {
  const t = ctx.thresholds;
  const subject = subjectOf(ctx, proxy, proxy.nameInput);
  ctx.alarms.add({
    ...timing(ctx),
    kind: 'db-proxy-borrow-latency',
    subject,
    row: 'data',
    summary: `Clients of ${subject} wait more than ${t.databaseProxyBorrowMs} ms for a pooled connection`,
    metrics: [
      {
        namespace: 'AWS/RDS',
        name: 'DatabaseConnectionsBorrowLatency',
        dimensions: { ProxyName: proxy.name },
        stat: 'Average',
      },
    ],
    // Microseconds.
    threshold: t.databaseProxyBorrowMs * 1000,
    comparison: GT,
    treatMissingData: 'notBreaching',
  });
}

/**
 * The member node ids of a replication group: `<id>-00N`, or in cluster mode `<id>-000S-00N` (shard S).
 * `label` is the short name in alarm names (`1`, or `s1-2` in cluster mode).
 */
function redisNodes(group: ElasticacheReplicationGroup): Array<{ label: string; id: string }> {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const shards = group.numNodeGroupsInput;
  if (shards === undefined) {
    const count = group.numCacheClustersInput ?? 1;
    return Array.from({ length: count }, (_, i) => ({
      label: `${i + 1}`,
      id: `${group.replicationGroupId}-${pad(i + 1, 3)}`,
    }));
  }
  const perShard = (group.replicasPerNodeGroupInput ?? 0) + 1;
  return Array.from({ length: shards * perShard }, (_, k) => {
    const [s, n] = [Math.floor(k / perShard) + 1, (k % perShard) + 1];
    return { label: `s${s}-${n}`, id: `${group.replicationGroupId}-${pad(s, 4)}-${pad(n, 3)}` };
  });
}

/** A Redis replication group, per node: engine CPU, memory, evictions, replication lag (with replicas). */
export function monitorRedis(ctx: MonitorContext, group: ElasticacheReplicationGroup): void {
  const t = ctx.thresholds;
  const subject = subjectOf(ctx, group, group.replicationGroupIdInput);
  const nodes = redisNodes(group);
  for (const { label: i, id: node } of nodes) {
    const m = (metric: string, stat: string): Metric => ({
      namespace: 'AWS/ElastiCache',
      name: metric,
      dimensions: { CacheClusterId: node },
      stat,
    });
    const base = { ...timing(ctx), subject: `${subject}-${i}`, row: 'data', comparison: GT };
    ctx.alarms.add({
      ...base,
      kind: 'cache-cpu',
      summary: `Redis node ${i} engine CPU above ${t.databaseCpuPercent} %`,
      metrics: [m('EngineCPUUtilization', 'Average')],
      threshold: t.databaseCpuPercent,
      treatMissingData: 'missing',
    });
    ctx.alarms.add({
      ...base,
      kind: 'cache-memory',
      summary: `Redis node ${i} memory use above ${t.cacheMemoryPercent} %`,
      metrics: [m('DatabaseMemoryUsagePercentage', 'Maximum')],
      threshold: t.cacheMemoryPercent,
      treatMissingData: 'missing',
    });
    ctx.alarms.add({
      ...base,
      kind: 'cache-evictions',
      summary: `Redis node ${i} evicted more than ${t.cacheEvictions} keys per period`,
      metrics: [m('Evictions', 'Sum')],
      threshold: t.cacheEvictions,
      treatMissingData: 'notBreaching',
    });
    if (nodes.length > 1) {
      ctx.alarms.add({
        ...base,
        kind: 'cache-replication-lag',
        // Only replicas report it; after a failover the old primary is one.
        summary: `Redis node ${i} replication lag above ${t.replicaLagSeconds} s`,
        metrics: [m('ReplicationLag', 'Maximum')],
        threshold: t.replicaLagSeconds,
        treatMissingData: 'notBreaching',
      });
    }
  }
}

/** Operations whose DynamoDB SystemErrors are summed (the metric has an Operation dimension). */
const TABLE_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
];

/** A DynamoDB table: read + write throttles above the threshold, any system error. */
export function monitorTable(ctx: MonitorContext, table: DynamodbTable): void {
  const t = ctx.thresholds;
  const subject = subjectOf(ctx, table, table.nameInput);
  const m = (metric: string, extra: Record<string, string> = {}): Metric => ({
    namespace: 'AWS/DynamoDB',
    name: metric,
    dimensions: { TableName: table.name, ...extra },
    stat: 'Sum',
  });
  const base = {
    ...timing(ctx),
    subject,
    row: 'data',
    comparison: GT,
    treatMissingData: 'notBreaching' as const,
  };
  ctx.alarms.add({
    ...base,
    kind: 'table-throttles',
    summary: `Table ${subject} throttled more than ${t.tableThrottles} requests per period`,
    metrics: [m('ReadThrottleEvents'), m('WriteThrottleEvents')],
    expression: 'FILL(m1, 0) + FILL(m2, 0)',
    threshold: t.tableThrottles,
  });
  ctx.alarms.add({
    ...base,
    kind: 'table-system-errors',
    summary: `Table ${subject} returned DynamoDB system errors`,
    metrics: TABLE_OPERATIONS.map((op) => m('SystemErrors', { Operation: op })),
    expression: 'SUM(METRICS())',
    threshold: 0,
    evaluationPeriods: 1,
  });
}

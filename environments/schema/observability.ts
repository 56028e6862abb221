/**
 * Observability: where alerts go (`subscribers` of the environment's `critical` and `warning`
 * topics) and the alarm thresholds of the monitoring pass (constructs/observability/). Each field has
 * its one default here; production sets tighter values explicitly in its environment file rather than
 * code branching on the tier.
 */
import { z } from './zod';
import { emailSchema, percentSchema } from './primitives';

/** One subscriber: an email address (confirms by mail) or an HTTPS endpoint (a chat webhook, a pager). */
export const subscriberSchema = z.union([
  z.strictObject({ email: emailSchema }),
  z.strictObject({
    https: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
  }),
]);

export const subscribersSchema = z.strictObject({
  /** Paged: the service is down (the composite "service unavailable" alarm, failed backups). Default: none. */
  critical: z.array(subscriberSchema).default([]),
  /** Looked at in working hours: every other alarm and event. Default: none. */
  warning: z.array(subscriberSchema).default([]),
});

export const thresholdsSchema = z.strictObject({
  /** Seconds per alarm period. Default: 300. */
  periodSeconds: z.union([z.literal(60), z.literal(300), z.literal(900), z.literal(3600)]).default(300),
  /** Periods a utilisation alarm must breach before it fires. Default: 2 (seed 001). */
  evaluationPeriods: z.number().int().min(1).max(10).default(2),
  /** ECS service CPU and memory utilisation, percent. Default: 80 (seed 001). */
  serviceCpuPercent: percentSchema.default(80),
  serviceMemoryPercent: percentSchema.default(80),
  /** Target (application) 5xx responses per period on the load balancer. Default: 10. */
  target5xxCount: z.number().int().min(1).default(10),
  /** Target 5xx responses as a percentage of requests. Default: 5. */
  target5xxPercent: percentSchema.default(5),
  /** Load balancer (ELB-generated) 5xx responses per period. Default: 10. */
  elb5xxCount: z.number().int().min(1).default(10),
  /** p99 target response time, seconds. Default: 2. */
  p99ResponseSeconds: z.number().positive().default(2),
  /** Connections the load balancer rejected (at its connection limit) per period. Default: 1. */
  rejectedConnections: z.number().int().min(1).default(1),
  /** Database and cache engine CPU, percent. Default: 80. */
  databaseCpuPercent: percentSchema.default(80),
  /** Free storage of an RDS instance, GiB. Default: 2. */
  databaseFreeStorageGb: z.number().positive().default(2),
  /** Freeable memory of a database instance, MiB. Default: 64. */
  databaseFreeableMemoryMb: z.number().positive().default(64),
  /** Open database connections. Default: 80 (a db.t4g.micro allows about 110). */
  databaseConnections: z.number().int().min(1).default(80),
  /** How long a client waits on average for a pooled connection of RDS Proxy, ms. Default: 100. */
  databaseProxyBorrowMs: z.number().positive().default(100),
  /** CPU credits left on a burstable (db.t*) instance before it is throttled to its baseline. Default: 20. */
  databaseCpuCreditBalance: z.number().min(0).default(20),
  /** Replica lag (RDS read replicas, Aurora readers, Redis replicas), seconds. Default: 60. */
  replicaLagSeconds: z.number().positive().default(60),
  /** Redis memory in use, percent. Default: 80. */
  cacheMemoryPercent: percentSchema.default(80),
  /** MSK broker data-disk use (storage autoscaling should keep it below). Default: 85 %. */
  kafkaDiskPercent: percentSchema.default(85),
  /** Redis keys evicted per period. Default: 100. */
  cacheEvictions: z.number().int().min(1).default(100),
  /** DynamoDB read + write throttle events per period. Default: 10. */
  tableThrottles: z.number().int().min(1).default(10),
  /** Requests the web ACL blocked per period. Default: 1000. */
  wafBlockedRequests: z.number().int().min(1).default(1000),
});

/** X-Ray for the services whose `xray` is on: the environment's sampling rule. */
export const tracingSchema = z.strictObject({
  /** Share of requests traced beyond the reservoir (0-1). Default: 0.05. */
  samplingRate: z.number().min(0).max(1).default(0.05),
  /** Requests per second traced before the rate applies. Default: 1. */
  reservoirPerSecond: z.number().int().min(0).default(1),
});

export const observabilitySchema = z.strictObject({
  subscribers: subscribersSchema.prefault({}),
  thresholds: thresholdsSchema.prefault({}),
  tracing: tracingSchema.prefault({}),
});

export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type AlarmThresholds = ObservabilityConfig['thresholds'];
export type Subscriber = z.output<typeof subscriberSchema>;

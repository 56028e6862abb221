/**
 * Observability: where alerts go (`subscribers` of the environment's `critical` and `warning`
 * topics) and the alarm thresholds of the monitoring pass (constructs/observability/). Each field has
 * its one default here; production sets tighter values explicitly in its environment file rather than
 * code branching on the tier.
 */
import { z } from './zod';
import { emailSchema, imageSchema, percentSchema } from './primitives';

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
  /** EKS nodes' CPU and memory utilisation (Container Insights, cluster average), percent. Default: 80. */
  nodeCpuPercent: percentSchema.default(80),
  nodeMemoryPercent: percentSchema.default(80),
  /** EKS pods' CPU and memory use as a share of their node (Container Insights, busiest pod), percent. Default: 80. */
  podCpuPercent: percentSchema.default(80),
  podMemoryPercent: percentSchema.default(80),
  /** EKS container restarts per period across the cluster's pods (crash loops, OOM kills). Default: 3. */
  podRestarts: z.number().int().min(1).default(3),
});

/**
 * The OpenTelemetry collector beside every Fargate service (the ADOT collector sidecar,
 * constructs/compute/otel-collector.ts): its CPU units and soft memory reservation (MiB), taken out of
 * the task size (services.<name>.cpu / memory, schema/compute.ts checks the room left for the app).
 */
export const TRACE_COLLECTOR_RESERVATION = { cpu: 64, memoryReservation: 128 } as const;
/** The ports the collector takes on the task's loopback (OTLP gRPC and HTTP, X-Ray): no sidecar may. */
export const TRACE_COLLECTOR_PORTS = [4317, 4318, 2000] as const;

/**
 * The AWS Distro for OpenTelemetry collector, v0.48.0, by its multi-architecture (manifest list)
 * digest on ECR Public: a tag could be moved, a digest cannot. To upgrade: the new release's digest
 * (`crane digest public.ecr.aws/aws-observability/aws-otel-collector:vX.Y.Z`), here.
 */
export const ADOT_COLLECTOR_IMAGE =
  'public.ecr.aws/aws-observability/aws-otel-collector:v0.48.0@sha256:9b28046359054b414f4ba76056ba4e8cffda2d53fbcee06171d7eeecd71326c3';

/**
 * Tracing of every service (OpenTelemetry to X-Ray: the ADOT collector sidecar on Fargate, the
 * CloudWatch agent on EKS). The OpenTelemetry SDKs sample at `samplingRate` (OTEL_TRACES_SAMPLER
 * parentbased_traceidratio); the environment's X-Ray sampling rule takes both values for clients still
 * on the X-Ray SDK (the collector proxies its sampling calls).
 */
export const tracingSchema = z.strictObject({
  /**
   * The OpenTelemetry collector beside every Fargate service: the ADOT collector, pinned by digest.
   * Default: v0.48.0 on ECR Public (ADOT_COLLECTOR_IMAGE). Without NAT, a copy in the account's ECR.
   */
  collectorImage: imageSchema.default(ADOT_COLLECTOR_IMAGE),
  /** Share of requests traced (0-1); the X-Ray rule's rate beyond the reservoir. Default: 0.05. */
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

/**
 * `messaging`: Amazon MSK (Kafka) for the backend services (seed 000), provisioned or serverless.
 * TLS, KMS and IAM client authentication are not settings: they are always on. Rules that need the
 * AZ count or the tier (broker count, replication factor) live in environment.ts.
 */
import { z } from './zod';
import { report } from './errors';
import { percentSchema } from './primitives';

const provisionedSchema = z
  .strictObject({
    mode: z.literal('provisioned'),
    /** Apache Kafka version. Default: 3.8.x. */
    kafkaVersion: z
      .string()
      .regex(/^\d+\.\d+\.(\d+|x)(\.kraft)?$/, 'must be a Kafka version such as 3.8.x')
      .default('3.8.x'),
    /** Broker instance type. Default: kafka.m7g.large (Graviton). */
    brokerInstanceType: z
      .string()
      .regex(/^kafka\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an MSK broker type such as kafka.m7g.large')
      .default('kafka.m7g.large'),
    /** Total brokers, a multiple of the AZ count (MSK spreads them evenly). */
    brokerCount: z.number().int().min(2),
    storage: z
      .strictObject({
        /** EBS per broker in GiB. Default: 100. */
        initialGb: z.number().int().min(1).max(16384).default(100),
        /** Storage autoscaling's ceiling per broker in GiB. Default: 1000. */
        maxGb: z.number().int().min(1).max(16384).default(1000),
        /** Disk use that triggers a scale-up. Default: 70 %. */
        targetUtilizationPercent: percentSchema.default(70),
      })
      .prefault({})
      .superRefine((s, ctx) => {
        if (s.maxGb < s.initialGb) report(ctx, ['maxGb'], `${s.maxGb} is below initialGb ${s.initialGb}`);
      }),
    /** CloudWatch metrics level. Default: PER_BROKER (DEFAULT hides per-broker disk and CPU). */
    enhancedMonitoring: z
      .enum(['DEFAULT', 'PER_BROKER', 'PER_TOPIC_PER_BROKER', 'PER_TOPIC_PER_PARTITION'])
      .default('PER_BROKER'),
    /** Topic retention (`log.retention.hours`). Default: 168 (7 days). */
    retentionHours: z.number().int().min(1).max(87600).default(168),
    /** `default.replication.factor`; at least 2 in production, at most the broker count. Default: 3. */
    replicationFactor: z.number().int().min(1).default(3),
  })
  .superRefine((k, ctx) => {
    if (k.replicationFactor > k.brokerCount)
      report(ctx, ['replicationFactor'], `${k.replicationFactor} is above brokerCount ${k.brokerCount}`);
  });

/** MSK Serverless: capacity and replication are AWS's; topics are created by clients with IAM. */
const serverlessSchema = z.strictObject({ mode: z.literal('serverless') });

export const kafkaSchema = z.discriminatedUnion('mode', [provisionedSchema, serverlessSchema]);

export const messagingSchema = z.strictObject({
  /** An MSK cluster the services with `uses.kafka` reach. Default: none. */
  kafka: kafkaSchema.optional(),
});

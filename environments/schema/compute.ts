/**
 * Compute: `services` (Fargate services with their sidecars, secrets and autoscaling), `ecr` (the
 * services' image repositories) and `compute` (what runs the services).
 */
import { z } from './zod';
import { FARGATE_MEMORY_BY_CPU } from '../rules';
import { eksSchema } from './eks';
import { deploymentSchema, migrationsSchema } from './deployment';
import { report } from './errors';
import { TRACE_COLLECTOR_PORTS, TRACE_COLLECTOR_RESERVATION } from './observability';
import {
  envVarName,
  imageSchema,
  imageTagSchema,
  pathPatternSchema,
  percentSchema,
  portSchema,
  secretArnSchema,
  slug,
  urlPathSchema,
} from './primitives';

/** A Kafka topic name (MSK IAM resource names take these characters). */
const kafkaTopicSchema = z
  .string()
  .max(249)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be a Kafka topic name (letters, digits, . _ -)');

const sidecarSchema = z.strictObject({
  name: slug(32),
  image: imageSchema,
  /** Default: 0 (shares the task's remaining cpu). */
  cpu: z.number().int().min(0).default(0),
  /** Soft memory reservation in MiB. Default: none. */
  memoryReservation: z.number().int().min(6).optional(),
  /** Default: false; an essential sidecar that stops takes the task down. */
  essential: z.boolean().default(false),
  port: portSchema.optional(),
  environment: z.record(envVarName, z.string()).default({}),
});

const secretRefSchema = z.strictObject({
  arn: secretArnSchema,
  /** A key inside a JSON secret; ECS injects only that value. */
  jsonKey: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'must be a JSON key')
    .optional(),
});

const scheduleSchema = z
  .strictObject({
    name: slug(64),
    /** `cron(...)`, `rate(...)` or `at(...)` in Application Auto Scaling's syntax. */
    schedule: z
      .string()
      .regex(
        /^(cron\([^)]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\([0-9T:-]+\))$/,
        'must be cron(...), rate(...) or at(...)',
      ),
    minCapacity: z.number().int().min(0),
    maxCapacity: z.number().int().min(0),
    /** IANA time zone, e.g. Europe/Berlin. Default: UTC. */
    timezone: z
      .string()
      .regex(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/, 'must be an IANA time zone such as Europe/Berlin')
      .default('UTC'),
  })
  .superRefine((s, ctx) => {
    if (s.minCapacity > s.maxCapacity)
      report(ctx, ['minCapacity'], `${s.minCapacity} is above maxCapacity ${s.maxCapacity}`);
  });

const autoscalingSchema = z
  .strictObject({
    minCapacity: z.number().int().min(0),
    maxCapacity: z.number().int().min(1),
    cpuTargetPercent: percentSchema,
    /** Default: no memory-based scaling. */
    memoryTargetPercent: percentSchema.optional(),
    /**
     * Requests per task per minute to track (`ALBRequestCountPerTarget`, seeds 002/003: scaling on
     * load, not only on CPU). A service behind the load balancer with rolling deployments only
     * (blue/green swaps the target group the metric names). Default: none.
     */
    requestsPerTarget: z.number().int().min(1).max(1_000_000).optional(),
    /**
     * Scale in by steps on low CPU instead of letting the target-tracking policies scale in (seeds
     * 002/003: a slower, stepwise scale-in). Target tracking then only scales out, so the two never
     * fight over the same service. Default: none (target tracking scales in too).
     */
    stepScaleIn: z
      .strictObject({
        /** Average CPU below this for `minutes` removes `tasks` tasks. Must be below cpuTargetPercent. */
        cpuBelowPercent: percentSchema,
        /** Default: 15 consecutive minutes. */
        minutes: z.number().int().min(1).max(60).default(15),
        /** Default: 1 task per step. */
        tasks: z.number().int().min(1).max(10).default(1),
      })
      .optional(),
    /** Default: 60 s out, 300 s in. */
    scaleOutCooldownSeconds: z.number().int().min(0).max(3600).default(60),
    scaleInCooldownSeconds: z.number().int().min(0).max(3600).default(300),
    schedules: z.array(scheduleSchema).default([]),
  })
  .superRefine((a, ctx) => {
    if (a.minCapacity > a.maxCapacity)
      report(ctx, ['minCapacity'], `${a.minCapacity} is above maxCapacity ${a.maxCapacity}`);
    // Below the target with a margin: scaled in at the threshold, the service must not land above
    // the target (and be scaled out again).
    if (a.stepScaleIn && a.stepScaleIn.cpuBelowPercent > a.cpuTargetPercent - 20)
      report(
        ctx,
        ['stepScaleIn', 'cpuBelowPercent'],
        `${a.stepScaleIn.cpuBelowPercent} must be at least 20 points below cpuTargetPercent ${a.cpuTargetPercent}, or scale-in and scale-out fight`,
      );
    a.schedules.forEach((s, i) => {
      if (s.maxCapacity > a.maxCapacity) {
        report(
          ctx,
          ['schedules', i, 'maxCapacity'],
          `${s.maxCapacity} is above the service's maxCapacity ${a.maxCapacity}`,
        );
      }
      if (a.schedules.findIndex((o) => o.name === s.name) !== i)
        report(ctx, ['schedules', i, 'name'], `${s.name} is used twice`);
    });
  });

export const serviceSchema = z
  .strictObject({
    port: portSchema,
    cpu: z.number().int(),
    memory: z.number().int(),
    desiredCount: z.number().int().min(0),
    healthCheckPath: urlPathSchema,
    /**
     * `['/*']` makes this the listener's default; other patterns become listener rules. Default: none,
     * the service takes no traffic from the load balancer (a worker).
     */
    pathPatterns: z
      .array(pathPatternSchema)
      .min(1, 'needs at least one path pattern (leave it out for a service without traffic)')
      .max(5, 'an ALB rule takes at most 5 path patterns')
      .optional(),
    /** Listener rule priority (1-50000). Default: by declaration order. */
    priority: z.number().int().min(1).max(50000).optional(),
    /** A public placeholder image until CI has pushed one to the service's repository. */
    image: imageSchema.optional(),
    /** Tag in the service's ECR repository. Default: latest. */
    imageTag: imageTagSchema.default('latest'),
    sidecars: z.array(sidecarSchema).default([]),
    environment: z.record(envVarName, z.string()).default({}),
    secrets: z.record(envVarName, secretRefSchema).default({}),
    /** Fargate Spot for interruption-tolerant (dev) services. Default: on-demand. */
    capacity: z.enum(['on-demand', 'spot']).default('on-demand'),
    uses: z
      .strictObject({
        database: z.boolean().default(false),
        cache: z.boolean().default(false),
        /** The user pool id, issuer and SPA client id as COGNITO_* variables (to verify tokens). Default: false. */
        identity: z.boolean().default(false),
        tables: z.array(slug(32)).default([]),
        buckets: z.array(slug(32)).default([]),
        /** Kafka topics it writes and reads (`messaging.kafka`); a consumer also gets its own group. */
        kafka: z
          .strictObject({
            produce: z.array(kafkaTopicSchema).default([]),
            consume: z.array(kafkaTopicSchema).default([]),
          })
          .optional(),
      })
      .prefault({}),
    autoscaling: autoscalingSchema.optional(),
    /** Main container's root filesystem is read-only; `writablePaths` get scratch volumes. Default: true. */
    readonlyRootFilesystem: z.boolean().default(true),
    /** Paths the app writes to (scratch volumes, emptied with the task). Default: ['/tmp']. */
    writablePaths: z.array(urlPathSchema).default(['/tmp']),
    /** Container user (`1000`, `1000:1000` or a name); non-root where the image allows. Default: the image's. */
    user: z
      .string()
      .regex(/^([0-9]+(:[0-9]+)?|[a-z_][a-z0-9_-]*)$/, 'must be a uid[:gid] or a user name')
      .optional(),
    /** Container health check command (ECS `CMD-SHELL` form). Default: none (the ALB checks `healthCheckPath`). */
    containerHealthCheck: z.string().min(1).optional(),
    /** CPU architecture of the image. Default: X86_64. */
    architecture: z.enum(['X86_64', 'ARM64']).default('X86_64'),
    /** ECS Exec (`aws ecs execute-command`), logged to an encrypted log group. Default: false. */
    enableExec: z.boolean().default(false),
    /** CI registers task definitions with new images: Terraform then ignores task_definition. Default: true. */
    deployedByCi: z.boolean().default(true),
    /** Seconds the ALB health checks are ignored after a task starts. Default: 60. */
    healthCheckGracePeriodSeconds: z.number().int().min(0).max(2147483647).default(60),
    /** Seconds the ALB drains a deregistering target. Default: 30. */
    deregistrationDelaySeconds: z.number().int().min(0).max(3600).default(30),
    /** Rolling (ECS, circuit breaker) or blue/green (CodeDeploy) rollouts (deployment.ts). Default: rolling. */
    deployment: deploymentSchema,
    /** Schema migrations the deploy workflow runs before each rollout (deployment.ts). Default: none. */
    migrations: migrationsSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const allowed = FARGATE_MEMORY_BY_CPU[s.cpu];
    if (!allowed) {
      report(
        ctx,
        ['cpu'],
        `${s.cpu} is not a Fargate cpu size; use one of ${Object.keys(FARGATE_MEMORY_BY_CPU).join(', ')}`,
      );
    } else if (!allowed.includes(s.memory)) {
      report(
        ctx,
        ['memory'],
        `${s.memory} MiB is not valid with cpu ${s.cpu}; use one of ${allowed.join(', ')}`,
      );
    }
    if (s.autoscaling) {
      const a = s.autoscaling;
      if (s.desiredCount < a.minCapacity || s.desiredCount > a.maxCapacity) {
        report(
          ctx,
          ['desiredCount'],
          `${s.desiredCount} is outside autoscaling min ${a.minCapacity} .. max ${a.maxCapacity}`,
        );
      }
    }
    const patterns = s.pathPatterns ?? [];
    patterns.forEach((p, i) => {
      if (patterns.indexOf(p) !== i) report(ctx, ['pathPatterns', i], `${p} is listed twice`);
    });
    if (s.deployment.type === 'blueGreen' && patterns.length === 0)
      report(
        ctx,
        ['deployment'],
        'blue/green shifts load balancer traffic: the service needs pathPatterns (a load-balanced route)',
      );
    const names = s.sidecars.map((c) => c.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i || n === 'app')
        report(ctx, ['sidecars', i, 'name'], `${n} is used twice (the main container is 'app')`);
    });
    s.sidecars.forEach((c, i) => {
      if (c.port === s.port) report(ctx, ['sidecars', i, 'port'], `${c.port} is the service's own port`);
      if (c.port !== undefined && (TRACE_COLLECTOR_PORTS as readonly number[]).includes(c.port))
        report(
          ctx,
          ['sidecars', i, 'port'],
          `${c.port} is the OpenTelemetry collector's (OTLP 4317/4318, X-Ray 2000)`,
        );
    });
    s.writablePaths.forEach((p, i) => {
      if (s.writablePaths.indexOf(p) !== i) report(ctx, ['writablePaths', i], `${p} is listed twice`);
    });
    // The OpenTelemetry collector sidecar (every Fargate task) and the configured sidecars reserve
    // out of the task size: the app container must keep some.
    const reservedCpu = TRACE_COLLECTOR_RESERVATION.cpu + s.sidecars.reduce((n, c) => n + c.cpu, 0);
    if (allowed && reservedCpu >= s.cpu)
      report(
        ctx,
        ['sidecars'],
        `the sidecars and the OpenTelemetry collector (${TRACE_COLLECTOR_RESERVATION.cpu}) reserve ${reservedCpu} of the task's ${s.cpu} cpu units: nothing is left for the app`,
      );
    const reservedMemory =
      TRACE_COLLECTOR_RESERVATION.memoryReservation +
      s.sidecars.reduce((n, c) => n + (c.memoryReservation ?? 0), 0);
    if (allowed && reservedMemory >= s.memory)
      report(
        ctx,
        ['sidecars'],
        `the sidecars and the OpenTelemetry collector (${TRACE_COLLECTOR_RESERVATION.memoryReservation} MiB) reserve ${reservedMemory} of the task's ${s.memory} MiB: nothing is left for the app`,
      );
  });

export const ecrSchema = z.strictObject({
  /** IMMUTABLE: a pushed tag never changes (CI pushes sha-* and v* tags). Default: IMMUTABLE. */
  imageTagMutability: z.enum(['IMMUTABLE', 'MUTABLE']).default('IMMUTABLE'),
});

/**
 * Service settings that only mean something on Fargate (ECS): rejected with `compute.platform: eks`,
 * where the cluster bootstrap owns pods, rollouts and exec. A predicate says when a setting is in use
 * (its default is compatible). Settings of later issues join this list.
 */
export const FARGATE_ONLY_SERVICE_SETTINGS: ReadonlyArray<{
  readonly key: string;
  readonly inUse: (service: Record<string, unknown>) => boolean;
  readonly why: string;
}> = [
  { key: 'capacity', inUse: (s) => s.capacity === 'spot', why: 'Fargate Spot; use a spot node group' },
  { key: 'enableExec', inUse: (s) => s.enableExec === true, why: 'ECS Exec; use kubectl exec' },
  {
    key: 'sidecars',
    inUse: (s) => Array.isArray(s.sidecars) && s.sidecars.length > 0,
    why: 'ECS sidecars; declare them in the pod spec',
  },
  {
    key: 'deployment',
    // `rolling` is the default every service carries; only blue/green is ECS-specific.
    inUse: (s) => (s.deployment as { type?: string } | undefined)?.type === 'blueGreen',
    why: 'ECS blue/green; the cluster bootstrap rolls pods out',
  },
  {
    key: 'migrations',
    inUse: (s) => s.migrations !== undefined,
    why: 'ECS migration tasks; run a Kubernetes Job',
  },
];

/**
 * What runs the services: `fargate` (ECS) or `eks` (its settings in `eks`). Default: fargate.
 * Switching platforms changes only this section.
 */
export const computeSchema = z
  .strictObject({
    platform: z.enum(['fargate', 'eks']).default('fargate'),
    /** Required with platform eks, rejected otherwise. */
    eks: eksSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.platform === 'eks' && !c.eks) report(ctx, ['eks'], "is required with platform 'eks'");
    if (c.platform !== 'eks' && c.eks) report(ctx, ['eks'], "is only valid with platform 'eks'");
  });

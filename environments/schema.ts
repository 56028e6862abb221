/**
 * The environment config contract (DESIGN.md, "Environment config contract") as a zod schema.
 *
 * `parseEnvironmentConfig` and `parseAccountsConfig` turn untrusted input into typed config or throw
 * one `EnvironmentConfigError` listing every problem with its config path. Cross-field rules sit on
 * the smallest object they concern, so one bad field does not hide the problems of its neighbours.
 * Unknown keys are errors everywhere: a typo must not pass silently.
 */
import { z } from 'zod';
import {
  ENDPOINTS_REQUIRED_WITHOUT_NAT,
  ENGINE_VERSION_HINTS,
  ENGINE_VERSION_PATTERNS,
  FARGATE_MEMORY_BY_CPU,
  LOG_RETENTION_DAYS,
  cidrContains,
  cidrsOverlap,
  isNetworkAddress,
  parseCidr,
  type ParsedCidr,
} from './rules';

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export interface ConfigIssue {
  /** Config path such as `network.subnets.private[1]` (empty for the root). */
  readonly path: string;
  readonly message: string;
}

export class EnvironmentConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(subject: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`);
    super(
      `Invalid ${subject} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.name = 'EnvironmentConfigError';
    this.issues = issues;
  }
}

/** `['network', 'subnets', 'private', 1]` -> `network.subnets.private[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** zod issues -> config issues: one per unknown key, paths formatted, 'is required' for missing fields. */
export function toIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: formatPath([...path, key]), message: 'unknown key' });
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_key') message = `key: ${issue.issues.map((i) => i.message).join('; ')}`;
    if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = 'is required';
    issues.push({ path: formatPath(path), message });
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

type Ctx = z.RefinementCtx;

function report(ctx: Ctx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

const slug = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'must be a lowercase slug (a-z, 0-9 and -, starting with a letter)');

export const accountIdSchema = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
export const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region such as us-east-1');
const azSchema = z
  .string()
  .regex(
    /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/,
    'must be an availability zone name such as us-east-1a',
  );

const cidrSchema = z.string().superRefine((value, ctx) => {
  const cidr = parseCidr(value);
  if (!cidr) return report(ctx, [], `${value} is not an IPv4 CIDR such as 10.0.0.0/16`);
  if (!isNetworkAddress(cidr)) report(ctx, [], `${value} has host bits set; use its network address`);
});

const ipv6CidrSchema = z.cidrv6({ error: 'must be an IPv6 CIDR such as 2001:db8::/32' });

const domainSchema = z
  .string()
  .max(253)
  .regex(
    /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lowercase domain name such as dev.example.com',
  );

const portSchema = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be a port from 1 to 65535')
  .max(65535, 'must be a port from 1 to 65535');

const percentSchema = z
  .number()
  .min(1, 'must be a percentage from 1 to 100')
  .max(100, 'must be a percentage from 1 to 100');

const urlPathSchema = z
  .string()
  .regex(/^\/[A-Za-z0-9._~!$&'()+,;=:@%/-]*$/, "must be a URL path starting with '/'");
/** ALB path patterns: a path starting with '/', with the ALB wildcards * and ?. */
const pathPatternSchema = z
  .string()
  .max(128)
  .regex(/^\/[A-Za-z0-9._~!$&'()+,;=:@%/*?-]*$/, "must be a path pattern starting with '/', such as /api/*");

const retentionSchema = z.number().refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
  error: `must be one of CloudWatch Logs' retention values: ${LOG_RETENTION_DAYS.join(', ')}`,
});

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const secretArnSchema = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
    'must be a Secrets Manager secret ARN',
  );
const iamPrincipalArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9/_+=,.@*-]+$/, 'must be an IAM principal ARN');
const emailSchema = z.email({ error: 'must be an email address' });
const imageSchema = z
  .string()
  .regex(
    /^[a-z0-9]+([._\-/:@][a-zA-Z0-9_.-]+)*$/,
    'must be a container image reference such as public.ecr.aws/nginx/nginx:1.27',
  );
const imageTagSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an image tag');

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

const stateSchema = z.strictObject({
  bucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be an S3 bucket name (3-63 lowercase letters, digits, . and -)',
    ),
  lockTable: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name'),
  region: regionSchema,
  kmsKeyAlias: z
    .string()
    .regex(/^alias\/[A-Za-z0-9/_-]+$/, 'must be a KMS alias such as alias/platform-tfstate')
    .refine((v) => !v.startsWith('alias/aws/'), { error: 'alias/aws/ is reserved for AWS managed keys' }),
  /** Terraform 1.10+ S3-native locking, in addition to the DynamoDB table. Default: false. */
  useLockfile: z.boolean().default(false),
});

const TIERS = ['public', 'private', 'isolated'] as const;

const bastionSchema = z.strictObject({
  /** Default: t4g.nano (Graviton; the launch template resolves the arm64 AMI). */
  instanceType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type')
    .default('t4g.nano'),
});

const networkSchema = z
  .strictObject({
    vpcCidr: cidrSchema,
    /** Amazon-provided IPv6 block, a /64 per subnet, dualstack ALB, AAAA records. Default: false. */
    ipv6: z.boolean().default(false),
    availabilityZones: z
      .array(azSchema)
      .min(2, 'needs 2 or 3 availability zones')
      .max(3, 'needs 2 or 3 availability zones'),
    subnets: z.strictObject({
      public: z.array(cidrSchema),
      private: z.array(cidrSchema),
      isolated: z.array(cidrSchema),
    }),
    natGateways: z.enum(['none', 'single', 'perAz']),
    interfaceEndpoints: z
      .array(
        z.string().regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'must be an endpoint service name such as ecr.api'),
      )
      .default([]),
    flowLogs: z.strictObject({ retentionDays: retentionSchema }),
    /** An SSM-managed bastion in a private subnet (no inbound rules). Default: none. */
    bastion: bastionSchema.optional(),
  })
  .superRefine((network, ctx) => {
    const azs = network.availabilityZones;
    azs.forEach((az, i) => {
      if (azs.indexOf(az) !== i) report(ctx, ['availabilityZones', i], `${az} is listed twice`);
    });
    const vpc = parseCidr(network.vpcCidr);
    if (vpc && (vpc.prefix < 16 || vpc.prefix > 24)) {
      report(ctx, ['vpcCidr'], `${network.vpcCidr}: a VPC CIDR needs a prefix from /16 to /24`);
    }
    const seen: { cidr: ParsedCidr; path: PropertyKey[] }[] = [];
    for (const tier of TIERS) {
      const list = network.subnets[tier];
      if (list.length !== azs.length) {
        report(
          ctx,
          ['subnets', tier],
          `has ${list.length} subnet${list.length === 1 ? '' : 's'} for ${azs.length} availability zones: give one CIDR per AZ`,
        );
      }
      list.forEach((text, i) => {
        const cidr = parseCidr(text);
        if (!cidr) return;
        const path: PropertyKey[] = ['subnets', tier, i];
        if (vpc && !cidrContains(vpc, cidr))
          report(ctx, path, `${text} is outside vpcCidr ${network.vpcCidr}`);
        if (cidr.prefix > 28) report(ctx, path, `${text}: a subnet needs a prefix of /28 or larger`);
        for (const other of seen) {
          if (cidrsOverlap(cidr, other.cidr)) {
            report(
              ctx,
              path,
              `${text} overlaps ${formatPath(['network', ...other.path])} (${other.cidr.text})`,
            );
          }
        }
        seen.push({ cidr, path });
      });
    }
    const endpoints = network.interfaceEndpoints;
    endpoints.forEach((e, i) => {
      if (endpoints.indexOf(e) !== i) report(ctx, ['interfaceEndpoints', i], `${e} is listed twice`);
      if (e === 's3' || e === 'dynamodb') {
        report(
          ctx,
          ['interfaceEndpoints', i],
          `${e} is always a gateway endpoint (free); do not list it here`,
        );
      }
    });
    if (network.natGateways === 'none') {
      const missing = ENDPOINTS_REQUIRED_WITHOUT_NAT.filter((e) => !endpoints.includes(e));
      if (missing.length > 0) {
        report(
          ctx,
          ['interfaceEndpoints'],
          `natGateways 'none' needs the interface endpoints ECS uses to pull images, write logs and read secrets; missing: ${missing.join(', ')}`,
        );
      }
    }
  });

const dnsSchema = z.strictObject({
  domainName: domainSchema,
  /** An existing public hosted zone. Default: the stack creates one and outputs its name servers. */
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABC')
    .optional(),
});

const ingressSchema = z.strictObject({
  /** IPv4 CIDRs allowed to reach the ALB on 80/443. Default (with no prefix lists): the world. */
  allowedCidrs: z.array(cidrSchema).optional(),
  /** IPv6 CIDRs allowed to reach the ALB (dualstack only). Default (with nothing set): the world. */
  allowedIpv6Cidrs: z.array(ipv6CidrSchema).optional(),
  /** Managed prefix lists, e.g. CloudFront's origin-facing list. */
  prefixListIds: z
    .array(z.string().regex(/^pl-[0-9a-f]{8,17}$/, 'must be a prefix list id such as pl-3b927c52'))
    .optional(),
});

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
    /** Default: 60 s out, 300 s in. */
    scaleOutCooldownSeconds: z.number().int().min(0).max(3600).default(60),
    scaleInCooldownSeconds: z.number().int().min(0).max(3600).default(300),
    schedules: z.array(scheduleSchema).default([]),
  })
  .superRefine((a, ctx) => {
    if (a.minCapacity > a.maxCapacity)
      report(ctx, ['minCapacity'], `${a.minCapacity} is above maxCapacity ${a.maxCapacity}`);
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

const serviceSchema = z
  .strictObject({
    port: portSchema,
    cpu: z.number().int(),
    memory: z.number().int(),
    desiredCount: z.number().int().min(0),
    healthCheckPath: urlPathSchema,
    /** `['/*']` makes this the listener's default; other patterns become listener rules. */
    pathPatterns: z
      .array(pathPatternSchema)
      .min(1, 'needs at least one path pattern')
      .max(5, 'an ALB rule takes at most 5 path patterns'),
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
        tables: z.array(slug(32)).default([]),
        buckets: z.array(slug(32)).default([]),
      })
      .default({ database: false, cache: false, tables: [], buckets: [] }),
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
    /** An X-Ray daemon sidecar and the task-role rights to send traces. Default: false. */
    xray: z.boolean().default(false),
    /** CI registers task definitions with new images: Terraform then ignores task_definition. Default: true. */
    deployedByCi: z.boolean().default(true),
    /** Seconds the ALB health checks are ignored after a task starts. Default: 60. */
    healthCheckGracePeriodSeconds: z.number().int().min(0).max(2147483647).default(60),
    /** Seconds the ALB drains a deregistering target. Default: 30. */
    deregistrationDelaySeconds: z.number().int().min(0).max(3600).default(30),
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
    s.pathPatterns.forEach((p, i) => {
      if (s.pathPatterns.indexOf(p) !== i) report(ctx, ['pathPatterns', i], `${p} is listed twice`);
    });
    const names = s.sidecars.map((c) => c.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i || n === 'app')
        report(ctx, ['sidecars', i, 'name'], `${n} is used twice (the main container is 'app')`);
    });
    s.sidecars.forEach((c, i) => {
      if (c.port === s.port) report(ctx, ['sidecars', i, 'port'], `${c.port} is the service's own port`);
    });
    s.writablePaths.forEach((p, i) => {
      if (s.writablePaths.indexOf(p) !== i) report(ctx, ['writablePaths', i], `${p} is listed twice`);
    });
  });

const DATABASE_ENGINES = ['postgres', 'mysql', 'aurora-postgresql'] as const;

const databaseSchema = z
  .strictObject({
    engine: z.enum(DATABASE_ENGINES),
    engineVersion: z.string(),
    instanceClass: z
      .string()
      .regex(/^db\.[a-z0-9-]+(\.[a-z0-9]+)?$/, "must be a DB instance class starting with 'db.'"),
    backupRetentionDays: z.number().int().min(1, 'must be 1 to 35 days').max(35, 'must be 1 to 35 days'),
    deletionProtection: z.boolean(),
    skipFinalSnapshot: z.boolean(),
    /** Daily backup window (UTC). Default: 03:00-04:00 (seed 001). */
    backupWindow: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be hh:mm-hh:mm (UTC)')
      .default('03:00-04:00'),
    /** Weekly maintenance window (UTC). Default: mon:04:00-mon:05:00 (seed 001). */
    maintenanceWindow: z
      .string()
      .regex(
        /^(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d$/,
        'must be ddd:hh:mm-ddd:hh:mm (UTC)',
      )
      .default('mon:04:00-mon:05:00'),
    // postgres / mysql
    allocatedStorageGb: z
      .number()
      .int()
      .min(20, 'gp3 needs at least 20 GiB')
      .max(65536, 'at most 65536 GiB')
      .optional(),
    maxAllocatedStorageGb: z.number().int().max(65536, 'at most 65536 GiB').optional(),
    multiAz: z.boolean().optional(),
    readReplicas: z.number().int().min(0).max(5, 'RDS allows at most 5 read replicas here').optional(),
    // aurora-postgresql
    instances: z.number().int().min(1).max(16, 'an Aurora cluster takes at most 16 instances').optional(),
    serverlessV2: z
      .strictObject({
        minCapacity: z.number().min(0).max(256),
        maxCapacity: z.number().min(1).max(256),
      })
      .optional(),
  })
  .superRefine((db, ctx) => {
    if (!ENGINE_VERSION_PATTERNS[db.engine].test(db.engineVersion)) {
      report(
        ctx,
        ['engineVersion'],
        `${db.engineVersion} is not valid for engine ${db.engine}: use ${ENGINE_VERSION_HINTS[db.engine]}`,
      );
    }
    const aurora = db.engine === 'aurora-postgresql';
    const onlyWith = (field: keyof typeof db, engines: string) => {
      if (db[field] !== undefined) report(ctx, [field], `only applies to ${engines}, not ${db.engine}`);
    };
    if (aurora) {
      for (const f of ['allocatedStorageGb', 'maxAllocatedStorageGb', 'multiAz', 'readReplicas'] as const)
        onlyWith(f, 'postgres and mysql');
      if (db.instances === undefined)
        report(ctx, ['instances'], 'is required for aurora-postgresql (writer + readers)');
      const serverless = db.instanceClass === 'db.serverless';
      if (serverless && !db.serverlessV2)
        report(ctx, ['serverlessV2'], 'is required with instanceClass db.serverless');
      if (!serverless && db.serverlessV2)
        report(ctx, ['instanceClass'], 'must be db.serverless when serverlessV2 is set');
      if (/\.(micro|small)$/.test(db.instanceClass)) {
        report(
          ctx,
          ['instanceClass'],
          `${db.instanceClass} is an RDS class Aurora does not offer; use db.t4g.medium, db.r6g.large, ... or db.serverless`,
        );
      }
      if (db.serverlessV2 && db.serverlessV2.minCapacity > db.serverlessV2.maxCapacity) {
        report(ctx, ['serverlessV2', 'minCapacity'], 'is above maxCapacity');
      }
      if (db.serverlessV2 && (db.serverlessV2.minCapacity * 2) % 1 !== 0) {
        report(ctx, ['serverlessV2', 'minCapacity'], 'must be a multiple of 0.5 ACU');
      }
    } else {
      for (const f of ['instances', 'serverlessV2'] as const) onlyWith(f, 'aurora-postgresql');
      if (db.instanceClass === 'db.serverless')
        report(ctx, ['instanceClass'], 'db.serverless is an Aurora class');
      if (db.allocatedStorageGb === undefined)
        report(ctx, ['allocatedStorageGb'], `is required for ${db.engine}`);
      if (db.multiAz === undefined) report(ctx, ['multiAz'], `is required for ${db.engine}`);
      if (
        db.allocatedStorageGb !== undefined &&
        db.maxAllocatedStorageGb !== undefined &&
        db.maxAllocatedStorageGb < Math.ceil(db.allocatedStorageGb * 1.1)
      ) {
        report(
          ctx,
          ['maxAllocatedStorageGb'],
          `${db.maxAllocatedStorageGb} must be at least 10% above allocatedStorageGb ${db.allocatedStorageGb} for storage autoscaling`,
        );
      }
    }
  });

const cacheSchema = z
  .strictObject({
    // IAM authentication of the application user (no tokens anywhere) needs Redis 7.
    engineVersion: z
      .string()
      .regex(/^7\.[01]$/, 'must be Redis 7.0 or 7.1 (IAM authentication needs Redis 7)'),
    nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "must be a node type starting with 'cache.'"),
    automaticFailover: z.boolean(),
    snapshotRetentionDays: z.number().int().min(0).max(35, 'ElastiCache keeps snapshots at most 35 days'),
    /** Daily snapshot window (UTC). Default: 03:00-05:00 (seed 001). */
    snapshotWindow: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be hh:mm-hh:mm (UTC)')
      .default('03:00-05:00'),
    /** Cluster mode disabled: primary + replicas. */
    numCacheClusters: z.number().int().min(1).max(6, 'a replication group takes at most 6 nodes').optional(),
    /** Cluster mode enabled: shards, each with replicas. */
    clusterMode: z
      .strictObject({
        shards: z.number().int().min(1).max(500),
        replicasPerShard: z.number().int().min(0).max(5),
      })
      .optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.numCacheClusters === undefined) === (c.clusterMode === undefined)) {
      report(
        ctx,
        [],
        'set exactly one of numCacheClusters (cluster mode disabled) or clusterMode.{shards,replicasPerShard}',
      );
      return;
    }
    if (c.automaticFailover) {
      if (c.numCacheClusters !== undefined && c.numCacheClusters < 2) {
        report(
          ctx,
          ['automaticFailover'],
          `needs at least 2 nodes; numCacheClusters is ${c.numCacheClusters}`,
        );
      }
      if (c.clusterMode && c.clusterMode.replicasPerShard < 1) {
        report(ctx, ['automaticFailover'], 'needs at least 1 replica per shard');
      }
    } else if (c.clusterMode) {
      report(ctx, ['automaticFailover'], 'ElastiCache requires automatic failover with cluster mode enabled');
    }
  });

const tableSchema = z.strictObject({
  partitionKey: z.strictObject({ name: z.string().min(1), type: z.enum(['S', 'N', 'B']) }),
  sortKey: z.strictObject({ name: z.string().min(1), type: z.enum(['S', 'N', 'B']) }).optional(),
  /** Attribute holding an epoch-seconds expiry. Default: no TTL. */
  ttlAttribute: z.string().min(1).optional(),
  /** Default: true. */
  deletionProtection: z.boolean().default(true),
});

const bucketSchema = z
  .strictObject({
    /** Versioning keeps overwritten and deleted objects; off only for disposable data. Default: true. */
    versioned: z.boolean().default(true),
    /** Days after which noncurrent versions expire. Default: 90. */
    noncurrentVersionExpirationDays: z.number().int().min(1).default(90),
    /** Storage tiering for data read less over time (logs, backups). Default: none. */
    archive: z
      .strictObject({
        /** Days until objects move to STANDARD_IA (at least 30). */
        infrequentAccessDays: z
          .number()
          .int()
          .min(30, 'S3 moves objects to STANDARD_IA after 30 days at the earliest'),
        /** Days until objects move to GLACIER. Default: none. */
        glacierDays: z.number().int().min(1).optional(),
        /** Days until objects expire. Default: never. */
        expireDays: z.number().int().min(1).optional(),
      })
      .optional(),
    /** Include in AWS Backup (versioned buckets only). Default: true when versioned. */
    backup: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    const a = b.archive;
    if (a?.glacierDays !== undefined && a.glacierDays <= a.infrequentAccessDays) {
      report(
        ctx,
        ['archive', 'glacierDays'],
        `must be after infrequentAccessDays (${a.infrequentAccessDays})`,
      );
    }
    const last = a?.glacierDays ?? a?.infrequentAccessDays;
    if (a?.expireDays !== undefined && last !== undefined && a.expireDays <= last) {
      report(ctx, ['archive', 'expireDays'], `must be after the last transition (${last} days)`);
    }
    if (b.backup && !b.versioned) report(ctx, ['backup'], 'AWS Backup needs a versioned bucket');
  });

const backupSchema = z.strictObject({
  /** Days daily recovery points are kept. Default: 30 (seed 002). */
  dailyRetentionDays: z.number().int().min(1).default(30),
  /** Days weekly recovery points are kept. Default: 90. */
  weeklyRetentionDays: z.number().int().min(7).default(90),
  /** Copy recovery points to a vault in this region (disaster recovery, seeds 002/003). Default: none. */
  copyToRegion: regionSchema.optional(),
  /** A restore-testing plan that restores the latest recovery points monthly. Default: false. */
  restoreTesting: z.boolean().default(false),
});

const albSchema = z.strictObject({
  /** Default: false. Production environments set it. */
  deletionProtection: z.boolean().default(false),
  /** Seconds an idle connection stays open. Default: 60. */
  idleTimeoutSeconds: z.number().int().min(1).max(4000).default(60),
  /** Days ALB access logs are kept. Default: 90. */
  accessLogRetentionDays: z.number().int().min(1).default(90),
});

const wafSchema = z.strictObject({
  /** Requests per client IP per 5 minutes before WAF blocks it. Default: 2000. */
  rateLimitPerIp: z.number().int().min(10, 'WAF rate limits start at 10').max(2_000_000_000).default(2000),
});

const ecrSchema = z.strictObject({
  /** IMMUTABLE: a pushed tag never changes (CI pushes sha-* and v* tags). Default: IMMUTABLE. */
  imageTagMutability: z.enum(['IMMUTABLE', 'MUTABLE']).default('IMMUTABLE'),
});

const budgetSchema = z.strictObject({
  monthlyLimitUsd: z.number().positive(),
  /** Percentages of the limit that notify (actual spend). Default: 80 and 100. */
  thresholdsPercent: z.array(z.number().min(1).max(1000)).min(1).default([80, 100]),
  alertEmails: z
    .array(emailSchema)
    .min(1, 'needs at least one address')
    .max(10, 'AWS Budgets allows at most 10 email subscribers'),
});

const tagsSchema = z
  .record(
    z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'must be a valid tag key'),
    z.string().max(256),
  )
  .default({});

export const RESERVED_TAG_KEYS = ['Project', 'Environment', 'ManagedBy'] as const;

export const environmentConfigSchema = z
  .strictObject({
    name: slug(10),
    project: slug(16),
    tier: z.enum(['production', 'non-production']),
    accountId: accountIdSchema,
    region: regionSchema,
    tags: tagsSchema,
    state: stateSchema,
    network: networkSchema,
    dns: dnsSchema,
    ingress: ingressSchema.default({}),
    alb: albSchema.default({ deletionProtection: false, idleTimeoutSeconds: 60, accessLogRetentionDays: 90 }),
    waf: wafSchema.default({ rateLimitPerIp: 2000 }),
    ecr: ecrSchema.default({ imageTagMutability: 'IMMUTABLE' }),
    /** Where services run. Default: fargate (EKS arrives with the enterprise profile). */
    compute: z.strictObject({ platform: z.enum(['fargate']).default('fargate') }).prefault({}),
    services: z
      .record(slug(20), serviceSchema)
      .refine((s) => Object.keys(s).length > 0, { error: 'needs at least one service' }),
    database: databaseSchema.optional(),
    cache: cacheSchema.optional(),
    tables: z.record(slug(32), tableSchema).default({}),
    buckets: z.record(slug(32), bucketSchema).default({}),
    budget: budgetSchema.optional(),
    /** AWS Backup plan and vault for the database, tables and buckets. Default: none. */
    backup: backupSchema.optional(),
    logs: z.strictObject({ retentionDays: retentionSchema }),
  })
  .superRefine((env, ctx) => {
    for (const key of Object.keys(env.tags)) {
      if ((RESERVED_TAG_KEYS as readonly string[]).includes(key)) {
        report(ctx, ['tags', key], `${key} is set by the platform itself`);
      }
    }
    env.network.availabilityZones.forEach((az, i) => {
      if (!az.startsWith(env.region))
        report(ctx, ['network', 'availabilityZones', i], `${az} is not in region ${env.region}`);
    });
    checkServices(env, ctx);
    if (env.backup?.copyToRegion === env.region) {
      report(
        ctx,
        ['backup', 'copyToRegion'],
        `${env.region} is the environment's own region; copy to another region`,
      );
    }
    if (env.tier === 'production') checkProductionGuards(env, ctx);
  });

type EnvironmentShape = z.output<typeof environmentConfigSchema>;

function checkServices(env: EnvironmentShape, ctx: Ctx): void {
  const entries = Object.entries(env.services);
  const defaults = entries.filter(([, s]) => s.pathPatterns.length === 1 && s.pathPatterns[0] === '/*');
  if (defaults.length !== 1) {
    report(
      ctx,
      ['services'],
      defaults.length === 0
        ? "exactly one service needs pathPatterns ['/*'] (the listener default); none has"
        : `exactly one service may have pathPatterns ['/*']; ${defaults.map(([n]) => n).join(', ')} do`,
    );
  }
  const patternOwner = new Map<string, string>();
  const priorityOwner = new Map<number, string>();
  for (const [name, s] of entries) {
    s.pathPatterns.forEach((p, i) => {
      if (p === '/*' && s.pathPatterns.length > 1) {
        report(
          ctx,
          ['services', name, 'pathPatterns', i],
          "'/*' must stand alone: it makes the service the listener default",
        );
      }
      const owner = patternOwner.get(p);
      if (owner && owner !== name)
        report(ctx, ['services', name, 'pathPatterns', i], `${p} is already routed to ${owner}`);
      else patternOwner.set(p, name);
    });
    if (s.priority !== undefined) {
      const owner = priorityOwner.get(s.priority);
      if (owner) report(ctx, ['services', name, 'priority'], `${s.priority} is already used by ${owner}`);
      else priorityOwner.set(s.priority, name);
    }
    if (s.uses.database && !env.database)
      report(ctx, ['services', name, 'uses', 'database'], 'no database is configured');
    if (s.uses.cache && !env.cache)
      report(ctx, ['services', name, 'uses', 'cache'], 'no cache is configured');
    s.uses.tables.forEach((t, i) => {
      if (!(t in env.tables))
        report(ctx, ['services', name, 'uses', 'tables', i], `${t} is not a table in tables`);
    });
    s.uses.buckets.forEach((b, i) => {
      if (!(b in env.buckets))
        report(ctx, ['services', name, 'uses', 'buckets', i], `${b} is not a bucket in buckets`);
    });
  }
}

function checkProductionGuards(env: EnvironmentShape, ctx: Ctx): void {
  const why = "is required with tier 'production'";
  if (env.network.natGateways !== 'perAz') {
    report(
      ctx,
      ['network', 'natGateways'],
      `'perAz' ${why} (one NAT gateway per AZ; got '${env.network.natGateways}')`,
    );
  }
  const db = env.database;
  if (db) {
    if (!db.deletionProtection) report(ctx, ['database', 'deletionProtection'], `true ${why}`);
    if (db.skipFinalSnapshot) report(ctx, ['database', 'skipFinalSnapshot'], `false ${why}`);
    if (db.engine === 'aurora-postgresql') {
      if ((db.instances ?? 0) < 2)
        report(ctx, ['database', 'instances'], `at least 2 (writer + reader in another AZ) ${why}`);
    } else if (db.multiAz === false) {
      report(ctx, ['database', 'multiAz'], `true ${why}`);
    }
  }
  if (env.cache && !env.cache.automaticFailover) report(ctx, ['cache', 'automaticFailover'], `true ${why}`);
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

const githubRepoName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a GitHub repository name');

export const accountConfigSchema = z.strictObject({
  accountId: accountIdSchema,
  /** Home region: the baseline stack (GuardDuty, Config, CloudTrail home) lives here. */
  region: regionSchema,
  github: z.strictObject({
    owner: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, 'must be a GitHub user or organization'),
    repository: githubRepoName,
    /** `owner/name` of application repositories whose image workflows deploy into this account. */
    appRepositories: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9_.-]+$/, 'must be owner/name'))
      .default([]),
  }),
  /** Humans and break-glass roles that keep access to state (bootstrap, migration, recovery). */
  /**
   * Where the `state-<account>` stack keeps its own state: `local` until the bootstrap apply has
   * created the bucket, then `s3` (and `terraform init -migrate-state`). Default: local.
   */
  stateBackend: z.enum(['local', 's3']).default('local'),
  adminPrincipalArns: z
    .array(iamPrincipalArnSchema)
    .min(1, 'needs at least one admin principal (bootstrap and break-glass)'),
  baseline: z
    .strictObject({
      /** GuardDuty runtime monitoring with the ECS Fargate agent. Default: false. */
      guardDutyRuntimeMonitoring: z.boolean().default(false),
      config: z
        .strictObject({
          /** AWS Config recorder, delivery channel and managed rules. Default: true. */
          enabled: z.boolean().default(true),
          deliveryFrequency: z
            .enum(['One_Hour', 'Three_Hours', 'Six_Hours', 'Twelve_Hours', 'TwentyFour_Hours'])
            .default('TwentyFour_Hours'),
        })
        .default({ enabled: true, deliveryFrequency: 'TwentyFour_Hours' }),
      /** Days CloudTrail logs are kept in their bucket. Default: 365. */
      trailRetentionDays: z.number().int().min(90).default(365),
      /** Activate Project/Environment as cost-allocation tags (fails until billing has seen them). Default: false. */
      activateCostAllocationTags: z.boolean().default(false),
    })
    .default({
      guardDutyRuntimeMonitoring: false,
      config: { enabled: true, deliveryFrequency: 'TwentyFour_Hours' },
      trailRetentionDays: 365,
      activateCostAllocationTags: false,
    }),
});

export const accountsConfigSchema = z
  .record(slug(20), accountConfigSchema)
  .refine((a) => Object.keys(a).length > 0, { error: 'needs at least one account' });

// ---------------------------------------------------------------------------------------------
// Types and parsers
// ---------------------------------------------------------------------------------------------

/** What an environment file writes (defaults may be left out). */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;
/** A validated environment, defaults filled in. */
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;
export type ServiceConfig = EnvironmentConfig['services'][string];
export type DatabaseConfig = NonNullable<EnvironmentConfig['database']>;
export type CacheConfig = NonNullable<EnvironmentConfig['cache']>;
export type NetworkConfig = EnvironmentConfig['network'];
export type AccountConfigInput = z.input<typeof accountConfigSchema>;
export type AccountConfig = z.output<typeof accountConfigSchema>;
export type AccountsConfig = Record<string, AccountConfig>;

/** Validates one environment; throws EnvironmentConfigError listing every problem. */
export function parseEnvironmentConfig(input: unknown): EnvironmentConfig {
  const result = environmentConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const name =
    typeof input === 'object' && input && 'name' in input ? String((input as { name: unknown }).name) : '?';
  throw new EnvironmentConfigError(`environment config "${name}"`, toIssues(result.error));
}

/** Validates `accounts.ts`; paths start with `accounts.`. */
export function parseAccountsConfig(input: unknown): AccountsConfig {
  const result = accountsConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new EnvironmentConfigError('accounts config', toIssues(result.error, ['accounts']));
}

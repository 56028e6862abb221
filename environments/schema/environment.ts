/**
 * An environment: the sections (one module each) composed, plus the rules that span sections:
 * reserved tags, AZs in the region, what services use, and the guards of tier 'production'.
 * Project and Terraform state are the account's (account.ts), not the environment's.
 */
import { z } from './zod';
import { albSchema, dnsSchema, ingressSchema, wafSchema } from './edge';
import { FARGATE_ONLY_SERVICE_SETTINGS, computeSchema, ecrSchema, serviceSchema } from './compute';
import { backupSchema, bucketSchema, cacheSchema, databaseSchema, tableSchema } from './data';
import { EnvironmentConfigError, report, toIssues, validNames, type Ctx } from './errors';
import { frontendSchema } from './frontend';
import { guardsSchema } from './guards';
import { messagingSchema } from './messaging';
import { identitySchema, SES_COMPAT_REGIONS, senderDomainOf } from './identity';
import { networkSchema } from './network';
import { observabilitySchema } from './observability';
import { serverlessSchema } from './serverless';
import { budgetSchema, deploySchema, logsSchema } from './operations';
import { recoverySchema } from './recovery';
import { accountIdSchema, regionSchema, slug, tagsSchema } from './primitives';
import { DEFAULT_ROUTE, isDefaultRoute } from '../rules';

export const RESERVED_TAG_KEYS = ['Project', 'Environment', 'ManagedBy'] as const;

export const environmentConfigSchema = z
  .strictObject({
    name: slug(10),
    tier: z.enum(['production', 'non-production']),
    accountId: accountIdSchema,
    region: regionSchema,
    tags: tagsSchema,
    network: networkSchema,
    dns: dnsSchema,
    ingress: ingressSchema.prefault({}),
    alb: albSchema.prefault({}),
    waf: wafSchema.prefault({}),
    /** How the site's frontend is delivered (frontend.ts). Default: `container` (a service behind the ALB). */
    frontend: frontendSchema.prefault({}),
    compute: computeSchema.prefault({}),
    ecr: ecrSchema.prefault({}),
    services: z
      .record(slug(20), serviceSchema)
      .refine((s) => Object.keys(s).length > 0, { error: 'needs at least one service' }),
    database: databaseSchema.optional(),
    cache: cacheSchema.optional(),
    tables: z.record(slug(32), tableSchema).default({}),
    buckets: z.record(slug(32), bucketSchema).default({}),
    /** Kafka (MSK) for the services (messaging.ts). Default: none. */
    messaging: messagingSchema.prefault({}),
    /** Cognito sign-in and the e-mail validation trigger (identity.ts). Default: none. */
    identity: identitySchema.optional(),
    /** Lambda functions beyond the identity trigger (serverless.ts). Default: none. */
    serverless: serverlessSchema.prefault({}),
    budget: budgetSchema.optional(),
    /** AWS Backup plan and vault for the database, tables and buckets. Default: none. */
    backup: backupSchema.optional(),
    /** Recovery objectives and strategy after losing the region (recovery.ts). Required: `{ strategy: 'none' }` at least. */
    recovery: recoverySchema,
    logs: logsSchema,
    /** Alert subscribers and alarm thresholds (observability.ts). Default: no subscribers, documented thresholds. */
    observability: observabilitySchema.prefault({}),
    deploy: deploySchema,
    /** Guardrail waivers (prevent-destroy, ...), each with its reason. Default: none. */
    guards: guardsSchema.prefault({}),
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
    checkPlatform(env, ctx);
    checkEventSource(env, ctx);
    if (env.network.natGateways === 'none') checkWithoutNat(env, ctx);
    checkRecovery(env, ctx);
    const copyAccount = env.backup?.copyToAccount?.split(':')[4];
    if (copyAccount === env.accountId) {
      report(
        ctx,
        ['backup', 'copyToAccount'],
        `${copyAccount} is the environment's own account; copy to another account`,
      );
    }
    checkIdentitySender(env, ctx);
    if (env.tier === 'production') checkProductionGuards(env, ctx);
  });

type EnvironmentShape = z.output<typeof environmentConfigSchema>;

/** The recovery region is another region, and `backup-restore` has a backup plan to copy. */
function checkRecovery(env: EnvironmentShape, ctx: Ctx): void {
  const r = env.recovery;
  if (r.region !== undefined && r.region === env.region)
    report(
      ctx,
      ['recovery', 'region'],
      `${r.region} is the environment's own region; recover into another region`,
    );
  if (r.strategy === 'backup-restore' && !env.backup)
    report(
      ctx,
      ['recovery', 'strategy'],
      `'backup-restore' needs a backup section: its recovery points are what is copied to ${r.region ?? 'the recovery region'}`,
    );
}

/**
 * Without NAT only the account's own ECR is reachable (through its interface endpoints): the
 * platform's public images (the database bootstrap's SQL client, the OpenTelemetry collector, sidecars) could
 * not be pulled. An ECR pull-through cache would serve them; not built (docs/architecture.md, "Known
 * gaps").
 */
function checkWithoutNat(env: EnvironmentShape, ctx: Ctx): void {
  const own = `${env.accountId}.dkr.ecr.${env.region}.amazonaws.com/`;
  const why = `cannot be pulled with natGateways 'none' (only this account's ECR, ${own}..., is reachable)`;
  if (env.database && !env.database.bootstrapImage?.startsWith(own))
    report(
      ctx,
      ['database', 'bootstrapImage'],
      `the bootstrap's public SQL client image ${why}: copy it there and set it`,
    );
  if (env.database?.proxy || env.compute.platform === 'eks')
    report(ctx, ['network', 'natGateways'], `the bootstrap's AWS CLI image (public.ecr.aws) ${why}`);
  const collector = env.observability.tracing.collectorImage;
  if (
    env.compute.platform === 'fargate' &&
    Object.keys(env.services).length > 0 &&
    !collector.startsWith(own)
  )
    report(
      ctx,
      ['observability', 'tracing', 'collectorImage'],
      `the OpenTelemetry collector sidecar's image ${collector} ${why}: copy it there and set it`,
    );
  for (const [name, service] of Object.entries(env.services)) {
    service.sidecars.forEach((sidecar, i) => {
      if (!sidecar.image.startsWith(own))
        report(ctx, ['services', name, 'sidecars', i, 'image'], `${sidecar.image} ${why}`);
    });
  }
}

/**
 * The SES sender's address is in the environment's zone (its domain identity's DKIM and MAIL FROM
 * records go there), and an identity given by ARN is in a region Cognito can send from.
 */
function checkIdentitySender(env: EnvironmentShape, ctx: Ctx): void {
  const email = env.identity?.email;
  if (email?.sender !== 'ses') return;
  const zone = env.dns.domainName.toLowerCase();
  const domain = senderDomainOf(email.from);
  if (domain !== zone && !domain.endsWith(`.${zone}`))
    report(
      ctx,
      ['identity', 'email', 'from'],
      `${domain} is outside the environment's zone ${zone}: send from ${zone} or a subdomain of it`,
    );
  const region = email.sourceArn?.split(':')[3];
  if (region && region !== env.region && !(SES_COMPAT_REGIONS as readonly string[]).includes(region))
    report(
      ctx,
      ['identity', 'email', 'sourceArn'],
      `${region}: Cognito sends through an SES identity in ${env.region} or in ${SES_COMPAT_REGIONS.join(', ')}`,
    );
}

function checkServices(env: EnvironmentShape, ctx: Ctx): void {
  checkRouting(env, ctx);
  // The platform's database bootstrap (`db-migrate`), each service's migration task
  // (`<service>-migrate`) and the database's security group (`db`) are named like a service's family,
  // roles and group: a service of such a name would share them.
  for (const name of Object.keys(env.services)) {
    if (name === 'db' || name.endsWith('-migrate'))
      report(
        ctx,
        ['services', name],
        `${name} would share names with the database (db) or a migration task (<service>-migrate); name the service otherwise`,
      );
  }
  for (const [name, s] of Object.entries(env.services)) checkUses(env, name, s.uses, ctx);
  checkDeployments(env, ctx);
  const owner = env.database?.legacyTablesOwner;
  if (owner !== undefined && !env.services[owner]?.uses.database)
    report(
      ctx,
      ['database', 'legacyTablesOwner'],
      `${owner} must be a service that uses the database ${validNames(
        'services',
        Object.keys(env.services).filter((n) => env.services[n].uses.database),
      )}`,
    );
}

/** Test listener ports are the ALB's: one per blue/green service; migrations need the database. */
function checkDeployments(env: EnvironmentShape, ctx: Ctx): void {
  const portOwner = new Map<number, string>();
  for (const [name, s] of Object.entries(env.services)) {
    if (s.migrations && !env.database)
      report(
        ctx,
        ['services', name, 'migrations'],
        'migrations run against the database; none is configured',
      );
    else if (s.migrations && !s.uses.database)
      report(
        ctx,
        ['services', name, 'migrations'],
        'migrations run as the service’s own migration user: set uses.database',
      );
    const requests = s.autoscaling?.requestsPerTarget;
    if (requests !== undefined && !s.pathPatterns?.length)
      report(
        ctx,
        ['services', name, 'autoscaling', 'requestsPerTarget'],
        'counts requests of the service’s target group: it needs pathPatterns (a load-balanced service)',
      );
    else if (requests !== undefined && s.deployment.type === 'blueGreen')
      report(
        ctx,
        ['services', name, 'autoscaling', 'requestsPerTarget'],
        'names one target group, which blue/green deployments swap: use cpuTargetPercent with blueGreen',
      );
    if (s.deployment.type !== 'blueGreen') continue;
    const port = s.deployment.testListenerPort;
    const owner = portOwner.get(port);
    if (owner)
      report(
        ctx,
        ['services', name, 'deployment', 'testListenerPort'],
        `${port} is already the test listener of ${owner}`,
      );
    else portOwner.set(port, name);
  }
}

/** The event processor's table must exist and have a stream. */
function checkEventSource(env: EnvironmentShape, ctx: Ctx): void {
  const table = env.serverless.eventProcessor?.table;
  if (table === undefined) return;
  const at = ['serverless', 'eventProcessor', 'table'];
  const tables = Object.keys(env.tables);
  if (!tables.includes(table))
    report(ctx, at, `${table} is not a table in tables ${validNames('tables', tables)}`);
  else if (!env.tables[table].stream) report(ctx, at, `${table} has no stream (set tables.${table}.stream)`);
}

/**
 * One listener default ('/*') with a container frontend, none with a static one (CloudFront serves the
 * site, the ALB's default is a fixed 404), and no path pattern or rule priority claimed by two services.
 */
function checkRouting(env: EnvironmentShape, ctx: Ctx): void {
  const entries = Object.entries(env.services);
  const defaults = entries.filter(([, s]) => isDefaultRoute(s.pathPatterns ?? []));
  if (env.frontend.mode === 'static') {
    checkStaticFrontend(env, ctx);
  } else if (defaults.length !== 1) {
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
    const patterns = s.pathPatterns ?? [];
    patterns.forEach((p, i) => {
      if (p === DEFAULT_ROUTE && patterns.length > 1) {
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
  }
}

/** A static frontend: no service takes the site's root, and an ALB behind CloudFront admits only it. */
function checkStaticFrontend(env: EnvironmentShape, ctx: Ctx): void {
  // CloudFront's WAF logs and metrics live in us-east-1; the platform's logs key and alarm topic are
  // regional, so they can serve them only from there (docs/architecture.md, "Static frontend").
  if (env.region !== 'us-east-1')
    report(ctx, ['frontend', 'mode'], `'static' needs region us-east-1 for now (got ${env.region})`);
  for (const [name, s] of Object.entries(env.services)) {
    if (isDefaultRoute(s.pathPatterns ?? []))
      report(
        ctx,
        ['services', name, 'pathPatterns'],
        "with frontend mode 'static' CloudFront serves '/*' from the site bucket; route this service by its own paths",
      );
  }
  if (env.frontend.mode !== 'static' || !env.frontend.apiOrigin) return;
  const patterns = Object.values(env.services).flatMap((s) => s.pathPatterns);
  // One cache behaviour per path pattern; CloudFront allows 25 besides the default.
  if (patterns.length > 25)
    report(
      ctx,
      ['frontend', 'apiOrigin'],
      `${patterns.length} service path patterns; CloudFront routes at most 25`,
    );
  for (const key of ['allowedCidrs', 'allowedIpv6Cidrs', 'prefixListIds'] as const) {
    if (env.ingress[key]?.length)
      report(
        ctx,
        ['ingress', key],
        'with frontend.apiOrigin the ALB is internal and admits only CloudFront; remove this source',
      );
  }
}

/** What a service `uses` must exist in the environment; a wrong name lists the valid ones. */
function checkUses(
  env: EnvironmentShape,
  service: string,
  uses: EnvironmentShape['services'][string]['uses'],
  ctx: Ctx,
): void {
  const at = (...rest: PropertyKey[]) => ['services', service, 'uses', ...rest];
  if (uses.database && !env.database) report(ctx, at('database'), 'no database is configured');
  if (uses.cache && !env.cache) report(ctx, at('cache'), 'no cache is configured');
  if (uses.kafka && !env.messaging.kafka) report(ctx, at('kafka'), 'no messaging.kafka is configured');
  if (uses.identity && !env.identity) report(ctx, at('identity'), 'no identity section is configured');
  const tables = Object.keys(env.tables);
  uses.tables.forEach((t, i) => {
    if (!tables.includes(t))
      report(ctx, at('tables', i), `${t} is not a table in tables ${validNames('tables', tables)}`);
  });
  const buckets = Object.keys(env.buckets);
  uses.buckets.forEach((b, i) => {
    if (!buckets.includes(b))
      report(ctx, at('buckets', i), `${b} is not a bucket in buckets ${validNames('buckets', buckets)}`);
  });
}

/** EKS rejects the Fargate-only service settings; MSK spreads brokers evenly over the AZs. */
function checkPlatform(env: EnvironmentShape, ctx: Ctx): void {
  if (env.compute.platform === 'eks') {
    for (const [name, s] of Object.entries(env.services)) {
      for (const setting of FARGATE_ONLY_SERVICE_SETTINGS) {
        if (setting.inUse(s as Record<string, unknown>))
          report(
            ctx,
            ['services', name, setting.key],
            `is Fargate-only (${setting.why}); compute.platform is 'eks'`,
          );
      }
    }
  }
  const kafka = env.messaging.kafka;
  const azs = env.network.availabilityZones.length;
  if (kafka?.mode === 'provisioned' && kafka.brokerCount % azs !== 0) {
    report(
      ctx,
      ['messaging', 'kafka', 'brokerCount'],
      `${kafka.brokerCount} is not a multiple of the ${azs} availability zones`,
    );
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
  const data = env.database || Object.keys(env.tables).length > 0 || Object.keys(env.buckets).length > 0;
  if (data && !env.backup)
    report(ctx, ['backup'], `a backup plan (vault lock, a copy in the recovery region) ${why}`);
  if (env.recovery.strategy === 'none')
    report(
      ctx,
      ['recovery', 'strategy'],
      `'none' is not allowed with tier 'production': 'backup-restore' (copies in a recovery region) at least`,
    );
  if (env.backup && env.backup.vaultLock?.mode !== 'compliance')
    report(ctx, ['backup', 'vaultLock'], `a compliance-mode vault lock (mode: 'compliance') ${why}`);
  if (env.cache?.skipFinalSnapshot) report(ctx, ['cache', 'skipFinalSnapshot'], `false ${why}`);
  const kafka = env.messaging.kafka;
  if (kafka?.mode === 'provisioned' && kafka.replicationFactor < 2)
    report(ctx, ['messaging', 'kafka', 'replicationFactor'], `at least 2 ${why}`);
  if (env.identity && !env.identity.deletionProtection)
    report(ctx, ['identity', 'deletionProtection'], `true ${why}`);
  if (env.identity && env.identity.email.sender !== 'ses')
    report(
      ctx,
      ['identity', 'email'],
      `an SES sender ({ sender: 'ses', from: 'no-reply@${env.dns.domainName}' }) ${why}: Cognito's own sender allows about 50 mails a day, which scripted sign-ups use up, and then nobody can confirm or recover an account`,
    );
  checkProductionCapacity(env, ctx);
}

/** A production service never runs on one task: not at rest, not after scale-in, not by schedule. */
function checkProductionCapacity(env: EnvironmentShape, ctx: Ctx): void {
  const why = "at least 2 is required with tier 'production' (one task is one failure from an outage)";
  for (const [name, s] of Object.entries(env.services)) {
    const at = (...rest: PropertyKey[]) => ['services', name, ...rest];
    if (s.desiredCount < 2) report(ctx, at('desiredCount'), `${s.desiredCount}: ${why}`);
    const a = s.autoscaling;
    if (!a) continue;
    if (a.minCapacity < 2) report(ctx, at('autoscaling', 'minCapacity'), `${a.minCapacity}: ${why}`);
    a.schedules.forEach((sch, i) => {
      if (sch.minCapacity < 2)
        report(ctx, at('autoscaling', 'schedules', i, 'minCapacity'), `${sch.minCapacity}: ${why}`);
    });
  }
}

/** What an environment file writes (defaults may be left out). */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;
/** A validated environment, defaults filled in. */
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;
export type ServiceConfig = EnvironmentConfig['services'][string];
export type DatabaseConfig = NonNullable<EnvironmentConfig['database']>;
export type CacheConfig = NonNullable<EnvironmentConfig['cache']>;
export type NetworkConfig = EnvironmentConfig['network'];
export type ObservabilityConfig = EnvironmentConfig['observability'];
export type EksConfig = NonNullable<EnvironmentConfig['compute']['eks']>;
export type KafkaConfig = NonNullable<EnvironmentConfig['messaging']['kafka']>;
export type { IdentityConfig } from './identity';
export type { FrontendConfig, StaticFrontendConfig } from './frontend';

/** Validates one environment; throws EnvironmentConfigError listing every problem. */
export function parseEnvironmentConfig(input: unknown): EnvironmentConfig {
  const result = environmentConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const name =
    typeof input === 'object' && input && 'name' in input ? String((input as { name: unknown }).name) : '?';
  throw new EnvironmentConfigError(`environment config "${name}"`, toIssues(result.error));
}

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
import { identitySchema } from './identity';
import { networkSchema } from './network';
import { observabilitySchema } from './observability';
import { serverlessSchema } from './serverless';
import { budgetSchema, deploySchema, logsSchema } from './operations';
import { recoverySchema } from './recovery';
import {
  checkIdentitySender,
  checkProductionGuards,
  checkRecovery,
  checkWithoutNat,
} from './environment-checks';
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

export type EnvironmentShape = z.output<typeof environmentConfigSchema>;

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

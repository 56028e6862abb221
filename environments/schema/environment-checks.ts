/**
 * The environment rules that span sections of the config (environment.ts runs them after the
 * sections' own): recovery objectives, what runs without NAT, the identity's sender, and what the
 * production tier requires.
 */
import type { EnvironmentShape } from './environment';
import { report, type Ctx } from './errors';
import { SES_COMPAT_REGIONS, senderDomainOf } from './identity';
import {
  COPIED_BACKUP_RULE,
  CROSS_REGION_RPO_MINUTES,
  recoveryCopies,
  type CrossRegionCopy,
} from './recovery';

/** How each copy is named in an error. */
const COPY_NAMES: Record<CrossRegionCopy, string> = {
  backupCopy: `only through the backup plan's daily copies (${COPIED_BACKUP_RULE.schedule}: day + start and completion windows)`,
  automatedBackupsReplication:
    'through its replicated automated backups (transaction logs every 5 minutes, then the copy)',
  tableReplica: 'through its global table replica',
  bucketReplicationTimeControl: 'through S3 replication with Replication Time Control',
};

/**
 * The recovery region is another region, `backup-restore` has a backup plan to copy, and every data
 * store of record reaches the recovery region within the RPO (recoveryCopies: an objective below
 * the daily copies' buys replica tables and S3 Replication Time Control; an Aurora cluster cannot go
 * below them here).
 */
export function checkRecovery(env: EnvironmentShape, ctx: Ctx): void {
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
  const rpo = r.rpoMinutes;
  if (rpo === undefined) return;
  for (const c of recoveryCopies(env))
    if (c.rpoMinutes > rpo)
      report(
        ctx,
        ['recovery', 'rpoMinutes'],
        `${rpo} cannot be met: ${c.path.join('.')} reaches ${r.region ?? 'the recovery region'} ${COPY_NAMES[c.copy]}, at best ${c.rpoMinutes} minutes (docs/architecture.md, "Recovery objectives")`,
      );
  const path = r.healthCheckPath;
  if (path !== undefined) {
    const served = Object.values(env.services).some((svc) =>
      (svc.pathPatterns ?? []).some((p) => globMatches(p, path)),
    );
    if (!served)
      report(
        ctx,
        ['recovery', 'healthCheckPath'],
        `${path} is served by no load-balanced service (no pathPatterns match it): the probe must cross the region's load balancer and tasks`,
      );
    // Route 53 publishes health check metrics in us-east-1 only, where the stack's alarms are made.
    if (env.region !== 'us-east-1')
      report(
        ctx,
        ['recovery', 'healthCheckPath'],
        `the endpoint health check's alarm is built in the environment's region, and Route 53 publishes its metrics in us-east-1 only (${env.region}: not built)`,
      );
  }
  // A replica table is a global table: DynamoDB replicates through the table's stream.
  for (const c of recoveryCopies(env)) {
    const stream = c.copy === 'tableReplica' ? env.tables[c.path[1] as string]?.stream : undefined;
    if (stream !== undefined && stream !== 'NEW_AND_OLD_IMAGES')
      report(
        ctx,
        [...c.path, 'stream'],
        `${stream} cannot carry a global table replica (recovery.rpoMinutes ${rpo} < ${CROSS_REGION_RPO_MINUTES.backupCopy}): use NEW_AND_OLD_IMAGES`,
      );
  }
}

/**
 * Without NAT only the account's own ECR is reachable (through its interface endpoints): the
 * platform's public images (the database bootstrap's SQL client, the OpenTelemetry collector, sidecars) could
 * not be pulled. An ECR pull-through cache would serve them; not built (docs/architecture.md, "Known
 * gaps").
 */
export function checkWithoutNat(env: EnvironmentShape, ctx: Ctx): void {
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
export function checkIdentitySender(env: EnvironmentShape, ctx: Ctx): void {
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

export function checkProductionGuards(env: EnvironmentShape, ctx: Ctx): void {
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

/** An ALB path pattern (`*` any characters, `?` one) matching a path. */
function globMatches(pattern: string, path: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(path);
}

/**
 * Recovery objectives (issue 28): what an environment promises after losing its region, and the
 * strategy that keeps the promise. `recovery.region` is the one source of the recovery region: with
 * `backup-restore` the backup plan copies its recovery points there (the `dr` provider and vault).
 * The rules that need other sections (a backup plan to copy, the tier) live in environment.ts.
 */
import { z } from './zod';
import { report } from './errors';
import { regionSchema, urlPathSchema } from './primitives';

export const RECOVERY_STRATEGIES = ['none', 'backup-restore'] as const;
export type RecoveryStrategy = (typeof RECOVERY_STRATEGIES)[number];

/**
 * The backup plan's most frequent rule whose recovery points are copied to the recovery region
 * (constructs/data/backup-plan.ts builds its `daily` rule from these). The copy frequency model: a
 * region lost just before the next copy lands loses everything since the last copied snapshot, whose
 * point in time can be up to one interval plus the start window old, and the next one may take the
 * completion window to finish before it is copied. The copy's own transfer time comes on top.
 */
export const COPIED_BACKUP_RULE = {
  schedule: 'cron(0 3 * * ? *)',
  intervalMinutes: 24 * 60,
  startWindowMinutes: 60,
  completionWindowMinutes: 360,
} as const;

/** The smallest RPO `backup-restore` can promise: 1860 minutes (31 h), see COPIED_BACKUP_RULE. */
export const BACKUP_RESTORE_MIN_RPO_MINUTES =
  COPIED_BACKUP_RULE.intervalMinutes +
  COPIED_BACKUP_RULE.startWindowMinutes +
  COPIED_BACKUP_RULE.completionWindowMinutes;

/**
 * How fast each kind of data store reaches the recovery region, in minutes of data at most lost
 * (docs/architecture.md, "Recovery objectives"). Figures without an AWS SLA are the design's
 * assumptions, alarmed where a metric exists; not measured against AWS here.
 */
export const CROSS_REGION_RPO_MINUTES = {
  /** AWS Backup copies of the daily rule (COPIED_BACKUP_RULE). */
  backupCopy: BACKUP_RESTORE_MIN_RPO_MINUTES,
  /**
   * RDS automated backups replication (an RDS instance, not Aurora): RDS uploads transaction logs
   * every 5 minutes and copies them as soon as they are ready; 15 allows the copy. No SLA.
   */
  automatedBackupsReplication: 15,
  /** A DynamoDB global table replica: asynchronous, usually under a second (alarmed above a minute). */
  tableReplica: 1,
  /** S3 replication with Replication Time Control: 99.99% of objects within 15 minutes (AWS SLA). */
  bucketReplicationTimeControl: 15,
} as const;

/** How one data store reaches the recovery region. */
export type CrossRegionCopy = keyof typeof CROSS_REGION_RPO_MINUTES;

/** A data store of record and how it reaches the recovery region, with the RPO that gives. */
export interface RecoveryCopy {
  /** Its config path (`['database']`, `['tables', 'sessions']`, `['buckets', 'media']`). */
  readonly path: readonly (string | number)[];
  readonly copy: CrossRegionCopy;
  readonly rpoMinutes: number;
}

/** What `recoveryCopies` reads of an environment. */
export interface RecoveryInput {
  readonly recovery: { readonly strategy: string; readonly rpoMinutes?: number };
  readonly database?: { readonly engine: string };
  readonly tables: Readonly<Record<string, unknown>>;
  readonly buckets: Readonly<Record<string, { readonly versioned?: boolean }>>;
}

/**
 * Each data store of record of a `backup-restore` environment and the cheapest copy that meets its
 * RPO (empty with `none`). The faster copies cost (a replica table's replicated writes, S3 Replication
 * Time Control per GB) and are built only when the objective is below the daily copies':
 * - the database: an RDS instance's automated backups are replicated (always: point-in-time recovery
 *   there); an Aurora cluster only has the backup copies (the global database is the standby issue's);
 * - a table: a global table replica in the recovery region when the RPO needs it, else the copies;
 * - a versioned bucket: replicated (always), with Replication Time Control when the RPO needs it.
 * Unversioned buckets are disposable by definition (schema: `versioned`) and Redis is a cache: neither
 * is a store of record.
 */
export function recoveryCopies(env: RecoveryInput): RecoveryCopy[] {
  const r = env.recovery;
  if (r.strategy === 'none') return [];
  const fast = r.rpoMinutes !== undefined && r.rpoMinutes < CROSS_REGION_RPO_MINUTES.backupCopy;
  const of = (path: (string | number)[], copy: CrossRegionCopy): RecoveryCopy => ({
    path,
    copy,
    rpoMinutes: CROSS_REGION_RPO_MINUTES[copy],
  });
  return [
    ...(env.database
      ? [
          of(
            ['database'],
            env.database.engine === 'aurora-postgresql' ? 'backupCopy' : 'automatedBackupsReplication',
          ),
        ]
      : []),
    ...Object.keys(env.tables).map((name) => of(['tables', name], fast ? 'tableReplica' : 'backupCopy')),
    ...Object.entries(env.buckets)
      .filter(([, b]) => b.versioned ?? true)
      .map(([name]) => of(['buckets', name], fast ? 'bucketReplicationTimeControl' : 'backupCopy')),
  ];
}

/** Whether `recoveryCopies` gives the store at `path` this copy. */
export function copiedBy(
  env: RecoveryInput,
  path: readonly (string | number)[],
  copy: CrossRegionCopy,
): boolean {
  return recoveryCopies(env).some((c) => c.copy === copy && c.path.join('.') === path.join('.'));
}

/**
 * The smallest RTO `backup-restore` can promise: nothing runs in the recovery region, so recovery is
 * applying the whole platform stack there (VPC, NAT gateways, certificate validation, load balancer,
 * cluster: tens of minutes) and restoring the database from a copied snapshot (tens of minutes for a
 * small instance, more with size) before DNS moves: under two hours is not credible.
 */
export const BACKUP_RESTORE_MIN_RTO_MINUTES = 120;

const minutes = z.number().int().positive();

export const recoverySchema = z
  .strictObject({
    /**
     * How the environment recovers from losing its region. Required (every environment says it):
     * `none`: not at all (redeploy from code, data lost); `backup-restore`: the backup plan's recovery
     * points are copied to `region`, the platform is rebuilt there from them.
     */
    strategy: z.enum(RECOVERY_STRATEGIES),
    /** The recovery region (not the environment's own). Required unless `none`. */
    region: regionSchema.optional(),
    /** Recovery point objective in minutes: data lost at most. Required unless `none`. */
    rpoMinutes: minutes.optional(),
    /** Recovery time objective in minutes: time to serve again. Required unless `none`. */
    rtoMinutes: minutes.optional(),
    /**
     * What Route 53 probes on the environment's public endpoint to tell that its region serves
     * (edge/endpoint-health-check.ts, alarmed): a path a load-balanced service answers, so the probe
     * crosses the region's load balancer and tasks. Required unless `none`.
     */
    healthCheckPath: urlPathSchema.optional(),
  })
  .superRefine((r, ctx) => {
    const fields = ['region', 'rpoMinutes', 'rtoMinutes', 'healthCheckPath'] as const;
    if (r.strategy === 'none') {
      for (const f of fields)
        if (r[f] !== undefined) report(ctx, [f], `has no meaning with strategy 'none' (nothing recovers)`);
      return;
    }
    for (const f of fields)
      if (r[f] === undefined) report(ctx, [f], `is required with strategy '${r.strategy}'`);
    if (r.rtoMinutes !== undefined && r.rtoMinutes < BACKUP_RESTORE_MIN_RTO_MINUTES)
      report(
        ctx,
        ['rtoMinutes'],
        `${r.rtoMinutes} cannot be met by 'backup-restore': rebuilding the platform in the recovery region and restoring the database takes at least ${BACKUP_RESTORE_MIN_RTO_MINUTES} minutes`,
      );
  });

export type RecoveryConfig = z.output<typeof recoverySchema>;

/** The region recovery points are copied to: `recovery.region` with `backup-restore`, else none. */
export function backupCopyRegion(env: {
  readonly recovery: RecoveryConfig;
  readonly backup?: unknown;
}): string | undefined {
  return env.recovery.strategy === 'backup-restore' && env.backup ? env.recovery.region : undefined;
}

/**
 * Recovery objectives (issue 28): what an environment promises after losing its region, and the
 * strategy that keeps the promise. `recovery.region` is the one source of the recovery region: with
 * `backup-restore` the backup plan copies its recovery points there (the `dr` provider and vault).
 * The rules that need other sections (a backup plan to copy, the tier) live in environment.ts.
 */
import { z } from './zod';
import { report } from './errors';
import { regionSchema } from './primitives';

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
  })
  .superRefine((r, ctx) => {
    const fields = ['region', 'rpoMinutes', 'rtoMinutes'] as const;
    if (r.strategy === 'none') {
      for (const f of fields)
        if (r[f] !== undefined) report(ctx, [f], `has no meaning with strategy 'none' (nothing recovers)`);
      return;
    }
    for (const f of fields)
      if (r[f] === undefined) report(ctx, [f], `is required with strategy '${r.strategy}'`);
    if (r.rpoMinutes !== undefined && r.rpoMinutes < BACKUP_RESTORE_MIN_RPO_MINUTES)
      report(
        ctx,
        ['rpoMinutes'],
        `${r.rpoMinutes} cannot be met by 'backup-restore': recovery points are copied daily (${COPIED_BACKUP_RULE.schedule}), at best ${BACKUP_RESTORE_MIN_RPO_MINUTES} minutes (day + start and completion windows; docs/architecture.md, "Recovery objectives")`,
      );
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

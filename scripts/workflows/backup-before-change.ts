/**
 * Backups before risky changes (issue 28): in a production-tier environment with a database and an
 * AWS Backup plan, the deploy's apply job and the migration jobs start an on-demand AWS Backup job
 * of the database into the environment's vault, with the AWS Backup role, and wait for it to
 * complete before `terraform apply` or the migration task runs. A failed, aborted or expired backup,
 * or one still running at the timeout, fails the job before the change. Names by convention:
 * the database `<prefix>-db` (constructs/data/relational-database.ts), the vault and the role
 * `<prefix>-backup` (constructs/data/backup-plan.ts).
 */
import { namePrefix, roleArn } from '../../constructs/core/naming';
import type { EnvironmentConfig } from '../../environments/schema';
import type { Job, Step } from './common';

/** The step's name (the role contracts cite it: constructs/delivery/contracts/common.ts). */
export const BACKUP_STEP_NAME = 'On-demand backup of the database, waited for, before the change';

/** How long the step waits for the backup job to complete, in minutes. */
export const BACKUP_TIMEOUT_MINUTES = 45;

/** What the step backs up, where, with which role, kept how long. */
export interface BackupTarget {
  /** The RDS instance's or Aurora cluster's ARN. */
  readonly database: string;
  /** The environment's primary vault's name. */
  readonly vault: string;
  /** The AWS Backup role's ARN (the backup selection's). */
  readonly role: string;
  /** The recovery point's retention: the daily rule's. */
  readonly deleteAfterDays: number;
}

/**
 * The backup target of an environment: production tier, a database and a backup plan; none otherwise.
 */
export function backupTargetOf(env: EnvironmentConfig, project: string): BackupTarget | undefined {
  if (env.tier !== 'production' || !env.database || !env.backup) return undefined;
  const prefix = namePrefix(project, env.name);
  const kind = env.database.engine === 'aurora-postgresql' ? 'cluster' : 'db';
  return {
    database: `arn:aws:rds:${env.region}:${env.accountId}:${kind}:${prefix}-db`,
    vault: `${prefix}-backup`,
    role: roleArn(env.accountId, `${prefix}-backup`),
    deleteAfterDays: env.backup.dailyRetentionDays,
  };
}

/**
 * The step: the target's fields are expressions (the inputs or the registry's per-environment JSON);
 * `condition` skips it where there is no target. Values reach the script through the environment.
 */
export function backupBeforeRiskyChange(opts: {
  readonly database: string;
  readonly vault: string;
  readonly role: string;
  readonly deleteAfterDays: string;
  readonly condition: string;
}): Step {
  return {
    name: BACKUP_STEP_NAME,
    if: opts.condition,
    env: {
      DB_ARN: opts.database,
      VAULT: opts.vault,
      BACKUP_ROLE: opts.role,
      DELETE_AFTER_DAYS: opts.deleteAfterDays,
    },
    run: [
      'set -euo pipefail',
      // One job per run attempt and job: a re-run of the same attempt does not start a second.
      'JOB_ID=$(aws backup start-backup-job --backup-vault-name "$VAULT" --resource-arn "$DB_ARN" \\',
      '  --iam-role-arn "$BACKUP_ROLE" --idempotency-token "github-${GITHUB_RUN_ID}-${GITHUB_RUN_ATTEMPT}-${GITHUB_JOB}" \\',
      '  --start-window-minutes 60 --complete-window-minutes 180 --lifecycle "DeleteAfterDays=${DELETE_AFTER_DAYS}" \\',
      '  --query BackupJobId --output text)',
      'echo "backup job $JOB_ID: $DB_ARN into $VAULT"',
      `deadline=$((SECONDS + ${BACKUP_TIMEOUT_MINUTES} * 60))`,
      'while :; do',
      '  STATE=$(aws backup describe-backup-job --backup-job-id "$JOB_ID" --query State --output text)',
      '  case "$STATE" in',
      '    COMPLETED) break ;;',
      '    FAILED | ABORTED | EXPIRED)',
      '      echo "::error::backup job $JOB_ID ended $STATE: no change without it (docs/runbooks.md)"',
      '      exit 1 ;;',
      '  esac',
      '  if [ "$SECONDS" -ge "$deadline" ]; then',
      `    echo "::error::backup job $JOB_ID still $STATE after ${BACKUP_TIMEOUT_MINUTES} minutes: no change without it"`,
      '    exit 1',
      '  fi',
      '  sleep 30',
      'done',
      'RECOVERY_POINT=$(aws backup describe-backup-job --backup-job-id "$JOB_ID" --query RecoveryPointArn --output text)',
      'echo "### Backup before the change: $RECOVERY_POINT (job $JOB_ID)" >> "$GITHUB_STEP_SUMMARY"',
    ].join('\n'),
  };
}

/**
 * Problems of a job that must back up before `changeStep`: the backup step missing, after the
 * change, without waiting for COMPLETED, or without failing on FAILED/ABORTED/EXPIRED. Empty: fine.
 */
export function backupProblems(job: Job, changeStep: string): string[] {
  const steps = (job.steps ?? []) as Step[];
  const names = steps.map((s) => s.name);
  const backup = names.indexOf(BACKUP_STEP_NAME);
  const change = names.indexOf(changeStep);
  if (change < 0) return [`no step '${changeStep}'`];
  if (backup < 0) return [`no backup step before '${changeStep}'`];
  const problems: string[] = [];
  if (backup > change) problems.push(`the backup step comes after '${changeStep}'`);
  const run = String(steps[backup].run ?? '');
  if (!run.includes('aws backup start-backup-job')) problems.push('the backup step starts no backup job');
  if (!/aws backup describe-backup-job[\s\S]*COMPLETED\) break/.test(run))
    problems.push('the backup step does not wait for COMPLETED');
  if (!/FAILED \| ABORTED \| EXPIRED\)[\s\S]*exit 1/.test(run))
    problems.push('the backup step does not fail on FAILED, ABORTED or EXPIRED');
  if (!/deadline[\s\S]*exit 1/.test(run)) problems.push('the backup step has no timeout');
  return problems;
}

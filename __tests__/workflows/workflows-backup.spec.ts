/**
 * Backups before risky changes (issue 28): in production with a database, the deploy's apply job and
 * the migration jobs back the database up, and wait for the backup, before the apply or migration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  BACKUP_STEP_NAME,
  backupProblems,
  backupTargetOf,
} from '../../scripts/workflows/backup-before-change';
import { envs, projectOf } from '../support/pipeline-names';

const wf = (name: string) =>
  parse(readFileSync(join(__dirname, '..', '..', '.github', 'workflows', name), 'utf8'));
const APPLY = 'Apply exactly the reviewed plan';
const MIGRATION = 'Run the migration task and wait for it';
const SERVICE_MIGRATION =
  'Run the schema migrations and wait for them (fails the deployment on a non-zero exit)';

const production = envs.filter((e) => e.tier === 'production' && e.database && e.backup);
const others = envs.filter((e) => !production.includes(e));

describe('backup before risky changes', () => {
  it('has production environments with a database to check, and others', () => {
    expect(production.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
  });

  it('the apply job backs up and waits before it applies', () => {
    expect(backupProblems(wf('_deploy.yml').jobs.apply, APPLY)).toEqual([]);
  });

  it('the migration jobs back up and wait before they migrate', () => {
    expect(backupProblems(wf('db-migrate.yml').jobs.migrate, MIGRATION)).toEqual([]);
    expect(backupProblems(wf('app-image.yml').jobs.migrate, SERVICE_MIGRATION)).toEqual([]);
  });

  it('production deploys pass their database, vault and backup role by convention; others none', () => {
    for (const env of production) {
      const project = projectOf(env);
      const prefix = `${project}-${env.name}`;
      const backup = JSON.parse(wf(`deploy-${env.name}.yml`).jobs.deploy.with.backup);
      const kind = env.database!.engine === 'aurora-postgresql' ? 'cluster' : 'db';
      expect(backup).toEqual({
        database: `arn:aws:rds:${env.region}:${env.accountId}:${kind}:${prefix}-db`,
        vault: `${prefix}-backup`,
        role: `arn:aws:iam::${env.accountId}:role/${prefix}-backup`,
        deleteAfterDays: env.backup!.dailyRetentionDays,
      });
      expect(backupTargetOf(env, project)).toEqual(backup);
    }
    for (const env of others) {
      expect(wf(`deploy-${env.name}.yml`).jobs.deploy.with.backup).toBeUndefined();
      expect(backupTargetOf(env, projectOf(env))).toBeUndefined();
    }
  });

  it('the migration workflows back up production only', () => {
    const platform = JSON.parse(wf('app-image.yml').env.PLATFORM);
    for (const env of production)
      expect(platform[env.name].backup).toEqual(backupTargetOf(env, projectOf(env)));
    for (const env of others) expect(platform[env.name].backup).toBeUndefined();
    const step = wf('db-migrate.yml').jobs.migrate.steps.find((s: any) => s.name === BACKUP_STEP_NAME);
    const databases = JSON.parse(/fromJSON\('(.*)'\)/.exec(step.env.DB_ARN)![1]);
    for (const env of production.filter((e) => e.compute.platform === 'fargate'))
      expect(databases[env.name]).toBe(backupTargetOf(env, projectOf(env))!.database);
    for (const env of others.filter((e) => e.name in databases)) expect(databases[env.name]).toBe('');
  });

  describe('the check', () => {
    const good = wf('_deploy.yml').jobs.apply;
    const steps: any[] = good.steps;
    const without = (pred: (s: any) => boolean) => ({ ...good, steps: steps.filter((s) => !pred(s)) });

    it('finds a job without the backup step', () => {
      expect(
        backupProblems(
          without((s) => s.name === BACKUP_STEP_NAME),
          APPLY,
        ),
      ).toEqual([`no backup step before '${APPLY}'`]);
    });

    it('finds the backup after the change', () => {
      const backup = steps.find((s) => s.name === BACKUP_STEP_NAME);
      const moved = [...steps.filter((s) => s !== backup), backup];
      expect(backupProblems({ ...good, steps: moved }, APPLY)).toContain(
        `the backup step comes after '${APPLY}'`,
      );
    });

    it('finds a backup that is not waited for, or has no failure states or timeout', () => {
      const noWait = steps.map((s) =>
        s.name === BACKUP_STEP_NAME ? { ...s, run: s.run.split('\n').slice(0, 6).join('\n') } : s,
      );
      expect(backupProblems({ ...good, steps: noWait }, APPLY)).toEqual([
        'the backup step does not wait for COMPLETED',
        'the backup step does not fail on FAILED, ABORTED or EXPIRED',
        'the backup step has no timeout',
      ]);
    });
  });
});

/**
 * The master password never reaches CI: the deploy workflow's plan job refuses a plan that would
 * write it (scripts/workflows/master-password-guard.ts). The guard's jq runs here over plan JSON of
 * each kind of change: what it must refuse and what it must let through.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MASTER_PASSWORD_WRITES_JQ } from '../../scripts/workflows/master-password-guard';

/** What the guard reports for a plan with `changes` (address, before, after, actions). */
function writes(changes: Array<[string, object | null, object | null, string[]?]>): string[] {
  const actions = (before: object | null, after: object | null) =>
    before === null ? ['create'] : after === null ? ['delete'] : ['update'];
  const plan = {
    resource_changes: changes.map(([address, before, after, given]) => ({
      address,
      change: { actions: given ?? actions(before, after), before, after },
    })),
  };
  const out = execFileSync('jq', ['-r', MASTER_PASSWORD_WRITES_JQ], {
    input: JSON.stringify(plan),
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean);
}

const db = 'aws_db_instance.Database_Instance_02E622FB';
const cluster = 'aws_rds_cluster.Database_Cluster_C6094C50';

describe('the master password guard of the deploy plan job', () => {
  it('refuses creating the database (the first password), and replacing it at the same version', () => {
    expect(
      writes([
        [db, null, { password_wo_version: 1, identifier: 'x' }],
        [cluster, { master_password_wo_version: 1 }, { master_password_wo_version: 1 }, ['delete', 'create']],
      ]),
    ).toEqual([`${db}: password_wo_version`, `${cluster}: master_password_wo_version`]);
  });

  it('refuses a raised version (a rotation), Aurora included', () => {
    expect(
      writes([
        [cluster, { master_password_wo_version: 1 }, { master_password_wo_version: 2 }],
        [db, { password_wo_version: 3 }, { password_wo_version: 4 }],
      ]),
    ).toEqual([`${cluster}: master_password_wo_version`, `${db}: password_wo_version`]);
  });

  it('lets through every other change: updates at the same version, a read replica, a destroy', () => {
    expect(
      writes([
        [
          db,
          { password_wo_version: 1, instance_class: 'db.t4g.small' },
          { password_wo_version: 1, instance_class: 'db.t4g.medium' },
        ],
        [
          'aws_db_instance.Database_Replica0_47152A02',
          null,
          { password_wo_version: null, replicate_source_db: 'x' },
        ],
        ['aws_db_instance.Old', { password_wo_version: 1 }, null],
        ['aws_s3_bucket.b', null, { bucket: 'b' }],
      ]),
    ).toEqual([]);
  });

  it('runs in the plan job right after the saved plan, before it is uploaded for the apply job', () => {
    const deploy = parse(
      readFileSync(join(__dirname, '..', '..', '.github', 'workflows', '_deploy.yml'), 'utf8'),
    );
    const names = deploy.jobs.plan.steps.map((s: any) => s.name);
    const guard = names.findIndex((n: string) => /write the database master password/.test(n));
    expect(guard).toBe(names.indexOf('Plan (saved)') + 1);
    expect(deploy.jobs.plan.steps[guard].run).toContain('show -json tfplan');
    // Neither job is given the password.
    for (const job of Object.values<any>(deploy.jobs))
      expect(job.env).not.toHaveProperty('TF_VAR_db_master_password');
    expect(JSON.stringify(deploy)).not.toMatch(/secrets\.\w*(DB_MASTER|db_master)/);
  });
});

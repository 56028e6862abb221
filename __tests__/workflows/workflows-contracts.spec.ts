/**
 * The generated workflows against the role contracts of the state stacks (constructs/delivery/
 * pipeline-contracts.ts): every `aws <service> <command>` call of a job (and the registry calls of
 * `docker push` and the ECR login action) is an IAM action that a must-allow of the role the job
 * assumes names, with the workflow as its caller; the job runs in the GitHub environment and
 * workflow that role's trust admits; and every workflow step a contract cites exists. The contracts
 * are read from the synthesized JSON (`"//": {"contract": ...}` beside each role), the CLI commands
 * mapped to actions by the explicit table below: an unmapped command fails.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RoleContract } from '../../constructs/core/role-contract';
import { registry } from '../../environments';
import { stateStackId } from '../../stacks/stack-ids';
import { appStackDir } from '../support/app-synth';

/** `aws <service> <command>` (`wait <waiter>` included) -> the IAM actions the call makes. */
const CLI_ACTIONS: Record<string, readonly string[]> = {
  'ecs describe-services': ['ecs:DescribeServices'],
  'ecs describe-task-definition': ['ecs:DescribeTaskDefinition'],
  'ecs register-task-definition': ['ecs:RegisterTaskDefinition'],
  'ecs update-service': ['ecs:UpdateService'],
  'ecs wait services-stable': ['ecs:DescribeServices'],
  'ecs run-task': ['ecs:RunTask'],
  'ecs wait tasks-stopped': ['ecs:DescribeTasks'],
  'ecs describe-tasks': ['ecs:DescribeTasks'],
  'ec2 describe-subnets': ['ec2:DescribeSubnets'],
  'ec2 describe-security-groups': ['ec2:DescribeSecurityGroups'],
  'logs get-log-events': ['logs:GetLogEvents'],
  'deploy create-deployment': ['codedeploy:CreateDeployment'],
  'deploy get-deployment': ['codedeploy:GetDeployment'],
  'deploy list-deployment-targets': ['codedeploy:ListDeploymentTargets'],
  'deploy get-deployment-target': ['codedeploy:GetDeploymentTarget'],
  'deploy stop-deployment': ['codedeploy:StopDeployment'],
  // `sync --delete`: lists the bucket, uploads, deletes what the build no longer has.
  's3 sync': ['s3:ListBucket', 's3:PutObject', 's3:DeleteObject'],
  's3 cp': ['s3:PutObject'],
  'cloudfront list-distributions': ['cloudfront:ListDistributions'],
  'cloudfront create-invalidation': ['cloudfront:CreateInvalidation'],
  'cloudfront wait invalidation-completed': ['cloudfront:GetInvalidation'],
  // The failure notification (SNS then uses the topic's key with the caller's rights: the contracts'
  // kms:GenerateDataKey / kms:Decrypt through SNS).
  'sns publish': ['sns:Publish'],
  // The backup before a risky change: into the environment's vault, passing the AWS Backup role.
  'backup start-backup-job': ['backup:StartBackupJob', 'iam:PassRole'],
  'backup describe-backup-job': ['backup:DescribeBackupJob'],
};

/** AWS calls that are not the CLI: an action's, or the registry protocol of `docker push`. */
const OTHER_CALLS: ReadonlyArray<{
  match: (step: any) => boolean;
  call: string;
  actions: readonly string[];
}> = [
  {
    match: (s) => typeof s.uses === 'string' && s.uses.startsWith('aws-actions/amazon-ecr-login@'),
    call: 'aws-actions/amazon-ecr-login',
    actions: ['ecr:GetAuthorizationToken'],
  },
  {
    match: (s) => typeof s.run === 'string' && /(^|\n)\s*docker push /.test(s.run),
    call: 'docker push',
    actions: [
      'ecr:BatchCheckLayerAvailability',
      'ecr:InitiateLayerUpload',
      'ecr:UploadLayerPart',
      'ecr:CompleteLayerUpload',
      'ecr:PutImage',
    ],
  },
];

/** The `aws` CLI calls of a shell script, as `service command` (`service wait waiter`). */
function cliCalls(script: string): string[] {
  const out: string[] = [];
  for (const m of script.matchAll(/(?:^|[\s;|&(`$])aws\s+([a-z0-9-]+)\s+([a-z0-9-]+)(?:\s+([a-z0-9-]+))?/g))
    out.push(m[2] === 'wait' ? `${m[1]} wait ${m[3]}` : `${m[1]} ${m[2]}`);
  return out;
}

const dir = join(__dirname, '..', '..', '.github', 'workflows');
const workflows: Record<string, any> = Object.fromEntries(
  readdirSync(dir).map((f) => [f, parse(readFileSync(join(dir, f), 'utf8'))]),
);

/** Role ARN -> its contract, from the raw synthesized state stacks (`appStack()` strips `//`). */
const contracts = new Map<string, RoleContract>();
for (const [slug, account] of Object.entries(registry.accounts)) {
  const raw = JSON.parse(readFileSync(join(appStackDir(stateStackId(slug)), 'cdk.tf.json'), 'utf8'));
  for (const role of Object.values<any>(raw.resource.aws_iam_role)) {
    const contract = role['//']?.contract;
    if (contract) contracts.set(`arn:aws:iam::${account.accountId}:role/${role.name}`, contract);
  }
}

/** One way a job runs: the inputs it is called with and the role ARN its credentials step resolves to. */
interface Variant {
  readonly label: string;
  readonly environment?: string;
  readonly role: string;
  /** The GitHub environment the job runs in, where its caller sets it (a reusable workflow's input). */
  readonly jobEnvironment?: string;
}

const get = (value: any, path: string) =>
  path.split('.').reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), value);

/**
 * The roles a `role-to-assume` expression resolves to, per input combination, as far as the job's
 * own condition lets it run (app-image's `migrate` and `deploy` jobs follow the `image` job's outputs).
 */
function variants(file: string, job: any, expression: string): Variant[] | undefined {
  const doc = workflows[file];
  const trimmed = expression.replace(/^\$\{\{\s*/, '').replace(/\s*\}\}$/, '');
  // A reusable workflow's input (`_deploy.yml`'s `apply_role`): the value each caller passes, in the
  // GitHub environment the caller names for the job.
  const input = /^inputs\.(\w+)$/.exec(trimmed);
  const jobInput = /^\$\{\{\s*inputs\.(\w+)\s*\}\}$/.exec(String(job.environment ?? ''));
  if (input && doc.on?.workflow_call?.inputs?.[input[1]] && jobInput)
    return callerVariants(file, input[1], jobInput[1]);
  let m = /^fromJSON\(env\.(\w+)\)\[inputs\.environment\]\.(.+)$/.exec(trimmed);
  if (m) {
    const [, variable, rest] = m;
    const table = JSON.parse(doc.env[variable]);
    const perService = /^services\[inputs\.service\]\.(.+)$/.exec(rest);
    const out: Variant[] = [];
    for (const [environment, entry] of Object.entries<any>(table)) {
      const services = perService ? Object.entries<any>(entry.services) : [['', entry]];
      for (const [service, svc] of services) {
        const role = get(svc, perService ? perService[1] : rest);
        if (role === undefined) continue;
        // The image job's outputs, as its resolve step writes them.
        const outputs: Record<string, string> = {
          migrations: String(svc.migrations !== undefined),
          rollout: String(entry.rollout),
        };
        const blocked = [...String(job.if ?? '').matchAll(/needs\.\w+\.outputs\.(\w+) == '([^']*)'/g)].some(
          ([, key, value]) => outputs[key] !== undefined && outputs[key] !== value,
        );
        if (!blocked) out.push({ label: `${environment}/${service}`, environment, role });
      }
    }
    return out;
  }
  m = /^fromJSON\('(.*)'\)\[inputs\.environment\]$/.exec(trimmed);
  if (m)
    return Object.entries<string>(JSON.parse(m[1])).map(([environment, role]) => ({
      label: environment,
      environment,
      role,
    }));
  if (trimmed === 'matrix.role')
    return job.strategy.matrix.include.map((i: any) => ({
      label: i.environment,
      environment: i.environment,
      role: i.role,
    }));
  return undefined;
}

/** The roles the callers of reusable workflow `file` pass as its input `role`, with their job environments. */
function callerVariants(file: string, role: string, environment: string): Variant[] {
  const out: Variant[] = [];
  for (const [caller, doc] of Object.entries(workflows))
    for (const job of Object.values<any>(doc.jobs)) {
      if (job.uses !== `./.github/workflows/${file}`) continue;
      const value: string = job.with[role];
      const env: string = job.with[environment];
      if (!value.includes('${{')) {
        out.push({ label: `${caller}/${env}`, environment: env, role: value, jobEnvironment: env });
        continue;
      }
      // terraform-ops: the guard job's output, resolved from the workflow's TARGETS table by the
      // environment input.
      const output = /^\$\{\{\s*needs\.\w+\.outputs\.(\w+)\s*\}\}$/.exec(value);
      if (!output || env !== '${{ inputs.environment }}')
        throw new Error(`${caller}: cannot resolve ${value}`);
      for (const [name, t] of Object.entries<any>(JSON.parse(doc.env.TARGETS)))
        out.push({ label: `${caller}/${name}`, environment: name, role: t[output[1]], jobEnvironment: name });
    }
  return out;
}

interface Call {
  readonly file: string;
  readonly job: string;
  readonly step: string;
  readonly call: string;
  readonly actions: readonly string[];
  readonly variants: readonly Variant[] | undefined;
  readonly roleExpression: string;
}

/**
 * The backup before a risky change runs only where the environment is production with a database
 * and a backup plan (scripts/workflows/backup-before-change.ts): elsewhere its step is skipped.
 */
const BACKUP_STEP = 'On-demand backup of the database, waited for, before the change';
const backedUp = new Set(
  Object.values(registry.environments)
    .filter((e) => e.tier === 'production' && e.database && e.backup)
    .map((e) => e.name),
);
const runsThere = (step: string, vs: readonly Variant[] | undefined) =>
  step === BACKUP_STEP ? vs?.filter((v) => v.environment !== undefined && backedUp.has(v.environment)) : vs;

/** Every AWS call of every job, with the roles the job holds when it makes it. */
function awsCalls(): Call[] {
  const out: Call[] = [];
  for (const [file, doc] of Object.entries(workflows))
    for (const [jobId, job] of Object.entries<any>(doc.jobs)) {
      let roleExpression = '';
      for (const step of job.steps ?? []) {
        if (typeof step.uses === 'string' && step.uses.startsWith('aws-actions/configure-aws-credentials@')) {
          roleExpression = step.with['role-to-assume'];
          continue;
        }
        const name = step.name ?? step.uses;
        const calls = [
          ...(typeof step.run === 'string' ? cliCalls(step.run) : []).map((c) => ({
            call: `aws ${c}`,
            actions: CLI_ACTIONS[c],
          })),
          ...OTHER_CALLS.filter((o) => o.match(step)).map((o) => ({ call: o.call, actions: o.actions })),
        ];
        for (const c of calls)
          out.push({
            file,
            job: jobId,
            step: name,
            ...c,
            roleExpression,
            variants: runsThere(name, roleExpression ? variants(file, job, roleExpression) : undefined),
          });
      }
    }
  return out;
}

const calls = awsCalls();

describe('the AWS calls of the generated workflows', () => {
  it('are found (the scan is not vacuous): the image, migration, site and deploy workflows', () => {
    const files = new Set(calls.map((c) => c.file));
    for (const file of ['app-image.yml', 'db-migrate.yml', 'frontend-deploy.yml', '_deploy.yml'].filter(
      (f) => workflows[f],
    ))
      expect(files).toContain(file);
    expect(calls.filter((c) => c.call === 'aws ecs update-service').length).toBeGreaterThan(0);
  });

  it('map each CLI command to IAM actions by the explicit table (an unmapped command fails)', () => {
    const unmapped = calls
      .filter((c) => c.actions === undefined)
      .map((c) => `${c.file} ${c.step}: ${c.call}`);
    expect(unmapped).toEqual([]);
  });

  it('run after a credentials step whose role resolves to pipeline roles with contracts', () => {
    const problems = calls.flatMap((c) => {
      const where = `${c.file} job '${c.job}' step '${c.step}': ${c.call}`;
      if (!c.roleExpression) return [`${where}: no credentials step before it`];
      if (c.variants === undefined) return [`${where}: cannot resolve role ${c.roleExpression}`];
      if (c.variants.length === 0) return [`${where}: resolves to no role`];
      return c.variants
        .filter((v) => !contracts.has(v.role))
        .map((v) => `${where}: ${v.role} has no contract`);
    });
    expect(problems).toEqual([]);
  });

  it('are each a must-allow of the role the job assumes, naming the workflow as its caller', () => {
    const problems: string[] = [];
    for (const c of calls)
      for (const v of c.variants ?? [])
        for (const action of c.actions ?? []) {
          const contract = contracts.get(v.role);
          if (!contract) continue;
          const allows = contract.allow.filter((a) => a.action.toLowerCase() === action.toLowerCase());
          if (allows.length === 0)
            problems.push(
              `${c.file} ${c.step} (${v.label}): ${c.call} -> ${action} is no must-allow of ${v.role}`,
            );
          else if (!allows.some((a) => a.because.includes(`.github/workflows/${c.file}`)))
            problems.push(
              `${c.file} ${c.step} (${v.label}): no must-allow ${action} of ${v.role} names ${c.file}`,
            );
        }
    expect(problems).toEqual([]);
  });

  it('the CLI scan finds calls in substitutions, pipes and after operators, and waiters by name', () => {
    expect(
      cliCalls(
        'x=$(aws ecs describe-tasks --a b)\naws ecs wait tasks-stopped --c\ntrue && aws s3 cp a b | tee\n# aws-actions/x',
      ),
    ).toEqual(['ecs describe-tasks', 'ecs wait tasks-stopped', 's3 cp']);
  });
});

describe('the jobs that assume a role', () => {
  const claim = (contract: RoleContract, key: string) =>
    contract.trust.allow.map((t) => t.context?.[`token.actions.githubusercontent.com:${key}`]).flat();

  it("run in the GitHub environment and workflow the role's trust admits (no job holds two roles' subjects)", () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const c of calls)
      for (const v of c.variants ?? []) {
        const key = `${c.file}/${c.job}/${v.label}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const contract = contracts.get(v.role);
        const environment = workflows[c.file].jobs[c.job].environment;
        if (!contract || typeof environment !== 'string' || !v.environment) continue;
        const expected = v.jobEnvironment ?? environment.replace('${{ inputs.environment }}', v.environment);
        const subs = claim(contract, 'sub') as string[];
        if (!subs.some((s) => s.endsWith(`:environment:${expected}`)))
          problems.push(`${key}: runs in ${expected}; ${v.role} trusts ${subs.join(', ')}`);
        const refs = claim(contract, 'job_workflow_ref').filter(Boolean) as string[];
        if (!refs.some((r) => r.includes(`/.github/workflows/${c.file}@`)))
          problems.push(`${key}: ${v.role} trusts the workflows ${refs.join(', ')}`);
      }
    expect(problems).toEqual([]);
    expect(seen.size).toBeGreaterThan(0);
  });

  it("a service's migration runs in <env>-migrate under its migration role, apart from the deploy job", () => {
    const image = workflows['app-image.yml'];
    expect(image.jobs.migrate.environment).toBe('${{ inputs.environment }}-migrate');
    expect(image.jobs.deploy.environment).toBe('${{ inputs.environment }}');
    expect(image.jobs.deploy.needs).toEqual(['image', 'migrate']);
    const roleOf = (job: string) =>
      image.jobs[job].steps.find((s: any) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))
        .with['role-to-assume'];
    expect(roleOf('migrate')).toMatch(/\.migrations\.role \}\}$/);
    expect(roleOf('deploy')).toMatch(/\]\.role \}\}$/);
    // One credentials step per job: no job switches roles (a token has one subject).
    for (const job of Object.values<any>(image.jobs))
      expect(
        job.steps.filter((s: any) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')),
      ).toHaveLength(1);
  });
});

describe('the workflow steps the contracts cite', () => {
  it('exist: each `.github/workflows/<file> job <job> step <step>` of a must-allow names a real step', () => {
    const problems: string[] = [];
    let cited = 0;
    for (const [role, contract] of contracts)
      for (const a of contract.allow)
        for (const m of a.because.matchAll(/\.github\/workflows\/([\w.-]+) job '([^']+)' step '([^']+)'/g)) {
          cited++;
          const [, file, job, step] = m;
          const steps = workflows[file]?.jobs?.[job]?.steps ?? [];
          if (!steps.some((s: any) => (s.name ?? s.uses) === step))
            problems.push(
              `${role}: ${a.action} cites ${file} job '${job}' step '${step}', which does not exist`,
            );
        }
    expect(problems).toEqual([]);
    expect(cited).toBeGreaterThan(0);
  });
});

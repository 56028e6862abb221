/**
 * The `AfterAllowTestTraffic` hook of blue/green deployments: its logic (serverless/test-traffic-hook/
 * probe.ts) with injected I/O, and the function the compute layer deploys per blue/green service
 * (constructs/compute/test-traffic-hook.ts): name, network, settings, role and contract.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { unzipSync } from 'fflate';
import {
  handleTestTrafficHook,
  probeTestTraffic,
  settingsFromEnv,
  type HookDeps,
  type ProbeSettings,
} from '../../serverless/test-traffic-hook/probe';
import {
  HOOK_TIMEOUT_SECONDS,
  PROBE_ATTEMPTS,
  PROBE_INTERVAL_SECONDS,
} from '../../constructs/compute/test-traffic-hook';
import { testTrafficHookName } from '../../constructs/core/naming';
import { lambdaPackage } from '../../constructs/core/packaging';
import { byPrefix, configOf, SUBNETS } from '../support/bare';
import { compute, computeContracts } from '../support/compute-layer';
import { policy } from '../support/fixtures';
import { decide } from '../support/iam-eval';

const settings: ProbeSettings = {
  host: 'example.com',
  port: 8443,
  path: '/api/v1/health',
  attempts: 3,
  intervalMs: 1,
};
const event = { DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'exec-1' };

/** Deps whose probe answers come from `answers[round][address]` (a number, or an Error to throw). */
function fake(answers: Array<Record<string, number | Error>>) {
  let round = -1;
  const reports: string[] = [];
  const gets: string[] = [];
  const deps: HookDeps = {
    addresses: async () => Object.keys(answers[++round] ?? {}),
    get: async (address, s) => {
      gets.push(`${address}:${s.port}${s.path}`);
      const a = answers[round][address];
      if (a instanceof Error) throw a;
      return a;
    },
    report: async (id, exec, status) => {
      reports.push(`${id} ${exec} ${status}`);
    },
    sleep: async () => {},
    log: () => {},
  };
  return { deps, reports, gets };
}

describe('AfterAllowTestTraffic hook', () => {
  it('succeeds once every load balancer address answers healthy through the test listener', async () => {
    const f = fake([{ '10.0.1.5': 200, '10.0.2.7': 302 }]);
    expect(await handleTestTrafficHook(event, settings, f.deps)).toBe('Succeeded');
    expect(f.reports).toEqual(['d-123 exec-1 Succeeded']);
    expect(f.gets).toEqual(['10.0.1.5:8443/api/v1/health', '10.0.2.7:8443/api/v1/health']);
  });

  it('retries while the new task set warms up, then succeeds', async () => {
    const f = fake([
      { a: 503, b: 200 },
      { a: new Error('ECONNRESET'), b: 200 },
      { a: 200, b: 200 },
    ]);
    expect(await probeTestTraffic(settings, f.deps)).toBe(true);
  });

  it('fails (CodeDeploy rolls back) when an address stays unhealthy for every attempt', async () => {
    const f = fake([
      { a: 200, b: 500 },
      { a: 200, b: 500 },
      { a: 200, b: 404 },
    ]);
    expect(await handleTestTrafficHook(event, settings, f.deps)).toBe('Failed');
    expect(f.reports).toEqual(['d-123 exec-1 Failed']);
  });

  it('fails when it finds no address to probe (nothing was checked)', async () => {
    const f = fake([{}, {}, {}]);
    expect(await handleTestTrafficHook(event, settings, f.deps)).toBe('Failed');
  });

  it('still reports Failed when the probe itself breaks (never leaves the deployment waiting)', async () => {
    const f = fake([]);
    f.deps.addresses = async () => {
      throw new Error('AccessDenied');
    };
    expect(await handleTestTrafficHook(event, settings, f.deps)).toBe('Failed');
    expect(f.reports).toEqual(['d-123 exec-1 Failed']);
  });

  it('reads its settings from the environment, with defaults, and names a bad variable', () => {
    expect(settingsFromEnv({ PROBE_HOST: 'example.com', PROBE_PORT: '8443', PROBE_PATH: '/health' })).toEqual(
      { host: 'example.com', port: 8443, path: '/health', attempts: 10, intervalMs: 6000 },
    );
    expect(() => settingsFromEnv({ PROBE_HOST: 'example.com', PROBE_PATH: '/h' })).toThrow(/PROBE_PORT/);
    expect(() => settingsFromEnv({ PROBE_HOST: 'x', PROBE_PORT: '443', PROBE_PATH: 'health' })).toThrow(
      /PROBE_PATH must start with/,
    );
    expect(() => settingsFromEnv({ PROBE_PORT: '8443', PROBE_PATH: '/h' })).toThrow(/PROBE_HOST is not set/);
  });
});

describe('the bundled handler (serverless/test-traffic-hook/handler.ts, with fake SDK clients)', () => {
  const nodeRequire = createRequire(__filename);
  /** The package's index.js, loaded with the runtime's SDK replaced by recorders. */
  function loadBundle() {
    const code = Buffer.from(
      unzipSync(readFileSync(lambdaPackage('test-traffic-hook').zipPath))['index.js'],
    ).toString();
    const sent: unknown[] = [];
    const command = (name: string) =>
      class {
        readonly name = name;
        constructor(readonly input: unknown) {}
      };
    const client = (reply: unknown) =>
      class {
        async send(c: unknown) {
          sent.push(c);
          return reply;
        }
      };
    const sdk: Record<string, unknown> = {
      '@aws-sdk/client-ec2': {
        EC2Client: client({ NetworkInterfaces: [{ PrivateIpAddress: '127.0.0.1' }] }),
        DescribeNetworkInterfacesCommand: command('DescribeNetworkInterfaces'),
      },
      '@aws-sdk/client-codedeploy': {
        CodeDeployClient: client({}),
        PutLifecycleEventHookExecutionStatusCommand: command('PutLifecycleEventHookExecutionStatus'),
      },
    };
    const mod: any = { exports: {} };
    new Function('module', 'exports', 'require', code)(
      mod,
      mod.exports,
      (n: string) => sdk[n] ?? nodeRequire(n),
    );
    return { handler: mod.exports.handler as (e: typeof event) => Promise<string>, sent };
  }
  const saved = { ...process.env };
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  afterAll(() => {
    process.env = saved;
    log.mockRestore();
  });

  it('reports Failed when its settings are broken (a deployment never waits for the hook timeout)', async () => {
    const { handler, sent } = loadBundle();
    delete process.env.PROBE_HOST;
    expect(await handler(event)).toBe('Failed');
    expect(sent).toEqual([
      {
        name: 'PutLifecycleEventHookExecutionStatus',
        input: { deploymentId: 'd-123', lifecycleEventHookExecutionId: 'exec-1', status: 'Failed' },
      },
    ]);
  });

  it("finds the load balancer's interfaces by its description, and reports Failed when they do not answer", async () => {
    const { handler, sent } = loadBundle();
    Object.assign(process.env, {
      PROBE_HOST: 'example.com',
      PROBE_PORT: '1',
      PROBE_PATH: '/health',
      PROBE_ATTEMPTS: '1',
      ALB_ID: 'app/webplat-prod-alb/0123456789abcdef',
    });
    expect(await handler(event)).toBe('Failed');
    expect(sent).toEqual([
      {
        name: 'DescribeNetworkInterfaces',
        input: { Filters: [{ Name: 'description', Values: ['ELB app/webplat-prod-alb/0123456789abcdef'] }] },
      },
      expect.objectContaining({ name: 'PutLifecycleEventHookExecutionStatus' }),
    ]);
  });
});

describe('the hook deployed per blue/green service (compute layer on a bare stack)', () => {
  const out = compute(configOf('prod'));
  const [fn] = byPrefix(out, 'aws_lambda_function', 'TestTrafficHook-backend_');
  const groupId = (id: string) => `\${aws_security_group.${id}.id}`;
  const [hookGroupId] = out
    .resources('aws_security_group')
    .filter(([, g]) => g.name === 'webplat-prod-backend-test-traffic')
    .map(([id]) => id);
  const GROUP =
    'arn:aws:codedeploy:us-east-1:111111111111:deploymentgroup:webplat-prod-backend/webplat-prod-backend';

  it('is a function named by the CodeDeploy convention, for the blue/green service only', () => {
    expect(out.resources('aws_lambda_function').map(([, f]) => f.function_name)).toEqual([
      'CodeDeployHook_webplat-prod-backend-test-traffic',
    ]);
    expect(testTrafficHookName('webplat-prod', 'backend')).toBe(fn.function_name);
    expect(fn).toMatchObject({ runtime: 'nodejs22.x', tracing_config: { mode: 'Active' } });
    expect(fn.filename).toMatch(/\/test-traffic-hook-[0-9a-f]{32}\.zip$/);
    // An environment without blue/green has none.
    expect(compute(configOf('dev')).count('aws_lambda_function')).toBe(0);
  });

  it('runs in the private subnets with its own group, which reaches only the test listener and AWS APIs', () => {
    expect(fn.vpc_config).toEqual({
      subnet_ids: [...SUBNETS.private],
      security_group_ids: [groupId(hookGroupId)],
    });
    const egress = out
      .resources('aws_vpc_security_group_egress_rule')
      .map(([, r]) => r)
      .filter((r) => r.security_group_id === groupId(hookGroupId));
    expect(
      egress.map((r) => [r.cidr_ipv4 ?? r.referenced_security_group_id, r.from_port, r.to_port]),
    ).toEqual([
      ['0.0.0.0/0', 443, 443],
      [expect.stringMatching(/aws_security_group\.Alb_Group_\w+\.id/), 8443, 8443],
    ]);
    // The load balancer's group admits it on the test listener's port.
    const admitted = out
      .resources('aws_vpc_security_group_ingress_rule')
      .map(([, r]) => r)
      .filter((r) => r.referenced_security_group_id === groupId(hookGroupId));
    expect(admitted).toEqual([
      expect.objectContaining({
        security_group_id: expect.stringMatching(/aws_security_group\.Alb_Group_\w+\.id/),
        from_port: 8443,
        to_port: 8443,
      }),
    ]);
  });

  it("probes the service's health path through the test listener and outlives its last round", () => {
    expect(fn.environment.variables).toEqual({
      PROBE_HOST: configOf('prod').dns.domainName,
      PROBE_PORT: '8443',
      PROBE_PATH: '/api/v1/health',
      PROBE_ATTEMPTS: String(PROBE_ATTEMPTS),
      PROBE_INTERVAL_SECONDS: String(PROBE_INTERVAL_SECONDS),
      ALB_ID: 'app/webplat-alb/0123456789abcdef',
    });
    // Every round at its slowest (5 s per probe) and the pauses: a hook that timed out would not report.
    expect(fn.timeout).toBe(HOOK_TIMEOUT_SECONDS);
    expect(fn.timeout).toBeGreaterThan(PROBE_ATTEMPTS * (5 + PROBE_INTERVAL_SECONDS));
    expect(settingsFromEnv(fn.environment.variables)).toMatchObject({ port: 8443, path: '/api/v1/health' });
  });

  it('has a role that reports on its own deployment group and places interfaces only in its subnets (evaluated)', async () => {
    const text = byPrefix(out, 'aws_iam_role_policy', 'TestTrafficHook-backend_')[0].policy;
    const statements = policy(text).Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual([
      'OwnLogGroup',
      'XRayTraces',
      'VpcInterfacesInOwnSubnets',
      'ManageVpcInterfaces',
      'DescribeVpcNetwork',
      'ReportHookStatus',
    ]);
    // The simulator's data lists this action on "*" only; CodeDeploy authorizes it on the group.
    expect(statements.find((s: any) => s.Sid === 'ReportHookStatus')).toEqual({
      Sid: 'ReportHookStatus',
      Effect: 'Allow',
      Action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
      Resource: GROUP,
    });
    const doc = text
      .replace(/\$\{aws_security_group\.[^}]+\.id\}/g, 'sg-0123456789abcdef0')
      .replace(
        /\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}/g,
        'arn:aws:logs:us-east-1:111111111111:log-group:x',
      );
    const ec2 = 'arn:aws:ec2:us-east-1:111111111111';
    const can = (action: string, resource: string) =>
      decide({
        identity: [doc],
        principalArn: 'arn:aws:iam::111111111111:role/webplat-prod-backend-test-traffic-fn',
        action,
        resource,
      });
    expect(await can('ec2:DescribeNetworkInterfaces', '*')).toBe('Allowed');
    expect(await can('ec2:CreateNetworkInterface', `${ec2}:subnet/${SUBNETS.private[0]}`)).toBe('Allowed');
    expect(await can('ec2:CreateNetworkInterface', `${ec2}:security-group/sg-0123456789abcdef0`)).toBe(
      'Allowed',
    );
    expect(await can('ec2:CreateNetworkInterface', `${ec2}:subnet/${SUBNETS.public[0]}`)).not.toBe('Allowed');
    expect(await can('ec2:CreateNetworkInterface', `${ec2}:security-group/sg-0fffffffffffffff0`)).not.toBe(
      'Allowed',
    );
    expect(await can('lambda:InvokeFunction', 'arn:aws:lambda:us-east-1:111111111111:function:x')).not.toBe(
      'Allowed',
    );
  });

  it('declares the contract the role-contract suite evaluates: its calls, another group, routes, secrets', () => {
    const contract = computeContracts(configOf('prod'))['webplat-prod-backend-test-traffic-fn'];
    const allowed = contract.allow.map((r: any) => `${r.action} ${r.resource}`);
    expect(allowed).toEqual(
      expect.arrayContaining([
        `codedeploy:PutLifecycleEventHookExecutionStatus ${GROUP}`,
        'ec2:DescribeNetworkInterfaces *',
      ]),
    );
    expect(contract.allow.find((r: any) => r.action.startsWith('codedeploy:')).because).toMatch(
      /^serverless\/test-traffic-hook\/handler\.ts: PutLifecycleEventHookExecutionStatusCommand/,
    );
    const denied = contract.deny.map((r: any) => `${r.action} ${r.resource}`);
    expect(denied).toEqual(
      expect.arrayContaining([
        `codedeploy:PutLifecycleEventHookExecutionStatus ${GROUP.replace(/backend/g, 'other')}`,
        expect.stringMatching(
          /^codedeploy:PutLifecycleEventHookExecutionStatus .*webplat-prod2-backend\/webplat-prod2-backend$/,
        ),
        expect.stringMatching(/^lambda:InvokeFunction /),
        expect.stringMatching(/^secretsmanager:GetSecretValue /),
        expect.stringMatching(/^iam:CreateRole /),
      ]),
    );
  });

  it("is the only function CodeDeploy's role for the service may invoke", () => {
    const statements = policy(
      byPrefix(out, 'aws_iam_role_policy', 'Deployment-backend_')[0].policy,
    ).Statement;
    expect(
      statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('lambda:'))),
    ).toEqual([
      {
        Sid: 'InvokeTestTrafficHook',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: expect.stringMatching(
          /^\$\{aws_lambda_function\.TestTrafficHook-backend_Function_\w+\.arn\}$/,
        ),
      },
    ]);
  });

  it('refuses a service whose hook name would pass 64 characters (the AppSpec derives it: never shortened)', () => {
    // The longest names the schema admits (environment 10, service 20) exceed Lambda's 64.
    const long = 'backend-long-name-20';
    const config = configOf('prod', (env) => {
      env.name = 'production';
      env.services[long] = env.services.backend;
      delete env.services.backend;
      env.database.legacyTablesOwner = long;
    });
    expect(testTrafficHookName('webplat-production', long).length).toBeGreaterThan(64);
    expect(() => compute(config)).toThrow(
      new RegExp(`services\\.${long}: its test-traffic hook .* 64 characters`),
    );
  });
});

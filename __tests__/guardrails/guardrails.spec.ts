/** Policy guardrails at synthesis (constructs/core/guardrails.ts, guardrail-rules.ts). */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { CloudfrontVpcOrigin } from '@cdktf/provider-aws/lib/cloudfront-vpc-origin';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LambdaFunctionUrl } from '@cdktf/provider-aws/lib/lambda-function-url';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import {
  applyGuardrails,
  guardrailResultOf,
  guardrailReport,
  GuardrailViolation,
  waiveGuardrail,
  type GuardrailOptions,
} from '../../constructs/core/guardrails';
import { ipKeyedRules, ipKeyedStatements } from '../../constructs/core/waf-ip-keys';
import { managedRuleGroup, rateLimitRule } from '../../constructs/core/web-firewall';
import { GUARD_RULES, type GuardRule } from '../../environments/schema/guards';
import { bareStack } from '../support/bare';
import { appGuardrailReport, appStack, appStackIds } from '../support/app-synth';
import { buildStacks, envInput, registryOf } from '../support/fixtures';
import { registry } from '../../environments';

const db = (scope: Construct, id: string, extra: Record<string, unknown> = {}) =>
  new DbInstance(scope, id, {
    instanceClass: 'db.t4g.micro',
    engine: 'postgres',
    allocatedStorage: 20,
    storageEncrypted: true,
    enabledCloudwatchLogsExports: ['postgresql'],
    deletionProtection: true,
    lifecycle: { preventDestroy: true },
    ...extra,
  });

/** Per rule: a deliberately bad construct, its path in the stack, and whether it is production. */
const BAD: Array<[GuardRule, string, (s: Construct) => void, boolean]> = [
  ['encryption-at-rest', 'Db', (s) => db(s, 'Db', { storageEncrypted: false }), false],
  ['encryption-at-rest', 'Bucket', (s) => new S3Bucket(s, 'Bucket', {}), false],
  ['tls', 'Listener', (s) => new LbListener(s, 'Listener', listener('HTTP')), false],
  ['tls', 'Bucket', (s) => new S3Bucket(s, 'Bucket', {}), false],
  ['public-exposure', 'Ssh', (s) => worldIngress(s, 'Ssh', 22), false],
  ['public-exposure', 'Db', (s) => db(s, 'Db', { publiclyAccessible: true }), false],
  ['public-exposure', 'Bucket', (s) => new S3Bucket(s, 'Bucket', {}), false],
  ['public-exposure', 'Alb', (s) => alb(s), false],
  ['logging', 'Alb', (s) => alb(s), false],
  ['logging', 'Db', (s) => db(s, 'Db', { enabledCloudwatchLogsExports: [] }), false],
  ['iam-wildcard', 'Policy', (s) => rolePolicy(s, ['s3:*']), false],
  ['iam-wildcard', 'Policy', (s) => rolePolicy(s, ['*']), false],
  ['iam-boundary', 'Role', (s) => role(s), false],
  ['deletion-protection', 'Db', (s) => db(s, 'Db', { deletionProtection: false }), true],
  ['deletion-protection', 'Table', (s) => table(s, false), true],
  ['prevent-destroy', 'Db', (s) => db(s, 'Db', { lifecycle: {} }), true],
  ['backup-coverage', 'Db', (s) => db(s, 'Db'), true],
  ['backup-coverage', 'Plan', (s) => backupPlan(s, false), true],
  ['backup-coverage', 'Vault', (s) => new BackupVault(s, 'Vault', { name: 'v' }), true],
  ['public-exposure', 'Eks', (s) => eks(s, { endpointPublicAccess: true }), false],
  ['logging', 'Eks', (s) => eks(s, { endpointPublicAccess: false }, []), false],
  ['public-exposure', 'Url', (s) => functionUrl(s), false],
  ['waf-viewer-ip', 'Acl', (s) => aclOnAlb(s, { internal: true, vpcOrigin: true }), false],
  [
    'tags',
    'provider.aws',
    (s) => new AwsProvider(s, 'Untagged', { region: 'us-east-1', alias: 'untagged' }),
    false,
  ],
];

/** A backup plan with one daily rule, copied to another region's vault or not. */
function backupPlan(scope: Construct, copied: boolean): BackupPlan {
  return new BackupPlan(scope, 'Plan', {
    name: 'p',
    rule: [
      {
        ruleName: 'daily',
        targetVaultName: 'v',
        schedule: 'cron(0 3 * * ? *)',
        ...(copied
          ? { copyAction: [{ destinationVaultArn: 'arn:aws:backup:us-west-2:111111111111:backup-vault:dr' }] }
          : {}),
      },
    ],
  });
}

/** Findings of `build` on a bare stack with guardrails (none when it synthesizes). */
function findingsOf(build: (s: Construct) => void, options: GuardrailOptions = {}) {
  const { stack } = bareStack();
  applyGuardrails(stack, options);
  build(stack);
  try {
    Testing.synth(stack);
    return [];
  } catch (e) {
    if (!(e instanceof GuardrailViolation)) throw e;
    return e.findings;
  }
}

describe('each rule', () => {
  it('covers every guard rule the waiver schema knows', () => {
    expect(new Set(BAD.map(([rule]) => rule))).toEqual(new Set(GUARD_RULES));
  });

  it.each(BAD)('%s fires on a bad construct (%s)', (rule, path, build, production) => {
    const findings = findingsOf(build, { production });
    expect(
      findings.map((f) => `${f.rule} ${f.path.replace('provider.aws.untagged', 'provider.aws')}`),
    ).toContain(`${rule} ${path}`);
  });

  it('production rules stay quiet outside production', () => {
    const rules = findingsOf((s) => db(s, 'Db', { deletionProtection: false, lifecycle: {} })).map(
      (f) => f.rule,
    );
    expect(rules).not.toContain('deletion-protection');
    expect(rules).not.toContain('prevent-destroy');
  });

  it('asks no deletion protection of a read replica (its source holds the data)', () => {
    const replica = { replicateSourceDb: 'source-db', deletionProtection: false, skipFinalSnapshot: true };
    expect(findingsOf((s) => db(s, 'Replica', replica), { production: true })).toEqual([]);
  });

  it('counts production data as covered when a backup selection names it, in a locked vault, copied', () => {
    const covered = (s: Construct) => {
      const database = db(s, 'Db');
      const vault = new BackupVault(s, 'Vault', { name: 'v', lifecycle: { preventDestroy: true } });
      new BackupVaultLockConfiguration(s, 'Lock', { backupVaultName: vault.name, minRetentionDays: 7 });
      const plan = backupPlan(s, true);
      new BackupSelection(s, 'Selection', {
        name: 's',
        planId: plan.id,
        iamRoleArn: 'arn:aws:iam::111111111111:role/backup',
        resources: [database.arn],
      });
    };
    expect(findingsOf(covered, { production: true })).toEqual([]);
  });

  it('takes a waiver in code for what AWS Backup cannot cover, moot outside production', () => {
    const waived = (s: Construct) =>
      waiveGuardrail(db(s, 'Db'), 'backup-coverage', 'restored from the source system');
    expect(findingsOf(waived, { production: true })).toEqual([]);
    const { stack } = bareStack();
    applyGuardrails(stack, {});
    waived(stack);
    Testing.synth(stack);
    // Outside production the rule judges nothing: its waiver is not reported as idle either.
    expect(guardrailResultOf(stack)?.waived).toEqual([]);
  });

  it('judges no resource type its tables do not name', () => {
    expect(
      findingsOf((s) => new CloudwatchDashboard(s, 'Dash', { dashboardName: 'x', dashboardBody: '{}' })),
    ).toEqual([]);
  });

  it('admits HTTPS from the world, a redirecting HTTP listener and a TLS 1.3 HTTPS listener', () => {
    const findings = findingsOf((s) => {
      worldIngress(s, 'HttpsIn', 443);
      new LbListener(s, 'Redirect', {
        ...listener('HTTP'),
        defaultAction: [
          { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
        ],
      });
      new LbListener(s, 'Https', { ...listener('HTTPS'), sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    });
    expect(findings).toEqual([]);
  });
});

describe('waf-viewer-ip', () => {
  const wafFindings = (build: (s: Construct) => void) =>
    findingsOf(build).filter((f) => f.rule === 'waf-viewer-ip');

  it('fires on an IP rate limit in the ACL of an internal ALB that a VPC origin reaches', () => {
    const [finding] = wafFindings((s) => aclOnAlb(s, { internal: true, vpcOrigin: true }));
    expect(finding).toMatchObject({ path: 'Acl', address: expect.stringMatching(/^aws_wafv2_web_acl\./) });
    expect(finding.why).toMatch(
      /rate-limit-per-ip \(rate-based by IP\) on Alb, which only a CloudFront VPC origin/,
    );
  });

  it('finds an IP reputation group, and a forwarded-IP key nested under and/not, in rule_json too', () => {
    const nested = {
      name: 'nested',
      priority: 5,
      action: { block: {} },
      statement: {
        and_statement: {
          statement: [
            { byte_match_statement: { search_string: '/api' } },
            { not_statement: { statement: [{ ip_set_reference_statement: { arn: 'arn:x' } }] } },
          ],
        },
      },
      visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'n' },
    };
    const [finding] = wafFindings((s) =>
      aclOnAlb(s, {
        internal: true,
        vpcOrigin: true,
        rules: [managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 10), nested],
      }),
    );
    expect(finding.why).toMatch(
      /AWSManagedRulesAmazonIpReputationList \(AWSManagedRulesAmazonIpReputationList\), nested \(IP set\)/,
    );
    const json = JSON.stringify([
      { Name: 'fwd', Statement: { RateBasedStatement: { Limit: 100, AggregateKeyType: 'FORWARDED_IP' } } },
    ]);
    expect(ipKeyedRules({ rule_json: json })).toEqual(['fwd (rate-based by FORWARDED_IP)']);
  });

  it('tells IP-keyed statements from those that judge the request', () => {
    expect(
      ipKeyedStatements({
        or_statement: {
          statement: [
            { geo_match_statement: { country_codes: ['KP'] } },
            { asn_match_statement: { asn_list: [64496] } },
            {
              rate_based_statement: {
                aggregate_key_type: 'CUSTOM_KEYS',
                custom_key: [{ forwarded_ip: {} }],
                scope_down_statement: {
                  managed_rule_group_statement: { name: 'AWSManagedRulesAnonymousIpList' },
                },
              },
            },
          ],
        },
      }),
    ).toEqual(['geo match', 'ASN match', 'rate-based by an IP custom key', 'AWSManagedRulesAnonymousIpList']);
    expect(ipKeyedStatements({ rate_based_statement: { limit: 100 } })).toEqual(['rate-based by IP']);
    expect(
      [
        { rate_based_statement: { limit: 100, aggregate_key_type: 'CONSTANT' } },
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 20).statement,
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 30).statement,
        { label_match_statement: { scope: 'LABEL', key: 'x' } },
      ].flatMap(ipKeyedStatements),
    ).toEqual([]);
  });

  it('stays quiet where the ALB sees viewers: internet-facing, or internal without a VPC origin', () => {
    expect(wafFindings((s) => aclOnAlb(s, { internal: false, vpcOrigin: true }))).toEqual([]);
    expect(wafFindings((s) => aclOnAlb(s, { internal: true, vpcOrigin: false }))).toEqual([]);
  });

  it('stays quiet behind a VPC origin when the ACL has no IP-keyed rule', () => {
    const rules = [managedRuleGroup('AWSManagedRulesCommonRuleSet', 20)];
    expect(wafFindings((s) => aclOnAlb(s, { internal: true, vpcOrigin: true, rules }))).toEqual([]);
  });
});

describe('a violation', () => {
  it('stops synthesis listing every finding with rule, path, address and why', () => {
    const { stack } = bareStack();
    applyGuardrails(stack);
    new S3Bucket(stack, 'Bucket', {});
    worldIngress(stack, 'Ssh', 22);
    const error = (() => {
      try {
        Testing.synth(stack);
      } catch (e) {
        return e as Error;
      }
      throw new Error('synthesized');
    })();
    expect(error.message).toMatch(/^Guardrails of bare: 4 findings/);
    expect(error.message).toMatch(
      /\[encryption-at-rest\] Bucket \(aws_s3_bucket\.Bucket\): no default encryption/,
    );
    expect(error.message).toMatch(/\[tls\] Bucket .*aws:SecureTransport/);
    expect(error.message).toMatch(/\[public-exposure\] Bucket .*public access block/);
    expect(error.message).toMatch(/\[public-exposure\] Ssh .*port 22/);
  });
});

describe('waivers', () => {
  const waiver = {
    rule: 'public-exposure' as const,
    resource: 'Ssh',
    reason: 'break-glass SSH, removed by Friday',
  };

  it('lift the named rule on the named resource and are reported', () => {
    const { stack } = bareStack();
    applyGuardrails(stack, { waivers: [waiver] });
    worldIngress(stack, 'Ssh', 22);
    Testing.synth(stack);
    const result = guardrailResultOf(stack)!;
    expect(result.waived).toEqual([expect.objectContaining({ ...waiver, source: 'guards.waivers[0]' })]);
    // One line per stack in the output; each waiver, with its reason, in the report file.
    const report = guardrailReport([result]);
    expect(report.text).toBe(
      'Guardrails waived in bare: 1 (public-exposure 1) (guardrails.json lists each with its reason)',
    );
    expect(report.json).toMatchObject({
      stacks: [
        {
          stack: 'bare',
          waived: [{ ...waiver, source: 'guards.waivers[0]', findings: [expect.any(String)] }],
        },
      ],
    });
  });

  it('lift nothing else: another rule or resource still fails', () => {
    expect(
      findingsOf(
        (s) => {
          worldIngress(s, 'Ssh', 22);
          worldIngress(s, 'Rdp', 3389);
        },
        { waivers: [waiver] },
      ).map((f) => f.path),
    ).toEqual(['Rdp']);
  });

  it('in code take the construct and need a reason', () => {
    expect(
      findingsOf((s) =>
        waiveGuardrail(worldIngress(s, 'Ssh', 22), 'public-exposure', 'documented exception'),
      ),
    ).toEqual([]);
    const { stack } = bareStack();
    applyGuardrails(stack);
    expect(() => waiveGuardrail(worldIngress(stack, 'Ssh', 22), 'public-exposure', ' ')).toThrow(
      /reason: a waiver needs a reason/,
    );
  });

  it('in config are rejected without a reason, with the path', () => {
    const env = envInput('dev');
    env.guards = { waivers: [{ rule: 'tls', resource: 'Network/Vpc', reason: '' }] };
    expect(() => registryOf([env])).toThrow(/guards\.waivers\[0\]\.reason: a waiver needs a reason/);
  });

  it('naming no resource of the stack are an error with the path', () => {
    const env = envInput('dev');
    env.guards = { waivers: [{ rule: 'tls', resource: 'Edge/Nothing', reason: 'x' }] };
    const stack = buildStacks(registryOf([env])).platform.dev;
    expect(() => Testing.synth(stack)).toThrow(
      /guards\.waivers\[0\]\.resource: Edge\/Nothing is no resource/,
    );
  });
});

// The app's own synthesis of this run (support/app-synth.ts): it stops at the first stack with a
// finding, so every stack it wrote passed; its report lists each stack's waivers in use.
describe('the platform', () => {
  const report = appGuardrailReport();

  it('reports every stack the app synthesizes', () => {
    expect(report.stacks.map((s) => s.stack).sort()).toEqual([...appStackIds()].sort());
  });

  it.each(appStackIds())('%s synthesizes clean', (id) => {
    expect(appStack(id).json.resource).toBeDefined();
    const result = report.stacks.find((s) => s.stack === id)!;
    // Every waiver in use still waives something (none kept out of habit).
    for (const w of result.waived) expect(`${w.resource}: ${w.findings.length}`).not.toBe(`${w.resource}: 0`);
  });

  it('platform-prod: the data bucket replicas are waived from backup-coverage as copies', () => {
    const prod = report.stacks.find((s) => s.stack === 'platform-prod')!;
    const replicas = (prod.waived as Array<{ rule?: string; resource: string; reason?: string }>).filter(
      (w) => w.resource.startsWith('Data/BucketReplication/'),
    );
    expect(replicas.map((w) => [w.rule, w.resource]).sort()).toEqual(
      Object.keys(registry.environments.prod.buckets)
        .map((b) => ['backup-coverage', `Data/BucketReplication/Recovery/Bucket-${b}/Bucket/Bucket`])
        .sort(),
    );
    for (const w of replicas)
      expect(w.reason).toMatch(/^S3 replica of the [\w-]+ bucket in the recovery region: a copy/);
  });
});

function listener(protocol: string) {
  return {
    loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/x/1',
    port: protocol === 'HTTP' ? 80 : 443,
    protocol,
    defaultAction: [
      { type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } },
    ],
  };
}

function worldIngress(scope: Construct, id: string, port: number) {
  return new VpcSecurityGroupIngressRule(scope, id, {
    securityGroupId: 'sg-0123456789abcdef0',
    cidrIpv4: '0.0.0.0/0',
    ipProtocol: 'tcp',
    fromPort: port,
    toPort: port,
  });
}

function alb(scope: Construct) {
  return new Lb(scope, 'Alb', { name: 'x', internal: false, subnets: ['subnet-1', 'subnet-2'] });
}

/** A regional web ACL (an IP rate limit by default) associated with an ALB, which a VPC origin may target. */
function aclOnAlb(
  scope: Construct,
  options: { internal: boolean; vpcOrigin: boolean; rules?: Wafv2WebAclRule[] },
) {
  const lb = new Lb(scope, 'Alb', {
    name: 'x',
    internal: options.internal,
    subnets: ['subnet-1', 'subnet-2'],
  });
  const acl = new Wafv2WebAcl(scope, 'Acl', {
    name: 'x',
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    rule: options.rules ?? [rateLimitRule('rate-limit-per-ip', 1, 2000)],
    visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'x' },
  });
  new Wafv2WebAclAssociation(scope, 'Association', { resourceArn: lb.arn, webAclArn: acl.arn });
  if (options.vpcOrigin)
    new CloudfrontVpcOrigin(scope, 'VpcOrigin', {
      vpcOriginEndpointConfig: [
        {
          name: 'x',
          arn: lb.arn,
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: 'https-only',
          originSslProtocols: [{ items: ['TLSv1.2'], quantity: 1 }],
        },
      ],
    });
}

function role(scope: Construct) {
  return new IamRole(scope, 'Role', {
    name: 'webplat-dev-x',
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
  });
}

function rolePolicy(scope: Construct, actions: string[]) {
  new IamRolePolicy(scope, 'Policy', {
    role: 'webplat-dev-x',
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
    }),
  });
}

function eks(scope: Construct, vpc: Record<string, unknown>, logs = ['api', 'audit']) {
  new EksCluster(scope, 'Eks', {
    name: 'x',
    roleArn: 'arn:aws:iam::111111111111:role/x',
    vpcConfig: { subnetIds: ['subnet-1', 'subnet-2'], ...vpc },
    enabledClusterLogTypes: logs,
    encryptionConfig: {
      resources: ['secrets'],
      provider: { keyArn: 'arn:aws:kms:us-east-1:111111111111:key/x' },
    },
  });
}

function functionUrl(scope: Construct) {
  new LambdaFunctionUrl(scope, 'Url', { functionName: 'x', authorizationType: 'NONE' });
}

function table(scope: Construct, protect: boolean) {
  new DynamodbTable(scope, 'Table', {
    name: 'x',
    hashKey: 'id',
    attribute: [{ name: 'id', type: 'S' }],
    billingMode: 'PAY_PER_REQUEST',
    serverSideEncryption: { enabled: true },
    deletionProtectionEnabled: protect,
    lifecycle: { preventDestroy: true },
  });
}

/** Whole-platform properties, checked over every synthesized environment. */
import { readFileSync } from 'node:fs';
import { ipKeyedRules } from '../../constructs/core/waf-ip-keys';
import { WILDCARD_RESOURCE_ACTIONS } from '../../constructs/core/iam';
import { join } from 'node:path';
import { parseEnvironmentConfig, registry, type EnvironmentConfig } from '../../environments';
import { statefulAddresses } from '../../scripts/stateful-addresses';
import { appStack, appStackIds, appStacks } from '../support/app-synth';
import { envInput, policy, synthPlatform, type Synthesized } from '../support/fixtures';

const stacks = appStacks();

/**
 * `input` with eight more services: copies of its first routed service on their own paths (rolling,
 * no migrations, declaration-order priorities). The platform's properties must hold whatever the
 * number of services: a team that adds services never edits these tests.
 */
function withEightMoreServices(input: any): any {
  const [, model] = Object.entries<any>(input.services).find(
    ([, s]) => s.pathPatterns && !(s.pathPatterns.length === 1 && s.pathPatterns[0] === '/*'),
  )!;
  for (let i = 1; i <= 8; i++) {
    const copy = structuredClone(model);
    for (const key of ['deployment', 'migrations', 'priority']) delete copy[key];
    input.services[`svc${i}`] = { ...copy, pathPatterns: [`/svc${i}/*`] };
  }
  return input;
}

/** Every environment as the registry defines it, and each again with ten services or more. */
const platforms: Array<[string, Synthesized, EnvironmentConfig]> = [
  ...Object.entries(stacks.platform).map(
    ([name, out]) => [name, out, registry.environments[name]] as [string, Synthesized, EnvironmentConfig],
  ),
  ...Object.keys(registry.environments).map((name): [string, Synthesized, EnvironmentConfig] => {
    const input = withEightMoreServices(envInput(name as 'dev'));
    return [`${name} with eight more services`, synthPlatform(input), parseEnvironmentConfig(input)];
  }),
];

function groupIdOf(ref: string): string {
  return /aws_security_group\.([^.]+)\.id/.exec(ref)?.[1] ?? ref;
}

/** The private subnets' CIDRs: what a NAT instance forwards. */
const natClients = (out: Synthesized): string[] =>
  out
    .resources('aws_subnet')
    .filter(([, s]) => s.tags?.Tier === 'private')
    .map(([, s]) => s.cidr_block);

describe.each(platforms)('%s', (_name, out: Synthesized, config: EnvironmentConfig) => {
  // Blue/green services' test listener ports (config): the ALB admits the VPC there, nothing else.
  const testPorts = Object.values(config.services).flatMap((s) =>
    s.deployment.type === 'blueGreen' ? [s.deployment.testListenerPort] : [],
  );
  it('opens only the ALB to the world, on 80/443; every other ingress names a peer group (or is an endpoint 443 from the VPC)', () => {
    const groups = Object.fromEntries(out.resources('aws_security_group').map(([id, g]) => [id, g]));
    for (const g of Object.values(groups)) expect(g.ingress).toBeUndefined();
    const albGroup = Object.entries(groups).find(([, g]) => g.name.endsWith('-alb'))![0];
    const vpcCidr = out.only('aws_vpc').cidr_block;
    const rules = out.resources('aws_vpc_security_group_ingress_rule').map(([, r]) => r);
    expect(rules.length).toBeGreaterThan(0);
    // A static frontend's internal ALB admits HTTPS from CloudFront's VPC origin in the private subnets.
    const { frontend, network } = config;
    const vpcOrigin = frontend.mode === 'static' && frontend.apiOrigin ? network.subnets.private : [];
    for (const r of rules) {
      const group = groupIdOf(r.security_group_id);
      expect(r.description).toBeTruthy();
      if (r.referenced_security_group_id) continue;
      if (group === albGroup && vpcOrigin.includes(r.cidr_ipv4)) {
        expect([r.from_port, r.to_port]).toEqual([443, 443]);
        continue;
      }
      if (r.cidr_ipv4 === '0.0.0.0/0' || r.cidr_ipv6 === '::/0' || r.prefix_list_id) {
        expect(group).toBe(albGroup);
        expect([80, 443]).toContain(r.from_port);
        expect(r.to_port).toBe(r.from_port);
        continue;
      }
      if (group === albGroup && testPorts.includes(r.from_port)) {
        expect(r).toMatchObject({ cidr_ipv4: vpcCidr, to_port: r.from_port });
        continue;
      }
      // The NAT instance (natGateways 'instance') admits what it forwards: the private subnets, all protocols.
      if (groups[group].name.endsWith('-nat')) {
        expect(natClients(out)).toContain(r.cidr_ipv4);
        continue;
      }
      // The only other CIDR rule: interface endpoints admit HTTPS from the VPC.
      expect(groups[group].name).toMatch(/-endpoints$/);
      expect(r).toMatchObject({ cidr_ipv4: vpcCidr, from_port: 443, to_port: 443 });
    }
    // The default security group stays empty.
    expect(out.only('aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
  });

  it('lets the ALB out only to its services, each on its port', () => {
    const env = config;
    const albOut = out
      .resources('aws_vpc_security_group_egress_rule')
      .filter(([id]) => id.startsWith('LoadBalancer_'));
    // Fargate: one rule per service group; EKS: pods share the node group, one rule per service port.
    const expected =
      env.compute.platform === 'eks'
        ? new Set(Object.values(env.services).map((s) => s.port)).size
        : out.count('aws_ecs_service');
    expect(albOut.length).toBe(expected);
    for (const [, r] of albOut)
      expect(r.referenced_security_group_id).toMatch(/(Service-\w+|Nodes)_SecurityGroup/);
  });

  it('lets services out only on HTTPS and to the ports of the stores they use (no all-protocol rule)', () => {
    const rules = out
      .resources('aws_vpc_security_group_egress_rule')
      .filter(([, r]) => /Service-[\w-]+_SecurityGroup/.test(r.security_group_id))
      .map(([, r]) => r);
    // Fargate: every service has its own group; EKS: none (the nodes' test below).
    if (out.count('aws_ecs_service') > 0) expect(rules.length).toBeGreaterThan(0);
    else expect(rules).toEqual([]);
    for (const r of rules) {
      expect(r.ip_protocol).toBe('tcp');
      expect(r.to_port).toBe(r.from_port);
      if (r.referenced_security_group_id) {
        expect(r.referenced_security_group_id).toMatch(/(Database|Cache|Kafka)_SecurityGroup/);
      } else {
        expect(r).toMatchObject({ cidr_ipv4: '0.0.0.0/0', from_port: 443 });
      }
    }
  });

  it('lets EKS nodes out only on HTTPS, to the stores services use, the control plane and each other (no all-protocol rule)', () => {
    const rules = out
      .resources('aws_vpc_security_group_egress_rule')
      .filter(([, r]) => /Nodes_SecurityGroup/.test(r.security_group_id))
      .map(([, r]) => r);
    expect(rules.length > 0).toBe(config.compute.platform === 'eks');
    for (const r of rules) {
      expect(['tcp', 'udp']).toContain(r.ip_protocol);
      if (r.referenced_security_group_id?.includes('Nodes_SecurityGroup')) continue; // 53 and 1025-65535 among nodes
      expect(r.to_port).toBe(r.from_port);
      if (r.referenced_security_group_id) {
        expect(r.referenced_security_group_id).toMatch(
          /(Database|DatabaseProxy|Cache|Kafka|ControlPlane)_SecurityGroup/,
        );
      } else {
        expect(r).toMatchObject({ cidr_ipv4: '0.0.0.0/0', from_port: 443 });
      }
    }
  });

  it('delivers the frontend as configured: a container service behind the ALB, or CloudFront (no /* service)', () => {
    const mode = config.frontend.mode;
    const cloudFront = Object.keys(out.json.resource).filter((t) => t.startsWith('aws_cloudfront_'));
    const https = out.resources('aws_lb_listener').find(([, l]) => l.port === 443)![1];
    if (mode === 'container') {
      expect(cloudFront).toEqual([]);
      expect(https.default_action[0].type).toBe('forward');
    } else {
      expect(cloudFront).toContain('aws_cloudfront_distribution');
      expect(https.default_action[0].type).toBe('fixed-response');
    }
  });

  it('puts every service in private subnets, behind the circuit breaker or CodeDeploy rollback (by controller)', () => {
    const groups = out.resources('aws_codedeploy_deployment_group').map(([, g]) => g);
    for (const [, s] of out.resources('aws_ecs_service')) {
      expect(s.network_configuration.assign_public_ip).toBe(false);
      if (s.deployment_controller.type === 'CODE_DEPLOY') {
        const group = groups.find((g) => g.ecs_service.service_name === s.name);
        expect(group?.auto_rollback_configuration).toMatchObject({
          enabled: true,
          events: expect.arrayContaining(['DEPLOYMENT_FAILURE']),
        });
      } else {
        expect(s.deployment_controller.type).toBe('ECS');
        expect(s.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
      }
    }
  });
});

/**
 * Each web ACL with the load balancers it protects: `hidden` when internal and a CloudFront VPC origin
 * targets it (its requests come from CloudFront's interfaces, never from the viewers).
 */
function webAcls(out: Synthesized) {
  const mentions = (value: unknown, type: string, id: string) =>
    JSON.stringify(value).includes(`\${${type}.${id}.`);
  const vpcOrigins = out.resources('aws_cloudfront_vpc_origin').map(([, o]) => o);
  return out.resources('aws_wafv2_web_acl').map(([id, acl]) => {
    const balancers = out
      .resources('aws_wafv2_web_acl_association')
      .filter(([, a]) => mentions(a.web_acl_arn, 'aws_wafv2_web_acl', id))
      .flatMap(([, a]) => out.resources('aws_lb').filter(([lb]) => mentions(a.resource_arn, 'aws_lb', lb)))
      .map(([lb, body]) => ({
        internal: body.internal === true,
        hidden: body.internal === true && vpcOrigins.some((o) => mentions(o, 'aws_lb', lb)),
      }));
    return { acl, balancers };
  });
}

describe.each(platforms)('%s: WAF rules keyed on the source address', (_name, out, config) => {
  it("run only in web ACLs that see the viewers: none behind a VPC origin, the rate limit in CloudFront's and a public ALB's", () => {
    const acls = webAcls(out);
    expect(acls.length).toBeGreaterThan(0);
    for (const { acl, balancers } of acls) {
      const rate = acl.rule.find((r: any) => r.name === 'rate-limit-per-ip');
      if (balancers.some((b) => b.hidden)) {
        expect(ipKeyedRules(acl)).toEqual([]);
        expect(rate).toBeUndefined();
      } else if (acl.scope === 'CLOUDFRONT' || balancers.length > 0) {
        // CloudFront's ACL, or an internet-facing ALB's: the viewers' addresses.
        expect(rate.statement.rate_based_statement).toMatchObject({
          aggregate_key_type: 'IP',
          limit: config.waf.rateLimitPerIp,
        });
      }
    }
  });
});

describe('enterprise: CloudFront VPC origin to an internal ALB', () => {
  const out = appStack('platform-enterprise');
  const acls = webAcls(out);
  const regional = acls.find((a) => a.acl.scope === 'REGIONAL')!;
  const cloudFront = acls.find((a) => a.acl.scope === 'CLOUDFRONT')!;

  it("leaves the ALB's web ACL no IP-keyed rule, only rules that judge the request", () => {
    expect(regional.balancers).toEqual([{ internal: true, hidden: true }]);
    expect(ipKeyedRules(regional.acl)).toEqual([]);
    expect(regional.acl.rule.map((r: any) => r.name)).toEqual([
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
    ]);
  });

  it('rate-limits and checks IP reputation in the CloudFront web ACL, which sees the viewers', () => {
    expect(cloudFront.balancers).toEqual([]);
    expect(ipKeyedRules(cloudFront.acl)).toEqual([
      'rate-limit-per-ip (rate-based by IP)',
      'AWSManagedRulesAmazonIpReputationList (AWSManagedRulesAmazonIpReputationList)',
    ]);
    const rate = cloudFront.acl.rule.find((r: any) => r.name === 'rate-limit-per-ip');
    expect(rate.statement.rate_based_statement.limit).toBe(
      registry.environments.enterprise.waf.rateLimitPerIp,
    );
    expect(out.only('aws_cloudfront_distribution').web_acl_id).toMatch(
      /^\$\{aws_wafv2_web_acl\.SiteFirewall_/,
    );
  });
});

describe('adding a service', () => {
  it('is only a config entry: repository, target group, rule, service, scaling and a port-scoped ingress from the ALB', () => {
    const env = envInput('dev');
    env.services.admin = {
      port: 9000,
      cpu: 512,
      memory: 1024,
      desiredCount: 1,
      healthCheckPath: '/admin/health',
      pathPatterns: ['/admin/*'],
      autoscaling: { minCapacity: 1, maxCapacity: 2, cpuTargetPercent: 60 },
    };
    const before = synthPlatform(envInput('dev'));
    const out = synthPlatform(env);
    expect(out.count('aws_ecs_service')).toBe(before.count('aws_ecs_service') + 1);
    expect(out.resources('aws_ecr_repository').map(([, r]) => r.name)).toContain('webplat-dev-admin');
    expect(out.resources('aws_lb_target_group').map(([, t]) => t.name)).toContain('webplat-dev-admin');
    // Declared last, without a priority: the next step of 10 after every rule there was.
    const rules = out.resources('aws_lb_listener_rule').map(([, r]) => r);
    const last = Math.max(0, ...before.resources('aws_lb_listener_rule').map(([, r]) => r.priority));
    expect(rules.find((r) => r.condition[0].path_pattern.values[0] === '/admin/*')).toMatchObject({
      priority: last + 10,
    });
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .find(([id]) => id.startsWith('Service-admin_'))![1];
    expect(ingress).toMatchObject({ from_port: 9000, to_port: 9000, description: 'ALB to admin' });
    expect(ingress.referenced_security_group_id).toMatch(/LoadBalancer_SecurityGroup/);
    expect(out.count('aws_appautoscaling_target')).toBe(before.count('aws_appautoscaling_target') + 1);
    expect(Object.keys(out.json.output.service_names.value).sort()).toEqual(
      [...Object.keys(before.json.output.service_names.value), 'admin'].sort(),
    );
  });
});

describe('stateful resource addresses', () => {
  // Renaming a construct id changes the Terraform address, and Terraform then destroys the resource
  // and creates a new one. These pins make such a refactor fail here first. When a move is intended,
  // move the state with it (`terraform state mv` or a `moved` block), then run `npm run pin-addresses`.
  const repin =
    'a stateful address changed: a real apply would destroy and recreate the resource. If the move is ' +
    'intended, carry the state (moved block or `terraform state mv`), then run `npm run pin-addresses`';
  const pinned: Record<string, string[]> = JSON.parse(
    readFileSync(join(__dirname, '..', 'stateful-addresses.json'), 'utf8'),
  );
  const all = appStackIds();

  it('pins every stack', () => {
    const missing = all.filter((id) => !(id in pinned));
    if (missing.length > 0)
      throw new Error(`no pins for ${missing.join(', ')}: run \`npm run pin-addresses\``);
    expect(Object.keys(pinned).sort()).toEqual([...all].sort());
  });

  it.each(all)('%s keeps the addresses of its stateful resources', (id) => {
    const actual = statefulAddresses(appStack(id).json);
    if (JSON.stringify(actual) !== JSON.stringify(pinned[id])) {
      const gone = pinned[id].filter((a) => !actual.includes(a));
      const added = actual.filter((a) => !pinned[id].includes(a));
      throw new Error(
        `${id}: ${repin}.\n  pinned, now gone: ${gone.join(', ') || '-'}\n  new: ${added.join(', ') || '-'}`,
      );
    }
    expect(actual).toEqual(pinned[id]);
  });

  it.each(Object.values(registry.environments).map((e) => [e.name, e] as const))(
    '%s: the pins cover every data store its config declares',
    (name, env) => {
      const types = new Set(pinned[`platform-${name}`].map((a) => a.split('.')[0]));
      const expected = [
        'aws_kms_key',
        'aws_ecr_repository',
        'aws_s3_bucket',
        ...(env.database
          ? [env.database.engine === 'aurora-postgresql' ? 'aws_rds_cluster' : 'aws_db_instance']
          : []),
        ...(env.cache ? ['aws_elasticache_replication_group'] : []),
        ...(Object.keys(env.tables).length > 0 ? ['aws_dynamodb_table'] : []),
      ];
      for (const t of expected) expect(types).toContain(t);
    },
  );

  it('the committed environments exercise every pinned kind of store', () => {
    const types = new Set(
      Object.values(pinned)
        .flat()
        .map((a) => a.split('.')[0]),
    );
    for (const t of [
      'aws_db_instance',
      'aws_elasticache_replication_group',
      'aws_dynamodb_table',
      'aws_backup_vault',
    ])
      expect(types).toContain(t);
  });
});
describe('IAM across the platform', () => {
  it.each(Object.keys(registry.environments))(
    '%s: no wildcard actions; "*" resources only for the calls that accept nothing else',
    (name) => {
      const out = stacks.platform[name];
      const docs = [
        ...out.resources('aws_iam_role_policy').map(([id, p]) => [id, p.policy] as const),
        ...out.resources('aws_iam_policy').map(([id, p]) => [id, p.policy] as const),
      ];
      expect(docs.length).toBeGreaterThan(0);
      for (const [id, text] of docs) {
        for (const s of policy(text).Statement) {
          const actions: string[] = [s.Action].flat();
          for (const a of actions) expect(`${id}: ${a}`).not.toMatch(/\*/);
          const resources: string[] = [s.Resource].flat();
          if (resources.includes('*')) {
            for (const a of actions)
              expect(`${id}: ${a}`).toBe(
                `${id}: ${(WILDCARD_RESOURCE_ACTIONS as readonly string[]).find((w) => w === a)}`,
              );
          }
        }
      }
    },
  );
});

describe('recovery-region copies of the database (issue 28)', () => {
  const byName = (n: string) => platforms.find(([name]) => name === n)![1];
  it('prod: the RDS instance replicates its automated backups to us-west-2 under a key there', () => {
    const out = byName('prod');
    const reps = out.resources('aws_db_instance_automated_backups_replication');
    expect(reps).toHaveLength(1);
    const [, rep] = reps[0];
    expect(rep.provider).toBe('aws.dr');
    expect(rep.source_db_instance_arn).toMatch(/^\$\{aws_db_instance\.Database_Instance_\w+\.arn\}$/);
    expect(rep.retention_period).toBe(registry.environments.prod.database!.backupRetentionDays);
    const keyId = /^\$\{aws_kms_key\.(\w+)\.arn\}$/.exec(rep.kms_key_id)![1];
    const key = out.resources('aws_kms_key').find(([id]) => id === keyId)![1];
    expect(key.provider).toBe('aws.dr');
    expect(key.multi_region).toBeUndefined();
    const stmts = JSON.parse(key.policy).Statement;
    expect(stmts.find((s: { Sid: string }) => s.Sid === 'UseThroughRds').Condition.StringEquals).toEqual({
      'kms:CallerAccount': expect.any(String),
      'kms:ViaService': 'rds.us-west-2.amazonaws.com',
    });
  });

  it('dev (strategy none): no replication', () => {
    expect(byName('dev').count('aws_db_instance_automated_backups_replication')).toBe(0);
  });

  it('prod: every versioned data bucket replicates to a hardened replica in us-west-2', () => {
    const out = byName('prod');
    const names = Object.keys(registry.environments.prod.buckets);
    const accountId = registry.environments.prod.accountId;
    const bucketOf = (ref: string) => {
      const id = /^\$\{aws_s3_bucket\.([\w-]+)\.(?:arn|bucket|id)\}$/.exec(ref)![1];
      return [id, out.resources('aws_s3_bucket').find(([i]) => i === id)![1]] as const;
    };
    const on = (type: string, id: string) =>
      out.resources(type).find(([, r]) => String(r.bucket).includes(`aws_s3_bucket.${id}.`))?.[1];
    const reps = out.resources('aws_s3_bucket_replication_configuration');
    expect(reps).toHaveLength(names.length);
    const keyIds = new Set<string>();
    for (const [, rep] of reps) {
      expect(rep.provider).toBeUndefined();
      const [rule] = rep.rule;
      expect(rule).toMatchObject({
        id: 'data-to-recovery-region',
        status: 'Enabled',
        delete_marker_replication: { status: 'Enabled' },
        source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
        destination: { metrics: { status: 'Enabled' }, storage_class: 'STANDARD' },
      });
      const [replicaId, replica] = bucketOf(rule.destination.bucket);
      expect(replica.provider).toBe('aws.dr');
      expect(replica.bucket).toMatch(new RegExp(`^webplat-prod-(${names.join('|')})-replica-${accountId}$`));
      expect(replica.bucket.length).toBeLessThanOrEqual(63);
      expect(on('aws_s3_bucket_versioning', replicaId).versioning_configuration.status).toBe('Enabled');
      expect(on('aws_s3_bucket_public_access_block', replicaId)).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(on('aws_s3_bucket_ownership_controls', replicaId).rule.object_ownership).toBe(
        'BucketOwnerEnforced',
      );
      const tls = policy(on('aws_s3_bucket_policy', replicaId).policy).Statement.find(
        (st: any) => st.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      expect(tls.Effect).toBe('Deny');
      const sse = on('aws_s3_bucket_server_side_encryption_configuration', replicaId).rule[0];
      expect(sse.apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
      const keyRef = rule.destination.encryption_configuration.replica_kms_key_id;
      expect(sse.apply_server_side_encryption_by_default.kms_master_key_id).toBe(keyRef);
      const keyId = /^\$\{aws_kms_key\.([\w-]+)\.arn\}$/.exec(keyRef)![1];
      keyIds.add(keyId);
      const key = out.resources('aws_kms_key').find(([id]) => id === keyId)![1];
      expect(key.provider).toBe('aws.dr');
      expect(key.multi_region).toBeUndefined();
    }
    expect(keyIds.size).toBe(1);
    const [, role] = out
      .resources('aws_iam_role')
      .find(([, r]) => r.name === 'webplat-prod-data-replication')!;
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal.Service).toBe('s3.amazonaws.com');
    const policies = out
      .resources('aws_iam_role_policy')
      .filter(([, p]) => String(p.name).startsWith('replicate-'));
    expect(policies.map(([, p]) => p.name).sort()).toEqual(names.map((n) => `replicate-${n}`).sort());
    for (const [, p] of policies) {
      expect(policy(p.policy).Statement.map((st: any) => [st.Sid, st.Action])).toEqual([
        ['ReadSourceConfiguration', ['s3:GetReplicationConfiguration', 's3:ListBucket']],
        [
          'ReadSourceVersions',
          ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        ],
        ['WriteReplicas', ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags']],
        ['DecryptSource', 'kms:Decrypt'],
        ['EncryptReplica', 'kms:Encrypt'],
      ]);
    }
    const alarms = out
      .resources('aws_cloudwatch_metric_alarm')
      .filter(([, a]) => a.metric_name === 'OperationsFailedReplication');
    expect(alarms.map(([, a]) => a.alarm_name).sort()).toEqual(
      names.map((n) => `webplat-prod-${n}-bucket-replication-failed`).sort(),
    );
    for (const [, a] of alarms) {
      expect(a.namespace).toBe('AWS/S3');
      expect(Object.keys(a.dimensions).sort()).toEqual(['DestinationBucket', 'RuleId', 'SourceBucket']);
      expect(a.dimensions.RuleId).toBe('data-to-recovery-region');
    }
  });

  it('dev (strategy none): no bucket replication, role or alarm', () => {
    const out = byName('dev');
    expect(out.count('aws_s3_bucket_replication_configuration')).toBe(0);
    expect(
      out.resources('aws_iam_role').filter(([, r]) => String(r.name).endsWith('-data-replication')),
    ).toEqual([]);
  });
});

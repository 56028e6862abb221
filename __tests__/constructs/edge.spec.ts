import { TLS_POLICY, assignPriorities } from '../../constructs/edge/load-balancer';
import { WebFirewall } from '../../constructs/core/web-firewall';
import { KEYS, SUBNETS, bareStack, configOf } from '../support/bare';
import { envInput, policy, synthPlatform, type Synthesized } from '../support/fixtures';
import { edgeLayer } from '../support/edge-layer';

const dev = edgeLayer(configOf('dev'));

describe('DNS and certificate', () => {
  const out = dev;

  it('creates the zone when none is given, and outputs its name servers', () => {
    expect(out.only('aws_route53_zone').name).toBe('dev.example.com');
    expect(out.json.output.name_servers.value).toMatch(/aws_route53_zone\..+\.name_servers/);
  });

  it('uses an existing zone id without creating one', () => {
    const o = edgeLayer(configOf('dev', (env) => (env.dns.hostedZoneId = 'Z0123456789ABC')));
    expect(o.count('aws_route53_zone')).toBe(0);
    for (const [, r] of o.resources('aws_route53_record')) expect(r.zone_id).toBe('Z0123456789ABC');
    expect(o.json.output.name_servers).toBeUndefined();
  });

  it('requests a DNS-validated certificate for the domain and its wildcard', () => {
    expect(out.only('aws_acm_certificate')).toMatchObject({
      domain_name: 'dev.example.com',
      subject_alternative_names: ['*.dev.example.com'],
      validation_method: 'DNS',
    });
    const validation = out.only('aws_acm_certificate_validation');
    expect(validation.validation_record_fqdns).toEqual([
      expect.stringMatching(/aws_route53_record\.Domain_ValidationRecord.+\.fqdn/),
    ]);
  });

  it('points A, AAAA (IPv6) and www at the ALB', () => {
    const records = Object.fromEntries(
      out.resources('aws_route53_record').map(([, r]) => [`${r.type} ${r.name}`, r]),
    );
    expect(records['A dev.example.com'].alias).toMatchObject({
      evaluate_target_health: true,
      name: expect.stringMatching(/aws_lb\..+\.dns_name/),
    });
    expect(records['AAAA dev.example.com'].alias.zone_id).toMatch(/aws_lb\..+\.zone_id/);
    expect(records['CNAME www.dev.example.com'].records).toEqual(['dev.example.com']);
    const v4 = edgeLayer(configOf('dev', (env) => (env.network.ipv6 = false)));
    expect(v4.resources('aws_route53_record').filter(([, r]) => r.type === 'AAAA')).toHaveLength(0);
    expect(v4.only('aws_lb').ip_address_type).toBe('ipv4');
  });
});

describe('ALB', () => {
  const out = dev;
  const listeners = Object.fromEntries(out.resources('aws_lb_listener').map(([, l]) => [l.port, l]));

  it('is internet-facing, dualstack, hardened, logging to its bucket', () => {
    const alb = out.only('aws_lb');
    expect(alb).toMatchObject({
      name: 'webplat-dev-alb',
      internal: false,
      load_balancer_type: 'application',
      ip_address_type: 'dualstack',
      enable_http2: true,
      drop_invalid_header_fields: true,
      desync_mitigation_mode: 'defensive',
      enable_deletion_protection: false,
      access_logs: { enabled: true, prefix: 'alb' },
    });
    expect(alb.subnets).toEqual(SUBNETS.public);
    const prodAlb = edgeLayer(configOf('prod')).only('aws_lb');
    expect(prodAlb.enable_deletion_protection).toBe(true);
  });

  it('keeps access logs in an SSE-S3, private, TLS-only bucket with lifecycle', () => {
    const id = out
      .resources('aws_s3_bucket')
      .find(([, b]) => b.bucket === 'webplat-dev-alb-logs-111111111111')![0];
    const prefix = id.replace(/_Bucket_.*/, '');
    const sse = out
      .resources('aws_s3_bucket_server_side_encryption_configuration')
      .find(([i]) => i.startsWith(prefix))![1];
    expect(sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('AES256');
    expect(
      out.resources('aws_s3_bucket_versioning').find(([i]) => i.startsWith(prefix))![1]
        .versioning_configuration.status,
    ).toBe('Disabled');
    const doc = policy(out.resources('aws_s3_bucket_policy').find(([i]) => i.startsWith(prefix))![1].policy);
    expect(doc.Statement.map((s) => s.Sid)).toEqual([
      'DenyInsecureTransport',
      'ElbLogDelivery',
      'S3ServerAccessLogs',
      'ElbLogDeliveryService',
    ]);
    expect(doc.Statement[2]).toMatchObject({
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Resource: expect.stringMatching(/\/s3\/\*$/),
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
    expect(doc.Statement[1].Resource).toMatch(/\/alb\/AWSLogs\/111111111111\/\*$/);
    const lifecycle = out
      .resources('aws_s3_bucket_lifecycle_configuration')
      .find(([i]) => i.startsWith(prefix))![1];
    expect(lifecycle.rule.find((r: any) => r.id === 'archive-then-expire').expiration).toEqual([
      { days: 90 },
    ]);
  });

  it('redirects HTTP to HTTPS with a 301', () => {
    expect(listeners[80]).toMatchObject({
      protocol: 'HTTP',
      default_action: [
        { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } },
      ],
    });
  });

  it('serves HTTPS with the TLS 1.3 policy and the validated certificate, defaulting to the frontend', () => {
    expect(listeners[443]).toMatchObject({ protocol: 'HTTPS', ssl_policy: TLS_POLICY });
    expect(TLS_POLICY).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    expect(listeners[443].certificate_arn).toMatch(/aws_acm_certificate_validation\..+\.certificate_arn/);
    expect(listeners[443].default_action).toEqual([
      {
        type: 'forward',
        target_group_arn: expect.stringMatching(/aws_lb_target_group\.LoadBalancer_TargetGroup-frontend/),
      },
    ]);
  });

  it('routes each service by a listener rule on its paths, in declaration order in steps of 10 (the /* service is the default)', () => {
    // The rule, restated from config: every routed service but the default one has a rule.
    const routed = Object.entries(configOf('dev').services).filter(
      ([, s]) => s.pathPatterns && !(s.pathPatterns.length === 1 && s.pathPatterns[0] === '/*'),
    );
    const rules = out.resources('aws_lb_listener_rule').map(([, r]) => r);
    expect(rules).toHaveLength(routed.length);
    routed.forEach(([name, s], i) => {
      const rule = rules.find((r) => r.action[0].target_group_arn.includes(`TargetGroup-${name}_`));
      expect(rule).toMatchObject({
        priority: s.priority ?? 10 * (i + 1),
        condition: [{ path_pattern: { values: s.pathPatterns } }],
      });
    });
    expect(rules.find((r) => r.action[0].target_group_arn.includes('TargetGroup-backend_'))).toMatchObject({
      condition: [{ path_pattern: { values: ['/api/*'] } }],
    });
  });

  it('registers ip targets with each service health check', () => {
    const tgs = Object.fromEntries(out.resources('aws_lb_target_group').map(([, t]) => [t.name, t]));
    expect(tgs['webplat-dev-frontend']).toMatchObject({
      port: 3000,
      target_type: 'ip',
      protocol: 'HTTP',
      deregistration_delay: '30',
    });
    expect(tgs['webplat-dev-backend']).toMatchObject({ port: 8000, target_type: 'ip' });
    expect(tgs['webplat-dev-backend'].health_check).toMatchObject({
      path: '/api/v1/health',
      matcher: '200-399',
      healthy_threshold: 2,
      unhealthy_threshold: 3,
    });
    expect(tgs['webplat-dev-frontend'].health_check.path).toBe('/');
  });

  it('admits 80/443 from the world by default, from configured sources otherwise', () => {
    const ingress = (o: Synthesized) =>
      o
        .resources('aws_vpc_security_group_ingress_rule')
        .filter(([id]) => id.startsWith('LoadBalancer_SecurityGroup'))
        .map(([, r]) => r);
    expect(
      ingress(out)
        .map((r) => `${r.cidr_ipv4 ?? r.cidr_ipv6}:${r.from_port}`)
        .sort(),
    ).toEqual(['0.0.0.0/0:443', '0.0.0.0/0:80', '::/0:443', '::/0:80']);
    const restricted = ingress(
      edgeLayer(
        configOf('dev', (env) => {
          env.ingress = { allowedCidrs: ['203.0.113.0/24'], prefixListIds: ['pl-3b927c52'] };
        }),
      ),
    );
    expect(
      restricted.map((r) => `${r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.prefix_list_id}:${r.from_port}`).sort(),
    ).toEqual(['203.0.113.0/24:443', '203.0.113.0/24:80', 'pl-3b927c52:443', 'pl-3b927c52:80']);
  });

  it('assigns rule priorities: explicit first, then declaration order, skipping taken ones', () => {
    expect(
      assignPriorities([
        { name: 'web', pathPatterns: ['/*'] },
        { name: 'a', pathPatterns: ['/a/*'] },
        { name: 'b', pathPatterns: ['/b/*'], priority: 20 },
        { name: 'c', pathPatterns: ['/c/*'] },
      ]),
    ).toEqual({ a: 10, b: 20, c: 30 });
  });
});

describe('WAF', () => {
  const out = dev;
  const acl = out.only('aws_wafv2_web_acl');

  it('is a regional ACL with a per-IP rate limit and the AWS managed rule groups', () => {
    expect(acl).toMatchObject({ name: 'webplat-dev', scope: 'REGIONAL', default_action: { allow: {} } });
    const rules = Object.fromEntries(acl.rule.map((r: any) => [r.name, r]));
    expect(rules['rate-limit-per-ip']).toMatchObject({ priority: 1, action: { block: {} } });
    expect(rules['rate-limit-per-ip'].statement.rate_based_statement).toEqual({
      limit: 2000,
      aggregate_key_type: 'IP',
      evaluation_window_sec: 300,
    });
    for (const group of [
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesSQLiRuleSet',
    ]) {
      expect(rules[group].statement.managed_rule_group_statement).toMatchObject({
        vendor_name: 'AWS',
        name: group,
      });
      expect(rules[group].override_action).toEqual({ none: {} });
    }
    for (const r of acl.rule)
      expect(r.visibility_config).toMatchObject({
        cloudwatch_metrics_enabled: true,
        sampled_requests_enabled: true,
      });
    expect(new Set(acl.rule.map((r: any) => r.priority)).size).toBe(acl.rule.length);
  });

  it('leaves out the IP-keyed rules only where it cannot see viewers (a CLOUDFRONT ACL always does)', () => {
    const b = bareStack();
    const common = { logGroupName: 'aws-waf-logs-x', logs: b.logs, rateLimitPerIp: 2000 };
    new WebFirewall(b.stack, 'Hidden', {
      ...common,
      name: 'hidden',
      scope: 'REGIONAL',
      resourceArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/x/1',
      seesViewers: false,
    });
    const [hidden] = b
      .synth()
      .resources('aws_wafv2_web_acl')
      .map(([, a]) => a);
    expect(hidden.rule.map((r: any) => r.name)).toEqual([
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
    ]);
    expect(
      () =>
        new WebFirewall(bareStack().stack, 'Cdn', {
          ...common,
          name: 'cdn',
          scope: 'CLOUDFRONT',
          seesViewers: false,
        }),
    ).toThrow(/CLOUDFRONT ACL always sees the viewers/);
  });

  it('takes the rate limit from config', () => {
    const rule = edgeLayer(configOf('dev', (env) => (env.waf = { rateLimitPerIp: 500 })))
      .only('aws_wafv2_web_acl')
      .rule.find((r: any) => r.name === 'rate-limit-per-ip');
    expect(rule.statement.rate_based_statement.limit).toBe(500);
  });

  it('logs to aws-waf-logs-<project>-<env> and protects the ALB', () => {
    const group = out.resources('aws_cloudwatch_log_group').find(([id]) => id.startsWith('Firewall_'))![1];
    expect(group.name).toBe('aws-waf-logs-webplat-dev');
    expect(group.kms_key_id).toBe(KEYS.logs);
    expect(out.only('aws_wafv2_web_acl_logging_configuration').log_destination_configs).toEqual([
      expect.stringMatching(/aws_cloudwatch_log_group\.Firewall_LogGroup.+\.arn\}$/),
    ]);
    expect(out.only('aws_wafv2_web_acl_association').resource_arn).toMatch(/aws_lb\.LoadBalancer_Alb.+\.arn/);
  });
});

// Whole dev platform, synthesized once: the stack hands the edge the public subnets and the logs key.
describe('edge in the platform', () => {
  it('places the ALB in the public subnets and logs the WAF with the logs key', () => {
    const out = synthPlatform(envInput('dev'));
    expect(out.only('aws_lb').subnets.every((s: string) => s.includes('PublicSubnet'))).toBe(true);
    const group = out.resources('aws_cloudwatch_log_group').find(([id]) => id.startsWith('Firewall_'))![1];
    expect(group.kms_key_id).toMatch(/Keys_Logs/);
  });
});

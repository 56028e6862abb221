/** The frontend layer in static mode, with the edge it changes, on a bare stack. */
import { CLOUDFRONT_REGION } from '../../constructs/core/cloudfront';
import { ipKeyedRules } from '../../constructs/core/waf-ip-keys';
import { LogArchive } from '../../constructs/core/log-archive';
import { EdgeLayer } from '../../constructs/edge/edge-layer';
import { FrontendLayer } from '../../constructs/frontend/frontend-layer';
import {
  MANAGED_CACHE_POLICY,
  MANAGED_ORIGIN_REQUEST_POLICY,
} from '../../constructs/frontend/managed-policies';
import { parseEnvironmentConfig } from '../../environments/schema';
import { regionalProvider } from '../../stacks/aws';
import { SUBNETS, VPC, bareStack } from '../support/bare';
import type { Synthesized } from '../support/fixtures';
import { decide } from '../support/iam-eval';
import { staticFrontendInput } from '../support/variants';

/**
 * Edge + frontend of the static variant after `edit`, on a bare stack with its log archive and, as
 * the platform stack does, the us-east-1 provider (unless `provider` is false).
 */
function site(edit: (input: any) => void = () => {}, provider = true): Synthesized {
  const input = staticFrontendInput();
  edit(input);
  const config = parseEnvironmentConfig(input);
  const b = bareStack(config);
  b.stack.keepAddress('LogArchive', ['LoadBalancer']);
  const logArchive = new LogArchive(b.stack, 'LogArchive', {
    naming: b.naming,
    accountId: config.accountId,
    retentionDays: 90,
    cloudFrontLogs: true,
  });
  const common = { naming: b.naming, accountId: config.accountId, config, logs: b.logs, logArchive };
  const edge = new EdgeLayer(b.stack, 'Edge', {
    ...common,
    vpcId: VPC,
    subnetIds: [...SUBNETS.public],
    privateSubnetIds: [...SUBNETS.private],
  });
  const cloudFrontProvider = provider
    ? regionalProvider(b.stack, 'cloudfront', {
        region: CLOUDFRONT_REGION,
        accountId: config.accountId,
        tags: { Environment: config.name },
      })
    : undefined;
  new FrontendLayer(b.stack, 'Frontend', { ...common, edge, cloudFrontProvider });
  return b.synth();
}

const out = site();
const cdn = out.only('aws_cloudfront_distribution');
const [cdnId] = out.resources('aws_cloudfront_distribution')[0];
const ref = (type: string, attr: string, where = out) =>
  `\${${type}.${where.resources(type).map(([id]) => id)[0]}.${attr}}`;
const siteAcl = out.resources('aws_wafv2_web_acl').find(([, a]) => a.scope === 'CLOUDFRONT')!;
const [siteValidation] = out.resources('aws_acm_certificate_validation').find(([, v]) => v.provider)!;
const albAcl = out.resources('aws_wafv2_web_acl').find(([, a]) => a.scope === 'REGIONAL')!;

describe('the distribution', () => {
  it('serves HTTPS only with TLSv1.2_2021 (SNI), HTTP/2 and HTTP/3, IPv6, compression', () => {
    expect(cdn).toMatchObject({
      enabled: true,
      http_version: 'http2and3',
      is_ipv6_enabled: true,
      default_root_object: 'index.html',
      aliases: ['example.com', 'www.example.com'],
      price_class: 'PriceClass_100',
      viewer_certificate: {
        acm_certificate_arn: `\${aws_acm_certificate_validation.${siteValidation}.certificate_arn}`,
        ssl_support_method: 'sni-only',
        minimum_protocol_version: 'TLSv1.2_2021',
      },
      restrictions: { geo_restriction: { restriction_type: 'blacklist', locations: ['KP'] } },
    });
    for (const b of [cdn.default_cache_behavior, ...cdn.ordered_cache_behavior]) {
      expect(b.viewer_protocol_policy).toBe('redirect-to-https');
      expect(b.compress).toBe(true);
      expect(b.response_headers_policy_id).toBe(ref('aws_cloudfront_response_headers_policy', 'id'));
    }
    expect(cdn.logging_config).toBeUndefined();
  });

  it('caches by AWS managed policies: hashed assets long, index.html not at all, the API never', () => {
    const by = Object.fromEntries(cdn.ordered_cache_behavior.map((b: any) => [b.path_pattern, b]));
    expect(cdn.default_cache_behavior.cache_policy_id).toBe(MANAGED_CACHE_POLICY.CachingOptimized);
    expect(by['/assets/*'].cache_policy_id).toBe(MANAGED_CACHE_POLICY.CachingOptimized);
    expect(by['/index.html'].cache_policy_id).toBe(MANAGED_CACHE_POLICY.CachingDisabled);
    expect(by['/api/*']).toMatchObject({
      target_origin_id: 'api',
      cache_policy_id: MANAGED_CACHE_POLICY.CachingDisabled,
      origin_request_policy_id: MANAGED_ORIGIN_REQUEST_POLICY.AllViewer,
      allowed_methods: expect.arrayContaining(['POST', 'PUT', 'DELETE', 'PATCH']),
    });
    // API first: CloudFront takes the first matching pattern.
    expect(cdn.ordered_cache_behavior[0].path_pattern).toBe('/api/*');
    expect(JSON.stringify(out.json.data ?? {})).not.toMatch(/cloudfront/);
  });

  it('reaches the bucket through Origin Access Control and the ALB through a VPC origin', () => {
    const origins = Object.fromEntries(cdn.origin.map((o: any) => [o.origin_id, o]));
    expect(origins.site.origin_access_control_id).toBe(ref('aws_cloudfront_origin_access_control', 'id'));
    expect(out.only('aws_cloudfront_origin_access_control')).toMatchObject({
      origin_access_control_origin_type: 's3',
      signing_behavior: 'always',
      signing_protocol: 'sigv4',
    });
    expect(origins.api.vpc_origin_config.vpc_origin_id).toBe(ref('aws_cloudfront_vpc_origin', 'id'));
    expect(out.only('aws_cloudfront_vpc_origin').vpc_origin_endpoint_config[0]).toMatchObject({
      arn: ref('aws_lb', 'arn'),
      origin_protocol_policy: 'https-only',
      origin_ssl_protocols: [{ items: ['TLSv1.2'], quantity: 1 }],
    });
  });

  it('sends HSTS (preload), nosniff, frame DENY, a referrer policy and the CSP', () => {
    const h = out.only('aws_cloudfront_response_headers_policy').security_headers_config;
    expect(h.strict_transport_security).toEqual({
      access_control_max_age_sec: 63_072_000,
      include_subdomains: true,
      preload: true,
      override: true,
    });
    expect(h.content_type_options).toEqual({ override: true });
    expect(h.frame_options).toEqual({ frame_option: 'DENY', override: true });
    expect(h.referrer_policy.referrer_policy).toBe('strict-origin-when-cross-origin');
    expect(h.content_security_policy.content_security_policy).toMatch(/^default-src 'self'/);
    const custom = site((c) => (c.frontend.contentSecurityPolicy = "default-src 'none'"));
    expect(
      custom.only('aws_cloudfront_response_headers_policy').security_headers_config.content_security_policy,
    ).toEqual({ content_security_policy: "default-src 'none'", override: true });
  });
});

describe('SPA routing', () => {
  it('with the API behind CloudFront, rewrites client routes in a function (API 404s stay 404s)', () => {
    expect(cdn.custom_error_response).toEqual([]);
    expect(cdn.default_cache_behavior.function_association).toEqual([
      { event_type: 'viewer-request', function_arn: ref('aws_cloudfront_function', 'arn') },
    ]);
    expect(out.only('aws_cloudfront_function').runtime).toBe('cloudfront-js-2.0');
  });

  it("without it, answers the bucket's 403/404 with /index.html and 200", () => {
    const plain = site((c) => (c.frontend.apiOrigin = false)).only('aws_cloudfront_distribution');
    expect(plain.custom_error_response).toEqual(
      [403, 404].map((code) => ({
        error_code: code,
        response_code: 200,
        response_page_path: '/index.html',
        error_caching_min_ttl: 10,
      })),
    );
    expect(plain.default_cache_behavior.function_association).toEqual([]);
  });

  it('is off when configured off', () => {
    const off = site((c) => (c.frontend.spaRouting = false));
    expect(off.only('aws_cloudfront_distribution').custom_error_response).toEqual([]);
    expect(off.count('aws_cloudfront_function')).toBe(0);
  });
});

describe('us-east-1 resources', () => {
  it('puts the certificate, WAF, distribution, policies and log deliveries on the us-east-1 provider alias', () => {
    const provider = out.json.provider.aws.find((p: any) => p.alias === 'cloudfront');
    expect(provider.region).toBe('us-east-1');
    const types = [
      'aws_cloudfront_distribution',
      'aws_cloudfront_origin_access_control',
      'aws_cloudfront_response_headers_policy',
      'aws_cloudfront_vpc_origin',
      'aws_cloudfront_function',
      'aws_cloudwatch_log_delivery_source',
      'aws_cloudwatch_log_delivery_destination',
      'aws_cloudwatch_log_delivery',
      'aws_wafv2_web_acl_logging_configuration',
    ];
    for (const type of types)
      for (const [id, r] of out.resources(type))
        if (type !== 'aws_wafv2_web_acl_logging_configuration' || r.resource_arn.includes(siteAcl[0]))
          expect(`${type}.${id}: ${r.provider}`).toBe(`${type}.${id}: aws.cloudfront`);
    expect(siteAcl[1].provider).toBe('aws.cloudfront');
    const siteCert = out.resources('aws_acm_certificate').filter(([, c]) => c.provider === 'aws.cloudfront');
    expect(siteCert.map(([, c]) => c.domain_name)).toEqual(['example.com']);
  });

  it('come from the provider the stack passes: a static frontend without it is refused', () => {
    expect(() => site(undefined, false)).toThrow(/static frontend needs cloudFrontProvider/);
  });

  it('validates the certificate through the zone record the regional certificate wrote (no second owner)', () => {
    const validations = out
      .resources('aws_acm_certificate_validation')
      .map(([, v]) => v.validation_record_fqdns);
    expect(validations).toHaveLength(2);
    expect(validations[0]).toEqual(validations[1]);
    expect(out.resources('aws_route53_record').filter(([id]) => /Validation/.test(id))).toHaveLength(1);
  });
});

describe('the web ACL', () => {
  it("is CLOUDFRONT-scoped, named by the distribution, and runs the ALB's rules plus the IP-keyed ones", () => {
    expect(cdn.web_acl_id).toBe(`\${aws_wafv2_web_acl.${siteAcl[0]}.arn}`);
    const rules = (acl: any) => acl.rule.map((r: any) => JSON.stringify({ ...r, visibility_config: 0 }));
    // Behind the VPC origin the ALB sees CloudFront's addresses: the rate limit and IP reputation
    // run here only, where the viewers' addresses are seen.
    expect(ipKeyedRules(albAcl[1])).toEqual([]);
    expect(ipKeyedRules(siteAcl[1])).toEqual([
      'rate-limit-per-ip (rate-based by IP)',
      'AWSManagedRulesAmazonIpReputationList (AWSManagedRulesAmazonIpReputationList)',
    ]);
    expect(rules(siteAcl[1]).slice(2)).toEqual(rules(albAcl[1]));
    expect(albAcl[1].description).toMatch(/rate limit and IP reputation in the CloudFront web ACL/);
    // A CLOUDFRONT ACL has no association: the distribution names it.
    expect(out.resources('aws_wafv2_web_acl_association').map(([, a]) => a.web_acl_arn)).toEqual([
      `\${aws_wafv2_web_acl.${albAcl[0]}.arn}`,
    ]);
  });
});

describe('the site bucket', () => {
  const [bucketId, bucket] = out.resources('aws_s3_bucket').find(([, b]) => /-site-/.test(b.bucket))!;
  const bucketArn = `arn:aws:s3:::${bucket.bucket}`;
  const mine = 'arn:aws:cloudfront::111111111111:distribution/EMINE0000000';
  const policyText = out
    .resources('aws_s3_bucket_policy')
    .find(([, p]) => p.bucket.includes(bucketId))![1]
    .policy.replaceAll(`\${aws_s3_bucket.${bucketId}.arn}`, bucketArn)
    .replaceAll(`\${aws_cloudfront_distribution.${cdnId}.arn}`, mine);
  const read = (sourceArn: string | undefined, action = 's3:GetObject', secure = 'true') =>
    decide({
      identity: [],
      resourcePolicy: policyText,
      principalArn: 'cloudfront.amazonaws.com',
      action,
      resource: action === 's3:ListBucket' ? bucketArn : `${bucketArn}/index.html`,
      resourceAccount: '111111111111',
      context: { 'aws:SecureTransport': secure, ...(sourceArn ? { 'aws:SourceArn': sourceArn } : {}) },
    });

  it('is private, versioned and encrypted', () => {
    expect(bucket.bucket).toBe('webplat-static-site-111111111111');
    const byBucket = (type: string) => out.resources(type).find(([, r]) => r.bucket.includes(bucketId))![1];
    expect(byBucket('aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(byBucket('aws_s3_bucket_versioning').versioning_configuration.status).toBe('Enabled');
    expect(byBucket('aws_s3_bucket_server_side_encryption_configuration').rule[0]).toBeDefined();
  });

  it('lets only this distribution read, through CloudFront (policy evaluation)', async () => {
    expect(await read(mine)).toBe('Allowed');
    expect(await read(mine, 's3:ListBucket')).toBe('Allowed');
    expect(await read('arn:aws:cloudfront::111111111111:distribution/EOTHER000000')).not.toBe('Allowed');
    expect(await read('arn:aws:cloudfront::222222222222:distribution/EMINE0000000')).not.toBe('Allowed');
    expect(await read(undefined)).not.toBe('Allowed');
    expect(await read(mine, 's3:PutObject')).not.toBe('Allowed');
    expect(await read(mine, 's3:GetObject', 'false')).toBe('ExplicitlyDenied');
  });
});

describe('access logs (standard logging v2)', () => {
  it('deliver ACCESS_LOGS of the distribution to the archive under cloudfront/, once its policy admits them', () => {
    expect(out.only('aws_cloudwatch_log_delivery_source')).toMatchObject({
      log_type: 'ACCESS_LOGS',
      resource_arn: `\${aws_cloudfront_distribution.${cdnId}.arn}`,
    });
    const archive = out.resources('aws_s3_bucket').find(([, b]) => /-alb-logs-/.test(b.bucket))!;
    expect(
      out.only('aws_cloudwatch_log_delivery_destination').delivery_destination_configuration[0]
        .destination_resource_arn,
    ).toBe(`\${aws_s3_bucket.${archive[0]}.arn}/cloudfront`);
    const [policyId] = out.resources('aws_s3_bucket_policy').find(([, p]) => p.bucket.includes(archive[0]))!;
    expect(out.only('aws_cloudwatch_log_delivery').depends_on).toEqual([`aws_s3_bucket_policy.${policyId}`]);
  });

  it("the archive admits the log delivery service only for this account's delivery sources", async () => {
    const archive = out.resources('aws_s3_bucket').find(([, b]) => /-alb-logs-/.test(b.bucket))!;
    const arn = `arn:aws:s3:::${archive[1].bucket}`;
    const policy = out
      .resources('aws_s3_bucket_policy')
      .find(([, p]) => p.bucket.includes(archive[0]))![1]
      .policy.replaceAll(`\${aws_s3_bucket.${archive[0]}.arn}`, arn);
    const put = (key: string, account: string) =>
      decide({
        identity: [],
        resourcePolicy: policy,
        principalArn: 'delivery.logs.amazonaws.com',
        action: 's3:PutObject',
        resource: `${arn}/${key}`,
        resourceAccount: '111111111111',
        context: {
          'aws:SecureTransport': 'true',
          'aws:SourceAccount': account,
          'aws:SourceArn': `arn:aws:logs:us-east-1:${account}:delivery-source:webplat-static-site`,
        },
      });
    expect(await put('cloudfront/AWSLogs/111111111111/x.parquet', '111111111111')).toBe('Allowed');
    expect(await put('cloudfront/AWSLogs/111111111111/x.parquet', '222222222222')).not.toBe('Allowed');
    expect(await put('alb/AWSLogs/111111111111/x.log', '111111111111')).not.toBe('Allowed');
  });
});

describe('the edge in static mode', () => {
  it('points the site (A and AAAA) at CloudFront, not the ALB', () => {
    const records = Object.fromEntries(
      out.resources('aws_route53_record').map(([, r]) => [`${r.type} ${r.name}`, r]),
    );
    for (const type of ['A', 'AAAA'])
      expect(records[`${type} example.com`].alias).toEqual({
        name: `\${aws_cloudfront_distribution.${cdnId}.domain_name}`,
        zone_id: 'Z2FDTNDATAQYW2',
        evaluate_target_health: false,
      });
    expect(records['CNAME www.example.com'].records).toEqual(['example.com']);
    expect(JSON.stringify(records)).not.toMatch(/aws_lb\./);
  });

  it("makes the ALB internal in the private subnets, open only on 443 to the VPC origin's interfaces there", () => {
    const alb = out.only('aws_lb');
    expect(alb.internal).toBe(true);
    expect(alb.subnets).toEqual(SUBNETS.private);
    const [sgId] = out.resources('aws_security_group').find(([, g]) => /-alb$/.test(g.name))!;
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([, r]) => r.security_group_id.includes(sgId))
      .map(([, r]) => ({ port: r.from_port, pl: r.prefix_list_id, cidr: r.cidr_ipv4 ?? r.cidr_ipv6 }));
    // CloudFront puts the VPC origin's network interfaces in the ALB's subnets: their addresses, only
    // (and the VPC on a blue/green service's test listener port).
    const input = staticFrontendInput();
    const testListeners = Object.values<any>(input.services)
      .filter((s) => s.deployment?.type === 'blueGreen')
      .map((s) => ({
        port: s.deployment.testListenerPort ?? 8443,
        pl: undefined,
        cidr: input.network.vpcCidr,
      }));
    expect(ingress).toEqual([
      ...testListeners,
      ...input.network.subnets.private.map((cidr: string) => ({ port: 443, pl: undefined, cidr })),
    ]);
  });

  it("answers what no service claims with a fixed 404 (no service is the listener's default)", () => {
    const https = out.resources('aws_lb_listener').find(([, l]) => l.port === 443)![1];
    expect(https.default_action).toEqual([
      expect.objectContaining({
        type: 'fixed-response',
        fixed_response: expect.objectContaining({ status_code: '404' }),
      }),
    ]);
    expect(out.resources('aws_lb_listener_rule').map(([, r]) => r.condition[0].path_pattern.values)).toEqual([
      ['/api/*'],
    ]);
  });

  it('with apiOrigin false, keeps a public ALB for the services at api.<domain>', () => {
    const plain = site((c) => (c.frontend.apiOrigin = false));
    expect(plain.only('aws_lb').internal).toBe(false);
    expect(plain.count('aws_cloudfront_vpc_origin')).toBe(0);
    const api = plain.resources('aws_route53_record').filter(([, r]) => r.name === 'api.example.com');
    expect(api.map(([, r]) => r.type).sort()).toEqual(['A', 'AAAA']);
    expect(api[0][1].alias.name).toMatch(/aws_lb\./);
    // The public ALB sees the viewers: its web ACL keeps the rate limit and IP reputation too.
    const acls = plain.resources('aws_wafv2_web_acl').map(([, a]) => a);
    for (const acl of acls) expect(ipKeyedRules(acl)).toHaveLength(2);
    expect(acls.map((a) => a.scope).sort()).toEqual(['CLOUDFRONT', 'REGIONAL']);
  });
});

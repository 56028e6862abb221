/**
 * The guardrail rules, each a table: resource type -> check returning why the resource violates
 * the rule (or nothing). A type no table names is not judged, so a new resource type is one entry
 * per rule that concerns it (docs/architecture.md, "Guardrails at synthesis"). Checks read the
 * synthesized Terraform JSON (snake_case attributes, `${type.id.attr}` references).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
import { STATEFUL_TYPES } from './stateful';
import {
  production,
  tableRule,
  type Check,
  type GuardrailRule,
  type StackView,
  type TfResource,
} from './guardrail-table';
import { ipKeyedRules } from './waf-ip-keys';

export type { StackView, TfResource } from './guardrail-table';

const WORLD = ['0.0.0.0/0', '::/0'];
/** Ports the world may reach: HTTP (redirected to HTTPS) and HTTPS on public load balancers. */
const WORLD_PORTS = [80, 443];
const on = (v: unknown) => v === true || v === 'true';
const first = (v: any) => (Array.isArray(v) ? v[0] : v);
const list = (v: any): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const missing = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length);
const unless = (ok: boolean, why: string) => (ok ? undefined : why);

const companion =
  (type: string, attribute: string, why: string): Check =>
  (_b, r, s) =>
    unless(s.referencing(r, type, attribute), why);

const encryptionAtRest = tableRule('encryption-at-rest', 'Data at rest is encrypted', {
  aws_s3_bucket: companion(
    'aws_s3_bucket_server_side_encryption_configuration',
    'bucket',
    'no default encryption',
  ),
  aws_db_instance: (b) => unless(on(b.storage_encrypted), 'storage_encrypted is off'),
  aws_rds_cluster: (b) => unless(on(b.storage_encrypted), 'storage_encrypted is off'),
  aws_elasticache_replication_group: (b) =>
    unless(on(b.at_rest_encryption_enabled), 'at_rest_encryption_enabled is off'),
  aws_dynamodb_table: (b) =>
    unless(on(first(b.server_side_encryption)?.enabled), 'no customer-managed key (server_side_encryption)'),
  aws_cloudwatch_log_group: (b) => unless(!missing(b.kms_key_id), 'no kms_key_id'),
  aws_sns_topic: (b) => unless(!missing(b.kms_master_key_id), 'no kms_master_key_id'),
  aws_sqs_queue: (b) =>
    unless(!missing(b.kms_master_key_id) || on(b.sqs_managed_sse_enabled), 'no server-side encryption'),
  aws_ecr_repository: (b) =>
    unless(first(b.encryption_configuration)?.encryption_type === 'KMS', 'not encrypted with a KMS key'),
  aws_launch_template: (b) =>
    unless(
      list(b.block_device_mappings).every((m) => !m.ebs || on(first(m.ebs).encrypted)),
      'an EBS volume is not encrypted',
    ),
  aws_ebs_volume: (b) => unless(on(b.encrypted), 'encrypted is off'),
  aws_secretsmanager_secret: (b) => unless(!missing(b.kms_key_id), 'no kms_key_id'),
  aws_cloudtrail: (b) => unless(!missing(b.kms_key_id), 'no kms_key_id'),
  aws_efs_file_system: (b) => unless(on(b.encrypted), 'encrypted is off'),
  aws_kinesis_stream: (b) => unless(b.encryption_type === 'KMS', 'encryption_type is not KMS'),
  aws_msk_cluster: (b) =>
    unless(!missing(first(b.encryption_info)?.encryption_at_rest_kms_key_arn), 'no KMS key for data at rest'),
  aws_eks_cluster: (b) =>
    unless(!missing(b.encryption_config), 'Kubernetes secrets not encrypted (encryption_config)'),
});

const TLS_POLICY = /TLS13|TLS-1-2/;
const tls = tableRule('tls', 'Traffic is encrypted in transit with TLS 1.2 or later', {
  aws_lb_listener: (b) => {
    if (b.protocol === 'HTTPS' || b.protocol === 'TLS')
      return unless(
        TLS_POLICY.test(b.ssl_policy ?? ''),
        `ssl_policy ${b.ssl_policy ?? '(default)'} allows TLS < 1.2`,
      );
    if (b.protocol === 'HTTP')
      return unless(
        list(b.default_action).every((a) => a.type === 'redirect' && first(a.redirect)?.protocol === 'HTTPS'),
        'plain HTTP listener that does not redirect to HTTPS',
      );
    return undefined;
  },
  aws_elasticache_replication_group: (b) =>
    unless(on(b.transit_encryption_enabled), 'transit_encryption_enabled is off'),
  aws_s3_bucket: (_b, r, s) =>
    unless(
      s
        .ofType('aws_s3_bucket_policy')
        .some(
          (p) =>
            p.body.bucket?.includes?.(`\${${r.address}.`) && /aws:SecureTransport/.test(p.body.policy ?? ''),
        ),
      'no bucket policy denying requests without TLS (aws:SecureTransport)',
    ),
  aws_cloudfront_distribution: (b) =>
    unless(
      [first(b.default_cache_behavior), ...list(b.ordered_cache_behavior)].every(
        (c) => c?.viewer_protocol_policy !== 'allow-all',
      ) &&
        (on(first(b.viewer_certificate)?.cloudfront_default_certificate) ||
          /^TLSv1\.[23]/.test(first(b.viewer_certificate)?.minimum_protocol_version ?? '')),
      'viewers may use plain HTTP or TLS < 1.2',
    ),
  aws_msk_cluster: (b) =>
    unless(
      (first(first(b.encryption_info)?.encryption_in_transit)?.client_broker ?? 'TLS') === 'TLS',
      'clients may connect without TLS',
    ),
});

const worldIngress = (cidrs: unknown[], from: number, to: number): string | undefined => {
  if (!cidrs.some((c) => WORLD.includes(c as string))) return undefined;
  const ports = from === to ? `${from}` : `${from}-${to}`;
  return unless(
    from === to && WORLD_PORTS.includes(from),
    `ingress from the whole internet on port ${ports}`,
  );
};
const publicExposure = tableRule('public-exposure', 'Nothing is reachable from the internet by accident', {
  aws_vpc_security_group_ingress_rule: (b) =>
    worldIngress([b.cidr_ipv4, b.cidr_ipv6], b.from_port ?? 0, b.to_port ?? 65535),
  aws_security_group_rule: (b) =>
    b.type === 'ingress'
      ? worldIngress([...list(b.cidr_blocks), ...list(b.ipv6_cidr_blocks)], b.from_port, b.to_port)
      : undefined,
  aws_security_group: (b) =>
    list(b.ingress)
      .map((i) => worldIngress([...list(i.cidr_blocks), ...list(i.ipv6_cidr_blocks)], i.from_port, i.to_port))
      .find(Boolean),
  aws_s3_bucket: (_b, r, s) =>
    unless(
      s
        .ofType('aws_s3_bucket_public_access_block')
        .some(
          (p) =>
            p.body.bucket?.includes?.(`\${${r.address}.`) &&
            [
              'block_public_acls',
              'block_public_policy',
              'ignore_public_acls',
              'restrict_public_buckets',
            ].every((k) => on(p.body[k])),
        ),
      'no public access block with all four settings on',
    ),
  aws_db_instance: (b) => unless(!on(b.publicly_accessible), 'publicly_accessible'),
  aws_rds_cluster_instance: (b) => unless(!on(b.publicly_accessible), 'publicly_accessible'),
  aws_instance: (b) => unless(!on(b.associate_public_ip_address), 'has a public IP address'),
  aws_subnet: (b) =>
    unless(!on(b.map_public_ip_on_launch), 'map_public_ip_on_launch gives instances public IPs'),
  aws_lb: (b, r, s) =>
    unless(
      on(b.internal) || s.referencing(r, 'aws_wafv2_web_acl_association', 'resource_arn'),
      'internet-facing load balancer without a WAF web ACL',
    ),
  aws_eks_cluster: (b) => {
    const vpc = first(b.vpc_config) ?? {};
    return unless(
      vpc.endpoint_public_access === false ||
        (list(vpc.public_access_cidrs).length > 0 &&
          !list(vpc.public_access_cidrs).some((c) => WORLD.includes(c))),
      'Kubernetes API endpoint open to the internet',
    );
  },
  aws_lambda_function_url: (b) =>
    unless(b.authorization_type !== 'NONE', 'function URL without authorization'),
});

const logging = tableRule('logging', 'Access and activity are logged', {
  aws_lb: (b) => unless(on(first(b.access_logs)?.enabled), 'no access logs'),
  aws_vpc: companion('aws_flow_log', 'vpc_id', 'no flow log'),
  aws_db_instance: (b) => unless(!missing(b.enabled_cloudwatch_logs_exports), 'no log exports'),
  aws_rds_cluster: (b) => unless(!missing(b.enabled_cloudwatch_logs_exports), 'no log exports'),
  aws_elasticache_replication_group: (b) => unless(!missing(b.log_delivery_configuration), 'no log delivery'),
  aws_wafv2_web_acl: companion(
    'aws_wafv2_web_acl_logging_configuration',
    'resource_arn',
    'no logging configuration',
  ),
  aws_ecs_task_definition: (b) => {
    const containers =
      typeof b.container_definitions === 'string' ? safeJson(b.container_definitions) : undefined;
    if (!Array.isArray(containers)) return undefined;
    const silent = containers.filter((c) => !c.logConfiguration).map((c) => c.name);
    return unless(silent.length === 0, `containers without logConfiguration: ${silent.join(', ')}`);
  },
  aws_eks_cluster: (b) => unless(!missing(b.enabled_cluster_log_types), 'no control plane logs'),
  aws_msk_cluster: (b) => unless(!missing(b.logging_info), 'no broker logs'),
  aws_cloudtrail: (b) => unless(b.enable_logging !== false, 'logging is off'),
});

const ADMIN_POLICIES = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;
const IAM_POLICY: Check = (b) => wildcards(b.policy);
const iamWildcards = tableRule('iam-wildcard', 'IAM allows no wildcard actions', {
  aws_iam_policy: IAM_POLICY,
  aws_iam_role_policy: IAM_POLICY,
  aws_iam_user_policy: IAM_POLICY,
  aws_iam_group_policy: IAM_POLICY,
  aws_iam_role_policy_attachment: (b) =>
    unless(!ADMIN_POLICIES.test(b.policy_arn ?? ''), `attaches ${b.policy_arn}`),
});

/** Allow statements with `*` or `service:*` actions, or NotAction. */
function wildcards(policy: unknown): string | undefined {
  const doc = typeof policy === 'string' ? safeJson(policy) : undefined;
  const bad = list(doc?.Statement)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) =>
      s.NotAction ? ['NotAction'] : list(s.Action).filter((a: string) => a === '*' || a.endsWith(':*')),
    );
  return unless(bad.length === 0, `allows ${bad.join(', ')}`);
}

const iamBoundary = tableRule('iam-boundary', 'Roles and users carry a permissions boundary', {
  aws_iam_role: (b) => unless(!missing(b.permissions_boundary), 'no permissions boundary'),
  aws_iam_user: (b) => unless(!missing(b.permissions_boundary), 'no permissions boundary'),
});

const deletionProtection = tableRule(
  'deletion-protection',
  'Production data stores refuse deletion',
  {
    // A read replica holds no data of its own (its source does) and takes no final snapshot.
    aws_db_instance: (b) =>
      b.replicate_source_db
        ? undefined
        : unless(
            on(b.deletion_protection) && !on(b.skip_final_snapshot),
            'no deletion protection or final snapshot',
          ),
    aws_rds_cluster: (b) =>
      unless(
        on(b.deletion_protection) && !on(b.skip_final_snapshot),
        'no deletion protection or final snapshot',
      ),
    aws_dynamodb_table: (b) =>
      unless(on(b.deletion_protection_enabled), 'deletion_protection_enabled is off'),
    aws_cognito_user_pool: (b) =>
      unless(b.deletion_protection === 'ACTIVE', 'deletion_protection is not ACTIVE'),
  },
  production,
);

const preventDestroy = tableRule(
  'prevent-destroy',
  'Production stateful resources have prevent_destroy',
  Object.fromEntries(
    STATEFUL_TYPES.map((t): [string, Check] => [
      t,
      (b) => unless(on(b.lifecycle?.prevent_destroy), 'no prevent_destroy'),
    ]),
  ),
  production,
);

const inBackup: Check = (_b, r, s) =>
  unless(s.referencing(r, 'aws_backup_selection', 'resources'), 'in no backup selection');
/** A service AWS Backup does not cover: a waiver must say how its data is recovered. */
const unsupported =
  (service: string): Check =>
  () =>
    `AWS Backup does not support ${service}: waive with how its data is recovered`;
const backupCoverage = tableRule(
  'backup-coverage',
  'Production data is in a backup plan with vault lock and a copy in the recovery region',
  {
    // A read replica holds no data of its own: its source is backed up.
    aws_db_instance: (b, r, s) => (b.replicate_source_db ? undefined : inBackup(b, r, s)),
    aws_rds_cluster: inBackup,
    aws_dynamodb_table: inBackup,
    aws_s3_bucket: inBackup,
    aws_msk_cluster: unsupported('MSK'),
    aws_msk_serverless_cluster: unsupported('MSK'),
    aws_cognito_user_pool: unsupported('Cognito user pools'),
    aws_backup_plan: (b) =>
      unless(
        list(b.rule).every((rule: any) => list(rule.copy_action).length > 0),
        'a rule without a copy to the recovery region (recovery.strategy backup-restore with recovery.region, or backup.copyToAccount)',
      ),
    aws_backup_vault: (_b, r, s) =>
      unless(s.referencing(r, 'aws_backup_vault_lock_configuration', 'backup_vault_name'), 'no vault lock'),
  },
  production,
);

const refersTo = (value: unknown, target: TfResource) =>
  JSON.stringify(value ?? null).includes(`\${${target.address}.`);
/**
 * The internal load balancers a web ACL is associated with that a CloudFront VPC origin targets:
 * their requests come from CloudFront's interfaces, never from the viewers.
 */
function behindVpcOrigin(acl: TfResource, s: StackView): TfResource[] {
  const balancers = [...s.ofType('aws_lb'), ...s.ofType('aws_alb')];
  return s
    .ofType('aws_wafv2_web_acl_association')
    .filter((a) => refersTo(a.body.web_acl_arn, acl))
    .flatMap((a) => balancers.filter((lb) => refersTo(a.body.resource_arn, lb)))
    .filter(
      (lb) =>
        on(lb.body.internal) &&
        s.ofType('aws_cloudfront_vpc_origin').some((o) => refersTo(o.body.vpc_origin_endpoint_config, lb)),
    );
}
const wafViewerIp = tableRule('waf-viewer-ip', 'IP-keyed WAF rules only where the viewer is seen', {
  aws_wafv2_web_acl: (b, r, s) => {
    const rules = ipKeyedRules(b);
    const hidden = rules.length ? behindVpcOrigin(r, s) : [];
    return unless(
      hidden.length === 0,
      `IP-keyed rules ${rules.join(', ')} on ${hidden.map((lb) => lb.path).join(', ')}, which only a CloudFront ` +
        "VPC origin reaches: they see CloudFront's addresses (a forwarded-IP key reads a header the client " +
        'sets); put them in the CloudFront web ACL',
    );
  },
});

const REQUIRED_TAGS = ['Project', 'Environment', 'ManagedBy'];
const tags: GuardrailRule = {
  id: 'tags',
  title: 'Every AWS provider tags what it creates (Project, Environment, ManagedBy)',
  check(stack) {
    return list(stack.providers.aws).flatMap((p, i) => {
      const have = first(p.default_tags)?.tags ?? {};
      const lacking = REQUIRED_TAGS.filter((k) => missing(have[k]));
      const name = p.alias ? `provider.aws.${p.alias}` : 'provider.aws';
      return lacking.length > 0
        ? [
            {
              rule: 'tags' as const,
              path: name,
              address: `${name}[${i}]`,
              why: `default_tags lack ${lacking.join(', ')}`,
            },
          ]
        : [];
    });
  },
};

export const GUARDRAIL_RULES: readonly GuardrailRule[] = [
  encryptionAtRest,
  tls,
  publicExposure,
  logging,
  iamWildcards,
  iamBoundary,
  deletionProtection,
  preventDestroy,
  backupCoverage,
  wafViewerIp,
  tags,
];

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

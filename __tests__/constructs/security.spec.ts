import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { OwnedSecurityGroup, connect } from '../../constructs/core/security-group';
import { ObservabilityLayer } from '../../constructs/observability/observability-layer';
import { BASELINE_CONFIG_RULES } from '../../constructs/security/account-baseline';
import { SecurityLayer } from '../../constructs/security/security-layer';
import { registry } from '../../environments';
import { parseAccountsConfig, type EnvironmentConfig } from '../../environments/schema';
import { BaselineStack } from '../../stacks/baseline-stack';
import { KEYS, bareStack, configOf } from '../support/bare';
import { appStackIds, appStacks } from '../support/app-synth';
import { accountsInputCopy, policy, synth, type Synthesized } from '../support/fixtures';
import { networkLayer } from '../support/network-layer';

const ADMINS = ['arn:aws:iam::111111111111:role/platform-admin'];

/** The security layer (the environment's keys) alone on a bare stack. */
function security(config: EnvironmentConfig): Synthesized {
  const b = bareStack(config);
  new SecurityLayer(b.stack, 'Security', {
    naming: b.naming,
    accountId: config.accountId,
    region: config.region,
    adminPrincipalArns: ADMINS,
  });
  return b.synth();
}

/** The observability layer (the budget) alone on a bare stack. */
function observability(config: EnvironmentConfig): Synthesized {
  const b = bareStack(config);
  new ObservabilityLayer(b.stack, 'Observability', {
    naming: b.naming,
    environment: config.name,
    accountId: config.accountId,
    region: config.region,
    config,
    alertsKmsKeyArn: KEYS.data,
    monitor: b.stack,
  });
  return b.synth();
}

/** The `main` account's baseline stack on its own, from the accounts input after `edit`. */
function baseline(edit: (accounts: Record<string, any>) => void = () => {}): Synthesized {
  const input = accountsInputCopy();
  edit(input);
  const stack = new BaselineStack(Testing.app(), 'baseline-main', {
    accountSlug: 'main',
    account: parseAccountsConfig(input).main,
  });
  return synth(stack);
}

describe('security-group building blocks', () => {
  const stack = new TerraformStack(Testing.app(), 'sg');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const alb = new OwnedSecurityGroup(stack, 'Alb', { vpcId: 'vpc-1', name: 'p-e-alb', description: 'ALB' });
  const svc = new OwnedSecurityGroup(stack, 'Svc', {
    vpcId: 'vpc-1',
    name: 'p-e-svc',
    description: 'service',
  });
  connect(alb, svc, 8000, 'ALB to backend', { clientEgress: true });
  alb.allowFromCidrs(['0.0.0.0/0', '::/0'], 443, 'HTTPS from the world');
  alb.allowFromPrefixLists(['pl-3b927c52'], 443, 'HTTPS from CloudFront');
  const out = synth(stack);

  it('creates groups with no inline rules', () => {
    for (const [, g] of out.resources('aws_security_group')) {
      expect(g.ingress).toBeUndefined();
      expect(g.egress).toBeUndefined();
      expect(g.revoke_rules_on_delete).toBe(true);
    }
  });

  it('writes one described, port-scoped rule per peer', () => {
    const svcIn = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([id]) => id.startsWith('Svc_'));
    expect(svcIn).toHaveLength(1);
    expect(svcIn[0][1]).toMatchObject({
      from_port: 8000,
      to_port: 8000,
      ip_protocol: 'tcp',
      description: 'ALB to backend',
    });
    expect(svcIn[0][1].referenced_security_group_id).toMatch(/aws_security_group\.Alb_Group/);
    const albOut = out.resources('aws_vpc_security_group_egress_rule');
    expect(albOut).toHaveLength(1);
    expect(albOut[0][1]).toMatchObject({ from_port: 8000, to_port: 8000, description: 'ALB to backend' });
    expect(albOut[0][1].referenced_security_group_id).toMatch(/aws_security_group\.Svc_Group/);
  });

  it('admits CIDRs of both families and prefix lists only where asked', () => {
    const albIn = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([id]) => id.startsWith('Alb_'))
      .map(([, r]) => r);
    expect(albIn).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cidr_ipv4: '0.0.0.0/0', from_port: 443 }),
        expect.objectContaining({ cidr_ipv6: '::/0', from_port: 443 }),
        expect.objectContaining({ prefix_list_id: 'pl-3b927c52', from_port: 443 }),
      ]),
    );
    for (const r of out.resources('aws_vpc_security_group_ingress_rule'))
      expect(r[1].description).toBeTruthy();
  });
});

describe('environment KMS keys', () => {
  const out = security(configOf('dev'));

  it('creates data, logs and secrets keys with rotation and aliases', () => {
    expect(
      out
        .resources('aws_kms_alias')
        .map(([, a]) => a.name)
        .sort(),
    ).toEqual(['alias/webplat-dev-data', 'alias/webplat-dev-logs', 'alias/webplat-dev-secrets']);
    for (const [, k] of out.resources('aws_kms_key')) {
      expect(k.enable_key_rotation).toBe(true);
      expect(k.deletion_window_in_days).toBe(30);
    }
  });

  it('lets CloudWatch Logs use the logs key for this account and region only', () => {
    const logs = out.resources('aws_kms_key').find(([id]) => id.startsWith('Keys_Logs'))![1];
    const doc = policy(logs.policy);
    expect(doc.Statement[0]).toMatchObject({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } });
    const cwl = doc.Statement.find((s) => s.Sid === 'CloudWatchLogsUse');
    expect(cwl.Principal).toEqual({ Service: 'logs.us-east-1.amazonaws.com' });
    expect(cwl.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toBe(
      'arn:aws:logs:us-east-1:111111111111:log-group:*',
    );
    expect(cwl.Action).not.toContain('kms:*');
  });

  it('lets the data services use the data key on behalf of this account only', () => {
    const data = out.resources('aws_kms_key').find(([id]) => id.startsWith('Keys_Data'))![1];
    const via = policy(data.policy).Statement.find((s) => s.Sid === 'UseThroughServices');
    expect(via.Principal).toEqual({ AWS: 'arn:aws:iam::111111111111:root' });
    expect(via.Condition.StringEquals['kms:CallerAccount']).toBe('111111111111');
    expect(via.Condition.StringEquals['kms:ViaService']).toEqual(
      expect.arrayContaining([
        'rds.us-east-1.amazonaws.com',
        'elasticache.us-east-1.amazonaws.com',
        'dynamodb.us-east-1.amazonaws.com',
        's3.us-east-1.amazonaws.com',
        'backup.us-east-1.amazonaws.com',
      ]),
    );
    const secrets = out.resources('aws_kms_key').find(([id]) => id.startsWith('Keys_Secrets'))![1];
    expect(policy(secrets.policy).Statement[1].Condition.StringEquals['kms:ViaService']).toEqual([
      'secretsmanager.us-east-1.amazonaws.com',
      'eks.us-east-1.amazonaws.com',
    ]);
  });
});

describe('bastion', () => {
  const out = networkLayer(configOf('dev'));

  it('is absent unless configured', () => {
    const config = configOf('dev', (env) => delete env.network.bastion);
    expect(networkLayer(config).count('aws_instance')).toBe(0);
  });

  it('runs from a launch template with an SSM-resolved AMI and IMDSv2, in a private subnet', () => {
    // dev's NAT instance has a launch template of its own.
    const [, lt] = out.resources('aws_launch_template').find(([id]) => id.startsWith('Bastion_'))!;
    expect(lt.image_id).toBe(
      'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
    );
    expect(lt.instance_type).toBe('t4g.nano');
    expect(lt.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    expect(lt.block_device_mappings[0].ebs).toMatchObject({ encrypted: 'true' });
    const instance = out.only('aws_instance');
    expect(instance.ami).toBeUndefined();
    expect(instance.associate_public_ip_address).toBe(false);
    expect(instance.subnet_id).toMatch(/Network_PrivateSubnet0/);
    expect(instance.launch_template.id).toMatch(/aws_launch_template/);
  });

  it('has no inbound rules at all, and is managed through SSM', () => {
    const inbound = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([, r]) => /Bastion_SecurityGroup/.test(r.security_group_id));
    expect(inbound).toEqual([]);
    expect(out.resources('aws_iam_role_policy_attachment').map(([, a]) => a.policy_arn)).toContain(
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    );
    expect(out.json.output.bastion_instance_id).toBeDefined();
  });
});

describe('budget', () => {
  it('filters monthly cost by the Environment tag and alerts the configured emails and the warning topic', () => {
    const config = configOf('dev');
    const out = observability(config);
    const budget = out.only('aws_budgets_budget');
    expect(budget).toMatchObject({
      name: 'webplat-dev-monthly',
      budget_type: 'COST',
      limit_amount: config.budget!.monthlyLimitUsd.toFixed(2),
      limit_unit: 'USD',
      time_unit: 'MONTHLY',
    });
    expect(budget.cost_filter).toEqual([{ name: 'TagKeyValue', values: ['user:Environment$dev'] }]);
    const actual = budget.notification.filter((n: any) => n.notification_type === 'ACTUAL');
    expect(actual.map((n: any) => n.threshold)).toEqual([80, 100]);
    for (const n of budget.notification) {
      expect(n.subscriber_email_addresses).toEqual(['platform-alerts@example.com']);
      expect(n.subscriber_sns_topic_arns).toEqual([
        expect.stringMatching(/aws_sns_topic\.Alerts_Topic-warning_\w+\.arn/),
      ]);
    }
  });

  it('is absent without budget config', () => {
    const config = configOf('dev', (env) => delete env.budget);
    expect(observability(config).count('aws_budgets_budget')).toBe(0);
  });
});

describe('account baseline', () => {
  const out = baseline();

  // The app's own stacks (synthesized once per run): this is about which stack holds what.
  it('is one stack per account, even with three environments in it', () => {
    const ids = appStackIds();
    for (const slug of Object.keys(registry.accounts)) expect(ids).toContain(`baseline-${slug}`);
    expect(ids.filter((id) => id.startsWith('baseline-'))).toHaveLength(
      Object.keys(registry.accounts).length,
    );
    for (const [, p] of Object.entries(appStacks().platform)) {
      for (const t of [
        'aws_guardduty_detector',
        'aws_cloudtrail',
        'aws_config_configuration_recorder',
        'aws_accessanalyzer_analyzer',
        'aws_ebs_encryption_by_default',
      ]) {
        expect(p.count(t)).toBe(0);
      }
    }
    expect(out.json.terraform.backend.s3.key).toBe('webplat/accounts/main/terraform.tfstate');
  });

  it('records a multi-region, validated, KMS-encrypted trail into its own bucket and CloudWatch Logs', () => {
    const trail = out.only('aws_cloudtrail');
    expect(trail).toMatchObject({
      name: 'webplat-trail',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
    });
    expect(trail.kms_key_id).toMatch(/aws_kms_key\.Baseline_TrailKey/);
    expect(trail.cloud_watch_logs_group_arn).toMatch(/aws_cloudwatch_log_group\..+\.arn\}:\*$/);
    const bucket = out.resources('aws_s3_bucket').find(([id]) => id.startsWith('Baseline_TrailBucket'))![1];
    expect(bucket.bucket).toBe('webplat-cloudtrail-111111111111');
    const lifecycle = out
      .resources('aws_s3_bucket_lifecycle_configuration')
      .find(([id]) => id.startsWith('Baseline_TrailBucket'))![1];
    const archive = lifecycle.rule.find((r: any) => r.id === 'archive-then-expire');
    expect(archive.transition.map((t: any) => t.storage_class)).toEqual(['STANDARD_IA', 'GLACIER']);
    expect(archive.expiration).toEqual([{ days: 365 }]);
    const bucketPolicy = policy(
      out.resources('aws_s3_bucket_policy').find(([id]) => id.startsWith('Baseline_TrailBucket'))![1].policy,
    );
    expect(bucketPolicy.Statement.map((s) => s.Sid)).toEqual([
      'DenyInsecureTransport',
      'CloudTrailAclCheck',
      'CloudTrailWrite',
    ]);
    expect(bucketPolicy.Statement[2].Condition.StringEquals['aws:SourceArn']).toBe(
      'arn:aws:cloudtrail:us-east-1:111111111111:trail/webplat-trail',
    );
  });

  it('enables GuardDuty with S3, RDS login and (configured) Fargate runtime monitoring', () => {
    expect(out.only('aws_guardduty_detector').enable).toBe(true);
    const features = Object.fromEntries(
      out.resources('aws_guardduty_detector_feature').map(([, f]) => [f.name, f]),
    );
    expect(features.S3_DATA_EVENTS.status).toBe('ENABLED');
    expect(features.RDS_LOGIN_EVENTS.status).toBe('ENABLED');
    expect(features.RUNTIME_MONITORING.status).toBe('ENABLED');
    expect(features.RUNTIME_MONITORING.additional_configuration).toEqual([
      { name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' },
    ]);
    const off = baseline((accounts) => (accounts.main.baseline.guardDutyRuntimeMonitoring = false));
    const runtime = off
      .resources('aws_guardduty_detector_feature')
      .find(([, f]) => f.name === 'RUNTIME_MONITORING')![1];
    expect(runtime.status).toBe('DISABLED');
  });

  it('records AWS Config with a delivery channel and the managed rules', () => {
    expect(out.only('aws_config_configuration_recorder').recording_group).toMatchObject({
      all_supported: true,
      include_global_resource_types: true,
    });
    expect(out.only('aws_config_delivery_channel').s3_bucket_name).toMatch(
      /aws_s3_bucket\.Baseline_ConfigBucket/,
    );
    expect(out.only('aws_config_configuration_recorder_status').is_enabled).toBe(true);
    expect(
      out
        .resources('aws_config_config_rule')
        .map(([, r]) => r.source.source_identifier)
        .sort(),
    ).toEqual(Object.values(BASELINE_CONFIG_RULES).sort());
  });

  it('blocks public S3 account-wide, encrypts EBS by default, analyzes access', () => {
    expect(out.only('aws_s3_account_public_access_block')).toMatchObject({
      account_id: '111111111111',
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(out.only('aws_ebs_encryption_by_default').enabled).toBe(true);
    expect(out.only('aws_accessanalyzer_analyzer').type).toBe('ACCOUNT');
  });

  it('activates cost-allocation tags only when opted in', () => {
    expect(out.count('aws_ce_cost_allocation_tag')).toBe(0);
    const on = baseline((accounts) => (accounts.main.baseline.activateCostAllocationTags = true));
    expect(
      on
        .resources('aws_ce_cost_allocation_tag')
        .map(([, t]) => t.tag_key)
        .sort(),
    ).toEqual(['Environment', 'Project']);
  });
});

/**
 * What AWS derives for the attributes the platform's policies and contracts reference, per resource
 * type (scripts/contracts/world.ts replaces each `${type.name.attribute}` with it): from the
 * resource's own arguments where AWS derives them (a bucket ARN from its name), otherwise a stable
 * made-up id per resource (a key id, a pool id), so two resources never share a value.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
import { createHash } from 'node:crypto';

export const hex = (seed: string, length: number) =>
  createHash('sha256').update(seed).digest('hex').slice(0, length);
export const uuid = (seed: string) => {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export type Attributes = (body: any, at: Location) => Record<string, string>;
export interface Location {
  readonly account: string;
  readonly region: string;
  /** A stable seed for made-up ids: `<stack>/<type>.<logical id>`. */
  readonly seed: string;
  /** Resolves the references in another argument of the same resource. */
  readonly value: (v: unknown) => string;
}

export const arn = (
  service: string,
  at: Location,
  resource: string,
  region = at.region,
  account = at.account,
) => `arn:aws:${service}:${region}:${account}:${resource}`;

/**
 * What AWS derives for each attribute the platform's policies and contracts reference. A reference
 * to a type or attribute missing here fails the evaluation with its name: add it here.
 */
export const ATTRIBUTES: Record<string, Attributes> = {
  aws_iam_role: (b, at) => ({
    name: at.value(b.name),
    id: at.value(b.name),
    arn: `arn:aws:iam::${at.account}:role/${at.value(b.name)}`,
  }),
  aws_iam_policy: (b, at) => ({
    name: at.value(b.name),
    arn: `arn:aws:iam::${at.account}:policy${b.path ?? '/'}${at.value(b.name)}`,
  }),
  aws_iam_instance_profile: (b, at) => ({
    name: at.value(b.name),
    arn: `arn:aws:iam::${at.account}:instance-profile/${at.value(b.name)}`,
  }),
  aws_iam_openid_connect_provider: (b, at) => ({
    arn: `arn:aws:iam::${at.account}:oidc-provider/${at.value(b.url).replace(/^https:\/\//, '')}`,
  }),
  aws_s3_bucket: (b, at) => ({
    id: at.value(b.bucket),
    bucket: at.value(b.bucket),
    arn: `arn:aws:s3:::${at.value(b.bucket)}`,
  }),
  aws_sns_topic: (b, at) => ({ arn: arn('sns', at, at.value(b.name)), id: arn('sns', at, at.value(b.name)) }),
  aws_sqs_queue: (b, at) => ({
    arn: arn('sqs', at, at.value(b.name)),
    url: `https://sqs.${at.region}.amazonaws.com/${at.account}/${at.value(b.name)}`,
    name: at.value(b.name),
  }),
  aws_cloudwatch_log_group: (b, at) => ({
    arn: arn('logs', at, `log-group:${at.value(b.name)}`),
    name: at.value(b.name),
  }),
  aws_kms_key: (_b, at) => ({
    arn: arn('kms', at, `key/${uuid(at.seed)}`),
    key_id: uuid(at.seed),
    id: uuid(at.seed),
  }),
  aws_db_instance: (b, at) => ({
    arn: arn('rds', at, `db:${at.value(b.identifier)}`),
    identifier: at.value(b.identifier),
    resource_id: `db-${hex(at.seed, 26).toUpperCase()}`,
    'master_user_secret[0].secret_arn': arn('secretsmanager', at, `secret:rds!db-${uuid(at.seed)}-AbCdEf`),
  }),
  aws_rds_cluster: (b, at) => ({
    arn: arn('rds', at, `cluster:${at.value(b.cluster_identifier)}`),
    cluster_resource_id: `cluster-${hex(at.seed, 26).toUpperCase()}`,
    'master_user_secret[0].secret_arn': arn(
      'secretsmanager',
      at,
      `secret:rds!cluster-${uuid(at.seed)}-AbCdEf`,
    ),
  }),
  aws_db_proxy: (b, at) => ({
    arn: arn('rds', at, `db-proxy:prx-${hex(at.seed, 17)}`),
    name: at.value(b.name),
    endpoint: `${at.value(b.name)}.proxy-${hex(at.seed, 12)}.${at.region}.rds.amazonaws.com`,
  }),
  aws_secretsmanager_secret: (b, at) => ({
    arn: arn('secretsmanager', at, `secret:${at.value(b.name)}-AbCdEf`),
    id: arn('secretsmanager', at, `secret:${at.value(b.name)}-AbCdEf`),
  }),
  aws_elasticache_replication_group: (b, at) => ({
    arn: arn('elasticache', at, `replicationgroup:${at.value(b.replication_group_id)}`),
  }),
  aws_elasticache_user: (b, at) => ({ arn: arn('elasticache', at, `user:${at.value(b.user_id)}`) }),
  aws_dynamodb_table: (b, at) => ({
    arn: arn('dynamodb', at, `table/${at.value(b.name)}`),
    // The stream's label is a timestamp AWS picks when the stream is enabled.
    stream_arn: arn('dynamodb', at, `table/${at.value(b.name)}/stream/2026-01-01T00:00:00.000`),
    name: at.value(b.name),
    id: at.value(b.name),
  }),
  aws_ecr_repository: (b, at) => ({
    arn: arn('ecr', at, `repository/${at.value(b.name)}`),
    name: at.value(b.name),
  }),
  aws_lambda_function: (b, at) => ({
    function_name: at.value(b.function_name),
    arn: arn('lambda', at, `function:${at.value(b.function_name)}`),
  }),
  aws_cognito_user_pool: (_b, at) => ({
    id: `${at.region}_${hex(at.seed, 9)}`,
    arn: arn('cognito-idp', at, `userpool/${at.region}_${hex(at.seed, 9)}`),
  }),
  aws_cognito_identity_pool: (_b, at) => ({ id: `${at.region}:${uuid(at.seed)}` }),
  aws_eks_cluster: (b, at) => ({
    name: at.value(b.name),
    id: at.value(b.name),
    arn: arn('eks', at, `cluster/${at.value(b.name)}`),
  }),
  aws_route53_zone: (b, at) => ({
    zone_id: `Z${hex(at.seed, 13).toUpperCase()}`,
    arn: `arn:aws:route53:::hostedzone/Z${hex(at.seed, 13).toUpperCase()}`,
    name: at.value(b.name),
  }),
  aws_msk_cluster: (b, at) => ({
    cluster_uuid: `${uuid(at.seed)}-1`,
    arn: arn('kafka', at, `cluster/${at.value(b.cluster_name)}/${uuid(at.seed)}-1`),
  }),
  aws_msk_serverless_cluster: (b, at) => ({
    cluster_uuid: `${uuid(at.seed)}-s1`,
    arn: arn('kafka', at, `cluster/${at.value(b.cluster_name)}/${uuid(at.seed)}-s1`),
  }),
  aws_cloudfront_distribution: (_b, at) => ({
    arn: `arn:aws:cloudfront::${at.account}:distribution/E${hex(at.seed, 13).toUpperCase()}`,
  }),
  aws_ecs_cluster: (b, at) => ({
    name: at.value(b.name),
    arn: arn('ecs', at, `cluster/${at.value(b.name)}`),
    id: arn('ecs', at, `cluster/${at.value(b.name)}`),
  }),
  aws_ecs_service: (b, at) => {
    const cluster = at.value(b.cluster).replace(/^.*:cluster\//, '');
    const service = arn('ecs', at, `service/${cluster}/${at.value(b.name)}`);
    return { id: service, arn: service, name: at.value(b.name) };
  },
  aws_lb: (b, at) => ({
    arn: arn('elasticloadbalancing', at, `loadbalancer/app/${at.value(b.name)}/${hex(at.seed, 16)}`),
  }),
  aws_lb_listener: (b, at) => {
    const lb = at.value(b.load_balancer_arn).replace(/^.*:loadbalancer\//, '');
    return { arn: arn('elasticloadbalancing', at, `listener/${lb}/${hex(at.seed, 16)}`) };
  },
  aws_lb_listener_rule: (b, at) => {
    const listener = at.value(b.listener_arn).replace(/^.*:listener\//, '');
    return { arn: arn('elasticloadbalancing', at, `listener-rule/${listener}/${hex(at.seed, 16)}`) };
  },
  aws_lb_target_group: (b, at) => ({
    arn: arn('elasticloadbalancing', at, `targetgroup/${at.value(b.name)}/${hex(at.seed, 16)}`),
  }),
  aws_network_interface: (_b, at) => ({ id: `eni-${hex(at.seed, 17)}` }),
  // A function in the VPC may create interfaces in its subnets with its group (core/node-function.ts).
  aws_subnet: (_b, at) => ({ id: `subnet-${hex(at.seed, 17)}` }),
  aws_security_group: (_b, at) => ({ id: `sg-${hex(at.seed, 17)}` }),
  aws_codedeploy_app: (b, at) => ({ name: at.value(b.name) }),
  aws_backup_vault: (b, at) => ({
    name: at.value(b.name),
    arn: arn('backup', at, `backup-vault:${at.value(b.name)}`),
  }),
};

/** `data.<type>` attributes (AWS's own values). */
export const DATA_ATTRIBUTES: Record<string, (at: Location) => Record<string, string>> = {
  // The ELB service account of us-east-1 (Elastic Load Balancing user guide, "Enable access logs").
  aws_elb_service_account: () => ({ arn: 'arn:aws:iam::127311923021:root' }),
  aws_caller_identity: (at) => ({ account_id: at.account }),
  aws_region: (at) => ({ name: at.region, id: at.region }),
  aws_partition: () => ({ partition: 'aws' }),
};

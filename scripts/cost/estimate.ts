/**
 * Monthly cost estimate of one synthesized stack (Terraform JSON): fixed lines from what runs by the
 * hour or the month (priced per resource type, one table entry each), and the usage-priced lines of
 * what the stack uses, named with their unit price. Fargate is priced at the services' desired count
 * with their Spot share; usage is not guessed.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
import { HOURS_PER_MONTH, PRICES, type RegionPrices } from './prices';
import { round4, spotShare } from './spot';

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  /** `hour`, `month`: what `unitPrice` is per. */
  readonly unit: string;
  readonly unitPrice: number;
  readonly monthly: number;
}

export interface StackEstimate {
  readonly fixed: readonly CostLine[];
  readonly fixedMonthly: number;
  /** Usage-priced items the stack incurs: name (with unit) -> unit price. */
  readonly usage: Readonly<Record<string, number>>;
  /** Resources whose size the table has no price for. */
  readonly unpriced: readonly string[];
  /**
   * The recovery-region share (issue 28), a subtotal of the above: what the stack runs in its
   * recovery region (the resources of the `dr` provider: the DR vault, its lock and policy) and the
   * usage lines of copying there. Absent without a recovery region.
   */
  readonly recovery?: RecoveryShare;
}

export interface RecoveryShare {
  readonly region: string;
  readonly fixed: readonly CostLine[];
  readonly fixedMonthly: number;
  readonly usage: Readonly<Record<string, number>>;
}

/** The provider alias of the recovery region (stacks/platform-stack.ts; a pinned address, never renamed). */
export const RECOVERY_PROVIDER = 'aws.dr';

interface Ctx {
  readonly json: any;
  readonly prices: (r: any) => RegionPrices;
  readonly fixed: CostLine[];
  readonly usage: Record<string, number>;
  readonly unpriced: string[];
}

const round = (n: number) => Math.round(n * 100) / 100;
const first = (v: any) => (Array.isArray(v) ? v[0] : v);
const list = (v: any): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const num = (v: unknown, fallback = 0) => (typeof v === 'number' ? v : Number(v ?? fallback) || fallback);

function add(ctx: Ctx, item: string, quantity: number, unit: 'hour' | 'month', unitPrice: number): void {
  if (quantity <= 0) return;
  const monthly = quantity * unitPrice * (unit === 'hour' ? HOURS_PER_MONTH : 1);
  const same = ctx.fixed.findIndex((l) => l.item === item && l.unitPrice === unitPrice && l.unit === unit);
  if (same >= 0) {
    const l = ctx.fixed[same];
    ctx.fixed[same] = { ...l, quantity: l.quantity + quantity, monthly: l.monthly + monthly };
  } else ctx.fixed.push({ item, quantity, unit, unitPrice, monthly });
}

function sized(
  ctx: Ctx,
  table: Readonly<Record<string, number>>,
  size: string,
  what: string,
): number | undefined {
  const price = table[size];
  if (price === undefined) ctx.unpriced.push(`${what} ${size}`);
  return price;
}

function use(ctx: Ctx, p: RegionPrices, ...names: string[]): void {
  for (const n of names) ctx.usage[n] = p.usage[n];
}

type Pricer = (ctx: Ctx, body: any, p: RegionPrices) => void;

/** Per resource type: its fixed lines and the usage lines it brings. A type not listed costs nothing fixed. */
const PRICERS: Record<string, Pricer> = {
  aws_nat_gateway: (c, _b, p) => {
    add(c, 'NAT gateway', 1, 'hour', p.natGatewayHour);
    use(c, p, 'NAT data processed, per GB');
  },
  aws_eip: (c, _b, p) => add(c, 'Public IPv4 address (Elastic IP)', 1, 'hour', p.publicIpv4Hour),
  aws_lb: (c, b, p) => {
    add(c, `Load balancer (${b.load_balancer_type ?? 'application'})`, 1, 'hour', p.albHour);
    // An internet-facing load balancer holds a public IPv4 address per subnet (AZ).
    if (b.internal !== true)
      add(c, 'Public IPv4 address (load balancer)', list(b.subnets).length, 'hour', p.publicIpv4Hour);
    use(c, p, 'ALB capacity units, per LCU-hour', 'Data transfer out to the internet, per GB');
  },
  aws_instance: (c, b) => instance(c, b, 1),
  aws_autoscaling_group: (c, b) => instance(c, b, num(b.desired_capacity, num(b.min_size))),
  aws_db_instance: (c, b, p) => {
    const price = sized(c, p.rds, b.instance_class, 'RDS');
    const azs = b.multi_az === true ? 2 : 1;
    if (price !== undefined)
      add(c, `RDS ${b.engine} ${b.instance_class}${azs > 1 ? ' Multi-AZ' : ''}`, azs, 'hour', price);
    add(c, 'RDS gp3 storage, GB', num(b.allocated_storage) * azs, 'month', p.rdsGp3GbMonth);
    if (b.manage_master_user_password === true) add(c, 'Secrets Manager secret', 1, 'month', p.secretMonth);
  },
  aws_rds_cluster: (c, b, p) => {
    if (b.manage_master_user_password === true) add(c, 'Secrets Manager secret', 1, 'month', p.secretMonth);
    const min = num(first(b.serverlessv2_scaling_configuration)?.min_capacity);
    c.json.__auroraMinAcu = min;
  },
  aws_rds_cluster_instance: (c, b, p) => {
    if (b.instance_class === 'db.serverless') {
      const acu = num(c.json.__auroraMinAcu, 0.5);
      add(c, `Aurora Serverless v2 at minimum capacity (${acu} ACU)`, acu, 'hour', p.auroraAcuHour);
    } else {
      const price = sized(c, p.rds, b.instance_class, 'Aurora');
      if (price !== undefined) add(c, `Aurora ${b.instance_class}`, 1, 'hour', price);
    }
  },
  // Billed on the target's capacity with a floor: 8 ACUs for Aurora Serverless v2, 2 vCPUs otherwise
  // (the floor is the estimate: a larger provisioned target costs more).
  aws_db_proxy: (c, _b, p) => {
    const serverless = Object.values<any>(c.json.resource?.aws_rds_cluster_instance ?? {}).some(
      (i) => i.instance_class === 'db.serverless',
    );
    add(
      c,
      `RDS Proxy (at least ${serverless ? '8 ACUs' : '2 vCPUs'})`,
      serverless ? 8 : 2,
      'hour',
      p.rdsProxyUnitHour,
    );
  },
  aws_elasticache_replication_group: (c, b, p) => {
    const price = sized(c, p.elasticache, b.node_type, 'ElastiCache');
    const nodes = num(b.num_cache_clusters, 1);
    if (price !== undefined) add(c, `ElastiCache ${b.node_type}`, nodes, 'hour', price);
  },
  aws_msk_cluster: (c, b, p) => {
    const info = first(b.broker_node_group_info) ?? {};
    const brokers = num(b.number_of_broker_nodes);
    const price = sized(c, p.msk, info.instance_type, 'MSK');
    if (price !== undefined) add(c, `MSK broker ${info.instance_type}`, brokers, 'hour', price);
    const gb = num(first(first(info.storage_info)?.ebs_storage_info)?.volume_size, 1000);
    add(c, 'MSK broker storage, GB', gb * brokers, 'month', p.mskStorageGbMonth);
  },
  aws_eks_cluster: (c, _b, p) => add(c, 'EKS control plane', 1, 'hour', p.eksControlPlaneHour),
  aws_eks_node_group: (c, b, p) => {
    const type = list(b.instance_types)[0] ?? 't3.medium';
    const price = sized(c, p.ec2, type, 'EKS node');
    const count = num(first(b.scaling_config)?.desired_size, 1);
    const spot = b.capacity_type === 'SPOT' ? p.fargate.spotFactor : 1;
    if (price !== undefined)
      add(c, `EKS nodes ${type}${spot < 1 ? ' (Spot)' : ''}`, count, 'hour', price * spot);
  },
  aws_ecs_service: (c, b, p) => fargate(c, b, p),
  aws_wafv2_web_acl: (c, b, p) => {
    add(c, 'WAF web ACL', 1, 'month', p.wafAclMonth);
    add(c, 'WAF rules', list(b.rule).length, 'month', p.wafRuleMonth);
    use(c, p, 'WAF requests, per million');
  },
  aws_kms_key: (c, _b, p) => {
    add(c, 'KMS customer-managed key', 1, 'month', p.kmsKeyMonth);
    use(c, p, 'KMS requests, per 10,000');
  },
  aws_secretsmanager_secret: (c, _b, p) => add(c, 'Secrets Manager secret', 1, 'month', p.secretMonth),
  aws_vpc_endpoint: (c, b, p) => {
    if (b.vpc_endpoint_type !== 'Interface') return;
    add(c, 'Interface endpoint, per AZ', list(b.subnet_ids).length, 'hour', p.interfaceEndpointAzHour);
    use(c, p, 'Interface endpoint data, per GB');
  },
  aws_route53_health_check: (c, _b, p) =>
    add(c, 'Route 53 health check (HTTPS, AWS endpoint)', 1, 'month', p.httpsHealthCheckMonth),
  aws_route53_zone: (c, _b, p) => {
    add(c, 'Route 53 hosted zone', 1, 'month', p.hostedZoneMonth);
    use(c, p, 'Route 53 queries, per million');
  },
  aws_cloudwatch_metric_alarm: (c, _b, p) => add(c, 'CloudWatch alarm', 1, 'month', p.alarmMonth),
  aws_cloudwatch_composite_alarm: (c, _b, p) =>
    add(c, 'CloudWatch composite alarm', 1, 'month', p.compositeAlarmMonth),
  aws_cloudwatch_dashboard: (c, _b, p) => add(c, 'CloudWatch dashboard', 1, 'month', p.dashboardMonth),
  aws_cloudwatch_log_group: (c, _b, p) => use(c, p, 'CloudWatch Logs ingestion, per GB'),
  aws_s3_bucket: (c, _b, p) => use(c, p, 'S3 Standard storage, per GB-month'),
  // The replica's storage is its bucket's (above, in the recovery region); each copy crosses once.
  aws_s3_bucket_replication_configuration: (c, _b, p) =>
    use(c, p, 'Cross-region data transfer (replication), per GB'),
  // RDS replicates the instance's automated backups (snapshots, transaction logs) to the recovery region.
  aws_db_instance_automated_backups_replication: (c, _b, p) =>
    use(
      c,
      p,
      'RDS automated backups replicated, per GB-month',
      'Cross-region data transfer (replication), per GB',
    ),
  aws_ecr_replication_configuration: (c, _b, p) =>
    use(c, p, 'Cross-region data transfer (replication), per GB'),
  aws_dynamodb_table: (c, _b, p) =>
    use(c, p, 'DynamoDB on-demand writes, per million', 'DynamoDB on-demand reads, per million'),
  // A global table's replica (data/table-replication.ts): every write of the source is written again there.
  aws_dynamodb_table_replica: (c, _b, p) =>
    use(
      c,
      p,
      'DynamoDB replicated writes, per million',
      'DynamoDB replica storage, per GB-month',
      'DynamoDB replication transfer, per GB',
    ),
  aws_cloudfront_distribution: (c, _b, p) =>
    use(c, p, 'CloudFront data out (North America), per GB', 'CloudFront HTTPS requests, per 10,000'),
  aws_cognito_user_pool: (c, b, p) => {
    use(c, p, 'Cognito Essentials monthly active users, per MAU above 10,000');
    const mode = first(b.user_pool_add_ons)?.advanced_security_mode;
    if (mode === 'ENFORCED' || mode === 'AUDIT') use(c, p, 'Cognito threat protection, per MAU');
    // The SES sender (identity.email.sender 'ses'): sign-up, invitation and recovery mails.
    if (first(b.email_configuration)?.email_sending_account === 'DEVELOPER')
      use(c, p, 'SES outbound e-mail, per 1,000');
  },
  aws_lambda_function: (c, _b, p) =>
    use(c, p, 'Lambda requests, per million', 'Lambda compute, per GB-second'),
  aws_sqs_queue: (c, _b, p) => use(c, p, 'SQS requests, per million'),
  aws_ecr_repository: (c, _b, p) => use(c, p, 'ECR storage, per GB-month'),
  aws_backup_vault: (c, _b, p) => use(c, p, 'Backup storage (warm), per GB-month'),
};

/** An EC2 instance (or `count` from an auto-scaling group) by its launch template, with its root volume. */
function instance(c: Ctx, b: any, count: number): void {
  const p = c.prices(b);
  const mixed = first(b.mixed_instances_policy);
  const spec = first(first(mixed?.launch_template)?.launch_template_specification);
  const template = launchTemplate(c, first(b.launch_template)?.id ?? spec?.launch_template_id);
  const type: string = b.instance_type ?? template?.instance_type;
  const onDemand =
    num(first(mixed?.instances_distribution)?.on_demand_percentage_above_base_capacity, 100) / 100;
  const price = sized(c, p.ec2, type, 'EC2');
  // Named by what it is (`webplat-dev-nat`, `webplat-dev-bastion`): two instances of one type differ.
  const name: string | undefined = b.name ?? template?.name ?? b.tags?.Name;
  const label = (spot: string) => `EC2 ${type}${spot}${name ? ` (${name})` : ''}`;
  if (price !== undefined) {
    add(c, label(''), count * onDemand, 'hour', price);
    add(c, label(' Spot'), count * (1 - onDemand), 'hour', round4(price * p.ec2SpotFactor));
  }
  const gb =
    list(template?.block_device_mappings).reduce((s, m) => s + num(first(m.ebs)?.volume_size), 0) || 8;
  add(c, 'EBS gp3, GB', gb * count, 'month', p.ebsGp3GbMonth);
  const publicIp = list(template?.network_interfaces).some((n) => n.associate_public_ip_address === 'true');
  if (b.associate_public_ip_address === true || publicIp)
    add(c, 'Public IPv4 address (instance)', count, 'hour', p.publicIpv4Hour);
}

/** `${aws_launch_template.X.id}` -> the template's body. */
function launchTemplate(c: Ctx, ref: unknown): any {
  const id = typeof ref === 'string' ? /aws_launch_template\.([^.]+)\./.exec(ref)?.[1] : undefined;
  return id ? c.json.resource?.aws_launch_template?.[id] : undefined;
}

/** Fargate at desired count; the Spot share from the capacity provider strategy's base and weights. */
function fargate(c: Ctx, b: any, p: RegionPrices): void {
  const ref = /aws_ecs_task_definition\.([^.]+)\./.exec(b.task_definition ?? '')?.[1];
  const task = ref ? c.json.resource?.aws_ecs_task_definition?.[ref] : undefined;
  const count = num(b.desired_count);
  if (!task || count === 0) return;
  const arm = first(task.runtime_platform)?.cpu_architecture === 'ARM64';
  const perTask =
    ((num(task.cpu) / 1024) * p.fargate.vcpu + (num(task.memory) / 1024) * p.fargate.gb) *
    (arm ? p.fargate.armFactor : 1);
  const strategy = list(b.capacity_provider_strategy);
  const spot = spotShare(strategy, count);
  const name = `Fargate ${num(task.cpu) / 1024} vCPU / ${num(task.memory) / 1024} GB${arm ? ' ARM' : ''}`;
  // The OpenTelemetry collector sidecar reserves part of each task: its share is a line of its own,
  // out of the task's price (the total stays the task size's).
  const collector = collectorShare(task, p, arm ? p.fargate.armFactor : 1);
  // Each rounded as the whole task is, the two prices add up to the task's exactly.
  const share = (price: number) => round4(((collector?.perTask ?? 0) * price) / perTask);
  const onDemand = round4(perTask);
  const onSpot = round4(perTask * p.fargate.spotFactor);
  add(c, `${name} on demand`, count * (1 - spot), 'hour', round4(onDemand - share(onDemand)));
  add(c, `${name} Spot`, count * spot, 'hour', round4(onSpot - share(onSpot)));
  if (collector) {
    add(c, `${collector.item} on demand`, count * (1 - spot), 'hour', share(onDemand));
    add(c, `${collector.item} Spot`, count * spot, 'hour', share(onSpot));
  }
}

/** The ADOT collector container's cpu and memory reservation in a task, at Fargate prices. */
function collectorShare(
  task: any,
  p: RegionPrices,
  factor: number,
): { item: string; perTask: number } | undefined {
  let containers: any[];
  try {
    containers = JSON.parse(String(task.container_definitions ?? '[]'));
  } catch {
    return undefined;
  }
  const c = containers.find((d) => d?.name === 'aws-otel-collector');
  if (!c) return undefined;
  const cpu = num(c.cpu);
  const memory = num(c.memoryReservation ?? c.memory);
  return {
    item: `OpenTelemetry collector sidecar (${cpu} CPU units / ${memory} MiB of a task)`,
    perTask: ((cpu / 1024) * p.fargate.vcpu + (memory / 1024) * p.fargate.gb) * factor,
  };
}

export function estimateStack(json: any): StackEstimate {
  const providers = list(json.provider?.aws);
  const regionOf = (alias?: string) =>
    (providers.find((p) => (alias ? p.alias === alias : !p.alias)) ?? providers[0])?.region ?? 'us-east-1';
  const prices = (r: any) => {
    const region = regionOf(typeof r.provider === 'string' ? r.provider.replace(/^aws\./, '') : undefined);
    const p = PRICES[region];
    if (!p) throw new Error(`no prices for region ${region}: add it to scripts/cost/prices.ts`);
    return p;
  };
  const ctx: Ctx = { json: { ...json }, prices, fixed: [], usage: {}, unpriced: [] };
  // Clusters before their instances (Aurora's minimum capacity is on the cluster).
  const types = Object.keys(json.resource ?? {}).sort((a, b) =>
    a === 'aws_rds_cluster' ? -1 : b === 'aws_rds_cluster' ? 1 : 0,
  );
  for (const type of types) {
    const pricer = PRICERS[type];
    if (!pricer) continue;
    for (const body of Object.values<any>(json.resource[type])) pricer(ctx, body, prices(body));
  }
  const fixed = ctx.fixed.map((l) => ({ ...l, monthly: round(l.monthly) }));
  return {
    fixed,
    fixedMonthly: round(fixed.reduce((s, l) => s + l.monthly, 0)),
    usage: ctx.usage,
    unpriced: ctx.unpriced,
    ...recoveryShare(json, prices),
  };
}

/**
 * The recovery-region share: the `dr` provider's resources priced again on their own (they are in
 * the totals too), the copies' storage there instead of the generic backup storage line, and the
 * transfer of each copy. The DR vault uses AWS Backup's own key there: no KMS key to pay for.
 */
function recoveryShare(json: any, prices: (r: any) => RegionPrices): { recovery?: RecoveryShare } {
  const dr = list(json.provider?.aws).find((p) => `aws.${p.alias}` === RECOVERY_PROVIDER);
  if (!dr) return {};
  const ctx: Ctx = { json, prices, fixed: [], usage: {}, unpriced: [] };
  for (const [type, resources] of Object.entries<any>(json.resource ?? {})) {
    const pricer = PRICERS[type];
    if (!pricer) continue;
    for (const body of Object.values<any>(resources))
      if (body.provider === RECOVERY_PROVIDER) pricer(ctx, body, prices(body));
  }
  const p = prices({ provider: RECOVERY_PROVIDER });
  if ('Backup storage (warm), per GB-month' in ctx.usage) {
    delete ctx.usage['Backup storage (warm), per GB-month'];
    use(
      ctx,
      p,
      'AWS Backup cross-region copy storage, per GB-month',
      'Cross-region data transfer (backup copies), per GB',
    );
  }
  // The data bucket replicas (data/bucket-replication.ts): their storage there, and the replication
  // (configured on the source bucket in the home region) moving each object version across once.
  if ('S3 Standard storage, per GB-month' in ctx.usage) {
    delete ctx.usage['S3 Standard storage, per GB-month'];
    use(ctx, p, 'S3 replica storage in the recovery region, per GB-month');
  }
  const replications = Object.values<any>(json.resource?.aws_s3_bucket_replication_configuration ?? {});
  if (replications.length > 0) use(ctx, p, 'S3 replication transfer, per GB');
  // Replication Time Control (an RPO below the daily copies'): per replicated GB.
  if (replications.some((r) => list(r.rule).some((rule: any) => rule.destination?.replication_time)))
    use(ctx, p, 'S3 Replication Time Control, per GB');
  if ('Cross-region data transfer (replication), per GB' in ctx.usage) {
    // The automated backups' transfer, named for what crosses.
    delete ctx.usage['Cross-region data transfer (replication), per GB'];
    use(ctx, p, 'RDS automated backups replication transfer, per GB');
  }
  const fixed = ctx.fixed.map((l) => ({ ...l, monthly: round(l.monthly) }));
  return {
    recovery: {
      region: String(dr.region),
      fixed,
      fixedMonthly: round(fixed.reduce((s, l) => s + l.monthly, 0)),
      usage: ctx.usage,
    },
  };
}

/**
 * The price table of `npm run cost`: AWS list prices (on-demand, Linux, USD) of what the stacks
 * create, by region. Dated and versioned: a change of prices is a new `version`, reviewed like code.
 * Only what the estimate reads is here; a region the config uses must be listed (the estimate fails
 * otherwise). Usage-priced items are shown as lines with their unit price, not guessed volumes.
 */
export const PRICE_TABLE_VERSION = '2026-11-01.3';
/** When the prices were read from the AWS public price list pages. */
export const PRICES_AS_OF = '2026-11-01';
export const HOURS_PER_MONTH = 730;

export interface RegionPrices {
  /** Per hour. */
  readonly natGatewayHour: number;
  readonly publicIpv4Hour: number;
  readonly albHour: number;
  readonly interfaceEndpointAzHour: number;
  readonly eksControlPlaneHour: number;
  /** Fargate Linux per vCPU-hour and GB-hour: on-demand x86, on-demand ARM, Spot (x86 and ARM). */
  readonly fargate: {
    readonly vcpu: number;
    readonly gb: number;
    readonly armFactor: number;
    readonly spotFactor: number;
  };
  /** Instance classes per hour; a class not listed is reported as unpriced. */
  readonly ec2: Readonly<Record<string, number>>;
  /** Spot price as a share of on-demand for the small Graviton classes (it varies; conservative). */
  readonly ec2SpotFactor: number;
  readonly rds: Readonly<Record<string, number>>;
  readonly elasticache: Readonly<Record<string, number>>;
  readonly msk: Readonly<Record<string, number>>;
  /** Per month. */
  readonly auroraAcuHour: number;
  /** RDS Proxy, per vCPU-hour of a provisioned target or per ACU-hour of Aurora Serverless v2. */
  readonly rdsProxyUnitHour: number;
  readonly rdsGp3GbMonth: number;
  readonly ebsGp3GbMonth: number;
  readonly mskStorageGbMonth: number;
  readonly wafAclMonth: number;
  readonly wafRuleMonth: number;
  readonly kmsKeyMonth: number;
  readonly secretMonth: number;
  readonly hostedZoneMonth: number;
  /** A health check of an AWS endpoint ($0.50) with HTTPS, an optional feature ($1.00). */
  readonly httpsHealthCheckMonth: number;
  readonly alarmMonth: number;
  readonly compositeAlarmMonth: number;
  readonly dashboardMonth: number;
  /** Usage, with its unit in the name. */
  readonly usage: Readonly<Record<string, number>>;
}

const US_EAST_1: RegionPrices = {
  natGatewayHour: 0.045,
  publicIpv4Hour: 0.005,
  albHour: 0.0225,
  interfaceEndpointAzHour: 0.01,
  eksControlPlaneHour: 0.1,
  fargate: { vcpu: 0.04048, gb: 0.004445, armFactor: 0.8, spotFactor: 0.3 },
  ec2: {
    't4g.nano': 0.0042,
    't4g.micro': 0.0084,
    't4g.small': 0.0168,
    't4g.medium': 0.0336,
    't3.micro': 0.0104,
    'm7g.large': 0.0816,
    'm7g.xlarge': 0.1632,
    'm7g.2xlarge': 0.3264,
    'c7g.large': 0.0725,
    'c7g.xlarge': 0.145,
    'r7g.large': 0.1071,
    't3.medium': 0.0416,
    'm5.large': 0.096,
    'm6i.large': 0.096,
  },
  ec2SpotFactor: 0.4,
  rds: {
    'db.t4g.micro': 0.016,
    'db.t4g.small': 0.032,
    'db.t4g.medium': 0.065,
    'db.t4g.large': 0.129,
    'db.m7g.large': 0.168,
    'db.r7g.large': 0.239,
    'db.r6g.large': 0.26,
  },
  elasticache: {
    'cache.t4g.micro': 0.016,
    'cache.t4g.small': 0.032,
    'cache.t4g.medium': 0.065,
    'cache.m7g.large': 0.158,
    'cache.r7g.large': 0.219,
  },
  msk: { 'kafka.t3.small': 0.0456, 'kafka.m7g.large': 0.204, 'kafka.m5.large': 0.21 },
  auroraAcuHour: 0.12,
  rdsProxyUnitHour: 0.015,
  rdsGp3GbMonth: 0.115,
  ebsGp3GbMonth: 0.08,
  mskStorageGbMonth: 0.1,
  wafAclMonth: 5,
  wafRuleMonth: 1,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  hostedZoneMonth: 0.5,
  httpsHealthCheckMonth: 1.5,
  alarmMonth: 0.1,
  compositeAlarmMonth: 0.5,
  dashboardMonth: 3,
  usage: {
    'NAT data processed, per GB': 0.045,
    'ALB capacity units, per LCU-hour': 0.008,
    'WAF requests, per million': 0.6,
    'KMS requests, per 10,000': 0.03,
    'Interface endpoint data, per GB': 0.01,
    'Route 53 queries, per million': 0.4,
    'CloudWatch Logs ingestion, per GB': 0.5,
    'S3 Standard storage, per GB-month': 0.023,
    'DynamoDB on-demand writes, per million': 0.625,
    'DynamoDB on-demand reads, per million': 0.125,
    'Data transfer out to the internet, per GB': 0.09,
    'CloudFront data out (North America), per GB': 0.085,
    'CloudFront HTTPS requests, per 10,000': 0.01,
    'Cognito Essentials monthly active users, per MAU above 10,000': 0.015,
    'Cognito threat protection, per MAU': 0.05,
    'SES outbound e-mail, per 1,000': 0.1,
    'Lambda requests, per million': 0.2,
    'Lambda compute, per GB-second': 0.0000166667,
    'SQS requests, per million': 0.4,
    'MSK data in/out, per GB': 0,
    'ECR storage, per GB-month': 0.1,
    'Backup storage (warm), per GB-month': 0.05,
    // The recovery share (recovery.strategy 'backup-restore'): copies are warm storage in the
    // recovery region, and every copy crosses regions once (inter-region transfer, US regions).
    'AWS Backup cross-region copy storage, per GB-month': 0.05,
    'Cross-region data transfer (backup copies), per GB': 0.02,
    // The account's copies (state replication, ECR replication): each replicated byte crosses once.
    'Cross-region data transfer (replication), per GB': 0.02,
    // An environment's data copies (issue 28): S3 replicas (Standard storage there), the replication's
    // inter-region transfer, and RDS automated backups replicated there (backup storage, all of it billed).
    'S3 replica storage in the recovery region, per GB-month': 0.023,
    'S3 replication transfer, per GB': 0.02,
    'RDS automated backups replicated, per GB-month': 0.095,
    'RDS automated backups replication transfer, per GB': 0.02,
    // A replica table (global table): replicated writes at the write price (since the November 2024
    // price change), its storage there, and each replicated write crossing once. S3 Replication Time
    // Control is charged per replicated GB on top of the transfer.
    'DynamoDB replicated writes, per million': 0.625,
    'DynamoDB replica storage, per GB-month': 0.25,
    'DynamoDB replication transfer, per GB': 0.02,
    'S3 Replication Time Control, per GB': 0.015,
  },
};

/** us-west-2 lists the same prices as us-east-1 for everything here. */
export const PRICES: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': US_EAST_1,
  'us-west-2': US_EAST_1,
};

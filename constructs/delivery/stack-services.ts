/**
 * The AWS services the synthesized stacks use, as IAM service prefixes: the pipeline boundary allows
 * exactly these (docs/architecture.md, "Security model"). `__tests__/platform/stack-services.spec.ts`
 * synthesizes every stack, maps each `aws_*` resource and data type through `servicesOfType` and fails
 * when a type has no mapping or its service is missing from `STACK_SERVICES`: a new layer cannot fall
 * outside the boundary silently (nor apply with a boundary too narrow for it).
 */

/** Terraform type prefix (after `aws_`) -> IAM service prefixes; the longest matching prefix wins. */
const TYPE_SERVICES: Record<string, readonly string[]> = {
  accessanalyzer: ['access-analyzer'],
  acm: ['acm'],
  appautoscaling: ['application-autoscaling'],
  autoscaling_group: ['autoscaling', 'ec2'],
  backup: ['backup'],
  budgets: ['budgets'],
  ce: ['ce'],
  cloudfront: ['cloudfront'],
  cloudtrail: ['cloudtrail'],
  // Also the vended-log deliveries (`cloudwatch_log_delivery*`: CloudFront's standard logging v2).
  cloudwatch_log: ['logs'],
  cloudwatch_metric_alarm: ['cloudwatch'],
  cloudwatch_composite_alarm: ['cloudwatch'],
  cloudwatch_dashboard: ['cloudwatch'],
  // Logs Insights saved queries belong to CloudWatch Logs.
  cloudwatch_query_definition: ['logs'],
  cloudwatch_event: ['events'],
  // Blue/green deployments (constructs/compute/blue-green-deployment.ts).
  codedeploy: ['codedeploy'],
  config: ['config'],
  // A user pool's resources and its federated providers are Cognito user pools (cognito-idp);
  // identity pools are Cognito Federated Identities (cognito-identity).
  cognito_user: ['cognito-idp'],
  cognito_identity_provider: ['cognito-idp'],
  cognito_identity_pool: ['cognito-identity'],
  db: ['rds'],
  rds: ['rds'],
  default_network_acl: ['ec2'],
  default_security_group: ['ec2'],
  dynamodb: ['dynamodb'],
  ebs: ['ec2'],
  ecr: ['ecr'],
  ecs: ['ecs'],
  egress_only_internet_gateway: ['ec2'],
  eip: ['ec2'],
  elasticache: ['elasticache'],
  eks: ['eks'],
  // A static list of ELB account ids: no API call.
  elb_service_account: [],
  flow_log: ['ec2', 'logs'],
  guardduty: ['guardduty'],
  iam: ['iam'],
  // The AMI comes from an SSM public parameter (`resolve:ssm:`), read with the caller's rights.
  instance: ['ec2', 'ssm'],
  internet_gateway: ['ec2'],
  kms: ['kms'],
  lambda: ['lambda'],
  launch_template: ['ec2', 'ssm'],
  lb: ['elasticloadbalancing'],
  msk: ['kafka'],
  nat_gateway: ['ec2'],
  network_acl: ['ec2'],
  network_interface: ['ec2'],
  route: ['ec2'],
  route53: ['route53'],
  route_table: ['ec2'],
  s3: ['s3'],
  // The database master credential's own secret (constructs/data/master-credential.ts).
  secretsmanager: ['secretsmanager'],
  security_group: ['ec2'],
  // The user pool's SES sender (constructs/identity/ses-sender.ts): v1 identity resources, v2 set.
  ses: ['ses'],
  sesv2: ['ses'],
  sns: ['sns'],
  sqs: ['sqs'],
  subnet: ['ec2'],
  vpc: ['ec2'],
  wafv2: ['wafv2'],
  xray: ['xray'],
};

/** The IAM service prefixes of a Terraform type, or undefined when the type is not mapped. */
export function servicesOfType(type: string): readonly string[] | undefined {
  if (!type.startsWith('aws_')) return undefined;
  const rest = type.slice(4);
  const match = Object.keys(TYPE_SERVICES)
    .filter((p) => rest === p || rest.startsWith(`${p}_`))
    .sort((a, b) => b.length - a.length)[0];
  return match === undefined ? undefined : TYPE_SERVICES[match];
}

/**
 * The services of the resource and data types the synthesized stacks contain today, sorted. The
 * test fails when a stack gains a type whose service is not here (add it) or when a service here
 * is no longer used (remove it).
 */
export const STACK_SERVICES = [
  'access-analyzer',
  'acm',
  'application-autoscaling',
  'autoscaling',
  'backup',
  'budgets',
  'cloudfront',
  'cloudtrail',
  'cloudwatch',
  'codedeploy',
  'cognito-identity',
  'cognito-idp',
  'config',
  'dynamodb',
  'ec2',
  'ecr',
  'ecs',
  'eks',
  'elasticache',
  'elasticloadbalancing',
  'events',
  'guardduty',
  'iam',
  'kafka',
  'kms',
  'lambda',
  'logs',
  'rds',
  'route53',
  's3',
  'secretsmanager',
  'ses',
  'sns',
  'sqs',
  'ssm',
  'wafv2',
  'xray',
] as const;

/**
 * Services the pipeline calls beyond the stacks' resource types: the provider's identity check
 * (`sts:GetCallerIdentity`), the storage behind AWS Backup vaults.
 */
export const PIPELINE_EXTRA_SERVICES = ['sts', 'backup-storage'] as const;

/**
 * The services the roles of the platform and baseline stacks trust (their `iam:PassedToService`),
 * checked against the synthesized trust policies by the same test (a federated principal, such as
 * the identity pool's role trusting cognito-identity, counts: Cognito is passed that role).
 */
export const PASSED_TO_SERVICES = [
  'backup.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'codedeploy.amazonaws.com',
  'cognito-identity.amazonaws.com',
  'config.amazonaws.com',
  'ec2.amazonaws.com',
  'ecs-tasks.amazonaws.com',
  'eks.amazonaws.com',
  // EventBridge forwards the recovery region's failed restore tests to the home bus (data/recovery-restore-testing.ts).
  'events.amazonaws.com',
  'lambda.amazonaws.com',
  'monitoring.rds.amazonaws.com',
  'pods.eks.amazonaws.com',
  // RDS Proxy reads its users' secrets with its role (data/database-proxy.ts).
  'rds.amazonaws.com',
  // S3 replication of the data buckets (data/bucket-replication.ts) and of the state bucket.
  's3.amazonaws.com',
  'vpc-flow-logs.amazonaws.com',
] as const;

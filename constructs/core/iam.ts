/**
 * IAM policy documents as plain JSON strings. Tokens (ARNs of other resources) end up as Terraform
 * interpolations inside the string, and the synthesized policy stays readable and testable.
 */

/** The only API calls that accept nothing but `"*"` as resource (docs/architecture.md, "Security model"). */
export const WILDCARD_RESOURCE_ACTIONS = [
  'ecr:GetAuthorizationToken',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // Task definitions are registered and described by family; these calls take no resource ARN.
  'ecs:RegisterTaskDefinition',
  'ecs:DescribeTaskDefinition',
  // ECS Exec's session logging looks the log group up by name; the call takes no resource ARN.
  'logs:DescribeLogGroups',
  // EKS cluster controllers (constructs/compute/eks/controller-roles.ts). Service authorization
  // reference (https://docs.aws.amazon.com/service-authorization/latest/reference/): these List and
  // Describe calls have no resource type, so "*" is the only resource they accept.
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeImages',
  'ec2:DescribeSnapshots',
  'ec2:DescribeTags',
  'ec2:DescribeVolumes',
  'ec2:DescribeVolumesModifications',
  // The load balancer controller reads the VPC's CIDRs before registering pod IPs.
  'ec2:DescribeVpcs',
  'ec2:GetInstanceTypesFromInstanceRequirements',
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeAutoScalingInstances',
  'autoscaling:DescribeLaunchConfigurations',
  'autoscaling:DescribeScalingActivities',
  'autoscaling:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'route53:ListHostedZones',
  // CodeDeploy's blue/green role finds listeners, rules and target groups (the last two above too).
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  // The NAT instance finds its fixed interface by tag at boot; describe calls take no resource ARN.
  'ec2:DescribeNetworkInterfaces',
] as const;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | Record<string, string | string[] | undefined>;
  readonly NotPrincipal?: Record<string, string | string[] | undefined>;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[] | boolean | undefined> | undefined>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Trust policy for a role assumed by an AWS service, optionally pinned to the calling account. */
export function serviceTrustPolicy(service: string | string[], sourceAccount?: string): string {
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      ...(sourceAccount ? { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } } : {}),
    },
  ]);
}

/** Denies every request that does not use TLS: the bucket/queue policy statement every store carries. */
export function denyInsecureTransport(resources: string[]): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: resources,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

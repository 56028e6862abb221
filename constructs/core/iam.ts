/**
 * IAM policy documents as plain JSON strings. Tokens (ARNs of other resources) end up as Terraform
 * interpolations inside the string, and the synthesized policy stays readable and testable.
 */

/** The only API calls that accept nothing but `"*"` as resource (docs/architecture.md, "Security model"). */
export const WILDCARD_RESOURCE_ACTIONS = [
  'ecr:GetAuthorizationToken',
  // Generates a string; touches no secret (the proxy passwords, core/proxy-credentials.ts).
  'secretsmanager:GetRandomPassword',
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
  // Lambda describes the subnets of a function in the VPC with its role (core/node-function.ts `vpc`).
  'ec2:DescribeSubnets',
] as const;

/** A value of a statement element: one string or a list. */
type Values = string | readonly string[];

/** Who a resource policy statement names: `"*"`, or principals by type (`AWS`, `Service`, `Federated`). */
type Principals = Record<string, Values | undefined>;

interface StatementElements {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Condition?: Record<string, Record<string, Values | boolean | undefined> | undefined>;
}

/**
 * One statement of an IAM policy (identity, resource, trust or boundary): exactly one of `Action` /
 * `NotAction`, at most one of `Resource` / `NotResource` and of `Principal` / `NotPrincipal`. Keys are
 * rendered in the order the caller writes them (`policyDocument` is `JSON.stringify`).
 */
export type PolicyStatement = StatementElements &
  (
    | { readonly Action: Values; readonly NotAction?: never }
    | { readonly NotAction: Values; readonly Action?: never }
  ) &
  (
    | { readonly Resource?: Values; readonly NotResource?: never }
    | { readonly NotResource: Values; readonly Resource?: never }
  ) &
  (
    | { readonly Principal?: '*' | Principals; readonly NotPrincipal?: never }
    | { readonly NotPrincipal: Principals; readonly Principal?: never }
  );

/** The one renderer of policy documents: every policy, key policy, trust and boundary of the app. */
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

/** X-Ray: sending segments and telemetry (all Lambda's active tracing needs of the function role). */
export const XRAY_PUT_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;
/** X-Ray: what a daemon or SDK that samples centrally reads besides (AWSXRayDaemonWriteAccess's set). */
export const XRAY_SAMPLING_ACTIONS = ['xray:GetSamplingRules', 'xray:GetSamplingTargets'] as const;

/**
 * The X-Ray write grant, on `"*"` (the only resource these calls accept): the sending calls, and the
 * sampling reads unless `sampling: false`. The Sid is the caller's: it names the statement in a
 * policy that exists already, and a new one would change that policy.
 */
export function xrayStatement(options: { sid?: string; sampling?: boolean } = {}): PolicyStatement {
  const { sid = 'XRayTraces', sampling = true } = options;
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: [...XRAY_PUT_ACTIONS, ...(sampling ? XRAY_SAMPLING_ACTIONS : [])],
    Resource: '*',
  };
}

/** The Sids of a secrets-read pair: the read, and the decrypt with the secrets' key. */
export interface SecretsReadSids {
  readonly read: string;
  readonly decrypt: string;
}

/** A service's own secrets (ECS execution role, EKS pod role). */
export const NAMED_SECRETS_SIDS: SecretsReadSids = { read: 'ReadNamedSecrets', decrypt: 'DecryptSecrets' };
/** The database master secret (the platform bootstrap's, on ECS and EKS). */
export const MASTER_SECRET_SIDS: SecretsReadSids = {
  read: 'ReadMasterSecret',
  decrypt: 'DecryptMasterSecret',
};

/**
 * Reading secrets: `secretsmanager:GetSecretValue` on exactly these, and `kms:Decrypt` with their
 * key only through Secrets Manager in the region (`kms:ViaService`: no raw ciphertext). Without a
 * key (secrets on the AWS managed key) the read alone.
 */
export function secretsReadStatements(grant: {
  readonly secrets: Values;
  readonly key: string | undefined;
  readonly region: string;
  readonly sids: SecretsReadSids;
}): PolicyStatement[] {
  const { sids } = grant;
  return [
    { Sid: sids.read, Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: grant.secrets },
    ...(grant.key
      ? [
          {
            Sid: sids.decrypt,
            Effect: 'Allow' as const,
            Action: 'kms:Decrypt',
            Resource: grant.key,
            Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${grant.region}.amazonaws.com` } },
          },
        ]
      : []),
  ];
}

import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { EksConfig } from '../../../environments/schema';
import { EKS_ADDONS } from '../../../environments/schema/eks';
import { encryptedLogGroup, type LogSettings } from '../../core/log-group';
import type { Naming } from '../../core/naming';
import type { ContractRequest } from '../../core/role-contract';
import { ebsCsiRequests, ebsCsiStatements } from './ebs-csi-policy';
import { podRoleDenies } from './pod-contracts';
import { PodIdentityRole } from './pod-identity-role';

export interface EksAddonsProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  /** Add-on -> version. Default per add-on: EKS's default for the cluster's Kubernetes version. */
  readonly versions: EksConfig['addons'];
  /** What must exist before add-ons whose pods need nodes (CoreDNS, the EBS CSI controller). */
  readonly nodes: ITerraformDependable[];
  /** The database's master secret, which no add-on may read. Default: no database. */
  readonly masterSecretArn?: string;
  /** Retention and key of the Container Insights log groups, created here (not by Fluent Bit). */
  readonly logs: LogSettings;
}

/** The log groups the CloudWatch agent and Fluent Bit write (`/aws/containerinsights/<cluster>/<kind>`). */
export const CONTAINER_INSIGHTS_LOG_KINDS = ['application', 'dataplane', 'host', 'performance'] as const;

/** Add-ons whose pods run on nodes: created after the node groups or they stay degraded. */
const NEEDS_NODES = new Set(['coredns', 'aws-ebs-csi-driver', 'amazon-cloudwatch-observability']);

/** The CloudWatch agent (and Fluent Bit) of the amazon-cloudwatch-observability add-on run as this. */
export const CLOUDWATCH_AGENT_SUBJECT = {
  namespace: 'amazon-cloudwatch',
  serviceAccount: 'cloudwatch-agent',
} as const;

/** The AWS managed policy of the CloudWatch agent, and the version its contract was written against. */
const CLOUDWATCH_AGENT_POLICY = { name: 'CloudWatchAgentServerPolicy', version: 'v3' } as const;

/**
 * The add-on's agent configuration (its `agent.config`, the CloudWatch agent's JSON): Container
 * Insights with enhanced observability, and an OTLP traces receiver (gRPC 4317, HTTP 4318) on the pod
 * network, which the services' SDKs export to (`cloudwatch-agent.amazon-cloudwatch:4317`).
 */
export const CLOUDWATCH_OBSERVABILITY_CONFIG = {
  agent: {
    config: {
      logs: { metrics_collected: { kubernetes: { enhanced_container_insights: true } } },
      traces: {
        traces_collected: { otlp: { grpc_endpoint: '0.0.0.0:4317', http_endpoint: '0.0.0.0:4318' } },
      },
    },
  },
  containerLogs: { enabled: true },
};

/** The VPC CNI's service account: its rights come through Pod Identity, not the node role. */
export const VPC_CNI_SERVICE_ACCOUNT = 'aws-node';

/** The AWS managed policy of the VPC CNI (IPv4), and the version the aws-node contract was written against. */
const CNI_POLICY = { name: 'AmazonEKS_CNI_Policy', version: 'v6' } as const;

const VPC_CNI = 'amazon-vpc-cni-k8s (aws-node ipamd)';

/** Where the CNI policy was attached to the node role (eks-node-groups.ts) before it moved to aws-node's role. */
export const NODE_ROLE_CNI_ATTACHMENT = 'aws_iam_role_policy_attachment.Nodes_AmazonEKS_CNI_Policy_C7BE3069';

/**
 * The managed add-ons (compute.ts EKS_ADDONS). The EBS CSI driver and the VPC CNI get their Pod
 * Identity roles through the add-ons' own associations (the Pod Identity agent makes every association
 * work); the node role holds neither (docs/architecture.md, "EKS"). `cni` is the VPC CNI add-on: the
 * node groups depend on it, so nodes (re)launch only once `aws-node` has its own identity
 * (docs/runbooks.md, "EKS rollout order").
 */
export class EksAddons extends Construct {
  readonly addons: Record<string, EksAddon> = {};
  /**
   * What nodes wait for: the add-ons that run without them (the VPC CNI with aws-node's association,
   * kube-proxy, the Pod Identity agent) and aws-node's policy.
   */
  readonly beforeNodes: ITerraformDependable[] = [];
  readonly ebsCsiRole: PodIdentityRole;
  readonly cniRole: PodIdentityRole;
  /** The CloudWatch agent's (Container Insights, pod logs, the services' traces to X-Ray). */
  readonly cloudwatchAgentRole: PodIdentityRole;

  constructor(scope: Construct, id: string, props: EksAddonsProps) {
    super(scope, id);
    const subject = {
      accountId: props.accountId,
      region: props.region,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      namespace: 'kube-system',
      associate: false,
    };
    const ebs = ebsCsiRequests(props);
    this.ebsCsiRole = new PodIdentityRole(this, 'EbsCsiRole', {
      ...subject,
      roleName: props.naming.name('eks-ebs-csi'),
      serviceAccount: 'ebs-csi-controller-sa',
      statements: ebsCsiStatements(props.region, props.accountId, props.clusterName),
      contract: {
        purpose:
          'EBS CSI driver (controller): volumes and snapshots of PersistentVolumeClaims, tagged as its own',
        ...ebs,
      },
    });
    this.cniRole = new PodIdentityRole(this, 'VpcCniRole', {
      ...subject,
      roleName: props.naming.name('eks-vpc-cni'),
      serviceAccount: VPC_CNI_SERVICE_ACCOUNT,
      statements: [],
      contract: {
        purpose: 'VPC CNI (aws-node): network interfaces and pod IP addresses of the nodes',
        managed: [
          {
            ...CNI_POLICY,
            reason:
              'AWS maintains what the VPC CNI calls; only aws-node (Pod Identity) holds it, never the node role',
          },
        ],
        allow: cniRequests(props.region, props.accountId),
        deny: [
          ...podRoleDenies(props),
          {
            action: 'ec2:AuthorizeSecurityGroupIngress',
            resource: `arn:aws:ec2:${props.region}:${props.accountId}:security-group/sg-0123456789abcdef0`,
            because: 'security groups are Terraform’s (connect())',
          },
          {
            action: 'ec2:TerminateInstances',
            resource: `arn:aws:ec2:${props.region}:${props.accountId}:instance/i-0123456789abcdef0`,
            because: 'nodes are their Auto Scaling groups’',
          },
        ],
      },
    });
    // The CNI policy moves from the node role (its address before) to aws-node's role: replaced
    // create-before-destroy, so on a live cluster it is attached to aws-node's role, the add-on's
    // association and the node groups' rollout happen, and only then is it detached from the node
    // role (docs/runbooks.md, "EKS rollout order").
    const cniPolicy = new IamRolePolicyAttachment(this, 'VpcCniPolicy', {
      role: this.cniRole.role.name,
      policyArn: `arn:aws:iam::aws:policy/${CNI_POLICY.name}`,
      lifecycle: { createBeforeDestroy: true },
    });
    cniPolicy.moveFromId(NODE_ROLE_CNI_ATTACHMENT);
    this.cniRole.grants.push(cniPolicy);
    // Created here, encrypted with the logs key and with retention: Fluent Bit would create them
    // itself, unencrypted and kept forever.
    const insightsLogs = CONTAINER_INSIGHTS_LOG_KINDS.map((kind) =>
      encryptedLogGroup(
        this,
        `ContainerInsights-${kind}`,
        `/aws/containerinsights/${props.clusterName}/${kind}`,
        props.logs,
      ),
    );
    this.cloudwatchAgentRole = cloudwatchAgentRole(this, props, subject);
    const associations: Partial<Record<(typeof EKS_ADDONS)[number], { role: PodIdentityRole; sa: string }>> =
      {
        'aws-ebs-csi-driver': { role: this.ebsCsiRole, sa: 'ebs-csi-controller-sa' },
        'vpc-cni': { role: this.cniRole, sa: VPC_CNI_SERVICE_ACCOUNT },
        'amazon-cloudwatch-observability': {
          role: this.cloudwatchAgentRole,
          sa: CLOUDWATCH_AGENT_SUBJECT.serviceAccount,
        },
      };
    for (const name of EKS_ADDONS) {
      const association = associations[name];
      this.addons[name] = new EksAddon(this, name, {
        clusterName: props.clusterName,
        addonName: name,
        addonVersion: props.versions[name],
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        ...(name === 'amazon-cloudwatch-observability'
          ? { configurationValues: JSON.stringify(CLOUDWATCH_OBSERVABILITY_CONFIG) }
          : {}),
        ...(association
          ? {
              podIdentityAssociation: [
                { roleArn: association.role.role.arn, serviceAccount: association.sa },
              ],
            }
          : {}),
        dependsOn: [
          ...(NEEDS_NODES.has(name) ? props.nodes : []),
          // The role's policies exist before the add-on's pods use it.
          ...(association?.role.grants ?? []),
          // Fluent Bit finds its log groups made, with their key and retention.
          ...(name === 'amazon-cloudwatch-observability' ? insightsLogs : []),
        ],
      });
      if (!NEEDS_NODES.has(name)) this.beforeNodes.push(this.addons[name]);
    }
    this.beforeNodes.push(cniPolicy);
  }
}

/**
 * The CloudWatch agent's role (namespace amazon-cloudwatch, service account cloudwatch-agent, through
 * the add-on's own association): AWS's CloudWatchAgentServerPolicy, which holds the X-Ray writes too.
 */
function cloudwatchAgentRole(
  scope: Construct,
  props: EksAddonsProps,
  subject: {
    accountId: string;
    region: string;
    clusterName: string;
    clusterArn: string;
    associate: boolean;
  },
): PodIdentityRole {
  const { region, accountId, clusterName } = props;
  const insightsGroups = `arn:aws:logs:${region}:${accountId}:log-group:/aws/containerinsights/${clusterName}/*`;
  const role = new PodIdentityRole(scope, 'CloudWatchAgentRole', {
    ...subject,
    namespace: CLOUDWATCH_AGENT_SUBJECT.namespace,
    serviceAccount: CLOUDWATCH_AGENT_SUBJECT.serviceAccount,
    roleName: props.naming.name('eks-cloudwatch-agent'),
    // The managed policy writes to any log group on "*": fenced to Container Insights' own groups,
    // which exist already with their retention (the agent changes none).
    statements: [
      {
        Sid: 'OnlyContainerInsightsLogs',
        Effect: 'Deny',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        NotResource: [insightsGroups, `${insightsGroups}:log-stream:*`],
      },
      {
        Sid: 'NoRetentionChanges',
        Effect: 'Deny',
        Action: [
          'logs:PutRetentionPolicy',
          'logs:DeleteRetentionPolicy',
          'logs:DeleteLogGroup',
          'logs:DeleteLogStream',
        ],
        Resource: `arn:aws:logs:${region}:${accountId}:log-group:*`,
      },
    ],
    contract: {
      purpose:
        'CloudWatch agent and Fluent Bit (amazon-cloudwatch-observability add-on): Container Insights metrics, pod logs, the services’ traces to X-Ray',
      managed: [
        {
          ...CLOUDWATCH_AGENT_POLICY,
          reason:
            'AWS maintains what the CloudWatch agent calls (metrics, its log groups, X-Ray); only its own service account holds it',
        },
      ],
      allow: cloudwatchAgentRequests(region, accountId, clusterName),
      deny: [
        ...podRoleDenies(props),
        {
          action: 's3:GetObject',
          resource: `arn:aws:s3:::${props.naming.prefix}-media/private.txt`,
          because: 'reads no data store',
        },
        {
          action: 'logs:PutLogEvents',
          resource: `arn:aws:logs:${region}:${accountId}:log-group:/aws/eks/${clusterName}/cluster:log-stream:kube-apiserver-audit-1`,
          because: "forges no entry in another log group (the control plane's audit log)",
        },
        {
          action: 'logs:PutRetentionPolicy',
          resource: `arn:aws:logs:${region}:${accountId}:log-group:/aws/containerinsights/${clusterName}/application`,
          because: 'changes no retention (the platform sets it)',
        },
      ],
    },
  });
  const policy = new IamRolePolicyAttachment(scope, 'CloudWatchAgentPolicy', {
    role: role.role.name,
    policyArn: `arn:aws:iam::aws:policy/${CLOUDWATCH_AGENT_POLICY.name}`,
  });
  role.grants.push(policy);
  return role;
}

/** What the CloudWatch agent and Fluent Bit call (CloudWatchAgentServerPolicy v3). */
function cloudwatchAgentRequests(region: string, accountId: string, clusterName: string): ContractRequest[] {
  const because = (what: string) =>
    `amazon-cloudwatch-observability ${what}; AWS managed policy ${CLOUDWATCH_AGENT_POLICY.name} ${CLOUDWATCH_AGENT_POLICY.version}`;
  const group = (kind: string) =>
    `arn:aws:logs:${region}:${accountId}:log-group:/aws/containerinsights/${clusterName}/${kind}`;
  return [
    {
      action: 'cloudwatch:PutMetricData',
      resource: '*',
      because: because('CloudWatch agent: Container Insights metrics (ContainerInsights namespace)'),
    },
    ...['performance', 'application'].flatMap((kind) =>
      ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'].map(
        (action) => ({
          action,
          resource: action === 'logs:CreateLogGroup' ? group(kind) : `${group(kind)}:log-stream:node-1`,
          because: because(
            kind === 'performance'
              ? 'CloudWatch agent: Container Insights performance events (EMF)'
              : 'Fluent Bit: the pods’ logs',
          ),
        }),
      ),
    ),
    ...['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].map((action) => ({
      action,
      resource: '*',
      because: because('CloudWatch agent: the OTLP traces the services send, to X-Ray'),
    })),
  ];
}

/** What aws-node (ipamd) calls: AmazonEKS_CNI_Policy v6, on the nodes' network interfaces. */
function cniRequests(region: string, accountId: string): ContractRequest[] {
  const eni = `arn:aws:ec2:${region}:${accountId}:network-interface/eni-0123456789abcdef0`;
  const instance = `arn:aws:ec2:${region}:${accountId}:instance/i-0123456789abcdef0`;
  const subnet = `arn:aws:ec2:${region}:${accountId}:subnet/subnet-0123456789abcdef0`;
  const group = `arn:aws:ec2:${region}:${accountId}:security-group/sg-0123456789abcdef0`;
  const because = (call: string) =>
    `${VPC_CNI}: ${call}; AWS managed policy ${CNI_POLICY.name} ${CNI_POLICY.version}`;
  return [
    ...[
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeSubnets',
    ].map((action) => ({ action, resource: '*', because: because('warm pool and ENI limits') })),
    ...[eni, subnet, group].map((resource) => ({
      action: 'ec2:CreateNetworkInterface',
      resource,
      because: because('a new ENI for pod IPs'),
    })),
    {
      action: 'ec2:CreateTags',
      resource: eni,
      because: because('tags its ENIs (cluster.k8s.amazonaws.com/name)'),
    },
    ...[eni, instance].map((resource) => ({
      action: 'ec2:AttachNetworkInterface',
      resource,
      because: because('attaches the ENI to its node'),
    })),
    ...[
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:DeleteNetworkInterface',
    ].map((action) => ({ action, resource: eni, because: because('pod IPs on, and cleanup of, its ENIs') })),
    ...[eni, instance].map((resource) => ({
      action: 'ec2:DetachNetworkInterface',
      resource,
      because: because('detaches an unused ENI'),
    })),
  ];
}

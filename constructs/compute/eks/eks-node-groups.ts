import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import type { EksConfig } from '../../../environments/schema';
import { serviceTrustPolicy } from '../../core/iam';
import type { Naming } from '../../core/naming';
import { OwnedSecurityGroup, type PortSpec } from '../../core/security-group';
import type { EksControlPlane } from './eks-cluster';

/** What every node runs with: AWS-maintained policies for the kubelet, image pulls and the VPC CNI. */
const NODE_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEC2ContainerRegistryPullOnly',
  'AmazonEKS_CNI_Policy',
];

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
 * with hop limit 2 so pods reach it through the node's network namespace, encrypted gp3 root volume,
 * no SSH key), in the private subnets, with the shared node role and security group.
 */
export class EksNodeGroups extends Construct {
  readonly role: IamRole;
  /** The nodes' (and so the pods') group: the data tier and Kafka admit it from what services `uses`. */
  readonly securityGroup: OwnedSecurityGroup;
  readonly groups: Record<string, EksNodeGroup> = {};

  constructor(scope: Construct, id: string, props: EksNodeGroupsProps) {
    super(scope, id);
    const { controlPlane } = props;
    const prefix = controlPlane.name;
    this.role = new IamRole(this, 'Role', {
      name: `${prefix}-node`,
      assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com', props.accountId),
    });
    const attachments = NODE_POLICIES.map(
      (p) =>
        new IamRolePolicyAttachment(this, p, {
          role: this.role.name,
          policyArn: `arn:aws:iam::aws:policy/${p}`,
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
      // Hop limit 2: pods behind the node's network namespace still reach IMDSv2 (the VPC CNI needs it).
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2 },
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

import { Construct } from 'constructs';
import type { PolicyStatement } from '../../core/iam';
import type { Naming } from '../../core/naming';
import { PodIdentityRole } from './pod-identity-role';

/** A controller the cluster bootstrap installs, and the service account it runs as. */
export interface ControllerIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleArn: string;
}

export interface ControllerRolesProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  /** The edge's hosted zone: external-dns writes records there only. Default: no external-dns. */
  readonly hostedZoneId?: string;
}

const describe = (Sid: string, actions: string[]): PolicyStatement => ({
  Sid,
  Effect: 'Allow',
  Action: actions,
  Resource: '*', // each action is in core/iam.ts WILDCARD_RESOURCE_ACTIONS
});

/**
 * The Pod Identity roles of the controllers a cluster needs (the EBS CSI driver's is its add-on's):
 * the AWS Load Balancer Controller (registers pods in the edge's target groups), the cluster
 * autoscaler (resizes this cluster's node groups) and external-dns (this environment's zone).
 * Karpenter is not offered: it creates instance profiles, an IAM write the workload boundary denies.
 */
export class ControllerRoles extends Construct {
  readonly controllers: Record<string, ControllerIdentity> = {};

  constructor(scope: Construct, id: string, props: ControllerRolesProps) {
    super(scope, id);
    const { naming, region, accountId } = props;
    this.add(props, 'load-balancer-controller', 'kube-system', 'aws-load-balancer-controller', [
      describe('LoadBalancerDescribe', [
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'ec2:DescribeInstances',
      ]),
      {
        // TargetGroupBinding mode: the edge layer owns ALB, listeners, certificates and WAF.
        Sid: 'RegisterPodsInOwnTargetGroups',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        Resource: `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${naming.prefix}-*/*`,
      },
    ]);
    this.add(props, 'cluster-autoscaler', 'kube-system', 'cluster-autoscaler', [
      describe('AutoscalerDescribe', [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeScalingActivities',
        'autoscaling:DescribeTags',
        'ec2:DescribeImages',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:GetInstanceTypesFromInstanceRequirements',
      ]),
      {
        Sid: 'ResizeOwnNodeGroups',
        Effect: 'Allow',
        Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        Resource: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
        // Managed node groups tag their Auto Scaling groups with the cluster's name.
        Condition: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': props.clusterName } },
      },
      {
        Sid: 'DescribeOwnNodeGroups',
        Effect: 'Allow',
        Action: 'eks:DescribeNodegroup',
        Resource: `arn:aws:eks:${region}:${accountId}:nodegroup/${props.clusterName}/*/*`,
      },
    ]);
    if (props.hostedZoneId) {
      const zone = `arn:aws:route53:::hostedzone/${props.hostedZoneId}`;
      this.add(props, 'external-dns', 'kube-system', 'external-dns', [
        describe('DnsListZones', ['route53:ListHostedZones']),
        {
          Sid: 'RecordsOfOwnZone',
          Effect: 'Allow',
          Action: [
            'route53:ChangeResourceRecordSets',
            'route53:ListResourceRecordSets',
            'route53:ListTagsForResource',
          ],
          Resource: zone,
        },
      ]);
    }
  }

  private add(
    props: ControllerRolesProps,
    name: string,
    namespace: string,
    serviceAccount: string,
    statements: PolicyStatement[],
  ): void {
    const role = new PodIdentityRole(this, name, {
      roleName: props.naming.name(`eks-${name}`),
      accountId: props.accountId,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      namespace,
      serviceAccount,
      statements,
    });
    this.controllers[name] = { namespace, serviceAccount, roleArn: role.role.arn };
  }
}

/** The EBS CSI driver's statements: volumes and snapshots it tags as its own, on this cluster's nodes. */
export function ebsCsiStatements(region: string, accountId: string, clusterName: string): PolicyStatement[] {
  const ec2 = (type: string) => `arn:aws:ec2:${region}:${accountId}:${type}/*`;
  const owned = { StringEquals: { 'aws:ResourceTag/ebs.csi.aws.com/cluster': 'true' } };
  return [
    describe('EbsDescribe', [
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeInstances',
      'ec2:DescribeSnapshots',
      'ec2:DescribeTags',
      'ec2:DescribeVolumes',
      'ec2:DescribeVolumesModifications',
    ]),
    {
      Sid: 'CreateTaggedVolumes',
      Effect: 'Allow',
      Action: ['ec2:CreateVolume', 'ec2:CreateSnapshot'],
      Resource: [ec2('volume'), ec2('snapshot')],
      Condition: { StringEquals: { 'aws:RequestTag/ebs.csi.aws.com/cluster': 'true' } },
    },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: [ec2('volume'), ec2('snapshot')],
      Condition: { StringEquals: { 'ec2:CreateAction': ['CreateVolume', 'CreateSnapshot'] } },
    },
    {
      Sid: 'ChangeOwnVolumes',
      Effect: 'Allow',
      Action: ['ec2:DeleteVolume', 'ec2:ModifyVolume', 'ec2:DeleteSnapshot'],
      Resource: [ec2('volume'), ec2('snapshot')],
      Condition: owned,
    },
    {
      Sid: 'AttachOwnVolumes',
      Effect: 'Allow',
      Action: ['ec2:AttachVolume', 'ec2:DetachVolume'],
      Resource: ec2('volume'),
      Condition: owned,
    },
    {
      Sid: 'AttachToClusterNodes',
      Effect: 'Allow',
      Action: ['ec2:AttachVolume', 'ec2:DetachVolume'],
      Resource: ec2('instance'),
      Condition: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': clusterName } },
    },
  ];
}

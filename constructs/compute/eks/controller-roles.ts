import { Construct } from 'constructs';
import type { Naming } from '../../core/naming';
import type { ContractRequest } from '../../core/role-contract';
import { anyResource, describe } from './controller-statements';
import { otherPrefix, podRoleDenies } from './pod-contracts';
import { PodIdentityRole } from './pod-identity-role';

/** A controller the cluster bootstrap installs, the service account it runs as, and its settings. */
export interface ControllerIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleArn: string;
  /**
   * What the bootstrap must configure (Helm values / arguments): with IMDS hop limit 1 pods read no
   * instance metadata, so region, VPC and the like come from here.
   */
  readonly settings: Readonly<Record<string, string>>;
}

export interface ControllerRolesProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
  /** The cluster's name (a reference: its resource's `name`). */
  readonly clusterName: string;
  readonly clusterArn: string;
  /** The cluster's name as a literal (external-dns's TXT owner id). */
  readonly clusterLiteralName: string;
  /** The edge's hosted zone: external-dns writes records there only. Default: no external-dns. */
  readonly hostedZoneId?: string;
  /** The hosted zone's domain (`dns.domainName`): the names external-dns may write are below it. */
  readonly domainName: string;
  /** The environment's services: external-dns may write `<service>.<domainName>` for each, nothing else. */
  readonly serviceNames: readonly string[];
  /** The database's master secret, which no controller may read. Default: no database. */
  readonly masterSecretArn?: string;
}

/** external-dns's TXT registry prefix (`--txt-prefix`): ownership records sit beside, never on, a name. */
export const EXTERNAL_DNS_TXT_PREFIX = 'extdns-';

/** The record types external-dns may write: addresses, aliases and its TXT ownership records. */
export const EXTERNAL_DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'];

/**
 * The record names external-dns may write for `host` (Route 53's normalized form: lower case, no
 * trailing dot): the name itself and its TXT registry records, `<prefix><type>-<name>` (external-dns
 * ≥ 0.12, one per record type) and `<prefix><name>` (the older format it still reads and cleans up).
 */
export function externalDnsNames(service: string, domainName: string): string[] {
  const domain = domainName.toLowerCase().replace(/\.$/, '');
  const label = service.toLowerCase();
  return [
    `${label}.${domain}`,
    `${EXTERNAL_DNS_TXT_PREFIX}${label}.${domain}`,
    ...['a', 'aaaa', 'cname'].map((t) => `${EXTERNAL_DNS_TXT_PREFIX}${t}-${label}.${domain}`),
  ];
}

const LBC = 'aws-load-balancer-controller v2.x docs/install/iam_policy.json';
const CA = 'cluster-autoscaler 1.3x cloudprovider/aws/README.md ("Full Cluster Autoscaler Features Policy")';
const EXTERNAL_DNS = 'external-dns 0.1x docs/tutorials/aws.md (IAM policy), provider/aws/aws.go';

/**
 * The Pod Identity roles of the controllers a cluster needs (the EBS CSI driver's is its add-on's):
 * the AWS Load Balancer Controller (registers pods in the edge's target groups), the cluster
 * autoscaler (resizes this cluster's node groups) and external-dns (this environment's names in its
 * zone). Karpenter is not offered: it creates instance profiles, an IAM write the workload boundary
 * denies. Each role declares its contract: the calls its controller makes (from the upstream policy
 * and version named) and what it must never do.
 */
export class ControllerRoles extends Construct {
  readonly controllers: Record<string, ControllerIdentity> = {};
  readonly roles: Record<string, PodIdentityRole> = {};

  constructor(scope: Construct, id: string, props: ControllerRolesProps) {
    super(scope, id);
    this.loadBalancerController(props);
    this.clusterAutoscaler(props);
    if (props.hostedZoneId) this.externalDns(props, props.hostedZoneId);
  }

  private loadBalancerController(props: ControllerRolesProps): void {
    const { naming, region, accountId } = props;
    const targetGroups = (prefix: string) =>
      `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${prefix}-*/*`;
    const ownGroup = `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${naming.short(props.serviceNames[0] ?? 'service', 32)}/0123456789abcdef`;
    const otherGroup = `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${otherPrefix(naming)}-backend/0123456789abcdef`;
    this.add(props, 'load-balancer-controller', 'kube-system', 'aws-load-balancer-controller', {
      settings: { clusterName: props.clusterLiteralName, region, vpcId: props.vpcId },
      statements: [
        describe('LoadBalancerDescribe', [
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
          'ec2:DescribeInstances',
          'ec2:DescribeVpcs',
        ]),
        {
          // TargetGroupBinding mode: the edge layer owns ALB, listeners, certificates and WAF.
          Sid: 'RegisterPodsInOwnTargetGroups',
          Effect: 'Allow',
          Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
          Resource: targetGroups(naming.prefix),
        },
      ],
      contract: {
        purpose:
          "AWS Load Balancer Controller (TargetGroupBinding mode): registers pods in the edge's target groups",
        allow: [
          ...anyResource(
            ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
            `${LBC}: TargetGroupBinding reconcile reads its group and the targets' health`,
          ),
          ...anyResource(['ec2:DescribeInstances'], `${LBC}: node lookup of TargetGroupBinding endpoints`),
          ...anyResource(
            ['ec2:DescribeVpcs'],
            `${LBC}; pkg/targetgroupbinding/resource_manager.go registerPodEndpoints: FetchVPCInfo (pod IPs inside the VPC)`,
          ),
          ...['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'].map(
            (action) => ({
              action,
              resource: ownGroup,
              because: `${LBC}: TargetGroupBinding registers and deregisters pod IPs (target type ip)`,
            }),
          ),
        ],
        deny: [
          ...podRoleDenies(props),
          {
            action: 'elasticloadbalancing:RegisterTargets',
            resource: otherGroup,
            because: "another environment's target group",
          },
          {
            action: 'elasticloadbalancing:CreateLoadBalancer',
            resource: `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/app/${naming.prefix}-x/0123456789abcdef`,
            because: 'the edge layer owns the load balancers (no Ingress-created ALBs)',
          },
          {
            action: 'elasticloadbalancing:ModifyListener',
            resource: `arn:aws:elasticloadbalancing:${region}:${accountId}:listener/app/${naming.short('alb', 32)}/0123456789abcdef/0123456789abcdef`,
            because: 'listeners, certificates and rules are Terraform’s (edge layer)',
          },
          {
            action: 'ec2:AuthorizeSecurityGroupIngress',
            resource: `arn:aws:ec2:${region}:${accountId}:security-group/sg-0123456789abcdef0`,
            because: 'security groups are Terraform’s (connect())',
          },
        ],
      },
    });
  }

  private clusterAutoscaler(props: ControllerRolesProps): void {
    const { naming, region, accountId, clusterName } = props;
    const describeActions = [
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeAutoScalingInstances',
      'autoscaling:DescribeLaunchConfigurations',
      'autoscaling:DescribeScalingActivities',
      'autoscaling:DescribeTags',
      'ec2:DescribeImages',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:GetInstanceTypesFromInstanceRequirements',
    ];
    const group = (name: string) =>
      `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:0123abcd-0123-4567-89ab-0123456789ab:autoScalingGroupName/eks-${name}-0123abcd`;
    const ownGroup = group(`${props.clusterLiteralName}-apps`);
    const ownTag = { 'aws:ResourceTag/eks:cluster-name': clusterName };
    this.add(props, 'cluster-autoscaler', 'kube-system', 'cluster-autoscaler', {
      settings: {
        'aws-region': region,
        'node-group-auto-discovery': `asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${props.clusterLiteralName}`,
      },
      statements: [
        describe('AutoscalerDescribe', describeActions),
        {
          Sid: 'ResizeOwnNodeGroups',
          Effect: 'Allow',
          Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
          Resource: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
          // Managed node groups tag their Auto Scaling groups with the cluster's name.
          Condition: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': clusterName } },
        },
        {
          Sid: 'DescribeOwnNodeGroups',
          Effect: 'Allow',
          Action: 'eks:DescribeNodegroup',
          Resource: `arn:aws:eks:${region}:${accountId}:nodegroup/${clusterName}/*/*`,
        },
      ],
      contract: {
        purpose: "Cluster autoscaler: resizes this cluster's managed node groups",
        allow: [
          ...anyResource(describeActions, `${CA}: node group discovery and templates`),
          ...['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'].map(
            (action) => ({
              action,
              resource: ownGroup,
              context: ownTag,
              because: `${CA}: scale up (SetDesiredCapacity) and down (TerminateInstanceInAutoScalingGroup)`,
            }),
          ),
          {
            action: 'eks:DescribeNodegroup',
            resource: `arn:aws:eks:${region}:${accountId}:nodegroup/${clusterName}/${props.clusterLiteralName}-apps/0123abcd-0123-4567-89ab-0123456789ab`,
            because: `${CA}: labels and taints of a managed node group scaled from zero`,
          },
        ],
        deny: [
          ...podRoleDenies(props),
          {
            action: 'autoscaling:SetDesiredCapacity',
            resource: group(`${otherPrefix(naming)}-eks-apps`),
            context: { 'aws:ResourceTag/eks:cluster-name': `${otherPrefix(naming)}-eks` },
            because: "another cluster's (environment's) node group",
          },
          {
            action: 'autoscaling:UpdateAutoScalingGroup',
            resource: ownGroup,
            context: ownTag,
            because: 'min and max sizes are Terraform’s (compute.eks.nodeGroups)',
          },
          {
            action: 'ec2:TerminateInstances',
            resource: `arn:aws:ec2:${region}:${accountId}:instance/i-0123456789abcdef0`,
            because: 'instances leave only through their Auto Scaling group',
          },
        ],
      },
    });
  }

  private externalDns(props: ControllerRolesProps, hostedZoneId: string): void {
    const zone = `arn:aws:route53:::hostedzone/${hostedZoneId}`;
    const domain = props.domainName.toLowerCase().replace(/\.$/, '');
    const names = props.serviceNames.flatMap((s) => externalDnsNames(s, domain));
    const [service] = props.serviceNames;
    const [host, , aTxt, , cnameTxt] = externalDnsNames(service ?? 'service', domain);
    const change = (recordNames: string[], types: string[], because: string): ContractRequest => ({
      action: 'route53:ChangeResourceRecordSets',
      resource: zone,
      context: {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': recordNames,
        'route53:ChangeResourceRecordSetsRecordTypes': types,
        'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
      },
      because,
    });
    this.add(props, 'external-dns', 'kube-system', 'external-dns', {
      settings: {
        provider: 'aws',
        registry: 'txt',
        'txt-owner-id': props.clusterLiteralName,
        'txt-prefix': EXTERNAL_DNS_TXT_PREFIX,
        'domain-filter': domain,
        'zone-id-filter': hostedZoneId,
        'aws-zone-type': 'public',
        'aws-region': props.region,
        policy: 'sync',
      },
      statements: [
        describe('DnsListZones', ['route53:ListHostedZones']),
        {
          Sid: 'ReadOwnZone',
          Effect: 'Allow',
          Action: 'route53:ListResourceRecordSets',
          Resource: zone,
        },
        {
          // Only the services' names and their TXT registry records, only address, alias and TXT
          // types: never the apex, NS, SOA or the certificate's validation record (`_<hash>.`).
          Sid: 'ServiceRecordsOfOwnZone',
          Effect: 'Allow',
          Action: 'route53:ChangeResourceRecordSets',
          Resource: zone,
          Condition: {
            'ForAllValues:StringLike': {
              'route53:ChangeResourceRecordSetsNormalizedRecordNames': names,
              'route53:ChangeResourceRecordSetsRecordTypes': EXTERNAL_DNS_RECORD_TYPES,
            },
            // ForAllValues holds for an absent key: require both.
            Null: {
              'route53:ChangeResourceRecordSetsNormalizedRecordNames': 'false',
              'route53:ChangeResourceRecordSetsRecordTypes': 'false',
            },
          },
        },
      ],
      contract: {
        purpose:
          "external-dns: the services' records (and its TXT ownership records) in the environment's zone",
        allow: [
          ...anyResource(['route53:ListHostedZones'], `${EXTERNAL_DNS}: zone discovery (--zone-id-filter)`),
          {
            action: 'route53:ListResourceRecordSets',
            resource: zone,
            because: `${EXTERNAL_DNS}: reads the zone's records each sync`,
          },
          change([host, aTxt], ['A', 'TXT'], `${EXTERNAL_DNS}: an A alias and its TXT registry record`),
          change(
            [host, cnameTxt],
            ['CNAME', 'TXT'],
            `${EXTERNAL_DNS}: a CNAME and its TXT registry record (--txt-prefix keeps it off the name)`,
          ),
        ],
        deny: [
          ...podRoleDenies(props),
          change([domain], ['A'], 'the apex is Terraform’s (edge: the site or its CDN)'),
          change([domain], ['NS'], "the zone's delegation"),
          change([domain], ['SOA'], "the zone's authority"),
          change(
            [`_0123456789abcdef0123456789abcdef.${domain}`],
            ['CNAME'],
            "the certificate's DNS validation record",
          ),
          change([`www.${domain}`], ['CNAME'], 'Terraform’s www record'),
          change([host, domain], ['A'], 'a batch that touches the apex besides a service name'),
          change([host], ['NS'], 'delegating a service name away'),
          {
            ...change([host], ['A'], "another zone's records"),
            resource: 'arn:aws:route53:::hostedzone/Z0OTHERZONE0000000',
          },
        ],
      },
    });
  }

  private add(
    props: ControllerRolesProps,
    name: string,
    namespace: string,
    serviceAccount: string,
    spec: Pick<ConstructorParameters<typeof PodIdentityRole>[2], 'statements' | 'contract'> & {
      settings: Record<string, string>;
    },
  ): void {
    const role = new PodIdentityRole(this, name, {
      roleName: props.naming.name(`eks-${name}`),
      accountId: props.accountId,
      region: props.region,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      namespace,
      serviceAccount,
      statements: spec.statements,
      contract: spec.contract,
    });
    this.roles[name] = role;
    this.controllers[name] = { namespace, serviceAccount, roleArn: role.role.arn, settings: spec.settings };
  }
}

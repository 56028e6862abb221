import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { EgressOnlyInternetGateway } from '@cdktf/provider-aws/lib/egress-only-internet-gateway';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import type { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import type { NetworkAcl } from '@cdktf/provider-aws/lib/network-acl';
import type { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import type { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../core/log-group';
import { policyDocument, serviceTrustPolicy } from '../core/iam';
import { declareContract, serviceTrustRequests } from '../core/role-contract';
import type { Naming } from '../core/naming';
import type { OwnedSecurityGroup } from '../core/security-group';
import { createGatewayEndpoints, createInterfaceEndpoints } from './endpoints';
import { NatInstance, type NatInstanceProps } from './nat-instance';
import { createNetworkAcls } from './network-acls';
import {
  createNatGateways,
  createSubnets,
  isolatedRouting,
  privateRouting,
  publicRouting,
  type RoutingContext,
} from './routing';

export type NatMode = 'none' | 'single' | 'perAz' | 'instance';
export type SubnetTier = 'public' | 'private' | 'isolated';

export interface NetworkProps {
  readonly naming: Naming;
  readonly region: string;
  readonly accountId: string;
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  /** One CIDR per AZ per tier, in AZ order. */
  readonly subnets: Readonly<Record<SubnetTier, readonly string[]>>;
  /** NAT gateways (`none`, `single`, `perAz`) or one NAT instance (`instance`): `network.natGateways`. */
  readonly natGateways: NatMode;
  /**
   * The NAT instance, read only with `natGateways: 'instance'` (nat-instance.ts). Defaults in the
   * schema: `network.natInstance`.
   */
  readonly natInstance: Pick<NatInstanceProps, 'instanceType' | 'spot' | 'kmsKeyArn'>;
  /** Amazon-provided IPv6 /56, a /64 per subnet, IPv6 default routes. Default in the schema: `network.ipv6`. */
  readonly ipv6: boolean;
  readonly flowLogs: { readonly retentionDays: number; readonly kmsKeyArn: string };
  /**
   * Interface endpoint service names (`ecr.api`, `logs`, ...); none creates no endpoint or its
   * security group. Default in the schema: `network.interfaceEndpoints`.
   */
  readonly interfaceEndpoints: readonly string[];
  /** TCP ports the isolated (data) tier serves to the private tier, e.g. 5432 and 6379. Default: none. */
  readonly dataPorts?: readonly number[];
}

interface TierSubnets {
  readonly subnets: Subnet[];
  readonly routeTables: RouteTable[];
  readonly acl: NetworkAcl;
}

/**
 * A multi-AZ VPC with three tiers (docs/architecture.md; seeds 000-004):
 * - public: ALB and NAT gateways; default routes to the internet gateway;
 * - private (app): ECS tasks, bastion, interface endpoints; default route to NAT (none with
 *   `natGateways: 'none'`; the NAT instance's interface with `'instance'`), IPv6 through an
 *   egress-only gateway;
 * - isolated (data): databases and caches; no route to the internet in either family.
 * Each tier has its own NACL; the default security group is emptied and the default NACL adopted
 * with no rules; flow logs (ALL) go to a KMS-encrypted log group; S3 and DynamoDB gateway endpoints
 * serve the private and isolated tiers; interface endpoints have their own security group.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly ipv6: boolean;
  readonly public: TierSubnets;
  readonly private: TierSubnets;
  readonly isolated: TierSubnets;
  readonly natGateways: NatGateway[];
  readonly natInstance?: NatInstance;
  readonly internetGateway: InternetGateway;
  readonly egressOnlyGateway?: EgressOnlyInternetGateway;
  readonly endpointSecurityGroup?: OwnedSecurityGroup;
  readonly gatewayEndpoints: Record<'s3' | 'dynamodb', VpcEndpoint>;
  readonly interfaceEndpoints: Record<string, VpcEndpoint>;
  readonly flowLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { naming } = props;
    const azs = props.availabilityZones;
    const nat = props.natGateways;
    this.ipv6 = props.ipv6;
    this.vpcCidr = props.vpcCidr;
    for (const tier of ['public', 'private', 'isolated'] as const) {
      if (props.subnets[tier].length !== azs.length) {
        throw new Error(`Network: ${tier} has ${props.subnets[tier].length} subnets for ${azs.length} AZs`);
      }
    }

    this.vpc = new Vpc(this, 'Vpc', {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      assignGeneratedIpv6CidrBlock: this.ipv6,
      tags: { Name: naming.name('vpc') },
    });
    this.vpcId = this.vpc.id;
    // Helpers create their resources in this construct's scope, so addresses stay as they were.
    const ctx: RoutingContext = {
      scope: this,
      naming,
      vpc: this.vpc,
      ipv6: this.ipv6,
      availabilityZones: azs,
    };

    // The default group admits its own members and all egress; emptied, it cannot be used by accident.
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: naming.name('default-do-not-use') },
    });

    this.internetGateway = new InternetGateway(this, 'InternetGateway', {
      vpcId: this.vpc.id,
      tags: { Name: naming.name('igw') },
    });
    if (this.ipv6) {
      this.egressOnlyGateway = new EgressOnlyInternetGateway(this, 'EgressOnlyGateway', {
        vpcId: this.vpc.id,
        tags: { Name: naming.name('eigw') },
      });
    }

    const subnets = {
      public: createSubnets(ctx, 'public', props.subnets.public),
      private: createSubnets(ctx, 'private', props.subnets.private),
      isolated: createSubnets(ctx, 'isolated', props.subnets.isolated),
    };
    const publicTable = publicRouting(ctx, subnets.public, this.internetGateway);
    this.natGateways = createNatGateways(ctx, nat, subnets.public, this.internetGateway);
    if (nat === 'instance') {
      this.natInstance = new NatInstance(this, 'NatInstance', {
        ...props.natInstance,
        naming,
        region: props.region,
        accountId: props.accountId,
        vpcId: this.vpc.id,
        vpcCidr: props.vpcCidr,
        subnet: subnets.public[0],
        clientCidrs: props.subnets.private,
        internetGateway: this.internetGateway,
        ipv6: this.ipv6,
      });
    }
    const natTargets = this.natInstance
      ? [{ networkInterfaceId: this.natInstance.networkInterface.id }]
      : this.natGateways.map((g) => ({ natGatewayId: g.id }));
    const privateTables = privateRouting(ctx, nat, subnets.private, natTargets, this.egressOnlyGateway);
    const isolatedTable = isolatedRouting(ctx, subnets.isolated);

    const acls = createNetworkAcls(ctx, props, subnets);
    this.public = { subnets: subnets.public, routeTables: [publicTable], acl: acls.public };
    this.private = { subnets: subnets.private, routeTables: privateTables, acl: acls.private };
    this.isolated = { subnets: subnets.isolated, routeTables: [isolatedTable], acl: acls.isolated };

    const gatewayTables = [...privateTables, isolatedTable].map((t) => t.id);
    this.gatewayEndpoints = createGatewayEndpoints(ctx, props, gatewayTables);
    const interfaces = createInterfaceEndpoints(ctx, props, subnets.private);
    this.endpointSecurityGroup = interfaces.securityGroup;
    this.interfaceEndpoints = interfaces.endpoints;

    this.flowLogGroup = this.flowLogs(props);
  }

  private flowLogs(props: NetworkProps): CloudwatchLogGroup {
    const { naming } = props;
    const group = encryptedLogGroup(this, 'FlowLogGroup', naming.path('vpc', 'flow-logs'), {
      retentionDays: props.flowLogs.retentionDays,
      kmsKeyArn: props.flowLogs.kmsKeyArn,
    });
    const role = new IamRole(this, 'FlowLogRole', {
      name: naming.name('vpc-flow-logs'),
      assumeRolePolicy: serviceTrustPolicy('vpc-flow-logs.amazonaws.com', props.accountId),
    });
    new IamRolePolicy(this, 'FlowLogPolicy', {
      role: role.id,
      name: 'write-flow-logs',
      policy: policyDocument([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [group.arn, `${group.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, 'FlowLog', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: naming.name('vpc') },
    });
    declareContract(role, {
      purpose: "VPC Flow Logs delivers the VPC's flow records to its own log group",
      allow: [
        ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
          action,
          resource: `${group.arn}:log-stream:eni-0123-all`,
          because: 'VPC Flow Logs user guide, "IAM role for publishing flow logs to CloudWatch Logs"',
        })),
        {
          action: 'logs:DescribeLogStreams',
          resource: group.arn,
          because: 'VPC Flow Logs user guide, "IAM role for publishing flow logs to CloudWatch Logs"',
        },
      ],
      deny: [
        {
          action: 'logs:PutLogEvents',
          resource: `arn:aws:logs:${props.region}:${props.accountId}:log-group:/aws/lambda/other:log-stream:x`,
          because: 'writes only its own log group',
        },
        {
          action: 'logs:DeleteLogGroup',
          resource: `${group.arn}:*`,
          because: 'delivery never deletes the records it writes',
        },
      ],
      trust: serviceTrustRequests(
        'vpc-flow-logs.amazonaws.com',
        props.accountId,
        'the flow log (iam_role_arn) in this account',
        [{ principal: 'ec2.amazonaws.com', because: 'no other service' }],
      ),
    });
    return group;
  }
}

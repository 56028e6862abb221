import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultNetworkAcl } from '@cdktf/provider-aws/lib/default-network-acl';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { EgressOnlyInternetGateway } from '@cdktf/provider-aws/lib/egress-only-internet-gateway';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { NetworkAcl } from '@cdktf/provider-aws/lib/network-acl';
import { NetworkAclRule } from '@cdktf/provider-aws/lib/network-acl-rule';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../core/log-group';
import { policyDocument, serviceTrustPolicy } from '../core/iam';
import type { Naming } from '../core/naming';
import { OwnedSecurityGroup } from '../core/security-group';

export type NatMode = 'none' | 'single' | 'perAz';
export type SubnetTier = 'public' | 'private' | 'isolated';

export interface NetworkProps {
  readonly naming: Naming;
  readonly region: string;
  readonly accountId: string;
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  /** One CIDR per AZ per tier, in AZ order. */
  readonly subnets: Readonly<Record<SubnetTier, readonly string[]>>;
  /** Default: 'perAz'. */
  readonly natGateways?: NatMode;
  /** Amazon-provided IPv6 /56, a /64 per subnet, IPv6 default routes. Default: false. */
  readonly ipv6?: boolean;
  readonly flowLogs: { readonly retentionDays: number; readonly kmsKeyArn: string };
  /** Interface endpoint service names (`ecr.api`, `logs`, ...). Default: none. */
  readonly interfaceEndpoints?: readonly string[];
  /** TCP ports the isolated (data) tier serves to the private tier, e.g. 5432 and 6379. Default: none. */
  readonly dataPorts?: readonly number[];
}

interface TierSubnets {
  readonly subnets: Subnet[];
  readonly routeTables: RouteTable[];
  readonly acl: NetworkAcl;
}

const EPHEMERAL = { fromPort: 1024, toPort: 65535 };
const WORLD_V4 = '0.0.0.0/0';
const WORLD_V6 = '::/0';
/** Netnum offsets of each tier's /64s inside the VPC's /56. */
const IPV6_NETNUM: Record<SubnetTier, number> = { public: 0, private: 64, isolated: 128 };

/**
 * A multi-AZ VPC with three tiers (DESIGN.md; seeds 000-004):
 * - public: ALB and NAT gateways; default routes to the internet gateway;
 * - private (app): ECS tasks, bastion, interface endpoints; default route to NAT (none with
 *   `natGateways: 'none'`), IPv6 through an egress-only gateway;
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
  readonly natGateways: NatGateway[] = [];
  readonly internetGateway: InternetGateway;
  readonly egressOnlyGateway?: EgressOnlyInternetGateway;
  readonly endpointSecurityGroup?: OwnedSecurityGroup;
  readonly gatewayEndpoints: Record<'s3' | 'dynamodb', VpcEndpoint>;
  readonly interfaceEndpoints: Record<string, VpcEndpoint> = {};
  readonly flowLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { naming } = props;
    const azs = props.availabilityZones;
    const nat = props.natGateways ?? 'perAz';
    this.ipv6 = props.ipv6 ?? false;
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

    const makeSubnets = (tier: SubnetTier): Subnet[] =>
      props.subnets[tier].map(
        (cidr, i) =>
          new Subnet(this, `${capitalize(tier)}Subnet${i}`, {
            vpcId: this.vpc.id,
            cidrBlock: cidr,
            availabilityZone: azs[i],
            mapPublicIpOnLaunch: false,
            ...(this.ipv6
              ? {
                  ipv6CidrBlock: Fn.cidrsubnet(this.vpc.ipv6CidrBlock, 8, IPV6_NETNUM[tier] + i),
                  // Addresses only where asked for (the ALB assigns its own): none auto-assigned.
                  assignIpv6AddressOnCreation: false,
                }
              : {}),
            tags: { Name: naming.name(`${tier}-${azs[i]}`), Tier: tier },
          }),
      );
    const publicSubnets = makeSubnets('public');
    const privateSubnets = makeSubnets('private');
    const isolatedSubnets = makeSubnets('isolated');

    // Public: one route table, default routes to the internet gateway.
    const publicTable = new RouteTable(this, 'PublicRouteTable', {
      vpcId: this.vpc.id,
      tags: { Name: naming.name('public') },
    });
    new Route(this, 'PublicDefaultRoute', {
      routeTableId: publicTable.id,
      destinationCidrBlock: WORLD_V4,
      gatewayId: this.internetGateway.id,
    });
    if (this.ipv6) {
      new Route(this, 'PublicDefaultRouteIpv6', {
        routeTableId: publicTable.id,
        destinationIpv6CidrBlock: WORLD_V6,
        gatewayId: this.internetGateway.id,
      });
    }
    publicSubnets.forEach(
      (s, i) =>
        new RouteTableAssociation(this, `PublicAssociation${i}`, {
          subnetId: s.id,
          routeTableId: publicTable.id,
        }),
    );

    // NAT gateways in the public subnets: none, one (in the first AZ), or one per AZ.
    const natCount = nat === 'none' ? 0 : nat === 'single' ? 1 : azs.length;
    for (let i = 0; i < natCount; i++) {
      const eip = new Eip(this, `NatEip${i}`, {
        domain: 'vpc',
        tags: { Name: naming.name(`nat-${azs[i]}`) },
        dependsOn: [this.internetGateway],
      });
      this.natGateways.push(
        new NatGateway(this, `NatGateway${i}`, {
          allocationId: eip.allocationId,
          subnetId: publicSubnets[i].id,
          tags: { Name: naming.name(`nat-${azs[i]}`) },
          dependsOn: [this.internetGateway],
        }),
      );
    }

    // Private: per AZ a table when NAT is per AZ (an AZ outage does not cut the others off), else one.
    const privateTables: RouteTable[] = [];
    const privateTableCount = nat === 'perAz' ? azs.length : 1;
    for (let i = 0; i < privateTableCount; i++) {
      const table = new RouteTable(this, `PrivateRouteTable${i}`, {
        vpcId: this.vpc.id,
        tags: { Name: naming.name(privateTableCount > 1 ? `private-${azs[i]}` : 'private') },
      });
      if (this.natGateways.length > 0) {
        new Route(this, `PrivateDefaultRoute${i}`, {
          routeTableId: table.id,
          destinationCidrBlock: WORLD_V4,
          natGatewayId: this.natGateways[Math.min(i, this.natGateways.length - 1)].id,
        });
      }
      if (this.egressOnlyGateway) {
        new Route(this, `PrivateDefaultRouteIpv6${i}`, {
          routeTableId: table.id,
          destinationIpv6CidrBlock: WORLD_V6,
          egressOnlyGatewayId: this.egressOnlyGateway.id,
        });
      }
      privateTables.push(table);
    }
    privateSubnets.forEach(
      (s, i) =>
        new RouteTableAssociation(this, `PrivateAssociation${i}`, {
          subnetId: s.id,
          routeTableId: privateTables[Math.min(i, privateTables.length - 1)].id,
        }),
    );

    // Isolated: one table with only the local route (and the gateway endpoints below).
    const isolatedTable = new RouteTable(this, 'IsolatedRouteTable', {
      vpcId: this.vpc.id,
      tags: { Name: naming.name('isolated') },
    });
    isolatedSubnets.forEach(
      (s, i) =>
        new RouteTableAssociation(this, `IsolatedAssociation${i}`, {
          subnetId: s.id,
          routeTableId: isolatedTable.id,
        }),
    );

    // NACLs. The default NACL is adopted with no rules (denies all) and serves no subnet.
    new DefaultNetworkAcl(this, 'DefaultNetworkAcl', {
      defaultNetworkAclId: this.vpc.defaultNetworkAclId,
      tags: { Name: naming.name('default-do-not-use') },
      lifecycle: { ignoreChanges: ['subnet_ids'] },
    });
    const acls = this.networkAcls(props, { publicSubnets, privateSubnets, isolatedSubnets });

    this.public = { subnets: publicSubnets, routeTables: [publicTable], acl: acls.public };
    this.private = { subnets: privateSubnets, routeTables: privateTables, acl: acls.private };
    this.isolated = { subnets: isolatedSubnets, routeTables: [isolatedTable], acl: acls.isolated };

    // Gateway endpoints (free): S3 and DynamoDB traffic stays on the AWS network.
    const gatewayTables = [...privateTables, isolatedTable].map((t) => t.id);
    this.gatewayEndpoints = {
      s3: new VpcEndpoint(this, 'S3Endpoint', {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: gatewayTables,
        tags: { Name: naming.name('s3') },
      }),
      dynamodb: new VpcEndpoint(this, 'DynamodbEndpoint', {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.dynamodb`,
        vpcEndpointType: 'Gateway',
        routeTableIds: gatewayTables,
        tags: { Name: naming.name('dynamodb') },
      }),
    };

    // Interface endpoints in the private subnets, admitting HTTPS from the VPC.
    const endpoints = props.interfaceEndpoints ?? [];
    if (endpoints.length > 0) {
      const sg = new OwnedSecurityGroup(this, 'EndpointSecurityGroup', {
        vpcId: this.vpc.id,
        name: naming.name('endpoints'),
        description: 'Interface VPC endpoints: HTTPS from the VPC',
      });
      sg.allowFromCidrs([props.vpcCidr], 443, 'HTTPS from the VPC to interface endpoints');
      this.endpointSecurityGroup = sg;
      for (const service of endpoints) {
        this.interfaceEndpoints[service] = new VpcEndpoint(
          this,
          `Endpoint-${service.replace(/[^a-z0-9]/g, '-')}`,
          {
            vpcId: this.vpc.id,
            serviceName: `com.amazonaws.${props.region}.${service}`,
            vpcEndpointType: 'Interface',
            privateDnsEnabled: true,
            subnetIds: privateSubnets.map((s) => s.id),
            securityGroupIds: [sg.id],
            tags: { Name: naming.name(service) },
          },
        );
      }
    }

    this.flowLogGroup = this.flowLogs(props);
  }

  private networkAcls(
    props: NetworkProps,
    subnets: { publicSubnets: Subnet[]; privateSubnets: Subnet[]; isolatedSubnets: Subnet[] },
  ): Record<SubnetTier, NetworkAcl> {
    const { naming } = props;
    const acl = (tier: SubnetTier, list: Subnet[]) =>
      new NetworkAcl(this, `${capitalize(tier)}Acl`, {
        vpcId: this.vpc.id,
        subnetIds: list.map((s) => s.id),
        tags: { Name: naming.name(tier) },
      });
    const publicAcl = acl('public', subnets.publicSubnets);
    const privateAcl = acl('private', subnets.privateSubnets);
    const isolatedAcl = acl('isolated', subnets.isolatedSubnets);

    type Rule = { egress: boolean; cidr: string; protocol: string; from?: number; to?: number };
    const families = (v4: string): string[] => (this.ipv6 && v4 === WORLD_V4 ? [WORLD_V4, WORLD_V6] : [v4]);
    const add = (target: NetworkAcl, tier: SubnetTier, rules: Rule[]) => {
      let ingress = 100;
      let egress = 100;
      for (const r of rules) {
        for (const cidr of families(r.cidr)) {
          const number = r.egress ? egress : ingress;
          if (r.egress) egress += 10;
          else ingress += 10;
          new NetworkAclRule(this, `${capitalize(tier)}Acl${r.egress ? 'Out' : 'In'}${number}`, {
            networkAclId: target.id,
            ruleNumber: number,
            egress: r.egress,
            protocol: r.protocol,
            ruleAction: 'allow',
            ...(cidr.includes(':') ? { ipv6CidrBlock: cidr } : { cidrBlock: cidr }),
            ...(r.protocol === '-1' ? { fromPort: 0, toPort: 0 } : { fromPort: r.from, toPort: r.to }),
          });
        }
      }
    };
    const vpc = props.vpcCidr;
    const tcp = (egress: boolean, cidr: string, from: number, to = from): Rule => ({
      egress,
      cidr,
      protocol: 'tcp',
      from,
      to,
    });
    const all = (egress: boolean, cidr: string): Rule => ({ egress, cidr, protocol: '-1' });

    // Public: HTTP/HTTPS from the world, all from the VPC (what the NAT gateways forward),
    // ephemeral return traffic from the world; all out.
    add(publicAcl, 'public', [
      tcp(false, WORLD_V4, 80),
      tcp(false, WORLD_V4, 443),
      all(false, vpc),
      tcp(false, WORLD_V4, EPHEMERAL.fromPort, EPHEMERAL.toPort),
      all(true, WORLD_V4),
    ]);
    // Private: all from the VPC, ephemeral return traffic from anywhere (replies to requests that
    // left through NAT come from internet addresses); all out.
    add(privateAcl, 'private', [
      all(false, vpc),
      tcp(false, WORLD_V4, EPHEMERAL.fromPort, EPHEMERAL.toPort),
      { egress: false, cidr: WORLD_V4, protocol: 'udp', from: EPHEMERAL.fromPort, to: EPHEMERAL.toPort },
      all(true, WORLD_V4),
    ]);
    // Isolated: only the data ports, from the private subnets and between data nodes (replication),
    // and return traffic to them.
    const dataPeers = [...props.subnets.private, ...props.subnets.isolated];
    add(isolatedAcl, 'isolated', [
      ...(props.dataPorts ?? []).flatMap((port) => dataPeers.map((cidr) => tcp(false, cidr, port))),
      ...dataPeers.map((cidr) => tcp(false, cidr, EPHEMERAL.fromPort, EPHEMERAL.toPort)),
      ...dataPeers.map((cidr) => tcp(true, cidr, EPHEMERAL.fromPort, EPHEMERAL.toPort)),
      ...(props.dataPorts ?? []).flatMap((port) =>
        props.subnets.isolated.map((cidr) => tcp(true, cidr, port)),
      ),
    ]);
    return { public: publicAcl, private: privateAcl, isolated: isolatedAcl };
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
    return group;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

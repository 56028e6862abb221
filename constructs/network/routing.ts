import type { EgressOnlyInternetGateway } from '@cdktf/provider-aws/lib/egress-only-internet-gateway';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import type { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import type { Naming } from '../core/naming';
import type { NatMode, SubnetTier } from './network';

// Subnets, route tables, routes and NAT gateways of a Network. Every resource is created in the
// Network's own scope (passed as `scope`) with its historical id, so Terraform addresses are unchanged.

export const WORLD_V4 = '0.0.0.0/0';
export const WORLD_V6 = '::/0';
/** Netnum offsets of each tier's /64s inside the VPC's /56. */
const IPV6_NETNUM: Record<SubnetTier, number> = { public: 0, private: 64, isolated: 128 };

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** What the routing helpers need from the Network. */
export interface RoutingContext {
  readonly scope: Construct;
  readonly naming: Naming;
  readonly vpc: Vpc;
  readonly ipv6: boolean;
  readonly availabilityZones: readonly string[];
}

/** One subnet per AZ for a tier, with a /64 of the VPC's /56 when IPv6 is on. */
export function createSubnets(ctx: RoutingContext, tier: SubnetTier, cidrs: readonly string[]): Subnet[] {
  const { scope, naming, vpc } = ctx;
  const azs = ctx.availabilityZones;
  return cidrs.map(
    (cidr, i) =>
      new Subnet(scope, `${capitalize(tier)}Subnet${i}`, {
        vpcId: vpc.id,
        cidrBlock: cidr,
        availabilityZone: azs[i],
        mapPublicIpOnLaunch: false,
        ...(ctx.ipv6
          ? {
              ipv6CidrBlock: Fn.cidrsubnet(vpc.ipv6CidrBlock, 8, IPV6_NETNUM[tier] + i),
              // Addresses only where asked for (the ALB assigns its own): none auto-assigned.
              assignIpv6AddressOnCreation: false,
            }
          : {}),
        tags: { Name: naming.name(`${tier}-${azs[i]}`), Tier: tier },
      }),
  );
}

/** Public: one route table, default routes to the internet gateway. */
export function publicRouting(
  ctx: RoutingContext,
  subnets: Subnet[],
  internetGateway: InternetGateway,
): RouteTable {
  const { scope, naming, vpc } = ctx;
  const publicTable = new RouteTable(scope, 'PublicRouteTable', {
    vpcId: vpc.id,
    tags: { Name: naming.name('public') },
  });
  new Route(scope, 'PublicDefaultRoute', {
    routeTableId: publicTable.id,
    destinationCidrBlock: WORLD_V4,
    gatewayId: internetGateway.id,
  });
  if (ctx.ipv6) {
    new Route(scope, 'PublicDefaultRouteIpv6', {
      routeTableId: publicTable.id,
      destinationIpv6CidrBlock: WORLD_V6,
      gatewayId: internetGateway.id,
    });
  }
  subnets.forEach(
    (s, i) =>
      new RouteTableAssociation(scope, `PublicAssociation${i}`, {
        subnetId: s.id,
        routeTableId: publicTable.id,
      }),
  );
  return publicTable;
}

/** NAT gateways in the public subnets: none, one (in the first AZ), or one per AZ. */
export function createNatGateways(
  ctx: RoutingContext,
  nat: NatMode,
  publicSubnets: Subnet[],
  internetGateway: InternetGateway,
): NatGateway[] {
  const { scope, naming } = ctx;
  const azs = ctx.availabilityZones;
  const natCount = nat === 'perAz' ? azs.length : nat === 'single' ? 1 : 0;
  const gateways: NatGateway[] = [];
  for (let i = 0; i < natCount; i++) {
    const eip = new Eip(scope, `NatEip${i}`, {
      domain: 'vpc',
      tags: { Name: naming.name(`nat-${azs[i]}`) },
      dependsOn: [internetGateway],
    });
    gateways.push(
      new NatGateway(scope, `NatGateway${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        tags: { Name: naming.name(`nat-${azs[i]}`) },
        dependsOn: [internetGateway],
      }),
    );
  }
  return gateways;
}

/** Private: per AZ a table when NAT is per AZ (an AZ outage does not cut the others off), else one. */
export function privateRouting(
  ctx: RoutingContext,
  nat: NatMode,
  subnets: Subnet[],
  /** Where the IPv4 default route goes: a NAT gateway or the NAT instance's interface, per table. */
  natTargets: ReadonlyArray<{ natGatewayId: string } | { networkInterfaceId: string }>,
  egressOnlyGateway: EgressOnlyInternetGateway | undefined,
): RouteTable[] {
  const { scope, naming, vpc } = ctx;
  const azs = ctx.availabilityZones;
  const privateTables: RouteTable[] = [];
  const privateTableCount = nat === 'perAz' ? azs.length : 1;
  for (let i = 0; i < privateTableCount; i++) {
    const table = new RouteTable(scope, `PrivateRouteTable${i}`, {
      vpcId: vpc.id,
      tags: { Name: naming.name(privateTableCount > 1 ? `private-${azs[i]}` : 'private') },
    });
    if (natTargets.length > 0) {
      new Route(scope, `PrivateDefaultRoute${i}`, {
        routeTableId: table.id,
        destinationCidrBlock: WORLD_V4,
        ...natTargets[Math.min(i, natTargets.length - 1)],
      });
    }
    if (egressOnlyGateway) {
      new Route(scope, `PrivateDefaultRouteIpv6${i}`, {
        routeTableId: table.id,
        destinationIpv6CidrBlock: WORLD_V6,
        egressOnlyGatewayId: egressOnlyGateway.id,
      });
    }
    privateTables.push(table);
  }
  subnets.forEach(
    (s, i) =>
      new RouteTableAssociation(scope, `PrivateAssociation${i}`, {
        subnetId: s.id,
        routeTableId: privateTables[Math.min(i, privateTables.length - 1)].id,
      }),
  );
  return privateTables;
}

/** Isolated: one table with only the local route (and the gateway endpoints). */
export function isolatedRouting(ctx: RoutingContext, subnets: Subnet[]): RouteTable {
  const { scope, naming, vpc } = ctx;
  const isolatedTable = new RouteTable(scope, 'IsolatedRouteTable', {
    vpcId: vpc.id,
    tags: { Name: naming.name('isolated') },
  });
  subnets.forEach(
    (s, i) =>
      new RouteTableAssociation(scope, `IsolatedAssociation${i}`, {
        subnetId: s.id,
        routeTableId: isolatedTable.id,
      }),
  );
  return isolatedTable;
}

import { DefaultNetworkAcl } from '@cdktf/provider-aws/lib/default-network-acl';
import { NetworkAcl } from '@cdktf/provider-aws/lib/network-acl';
import { NetworkAclRule } from '@cdktf/provider-aws/lib/network-acl-rule';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import type { NetworkProps, SubnetTier } from './network';
import { capitalize, type RoutingContext, WORLD_V4, WORLD_V6 } from './routing';

// The Network's NACLs, created in the Network's own scope with their historical ids.

const EPHEMERAL = { fromPort: 1024, toPort: 65535 };

type Rule = { egress: boolean; cidr: string; protocol: string; from?: number; to?: number };

const tcp = (egress: boolean, cidr: string, from: number, to = from): Rule => ({
  egress,
  cidr,
  protocol: 'tcp',
  from,
  to,
});
const all = (egress: boolean, cidr: string): Rule => ({ egress, cidr, protocol: '-1' });

/**
 * NACLs. The default NACL is adopted with no rules (denies all) and serves no subnet; each tier
 * has its own NACL.
 */
export function createNetworkAcls(
  ctx: RoutingContext,
  props: NetworkProps,
  subnets: Record<SubnetTier, Subnet[]>,
): Record<SubnetTier, NetworkAcl> {
  const { scope, naming, vpc } = ctx;
  new DefaultNetworkAcl(scope, 'DefaultNetworkAcl', {
    defaultNetworkAclId: vpc.defaultNetworkAclId,
    tags: { Name: naming.name('default-do-not-use') },
    lifecycle: { ignoreChanges: ['subnet_ids'] },
  });
  const acl = (tier: SubnetTier) =>
    new NetworkAcl(scope, `${capitalize(tier)}Acl`, {
      vpcId: vpc.id,
      subnetIds: subnets[tier].map((s) => s.id),
      tags: { Name: naming.name(tier) },
    });
  const publicAcl = acl('public');
  const privateAcl = acl('private');
  const isolatedAcl = acl('isolated');

  const vpcCidr = props.vpcCidr;
  // Public: HTTP/HTTPS from the world, all from the VPC (what the NAT gateways forward),
  // ephemeral return traffic from the world; all out.
  addRules(ctx, publicAcl, 'public', [
    tcp(false, WORLD_V4, 80),
    tcp(false, WORLD_V4, 443),
    all(false, vpcCidr),
    tcp(false, WORLD_V4, EPHEMERAL.fromPort, EPHEMERAL.toPort),
    all(true, WORLD_V4),
  ]);
  // Private: all from the VPC, ephemeral return traffic from anywhere (replies to requests that
  // left through NAT come from internet addresses); all out.
  addRules(ctx, privateAcl, 'private', [
    all(false, vpcCidr),
    tcp(false, WORLD_V4, EPHEMERAL.fromPort, EPHEMERAL.toPort),
    { egress: false, cidr: WORLD_V4, protocol: 'udp', from: EPHEMERAL.fromPort, to: EPHEMERAL.toPort },
    all(true, WORLD_V4),
  ]);
  // Isolated: only the data ports, from the private subnets and between data nodes (replication),
  // and return traffic to them.
  const dataPeers = [...props.subnets.private, ...props.subnets.isolated];
  addRules(ctx, isolatedAcl, 'isolated', [
    ...(props.dataPorts ?? []).flatMap((port) => dataPeers.map((cidr) => tcp(false, cidr, port))),
    ...dataPeers.map((cidr) => tcp(false, cidr, EPHEMERAL.fromPort, EPHEMERAL.toPort)),
    ...dataPeers.map((cidr) => tcp(true, cidr, EPHEMERAL.fromPort, EPHEMERAL.toPort)),
    ...(props.dataPorts ?? []).flatMap((port) => props.subnets.isolated.map((cidr) => tcp(true, cidr, port))),
  ]);
  return { public: publicAcl, private: privateAcl, isolated: isolatedAcl };
}

/** Numbered allow rules, ingress and egress counted apart; world rules doubled for IPv6. */
function addRules(ctx: RoutingContext, target: NetworkAcl, tier: SubnetTier, rules: Rule[]): void {
  const families = (v4: string): string[] => (ctx.ipv6 && v4 === WORLD_V4 ? [WORLD_V4, WORLD_V6] : [v4]);
  let ingress = 100;
  let egress = 100;
  for (const r of rules) {
    for (const cidr of families(r.cidr)) {
      const number = r.egress ? egress : ingress;
      if (r.egress) egress += 10;
      else ingress += 10;
      new NetworkAclRule(ctx.scope, `${capitalize(tier)}Acl${r.egress ? 'Out' : 'In'}${number}`, {
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
}

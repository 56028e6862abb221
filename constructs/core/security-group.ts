import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';

export interface OwnedSecurityGroupProps {
  readonly vpcId: string;
  /** Full group name, e.g. `webplat-dev-alb`. */
  readonly name: string;
  readonly description: string;
}

/** One port, or a range [from, to]; protocol TCP unless `protocol` says otherwise. */
export type PortSpec =
  number | { readonly from: number; readonly to: number; readonly protocol?: 'tcp' | 'udp' | '-1' };

function ports(spec: PortSpec): { fromPort?: number; toPort?: number; ipProtocol: string } {
  if (typeof spec === 'number') return { fromPort: spec, toPort: spec, ipProtocol: 'tcp' };
  if (spec.protocol === '-1') return { ipProtocol: '-1' };
  return { fromPort: spec.from, toPort: spec.to, ipProtocol: spec.protocol ?? 'tcp' };
}

function portLabel(spec: PortSpec): string {
  if (typeof spec === 'number') return String(spec);
  if (spec.protocol === '-1') return 'all';
  // UDP rules carry their protocol (TCP ids stay as they were: addresses are a contract).
  return `${spec.from}-${spec.to}${spec.protocol === 'udp' ? '-udp' : ''}`;
}

function idPart(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '_');
}

/**
 * A security group a construct owns (docs/architecture.md, "Security model": each construct owns its group), with no inline
 * rules: every rule is its own `aws_vpc_security_group_{ingress,egress}_rule` with a description,
 * so rules added by other constructs never fight over the group's rule set. The group starts with
 * no ingress and no egress.
 */
export class OwnedSecurityGroup extends Construct {
  readonly group: SecurityGroup;
  readonly id: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: OwnedSecurityGroupProps) {
    super(scope, id);
    this.name = props.name;
    this.group = new SecurityGroup(this, 'Group', {
      name: props.name,
      description: props.description,
      vpcId: props.vpcId,
      revokeRulesOnDelete: true,
      tags: { Name: props.name },
      lifecycle: { createBeforeDestroy: true },
    });
    this.id = this.group.id;
  }

  /** Admits `peer` (another owned group) on `port`. The usual way to connect two parts. */
  allowFrom(peer: OwnedSecurityGroup, port: PortSpec, description: string): VpcSecurityGroupIngressRule {
    return new VpcSecurityGroupIngressRule(this, `In-${idPart(peer.name)}-${portLabel(port)}`, {
      securityGroupId: this.id,
      referencedSecurityGroupId: peer.id,
      description,
      ...ports(port),
    });
  }

  /**
   * Admits CIDRs on `port`. For world access (`0.0.0.0/0`, `::/0`) the caller must say so by passing
   * them: only the ALB does, from config.
   */
  allowFromCidrs(
    cidrs: readonly string[],
    port: PortSpec,
    description: string,
  ): VpcSecurityGroupIngressRule[] {
    return cidrs.map(
      (cidr) =>
        new VpcSecurityGroupIngressRule(this, `In-${idPart(cidr)}-${portLabel(port)}`, {
          securityGroupId: this.id,
          ...(cidr.includes(':') ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
          description,
          ...ports(port),
        }),
    );
  }

  /** Admits a managed prefix list (e.g. CloudFront's origin-facing ranges) on `port`. */
  allowFromPrefixLists(
    prefixListIds: readonly string[],
    port: PortSpec,
    description: string,
  ): VpcSecurityGroupIngressRule[] {
    return prefixListIds.map(
      (pl) =>
        new VpcSecurityGroupIngressRule(this, `In-${idPart(pl)}-${portLabel(port)}`, {
          securityGroupId: this.id,
          prefixListId: pl,
          description,
          ...ports(port),
        }),
    );
  }

  /** Lets this group reach `peer` on `port` (for groups whose egress is restricted, e.g. the ALB). */
  allowTo(peer: OwnedSecurityGroup, port: PortSpec, description: string): VpcSecurityGroupEgressRule {
    return new VpcSecurityGroupEgressRule(this, `Out-${idPart(peer.name)}-${portLabel(port)}`, {
      securityGroupId: this.id,
      referencedSecurityGroupId: peer.id,
      description,
      ...ports(port),
    });
  }

  /** Outbound to CIDRs (e.g. HTTPS to the internet through NAT for image pulls and AWS APIs). */
  allowToCidrs(cidrs: readonly string[], port: PortSpec, description: string): VpcSecurityGroupEgressRule[] {
    return cidrs.map(
      (cidr) =>
        new VpcSecurityGroupEgressRule(this, `Out-${idPart(cidr)}-${portLabel(port)}`, {
          securityGroupId: this.id,
          ...(cidr.includes(':') ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
          description,
          ...ports(port),
        }),
    );
  }

  /** Outbound to a prefix list (e.g. the S3 gateway endpoint's). */
  allowToPrefixList(prefixListId: string, port: PortSpec, description: string): VpcSecurityGroupEgressRule {
    return new VpcSecurityGroupEgressRule(this, `Out-${idPart(prefixListId)}-${portLabel(port)}`, {
      securityGroupId: this.id,
      prefixListId,
      description,
      ...ports(port),
    });
  }
}

/**
 * Connects a client to a server on one port: ingress on the server from the client's group and, where
 * the client's egress is restricted, the matching egress. The stack wires ALB -> service -> data
 * with this, from what config says each service uses.
 */
export function connect(
  client: OwnedSecurityGroup,
  server: OwnedSecurityGroup,
  port: number,
  description: string,
  options: { readonly clientEgress?: boolean } = {},
): void {
  server.allowFrom(client, port, description);
  if (options.clientEgress) client.allowTo(server, port, description);
}

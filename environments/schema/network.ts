/**
 * `network`: the VPC, its subnets per tier and AZ, NAT, endpoints, flow logs and the optional bastion.
 * Rules that only concern the network (subnets inside the VPC, no overlaps, endpoints without NAT)
 * live here; the AZ-in-region rule needs the environment's region and lives in environment.ts.
 */
import { z } from './zod';
import {
  ENDPOINTS_REQUIRED_WITHOUT_NAT,
  cidrContains,
  cidrsOverlap,
  parseCidr,
  type ParsedCidr,
} from '../rules';
import { formatPath, report, type Ctx } from './errors';
import { azSchema, cidrSchema, retentionSchema } from './primitives';

const TIERS = ['public', 'private', 'isolated'] as const;

const instanceTypeSchema = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type');

const bastionSchema = z.strictObject({
  /** Default: t4g.nano (Graviton; the launch template resolves the arm64 AMI). */
  instanceType: instanceTypeSchema.default('t4g.nano'),
});

export const networkSchema = z
  .strictObject({
    vpcCidr: cidrSchema,
    /** Amazon-provided IPv6 block, a /64 per subnet, dualstack ALB, AAAA records. Default: false. */
    ipv6: z.boolean().default(false),
    availabilityZones: z
      .array(azSchema)
      .min(2, 'needs 2 or 3 availability zones')
      .max(3, 'needs 2 or 3 availability zones'),
    subnets: z.strictObject({
      public: z.array(cidrSchema),
      private: z.array(cidrSchema),
      isolated: z.array(cidrSchema),
    }),
    /** `instance`: one NAT instance instead of gateways (non-production; constructs/network/nat-instance.ts). */
    natGateways: z.enum(['none', 'single', 'perAz', 'instance']),
    /**
     * The NAT instance of `natGateways: 'instance'` (read only then). Always resolved, so its defaults
     * below are the only ones.
     */
    natInstance: z
      .strictObject({
        /** Default: t4g.nano (Graviton; the launch template resolves the arm64 AMI). */
        instanceType: instanceTypeSchema.default('t4g.nano'),
        /** Spot capacity: cheaper, minutes without egress on an interruption. Default: false. */
        spot: z.boolean().default(false),
      })
      .prefault({}),
    interfaceEndpoints: z
      .array(
        z.string().regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'must be an endpoint service name such as ecr.api'),
      )
      .default([]),
    flowLogs: z.strictObject({ retentionDays: retentionSchema }),
    /** An SSM-managed bastion in a private subnet (no inbound rules). Default: none. */
    bastion: bastionSchema.optional(),
  })
  .superRefine((network, ctx) => {
    const azs = network.availabilityZones;
    azs.forEach((az, i) => {
      if (azs.indexOf(az) !== i) report(ctx, ['availabilityZones', i], `${az} is listed twice`);
    });
    checkSubnets(network, ctx);
    checkEndpoints(network, ctx);
  });

type NetworkShape = z.output<typeof networkSchema>;

/** The VPC prefix, one subnet per tier and AZ, each inside the VPC and overlapping no other. */
function checkSubnets(network: NetworkShape, ctx: Ctx): void {
  const azs = network.availabilityZones;
  const vpc = parseCidr(network.vpcCidr);
  if (vpc && (vpc.prefix < 16 || vpc.prefix > 24)) {
    report(ctx, ['vpcCidr'], `${network.vpcCidr}: a VPC CIDR needs a prefix from /16 to /24`);
  }
  const seen: { cidr: ParsedCidr; path: PropertyKey[] }[] = [];
  for (const tier of TIERS) {
    const list = network.subnets[tier];
    if (list.length !== azs.length) {
      report(
        ctx,
        ['subnets', tier],
        `has ${list.length} subnet${list.length === 1 ? '' : 's'} for ${azs.length} availability zones: give one CIDR per AZ`,
      );
    }
    list.forEach((text, i) => {
      const cidr = parseCidr(text);
      if (!cidr) return;
      const path: PropertyKey[] = ['subnets', tier, i];
      if (vpc && !cidrContains(vpc, cidr)) report(ctx, path, `${text} is outside vpcCidr ${network.vpcCidr}`);
      if (cidr.prefix > 28) report(ctx, path, `${text}: a subnet needs a prefix of /28 or larger`);
      for (const other of seen) {
        if (cidrsOverlap(cidr, other.cidr)) {
          report(
            ctx,
            path,
            `${text} overlaps ${formatPath(['network', ...other.path])} (${other.cidr.text})`,
          );
        }
      }
      seen.push({ cidr, path });
    });
  }
}

/** Interface endpoints: no duplicates, no gateway-only services, and what ECS needs without NAT. */
function checkEndpoints(network: NetworkShape, ctx: Ctx): void {
  const endpoints = network.interfaceEndpoints;
  endpoints.forEach((e, i) => {
    if (endpoints.indexOf(e) !== i) report(ctx, ['interfaceEndpoints', i], `${e} is listed twice`);
    if (e === 's3' || e === 'dynamodb') {
      report(ctx, ['interfaceEndpoints', i], `${e} is always a gateway endpoint (free); do not list it here`);
    }
  });
  if (network.natGateways === 'none') {
    const missing = ENDPOINTS_REQUIRED_WITHOUT_NAT.filter((e) => !endpoints.includes(e));
    if (missing.length > 0) {
      report(
        ctx,
        ['interfaceEndpoints'],
        `natGateways 'none' needs the interface endpoints ECS uses to pull images, write logs and read secrets; missing: ${missing.join(', ')}`,
      );
    }
  }
}

/**
 * The public edge of an environment: `dns` (the site's domain and zone), `ingress` (who may reach the
 * ALB), `alb` (load balancer settings) and `waf` (the web ACLs in front of it).
 */
import { z } from './zod';
import { cidrSchema, domainSchema, ipv6CidrSchema } from './primitives';

export const dnsSchema = z.strictObject({
  domainName: domainSchema,
  /** An existing public hosted zone. Default: the stack creates one and outputs its name servers. */
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABC')
    .optional(),
});

export const ingressSchema = z.strictObject({
  /** IPv4 CIDRs allowed to reach the ALB on 80/443. Default (with no prefix lists): the world. */
  allowedCidrs: z.array(cidrSchema).optional(),
  /** IPv6 CIDRs allowed to reach the ALB (dualstack only). Default (with nothing set): the world. */
  allowedIpv6Cidrs: z.array(ipv6CidrSchema).optional(),
  /** Managed prefix lists, e.g. CloudFront's origin-facing list. */
  prefixListIds: z
    .array(z.string().regex(/^pl-[0-9a-f]{8,17}$/, 'must be a prefix list id such as pl-3b927c52'))
    .optional(),
});

export const albSchema = z.strictObject({
  /** Default: false. Production environments set it. */
  deletionProtection: z.boolean().default(false),
  /** Seconds an idle connection stays open. Default: 60. */
  idleTimeoutSeconds: z.number().int().min(1).max(4000).default(60),
  /** Days ALB access logs are kept. Default: 90. */
  accessLogRetentionDays: z.number().int().min(1).default(90),
});

export const wafSchema = z.strictObject({
  /**
   * Requests per client IP per 5 minutes before WAF blocks it, in each web ACL that sees the viewers'
   * addresses: the ALB's, and CloudFront's with a static frontend. Behind `frontend.apiOrigin` (a VPC
   * origin) the ALB sees only CloudFront, so the limit applies at CloudFront alone. Default: 2000.
   */
  rateLimitPerIp: z.number().int().min(10, 'WAF rate limits start at 10').max(2_000_000_000).default(2000),
});

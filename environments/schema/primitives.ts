/**
 * Field formats shared by the sections: slugs, AWS ids and names, CIDRs, ports, paths. Each carries its
 * own message, so every field of that format reports the same way.
 */
import { z } from './zod';
import { LOG_RETENTION_DAYS, isNetworkAddress, parseCidr } from '../rules';
import { report } from './errors';

export const slug = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'must be a lowercase slug (a-z, 0-9 and -, starting with a letter)');

export const accountIdSchema = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
export const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region such as us-east-1');
export const azSchema = z
  .string()
  .regex(
    /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/,
    'must be an availability zone name such as us-east-1a',
  );

export const cidrSchema = z.string().superRefine((value, ctx) => {
  const cidr = parseCidr(value);
  if (!cidr) return report(ctx, [], `${value} is not an IPv4 CIDR such as 10.0.0.0/16`);
  if (!isNetworkAddress(cidr)) report(ctx, [], `${value} has host bits set; use its network address`);
});

export const ipv6CidrSchema = z.cidrv6({ error: 'must be an IPv6 CIDR such as 2001:db8::/32' });

export const domainSchema = z
  .string()
  .max(253)
  .regex(
    /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lowercase domain name such as dev.example.com',
  );

export const portSchema = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be a port from 1 to 65535')
  .max(65535, 'must be a port from 1 to 65535');

export const percentSchema = z
  .number()
  .min(1, 'must be a percentage from 1 to 100')
  .max(100, 'must be a percentage from 1 to 100');

export const urlPathSchema = z
  .string()
  .regex(/^\/[A-Za-z0-9._~!$&'()+,;=:@%/-]*$/, "must be a URL path starting with '/'");
/** ALB path patterns: a path starting with '/', with the ALB wildcards * and ?. */
export const pathPatternSchema = z
  .string()
  .max(128)
  .regex(/^\/[A-Za-z0-9._~!$&'()+,;=:@%/*?-]*$/, "must be a path pattern starting with '/', such as /api/*");

export const retentionSchema = z
  .number()
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    error: `must be one of CloudWatch Logs' retention values: ${LOG_RETENTION_DAYS.join(', ')}`,
  });

export const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
export const secretArnSchema = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
    'must be a Secrets Manager secret ARN',
  );
export const iamPrincipalArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9/_+=,.@*-]+$/, 'must be an IAM principal ARN');
export const emailSchema = z.email({ error: 'must be an email address' });
export const imageSchema = z
  .string()
  .regex(
    /^[a-z0-9]+([._\-/:@][a-zA-Z0-9_.-]+)*$/,
    'must be a container image reference such as public.ecr.aws/nginx/nginx:1.27',
  );
export const imageTagSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an image tag');

export const tagsSchema = z
  .record(
    z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'must be a valid tag key'),
    z.string().max(256),
  )
  .default({});

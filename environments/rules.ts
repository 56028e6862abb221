/**
 * Facts about AWS that the config validation checks against. Kept apart from the schema so the
 * constructs can use the same tables (one source for e.g. the allowed log retention values).
 */
import * as ipaddr from 'ipaddr.js';

/** CloudWatch Logs' allowed retention values (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Fargate task sizes: cpu units -> allowed memory (MiB). */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** Interface endpoints ECS Fargate needs to pull from ECR, write logs and read secrets without NAT. */
export const ENDPOINTS_REQUIRED_WITHOUT_NAT = [
  'ecr.api',
  'ecr.dkr',
  'logs',
  'secretsmanager',
  'sts',
] as const;

/** Engine -> the major versions this platform accepts (checked against the version's prefix). */
export const ENGINE_VERSION_PATTERNS = {
  postgres: /^(1[3-7])(\.\d+)?$/,
  mysql: /^8\.(0|4)(\.\d+)?$/,
  'aurora-postgresql': /^(1[3-7])\.\d+$/,
} as const;

export const ENGINE_VERSION_HINTS = {
  postgres: 'a PostgreSQL version such as 16 or 16.3',
  mysql: 'a MySQL version such as 8.0 or 8.0.39',
  'aurora-postgresql': 'an Aurora PostgreSQL version such as 16.4',
} as const;

/** The relational engines, and the one port each listens on: security groups and NACLs open these. */
export const ENGINE_PORTS = { postgres: 5432, mysql: 3306, 'aurora-postgresql': 5432 } as const;
export type DatabaseEngine = keyof typeof ENGINE_PORTS;
export const DATABASE_ENGINES = Object.keys(ENGINE_PORTS) as [DatabaseEngine, ...DatabaseEngine[]];
export const REDIS_PORT = 6379;

/**
 * The SQL client image the platform's database bootstrap runs, per engine, pinned by digest (a tag
 * can be moved; a digest cannot). `database.bootstrapImage` overrides it. Refresh: docs/runbooks.md,
 * "Refresh the bootstrap images".
 */
export const DB_BOOTSTRAP_IMAGES: Readonly<Record<DatabaseEngine, string>> = {
  postgres:
    'public.ecr.aws/docker/library/postgres:17-alpine@sha256:742f40ea20b9ff2ff31db5458d127452988a2164df9e17441e191f3b72252193',
  'aurora-postgresql':
    'public.ecr.aws/docker/library/postgres:17-alpine@sha256:742f40ea20b9ff2ff31db5458d127452988a2164df9e17441e191f3b72252193',
  mysql:
    'public.ecr.aws/docker/library/mysql:8.4@sha256:b3b90af2a6552ae30c266fdb7d5dd55f3afb72404bb78d37fe8a23eb857fd3fb',
};
/** The AWS CLI image the EKS bootstrap Job reads the master secret with (its init container), by digest. */
export const AWS_CLI_IMAGE =
  'public.ecr.aws/aws-cli/aws-cli:2.31.30@sha256:6c9314d8dd18bcfd11c509e00ea39016c4fb978e42e86df1e4dfd17038b10b78';
/** An image reference pinned by digest: `<repository>[:tag]@sha256:<64 hex>`. */
export const IMAGE_BY_DIGEST = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[0-9a-f]{64}$/;

/** The path pattern that makes a service the listener's default action. */
export const DEFAULT_ROUTE = '/*';

/** True for a service whose `pathPatterns` is exactly `['/*']`: the listener default. */
export function isDefaultRoute(pathPatterns: readonly string[]): boolean {
  return pathPatterns.length === 1 && pathPatterns[0] === DEFAULT_ROUTE;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

export interface ParsedCidr {
  readonly address: ipaddr.IPv4;
  readonly prefix: number;
  readonly text: string;
}

export function parseCidr(text: string): ParsedCidr | undefined {
  try {
    const [address, prefix] = ipaddr.IPv4.parseCIDR(text);
    return { address, prefix, text };
  } catch {
    return undefined;
  }
}

/** True when the CIDR's address is its network address (no host bits set): 10.0.1.0/24, not 10.0.1.5/24. */
export function isNetworkAddress(cidr: ParsedCidr): boolean {
  return ipaddr.IPv4.networkAddressFromCIDR(cidr.text).toString() === cidr.address.toString();
}

export function cidrContains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  return inner.prefix >= outer.prefix && inner.address.match(outer.address, outer.prefix);
}

export function cidrsOverlap(a: ParsedCidr, b: ParsedCidr): boolean {
  return a.address.match(b.address, b.prefix) || b.address.match(a.address, a.prefix);
}

/**
 * Kubernetes versions `compute.eks.version` accepts, each with the end of its EKS standard support
 * (EKS Kubernetes release calendar, https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
 * Reviewed 2026-11-24: add a version when EKS releases it; remove one once its standard support has
 * ended (extended support costs six times as much per cluster hour). The provider takes any string.
 */
export const EKS_VERSIONS: Readonly<Record<string, string>> = {
  '1.34': '2026-12-02',
  '1.35': '2027-03-27',
};

/** The TLS port MSK brokers take IAM (SASL/IAM) clients on; the only one the brokers' group opens. */
export const KAFKA_IAM_TLS_PORT = 9098;

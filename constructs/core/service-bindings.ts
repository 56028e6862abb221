import type { PolicyStatement } from './iam';
import type { ContractRequest } from './role-contract';
import type { OwnedSecurityGroup } from './security-group';

/** How ECS finds a secret: the ARN, or `ARN:json-key::` for one key of a JSON secret. */
export interface SecretRef {
  readonly arn: string;
  readonly jsonKey?: string;
}

/** A network peer a workload connects to: the peer's own security group and its port. */
export interface NetworkPeer {
  readonly securityGroup: OwnedSecurityGroup;
  readonly port: number;
  /** The rule description, e.g. `backend to the database`. */
  readonly description: string;
}

/**
 * What a workload receives from what config says it `uses`: the contract between the data layer,
 * which produces it, and the compute layer, which builds workloads with it (docs/architecture.md,
 * "Layers"). Values are plain: endpoints, names and secret ARNs, never secret values.
 */
export interface ServiceBindings {
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretRef>>;
  /** Task-role statements on the named resources. */
  readonly statements: readonly PolicyStatement[];
  /**
   * The requests a workload using these stores must be able to make (`allow`) and must never make
   * (`deny`: a neighbour's data, the master secret), written from what clients call, not from
   * `statements`: the role contract of the task or pod role (constructs/core/role-contract.ts).
   */
  readonly requests: {
    readonly allow: readonly ContractRequest[];
    readonly deny: readonly ContractRequest[];
  };
  readonly peers: readonly NetworkPeer[];
}

/** Joins bindings; a variable set twice is an error (two stores must not claim one name). */
export function mergeBindings(owner: string, ...parts: Partial<ServiceBindings>[]): ServiceBindings {
  const environment: Record<string, string> = {};
  const secrets: Record<string, SecretRef> = {};
  const claim = (name: string) => {
    if (name in environment || name in secrets) throw new Error(`${owner}: ${name} is set twice`);
  };
  for (const part of parts) {
    for (const [name, value] of Object.entries(part.environment ?? {})) {
      claim(name);
      environment[name] = value;
    }
    for (const [name, ref] of Object.entries(part.secrets ?? {})) {
      claim(name);
      secrets[name] = ref;
    }
  }
  return {
    environment,
    secrets,
    statements: parts.flatMap((p) => p.statements ?? []),
    requests: {
      allow: parts.flatMap((p) => p.requests?.allow ?? []),
      deny: parts.flatMap((p) => p.requests?.deny ?? []),
    },
    peers: parts.flatMap((p) => p.peers ?? []),
  };
}

/**
 * What the data layer hands a compute platform that bootstraps the database outside ECS (EKS: a
 * Kubernetes Job with its own Pod Identity role): plain values and ARNs, never the credential.
 */
export interface DatabaseBootstrap {
  /** The master secret: only the bootstrap reads it. */
  readonly masterSecretArn: string;
  readonly engine: string;
  readonly endpoint: string;
  readonly port: number;
  readonly databaseName: string;
  /** The idempotent SQL giving each service its schema and users (constructs/data/database-identities.ts). */
  readonly sql: string;
  /** The SQL client image, pinned by digest (`database.bootstrapImage`). */
  readonly image: string;
  /**
   * The runtime users that sign in through RDS Proxy: the bootstrap makes sure each one's secret
   * holds a password (it generates one the first time), and passes it to the SQL as the psql
   * variable `passwordVariable` (proxy-credentials.ts).
   */
  readonly proxyUsers: readonly ProxyUserCredential[];
  /**
   * The database's group and port: where the bootstrap connects. On EKS its Job runs on the nodes,
   * which the compute layer admits here (services may reach only the proxy).
   */
  readonly peer: NetworkPeer;
}

/** A proxied runtime user's secret (`{"username", "password"}`), which the bootstrap fills. */
export interface ProxyUserCredential {
  readonly user: string;
  readonly secretArn: string;
  readonly passwordVariable: string;
}

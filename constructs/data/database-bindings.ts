import type { OwnedSecurityGroup } from '../core/security-group';
import type { NetworkPeer, ServiceBindings } from '../core/service-bindings';
import type { ContractRequest } from '../core/role-contract';
import type { DatabaseProxy } from './database-proxy';
import { serviceDatabaseIdentity } from './database-identities';
import type { RelationalDatabase } from './relational-database';

/** A store's group and port as a network peer of a client, with the rule's description. */
export function peer(
  store: { securityGroup: OwnedSecurityGroup; port: number },
  description: string,
): NetworkPeer {
  return { securityGroup: store.securityGroup, port: store.port, description };
}

/** How a client reaches the database as `user` (IAM token), with `schema` as its search path. */
function databaseEnvironment(db: RelationalDatabase, user: string, schema: string): Record<string, string> {
  return {
    DB_HOST: db.endpoint,
    DB_PORT: String(db.port),
    DB_NAME: db.engine === 'mysql' ? schema : db.databaseName,
    DB_SCHEMA: schema,
    DB_ENGINE: db.engine,
    DB_USER: user,
    DB_IAM_AUTH: 'true',
  };
}

const deny = (...requests: ContractRequest[]): Partial<ServiceBindings> => ({
  requests: { allow: [], deny: requests },
});

/**
 * What the database hands its clients (docs/architecture.md, "Database identities", "Database
 * proxy"): a service its runtime user (through RDS Proxy where there is one), a migration task its
 * migration user; each by IAM token, never the master credential or another service's users.
 */
export class DatabaseClients {
  constructor(
    private readonly region: string,
    /** Every configured service: a service's denials name its neighbours' users. */
    private readonly serviceNames: readonly string[],
    private readonly db?: RelationalDatabase,
    private readonly proxy?: DatabaseProxy,
  ) {}

  /** A service's parts: its denials whatever it uses, and with `usesDatabase` its runtime user. */
  serviceParts(service: string, usesDatabase: boolean): Partial<ServiceBindings>[] {
    const { db, proxy, region } = this;
    if (!db) return [];
    // Every other service's users, and the service's own migration user (DDL is the migrations').
    const own = serviceDatabaseIdentity(service);
    const others = this.serviceNames
      .filter((s) => s !== service)
      .map(serviceDatabaseIdentity)
      .flatMap((i) => [i.runtimeUser, i.migrationUser]);
    const parts = [deny(...db.denials(region, [...others, own.migrationUser]))];
    if (!usesDatabase) return parts;
    const { runtimeUser, schema, migrationUser } = own;
    if (proxy) {
      // Through the proxy only, as its own runtime user by IAM token; the proxy holds the password.
      const otherRuntimeUsers = this.serviceNames
        .filter((s) => s !== service)
        .map((s) => serviceDatabaseIdentity(s).runtimeUser);
      parts.push({
        peers: [peer(proxy, `${service} to the database proxy`)],
        environment: {
          ...databaseEnvironment(db, runtimeUser, schema),
          DB_HOST: proxy.endpoint,
          ...(proxy.readerEndpoint ? { DB_READER_HOST: proxy.readerEndpoint } : {}),
        },
        statements: [proxy.connectStatement(region, runtimeUser)],
        requests: {
          allow: proxy.connectRequests(region, runtimeUser),
          deny: [
            ...proxy.denials(region, [...otherRuntimeUsers, migrationUser, db.masterUsername]),
            ...db.dbUserArns(region, runtimeUser).map((resource) => ({
              action: 'rds-db:connect',
              resource,
              because: `${runtimeUser} signs in through the proxy only`,
            })),
            ...[...proxy.secrets.values()].map((secret) => ({
              action: 'secretsmanager:GetSecretValue',
              resource: secret.arn,
              because: "the proxy's sign-in password: the service signs in by IAM token",
            })),
          ],
        },
      });
      return parts;
    }
    // The service's own runtime user, by IAM token (rds-db:connect); never the master credential.
    parts.push({
      peers: [peer(db, `${service} to the database`)],
      environment: {
        ...databaseEnvironment(db, runtimeUser, schema),
        ...(db.readerEndpoint ? { DB_READER_HOST: db.readerEndpoint } : {}),
      },
      statements: [db.connectStatement(region, runtimeUser)],
      requests: { allow: db.connectRequests(region, runtimeUser), deny: [] },
    });
    return parts;
  }

  /**
   * What a service's migration task receives (services.<name>.migrations): its schema's migration
   * user by IAM token (DDL on its own schema only), never the master credential, the runtime user or
   * another service's users.
   */
  migrationParts(service: string): Partial<ServiceBindings> {
    const { db, region } = this;
    if (!db) throw new Error(`${service}: migrations need the database, and none is configured`);
    const { migrationUser, runtimeUser, schema } = serviceDatabaseIdentity(service);
    const others = this.serviceNames
      .filter((s) => s !== service)
      .map(serviceDatabaseIdentity)
      .flatMap((i) => [i.runtimeUser, i.migrationUser]);
    return {
      peers: [peer(db, `${service} migrations to the database`)],
      environment: databaseEnvironment(db, migrationUser, schema),
      statements: [db.connectStatement(region, migrationUser)],
      requests: {
        allow: db.connectRequests(region, migrationUser),
        deny: db.denials(region, [...others, runtimeUser]),
      },
    };
  }
}

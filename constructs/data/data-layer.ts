import { TerraformOutput, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import {
  backupCopyRegion,
  copiedBy,
  type EnvironmentConfig,
  type ServiceConfig,
} from '../../environments/schema';
import { Layer } from '../core/addresses';
import type { LogArchive } from '../core/log-archive';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { connect, type OwnedSecurityGroup } from '../core/security-group';
import { mergeBindings, type ServiceBindings } from '../core/service-bindings';
import { environmentTag, otherEnvironment } from '../core/contract-requests';
import type { ContractRequest } from '../core/role-contract';
import { AppBucket } from './app-bucket';
import { bootstrapSql, proxyPasswordVariable, serviceDatabaseIdentity } from './database-identities';
import { DatabaseProxy } from './database-proxy';
import type { DatabaseBootstrap } from '../core/service-bindings';
import { databaseBootstrap, DbMigrateTask } from './db-migrate-task';
import { PlatformBackup } from './backup-plan';
import type { AutomatedBackupsReplication } from './automated-backups-replication';
import type { BucketReplication } from './bucket-replication';
import { AppTable } from './dynamodb-table';
import { replicateAutomatedBackups, replicateBuckets, replicateTables } from './recovery-copies';
import type { TableReplication } from './table-replication';
import { DB_BOOTSTRAP_IMAGES, ENGINE_PORTS, REDIS_PORT } from '../../environments/rules';
import { RedisCache } from './redis-cache';
import { RelationalDatabase } from './relational-database';
import { DatabaseClients, peer } from './database-bindings';

export interface DataLayerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly config: Pick<
    EnvironmentConfig,
    'database' | 'cache' | 'tables' | 'buckets' | 'backup' | 'recovery' | 'network' | 'services' | 'compute'
  >;
  readonly vpcId: string;
  /** Isolated subnets, one per AZ. */
  readonly subnetIds: string[];
  /** Private subnets (where the services run): the database migration task runs there too. */
  readonly appSubnetIds: string[];
  readonly keys: { readonly data: string; readonly secrets: string };
  readonly logs: LogSettings;
  readonly logArchive: LogArchive;
  /** An admin host admitted to every networked store (the SSM bastion). Default: none. */
  readonly adminClient?: OwnedSecurityGroup;
  /**
   * The provider of the recovery region, when recovery points are copied there (`recovery.strategy`
   * 'backup-restore': the stack derives the region with `backupCopyRegion`).
   */
  readonly drProvider?: TerraformProvider;
  /** Break-glass admins: the only principals that may delete recovery points. */
  readonly adminPrincipalArns: readonly string[];
}

/** The TCP ports the configured stores listen on (the network layer opens exactly these). */
export function dataPorts(config: Pick<EnvironmentConfig, 'database' | 'cache'>): number[] {
  const ports = [
    ...(config.database ? [ENGINE_PORTS[config.database.engine]] : []),
    ...(config.cache ? [REDIS_PORT] : []),
  ];
  return [...new Set(ports)];
}

/**
 * The data layer: the relational database, the Redis cache, DynamoDB tables, application buckets
 * and their AWS Backup plan, each from its config section. `bindingsFor(uses)` turns what a service
 * `uses` into what the compute layer builds it with.
 */
export class DataLayer extends Layer {
  readonly database?: RelationalDatabase;
  /** RDS Proxy in front of the database (`database.proxy`): the services' runtime users sign in through it. */
  readonly proxy?: DatabaseProxy;
  /** The platform's database bootstrap task (with a database, on Fargate only): holds the master credential. */
  readonly migrateTask?: DbMigrateTask;
  /**
   * What creates the application users where the compute platform runs it itself (EKS: a Kubernetes
   * Job with its own Pod Identity role, built by the compute layer); with a database only.
   */
  readonly bootstrap?: DatabaseBootstrap;
  readonly cache?: RedisCache;
  readonly tables: Record<string, AppTable> = {};
  readonly buckets: Record<string, AppBucket> = {};
  readonly backup?: PlatformBackup;
  /** The RDS instance's automated backups replicated to the recovery region (issue 28). */
  readonly backupReplication?: AutomatedBackupsReplication;
  /** The versioned data buckets replicated to the recovery region (issue 28). */
  readonly bucketReplication?: BucketReplication;
  /** The tables' replicas in the recovery region, when the RPO needs them (issue 28). */
  readonly tableReplication?: TableReplication;

  private readonly region: string;
  private readonly accountId: string;
  private readonly naming: Naming;
  /** Every configured service: a service's denials name its neighbours' stores. */
  private readonly serviceNames: string[];

  constructor(scope: Construct, id: string, props: DataLayerProps) {
    super(scope, id);
    this.region = props.region;
    this.accountId = props.accountId;
    this.naming = props.naming;
    this.serviceNames = Object.keys(props.config.services);
    const { config, naming } = props;
    const placement = { naming, accountId: props.accountId, vpcId: props.vpcId, subnetIds: props.subnetIds };
    const logs = { logKmsKeyArn: props.logs.kmsKeyArn, logRetentionDays: props.logs.retentionDays };
    if (config.database) {
      this.database = new RelationalDatabase(this, 'Database', {
        ...placement,
        ...logs,
        ...config.database,
        availabilityZones: config.network.availabilityZones,
        dataKmsKeyArn: props.keys.data,
        secretsKmsKeyArn: props.keys.secrets,
      });
      const db = this.database;
      const identities = Object.entries(config.services)
        .filter(([, s]) => s.uses.database)
        .map(([name]) => serviceDatabaseIdentity(name));
      if (config.database.proxy)
        this.proxy = new DatabaseProxy(this, 'DatabaseProxy', {
          ...placement,
          ...logs,
          database: db,
          users: identities.map((i) => i.runtimeUser),
          settings: config.database.proxy,
          secretsKmsKeyArn: props.keys.secrets,
        });
      const proxy = this.proxy;
      const sql = bootstrapSql({
        engine: db.engine,
        databaseName: db.databaseName,
        masterUsername: db.masterUsername,
        services: identities,
        legacyOwner: config.database.legacyTablesOwner,
        proxiedServices: proxy ? identities.map((i) => i.service) : [],
      });
      this.bootstrap = databaseBootstrap(
        db,
        sql,
        config.database.bootstrapImage ?? DB_BOOTSTRAP_IMAGES[db.engine],
        identities.flatMap((i) => {
          const secret = proxy?.secrets.get(i.runtimeUser);
          return secret
            ? [{ user: i.runtimeUser, secretArn: secret.arn, passwordVariable: proxyPasswordVariable(i) }]
            : [];
        }),
      );
      // The ECS bootstrap task (and its roles) exist only where ECS runs: an environment grants only
      // what its own resources need (on EKS a Job runs the bootstrap, compute/eks/database-bootstrap-role.ts).
      if (config.compute.platform === 'fargate')
        this.migrateTask = new DbMigrateTask(this, 'DbMigrate', {
          naming,
          accountId: props.accountId,
          region: props.region,
          vpcId: props.vpcId,
          subnetIds: props.appSubnetIds,
          database: db,
          bootstrap: this.bootstrap,
          logs: props.logs,
          secretsKmsKeyArn: props.keys.secrets,
        });
    }
    if (config.cache) {
      this.cache = new RedisCache(this, 'Cache', {
        ...placement,
        ...logs,
        ...config.cache,
        region: props.region,
        kmsKeyArn: props.keys.data,
      });
    }
    if (props.adminClient) {
      for (const store of this.networkedStores()) {
        connect(
          props.adminClient,
          store.securityGroup,
          store.port,
          `Bastion port forwarding to ${store.label}`,
          {
            clientEgress: true,
          },
        );
      }
    }
    for (const [name, table] of Object.entries(config.tables)) {
      this.tables[name] = new AppTable(this, `Table-${name}`, {
        ...table,
        tableName: naming.name(name),
        kmsKeyArn: props.keys.data,
        globalTable: copiedBy(config, ['tables', name], 'tableReplica'),
      });
    }
    for (const [name, bucket] of Object.entries(config.buckets)) {
      const bucketName = naming.bucket(name);
      this.buckets[name] = new AppBucket(this, `Bucket-${name}`, {
        ...bucket,
        bucketName,
        kmsKeyArn: props.keys.data,
        region: props.region,
        accessLogs: props.logArchive.serverAccessLogs(bucketName),
      });
    }
    this.backup = this.createBackup(props);
    // The copies in the recovery region (recovery-copies.ts), children of this layer.
    const stores = { database: this.database, buckets: this.buckets, tables: this.tables };
    this.backupReplication = replicateAutomatedBackups(this, props, stores);
    this.bucketReplication = replicateBuckets(this, props, stores);
    this.tableReplication = replicateTables(this, props, stores);
    this.outputs();
  }

  private outputs(): void {
    const out = (id: string, value: unknown, description: string) =>
      new TerraformOutput(this, id, { value, description });
    if (this.database) {
      out('database_endpoint', this.database.endpoint, 'Database writer hostname');
      if (this.proxy)
        out('database_proxy_endpoint', this.proxy.endpoint, 'RDS Proxy endpoint: the services sign in here');
      out(
        'database_master_secret_arn',
        this.database.masterSecretArn,
        'Master secret (username/password): only the platform bootstrap (db-migrate) reads it',
      );
    }
    const task = this.migrateTask;
    if (task) {
      out(
        'db_migrate_task',
        { family: task.family, security_group_id: task.securityGroup.id, subnet_ids: task.subnetIds },
        'aws ecs run-task inputs of the database bootstrap task (docs/runbooks.md)',
      );
    }
    if (this.cache) out('redis_endpoint', this.cache.endpoint, 'Redis endpoint (TLS, IAM auth)');
    const names = (items: Record<string, { name: string }>) =>
      Object.fromEntries(Object.entries(items).map(([n, x]) => [n, x.name]));
    out('table_names', names(this.tables), 'DynamoDB table per config name');
    out('bucket_names', names(this.buckets), 'S3 bucket per config name');
  }

  /**
   * What a service that `uses` these stores receives: ingress, environment, secrets, grants, and the
   * requests its clients make and must never make (a neighbour's store, the master credential,
   * another environment's data).
   */
  bindingsFor(service: string, uses: ServiceConfig['uses']): ServiceBindings {
    const parts: Partial<ServiceBindings>[] = [this.otherEnvironmentDenials(uses)];
    const notUsed = (store: string) => `${service} does not use ${store}`;
    const deny = (...requests: ContractRequest[]) => ({ requests: { allow: [], deny: requests } });
    parts.push(...this.databaseClients().serviceParts(service, uses.database === true));
    const cache = this.cache;
    if (cache) parts.push(deny(...cache.denials(uses.cache ? undefined : notUsed('the cache'))));
    if (uses.cache && cache) {
      parts.push({
        peers: [peer(cache, `${service} to Redis`)],
        environment: {
          REDIS_HOST: cache.endpoint,
          REDIS_PORT: String(cache.port),
          REDIS_USER: cache.appUserName,
          REDIS_TLS: 'true',
          REDIS_CLUSTER_MODE: String(cache.clusterMode),
        },
        statements: [cache.connectStatement()],
        requests: { allow: cache.connectRequests(), deny: [] },
      });
    }
    for (const [t, table] of Object.entries(this.tables)) {
      if (!uses.tables.includes(t)) {
        parts.push(deny(...table.outsiderDenials(notUsed(`table ${t}`))));
        continue;
      }
      parts.push({
        statements: [table.readWriteStatement(`Table${pascal(t)}`)],
        environment: { [`TABLE_${envName(t)}`]: table.name },
        requests: { allow: table.clientRequests(), deny: table.userDenials() },
      });
    }
    for (const [b, bucket] of Object.entries(this.buckets)) {
      if (!uses.buckets.includes(b)) {
        parts.push(deny(...bucket.outsiderDenials(notUsed(`bucket ${b}`))));
        continue;
      }
      parts.push({
        statements: bucket.readWriteStatements(`Bucket${pascal(b)}`),
        environment: { [`BUCKET_${envName(b)}`]: bucket.name },
        requests: { allow: bucket.clientRequests(), deny: bucket.userDenials() },
      });
    }
    return mergeBindings(service, ...parts);
  }

  /**
   * What a service's migration task receives (services.<name>.migrations): its schema's migration
   * user by IAM token (DDL on its own schema only), never the master credential, the runtime user or
   * another service's users.
   */
  migrationBindingsFor(service: string): ServiceBindings {
    return mergeBindings(service, this.databaseClients().migrationParts(service));
  }

  private databaseClients(): DatabaseClients {
    return new DatabaseClients(this.region, this.serviceNames, this.database, this.proxy);
  }

  /** The same stores of another environment in the account: never reachable from this one. */
  private otherEnvironmentDenials(uses: ServiceConfig['uses']): Partial<ServiceBindings> {
    const other = otherEnvironment(this.naming);
    const because = (name: string) => `${name} belongs to another environment`;
    return {
      requests: {
        allow: [],
        deny: [
          ...uses.tables.map((t) => ({
            action: 'dynamodb:GetItem',
            resource: `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${other.name(t)}`,
            context: environmentTag(other),
            because: because(other.name(t)),
          })),
          ...uses.buckets.map((b) => ({
            action: 's3:GetObject',
            resource: `arn:aws:s3:::${other.bucket(b)}/uploads/example.bin`,
            because: because(other.bucket(b)),
          })),
        ],
      },
    };
  }

  private networkedStores(): { securityGroup: OwnedSecurityGroup; port: number; label: string }[] {
    return [
      ...(this.database ? [{ ...peer(this.database, ''), label: 'the database' }] : []),
      ...(this.cache ? [{ ...peer(this.cache, ''), label: 'Redis' }] : []),
    ];
  }

  private createBackup(props: DataLayerProps): PlatformBackup | undefined {
    const b = props.config.backup;
    if (!b) return undefined;
    const copyRegion = backupCopyRegion(props.config);
    const bucketArns = Object.entries(props.config.buckets)
      .filter(([, bucket]) => bucket.backup ?? bucket.versioned)
      .map(([name]) => this.buckets[name].arn);
    const db = this.database;
    const resources = {
      database: db ? { arn: db.backupResourceArn, cluster: db.cluster !== undefined } : undefined,
      tableArns: Object.values(this.tables).map((t) => t.arn),
      bucketArns,
    };
    if (!db && resources.tableArns.length + bucketArns.length === 0) return undefined;
    return new PlatformBackup(this, 'Backup', {
      naming: props.naming,
      accountId: props.accountId,
      kmsKeyArn: props.keys.data,
      resources,
      dailyRetentionDays: b.dailyRetentionDays,
      weeklyRetentionDays: b.weeklyRetentionDays,
      copyTo: copyRegion && props.drProvider ? { region: copyRegion, provider: props.drProvider } : undefined,
      restoreTesting: b.restoreTesting,
      restoreTestingTypes: [
        ...(this.database ? [this.database.engine === 'aurora-postgresql' ? 'Aurora' : 'RDS'] : []),
        ...(Object.keys(this.tables).length > 0 ? ['DynamoDB'] : []),
      ],
      includesBuckets: bucketArns.length > 0,
      vaultLock: b.vaultLock,
      copyToAccount: b.copyToAccount,
      adminPrincipalArns: props.adminPrincipalArns,
    });
  }
}

function pascal(slug: string): string {
  return slug
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

function envName(slug: string): string {
  return slug.toUpperCase().replace(/-/g, '_');
}

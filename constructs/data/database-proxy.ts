import { DbProxy } from '@cdktf/provider-aws/lib/db-proxy';
import { DbProxyDefaultTargetGroup } from '@cdktf/provider-aws/lib/db-proxy-default-target-group';
import { DbProxyEndpoint } from '@cdktf/provider-aws/lib/db-proxy-endpoint';
import { DbProxyTarget } from '@cdktf/provider-aws/lib/db-proxy-target';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { Fn, TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { escalationDenials } from '../core/contract-requests';
import { policyDocument, secretsReadStatements, serviceTrustPolicy, type PolicyStatement } from '../core/iam';
import { encryptedLogGroup } from '../core/log-group';
import type { Naming } from '../core/naming';
import { declareContract, serviceTrustRequests, type ContractRequest } from '../core/role-contract';
import { connect, OwnedSecurityGroup } from '../core/security-group';
import type { RelationalDatabase } from './relational-database';

/** The pool settings (`database.proxy`; defaults in the schema). */
export interface DatabaseProxySettings {
  readonly maxConnectionsPercent: number;
  readonly maxIdleConnectionsPercent: number;
  readonly idleClientTimeoutSeconds: number;
  readonly connectionBorrowTimeoutSeconds: number;
}

export interface DatabaseProxyProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly vpcId: string;
  /** The database's subnets (isolated, one per AZ). */
  readonly subnetIds: string[];
  readonly database: RelationalDatabase;
  /** The runtime users that sign in through the proxy: `app_<service>`, one secret each. */
  readonly users: readonly string[];
  readonly settings: DatabaseProxySettings;
  /** Encrypts the users' secrets (the environment's secrets key). */
  readonly secretsKmsKeyArn: string;
  readonly logKmsKeyArn: string;
  readonly logRetentionDays: number;
}

/**
 * RDS Proxy in front of a PostgreSQL database (seed 003's connection pooling; docs/architecture.md,
 * "Database proxy"). Clients sign in to the proxy with an IAM token only (`iam_auth = REQUIRED`,
 * `rds-db:connect` on the proxy's `prx-` resource) over TLS only (`require_tls`); the proxy signs in
 * to the database as each runtime user with that user's password, which only the user's secret
 * here holds (Terraform manages the secret, not its value: the platform bootstrap writes it and sets
 * the same password in the database, database-identities.ts). The proxy has no secret of the master
 * user: it never signs in as the master. Aurora's readers are reached through a read-only endpoint.
 */
export class DatabaseProxy extends Construct {
  readonly securityGroup: OwnedSecurityGroup;
  readonly port: number;
  readonly proxy: DbProxy;
  /** Read/write endpoint (the writer). */
  readonly endpoint: string;
  /** Read-only endpoint (Aurora with readers), else none. */
  readonly readerEndpoint?: string;
  /** The role the proxy reads the users' secrets with. */
  readonly role: IamRole;
  /** Each runtime user's secret (`{"username", "password"}`), by user. */
  readonly secrets: ReadonlyMap<string, SecretsmanagerSecret>;
  /** The resource id IAM authentication names (`prx-...`, from the proxy's ARN). */
  readonly resourceId: string;
  private readonly accountId: string;

  constructor(scope: Construct, id: string, props: DatabaseProxyProps) {
    super(scope, id);
    const { naming, database: db } = props;
    const name = naming.name('db-proxy');
    this.accountId = props.accountId;
    this.port = db.port;
    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name,
      description: `RDS Proxy on ${db.port}: from the services that use the database; to the database`,
    });
    connect(this.securityGroup, db.securityGroup, db.port, 'the proxy to the database', {
      clientEgress: true,
    });

    this.secrets = new Map(
      props.users.map((user) => [
        user,
        new SecretsmanagerSecret(this, `Secret-${user}`, {
          name: naming.name(`db-proxy-${user.replace(/_/g, '-')}`),
          description: `The proxy's sign-in as ${user} {"username", "password"}: written by the platform bootstrap, read by the proxy only`,
          kmsKeyId: props.secretsKmsKeyArn,
          recoveryWindowInDays: 7,
        }),
      ]),
    );
    const secretArns = [...this.secrets.values()].map((s) => s.arn);
    const region = naming.props.region;

    this.role = new IamRole(this, 'Role', {
      name,
      assumeRolePolicy: serviceTrustPolicy('rds.amazonaws.com', props.accountId),
    });
    const statements: PolicyStatement[] = secretsReadStatements({
      secrets: secretArns,
      key: props.secretsKmsKeyArn,
      region,
      sids: { read: 'ReadUserSecrets', decrypt: 'DecryptUserSecrets' },
    });
    new IamRolePolicy(this, 'Policy', {
      role: this.role.id,
      name: 'read-user-secrets',
      policy: policyDocument(statements),
    });
    this.declareRoleContract(props, secretArns);

    // RDS Proxy writes its logs here (debug logging stays off: it would log statements).
    const logGroup = encryptedLogGroup(this, 'LogGroup', `/aws/rds/proxy/${name}`, {
      retentionDays: props.logRetentionDays,
      kmsKeyArn: props.logKmsKeyArn,
    });
    this.proxy = new DbProxy(this, 'Proxy', {
      name,
      engineFamily: 'POSTGRESQL',
      requireTls: true,
      debugLogging: false,
      idleClientTimeout: props.settings.idleClientTimeoutSeconds,
      roleArn: this.role.arn,
      vpcSubnetIds: props.subnetIds,
      vpcSecurityGroupIds: [this.securityGroup.id],
      auth: props.users.map((user) => ({
        authScheme: 'SECRETS',
        iamAuth: 'REQUIRED',
        clientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
        secretArn: this.secrets.get(user)!.arn,
        description: user,
      })),
      dependsOn: [logGroup],
    });
    new DbProxyDefaultTargetGroup(this, 'TargetGroup', {
      dbProxyName: this.proxy.name,
      connectionPoolConfig: {
        maxConnectionsPercent: props.settings.maxConnectionsPercent,
        maxIdleConnectionsPercent: props.settings.maxIdleConnectionsPercent,
        connectionBorrowTimeout: props.settings.connectionBorrowTimeoutSeconds,
      },
    });
    new DbProxyTarget(this, 'Target', {
      dbProxyName: this.proxy.name,
      targetGroupName: 'default',
      ...(db.cluster
        ? { dbClusterIdentifier: db.cluster.clusterIdentifier }
        : { dbInstanceIdentifier: db.instance!.identifier }),
    });
    this.endpoint = this.proxy.endpoint;
    if (db.cluster && db.clusterInstances.length > 1) {
      const readers = new DbProxyEndpoint(this, 'ReaderEndpoint', {
        dbProxyName: this.proxy.name,
        dbProxyEndpointName: `${name}-ro`,
        targetRole: 'READ_ONLY',
        vpcSubnetIds: props.subnetIds,
        vpcSecurityGroupIds: [this.securityGroup.id],
      });
      this.readerEndpoint = readers.endpoint;
    }
    // arn:aws:rds:<region>:<account>:db-proxy:prx-<id>. A local, so the policies that name it hold
    // a plain reference (`${local...}`), not an expression with quotes inside the policy's JSON.
    this.resourceId = new TerraformLocal(
      this,
      'ResourceId',
      Fn.element(Fn.split(':', this.proxy.arn), 6),
    ).asString;
  }

  /** `rds-db:connect` resource of `user` through the proxy. */
  dbUserArn(region: string, user: string): string {
    return `arn:aws:rds-db:${region}:${this.accountId}:dbuser:${this.resourceId}/${user}`;
  }

  /** The grant of a service that signs in to the proxy as `user` (its own runtime user). */
  connectStatement(region: string, user: string): PolicyStatement {
    return {
      Sid: 'DatabaseProxyConnectAsOwnUser',
      Effect: 'Allow',
      Action: 'rds-db:connect',
      Resource: this.dbUserArn(region, user),
    };
  }

  /** The IAM auth token the service's driver asks for, as `user`, for the proxy. */
  connectRequests(region: string, user: string): ContractRequest[] {
    return [
      {
        action: 'rds-db:connect',
        resource: this.dbUserArn(region, user),
        because: `RDS IAM auth token for the proxy (@aws-sdk/rds-signer Signer.getAuthToken, hostname the proxy endpoint) for ${user}`,
      },
    ];
  }

  /** What no service does through the proxy: sign in as another service's user. */
  denials(region: string, others: readonly string[]): ContractRequest[] {
    return others.map((user) => ({
      action: 'rds-db:connect',
      resource: this.dbUserArn(region, user),
      because: `${user} is another service's user, also through the proxy`,
    }));
  }

  /** The proxy reads its users' secrets, nothing else: not the master secret, and it writes none. */
  private declareRoleContract(props: DatabaseProxyProps, secretArns: string[]): void {
    const { naming, accountId } = props;
    const region = naming.props.region;
    const because = 'RDS Proxy signs in to the database as the user of this secret (auth.secret_arn)';
    declareContract(this.role, {
      purpose: "RDS Proxy reads the runtime users' secrets it signs in to the database with",
      allow: [
        ...secretArns.map((resource) => ({ action: 'secretsmanager:GetSecretValue', resource, because })),
        {
          action: 'kms:Decrypt',
          resource: props.secretsKmsKeyArn,
          context: {
            'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
            'kms:CallerAccount': accountId,
          },
          because: 'Secrets Manager decrypts the secrets with the secrets key',
        },
      ],
      deny: [
        {
          action: 'secretsmanager:GetSecretValue',
          resource: props.database.masterSecretArn,
          because: 'the proxy never signs in as the master user',
        },
        ...secretArns.map((resource) => ({
          action: 'secretsmanager:PutSecretValue',
          resource,
          because: 'the bootstrap writes the passwords; the proxy only reads them',
        })),
        {
          action: 'kms:Decrypt',
          resource: props.secretsKmsKeyArn,
          context: { 'kms:CallerAccount': accountId },
          because: 'decrypting outside Secrets Manager (raw ciphertext)',
        },
        {
          action: 'rds-db:connect',
          resource: `arn:aws:rds-db:${region}:${accountId}:dbuser:*/${props.database.masterUsername}`,
          because: 'the proxy role signs no one in by IAM',
        },
        ...escalationDenials(naming),
      ],
      trust: serviceTrustRequests('rds.amazonaws.com', accountId, 'this environment’s RDS Proxy (role_arn)', [
        { principal: 'ecs-tasks.amazonaws.com', because: 'no task assumes the proxy role' },
        { principal: 'lambda.amazonaws.com', because: 'no function assumes the proxy role' },
      ]),
    });
  }
}

import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import {
  MASTER_SECRET_SIDS,
  policyDocument,
  type PolicyStatement,
  secretsReadStatements,
  serviceTrustPolicy,
} from '../core/iam';
import { encryptedLogGroup, type LogSettings } from '../core/log-group';
import {
  proxyCredentialEnvironment,
  proxyCredentialRequests,
  proxyCredentialScript,
  proxyCredentialStatements,
  psqlPasswordArguments,
} from '../core/proxy-credentials';
import { AWS_CLI_IMAGE } from '../../environments/rules';
import type { DatabaseBootstrap } from '../core/service-bindings';
import type { Naming } from '../core/naming';
import { environmentTag, otherEnvironment } from '../core/contract-requests';
import {
  declareContract,
  serviceTrustRequests,
  type ContractRequest,
  type RoleContract,
} from '../core/role-contract';
import { connect, OwnedSecurityGroup } from '../core/security-group';
import type { RelationalDatabase } from './relational-database';

/** The task volume the proxy passwords pass through, and where both containers mount it. */
const PROXY_VOLUME = 'proxy-credentials';
const PROXY_DIR = '/proxy';

/** The bootstrap of `db`: its SQL (database-identities.ts) and the client image that runs it. */
export function databaseBootstrap(
  db: RelationalDatabase,
  sql: string,
  image: string,
  proxyUsers: DatabaseBootstrap['proxyUsers'] = [],
): DatabaseBootstrap {
  return {
    proxyUsers,
    peer: {
      securityGroup: db.securityGroup,
      port: db.port,
      description: 'the database bootstrap to the database',
    },
    masterSecretArn: db.masterSecretArn,
    engine: db.engine,
    endpoint: db.endpoint,
    port: db.port,
    databaseName: db.databaseName,
    sql,
    image,
  };
}

export interface DbMigrateTaskProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
  /** Where it runs: the services' private subnets (image pull through NAT, the database beside). */
  readonly subnetIds: string[];
  readonly database: RelationalDatabase;
  /** What it runs: the bootstrap SQL and the SQL client image, by digest (databaseBootstrap). */
  readonly bootstrap: DatabaseBootstrap;
  readonly logs: LogSettings;
  /** The key of the master secret. */
  readonly secretsKmsKeyArn: string;
}

/**
 * The platform's database bootstrap on ECS (docs/runbooks.md, "Create the service database
 * identities"), the task family `<prefix>-db-migrate`: the only task that holds the master credential
 * (its execution role reads the master secret; ECS injects it), it runs the generated SQL giving each
 * service its schema, migration user and runtime user (database-identities.ts), with the SQL client
 * image pinned by digest. Started by the infrastructure repository's `db-migrate.yml` from main
 * (`aws ecs run-task` with the output `db_migrate_task`); application migrations never run in it
 * (each service has its own migration task, compute/service-migration-task.ts). Its own security
 * group is admitted to the database.
 */
export class DbMigrateTask extends Construct {
  readonly family: string;
  readonly securityGroup: OwnedSecurityGroup;
  readonly logGroup: CloudwatchLogGroup;
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
  readonly taskDefinition: EcsTaskDefinition;
  readonly sql: string;
  readonly subnetIds: string[];

  constructor(scope: Construct, id: string, props: DbMigrateTaskProps) {
    super(scope, id);
    const { naming, database: db } = props;
    this.family = naming.name('db-migrate');
    this.subnetIds = props.subnetIds;
    this.sql = props.bootstrap.sql;
    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: this.family,
      description: 'Database migration task: out to the database and HTTPS (image pull, logs)',
    });
    this.securityGroup.allowToCidrs(['0.0.0.0/0'], 443, 'HTTPS to AWS APIs and the image registry');
    connect(this.securityGroup, db.securityGroup, db.port, 'db-migrate to the database', {
      clientEgress: true,
    });
    this.logGroup = encryptedLogGroup(this, 'LogGroup', naming.path('ecs', 'db-migrate'), props.logs);
    const trust = serviceTrustPolicy('ecs-tasks.amazonaws.com', props.accountId);
    this.executionRole = new IamRole(this, 'ExecutionRole', {
      name: naming.name('db-migrate-execution'),
      assumeRolePolicy: trust,
    });
    new IamRolePolicy(this, 'ExecutionPolicy', {
      role: this.executionRole.id,
      name: 'start-task',
      policy: policyDocument(this.executionStatements(props)),
    });
    declareContract(this.executionRole, this.executionContract(props));
    // The SQL client calls no AWS API: the task role has a policy only to fill the proxy secrets.
    this.taskRole = new IamRole(this, 'TaskRole', {
      name: naming.name('db-migrate-task'),
      assumeRolePolicy: trust,
    });
    const proxyUsers = props.bootstrap.proxyUsers;
    if (proxyUsers.length > 0)
      new IamRolePolicy(this, 'TaskPolicy', {
        role: this.taskRole.id,
        name: 'fill-proxy-secrets',
        policy: policyDocument(proxyCredentialStatements(proxyUsers, props.secretsKmsKeyArn, props.region)),
      });
    declareContract(this.taskRole, this.taskContract(props));
    this.taskDefinition = new EcsTaskDefinition(this, 'TaskDefinition', {
      family: this.family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      containerDefinitions: JSON.stringify([
        ...(proxyUsers.length > 0 ? [this.credentialContainer(props)] : []),
        this.container(props),
      ]),
      // Where the credential step leaves the proxy passwords for the client (task storage, gone with the task).
      ...(proxyUsers.length > 0 ? { volume: [{ name: PROXY_VOLUME }] } : {}),
    });
  }

  /** The AWS CLI step filling the proxy secrets (core/proxy-credentials.ts), before the client. */
  private credentialContainer(props: DbMigrateTaskProps): unknown {
    const users = props.bootstrap.proxyUsers;
    return {
      name: 'proxy-credentials',
      image: AWS_CLI_IMAGE,
      essential: false,
      readonlyRootFilesystem: true,
      entryPoint: ['sh', '-c'],
      command: [proxyCredentialScript(users, PROXY_DIR)],
      environment: proxyCredentialEnvironment(users, props.region),
      mountPoints: [{ sourceVolume: PROXY_VOLUME, containerPath: PROXY_DIR }],
      logConfiguration: this.logConfiguration(props, 'proxy-credentials'),
    };
  }

  private logConfiguration(props: DbMigrateTaskProps, prefix: string): unknown {
    return {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': this.logGroup.name,
        'awslogs-region': props.region,
        'awslogs-stream-prefix': prefix,
      },
    };
  }

  /** The client container: the SQL in `APP_USERS_SQL`, the master credential injected by ECS. */
  private container(props: DbMigrateTaskProps): unknown {
    const db = props.database;
    const secret = (name: string, key: string) => ({ name, valueFrom: `${db.masterSecretArn}:${key}::` });
    const mysql = db.engine === 'mysql';
    const users = props.bootstrap.proxyUsers;
    const client = mysql
      ? 'mysql --ssl-mode=REQUIRED -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USERNAME" "$DB_NAME"'
      : `PGUSER="$DB_USERNAME" psql "host=$DB_HOST port=$DB_PORT dbname=$DB_NAME sslmode=require" -v ON_ERROR_STOP=1${psqlPasswordArguments(users, PROXY_DIR)} -f -`;
    return {
      ...(users.length > 0
        ? {
            dependsOn: [{ containerName: 'proxy-credentials', condition: 'SUCCESS' }],
            mountPoints: [{ sourceVolume: PROXY_VOLUME, containerPath: PROXY_DIR, readOnly: true }],
          }
        : {}),
      name: 'db-migrate',
      image: props.bootstrap.image,
      essential: true,
      readonlyRootFilesystem: true,
      entryPoint: ['sh', '-c'],
      command: [`printf '%s\\n' "$APP_USERS_SQL" | ${client}`],
      environment: [
        { name: 'APP_USERS_SQL', value: this.sql },
        { name: 'DB_HOST', value: db.endpoint },
        { name: 'DB_NAME', value: db.databaseName },
        { name: 'DB_PORT', value: String(db.port) },
      ],
      secrets: [secret('DB_USERNAME', 'username'), secret(mysql ? 'MYSQL_PWD' : 'PGPASSWORD', 'password')],
      logConfiguration: this.logConfiguration(props, 'db-migrate'),
    };
  }

  /**
   * The execution role's contract: what the ECS agent calls to start the task (Amazon ECS developer
   * guide, "Amazon ECS task execution IAM role": awslogs, secrets injection, private image pulls).
   */
  private executionContract(props: DbMigrateTaskProps): RoleContract {
    const { region, accountId } = props;
    const agent = 'ECS agent (Fargate) starting the task';
    const allow: ContractRequest[] = [
      ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
        action,
        resource: `${this.logGroup.arn}:log-stream:db-migrate/db-migrate/0123456789abcdef`,
        because: `${agent}: awslogs log driver (logConfiguration)`,
      })),
      {
        action: 'secretsmanager:GetSecretValue',
        resource: props.database.masterSecretArn,
        because: `${agent}: injects DB_USERNAME and the password (container secrets valueFrom)`,
      },
      {
        action: 'kms:Decrypt',
        resource: props.secretsKmsKeyArn,
        context: {
          'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
          'kms:CallerAccount': accountId,
        },
        because: `${agent}: Secrets Manager decrypts the master secret with the secrets key`,
      },
    ];
    return {
      purpose:
        'Starts the database bootstrap task: its logs and the master secret injected by ECS (public client image)',
      allow,
      deny: [
        {
          action: 'secretsmanager:GetSecretValue',
          resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:${props.naming.prefix}-app-AbCdEf`,
          because: 'any other secret of the environment',
        },
        {
          action: 'logs:PutLogEvents',
          resource: `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/other:log-stream:x`,
          because: 'writes only its own log group',
        },
        {
          action: 'kms:Decrypt',
          resource: props.secretsKmsKeyArn,
          context: { 'kms:CallerAccount': accountId },
          because: 'decrypting outside Secrets Manager (raw ciphertext)',
        },
        ...migrateDenies(props),
      ],
      trust: ecsTasksTrust(accountId),
    };
  }

  /** The task role's contract: the SQL client calls no AWS API; the credential step fills the proxy secrets. */
  private taskContract(props: DbMigrateTaskProps): RoleContract {
    const users = props.bootstrap.proxyUsers;
    return {
      purpose:
        users.length > 0
          ? "The database bootstrap task itself: fills the proxy users' secrets; the SQL client calls no AWS API (the credential is injected)"
          : 'The database bootstrap task itself: the SQL client calls no AWS API (the credential is injected)',
      allow: proxyCredentialRequests(users, props.secretsKmsKeyArn, props.region, props.accountId),
      deny: [
        {
          action: 'secretsmanager:GetSecretValue',
          resource: props.database.masterSecretArn,
          because:
            'the master secret reaches the container through ECS injection, never through the task role',
        },
        {
          action: 'rds-db:connect',
          resource: `arn:aws:rds-db:${props.region}:${props.accountId}:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY0/app_backend`,
          because: "a service's own database user",
        },
        ...migrateDenies(props),
      ],
      trust: ecsTasksTrust(props.accountId),
    };
  }

  /** Logs, and the master secret (decrypted through Secrets Manager only). */
  private executionStatements(props: DbMigrateTaskProps): PolicyStatement[] {
    return [
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${this.logGroup.arn}:*`,
      },
      ...secretsReadStatements({
        secrets: props.database.masterSecretArn,
        key: props.secretsKmsKeyArn,
        region: props.region,
        sids: MASTER_SECRET_SIDS,
      }),
    ];
  }
}

/** What neither migration role may do: escalate, or reach another environment. */
function migrateDenies(props: DbMigrateTaskProps): ContractRequest[] {
  const { region, accountId, naming } = props;
  const role = (name: string) => `arn:aws:iam::${accountId}:role/${name}`;
  const other = otherEnvironment(naming);
  return [
    {
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:${other.name('app')}-AbCdEf`,
      context: environmentTag(other),
      because: "another environment's secret",
    },
    {
      action: 'iam:CreateRole',
      resource: role(`${naming.prefix}-escalate`),
      because: 'escalation: creates no role',
    },
    {
      action: 'iam:PassRole',
      resource: role(`${naming.prefix}-db-migrate-execution`),
      context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      because: 'escalation: passes no role (runs no task of its own)',
    },
    {
      action: 'ecs:RunTask',
      resource: `arn:aws:ecs:${region}:${accountId}:task-definition/${naming.name('db-migrate')}:1`,
      because: 'starting the migration task is the pipeline migrate role’s, not the task’s',
    },
    {
      action: 'sts:AssumeRole',
      resource: role(`${naming.prefix}-github-apply`),
      because: "the pipeline's apply role",
    },
  ];
}

/** ECS tasks of this account assume the migration roles; nothing else does. */
function ecsTasksTrust(accountId: string): RoleContract['trust'] {
  return serviceTrustRequests(
    'ecs-tasks.amazonaws.com',
    accountId,
    'the migration task definition (execution_role_arn, task_role_arn) in this account',
    [
      { principal: 'pods.eks.amazonaws.com', because: 'no pod assumes an ECS role' },
      { principal: 'ec2.amazonaws.com', because: 'no instance assumes an ECS role' },
    ],
  );
}

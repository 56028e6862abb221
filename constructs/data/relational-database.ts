import type { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import type { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../core/log-group';
import { serviceTrustPolicy, type PolicyStatement } from '../core/iam';
import { escalationDenials } from '../core/contract-requests';
import { type ContractRequest, declareContract, serviceTrustRequests } from '../core/role-contract';
import type { Naming } from '../core/naming';
import { OwnedSecurityGroup } from '../core/security-group';

import { ENGINE_PORTS, type DatabaseEngine } from '../../environments/rules';
import { createAuroraCluster } from './aurora';
import { type DatabaseContext, LOG_EXPORTS } from './database-common';
import { MasterCredential } from './master-credential';
import { createRdsInstance } from './rds-instance';

export { RDS_CA } from './database-common';

export type { DatabaseEngine };

export interface RelationalDatabaseProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly vpcId: string;
  /** Isolated subnets, one per AZ. */
  readonly subnetIds: string[];
  readonly availabilityZones: readonly string[];
  readonly engine: DatabaseEngine;
  readonly engineVersion: string;
  readonly instanceClass: string;
  /** Encrypts storage, Performance Insights and snapshots. */
  readonly dataKmsKeyArn: string;
  /** Encrypts the master secret. */
  readonly secretsKmsKeyArn: string;
  /** Raised to write a new master password (master-credential.ts; default in the schema). */
  readonly masterPasswordVersion: number;
  readonly logKmsKeyArn: string;
  readonly logRetentionDays: number;
  readonly backupRetentionDays: number;
  /** UTC, hh:mm-hh:mm. */
  readonly backupWindow: string;
  /** UTC, ddd:hh:mm-ddd:hh:mm. */
  readonly maintenanceWindow: string;
  readonly deletionProtection: boolean;
  readonly skipFinalSnapshot: boolean;
  // postgres / mysql
  readonly allocatedStorageGb?: number;
  /** Storage autoscaling ceiling. Default: no autoscaling. */
  readonly maxAllocatedStorageGb?: number;
  readonly multiAz?: boolean;
  /** Read replicas for reporting (seed 000). Default: 0. */
  readonly readReplicas?: number;
  // aurora-postgresql
  /** Writer + readers, spread across AZs. Default: 1. */
  readonly instances?: number;
  readonly serverlessV2?: { readonly minCapacity: number; readonly maxCapacity: number };
  /** Name of the initial database. Default: app. */
  readonly databaseName?: string;
  /** Master user name (its password: master-credential.ts). Default: dbadmin. */
  readonly masterUsername?: string;
}

/** Parameter group family for an engine and version: postgres16, mysql8.0, aurora-postgresql16. */
export function parameterFamily(engine: DatabaseEngine, version: string): string {
  if (engine === 'mysql') return `mysql${version.split('.').slice(0, 2).join('.')}`;
  return `${engine}${version.split('.')[0]}`;
}

/** Performance Insights is not offered on the micro and small burstable classes. */
export function supportsPerformanceInsights(engine: DatabaseEngine, instanceClass: string): boolean {
  return engine === 'aurora-postgresql' || !/\.(micro|small)$/.test(instanceClass);
}

/**
 * The relational database (seeds 000-004): PostgreSQL or MySQL as an RDS instance (with read
 * replicas), or an Aurora PostgreSQL cluster (instances or Serverless v2), in the isolated subnets.
 * Encrypted with the data key; the master password comes in write-only (master-credential.ts:
 * nothing in code, config, plan or state) and is kept in the platform's master secret; TLS forced by the parameter group; IAM authentication; backups, final snapshot,
 * deletion protection from config; enhanced monitoring, Performance Insights where offered, log
 * exports to KMS-encrypted log groups with retention. Owns its security group: the stack admits the
 * services that use it and the bastion.
 */
export class RelationalDatabase extends Construct {
  readonly securityGroup: OwnedSecurityGroup;
  readonly port: number;
  readonly engine: DatabaseEngine;
  /** Writer hostname. */
  readonly endpoint: string;
  /** Reader hostname (Aurora reader endpoint, or the first read replica). */
  readonly readerEndpoint?: string;
  /** ARN of the master secret (JSON with `username` and `password`): the bootstrap's only. */
  readonly masterSecretArn: string;
  readonly masterCredential: MasterCredential;
  /**
   * The resource ids IAM database authentication names (`rds-db:connect` on
   * `dbuser:<id>/<user>`): the cluster's, or the instance's and each replica's.
   */
  readonly connectResourceIds: string[];
  /** ARN AWS Backup protects: the instance or the cluster. */
  readonly backupResourceArn: string;
  readonly databaseName: string;
  readonly instance?: DbInstance;
  readonly replicas: DbInstance[];
  readonly cluster?: RdsCluster;
  readonly clusterInstances: RdsClusterInstance[];
  /** The master user (as the instance or cluster names it): no service connects as it. */
  readonly masterUsername: string;
  private readonly accountId: string;

  constructor(scope: Construct, id: string, props: RelationalDatabaseProps) {
    super(scope, id);
    const { naming } = props;
    this.accountId = props.accountId;
    const identifier = naming.name('db');
    this.engine = props.engine;
    this.port = ENGINE_PORTS[props.engine];
    this.databaseName = props.databaseName ?? 'app';
    const family = parameterFamily(props.engine, props.engineVersion);

    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: naming.name('db'),
      description: `${props.engine} on ${this.port}: only from the services that use it and the bastion`,
    });
    const subnetGroup = new DbSubnetGroup(this, 'SubnetGroup', {
      name: naming.name('db'),
      subnetIds: props.subnetIds,
      description: 'Isolated subnets',
    });

    const monitoringRole = new IamRole(this, 'MonitoringRole', {
      name: naming.name('rds-monitoring'),
      assumeRolePolicy: serviceTrustPolicy('monitoring.rds.amazonaws.com', props.accountId),
    });
    // Exception (docs/architecture.md, IAM): the AWS managed policy enhanced monitoring documents; it writes only to
    // the RDSOSMetrics log group.
    new IamRolePolicyAttachment(this, 'MonitoringPolicy', {
      role: monitoringRole.name,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
    });
    declareMonitoringContract(monitoringRole, props, identifier);

    const aurora = props.engine === 'aurora-postgresql';
    this.masterCredential = new MasterCredential(this, 'MasterCredential', {
      naming,
      username: props.masterUsername ?? 'dbadmin',
      version: props.masterPasswordVersion,
      secretsKmsKeyArn: props.secretsKmsKeyArn,
    });
    this.masterSecretArn = this.masterCredential.secretArn;
    const logGroups = LOG_EXPORTS[props.engine].map((log) =>
      encryptedLogGroup(
        this,
        `LogGroup-${log}`,
        `/aws/rds/${aurora ? 'cluster' : 'instance'}/${identifier}/${log}`,
        { retentionDays: props.logRetentionDays, kmsKeyArn: props.logKmsKeyArn },
      ),
    );
    const ctx: DatabaseContext = {
      props,
      identifier,
      family,
      port: this.port,
      databaseName: this.databaseName,
      securityGroupId: this.securityGroup.id,
      subnetGroupName: subnetGroup.name,
      monitoringRoleArn: monitoringRole.arn,
      performanceInsights: supportsPerformanceInsights(props.engine, props.instanceClass),
      logGroups,
      masterPassword: { value: this.masterCredential.password, version: this.masterCredential.version },
    };

    // Both builders create their resources in this construct's scope: addresses stay as they were.
    if (aurora) {
      const { cluster, instances } = createAuroraCluster(this, ctx);
      this.cluster = cluster;
      this.clusterInstances = instances;
      this.replicas = [];
      this.endpoint = cluster.endpoint;
      this.readerEndpoint = cluster.readerEndpoint;
      this.connectResourceIds = [cluster.clusterResourceId];
      this.backupResourceArn = cluster.arn;
      this.masterUsername = cluster.masterUsernameInput!;
      return;
    }
    const { instance, replicas } = createRdsInstance(this, ctx);
    this.instance = instance;
    this.replicas = replicas;
    this.clusterInstances = [];
    this.endpoint = instance.address;
    this.readerEndpoint = replicas[0]?.address;
    this.connectResourceIds = [instance.resourceId, ...replicas.map((r) => r.resourceId)];
    this.backupResourceArn = instance.arn;
    this.masterUsername = instance.usernameInput!;
  }

  /** `rds-db:connect` resources of `user`: the writer's and every reader's (IAM database authentication). */
  dbUserArns(region: string, user: string): string[] {
    return this.connectResourceIds.map(
      (id) => `arn:aws:rds-db:${region}:${this.accountId}:dbuser:${id}/${user}`,
    );
  }

  /** The grant of a service that connects as `user`, its own (app-users.ts), never the master. */
  connectStatement(region: string, user: string): PolicyStatement {
    return {
      Sid: 'DatabaseConnectAsOwnUser',
      Effect: 'Allow',
      Action: 'rds-db:connect',
      Resource: this.dbUserArns(region, user),
    };
  }

  /** The IAM auth token the service's driver asks for, as `user`, on the writer and each reader. */
  connectRequests(region: string, user: string): ContractRequest[] {
    return this.dbUserArns(region, user).map((resource) => ({
      action: 'rds-db:connect',
      resource,
      because: `RDS IAM auth token (@aws-sdk/rds-signer Signer.getAuthToken) for ${user}`,
    }));
  }

  /**
   * What no service does: connect as the master user or as `others` (other services' users), read
   * the master secret.
   */
  denials(region: string, others: readonly string[]): ContractRequest[] {
    const as = (user: string, because: string) =>
      this.dbUserArns(region, user).map((resource) => ({ action: 'rds-db:connect', resource, because }));
    return [
      ...as(this.masterUsername, 'the master user is the platform bootstrap’s and break-glass only'),
      ...others.flatMap((user) => as(user, `${user} is another service's database user`)),
      {
        action: 'secretsmanager:GetSecretValue',
        resource: this.masterSecretArn,
        because: 'the master secret: the platform bootstrap only',
      },
    ];
  }
}

/** Enhanced monitoring: RDS writes the instances' OS metrics to the `RDSOSMetrics` log group. */
function declareMonitoringContract(role: IamRole, props: RelationalDatabaseProps, identifier: string): void {
  const { naming, accountId } = props;
  const region = naming.props.region;
  const logs = `arn:aws:logs:${region}:${accountId}:log-group`;
  const aurora = props.engine === 'aurora-postgresql';
  const exported = `/aws/rds/${aurora ? 'cluster' : 'instance'}/${identifier}/${LOG_EXPORTS[props.engine][0]}`;
  const because =
    'RDS user guide, "Setting up and enabling Enhanced Monitoring": RDS publishes OS metrics to RDSOSMetrics';
  const on = (resource: string) => (action: string) => ({ action, resource, because });
  declareContract(role, {
    purpose: "RDS enhanced monitoring publishes the database instances' OS metrics to CloudWatch Logs",
    managed: [
      {
        name: 'AmazonRDSEnhancedMonitoringRole',
        version: 'v1',
        reason: 'the policy the RDS user guide documents for enhanced monitoring (RDSOSMetrics only)',
      },
    ],
    allow: [
      ...['logs:CreateLogGroup', 'logs:PutRetentionPolicy'].map(on(`${logs}:RDSOSMetrics`)),
      ...['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'].map(
        on(`${logs}:RDSOSMetrics:log-stream:db-EXAMPLE`),
      ),
    ],
    deny: [
      {
        action: 'logs:PutLogEvents',
        resource: `${logs}:${exported}:log-stream:x`,
        because: "the database's exported logs are not this role's to write",
      },
      {
        action: 'logs:DeleteLogGroup',
        resource: `${logs}:RDSOSMetrics`,
        because: 'monitoring never deletes the metrics it writes',
      },
      {
        action: aurora ? 'rds:DeleteDBCluster' : 'rds:DeleteDBInstance',
        resource: `arn:aws:rds:${region}:${accountId}:${aurora ? 'cluster' : 'db'}:${identifier}`,
        because: 'monitoring changes no database',
      },
      ...escalationDenials(naming),
    ],
    trust: serviceTrustRequests(
      'monitoring.rds.amazonaws.com',
      accountId,
      'the instances (monitoring_role_arn) of this account',
      [{ principal: 'rds.amazonaws.com', because: 'RDS itself is not the monitoring principal' }],
    ),
  });
}

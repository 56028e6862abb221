import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../core/log-group';
import { serviceTrustPolicy } from '../core/iam';
import type { Naming } from '../core/naming';
import { OwnedSecurityGroup } from '../core/security-group';

import { ENGINE_PORTS, type DatabaseEngine } from '../../environments/rules';

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
  /** Encrypts the RDS-managed master secret. */
  readonly secretsKmsKeyArn: string;
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
  /** Master user name (its password lives in Secrets Manager, managed by RDS). Default: dbadmin. */
  readonly masterUsername?: string;
}

const LOG_EXPORTS: Record<DatabaseEngine, string[]> = {
  postgres: ['postgresql', 'upgrade'],
  mysql: ['audit', 'error', 'general', 'slowquery'],
  'aurora-postgresql': ['postgresql'],
};

/** The current RDS certificate authority (RSA 2048, valid to 2061). */
export const RDS_CA = 'rds-ca-rsa2048-g1';

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
 * Encrypted with the data key; the master password is managed by RDS in Secrets Manager (nothing in
 * code or config); TLS forced by the parameter group; IAM authentication; backups, final snapshot,
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
  /** ARN of the RDS-managed master secret (JSON with `username` and `password`). */
  readonly masterSecretArn: string;
  /** ARN AWS Backup protects: the instance or the cluster. */
  readonly backupResourceArn: string;
  readonly databaseName: string;
  readonly instance?: DbInstance;
  readonly replicas: DbInstance[] = [];
  readonly cluster?: RdsCluster;
  readonly clusterInstances: RdsClusterInstance[] = [];

  constructor(scope: Construct, id: string, props: RelationalDatabaseProps) {
    super(scope, id);
    const { naming } = props;
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

    const aurora = props.engine === 'aurora-postgresql';
    const logGroups = LOG_EXPORTS[props.engine].map((log) =>
      encryptedLogGroup(
        this,
        `LogGroup-${log}`,
        `/aws/rds/${aurora ? 'cluster' : 'instance'}/${identifier}/${log}`,
        { retentionDays: props.logRetentionDays, kmsKeyArn: props.logKmsKeyArn },
      ),
    );
    const common = {
      performanceInsights: supportsPerformanceInsights(props.engine, props.instanceClass),
      monitoringRoleArn: monitoringRole.arn,
    };

    if (aurora) {
      const parameters = new RdsClusterParameterGroup(this, 'ClusterParameters', {
        name: naming.name('db-cluster'),
        family,
        description: 'TLS only',
        parameter: [{ name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' }],
      });
      this.cluster = new RdsCluster(this, 'Cluster', {
        clusterIdentifier: identifier,
        engine: 'aurora-postgresql',
        engineMode: 'provisioned',
        engineVersion: props.engineVersion,
        databaseName: this.databaseName,
        masterUsername: props.masterUsername ?? 'dbadmin',
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: props.secretsKmsKeyArn,
        storageEncrypted: true,
        kmsKeyId: props.dataKmsKeyArn,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [this.securityGroup.id],
        dbClusterParameterGroupName: parameters.name,
        port: this.port,
        iamDatabaseAuthenticationEnabled: true,
        backupRetentionPeriod: props.backupRetentionDays,
        preferredBackupWindow: props.backupWindow,
        preferredMaintenanceWindow: props.maintenanceWindow,
        deletionProtection: props.deletionProtection,
        skipFinalSnapshot: props.skipFinalSnapshot,
        finalSnapshotIdentifier: props.skipFinalSnapshot ? undefined : `${identifier}-final`,
        copyTagsToSnapshot: true,
        enabledCloudwatchLogsExports: LOG_EXPORTS[props.engine],
        ...(props.serverlessV2 ? { serverlessv2ScalingConfiguration: { ...props.serverlessV2 } } : {}),
        dependsOn: logGroups,
      });
      const count = props.instances ?? 1;
      for (let i = 0; i < count; i++) {
        this.clusterInstances.push(
          new RdsClusterInstance(this, `Instance${i}`, {
            identifier: `${identifier}-${i + 1}`,
            clusterIdentifier: this.cluster.id,
            engine: 'aurora-postgresql',
            engineVersion: props.engineVersion,
            instanceClass: props.instanceClass,
            // Writer and readers in different AZs: a reader in another AZ is the failover target.
            availabilityZone: props.availabilityZones[i % props.availabilityZones.length],
            dbSubnetGroupName: subnetGroup.name,
            publiclyAccessible: false,
            autoMinorVersionUpgrade: true,
            caCertIdentifier: RDS_CA,
            monitoringInterval: 60,
            monitoringRoleArn: common.monitoringRoleArn,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: props.dataKmsKeyArn,
            performanceInsightsRetentionPeriod: 7,
            promotionTier: i,
            copyTagsToSnapshot: true,
          }),
        );
      }
      this.endpoint = this.cluster.endpoint;
      this.readerEndpoint = this.cluster.readerEndpoint;
      this.masterSecretArn = this.cluster.masterUserSecret.get(0).secretArn;
      this.backupResourceArn = this.cluster.arn;
      return;
    }

    const parameters = new DbParameterGroup(this, 'Parameters', {
      name: naming.name('db'),
      family,
      description: 'TLS only',
      parameter: [
        props.engine === 'mysql'
          ? { name: 'require_secure_transport', value: 'ON' }
          : { name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' },
      ],
      lifecycle: { createBeforeDestroy: true },
    });
    const instanceSettings = {
      instanceClass: props.instanceClass,
      storageEncrypted: true,
      kmsKeyId: props.dataKmsKeyArn,
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: parameters.name,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      caCertIdentifier: RDS_CA,
      monitoringInterval: 60,
      monitoringRoleArn: common.monitoringRoleArn,
      performanceInsightsEnabled: common.performanceInsights,
      ...(common.performanceInsights
        ? { performanceInsightsKmsKeyId: props.dataKmsKeyArn, performanceInsightsRetentionPeriod: 7 }
        : {}),
      iamDatabaseAuthenticationEnabled: true,
      enabledCloudwatchLogsExports: LOG_EXPORTS[props.engine],
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection,
    };
    this.instance = new DbInstance(this, 'Instance', {
      identifier,
      engine: props.engine,
      engineVersion: props.engineVersion,
      ...instanceSettings,
      dbName: this.databaseName,
      username: props.masterUsername ?? 'dbadmin',
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.secretsKmsKeyArn,
      port: this.port,
      allocatedStorage: props.allocatedStorageGb,
      maxAllocatedStorage: props.maxAllocatedStorageGb,
      storageType: 'gp3',
      dbSubnetGroupName: subnetGroup.name,
      multiAz: props.multiAz ?? false,
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: props.backupWindow,
      maintenanceWindow: props.maintenanceWindow,
      skipFinalSnapshot: props.skipFinalSnapshot,
      finalSnapshotIdentifier: props.skipFinalSnapshot ? undefined : `${identifier}-final`,
      deleteAutomatedBackups: false,
      allowMajorVersionUpgrade: false,
      applyImmediately: false,
      dependsOn: logGroups,
    });
    for (let i = 0; i < (props.readReplicas ?? 0); i++) {
      const replicaId = `${identifier}-replica-${i + 1}`;
      // Replica log groups (RDS would create them without retention or encryption).
      const replicaLogs = LOG_EXPORTS[props.engine].map((log) =>
        encryptedLogGroup(this, `Replica${i}LogGroup-${log}`, `/aws/rds/instance/${replicaId}/${log}`, {
          retentionDays: props.logRetentionDays,
          kmsKeyArn: props.logKmsKeyArn,
        }),
      );
      this.replicas.push(
        new DbInstance(this, `Replica${i}`, {
          identifier: replicaId,
          replicateSourceDb: this.instance.identifier,
          ...instanceSettings,
          maxAllocatedStorage: props.maxAllocatedStorageGb,
          storageType: 'gp3',
          multiAz: false,
          backupRetentionPeriod: 0,
          skipFinalSnapshot: true,
          // Readers are spread over the other AZs when there are any.
          availabilityZone: props.availabilityZones[(i + 1) % props.availabilityZones.length],
          dependsOn: replicaLogs,
        }),
      );
    }
    this.endpoint = this.instance.address;
    this.readerEndpoint = this.replicas[0]?.address;
    this.masterSecretArn = this.instance.masterUserSecret.get(0).secretArn;
    this.backupResourceArn = this.instance.arn;
  }
}

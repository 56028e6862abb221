import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import type { Construct } from 'constructs';
import { encryptedLogGroup } from '../core/log-group';
import { type DatabaseContext, LOG_EXPORTS, RDS_CA } from './database-common';

/**
 * A PostgreSQL or MySQL RDS instance with TLS forced by its parameter group, and its read replicas
 * (each with its own encrypted log groups), created in the RelationalDatabase's own scope (`scope`)
 * with their historical ids.
 */
export function createRdsInstance(
  scope: Construct,
  ctx: DatabaseContext,
): { instance: DbInstance; replicas: DbInstance[] } {
  const { props, identifier } = ctx;
  const { naming } = props;
  const parameters = new DbParameterGroup(scope, 'Parameters', {
    name: naming.name('db'),
    family: ctx.family,
    description: 'TLS only',
    parameter: [
      props.engine === 'mysql'
        ? { name: 'require_secure_transport', value: 'ON' }
        : { name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' },
    ],
    lifecycle: { createBeforeDestroy: true },
  });
  const settings = instanceSettings(ctx, parameters.name);
  const instance = new DbInstance(scope, 'Instance', {
    identifier,
    engine: props.engine,
    engineVersion: props.engineVersion,
    ...settings,
    dbName: ctx.databaseName,
    username: props.masterUsername ?? 'dbadmin',
    passwordWo: ctx.masterPassword.value,
    passwordWoVersion: ctx.masterPassword.version,
    port: ctx.port,
    allocatedStorage: props.allocatedStorageGb,
    maxAllocatedStorage: props.maxAllocatedStorageGb,
    storageType: 'gp3',
    dbSubnetGroupName: ctx.subnetGroupName,
    multiAz: props.multiAz ?? false,
    backupRetentionPeriod: props.backupRetentionDays,
    backupWindow: props.backupWindow,
    maintenanceWindow: props.maintenanceWindow,
    skipFinalSnapshot: props.skipFinalSnapshot,
    finalSnapshotIdentifier: props.skipFinalSnapshot ? undefined : `${identifier}-final`,
    deleteAutomatedBackups: false,
    allowMajorVersionUpgrade: false,
    applyImmediately: false,
    dependsOn: ctx.logGroups,
  });
  return { instance, replicas: createReadReplicas(scope, ctx, instance, settings) };
}

/** What the primary and its replicas share: class, encryption, TLS, monitoring, IAM auth. */
function instanceSettings(ctx: DatabaseContext, parameterGroupName: string) {
  const { props } = ctx;
  return {
    instanceClass: props.instanceClass,
    storageEncrypted: true,
    kmsKeyId: props.dataKmsKeyArn,
    vpcSecurityGroupIds: [ctx.securityGroupId],
    parameterGroupName,
    publiclyAccessible: false,
    autoMinorVersionUpgrade: true,
    caCertIdentifier: RDS_CA,
    monitoringInterval: 60,
    monitoringRoleArn: ctx.monitoringRoleArn,
    performanceInsightsEnabled: ctx.performanceInsights,
    ...(ctx.performanceInsights
      ? { performanceInsightsKmsKeyId: props.dataKmsKeyArn, performanceInsightsRetentionPeriod: 7 }
      : {}),
    iamDatabaseAuthenticationEnabled: true,
    enabledCloudwatchLogsExports: LOG_EXPORTS[props.engine],
    copyTagsToSnapshot: true,
    deletionProtection: props.deletionProtection,
  };
}

/** Read replicas for reporting, each with its own encrypted log groups. */
function createReadReplicas(
  scope: Construct,
  ctx: DatabaseContext,
  instance: DbInstance,
  settings: ReturnType<typeof instanceSettings>,
): DbInstance[] {
  const { props, identifier } = ctx;
  const replicas: DbInstance[] = [];
  for (let i = 0; i < (props.readReplicas ?? 0); i++) {
    const replicaId = `${identifier}-replica-${i + 1}`;
    // Replica log groups (RDS would create them without retention or encryption).
    const replicaLogs = LOG_EXPORTS[props.engine].map((log) =>
      encryptedLogGroup(scope, `Replica${i}LogGroup-${log}`, `/aws/rds/instance/${replicaId}/${log}`, {
        retentionDays: props.logRetentionDays,
        kmsKeyArn: props.logKmsKeyArn,
      }),
    );
    replicas.push(
      new DbInstance(scope, `Replica${i}`, {
        identifier: replicaId,
        replicateSourceDb: instance.identifier,
        ...settings,
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
  return replicas;
}

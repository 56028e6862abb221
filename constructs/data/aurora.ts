import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import type { Construct } from 'constructs';
import { type DatabaseContext, LOG_EXPORTS, RDS_CA } from './database-common';

/**
 * An Aurora PostgreSQL cluster (instances or Serverless v2) with TLS forced by its parameter group,
 * created in the RelationalDatabase's own scope (`scope`) with its historical ids.
 */
export function createAuroraCluster(
  scope: Construct,
  ctx: DatabaseContext,
): { cluster: RdsCluster; instances: RdsClusterInstance[] } {
  const { props, identifier } = ctx;
  const { naming } = props;
  const parameters = new RdsClusterParameterGroup(scope, 'ClusterParameters', {
    name: naming.name('db-cluster'),
    family: ctx.family,
    description: 'TLS only',
    parameter: [{ name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' }],
  });
  const cluster = new RdsCluster(scope, 'Cluster', {
    clusterIdentifier: identifier,
    engine: 'aurora-postgresql',
    engineMode: 'provisioned',
    engineVersion: props.engineVersion,
    databaseName: ctx.databaseName,
    masterUsername: props.masterUsername ?? 'dbadmin',
    masterPasswordWo: ctx.masterPassword.value,
    masterPasswordWoVersion: ctx.masterPassword.version,
    storageEncrypted: true,
    kmsKeyId: props.dataKmsKeyArn,
    dbSubnetGroupName: ctx.subnetGroupName,
    vpcSecurityGroupIds: [ctx.securityGroupId],
    dbClusterParameterGroupName: parameters.name,
    port: ctx.port,
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
    dependsOn: ctx.logGroups,
  });
  const instances: RdsClusterInstance[] = [];
  const count = props.instances ?? 1;
  for (let i = 0; i < count; i++) {
    instances.push(
      new RdsClusterInstance(scope, `Instance${i}`, {
        identifier: `${identifier}-${i + 1}`,
        clusterIdentifier: cluster.id,
        engine: 'aurora-postgresql',
        engineVersion: props.engineVersion,
        instanceClass: props.instanceClass,
        // Writer and readers in different AZs: a reader in another AZ is the failover target.
        availabilityZone: props.availabilityZones[i % props.availabilityZones.length],
        dbSubnetGroupName: ctx.subnetGroupName,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        caCertIdentifier: RDS_CA,
        monitoringInterval: 60,
        monitoringRoleArn: ctx.monitoringRoleArn,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: props.dataKmsKeyArn,
        performanceInsightsRetentionPeriod: 7,
        promotionTier: i,
        copyTagsToSnapshot: true,
      }),
    );
  }
  return { cluster, instances };
}

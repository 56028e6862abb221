/**
 * The data layer's copies in the recovery region (issue 28, docs/architecture.md "Environment data
 * copies"), each built only where `recoveryCopies` gives a store that copy and the stack passes the
 * recovery region's provider. The constructs are children of the data layer (`scope`): their
 * Terraform addresses are the layer's.
 */
import type { Construct } from 'constructs';
import { backupCopyRegion, copiedBy, CROSS_REGION_RPO_MINUTES } from '../../environments/schema';
import type { AppBucket } from './app-bucket';
import { AutomatedBackupsReplication } from './automated-backups-replication';
import { BucketReplication } from './bucket-replication';
import type { DataLayerProps } from './data-layer';
import type { AppTable } from './dynamodb-table';
import type { RelationalDatabase } from './relational-database';
import { TableReplication } from './table-replication';

/** The layer's stores the copies are made of. */
export interface CopiedStores {
  readonly database?: RelationalDatabase;
  readonly buckets: Readonly<Record<string, AppBucket>>;
  readonly tables: Readonly<Record<string, AppTable>>;
}

/**
 * Point-in-time recovery in the recovery region where the engine offers it: an RDS instance's
 * automated backups replicated there (Aurora clusters are copied by AWS Backup only).
 */
export function replicateAutomatedBackups(
  scope: Construct,
  props: DataLayerProps,
  stores: CopiedStores,
): AutomatedBackupsReplication | undefined {
  const region = backupCopyRegion(props.config);
  const db = stores.database;
  const settings = props.config.database;
  if (!region || !props.drProvider || !db?.instance || !settings) return undefined;
  return new AutomatedBackupsReplication(scope, 'BackupReplication', {
    naming: props.naming,
    accountId: props.accountId,
    region,
    provider: props.drProvider,
    sourceDbInstanceArn: db.instance.arn,
    retentionDays: settings.backupRetentionDays,
    adminPrincipalArns: props.adminPrincipalArns,
  });
}

/** S3 replication of every versioned data bucket to the recovery region (`backup-restore`). */
export function replicateBuckets(
  scope: Construct,
  props: DataLayerProps,
  stores: CopiedStores,
): BucketReplication | undefined {
  const region = backupCopyRegion(props.config);
  const buckets = Object.entries(props.config.buckets)
    .filter(([, b]) => b.versioned ?? true)
    .map(([name, b]) => ({
      name,
      bucket: stores.buckets[name],
      settings: { noncurrentVersionExpirationDays: b.noncurrentVersionExpirationDays, archive: b.archive },
      timeControl: copiedBy(props.config, ['buckets', name], 'bucketReplicationTimeControl'),
    }));
  if (!region || !props.drProvider || buckets.length === 0) return undefined;
  return new BucketReplication(scope, 'BucketReplication', {
    naming: props.naming,
    accountId: props.accountId,
    sourceRegion: props.region,
    sourceKeyArn: props.keys.data,
    region,
    provider: props.drProvider,
    buckets,
    adminPrincipalArns: props.adminPrincipalArns,
  });
}

/** A replica in the recovery region of every table whose RPO needs one (recoveryCopies). */
export function replicateTables(
  scope: Construct,
  props: DataLayerProps,
  stores: CopiedStores,
): TableReplication | undefined {
  const region = backupCopyRegion(props.config);
  const tables = Object.entries(stores.tables)
    .filter(([name]) => copiedBy(props.config, ['tables', name], 'tableReplica'))
    .map(([name, table]) => ({
      name,
      table,
      deletionProtection: props.config.tables[name].deletionProtection,
    }));
  if (!region || !props.drProvider || tables.length === 0) return undefined;
  return new TableReplication(scope, 'TableReplication', {
    naming: props.naming,
    accountId: props.accountId,
    region,
    provider: props.drProvider,
    tables,
    rpoMinutes: CROSS_REGION_RPO_MINUTES.tableReplica,
    adminPrincipalArns: props.adminPrincipalArns,
  });
}

import { DbInstanceAutomatedBackupsReplication } from '@cdktf/provider-aws/lib/db-instance-automated-backups-replication';
import { type TerraformProvider, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { denyKeyDestruction, EncryptionKey, useThroughService } from '../core/kms-key';
import type { Naming } from '../core/naming';

export interface AutomatedBackupsReplicationProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** The recovery region (`backupCopyRegion`) and its provider (alias `dr`). */
  readonly region: string;
  readonly provider: TerraformProvider;
  /** The RDS instance (never an Aurora cluster: those are copied by AWS Backup). */
  readonly sourceDbInstanceArn: string;
  /** Days the replicated automated backups are kept (the instance's own `backupRetentionDays`). */
  readonly retentionDays: number;
  /** The only principals that may schedule the key's deletion or disable it. */
  readonly adminPrincipalArns: readonly string[];
}

/**
 * Point-in-time recovery in the recovery region (issue 28): RDS replicates the instance's automated
 * backups (snapshots and transaction logs) there, encrypted with a key of its own in that region
 * (the data key is regional and never made multi-region; the DR vault uses AWS Backup's own key, so
 * there is no customer key there to reuse). Restore with `aws rds
 * restore-db-instance-to-point-in-time --source-db-instance-automated-backups-arn` in that region.
 */
export class AutomatedBackupsReplication extends Construct {
  readonly key: EncryptionKey;
  readonly replication: DbInstanceAutomatedBackupsReplication;

  constructor(scope: Construct, id: string, props: AutomatedBackupsReplicationProps) {
    super(scope, id);
    const { naming, accountId, region } = props;
    this.key = new EncryptionKey(this, 'Key', {
      alias: naming.alias('data-recovery'),
      description: `${naming.name()} replicated RDS automated backups in the recovery region`,
      accountId,
      statements: [
        useThroughService('UseThroughRds', accountId, 'rds', region),
        denyKeyDestruction(props.adminPrincipalArns),
      ],
    });
    this.replication = new DbInstanceAutomatedBackupsReplication(this, 'Replication', {
      sourceDbInstanceArn: props.sourceDbInstanceArn,
      kmsKeyId: this.key.arn,
      retentionPeriod: props.retentionDays,
    });
    for (const c of this.node.findAll()) {
      if (c instanceof TerraformResource) c.provider = props.provider;
    }
  }
}

import { DynamodbTableReplicaA } from '@cdktf/provider-aws/lib/dynamodb-table-replica';
import { type TerraformProvider, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { denyKeyDestruction, EncryptionKey, useThroughService } from '../core/kms-key';
import type { Naming } from '../core/naming';
import { declareTableReplicaMetrics } from '../core/table-replica-metrics';
import type { AppTable } from './dynamodb-table';

/** A replicated table: its config name, the table (built with `globalTable`), its deletion protection. */
export interface ReplicatedTable {
  readonly name: string;
  readonly table: AppTable;
  readonly deletionProtection: boolean;
}

export interface TableReplicationProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** The recovery region and its provider (alias `dr`). */
  readonly region: string;
  readonly provider: TerraformProvider;
  /** The tables `recoveryCopies` gives a replica (`tableReplica`). */
  readonly tables: readonly ReplicatedTable[];
  /** Above this average replication latency (minutes) a replica misses its RPO: the alarm's threshold. */
  readonly rpoMinutes: number;
  /** The only principals that may schedule the key's deletion or disable it. */
  readonly adminPrincipalArns: readonly string[];
}

/**
 * The tables' replicas in the recovery region (issue 28, docs/architecture.md "Environment data
 * copies"): each table becomes a global table (version 2019.11.21) with one replica there, under
 * point-in-time recovery and deletion protection like its source, encrypted with one new
 * single-region key of that region (`alias/<project>-<env>-tables-replica`: the data key stays
 * single-region). A replica is its own `aws_dynamodb_table_replica` in the recovery region's
 * provider, so the source table keeps its address and ignores its `replica` attribute. DynamoDB
 * replicates through its service-linked role (`AWSServiceRoleForDynamoDBReplication`), which uses the
 * keys through DynamoDB. Not run against AWS here.
 */
export class TableReplication extends Construct {
  readonly key: EncryptionKey;
  readonly replicas: Record<string, DynamodbTableReplicaA> = {};

  constructor(scope: Construct, id: string, props: TableReplicationProps) {
    super(scope, id);
    const { naming, accountId, region } = props;
    this.key = new EncryptionKey(this, 'Key', {
      alias: naming.alias('tables-replica'),
      description: `${naming.name()} replicas of the DynamoDB tables in the recovery region`,
      accountId,
      statements: [
        useThroughService('UseThroughDynamoDb', accountId, 'dynamodb', region),
        denyKeyDestruction(props.adminPrincipalArns),
      ],
    });
    for (const t of props.tables) {
      const replica = new DynamodbTableReplicaA(this, `Replica-${t.name}`, {
        globalTableArn: t.table.arn,
        kmsKeyArn: this.key.arn,
        pointInTimeRecovery: true,
        deletionProtectionEnabled: t.deletionProtection,
      });
      declareTableReplicaMetrics(replica, {
        subject: t.name,
        tableName: t.table.name,
        receivingRegion: region,
        thresholdMs: props.rpoMinutes * 60_000,
      });
      this.replicas[t.name] = replica;
    }
    for (const c of this.node.findAll()) {
      if (c instanceof TerraformResource) c.provider = props.provider;
    }
  }
}

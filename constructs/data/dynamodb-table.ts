import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';
import type { PolicyStatement } from '../core/iam';
import type { ContractRequest } from '../core/role-contract';

export interface AppTableProps {
  readonly tableName: string;
  readonly partitionKey: { readonly name: string; readonly type: 'S' | 'N' | 'B' };
  readonly sortKey?: { readonly name: string; readonly type: 'S' | 'N' | 'B' };
  /** Attribute with an epoch-seconds expiry. Default: no TTL. */
  readonly ttlAttribute?: string;
  readonly kmsKeyArn: string;
  /** Default: true. */
  readonly deletionProtection?: boolean;
  /** Stream view type. Default: no stream. */
  readonly stream?: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';
  /**
   * A global table (replicas are their own `aws_dynamodb_table_replica`, data/table-replication.ts):
   * streams NEW_AND_OLD_IMAGES, which DynamoDB replicates through, and leaves its `replica` attribute
   * to them. Default: false.
   */
  readonly globalTable?: boolean;
}

/**
 * Read and write items (no table administration), each with the @aws-sdk/client-dynamodb command
 * that needs it. No DescribeTable (no item command calls it) and no index ARNs (no table here has a
 * secondary index).
 */
const ITEM_COMMANDS: Readonly<Record<string, string>> = {
  'dynamodb:BatchGetItem': 'BatchGetItemCommand',
  'dynamodb:BatchWriteItem': 'BatchWriteItemCommand',
  'dynamodb:ConditionCheckItem': 'TransactWriteItemsCommand (ConditionCheck)',
  'dynamodb:DeleteItem': 'DeleteItemCommand',
  'dynamodb:GetItem': 'GetItemCommand',
  'dynamodb:PutItem': 'PutItemCommand',
  'dynamodb:Query': 'QueryCommand',
  'dynamodb:Scan': 'ScanCommand',
  'dynamodb:UpdateItem': 'UpdateItemCommand',
};

/** A DynamoDB table (seed 004): on demand, point-in-time recovery, KMS, deletion protection, TTL. */
export class AppTable extends Construct {
  readonly table: DynamodbTable;
  readonly arn: string;
  readonly name: string;
  private readonly tableName: string;

  constructor(scope: Construct, id: string, props: AppTableProps) {
    super(scope, id);
    this.tableName = props.tableName;
    if (props.globalTable && props.stream && props.stream !== 'NEW_AND_OLD_IMAGES')
      throw new Error(`${props.tableName}: a global table streams NEW_AND_OLD_IMAGES, not ${props.stream}`);
    const attributes = [props.partitionKey, ...(props.sortKey ? [props.sortKey] : [])];
    this.table = new DynamodbTable(this, 'Table', {
      name: props.tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: props.partitionKey.name,
      rangeKey: props.sortKey?.name,
      attribute: attributes.map((a) => ({ name: a.name, type: a.type })),
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
      deletionProtectionEnabled: props.deletionProtection ?? true,
      ...(props.ttlAttribute ? { ttl: { attributeName: props.ttlAttribute, enabled: true } } : {}),
      ...(props.stream || props.globalTable
        ? { streamEnabled: true, streamViewType: props.globalTable ? 'NEW_AND_OLD_IMAGES' : props.stream }
        : {}),
      ...(props.globalTable ? { lifecycle: { ignoreChanges: ['replica'] } } : {}),
    });
    this.arn = this.table.arn;
    this.name = this.table.name;
  }

  /** Item read/write on this table. */
  readWriteStatement(sid: string): PolicyStatement {
    return { Sid: sid, Effect: 'Allow', Action: Object.keys(ITEM_COMMANDS), Resource: this.arn };
  }

  /** What a client of `readWriteStatement` calls (@aws-sdk/client-dynamodb, or lib-dynamodb over it). */
  clientRequests(): ContractRequest[] {
    return Object.entries(ITEM_COMMANDS).map(([action, command]) => ({
      action,
      resource: this.arn,
      because: `@aws-sdk/client-dynamodb ${command} on ${this.tableName}`,
    }));
  }

  /** What a user of the table still never does: administer it. */
  userDenials(): ContractRequest[] {
    return ['dynamodb:DeleteTable', 'dynamodb:UpdateTable'].map((action) => ({
      action,
      resource: this.arn,
      because: 'items only, never the table',
    }));
  }

  /** What a workload that does not use the table never does on it: `why` names the workload. */
  outsiderDenials(why: string): ContractRequest[] {
    return ['dynamodb:GetItem', 'dynamodb:PutItem'].map((action) => ({
      action,
      resource: this.arn,
      because: why,
    }));
  }
}

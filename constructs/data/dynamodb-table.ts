import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';
import type { PolicyStatement } from '../core/iam';

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
}

/** Read and write items (no table administration). */
const READ_WRITE = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];

/** A DynamoDB table (seed 004): on demand, point-in-time recovery, KMS, deletion protection, TTL. */
export class AppTable extends Construct {
  readonly table: DynamodbTable;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: AppTableProps) {
    super(scope, id);
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
      ...(props.stream ? { streamEnabled: true, streamViewType: props.stream } : {}),
    });
    this.arn = this.table.arn;
    this.name = this.table.name;
  }

  /** Item read/write on this table and its indexes. */
  readWriteStatement(sid: string): PolicyStatement {
    return { Sid: sid, Effect: 'Allow', Action: READ_WRITE, Resource: [this.arn, `${this.arn}/index/*`] };
  }
}

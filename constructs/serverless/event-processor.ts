import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { Construct } from 'constructs';
import type { EventProcessorConfig } from '../../environments/schema';
import { environmentTag, otherEnvironment } from '../core/contract-requests';
import { EncryptedQueue } from '../core/encrypted-queue';
import type { PolicyStatement } from '../core/iam';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { NodeFunction, type FunctionContract } from '../core/node-function';

/** A table with a stream, as the data layer's tables expose it. */
export interface StreamSource {
  readonly arn: string;
  readonly streamArn: string;
}

export interface EventProcessorProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly config: EventProcessorConfig;
  readonly logs: LogSettings;
  readonly dataKmsKeyArn: string;
  /** The table named by `config.table` (its stream is the source). */
  readonly table?: StreamSource;
}

/**
 * Seed 004's event processor, consuming one source with partial batch failure reporting (only the
 * failed records are retried) and a KMS-encrypted dead-letter queue:
 * - `queue`: a queue the construct creates; a message received `maxReceiveCount` times moves to the
 *   dead-letter queue (redrive);
 * - `table`: a table's DynamoDB stream; a batch that still fails after `maxReceiveCount` retries
 *   (bisected to the failing record) is recorded in the dead-letter queue (on-failure destination).
 * The role may read only that source and send only to that dead-letter queue.
 */
export class EventProcessor extends Construct {
  readonly fn: NodeFunction;
  readonly queue?: EncryptedQueue;
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: EventProcessorProps) {
    super(scope, id);
    const { naming, config } = props;
    const sourceName = config.queue ?? `${config.table}-stream`;
    this.deadLetterQueue = new EncryptedQueue(this, 'DeadLetters', {
      naming,
      name: `${sourceName}-dlq`,
      kmsKeyArn: props.dataKmsKeyArn,
    });
    const dlq = this.deadLetterQueue.queue;
    if (config.queue) {
      this.queue = new EncryptedQueue(this, 'Queue', {
        naming,
        name: config.queue,
        kmsKeyArn: props.dataKmsKeyArn,
        visibilityTimeoutSeconds: config.timeoutSeconds * 6,
        redrive: { deadLetter: dlq, maxReceiveCount: config.maxReceiveCount },
      });
    } else if (!props.table) {
      throw new Error(`event processor: table ${config.table} was not given`);
    }
    const region = naming.props.region;
    const viaKey = (service: string, actions: string[], sid: string): PolicyStatement => ({
      Sid: sid,
      Effect: 'Allow',
      Action: actions,
      Resource: props.dataKmsKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
    });
    // What Lambda's poller calls with the function's role (Lambda developer guide, "Execution role
    // permissions" of SQS and of DynamoDB Streams); the handler itself calls nothing.
    const statements: PolicyStatement[] = this.queue
      ? [
          {
            Sid: 'ConsumeQueue',
            Effect: 'Allow',
            Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
            Resource: this.queue.queue.arn,
          },
          viaKey('sqs', ['kms:Decrypt'], 'QueueKey'),
        ]
      : [
          {
            Sid: 'ReadStream',
            Effect: 'Allow',
            Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
            Resource: props.table!.streamArn,
          },
          { Sid: 'FailedBatches', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: dlq.arn },
          viaKey('sqs', ['kms:GenerateDataKey', 'kms:Decrypt'], 'FailedBatchesKey'),
        ];
    this.fn = new NodeFunction(this, 'Function', {
      naming,
      accountId: props.accountId,
      name: `${sourceName}-processor`,
      handler: 'event-processor',
      description: `Processes ${naming.name(sourceName)} in batches (partial batch failures)`,
      logs: props.logs,
      reservedConcurrency: config.reservedConcurrency,
      timeoutSeconds: config.timeoutSeconds,
      statements,
      contract: this.contract(props, sourceName),
    });
    new LambdaEventSourceMapping(this, 'Source', {
      eventSourceArn: this.queue ? this.queue.queue.arn : props.table!.streamArn,
      functionName: this.fn.function.arn,
      batchSize: config.batchSize,
      maximumBatchingWindowInSeconds: config.batchWindowSeconds,
      functionResponseTypes: ['ReportBatchItemFailures'],
      ...(this.queue
        ? // Below reserved concurrency, so the poller is never throttled into the dead-letter queue.
          { scalingConfig: { maximumConcurrency: Math.max(2, config.reservedConcurrency) } }
        : {
            startingPosition: 'LATEST',
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: config.maxReceiveCount,
            destinationConfig: { onFailure: { destinationArn: dlq.arn } },
          }),
    });
  }

  /** The poller's requests on the source (and, for a stream, the dead-letter queue); what it never does. */
  private contract(props: EventProcessorProps, sourceName: string): FunctionContract {
    const region = props.naming.props.region;
    const other = otherEnvironment(props.naming);
    const dlq = this.deadLetterQueue.queue.arn;
    const req = (action: string, resource: string, because: string, context?: Record<string, string>) => ({
      action,
      resource,
      because,
      ...(context ? { context } : {}),
    });
    const viaSqs = { 'kms:ViaService': `sqs.${region}.amazonaws.com` };
    const neverReads = req(
      'sqs:ReceiveMessage',
      dlq,
      'the dead letters are for operators to inspect and redrive',
    );
    const queue = this.queue?.queue.arn;
    if (queue) {
      const poller = 'Lambda SQS event source mapping polls with the function role (Lambda developer guide)';
      return {
        purpose: `Processes ${props.naming.name(sourceName)} in batches (SQS event source mapping)`,
        allow: [
          ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((a) =>
            req(a, queue, poller),
          ),
          req('kms:Decrypt', props.dataKmsKeyArn, `${poller}: the queue is SSE-KMS`, viaSqs),
        ],
        deny: [
          neverReads,
          req('sqs:SendMessage', queue, 'it consumes the queue, never feeds it'),
          req('sqs:PurgeQueue', queue, 'it deletes the messages it processed, never the queue'),
          req(
            'sqs:ReceiveMessage',
            `arn:aws:sqs:${region}:${props.accountId}:${other.name(sourceName)}`,
            "another environment's queue",
            environmentTag(other),
          ),
        ],
      };
    }
    const table = props.table!;
    const poller =
      'Lambda DynamoDB Streams event source mapping polls with the function role (Lambda developer guide)';
    const onFailure = 'Lambda on-failure destination: sends the failed batch record with the function role';
    return {
      purpose: `Processes ${props.naming.name(sourceName)} in batches (DynamoDB Streams event source mapping)`,
      allow: [
        ...['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((a) =>
          req(a, table.streamArn, poller),
        ),
        req('sqs:SendMessage', dlq, onFailure),
        req('kms:GenerateDataKey', props.dataKmsKeyArn, `${onFailure} (SSE-KMS queue)`, viaSqs),
        req('kms:Decrypt', props.dataKmsKeyArn, `${onFailure} (SSE-KMS queue)`, viaSqs),
      ],
      deny: [
        neverReads,
        req('dynamodb:GetItem', table.arn, "it reads the table's stream, never the table"),
        req('dynamodb:PutItem', table.arn, "it reads the table's stream, never the table"),
      ],
    };
  }
}

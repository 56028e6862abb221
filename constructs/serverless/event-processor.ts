import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { Construct } from 'constructs';
import type { EventProcessorConfig } from '../../environments/schema';
import type { PolicyStatement } from '../core/iam';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { EncryptedQueue } from './dead-letter-queue';
import { NodeFunction } from './node-function';

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
    const statements: PolicyStatement[] = this.queue
      ? [
          {
            Sid: 'ConsumeQueue',
            Effect: 'Allow',
            Action: [
              'sqs:ReceiveMessage',
              'sqs:DeleteMessage',
              'sqs:GetQueueAttributes',
              'sqs:ChangeMessageVisibility',
            ],
            Resource: this.queue.queue.arn,
          },
          viaKey('sqs', ['kms:Decrypt'], 'QueueKey'),
        ]
      : [
          {
            Sid: 'ReadStream',
            Effect: 'Allow',
            Action: [
              'dynamodb:DescribeStream',
              'dynamodb:GetRecords',
              'dynamodb:GetShardIterator',
              'dynamodb:ListStreams',
            ],
            Resource: props.table!.streamArn,
          },
          viaKey('dynamodb', ['kms:Decrypt'], 'StreamKey'),
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
}

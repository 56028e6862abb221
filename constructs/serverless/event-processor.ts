import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { Construct } from 'constructs';
import type { EventProcessorConfig } from '../../environments/schema';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { EncryptedQueue } from './dead-letter-queue';
import { NodeFunction } from './node-function';

export interface EventProcessorProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly config: EventProcessorConfig;
  readonly logs: LogSettings;
  readonly dataKmsKeyArn: string;
}

/**
 * Seed 004's event processor: the queue named in config (KMS-encrypted, with its dead-letter queue
 * after `maxReceiveCount` receives) and the Lambda consuming it in batches with partial batch failure
 * reporting (only failed records return). The role may only receive and delete from that queue.
 */
export class EventProcessor extends Construct {
  readonly fn: NodeFunction;
  readonly queue: EncryptedQueue;
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: EventProcessorProps) {
    super(scope, id);
    const { naming, config } = props;
    this.deadLetterQueue = new EncryptedQueue(this, 'DeadLetters', {
      naming,
      name: `${config.queue}-dlq`,
      kmsKeyArn: props.dataKmsKeyArn,
    });
    this.queue = new EncryptedQueue(this, 'Queue', {
      naming,
      name: config.queue,
      kmsKeyArn: props.dataKmsKeyArn,
      visibilityTimeoutSeconds: config.timeoutSeconds * 6,
      redrive: { deadLetter: this.deadLetterQueue.queue, maxReceiveCount: config.maxReceiveCount },
    });
    const queue = this.queue.queue;
    this.fn = new NodeFunction(this, 'Function', {
      naming,
      accountId: props.accountId,
      name: `${config.queue}-processor`,
      handler: 'event-processor',
      description: `Processes ${naming.name(config.queue)} in batches (partial batch failures)`,
      logs: props.logs,
      reservedConcurrency: config.reservedConcurrency,
      timeoutSeconds: config.timeoutSeconds,
      statements: [
        {
          Sid: 'ConsumeQueue',
          Effect: 'Allow',
          Action: [
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:ChangeMessageVisibility',
          ],
          Resource: queue.arn,
        },
        {
          Sid: 'QueueKey',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: props.dataKmsKeyArn,
          Condition: { StringEquals: { 'kms:ViaService': `sqs.${naming.props.region}.amazonaws.com` } },
        },
      ],
    });
    new LambdaEventSourceMapping(this, 'Source', {
      eventSourceArn: queue.arn,
      functionName: this.fn.function.arn,
      batchSize: config.batchSize,
      maximumBatchingWindowInSeconds: config.batchWindowSeconds,
      functionResponseTypes: ['ReportBatchItemFailures'],
      // Below reserved concurrency, so the poller never gets throttled into the dead-letter queue.
      scalingConfig: { maximumConcurrency: Math.max(2, config.reservedConcurrency) },
    });
  }
}

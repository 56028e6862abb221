/**
 * Serverless: `serverless` (Lambda functions beyond the identity trigger). Today one: the event
 * processor of seed 004, which consumes an SQS queue the layer creates under the configured name, or
 * the stream of a configured DynamoDB table.
 */
import { z } from './zod';
import { report } from './errors';
import { slug } from './primitives';

export const eventProcessorSchema = z
  .strictObject({
    /** The queue the processor consumes, `<project>-<env>-<queue>` (the layer creates it, KMS-encrypted). */
    queue: slug(40).optional(),
    /** Or: a table in `tables` whose stream (`tables.<name>.stream`) the processor consumes. */
    table: slug(32).optional(),
    /** Messages per invocation. Default: 10. */
    batchSize: z.number().int().min(1).max(10000).default(10),
    /** Seconds to gather a batch (needed above 10 messages). Default: 0. */
    batchWindowSeconds: z.number().int().min(0).max(300).default(0),
    /** Receives (queue) or retries (stream) before a record moves to the dead-letter queue. Default: 5. */
    maxReceiveCount: z.number().int().min(1).max(1000).default(5),
    /** Reserved concurrency. Default: 5. */
    reservedConcurrency: z.number().int().min(1).max(1000).default(5),
    /** Function timeout; the queue's visibility timeout is six times it (AWS's advice). Default: 30. */
    timeoutSeconds: z.number().int().min(1).max(900).default(30),
  })
  .superRefine((p, ctx) => {
    if ((p.queue === undefined) === (p.table === undefined))
      report(
        ctx,
        [],
        'needs exactly one source: queue (a queue the layer creates) or table (a table stream)',
      );
    if (p.batchSize > 10 && p.batchWindowSeconds === 0)
      report(ctx, ['batchWindowSeconds'], `at least 1 is required with batchSize ${p.batchSize} (above 10)`);
    if (p.timeoutSeconds * 6 > 43200)
      report(ctx, ['timeoutSeconds'], 'six times it (the visibility timeout) must stay within 12 hours');
  });

export const serverlessSchema = z.strictObject({
  /** Default: none. */
  eventProcessor: eventProcessorSchema.optional(),
});

export type ServerlessConfig = z.output<typeof serverlessSchema>;
export type EventProcessorConfig = z.output<typeof eventProcessorSchema>;

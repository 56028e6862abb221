import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { subjectOf, timing, type MonitorContext } from './monitor-context';

/** A queue is a dead-letter queue by the name its function gives it (`<source>-dlq`, `email-validation-dlq`). */
export const DEAD_LETTER_SUFFIX = '-dlq';
/** A working queue whose oldest message waits longer than this is stuck (its consumer fails or is throttled). */
const OLDEST_MESSAGE_SECONDS = 900;

/** A Lambda function: any error, any throttle (reserved concurrency reached: events wait or fail). */
export function monitorLambdaFunction(ctx: MonitorContext, fn: LambdaFunction): void {
  const subject = subjectOf(ctx, fn, fn.functionNameInput);
  const metric = (name: string) => ({
    namespace: 'AWS/Lambda',
    name,
    dimensions: { FunctionName: fn.functionName },
    stat: 'Sum',
  });
  const base = {
    ...timing(ctx),
    subject,
    row: 'serverless',
    comparison: 'GreaterThanThreshold' as const,
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching' as const,
  };
  ctx.alarms.add({ ...base, kind: 'lambda-errors', summary: 'Function errors', metrics: [metric('Errors')] });
  ctx.alarms.add({
    ...base,
    kind: 'lambda-throttles',
    summary: 'Function invocations throttled',
    metrics: [metric('Throttles')],
  });
}

/**
 * An SQS queue: a dead-letter queue alarms on any visible message (something failed for good and
 * waits for a redrive); a working queue alarms when its oldest message is older than 15 minutes.
 */
export function monitorQueue(ctx: MonitorContext, queue: SqsQueue): void {
  const name = queue.nameInput ?? '';
  const deadLetter = name.endsWith(DEAD_LETTER_SUFFIX);
  const metric = (metricName: string) => ({
    namespace: 'AWS/SQS',
    name: metricName,
    dimensions: { QueueName: queue.name },
    stat: 'Maximum',
  });
  ctx.alarms.add({
    ...timing(ctx),
    subject: subjectOf(ctx, queue, name),
    row: 'serverless',
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
    ...(deadLetter
      ? {
          kind: 'queue-dlq-depth',
          summary: 'Messages in the dead-letter queue',
          metrics: [metric('ApproximateNumberOfMessagesVisible')],
          threshold: 0,
        }
      : {
          kind: 'queue-oldest-message',
          summary: `Oldest message older than ${OLDEST_MESSAGE_SECONDS} s`,
          metrics: [metric('ApproximateAgeOfOldestMessage')],
          threshold: OLDEST_MESSAGE_SECONDS,
        }),
  });
}

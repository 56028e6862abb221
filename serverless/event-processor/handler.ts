/**
 * Seed 004's event processor: consumes an SQS queue in batches and reports partial batch failures
 * (`ReportBatchItemFailures`): only the records that failed return to the queue, and after the
 * queue's maxReceiveCount they move to its dead-letter queue. What a record means is the application's
 * (`process`); the default only validates that the body is JSON and logs it.
 */

export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

export interface BatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export type RecordProcessor = (payload: unknown, record: SqsRecord) => Promise<void>;

export function createHandler(
  process: RecordProcessor,
  log: (line: string) => void = console.log,
): (event: SqsEvent) => Promise<BatchResponse> {
  return async (event) => {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        await process(JSON.parse(record.body) as unknown, record);
      } catch (error) {
        failures.push({ itemIdentifier: record.messageId });
        log(
          JSON.stringify({
            level: 'ERROR',
            messageId: record.messageId,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
      }
    }
    log(JSON.stringify({ level: 'INFO', records: event.Records.length, failed: failures.length }));
    return { batchItemFailures: failures };
  };
}

/** The default processing: the record is accepted once its body parsed (the app replaces this). */
const logRecord: RecordProcessor = async (_payload, record) => {
  console.log(JSON.stringify({ level: 'INFO', processed: record.messageId }));
};

export const handler = createHandler(logRecord);

/**
 * Seed 004's event processor: consumes an SQS queue or a DynamoDB stream in batches and reports
 * partial batch failures (`ReportBatchItemFailures`): only the records that failed are retried, and
 * in the end they reach the dead-letter queue (the queue's redrive, or the stream mapping's
 * on-failure destination). What a record means is the application's (`process`); the default only
 * accepts a record whose payload parses and logs it.
 */

export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  readonly eventSource?: 'aws:sqs';
}

export interface StreamRecord {
  readonly eventID: string;
  readonly eventName?: string;
  readonly eventSource: 'aws:dynamodb';
  readonly dynamodb: { readonly SequenceNumber: string; readonly [key: string]: unknown };
}

export type EventRecord = SqsRecord | StreamRecord;

export interface BatchEvent {
  readonly Records: readonly EventRecord[];
}

export interface BatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export type RecordProcessor = (payload: unknown, record: EventRecord) => Promise<void>;

const isStream = (r: EventRecord): r is StreamRecord => r.eventSource === 'aws:dynamodb';

/** The identifier Lambda expects back for a failed record: message id, or stream sequence number. */
export function itemIdentifier(record: EventRecord): string {
  return isStream(record) ? record.dynamodb.SequenceNumber : record.messageId;
}

/** An SQS body is JSON; a stream record's payload is its change (keys, images, event name). */
function payloadOf(record: EventRecord): unknown {
  return isStream(record) ? { eventName: record.eventName, ...record.dynamodb } : JSON.parse(record.body);
}

export function createHandler(
  process: RecordProcessor,
  log: (line: string) => void = console.log,
): (event: BatchEvent) => Promise<BatchResponse> {
  return async (event) => {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        await process(payloadOf(record), record);
      } catch (error) {
        failures.push({ itemIdentifier: itemIdentifier(record) });
        log(
          JSON.stringify({
            level: 'ERROR',
            record: itemIdentifier(record),
            error: error instanceof Error ? error.message : String(error),
          }),
        );
        // A stream is ordered: records after the first failure are retried with it.
        if (isStream(record)) break;
      }
    }
    log(JSON.stringify({ level: 'INFO', records: event.Records.length, failed: failures.length }));
    return { batchItemFailures: failures };
  };
}

/** The default processing: the record is accepted once its payload parsed (the app replaces this). */
const logRecord: RecordProcessor = async (_payload, record) => {
  console.log(JSON.stringify({ level: 'INFO', processed: itemIdentifier(record) }));
};

export const handler = createHandler(logRecord);

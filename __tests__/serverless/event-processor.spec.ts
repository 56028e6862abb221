/** The event processor handler itself (serverless/event-processor): partial batch failures. */
import { createHandler } from '../../serverless/event-processor/handler';

const record = (messageId: string, body: string) => ({ messageId, body });

describe('event processor handler', () => {
  it('reports only the records that failed, so only they return to the queue', async () => {
    const processed: unknown[] = [];
    const handler = createHandler(
      async (payload: any) => {
        if (payload.fail) throw new Error('cannot process');
        processed.push(payload);
      },
      () => {},
    );
    const result = await handler({
      Records: [
        record('1', '{"n":1}'),
        record('2', '{"fail":true}'),
        record('3', 'not json'),
        record('4', '{"n":4}'),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '3' }] });
    expect(processed).toEqual([{ n: 1 }, { n: 4 }]);
  });

  it('returns no failures for a clean batch and logs its summary', async () => {
    const lines: string[] = [];
    const handler = createHandler(
      async () => {},
      (l) => lines.push(l),
    );
    expect(await handler({ Records: [record('1', '{}')] })).toEqual({ batchItemFailures: [] });
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ level: 'INFO', records: 1, failed: 0 });
  });

  it('reports the first failed stream record by sequence number and stops there (streams are ordered)', async () => {
    const seen: string[] = [];
    const handler = createHandler(
      async (payload: any) => {
        seen.push(payload.SequenceNumber);
        if (payload.NewImage?.bad) throw new Error('bad item');
      },
      () => {},
    );
    const change = (seq: string, bad = false) => ({
      eventID: `e${seq}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb' as const,
      dynamodb: { SequenceNumber: seq, NewImage: bad ? { bad: { BOOL: true } } : {} },
    });
    const result = await handler({ Records: [change('100'), change('200', true), change('300')] });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    expect(seen).toEqual(['100', '200']);
  });
});

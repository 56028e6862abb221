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
});

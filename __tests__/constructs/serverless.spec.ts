/** The serverless layer (event processor) on a bare stack, and its alarms in the platform. */
import { ServerlessLayer } from '../../constructs/serverless/serverless-layer';
import { bareStack, byPrefix, configOf, KEYS } from '../support/bare';
import { envInput, policy, synthPlatform, type Synthesized } from '../support/fixtures';
import { decide } from '../support/iam-eval';

const ACCOUNT = '111111111111';

function serverlessLayer(edit: (input: any) => void = () => {}): Synthesized {
  const bare = bareStack(configOf('dev', edit));
  new ServerlessLayer(bare.stack, 'Serverless', {
    naming: bare.naming,
    accountId: bare.config.accountId,
    config: bare.config,
    logs: bare.logs,
    dataKmsKeyArn: KEYS.data,
  });
  return bare.synth();
}

const out = serverlessLayer();

describe('event processor', () => {
  it('is absent without config', () => {
    const none = serverlessLayer((i) => delete i.serverless);
    expect(none.count('aws_lambda_function')).toBe(0);
    expect(none.count('aws_sqs_queue')).toBe(0);
  });

  it('consumes the configured queue with partial batch failure reporting', () => {
    const mapping = out.only('aws_lambda_event_source_mapping');
    expect(mapping.function_response_types).toEqual(['ReportBatchItemFailures']);
    expect(mapping.batch_size).toBe(10);
    expect(mapping.event_source_arn).toMatch(/aws_sqs_queue\.EventProcessor_Queue_\w+\.arn/);
    expect(mapping.function_name).toMatch(/aws_lambda_function\.EventProcessor_Function_\w+\.arn/);
  });

  it('moves a message received maxReceiveCount times to an encrypted dead-letter queue', () => {
    const queue = byPrefix(out, 'aws_sqs_queue', 'EventProcessor_Queue_')[0];
    const dlq = byPrefix(out, 'aws_sqs_queue', 'EventProcessor_DeadLetters_')[0];
    expect(queue.name).toBe('webplat-dev-events');
    expect(dlq.name).toBe('webplat-dev-events-dlq');
    for (const q of [queue, dlq]) expect(q.kms_master_key_id).toBe(KEYS.data);
    expect(JSON.parse(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: expect.stringMatching(/aws_sqs_queue\.EventProcessor_DeadLetters_Queue_\w+\.arn/),
      maxReceiveCount: 5,
    });
    // Six times the function timeout, so a batch in flight is not delivered twice.
    expect(queue.visibility_timeout_seconds).toBe(6 * 30);
  });

  it('runs with the platform posture: Node.js 22, 512 MB, active tracing, reserved concurrency', () => {
    const fn = out.only('aws_lambda_function');
    expect(fn).toMatchObject({
      runtime: 'nodejs22.x',
      memory_size: 512,
      tracing_config: { mode: 'Active' },
      reserved_concurrent_executions: 2,
      timeout: 30,
    });
    expect(fn.filename).toMatch(/\/event-processor-[0-9a-f]{32}\.zip$/);
  });

  it('may only consume its own queue (evaluated)', async () => {
    const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:webplat-dev-events`;
    const doc = byPrefix(out, 'aws_iam_role_policy', 'EventProcessor_')[0].policy.replace(
      /\$\{aws_sqs_queue\.EventProcessor_Queue_\w+\.arn\}/g,
      QUEUE,
    );
    const ask = (action: string, resource: string) =>
      decide({
        identity: [doc],
        action,
        resource,
        principalArn: `arn:aws:iam::${ACCOUNT}:role/webplat-dev-events-processor-fn`,
      });
    expect(await ask('sqs:ReceiveMessage', QUEUE)).toBe('Allowed');
    expect(await ask('sqs:DeleteMessage', QUEUE)).toBe('Allowed');
    expect(await ask('sqs:ReceiveMessage', `${QUEUE}-dlq`)).toBe('ImplicitlyDenied');
    expect(await ask('sqs:SendMessage', QUEUE)).toBe('ImplicitlyDenied');
    expect(policy(doc).Statement.map((s: any) => s.Sid)).toEqual([
      'OwnLogGroup',
      'XRayTraces',
      'ConsumeQueue',
      'QueueKey',
    ]);
  });
});

describe('event processor on a table stream', () => {
  const STREAM = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/webplat-dev-sessions/stream/2026-01-01T00:00:00.000`;
  const streamed = (() => {
    const bare = bareStack(
      configOf('dev', (i) => {
        i.tables.sessions.stream = 'NEW_AND_OLD_IMAGES';
        i.serverless = { eventProcessor: { table: 'sessions' } };
      }),
    );
    new ServerlessLayer(bare.stack, 'Serverless', {
      naming: bare.naming,
      accountId: bare.config.accountId,
      config: bare.config,
      logs: bare.logs,
      dataKmsKeyArn: KEYS.data,
      tables: { sessions: { table: { arn: 'arn:table', streamArn: STREAM } } },
    });
    return bare.synth();
  })();

  it('retries failed records (bisected), then records the batch in its encrypted dead-letter queue', () => {
    const mapping = streamed.only('aws_lambda_event_source_mapping');
    expect(mapping).toMatchObject({
      event_source_arn: STREAM,
      function_response_types: ['ReportBatchItemFailures'],
      starting_position: 'LATEST',
      bisect_batch_on_function_error: true,
      maximum_retry_attempts: 5,
    });
    expect(mapping.destination_config.on_failure.destination_arn).toMatch(
      /aws_sqs_queue\.EventProcessor_DeadLetters_/,
    );
    const queues = streamed.resources('aws_sqs_queue').map(([, q]) => q);
    expect(queues.map((q) => q.name)).toEqual(['webplat-dev-sessions-stream-dlq']);
    expect(queues[0].kms_master_key_id).toBe(KEYS.data);
  });

  it('may read only that stream and send only to its dead-letter queue (evaluated)', async () => {
    const DLQ = `arn:aws:sqs:us-east-1:${ACCOUNT}:webplat-dev-sessions-stream-dlq`;
    const doc = byPrefix(streamed, 'aws_iam_role_policy', 'EventProcessor_')[0].policy.replace(
      /\$\{aws_sqs_queue\.[^}]+\.arn\}/g,
      DLQ,
    );
    const ask = (action: string, resource: string) =>
      decide({
        identity: [doc],
        action,
        resource,
        principalArn: `arn:aws:iam::${ACCOUNT}:role/webplat-dev-sessions-stream-processor-fn`,
      });
    expect(await ask('dynamodb:GetRecords', STREAM)).toBe('Allowed');
    expect(await ask('dynamodb:GetRecords', STREAM.replace('sessions', 'other'))).toBe('ImplicitlyDenied');
    expect(
      await ask('dynamodb:GetItem', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/webplat-dev-sessions`),
    ).toBe('ImplicitlyDenied');
    expect(await ask('sqs:SendMessage', DLQ)).toBe('Allowed');
    expect(await ask('sqs:ReceiveMessage', DLQ)).toBe('ImplicitlyDenied');
  });
});

describe("the event processor's role contract", () => {
  const STREAM = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/webplat-dev-sessions/stream/2026-01-01T00:00:00.000`;
  /** The function role's policy and contract, from the raw JSON (its `//` comments kept). */
  const roleOf = (edit: (input: any) => void, table?: { arn: string; streamArn: string }) => {
    const bare = bareStack(configOf('dev', edit));
    new ServerlessLayer(bare.stack, 'Serverless', {
      naming: bare.naming,
      accountId: bare.config.accountId,
      config: bare.config,
      logs: bare.logs,
      dataKmsKeyArn: KEYS.data,
      ...(table ? { tables: { sessions: { table } } } : {}),
    });
    const res = (bare.stack.toTerraform() as any).resource;
    const [role] = Object.values<any>(res.aws_iam_role);
    const [grant] = Object.values<any>(res.aws_iam_role_policy);
    return { contract: role['//'].contract, granted: policy(grant.policy).Statement };
  };
  const queue = roleOf(() => {});
  const stream = roleOf(
    (i) => {
      i.tables.sessions.stream = 'NEW_AND_OLD_IMAGES';
      i.serverless = { eventProcessor: { table: 'sessions' } };
    },
    { arn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/webplat-dev-sessions`, streamArn: STREAM },
  );

  it.each([
    ['queue', queue],
    ['stream', stream],
  ])('%s: every granted action is a must-allow of the poller or the runtime', (_, { contract, granted }) => {
    const allowed = new Set(contract.allow.map((r: any) => r.action));
    const actions = granted.flatMap((s: any) => [s.Action].flat());
    expect(actions.filter((a: string) => !allowed.has(a))).toEqual([]);
    expect(
      contract.allow.filter((r: any) => /^(sqs|dynamodb):/.test(r.action)).map((r: any) => r.because),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^Lambda /)]));
  });

  it('grants what the pollers call only: no ChangeMessageVisibility, ListStreams or stream key', () => {
    const actions = (g: any[]) => g.flatMap((s: any) => [s.Action].flat());
    expect(actions(queue.granted)).not.toContain('sqs:ChangeMessageVisibility');
    expect(actions(stream.granted)).not.toContain('dynamodb:ListStreams');
    expect(stream.granted.map((s: any) => s.Sid)).not.toContain('StreamKey');
    expect(stream.contract.deny.map((r: any) => r.action)).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'sqs:ReceiveMessage']),
    );
  });
});

describe('serverless alarms in the monitoring pass', () => {
  const platform = synthPlatform(envInput('dev'));
  const alarms = platform.resources('aws_cloudwatch_metric_alarm').map(([, a]) => a);
  const named = (suffix: string) => alarms.filter((a) => a.alarm_name.endsWith(suffix));

  it('alarm on any error and any throttle of every function', () => {
    const functions = platform.count('aws_lambda_function');
    expect(functions).toBe(2);
    for (const [kind, metric] of [
      ['-lambda-errors', 'Errors'],
      ['-lambda-throttles', 'Throttles'],
    ]) {
      const set = named(kind);
      expect(set).toHaveLength(functions);
      for (const a of set) {
        expect(a).toMatchObject({ namespace: 'AWS/Lambda', metric_name: metric, threshold: 0 });
        expect(a.comparison_operator).toBe('GreaterThanThreshold');
      }
    }
  });

  it('alarm on any message visible in a dead-letter queue', () => {
    const dlqAlarms = named('-queue-dlq-depth');
    expect(dlqAlarms.map((a) => a.dimensions.QueueName).sort()).toEqual(
      platform
        .resources('aws_sqs_queue')
        .filter(([, q]) => q.name.endsWith('-dlq'))
        .map(([id]) => `\${aws_sqs_queue.${id}.name}`)
        .sort(),
    );
    for (const a of dlqAlarms) {
      expect(a).toMatchObject({
        namespace: 'AWS/SQS',
        metric_name: 'ApproximateNumberOfMessagesVisible',
        threshold: 0,
        comparison_operator: 'GreaterThanThreshold',
      });
    }
    expect(named('-queue-oldest-message')).toHaveLength(1);
  });
});

/** The post-confirmation handler itself (serverless/email-validation), with fake providers and queue. */
import {
  createHandler,
  depsFromEnvironment,
  type HandlerDeps,
  type PostConfirmationEvent,
} from '../../serverless/email-validation/handler';
import {
  LogObserver,
  MetricsObserver,
  ValidationEvents,
  type ValidationEvent,
} from '../../serverless/email-validation/observers';
import {
  LogProvider,
  SesProvider,
  selectProvider,
  type EmailProvider,
} from '../../serverless/email-validation/providers';
import { validateAddress } from '../../serverless/email-validation/validate';
import type { MailSender, QueueSender } from '../../serverless/common/aws-sdk';

const event = (email: string, triggerSource = 'PostConfirmation_ConfirmSignUp'): PostConfirmationEvent => ({
  version: '1',
  triggerSource,
  region: 'us-east-1',
  userPoolId: 'us-east-1_Abc',
  userName: 'user-1',
  request: { userAttributes: { email, sub: 'user-1' } },
  response: {},
});

function setup(provider: EmailProvider, queue?: Partial<QueueSender>) {
  const seen: ValidationEvent[] = [];
  const sent: { url: string; body: any; attributes?: Record<string, string> }[] = [];
  const deadLetters: QueueSender = {
    send:
      queue?.send ??
      (async (url, body, attributes) => void sent.push({ url, body: JSON.parse(body), attributes })),
  };
  const deps: HandlerDeps = {
    provider,
    deadLetters,
    deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/dlq',
    blockedDomains: ['mailinator.com'],
    events: new ValidationEvents().subscribe({ notify: (e) => void seen.push(e) }),
    subject: 'Welcome',
  };
  return { handler: createHandler(deps), seen, sent };
}

const delivering = (): EmailProvider & { mails: unknown[] } => {
  const mails: unknown[] = [];
  return { name: 'fake', mails, deliver: async (m) => void mails.push(m) };
};
const failing: EmailProvider = {
  name: 'fake',
  deliver: async () => {
    throw new Error('provider outage');
  },
};

describe('email validation handler', () => {
  it('validates the address and delivers the welcome mail, returning the event unchanged', async () => {
    const provider = delivering();
    const { handler, seen, sent } = setup(provider);
    const e = event('Ada@Example.org');
    await expect(handler(e)).resolves.toBe(e);
    expect(provider.mails).toEqual([expect.objectContaining({ to: 'Ada@Example.org', subject: 'Welcome' })]);
    expect(seen.map((s) => s.kind)).toEqual(['validated', 'delivered']);
    expect(sent).toEqual([]);
  });

  it('sends a failed delivery to the dead-letter queue and never fails the sign-up', async () => {
    const { handler, seen, sent } = setup(failing);
    const e = event('ada@example.org');
    await expect(handler(e)).resolves.toBe(e);
    expect(seen.map((s) => s.kind)).toEqual(['validated', 'delivery-failed', 'dead-lettered']);
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toMatch(/dlq$/);
    expect(sent[0].body).toMatchObject({
      userPoolId: 'us-east-1_Abc',
      userName: 'user-1',
      error: 'provider outage',
    });
  });

  it('still returns the event when the dead-letter queue is unreachable too', async () => {
    const { handler, seen } = setup(failing, {
      send: async () => {
        throw new Error('sqs down');
      },
    });
    const e = event('ada@example.org');
    await expect(handler(e)).resolves.toBe(e);
    expect(seen.map((s) => s.kind)).toEqual(['validated', 'delivery-failed', 'dead-letter-failed']);
  });

  it('reports a blocked or malformed address and sends nothing', async () => {
    const provider = delivering();
    const { handler, seen } = setup(provider);
    await handler(event('x@sub.mailinator.com'));
    await handler(event('not-an-address'));
    expect(provider.mails).toEqual([]);
    expect(seen).toEqual([
      expect.objectContaining({
        kind: 'rejected',
        domain: 'sub.mailinator.com',
        reason: 'domain mailinator.com is blocked',
      }),
      expect.objectContaining({ kind: 'rejected', reason: 'malformed address' }),
    ]);
  });

  it('ignores forgotten-password confirmations (not a new user)', async () => {
    const provider = delivering();
    const { handler, seen } = setup(provider);
    await handler(event('ada@example.org', 'PostConfirmation_ConfirmForgotPassword'));
    expect(provider.mails).toEqual([]);
    expect(seen).toEqual([]);
  });
});

describe('observers', () => {
  it('keep publishing to the others when one throws', () => {
    const seen: string[] = [];
    const events = new ValidationEvents()
      .subscribe({
        notify: () => {
          throw new Error('broken');
        },
      })
      .subscribe({ notify: (e) => void seen.push(e.kind) });
    events.publish({ kind: 'dead-lettered', userPoolId: 'p' });
    expect(seen).toEqual(['dead-lettered']);
  });

  it('log one JSON line per event with its level, without the address', () => {
    const lines: string[] = [];
    new LogObserver((l) => lines.push(l)).notify({
      kind: 'delivery-failed',
      userPoolId: 'p',
      provider: 'ses',
      error: 'boom',
    });
    expect(JSON.parse(lines[0])).toEqual({
      level: 'ERROR',
      kind: 'delivery-failed',
      userPoolId: 'p',
      provider: 'ses',
      error: 'boom',
    });
  });

  it('write Embedded Metric Format records named after the event', () => {
    const lines: string[] = [];
    new MetricsObserver(
      'fn',
      (l) => lines.push(l),
      () => 42,
    ).notify({ kind: 'delivery-failed', userPoolId: 'p', provider: 'ses', error: 'x' });
    const record = JSON.parse(lines[0]);
    expect(record._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'Platform/EmailValidation',
      Dimensions: [['FunctionName']],
      Metrics: [{ Name: 'DeliveryFailed', Unit: 'Count' }],
    });
    expect(record).toMatchObject({ FunctionName: 'fn', DeliveryFailed: 1, _aws: { Timestamp: 42 } });
  });
});

describe('providers (strategy)', () => {
  const ses: MailSender & { sent: unknown[] } = { sent: [], send: async (m) => void ses.sent.push(m) };

  it('selects SES with its sender, or the log provider', async () => {
    const p = selectProvider(
      { provider: 'ses', from: 'no-reply@example.com', replyTo: 'help@example.com' },
      () => ses,
    );
    expect(p).toBeInstanceOf(SesProvider);
    await p.deliver({ to: 'a@example.org', subject: 's', text: 't' });
    expect(ses.sent).toEqual([
      {
        from: 'no-reply@example.com',
        replyTo: 'help@example.com',
        to: 'a@example.org',
        subject: 's',
        text: 't',
      },
    ]);
    expect(selectProvider({ provider: 'log' }, () => ses)).toBeInstanceOf(LogProvider);
  });

  it('rejects an unknown provider or SES without a sender at cold start', () => {
    expect(() => selectProvider({ provider: 'smtp' }, () => ses)).toThrow(/unknown EMAIL_PROVIDER smtp/);
    expect(() => selectProvider({ provider: 'ses' }, () => ses)).toThrow(/needs EMAIL_FROM/);
  });

  it('are built from the environment the construct sets', () => {
    const queue: QueueSender = { send: async () => {} };
    const deps = depsFromEnvironment(
      { EMAIL_PROVIDER: 'log', DEAD_LETTER_QUEUE_URL: 'https://q', BLOCKED_DOMAINS: 'a.com,b.org' },
      { ses: () => ses, sqs: () => queue },
    );
    expect(deps.provider.name).toBe('log');
    expect(deps.blockedDomains).toEqual(['a.com', 'b.org']);
    expect(() =>
      depsFromEnvironment({ EMAIL_PROVIDER: 'log' }, { ses: () => ses, sqs: () => queue }),
    ).toThrow(/DEAD_LETTER_QUEUE_URL is not set/);
  });
});

describe('validateAddress', () => {
  it.each([
    ['ada@example.org', true],
    ['ada@EXAMPLE.org', true],
    ['ada@localhost', false],
    ['a b@example.org', false],
    ['@example.org', false],
  ])('%s -> %s', (address, valid) => {
    expect(validateAddress(address, []).valid).toBe(valid);
  });
});

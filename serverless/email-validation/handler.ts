/**
 * Cognito post-confirmation trigger (docs/architecture.md, "Identity and serverless"). Cognito
 * calls it synchronously and fails the confirmation if it throws, so it never throws: it validates the new
 * user's address, sends the welcome mail through the configured provider (strategy), reports every
 * step to its observers (logs, metrics), and a delivery that fails goes to the encrypted dead-letter
 * queue for a later retry. A provider outage never blocks a sign-up.
 */
import { sesMailSender, sqsQueueSender, type MailSender, type QueueSender } from '../common/aws-sdk';
import { LogObserver, MetricsObserver, ValidationEvents } from './observers';
import { selectProvider, type EmailProvider } from './providers';
import { validateAddress } from './validate';

/** The parts of Cognito's PostConfirmation event the handler reads (it returns the event unchanged). */
export interface PostConfirmationEvent {
  readonly triggerSource: string;
  readonly userPoolId: string;
  readonly userName: string;
  readonly request: { readonly userAttributes: Readonly<Record<string, string>> };
  readonly [key: string]: unknown;
}

export interface HandlerDeps {
  readonly provider: EmailProvider;
  readonly deadLetters: QueueSender;
  readonly deadLetterQueueUrl: string;
  readonly blockedDomains: readonly string[];
  readonly events: ValidationEvents;
  readonly subject: string;
}

/** The handler over its dependencies (tests pass fakes). */
export function createHandler(
  deps: HandlerDeps,
): (event: PostConfirmationEvent) => Promise<PostConfirmationEvent> {
  return async (event) => {
    // Forgotten-password confirmations are not new users.
    if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
    const pool = event.userPoolId;
    const address = event.request.userAttributes.email ?? '';
    const verdict = validateAddress(address, deps.blockedDomains);
    if (!verdict.valid) {
      deps.events.publish({
        kind: 'rejected',
        userPoolId: pool,
        domain: verdict.domain,
        reason: verdict.reason,
      });
      return event;
    }
    deps.events.publish({ kind: 'validated', userPoolId: pool, domain: verdict.domain });
    const mail = {
      to: address,
      subject: deps.subject,
      text: `Welcome! Your account ${address} is confirmed.`,
    };
    try {
      await deps.provider.deliver(mail);
      deps.events.publish({ kind: 'delivered', userPoolId: pool, provider: deps.provider.name });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.events.publish({
        kind: 'delivery-failed',
        userPoolId: pool,
        provider: deps.provider.name,
        error: message,
      });
      await deadLetter(deps, event, message);
    }
    return event;
  };
}

async function deadLetter(deps: HandlerDeps, event: PostConfirmationEvent, error: string): Promise<void> {
  const body = JSON.stringify({
    userPoolId: event.userPoolId,
    userName: event.userName,
    provider: deps.provider.name,
    error,
    failedAt: new Date().toISOString(),
  });
  try {
    await deps.deadLetters.send(deps.deadLetterQueueUrl, body, { provider: deps.provider.name });
    deps.events.publish({ kind: 'dead-lettered', userPoolId: event.userPoolId });
  } catch (e) {
    // Logged and counted (an alarm watches the function's errors metric via this event's metric).
    deps.events.publish({
      kind: 'dead-letter-failed',
      userPoolId: event.userPoolId,
      error: e instanceof Error ? e.message : String(e),
    });
  }
}

/** Dependencies from the function's environment (set by constructs/identity/email-validation.ts). */
export function depsFromEnvironment(
  env: NodeJS.ProcessEnv,
  clients: { ses: () => MailSender; sqs: () => QueueSender } = { ses: sesMailSender, sqs: sqsQueueSender },
): HandlerDeps {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME ?? 'email-validation';
  return {
    provider: selectProvider(
      { provider: required('EMAIL_PROVIDER'), from: env.EMAIL_FROM, replyTo: env.EMAIL_REPLY_TO },
      clients.ses,
    ),
    deadLetters: clients.sqs(),
    deadLetterQueueUrl: required('DEAD_LETTER_QUEUE_URL'),
    blockedDomains: (env.BLOCKED_DOMAINS ?? '').split(',').filter((d) => d.length > 0),
    events: new ValidationEvents().subscribe(new LogObserver()).subscribe(new MetricsObserver(functionName)),
    subject: env.WELCOME_SUBJECT ?? 'Welcome',
  };
}

let handlerInstance: ((event: PostConfirmationEvent) => Promise<PostConfirmationEvent>) | undefined;

/** The Lambda entry point: dependencies are built once per container (cold start). */
export async function handler(event: PostConfirmationEvent): Promise<PostConfirmationEvent> {
  handlerInstance ??= createHandler(depsFromEnvironment(process.env));
  return handlerInstance(event);
}

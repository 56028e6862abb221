/**
 * The AWS SDK v3 clients the handlers use, loaded from the Lambda runtime (Node.js 22 ships SDK v3):
 * the bundle stays a few KB, and the repository needs no SDK to build or test. Tests inject fakes
 * through the handlers' factories instead of loading these.
 */

/** `SendMessage` of SQS, the one call the handlers make to a queue. */
export interface QueueSender {
  send(queueUrl: string, body: string, attributes?: Record<string, string>): Promise<void>;
}

/** SES v2 `SendEmail` with a simple (subject + text) content. */
export interface MailSender {
  send(mail: { from: string; to: string; subject: string; text: string; replyTo?: string }): Promise<void>;
}

// The runtime's module, typed by what is used here only.
type Sdk = Record<string, new (input: object) => { send(command: object): Promise<unknown> }>;

function runtimeSdk(name: string): Sdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name) as Sdk;
}

export function sqsQueueSender(): QueueSender {
  const sdk = runtimeSdk('@aws-sdk/client-sqs');
  const client = new sdk.SQSClient({});
  return {
    async send(queueUrl, body, attributes = {}) {
      const MessageAttributes = Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      );
      await client.send(
        new sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes }),
      );
    },
  };
}

export function sesMailSender(): MailSender {
  const sdk = runtimeSdk('@aws-sdk/client-sesv2');
  const client = new sdk.SESv2Client({});
  return {
    async send(mail) {
      await client.send(
        new sdk.SendEmailCommand({
          FromEmailAddress: mail.from,
          Destination: { ToAddresses: [mail.to] },
          ReplyToAddresses: mail.replyTo ? [mail.replyTo] : undefined,
          Content: {
            Simple: {
              Subject: { Data: mail.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
            },
          },
        }),
      );
    },
  };
}

/**
 * E-mail providers (strategy pattern; docs/architecture.md, "Identity and serverless"): the
 * handler sends the welcome mail through whichever provider the environment configures
 * (`EMAIL_PROVIDER`), and a new provider is one class here.
 */
import type { MailSender } from '../common/aws-sdk';

export interface WelcomeMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface EmailProvider {
  /** A short name for logs and metrics. */
  readonly name: string;
  deliver(mail: WelcomeMail): Promise<void>;
}

/** Amazon SES (v2 SendEmail) from the pool's verified sender. */
export class SesProvider implements EmailProvider {
  readonly name = 'ses';
  constructor(
    private readonly sender: MailSender,
    private readonly from: string,
    private readonly replyTo?: string,
  ) {}

  async deliver(mail: WelcomeMail): Promise<void> {
    await this.sender.send({ from: this.from, replyTo: this.replyTo, ...mail });
  }
}

/** No mail: the delivery is only logged (environments without a verified sender). */
export class LogProvider implements EmailProvider {
  readonly name = 'log';
  constructor(private readonly log: (line: string) => void = console.log) {}

  async deliver(mail: WelcomeMail): Promise<void> {
    this.log(JSON.stringify({ message: 'welcome mail not sent (log provider)', to: mail.to }));
  }
}

export interface ProviderSettings {
  readonly provider: string;
  readonly from?: string;
  readonly replyTo?: string;
}

/** The strategy the settings name; an unknown name is a configuration error, raised at cold start. */
export function selectProvider(settings: ProviderSettings, ses: () => MailSender): EmailProvider {
  switch (settings.provider) {
    case 'ses':
      if (!settings.from) throw new Error('EMAIL_PROVIDER ses needs EMAIL_FROM');
      return new SesProvider(ses(), settings.from, settings.replyTo);
    case 'log':
      return new LogProvider();
    default:
      throw new Error(`unknown EMAIL_PROVIDER ${settings.provider} (ses | log)`);
  }
}

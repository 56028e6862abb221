import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { SesDomainDkim } from '@cdktf/provider-aws/lib/ses-domain-dkim';
import { SesDomainIdentity } from '@cdktf/provider-aws/lib/ses-domain-identity';
import { SesDomainIdentityVerification } from '@cdktf/provider-aws/lib/ses-domain-identity-verification';
import { SesDomainMailFrom } from '@cdktf/provider-aws/lib/ses-domain-mail-from';
import { Sesv2ConfigurationSet } from '@cdktf/provider-aws/lib/sesv2-configuration-set';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { senderDomainOf, type IdentityConfig } from '../../environments/schema';
import type { Naming } from '../core/naming';

type SesEmail = Extract<IdentityConfig['email'], { sender: 'ses' }>;

export interface SesSenderProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly email: SesEmail;
  /**
   * The environment's hosted zone (the edge layer's site domain): the created identity's
   * verification, DKIM and MAIL FROM records go there. Needed unless `email.sourceArn` is given.
   */
  readonly hostedZoneId?: string;
}

/** Easy DKIM publishes three keys. */
const DKIM_KEYS = 3;
/** SES's MAIL FROM MX host in a region. */
const feedbackHost = (region: string) => `feedback-smtp.${region}.amazonses.com`;

/**
 * The pool's SES sender (docs/architecture.md, "Identity"): a configuration set (reputation metrics,
 * bounces and complaints suppressed) and, unless config names an identity verified elsewhere
 * (`email.sourceArn`), the domain identity of the `from` address with its records in the
 * environment's zone: the verification TXT, Easy DKIM's three CNAMEs, and a MAIL FROM subdomain (MX
 * and SPF TXT), so mail passes SPF and DKIM aligned with the sender's domain. `identityArn` is the
 * verification's: the pool is updated to SES only once SES has verified the domain. A new SES
 * account is in the sandbox: docs/runbooks.md "SES: verification and production access".
 */
export class SesSender extends Construct {
  /** The identity Cognito sends through (waits for verification when the platform created it). */
  readonly identityArn: string;
  /** The same ARN as a literal (IAM policies and role contracts). */
  readonly identityArnLiteral: string;
  readonly configurationSet: Sesv2ConfigurationSet;
  readonly identity?: SesDomainIdentity;

  constructor(scope: Construct, id: string, props: SesSenderProps) {
    super(scope, id);
    const { naming, email } = props;
    const region = naming.props.region;
    this.configurationSet = new Sesv2ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: naming.name('auth-mail'),
      reputationOptions: { reputationMetricsEnabled: true },
      sendingOptions: { sendingEnabled: true },
      suppressionOptions: { suppressedReasons: email.suppressedReasons },
    });
    if (email.sourceArn) {
      this.identityArn = this.identityArnLiteral = email.sourceArn;
      return;
    }
    const zoneId = props.hostedZoneId;
    if (!zoneId)
      throw new Error(
        'SesSender: creating the SES domain identity needs the hosted zone (hostedZoneId) for its records',
      );
    const domain = senderDomainOf(email.from);
    this.identityArnLiteral = `arn:aws:ses:${region}:${props.accountId}:identity/${domain}`;
    const identity = (this.identity = new SesDomainIdentity(this, 'Identity', { domain }));
    const verificationRecord = new Route53Record(this, 'VerificationRecord', {
      zoneId,
      name: `_amazonses.${domain}`,
      type: 'TXT',
      ttl: 600,
      records: [identity.verificationToken],
    });
    const verification = new SesDomainIdentityVerification(this, 'Verification', {
      domain: identity.domain,
      dependsOn: [verificationRecord],
    });
    this.identityArn = verification.arn;
    const dkim = new SesDomainDkim(this, 'Dkim', { domain: identity.domain });
    for (let i = 0; i < DKIM_KEYS; i++) {
      const token = Fn.element(dkim.dkimTokens, i);
      new Route53Record(this, `DkimRecord${i}`, {
        zoneId,
        name: `${token}._domainkey.${domain}`,
        type: 'CNAME',
        ttl: 600,
        records: [`${token}.dkim.amazonses.com`],
      });
    }
    const mailFromDomain = `${email.mailFromSubdomain}.${domain}`;
    new SesDomainMailFrom(this, 'MailFrom', {
      domain: identity.domain,
      mailFromDomain,
      behaviorOnMxFailure: 'UseDefaultValue',
    });
    new Route53Record(this, 'MailFromMx', {
      zoneId,
      name: mailFromDomain,
      type: 'MX',
      ttl: 600,
      records: [`10 ${feedbackHost(region)}`],
    });
    new Route53Record(this, 'MailFromSpf', {
      zoneId,
      name: mailFromDomain,
      type: 'TXT',
      ttl: 600,
      records: ['v=spf1 include:amazonses.com ~all'],
    });
  }
}

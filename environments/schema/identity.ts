/**
 * Identity: `identity` (a Cognito user pool with its hosted-UI domain, the SPA's app client, optional
 * Google and Facebook sign-in, an identity pool, and the e-mail validation trigger). Optional: an
 * environment without the section has no sign-in resources.
 */
import { z } from './zod';
import { report } from './errors';
import { emailSchema, slug } from './primitives';

/** Cognito's custom attribute names: `custom:` is added by Cognito. */
const attributeName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,19}$/,
    'must be lower case letters, digits or _ (at most 20), starting with a letter',
  );

const customAttributeSchema = z.strictObject({
  type: z.enum(['String', 'Number']),
  /** Users (or the app) may change it after sign-up. Default: true. */
  mutable: z.boolean().default(true),
  /** String length / number value bounds. Default: Cognito's (0 .. 2048 characters). */
  min: z.number().int().min(0).optional(),
  max: z.number().int().min(1).optional(),
});

/** Cognito's standard attributes a user pool may require at sign-up (the OIDC claims). */
export const STANDARD_ATTRIBUTES = [
  'email',
  'name',
  'given_name',
  'family_name',
  'phone_number',
  'birthdate',
  'locale',
  'zoneinfo',
] as const;

/**
 * `https://...`, or `http://localhost[:port]/...` for local development: an authorization code sent
 * to a plain-http host can be read on the way.
 */
const redirectUrlSchema = z.url({ error: 'must be a URL' }).superRefine((url, ctx) => {
  const parsed = new URL(url);
  const local = parsed.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !local)
    ctx.addIssue({ code: 'custom', message: `${url} must use https (plain http only for localhost)` });
});

/**
 * A federated provider. The client secret never appears in config or code: `clientSecretVariable`
 * names the SENSITIVE Terraform variable that holds it (set as `TF_VAR_<name>` by the pipeline from
 * its secret store; docs/runbooks.md, "Identity"). `defaultScopes`: the provider's default `scopes`.
 */
const federatedProviderSchema = (defaultScopes: string[]) =>
  z.strictObject({
    clientId: z.string().min(1).max(256),
    clientSecretVariable: z
      .string({
        error:
          'needs the name of the sensitive Terraform variable holding the client secret (never the secret)',
      })
      .regex(/^[a-z][a-z0-9_]{2,63}$/, 'must be a Terraform variable name such as google_client_secret'),
    /** OAuth scopes requested from the provider. Default: per provider (`providers` below). */
    scopes: z.array(z.string().min(1)).default(defaultScopes),
  });

/**
 * Cognito's SES regions: an identity in the pool's own region, or in one of the regions Cognito
 * accepts for backward compatibility (docs: "E-mail settings for Amazon Cognito user pools").
 */
export const SES_COMPAT_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'] as const;

/** Why SES gets rid of an address on the account's suppression list. */
const suppressedReasons = z.array(z.enum(['BOUNCE', 'COMPLAINT']));

const emailSenderSchema = z.discriminatedUnion('sender', [
  /**
   * Cognito's own sender: a small daily quota (50 e-mails a day per pool, docs/runbooks.md
   * "Identity"), shared by sign-up, confirmation and recovery: anyone can use it up. Dev and staging
   * only: tier 'production' requires `ses`.
   */
  z.strictObject({ sender: z.literal('cognito') }),
  z.strictObject({
    sender: z.literal('ses'),
    /** The sender address; its domain is the environment's `dns.domainName` or a subdomain of it. */
    from: emailSchema,
    /**
     * An SES identity verified elsewhere (domain or address, in the pool's region or a region
     * Cognito accepts, SES_COMPAT_REGIONS). Default: none — the platform creates the domain identity
     * of `from` (Easy DKIM, a MAIL FROM subdomain, their Route 53 records in the environment's zone).
     */
    sourceArn: z
      .string()
      .regex(/^arn:aws:ses:[a-z0-9-]+:\d{12}:identity\/.+$/, 'must be an SES identity ARN')
      .optional(),
    /** The MAIL FROM subdomain of the created identity (SPF alignment, bounces). Default: `mail`. */
    mailFromSubdomain: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be one DNS label such as mail')
      .default('mail'),
    /** The configuration set's suppression: addresses that bounced or complained get no more mail. Default: both. */
    suppressedReasons: suppressedReasons.default(['BOUNCE', 'COMPLAINT']),
    replyTo: emailSchema.optional(),
  }),
]);

/**
 * The web ACL on the user pool (constructs/identity/user-pool-firewall.ts): per-IP limits over 5
 * minutes on the operations that send mail or check a code, and AWS's IP reputation list. Default:
 * on with tier 'production' (these limits), off otherwise (`signUpFirewallOf`); required in
 * production. WAF's smallest rate limit is 10.
 */
const signUpFirewallSchema = z.strictObject({
  /** SignUp and ResendConfirmationCode (hosted UI: /signup, /resendcode) per IP per 5 minutes. Default: 20. */
  signUpPerIp: z.number().int().min(10).max(2_000_000_000).default(20),
  /** ConfirmSignUp (hosted UI: /confirmUser) per IP per 5 minutes. Default: 20. */
  confirmPerIp: z.number().int().min(10).max(2_000_000_000).default(20),
  /** ForgotPassword and ConfirmForgotPassword (hosted UI: /forgotPassword, /confirmForgotPassword). Default: 10. */
  forgotPasswordPerIp: z.number().int().min(10).max(2_000_000_000).default(10),
});

/** What the identity pool's authenticated role may do: only these statements, nothing else. */
const grantSchema = z.strictObject({
  actions: z
    .array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/, 'must be an IAM action such as s3:GetObject'))
    .min(1),
  resources: z.array(z.string().regex(/^arn:aws[a-z-]*:/, 'must be an ARN')).min(1),
});

const emailValidationSchema = z.strictObject({
  /** Reserved concurrency: caps the function (and what a sign-up flood costs). Default: 5. */
  reservedConcurrency: z.number().int().min(1).max(1000).default(5),
  /** Domains whose sign-ups are reported as invalid (disposable mail). Default: none. */
  blockedDomains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain')).default([]),
  /** The welcome mail's sender strategy: `ses` (with `identity.email.sender: ses`) or `log` (no mail). Default: log. */
  provider: z.enum(['ses', 'log']).default('log'),
});

export const identitySchema = z
  .strictObject({
    /** Hosted-UI domain prefix (`<prefix>.auth.<region>.amazoncognito.com`). Default: `<project>-<env>`. */
    domainPrefix: slug(63).optional(),
    /** IMMUTABLE once the pool exists (pinned in environments/identity-pins.json). Default: ['email']. */
    requiredAttributes: z.array(z.enum(STANDARD_ATTRIBUTES)).default(['email']),
    /** Custom attributes (`custom:<name>`); can be added, never changed or removed. Default: none. */
    customAttributes: z.record(attributeName, customAttributeSchema).default({}),
    /** OFF, OPTIONAL (users enrol TOTP) or ON (everyone). Default: OPTIONAL; admins enforce it in the app. */
    mfa: z.enum(['OFF', 'OPTIONAL', 'ON']).default('OPTIONAL'),
    /**
     * Threat protection (Plus tier, ENFORCED): compromised-credential and adaptive-authentication
     * checks, ~$0.02 per monthly active user beyond Essentials' price. Default: on with tier
     * 'production', off otherwise (`threatProtectionOn`).
     */
    threatProtection: z.boolean().optional(),
    /** Deletion protection of the pool. Default: false; required with tier 'production'. */
    deletionProtection: z.boolean().default(false),
    /** Who sends Cognito's verification and recovery mails. Default: Cognito; tier 'production' requires SES. */
    email: emailSenderSchema.prefault({ sender: 'cognito' }),
    /**
     * Users may sign themselves up. false: only administrators create users (AdminCreateUser; the
     * user gets an invitation with a temporary password), as where tenants are provisioned
     * (enterprise). Default: true.
     */
    selfSignUp: z.boolean().default(true),
    /** The user pool's web ACL and its rate limits. Default: on with tier 'production' (`signUpFirewallOf`). */
    signUpFirewall: signUpFirewallSchema.optional(),
    callbackUrls: z.array(redirectUrlSchema).min(1, 'needs at least one callback URL'),
    logoutUrls: z.array(redirectUrlSchema).min(1, 'needs at least one logout URL'),
    /** Refresh token lifetime; access and ID tokens live 1 hour (seed 000). Default: 30 days. */
    refreshTokenDays: z.number().int().min(1).max(3650).default(30),
    providers: z
      .strictObject({
        /** Google sign-in. Default scopes: openid, email, profile. */
        google: federatedProviderSchema(['openid', 'email', 'profile']).optional(),
        /** Facebook sign-in. Default scopes: public_profile, email. */
        facebook: federatedProviderSchema(['public_profile', 'email']).optional(),
      })
      .prefault({}),
    /** Statements the identity pool's authenticated role grants. Default: none (the role can do nothing). */
    authenticatedGrants: z.array(grantSchema).default([]),
    emailValidation: emailValidationSchema.prefault({}),
  })
  .superRefine((identity, ctx) => {
    identity.requiredAttributes.forEach((a, i) => {
      if (identity.requiredAttributes.indexOf(a) !== i)
        report(ctx, ['requiredAttributes', i], `${a} is listed twice`);
    });
    if (!identity.requiredAttributes.includes('email'))
      report(ctx, ['requiredAttributes'], 'must include email: it is the sign-in name');
    for (const [name, a] of Object.entries(identity.customAttributes)) {
      if (a.min !== undefined && a.max !== undefined && a.min > a.max)
        report(ctx, ['customAttributes', name, 'min'], `${a.min} is above max ${a.max}`);
    }
    if (identity.emailValidation.provider === 'ses' && identity.email.sender !== 'ses')
      report(
        ctx,
        ['emailValidation', 'provider'],
        "'ses' needs identity.email.sender 'ses' (its verified identity)",
      );
    const secrets = Object.entries(identity.providers).flatMap(([p, c]) =>
      c ? [[p, c.clientSecretVariable]] : [],
    );
    secrets.forEach(([p, v], i) => {
      if (secrets.findIndex(([, o]) => o === v) !== i)
        report(ctx, ['providers', p, 'clientSecretVariable'], `${v} is already another provider's secret`);
    });
  });

export type IdentityConfig = z.output<typeof identitySchema>;
export type SignUpFirewallConfig = z.output<typeof signUpFirewallSchema>;

/** The user pool's firewall: the section when written, the schema defaults with tier 'production', else none. */
export function signUpFirewallOf(
  identity: IdentityConfig,
  tier: 'production' | 'non-production',
): SignUpFirewallConfig | undefined {
  return identity.signUpFirewall ?? (tier === 'production' ? signUpFirewallSchema.parse({}) : undefined);
}

/** The domain the sender's address is in (`no-reply@auth.example.com` -> `auth.example.com`). */
export function senderDomainOf(from: string): string {
  return from.slice(from.lastIndexOf('@') + 1).toLowerCase();
}

/** The one default of `threatProtection`: on with tier 'production'. */
export function threatProtectionOn(identity: IdentityConfig, tier: 'production' | 'non-production'): boolean {
  return identity.threatProtection ?? tier === 'production';
}

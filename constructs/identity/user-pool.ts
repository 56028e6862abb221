import { CognitoUserGroup } from '@cdktf/provider-aws/lib/cognito-user-group';
import { CognitoUserPool, type CognitoUserPoolSchema } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import { Construct } from 'constructs';
import type { IdentityConfig } from '../../environments/schema';
import type { Naming } from '../core/naming';
import { FederatedProviders } from './federated-providers';
import { waiveGuardrail } from '../core/guardrails';

export interface UserPoolProps {
  readonly naming: Naming;
  readonly identity: IdentityConfig;
  /** Threat protection (Plus tier, ENFORCED); resolved from config by `threatProtectionOn`. */
  readonly threatProtection: boolean;
  /** The post-confirmation trigger's ARN. */
  readonly postConfirmationArn: string;
  /** With `email.sender: 'ses'`: the identity and configuration set the pool sends through (ses-sender.ts). */
  readonly ses?: { readonly identityArn: string; readonly configurationSetName: string };
}

/** The group whose members the app requires MFA of (through the `cognito:groups` claim). */
export const ADMINS_GROUP = 'admins';
/** Access and ID tokens live one hour (seed 000); the refresh token lifetime is config. */
export const TOKEN_HOURS = 1;

/** String attributes get explicit bounds: without them the provider plans a change on every run. */
function schemaOf(identity: IdentityConfig): CognitoUserPoolSchema[] {
  const standard = identity.requiredAttributes.map((name) => ({
    name,
    attributeDataType: 'String',
    required: true,
    mutable: true,
    stringAttributeConstraints: { minLength: '0', maxLength: '2048' },
  }));
  const custom = Object.entries(identity.customAttributes).map(([name, a]) => {
    const bounds = { minValue: a.min?.toString(), maxValue: a.max?.toString() };
    return {
      name,
      attributeDataType: a.type,
      mutable: a.mutable,
      developerOnlyAttribute: false,
      ...(a.type === 'String'
        ? {
            stringAttributeConstraints: {
              minLength: bounds.minValue ?? '0',
              maxLength: bounds.maxValue ?? '2048',
            },
          }
        : { numberAttributeConstraints: bounds }),
    };
  });
  return [...standard, ...custom];
}

/**
 * The user pool (docs/architecture.md, "Identity"): e-mail is the username (case-insensitive),
 * required and custom attributes from config, a 12-character password with every character class,
 * TOTP MFA as config says, recovery by verified e-mail only, Cognito's or SES's sender (ses-sender.ts),
 * self sign-up or administrators only (`selfSignUp`), deletion
 * protection from config (required in production). With it: the hosted-UI domain, the `admins` group,
 * the federated providers, and the SPA's public app client (authorization code with PKCE, no secret,
 * 1-hour access/ID tokens, rotating refresh tokens).
 */
export class UserPool extends Construct {
  readonly pool: CognitoUserPool;
  readonly client: CognitoUserPoolClient;
  readonly domain: CognitoUserPoolDomain;
  readonly providers: FederatedProviders;

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    const { naming, identity } = props;
    const email = identity.email;
    this.pool = new CognitoUserPool(this, 'Pool', {
      name: naming.name('users'),
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      usernameConfiguration: { caseSensitive: false },
      schema: schemaOf(identity),
      passwordPolicy: {
        minimumLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 3,
      },
      mfaConfiguration: identity.mfa,
      softwareTokenMfaConfiguration: identity.mfa === 'OFF' ? undefined : { enabled: true },
      userPoolTier: props.threatProtection ? 'PLUS' : 'ESSENTIALS',
      userPoolAddOns: props.threatProtection ? { advancedSecurityMode: 'ENFORCED' } : undefined,
      deletionProtection: identity.deletionProtection ? 'ACTIVE' : 'INACTIVE',
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      // A changed address stays unverified (and unusable for sign-in) until its code is confirmed.
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdate: ['email'] },
      emailConfiguration:
        email.sender === 'ses' && props.ses
          ? {
              emailSendingAccount: 'DEVELOPER',
              fromEmailAddress: email.from,
              sourceArn: props.ses.identityArn,
              configurationSet: props.ses.configurationSetName,
              replyToEmailAddress: email.replyTo,
            }
          : { emailSendingAccount: 'COGNITO_DEFAULT' },
      // Where tenants are provisioned, only administrators create users (selfSignUp: false).
      adminCreateUserConfig: { allowAdminCreateUserOnly: !identity.selfSignUp },
      lambdaConfig: { postConfirmation: props.postConfirmationArn },
    });
    waiveGuardrail(
      this.pool,
      'backup-coverage',
      'AWS Backup does not support Cognito: deletion protection and prevent_destroy on; after a loss users come back from the last user export (list-users, then a CSV import job) and reset their passwords, which Cognito never exports (docs/runbooks.md, "Recover Kafka and the user pool")',
    );
    this.domain = new CognitoUserPoolDomain(this, 'Domain', {
      domain: identity.domainPrefix ?? naming.prefix,
      userPoolId: this.pool.id,
    });
    new CognitoUserGroup(this, 'Admins', {
      name: ADMINS_GROUP,
      userPoolId: this.pool.id,
      description: 'Administrators: the app requires MFA of this group (cognito:groups claim)',
    });
    this.providers = new FederatedProviders(this, 'Providers', {
      userPoolId: this.pool.id,
      providers: identity.providers,
    });
    this.client = new CognitoUserPoolClient(this, 'SpaClient', {
      name: naming.name('spa'),
      userPoolId: this.pool.id,
      generateSecret: false,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ['code'],
      allowedOauthScopes: ['openid', 'email', 'profile'],
      callbackUrls: identity.callbackUrls,
      logoutUrls: identity.logoutUrls,
      supportedIdentityProviders: ['COGNITO', ...this.providers.names],
      // SRP for a custom sign-in form; refresh goes through rotation, which excludes ALLOW_REFRESH_TOKEN_AUTH.
      explicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      accessTokenValidity: TOKEN_HOURS,
      idTokenValidity: TOKEN_HOURS,
      refreshTokenValidity: identity.refreshTokenDays,
      tokenValidityUnits: [{ accessToken: 'hours', idToken: 'hours', refreshToken: 'days' }],
      refreshTokenRotation: [{ feature: 'ENABLED', retryGracePeriodSeconds: 10 }],
      dependsOn: this.providers.providers,
    });
  }

  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the tokens' `iss`. */
  get issuer(): string {
    return `https://${this.pool.endpoint}`;
  }
}

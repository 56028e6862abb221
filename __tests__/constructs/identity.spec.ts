/** The identity layer on a bare stack: user pool, app client, providers, identity pool, trigger. */
import { IdentityLayer } from '../../constructs/identity/identity-layer';
import { bareStack, byPrefix, configOf, KEYS } from '../support/bare';
import { decide } from '../support/iam-eval';
import { policy, type Synthesized } from '../support/fixtures';

const ACCOUNT = '111111111111';
const ZONE = 'Z0123456789ABC';

function identityLayer(name: 'dev' | 'prod' = 'dev', edit: (input: any) => void = () => {}): Synthesized {
  const bare = bareStack(configOf(name, edit));
  new IdentityLayer(bare.stack, 'Identity', {
    naming: bare.naming,
    accountId: bare.config.accountId,
    config: bare.config,
    logs: bare.logs,
    dataKmsKeyArn: KEYS.data,
    hostedZoneId: ZONE,
  });
  return bare.synth();
}

const withProviders = (input: any) => {
  input.identity.providers = {
    google: { clientId: 'g-client', clientSecretVariable: 'google_client_secret' },
    facebook: { clientId: 'fb-client', clientSecretVariable: 'facebook_client_secret' },
  };
};
const withSes = (input: any) => {
  input.identity.email = {
    sender: 'ses',
    from: 'no-reply@dev.example.com',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/dev.example.com',
  };
  input.identity.emailValidation = { provider: 'ses' };
};

const dev = identityLayer('dev');
const prod = identityLayer('prod');

/** The role contracts the layer declares (the raw JSON's `//` comments), by role name. */
function contractsOf(edit: (input: any) => void = () => {}): Record<string, any> {
  const bare = bareStack(configOf('dev', edit));
  new IdentityLayer(bare.stack, 'Identity', {
    naming: bare.naming,
    accountId: bare.config.accountId,
    config: bare.config,
    logs: bare.logs,
    dataKmsKeyArn: KEYS.data,
    hostedZoneId: ZONE,
  });
  const roles = (bare.stack.toTerraform() as any).resource.aws_iam_role;
  return Object.fromEntries(Object.values<any>(roles).map((r) => [r.name, r['//'].contract]));
}

describe('user pool', () => {
  const pool = dev.only('aws_cognito_user_pool');

  it('signs in by e-mail, case-insensitive, with the required and custom attributes of config', () => {
    expect(pool.username_attributes).toEqual(['email']);
    expect(pool.auto_verified_attributes).toEqual(['email']);
    expect(pool.username_configuration).toEqual({ case_sensitive: false });
    expect(pool.schema.map((s: any) => [s.name, s.required ?? false, s.mutable])).toEqual([
      ['email', true, true],
      ['tenant_id', false, false],
    ]);
  });

  it('asks for 12 characters of every class, TOTP MFA as configured, recovery by verified e-mail only', () => {
    expect(pool.password_policy).toMatchObject({
      minimum_length: 12,
      require_lowercase: true,
      require_uppercase: true,
      require_numbers: true,
      require_symbols: true,
    });
    expect(pool.mfa_configuration).toBe('OPTIONAL');
    expect(pool.software_token_mfa_configuration).toEqual({ enabled: true });
    expect(pool.account_recovery_setting.recovery_mechanism).toEqual([
      { name: 'verified_email', priority: 1 },
    ]);
    const off = identityLayer('dev', (i) => (i.identity.mfa = 'OFF')).only('aws_cognito_user_pool');
    expect(off.mfa_configuration).toBe('OFF');
    expect(off.software_token_mfa_configuration).toBeUndefined();
  });

  it('enforces threat protection (Plus tier) by default with tier production only, and by config', () => {
    expect(pool.user_pool_tier).toBe('ESSENTIALS');
    expect(pool.user_pool_add_ons).toBeUndefined();
    const p = prod.only('aws_cognito_user_pool');
    expect(p.user_pool_tier).toBe('PLUS');
    expect(p.user_pool_add_ons).toEqual({ advanced_security_mode: 'ENFORCED' });
    const on = identityLayer('dev', (i) => (i.identity.threatProtection = true)).only(
      'aws_cognito_user_pool',
    );
    expect(on.user_pool_add_ons).toEqual({ advanced_security_mode: 'ENFORCED' });
  });

  it('is deletion-protected in production, sends mail through Cognito or the configured SES identity', () => {
    expect(prod.only('aws_cognito_user_pool').deletion_protection).toBe('ACTIVE');
    expect(pool.deletion_protection).toBe('INACTIVE');
    expect(pool.email_configuration).toEqual({ email_sending_account: 'COGNITO_DEFAULT' });
    const ses = identityLayer('dev', withSes).only('aws_cognito_user_pool');
    expect(ses.email_configuration).toEqual({
      email_sending_account: 'DEVELOPER',
      configuration_set: expect.stringContaining('aws_sesv2_configuration_set.'),
      from_email_address: 'no-reply@dev.example.com',
      source_arn: 'arn:aws:ses:us-east-1:123456789012:identity/dev.example.com',
    });
  });

  it('has an admins group and a hosted-UI domain', () => {
    expect(dev.only('aws_cognito_user_group').name).toBe('admins');
    expect(dev.only('aws_cognito_user_pool_domain').domain).toMatch(/-dev$/);
  });
});

describe('SPA app client', () => {
  const client = dev.only('aws_cognito_user_pool_client');

  it('is public (no secret) and uses the authorization code flow (with PKCE)', () => {
    expect(client.generate_secret).toBe(false);
    expect(client.allowed_oauth_flows).toEqual(['code']);
    expect(client.allowed_oauth_flows_user_pool_client).toBe(true);
    expect(client.allowed_oauth_scopes).toEqual(['openid', 'email', 'profile']);
    expect(client.explicit_auth_flows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    expect(client.prevent_user_existence_errors).toBe('ENABLED');
  });

  it('issues 1-hour access and ID tokens and rotates refresh tokens', () => {
    expect(client.access_token_validity).toBe(1);
    expect(client.id_token_validity).toBe(1);
    expect(client.token_validity_units).toEqual([
      { access_token: 'hours', id_token: 'hours', refresh_token: 'days' },
    ]);
    expect(client.refresh_token_validity).toBe(30);
    expect(client.refresh_token_rotation).toEqual([{ feature: 'ENABLED', retry_grace_period_seconds: 10 }]);
    expect(client.enable_token_revocation).toBe(true);
  });

  it('redirects only to the configured URLs', () => {
    expect(client.callback_urls).toEqual(configOf('dev').identity!.callbackUrls);
    expect(client.logout_urls).toEqual(configOf('dev').identity!.logoutUrls);
  });
});

describe('federated providers', () => {
  it('exist only when configured', () => {
    expect(dev.count('aws_cognito_identity_provider')).toBe(0);
    expect(dev.json.variable).toBeUndefined();
    expect(dev.only('aws_cognito_user_pool_client').supported_identity_providers).toEqual(['COGNITO']);
  });

  const out = identityLayer('dev', withProviders);

  it('are Google and Facebook with attribute mapping, offered by the client', () => {
    const providers = Object.fromEntries(
      out.resources('aws_cognito_identity_provider').map(([, p]) => [p.provider_name, p]),
    );
    expect(Object.keys(providers).sort()).toEqual(['Facebook', 'Google']);
    expect(providers.Google.attribute_mapping).toMatchObject({ email: 'email', username: 'sub' });
    expect(providers.Facebook.attribute_mapping).toMatchObject({ email: 'email', username: 'id' });
    expect(out.only('aws_cognito_user_pool_client').supported_identity_providers).toEqual([
      'COGNITO',
      'Google',
      'Facebook',
    ]);
  });

  it('take their client secrets from sensitive variables: the synthesized JSON holds only references', () => {
    expect(out.json.variable).toEqual({
      google_client_secret: expect.objectContaining({ sensitive: true, type: 'string', nullable: false }),
      facebook_client_secret: expect.objectContaining({ sensitive: true, type: 'string', nullable: false }),
    });
    for (const [, p] of out.resources('aws_cognito_identity_provider')) {
      expect(p.provider_details.client_secret).toMatch(/^\$\{var\.(google|facebook)_client_secret\}$/);
      expect(Object.keys(p.provider_details).sort()).toEqual([
        'authorize_scopes',
        'client_id',
        'client_secret',
      ]);
    }
    // A secret value set for terraform never reaches synthesis.
    process.env.TF_VAR_google_client_secret = 'very-secret-value';
    try {
      expect(JSON.stringify(identityLayer('dev', withProviders).json)).not.toContain('very-secret-value');
    } finally {
      delete process.env.TF_VAR_google_client_secret;
    }
  });
});

describe('identity pool', () => {
  it('has no unauthenticated identities, no classic flow, and trusts only this pool', () => {
    const pool = dev.only('aws_cognito_identity_pool');
    expect(pool.allow_unauthenticated_identities).toBe(false);
    expect(pool.allow_classic_flow).toBe(false);
    expect(pool.cognito_identity_providers[0].server_side_token_check).toBe(true);
    const roles = dev.only('aws_cognito_identity_pool_roles_attachment').roles;
    expect(Object.keys(roles)).toEqual(['authenticated']);
    const trust = policy(
      byPrefix(dev, 'aws_iam_role', 'IdentityPool_AuthenticatedRole')[0].assume_role_policy,
    );
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: {
        'cognito-identity.amazonaws.com:aud': expect.stringMatching(/aws_cognito_identity_pool\..+\.id\}$/),
      },
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
    });
  });

  it('grants signed-in users nothing without config, exactly the configured statements with it', async () => {
    expect(byPrefix(dev, 'aws_iam_role_policy', 'IdentityPool_')).toEqual([]);
    const granted = identityLayer('dev', (i) => {
      i.identity.authenticatedGrants = [
        { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::user-content/private/*'] },
      ];
    });
    const doc = byPrefix(granted, 'aws_iam_role_policy', 'IdentityPool_AuthenticatedPolicy')[0].policy;
    const ask = (action: string, resource: string) =>
      decide({
        identity: [doc],
        action,
        resource,
        principalArn: `arn:aws:iam::${ACCOUNT}:role/x-identity-authenticated`,
      });
    expect(await ask('s3:GetObject', 'arn:aws:s3:::user-content/private/a.txt')).toBe('Allowed');
    expect(await ask('s3:GetObject', 'arn:aws:s3:::other-bucket/a.txt')).toBe('ImplicitlyDenied');
    expect(await ask('s3:PutObject', 'arn:aws:s3:::user-content/private/a.txt')).toBe('ImplicitlyDenied');
  });
});

describe('post-confirmation trigger', () => {
  const fn = byPrefix(dev, 'aws_lambda_function', 'EmailValidation_')[0];

  it('is the pool trigger, invokable by Cognito for this pool only (source_arn)', () => {
    expect(dev.only('aws_cognito_user_pool').lambda_config.post_confirmation).toMatch(
      /^\$\{aws_lambda_function\.EmailValidation_Function_\w+\.arn\}$/,
    );
    const permission = dev.only('aws_lambda_permission');
    expect(permission.principal).toBe('cognito-idp.amazonaws.com');
    expect(permission.action).toBe('lambda:InvokeFunction');
    expect(permission.source_arn).toMatch(/^\$\{aws_cognito_user_pool\.UserPool_\w+\.arn\}$/);
  });

  it('runs Node.js 22 with 512 MB, X-Ray active tracing and the configured reserved concurrency', () => {
    expect(fn).toMatchObject({
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      memory_size: 512,
      tracing_config: { mode: 'Active' },
      reserved_concurrent_executions: configOf('dev').identity!.emailValidation.reservedConcurrency,
    });
    expect(fn.filename).toMatch(/^assets\/.+\/email-validation-[0-9a-f]{32}\.zip$/);
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('logs to its own KMS-encrypted log group with retention', () => {
    const group = byPrefix(dev, 'aws_cloudwatch_log_group', 'EmailValidation_')[0];
    expect(group).toMatchObject({
      name: `/aws/lambda/${fn.function_name}`,
      kms_key_id: KEYS.logs,
      retention_in_days: configOf('dev').logs.retentionDays,
    });
    expect(fn.logging_config.log_group).toMatch(/aws_cloudwatch_log_group\.EmailValidation_/);
  });

  it('dead-letters into an SQS queue encrypted with the data key, TLS only', () => {
    const queue = byPrefix(dev, 'aws_sqs_queue', 'EmailValidation_DeadLetters')[0];
    expect(queue.kms_master_key_id).toBe(KEYS.data);
    expect(queue.name).toMatch(/-email-validation-dlq$/);
    const queuePolicy = policy(byPrefix(dev, 'aws_sqs_queue_policy', 'EmailValidation_')[0].policy);
    expect(queuePolicy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(fn.environment.variables.DEAD_LETTER_QUEUE_URL).toMatch(
      /aws_sqs_queue\.EmailValidation_DeadLetters_Queue_\w+\.url/,
    );
  });
});

describe("the trigger's role (least privilege, evaluated)", () => {
  const DLQ = `arn:aws:sqs:us-east-1:${ACCOUNT}:webplat-dev-email-validation-dlq`;
  const LOGS = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/webplat-dev-email-validation`;
  const roleDoc = (out: Synthesized) =>
    byPrefix(out, 'aws_iam_role_policy', 'EmailValidation_Function_Policy')[0]
      .policy.replace(/\$\{aws_sqs_queue\.[^}]+\.arn\}/g, DLQ)
      .replace(/\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}/g, LOGS);
  // KMS needs the key policy to let the account's IAM policies decide (as the platform keys do).
  const delegatingKeyPolicy = {
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    ],
  };
  const ask = (out: Synthesized, action: string, resource: string, context = {}) =>
    decide({
      identity: [roleDoc(out)],
      ...(action.startsWith('kms:') ? { resourcePolicy: delegatingKeyPolicy } : {}),
      action,
      resource,
      principalArn: `arn:aws:iam::${ACCOUNT}:role/webplat-dev-email-validation-fn`,
      context,
    });

  it('sends to its dead-letter queue (with the data key through SQS) and nowhere else', async () => {
    expect(await ask(dev, 'sqs:SendMessage', DLQ)).toBe('Allowed');
    expect(await ask(dev, 'sqs:SendMessage', `arn:aws:sqs:us-east-1:${ACCOUNT}:other`)).toBe(
      'ImplicitlyDenied',
    );
    expect(await ask(dev, 'sqs:ReceiveMessage', DLQ)).toBe('ImplicitlyDenied');
    const via = { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' };
    expect(await ask(dev, 'kms:GenerateDataKey', KEYS.data, via)).toBe('Allowed');
    expect(await ask(dev, 'kms:Decrypt', KEYS.data, { 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe(
      'ImplicitlyDenied',
    );
    expect(await ask(dev, 'logs:PutLogEvents', `${LOGS}:log-stream:x`)).toBe('Allowed');
    expect(
      await ask(dev, 'logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:other:log-stream:x`),
    ).toBe('ImplicitlyDenied');
  });

  it('sends mail only with the SES provider, from the configured identity and address', async () => {
    const identity = 'arn:aws:ses:us-east-1:123456789012:identity/dev.example.com';
    expect(await ask(dev, 'ses:SendEmail', identity, { 'ses:FromAddress': 'no-reply@dev.example.com' })).toBe(
      'ImplicitlyDenied',
    );
    const ses = identityLayer('dev', withSes);
    expect(await ask(ses, 'ses:SendEmail', identity, { 'ses:FromAddress': 'no-reply@dev.example.com' })).toBe(
      'Allowed',
    );
    expect(await ask(ses, 'ses:SendEmail', identity, { 'ses:FromAddress': 'ceo@example.com' })).toBe(
      'ImplicitlyDenied',
    );
  });
});

describe('role contracts', () => {
  const requests = (list: any[]) => list.map((r) => [r.action, r.because]);

  it("the trigger's: every SDK command its handler sends, SendEmail only with the SES provider", () => {
    const fn = contractsOf()['webplat-dev-email-validation-fn'];
    expect(requests(fn.allow)).toContainEqual([
      'sqs:SendMessage',
      'serverless/common/aws-sdk.ts: SendMessageCommand',
    ]);
    expect(fn.allow.map((r: any) => r.action)).not.toContain('ses:SendEmail');
    const ses = contractsOf(withSes)['webplat-dev-email-validation-fn'];
    expect(ses.allow).toContainEqual({
      action: 'ses:SendEmail',
      resource: 'arn:aws:ses:us-east-1:123456789012:identity/dev.example.com',
      context: { 'ses:FromAddress': 'no-reply@dev.example.com' },
      because: 'serverless/common/aws-sdk.ts: SendEmailCommand',
    });
    expect(ses.deny).toContainEqual(
      expect.objectContaining({ action: 'ses:SendEmail', context: { 'ses:FromAddress': 'ceo@example.com' } }),
    );
  });

  it("the identity pool role's: the configured grants, this pool's signed-in users only", () => {
    const none = contractsOf()['webplat-dev-identity-authenticated'];
    expect(none.allow).toEqual([]);
    expect(none.trust.allow[0]).toMatchObject({
      principal: 'cognito-identity.amazonaws.com',
      action: 'sts:AssumeRoleWithWebIdentity',
      context: { 'cognito-identity.amazonaws.com:amr': ['authenticated'] },
    });
    expect(none.trust.deny.map((d: any) => d.context['cognito-identity.amazonaws.com:amr'])).toContainEqual([
      'unauthenticated',
    ]);
    const granted = contractsOf((i) => {
      i.identity.authenticatedGrants = [
        { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::user-content/private/*'] },
      ];
    })['webplat-dev-identity-authenticated'];
    expect(requests(granted.allow)).toEqual([
      ['s3:GetObject', expect.stringMatching(/^identity\.authenticatedGrants\[0\] in config/)],
    ]);
    expect(granted.allow[0].resource).toBe('arn:aws:s3:::user-content/private/example');
  });
});

describe("production's sender and sign-up firewall (issue 27)", () => {
  const acl = prod.only('aws_wafv2_web_acl');

  it('creates the SES domain identity of the sender, its records in the zone, and sends through it', () => {
    expect(prod.only('aws_ses_domain_identity').domain).toBe('example.com');
    const records = prod.resources('aws_route53_record').map(([, r]) => r);
    expect(records.every((r: any) => r.zone_id === ZONE)).toBe(true);
    const byType = (t: string) => records.filter((r: any) => r.type === t);
    expect(byType('CNAME').map((r: any) => r.name)).toHaveLength(3);
    expect(byType('CNAME')[0].records[0]).toMatch(/\.dkim\.amazonses\.com$/);
    expect(byType('MX')).toEqual([
      expect.objectContaining({
        name: 'mail.example.com',
        records: ['10 feedback-smtp.us-east-1.amazonses.com'],
      }),
    ]);
    expect(
      byType('TXT')
        .map((r: any) => r.name)
        .sort(),
    ).toEqual(['_amazonses.example.com', 'mail.example.com']);
    expect(prod.only('aws_ses_domain_mail_from').mail_from_domain).toBe('mail.example.com');
    const set = prod.only('aws_sesv2_configuration_set');
    expect(set.reputation_options).toEqual({ reputation_metrics_enabled: true });
    expect(set.suppression_options).toEqual({ suppressed_reasons: ['BOUNCE', 'COMPLAINT'] });
    const mail = prod.only('aws_cognito_user_pool').email_configuration;
    expect(mail.email_sending_account).toBe('DEVELOPER');
    // The pool switches to SES only once SES has verified the domain.
    expect(mail.source_arn).toMatch(/aws_ses_domain_identity_verification\.\w+\.arn/);
    expect(mail.configuration_set).toMatch(/aws_sesv2_configuration_set\./);
    expect(() => identityLayerWithout()).toThrow(/needs the hosted zone/);
  });

  it('keeps an identity verified elsewhere (sourceArn): no identity, no records', () => {
    const ses = identityLayer('dev', withSes);
    expect(ses.resources('aws_ses_domain_identity')).toEqual([]);
    expect(ses.resources('aws_route53_record')).toEqual([]);
    expect(dev.resources('aws_sesv2_configuration_set')).toEqual([]);
  });

  it('associates a regional web ACL with the production user pool, none in dev', () => {
    expect(dev.resources('aws_wafv2_web_acl')).toEqual([]);
    expect(acl.scope).toBe('REGIONAL');
    expect(acl.default_action).toEqual({ allow: {} });
    const association = prod.only('aws_wafv2_web_acl_association');
    expect(association.resource_arn).toMatch(/aws_cognito_user_pool\.\w+\.arn/);
    expect(association.web_acl_arn).toMatch(/aws_wafv2_web_acl\.\w+\.arn/);
    expect(prod.only('aws_wafv2_web_acl_logging_configuration').resource_arn).toMatch(/aws_wafv2_web_acl\./);
    const groups = prod.resources('aws_cloudwatch_log_group').map(([, g]) => g.name);
    expect(groups).toContain('aws-waf-logs-webplat-prod-users');
  });

  it('rate-limits sign-up, confirmation and password recovery per IP, by API target and hosted-UI path', () => {
    const rate = (name: string) => acl.rule.find((r: any) => r.name === name);
    const scoped = (name: string) =>
      rate(name).statement.rate_based_statement.scope_down_statement.or_statement.statement.map(
        (s: any) => s.byte_match_statement.search_string,
      );
    expect(acl.rule.map((r: any) => [r.name, r.statement.rate_based_statement?.limit])).toEqual([
      ['sign-up-per-ip', 20],
      ['confirm-per-ip', 20],
      ['forgot-password-per-ip', 10],
      ['AWSManagedRulesAmazonIpReputationList', undefined],
    ]);
    for (const name of ['sign-up-per-ip', 'confirm-per-ip', 'forgot-password-per-ip']) {
      expect(rate(name).action).toEqual({ block: {} });
      expect(rate(name).statement.rate_based_statement).toMatchObject({
        aggregate_key_type: 'IP',
        evaluation_window_sec: 300,
      });
    }
    expect(scoped('sign-up-per-ip')).toEqual([
      'awscognitoidentityproviderservice.signup',
      'awscognitoidentityproviderservice.resendconfirmationcode',
      '/signup',
      '/resendcode',
    ]);
    expect(scoped('confirm-per-ip')).toContain('awscognitoidentityproviderservice.confirmsignup');
    expect(scoped('forgot-password-per-ip')).toEqual(
      expect.arrayContaining([
        'awscognitoidentityproviderservice.forgotpassword',
        'awscognitoidentityproviderservice.confirmforgotpassword',
      ]),
    );
    const header =
      rate('sign-up-per-ip').statement.rate_based_statement.scope_down_statement.or_statement.statement[0]
        .byte_match_statement;
    expect(header.field_to_match).toEqual({ single_header: { name: 'x-amz-target' } });
    expect(header.text_transformation).toEqual([{ priority: 0, type: 'LOWERCASE' }]);
  });

  it('lets only administrators create users where config says so', () => {
    expect(dev.only('aws_cognito_user_pool').admin_create_user_config).toEqual({
      allow_admin_create_user_only: false,
    });
    const provisioned = identityLayer('prod', (i) => (i.identity.selfSignUp = false));
    expect(provisioned.only('aws_cognito_user_pool').admin_create_user_config).toEqual({
      allow_admin_create_user_only: true,
    });
  });
});

function identityLayerWithout(): void {
  const bare = bareStack(configOf('prod'));
  new IdentityLayer(bare.stack, 'Identity', {
    naming: bare.naming,
    accountId: bare.config.accountId,
    config: bare.config,
    logs: bare.logs,
    dataKmsKeyArn: KEYS.data,
  });
}

/** The identity and serverless config sections: defaults, rejected input with its path, pinned fields. */
import { registry } from '../../environments';
import { IDENTITY_PINS, identityPinOf, identityPinProblems } from '../../environments/identity-pins';
import { parseEnvironmentConfig, signUpFirewallOf, threatProtectionOn } from '../../environments/schema';
import { expectRejected, issuesOf } from '../support/config-errors';
import { appStack } from '../support/app-synth';
import { envInput, registryOf, synthPlatform } from '../support/fixtures';

describe('identity config', () => {
  it('is on in every environment of the registry', () => {
    for (const env of Object.values(registry.environments)) expect(env.identity).toBeDefined();
  });

  it('defaults threat protection to the tier, and a config value wins', () => {
    const dev = parseEnvironmentConfig(envInput('dev'));
    const prod = parseEnvironmentConfig(envInput('prod'));
    expect(threatProtectionOn(dev.identity!, dev.tier)).toBe(false);
    expect(threatProtectionOn(prod.identity!, prod.tier)).toBe(true);
    expect(threatProtectionOn({ ...prod.identity!, threatProtection: false }, prod.tier)).toBe(false);
  });

  it.each([
    ['http://app.example.com/cb', 'identity.callbackUrls[0]'],
    ['ftp://app.example.com/cb', 'identity.callbackUrls[0]'],
  ])('rejects the callback URL %s (https only outside localhost)', (url, path) => {
    const input = envInput('dev');
    input.identity.callbackUrls = [url];
    expectRejected(input, path, /must use https \(plain http only for localhost\)/);
  });

  it('accepts plain http for localhost only', () => {
    const input = envInput('dev');
    input.identity.callbackUrls = ['http://localhost:3000/cb', 'http://127.0.0.1:8080/cb'];
    expect(() => parseEnvironmentConfig(input)).not.toThrow();
    input.identity.logoutUrls = ['http://localhost.example.com/'];
    expectRejected(input, 'identity.logoutUrls[0]', /must use https/);
  });

  it('rejects an identity provider without its secret variable, and a secret in config', () => {
    const input = envInput('dev');
    input.identity.providers = { google: { clientId: 'g' } };
    expectRejected(input, 'identity.providers.google.clientSecretVariable', /sensitive Terraform variable/);
    input.identity.providers = {
      facebook: { clientId: 'f', clientSecretVariable: 'fb_secret', clientSecret: 'x' },
    };
    expectRejected(input, 'identity.providers.facebook.clientSecret', /.+/);
  });

  it('rejects two providers sharing one secret variable', () => {
    const input = envInput('dev');
    input.identity.providers = {
      google: { clientId: 'g', clientSecretVariable: 'idp_secret' },
      facebook: { clientId: 'f', clientSecretVariable: 'idp_secret' },
    };
    expectRejected(
      input,
      'identity.providers.facebook.clientSecretVariable',
      /already another provider's secret/,
    );
  });

  it('requires e-mail among the required attributes, and SES for the SES welcome mail', () => {
    const input = envInput('dev');
    input.identity.requiredAttributes = ['name'];
    expectRejected(input, 'identity.requiredAttributes', /must include email/);
    const ses = envInput('dev');
    ses.identity.emailValidation = { provider: 'ses' };
    expectRejected(ses, 'identity.emailValidation.provider', /needs identity.email.sender 'ses'/);
  });

  it('requires deletion protection with tier production', () => {
    const input = envInput('prod');
    delete input.identity.deletionProtection;
    expectRejected(input, 'identity.deletionProtection', /true is required with tier 'production'/);
  });

  it('rejects a service that uses identity without the section', () => {
    const input = envInput('dev');
    delete input.identity;
    expectRejected(input, 'services.backend.uses.identity', /no identity section is configured/);
  });
});

describe('pinned user pool fields (changing them replaces the pool)', () => {
  it('match every environment as configured today', () => {
    for (const env of Object.values(registry.environments)) {
      if (env.identity) expect(identityPinOf(env.identity)).toEqual(IDENTITY_PINS[env.name]);
    }
  });

  it('reject a changed required attribute list with its path', () => {
    const input = envInput('dev');
    input.identity.requiredAttributes = ['email', 'name'];
    const issues = issuesOf(() => registryOf([input]));
    expect(issues).toContainEqual({
      path: 'environments.dev.identity.requiredAttributes',
      message: expect.stringMatching(/differs from the pinned \[email\]: changing it replaces the user pool/),
    });
  });

  it('reject a changed or removed custom attribute, and warn about a new one', () => {
    const changed = envInput('dev');
    changed.identity.customAttributes.tenant_id.mutable = true;
    expect(issuesOf(() => registryOf([changed]))).toContainEqual({
      path: 'environments.dev.identity.customAttributes.tenant_id',
      message: expect.stringMatching(/is String, mutable, pinned as String, immutable/),
    });
    const removed = envInput('dev');
    removed.identity.customAttributes = {};
    expect(issuesOf(() => registryOf([removed]))).toContainEqual({
      path: 'environments.dev.identity.customAttributes.tenant_id',
      message: expect.stringMatching(/now removed/),
    });
    const added = envInput('dev');
    added.identity.customAttributes.plan = { type: 'String' };
    expect(registryOf([added]).warnings).toContainEqual({
      path: 'environments.dev.identity.customAttributes.plan',
      message: expect.stringMatching(/pin it in environments\/identity-pins.json/),
    });
  });

  it('leave an environment without a pin (a new one) alone', () => {
    const env = parseEnvironmentConfig({ ...envInput('dev'), name: 'fresh' });
    expect(identityPinProblems({ fresh: env })).toEqual({ errors: [], warnings: [] });
  });
});

describe('serverless config', () => {
  it('needs exactly one event source', () => {
    const both = envInput('dev');
    both.serverless = { eventProcessor: { queue: 'events', table: 'sessions' } };
    expectRejected(both, 'serverless.eventProcessor', /needs exactly one source/);
    const none = envInput('dev');
    none.serverless = { eventProcessor: {} };
    expectRejected(none, 'serverless.eventProcessor', /needs exactly one source/);
  });

  it('rejects a stream source that is not a table, or a table without a stream', () => {
    const unknown = envInput('dev');
    unknown.serverless = { eventProcessor: { table: 'orders' } };
    expectRejected(unknown, 'serverless.eventProcessor.table', /orders is not a table in tables/);
    const noStream = envInput('dev');
    noStream.serverless = { eventProcessor: { table: 'sessions' } };
    expectRejected(
      noStream,
      'serverless.eventProcessor.table',
      /sessions has no stream \(set tables.sessions.stream\)/,
    );
  });

  it('rejects a batch above 10 without a batching window', () => {
    const input = envInput('dev');
    input.serverless = { eventProcessor: { queue: 'events', batchSize: 100 } };
    expectRejected(
      input,
      'serverless.eventProcessor.batchWindowSeconds',
      /at least 1 is required with batchSize 100/,
    );
  });
});

describe('the backend learns the user pool through its environment', () => {
  const out = synthPlatform(envInput('dev'));
  const envOf = (service: string) => {
    const [, def] = out
      .resources('aws_ecs_task_definition')
      .find(([id]) => id.startsWith(`Service-${service}_`))!;
    const app = JSON.parse(def.container_definitions).find((c: any) => c.name === 'app');
    return Object.fromEntries((app.environment ?? []).map((v: any) => [v.name, v.value]));
  };

  it('as COGNITO_* variables when it uses identity, and not otherwise', () => {
    expect(envOf('backend')).toMatchObject({
      COGNITO_USER_POOL_ID: expect.stringMatching(/aws_cognito_user_pool\.UserPool_\w+\.id/),
      COGNITO_ISSUER: expect.stringMatching(
        /^https:\/\/\$\{aws_cognito_user_pool\.UserPool_\w+\.endpoint\}$/,
      ),
      COGNITO_CLIENT_ID: expect.stringMatching(/aws_cognito_user_pool_client\.UserPool_SpaClient_\w+\.id/),
      COGNITO_ADMIN_GROUP: 'admins',
    });
    expect(Object.keys(envOf('frontend')).filter((k) => k.startsWith('COGNITO_'))).toEqual([]);
  });
});

describe('production sign-up that cannot be starved (issue 27)', () => {
  const prodWith = (edit: (identity: any) => void) => {
    const input = envInput('prod');
    edit(input.identity);
    return input;
  };

  it('fails synthesis of a production environment without an SES sender, with the path', () => {
    const input = prodWith((i) => delete i.email);
    expect(() => synthPlatform(input)).toThrow(
      /prod\.identity\.email: an SES sender .*is required with tier 'production'/,
    );
    expectRejected(input, 'identity.email', /Cognito's own sender allows about 50 mails a day/);
    expectRejected(
      prodWith((i) => (i.email = { sender: 'cognito' })),
      'identity.email',
      /is required with tier 'production'/,
    );
  });

  it('fails synthesis of a sender outside the environment zone, and of an identity in a region Cognito cannot use', () => {
    const outside = prodWith((i) => (i.email = { sender: 'ses', from: 'no-reply@example.org' }));
    expect(() => synthPlatform(outside)).toThrow(
      /prod\.identity\.email\.from: example\.org is outside the environment's zone example\.com/,
    );
    const dev = envInput('dev');
    dev.identity.email = { sender: 'ses', from: 'no-reply@example.com' };
    expectRejected(dev, 'identity.email.from', /outside the environment's zone dev\.example\.com/);
    dev.identity.email = { sender: 'ses', from: 'no-reply@auth.dev.example.com' };
    expect(() => parseEnvironmentConfig(dev)).not.toThrow();
    dev.identity.email.sourceArn = 'arn:aws:ses:eu-central-1:111111111111:identity/dev.example.com';
    expectRejected(dev, 'identity.email.sourceArn', /eu-central-1: Cognito sends through an SES identity/);
    dev.identity.email.sourceArn = 'arn:aws:ses:us-west-2:111111111111:identity/dev.example.com';
    expect(() => parseEnvironmentConfig(dev)).not.toThrow();
  });

  it('defaults the user pool firewall to the tier, self sign-up to on; enterprise provisions its users', () => {
    const dev = parseEnvironmentConfig(envInput('dev'));
    const prod = parseEnvironmentConfig(envInput('prod'));
    expect(signUpFirewallOf(dev.identity!, dev.tier)).toBeUndefined();
    expect(signUpFirewallOf(prod.identity!, prod.tier)).toEqual({
      signUpPerIp: 20,
      confirmPerIp: 20,
      forgotPasswordPerIp: 10,
    });
    expect(dev.identity!.selfSignUp).toBe(true);
    const enterprise = registry.environments.enterprise;
    expect(enterprise.identity!.selfSignUp).toBe(false);
    expect(signUpFirewallOf(enterprise.identity!, enterprise.tier)!.signUpPerIp).toBe(10);
    for (const env of Object.values(registry.environments).filter((e) => e.tier === 'production'))
      expect(env.identity!.email.sender).toBe('ses');
    const low = envInput('dev');
    low.identity.signUpFirewall = { signUpPerIp: 5 };
    expectRejected(low, 'identity.signUpFirewall.signUpPerIp', /.+/);
  });
});

describe('the synthesized production stacks: SES sender, user-pool web ACL, provisioned users', () => {
  const prod = appStack('platform-prod');
  const enterprise = appStack('platform-enterprise');
  const dev = appStack('platform-dev');
  const poolAcl = (out: typeof prod) =>
    out.resources('aws_wafv2_web_acl').find(([, acl]) => acl.name.endsWith('-users'));

  it.each([
    ['prod', prod],
    ['enterprise', enterprise],
  ])('%s associates a web ACL with rate rules to its user pool, and alarms on it', (_, out) => {
    const [id, acl] = poolAcl(out)!;
    const association = out
      .resources('aws_wafv2_web_acl_association')
      .map(([, a]) => a)
      .find((a) => a.web_acl_arn === `\${aws_wafv2_web_acl.${id}.arn}`);
    expect(association.resource_arn).toMatch(/^\$\{aws_cognito_user_pool\.UserPool_\w+\.arn\}$/);
    expect(acl.rule.filter((r: any) => r.statement.rate_based_statement).map((r: any) => r.name)).toEqual([
      'sign-up-per-ip',
      'confirm-per-ip',
      'forgot-password-per-ip',
    ]);
    // The observability pass alarms on every web ACL's blocked requests: this one too.
    const alarmed = out
      .resources('aws_cloudwatch_metric_alarm')
      .some(([, a]) => JSON.stringify(a).includes(`aws_wafv2_web_acl.${id}.name`));
    expect(alarmed).toBe(true);
  });

  it('sends production mail through the SES identity of its domain, records in its own zone', () => {
    expect(prod.only('aws_ses_domain_identity').domain).toBe('example.com');
    expect(enterprise.only('aws_ses_domain_identity').domain).toBe('enterprise.example.com');
    const dkim = prod
      .resources('aws_route53_record')
      .map(([, r]) => r)
      .filter((r) => r.type === 'CNAME' && String(r.name).includes('._domainkey.'));
    expect(dkim).toHaveLength(3);
    expect(dkim[0].zone_id).toMatch(/aws_route53_zone\.|^Z/);
    expect(prod.only('aws_cognito_user_pool').email_configuration.email_sending_account).toBe('DEVELOPER');
    expect(dev.only('aws_cognito_user_pool').email_configuration.email_sending_account).toBe(
      'COGNITO_DEFAULT',
    );
    expect(poolAcl(dev)).toBeUndefined();
  });

  it('lets only administrators create enterprise users; prod keeps self sign-up', () => {
    expect(
      enterprise.only('aws_cognito_user_pool').admin_create_user_config.allow_admin_create_user_only,
    ).toBe(true);
    expect(prod.only('aws_cognito_user_pool').admin_create_user_config.allow_admin_create_user_only).toBe(
      false,
    );
  });
});

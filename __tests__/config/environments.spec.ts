import {
  accountOf,
  accountRecoveryRegion,
  buildRegistry,
  deployOrder,
  environmentInputs,
  environments,
  registry,
} from '../../environments';
import { accounts as accountsInput } from '../../environments/accounts';
import { parseAccountsConfig, parseEnvironmentConfig } from '../../environments/schema';
import { accountsInputCopy, buildStacks, envInput, registryOf } from '../support/fixtures';
import { issuesOf } from '../support/config-errors';

/** A registry of exactly these environments (unlike registryOf, the deploy chain is not cut). */
const buildRegistryOf = (envs: unknown[]) => buildRegistry(accountsInput, envs);

describe('the committed environments', () => {
  it('load and validate: every environment file, in declaration order', () => {
    expect(Object.keys(environments)).toEqual(environmentInputs.map((e) => e.name));
    expect(environments.dev.tier).toBe('non-production');
    expect(environments.staging.tier).toBe('non-production');
    expect(environments.prod.tier).toBe('production');
  });

  it('follow seed 001 where the issue says so', () => {
    for (const env of [environments.dev, environments.prod]) {
      expect(env.network.vpcCidr).toBe('10.0.0.0/16');
      expect(env.network.ipv6).toBe(true);
      expect(env.network.subnets.public).toEqual(['10.0.1.0/24', '10.0.2.0/24']);
      expect(env.network.subnets.private).toEqual(['10.0.10.0/24', '10.0.11.0/24']);
      expect(env.network.subnets.isolated).toHaveLength(2);
      expect(env.services.frontend).toMatchObject({
        port: 3000,
        cpu: 256,
        memory: 512,
        pathPatterns: ['/*'],
      });
      expect(env.services.backend).toMatchObject({
        port: 8000,
        cpu: 256,
        memory: 512,
        pathPatterns: ['/api/*'],
      });
      expect(env.services.backend.autoscaling).toMatchObject({
        // Seed 001 scales in to 1; production keeps 2 (a production service never runs on one task).
        minCapacity: env.tier === 'production' ? 2 : 1,
        maxCapacity: 4,
        cpuTargetPercent: 70,
      });
      expect(env.database).toMatchObject({ engine: 'postgres', engineVersion: expect.stringMatching(/^16/) });
      expect(env.cache?.engineVersion).toBe('7.1');
      expect(env.logs.retentionDays).toBe(30);
    }
    // Issue 17: dev's egress goes through one NAT instance instead of NAT gateways.
    expect(environments.dev.network.natGateways).toBe('instance');
    expect(environments.prod.network.natGateways).toBe('perAz');
    expect(environments.dev.database).toMatchObject({
      instanceClass: 'db.t4g.micro',
      allocatedStorageGb: 20,
      multiAz: false,
    });
    expect(environments.prod.database).toMatchObject({
      instanceClass: 'db.t4g.small',
      allocatedStorageGb: 50,
      multiAz: true,
    });
    expect(environments.dev.cache).toMatchObject({ nodeType: 'cache.t4g.micro', numCacheClusters: 1 });
    expect(environments.prod.cache).toMatchObject({
      nodeType: 'cache.t4g.small',
      numCacheClusters: 2,
      automaticFailover: true,
    });
    expect(environments.dev.dns.domainName).toBe(`dev.${environments.prod.dns.domainName}`);
  });

  it('deploy into accounts of accounts.ts, which hold the project and the state backend', () => {
    expect(Object.keys(registry.accounts)).toEqual(Object.keys(accountsInput));
    for (const env of Object.values(environments)) {
      const { account } = accountOf(registry, env);
      expect(account.project).toMatch(/^[a-z]/);
      expect(account.state.bucket).toContain(account.accountId);
    }
  });

  it('chain their deploys: dev on push, staging after dev, prod on a tag', () => {
    expect(environments.dev.deploy).toEqual({ trigger: 'push' });
    expect(environments.staging.deploy).toEqual({ trigger: 'push', after: 'dev' });
    expect(environments.prod.deploy).toEqual({ trigger: 'tag' });
    const order = deployOrder(registry).map((e) => e.name);
    expect([...order].sort()).toEqual(Object.keys(environments).sort());
    for (const env of Object.values(environments)) {
      if (env.deploy.after) expect(order.indexOf(env.deploy.after)).toBeLessThan(order.indexOf(env.name));
    }
  });

  it('fill in documented defaults', () => {
    expect(environments.dev.services.frontend.imageTag).toBe('latest');
    expect(environments.staging.services.frontend.capacity).toBe('on-demand');
    expect(environments.staging.services.frontend.readonlyRootFilesystem).toBe(true);
    expect(environments.staging.services.frontend.writablePaths).toEqual(['/tmp']);
    expect(environments.staging.services.frontend.deployedByCi).toBe(true);
    expect(environments.staging.ecr.imageTagMutability).toBe('IMMUTABLE');
    expect(environments.staging.waf.rateLimitPerIp).toBe(2000);
    expect(environments.dev.services.frontend.uses).toEqual({
      database: false,
      cache: false,
      identity: false,
      tables: [],
      buckets: [],
    });
    expect(environments.dev.identity?.mfa).toBe('OPTIONAL');
    expect(environments.dev.identity?.requiredAttributes).toEqual(['email']);
    expect(environments.dev.identity?.refreshTokenDays).toBe(30);
    expect(environments.dev.identity?.email).toEqual({ sender: 'cognito' });
    expect(environments.staging.identity?.emailValidation).toEqual({
      reservedConcurrency: 5,
      blockedDomains: [],
      provider: 'log',
    });
    expect(environments.staging.serverless).toEqual({});
    expect(accountOf(registry, environments.dev).account.state.useLockfile).toBe(false);
    expect(environments.dev.compute).toEqual({ platform: 'fargate' });
    expect(environments.dev.alb).toEqual({
      deletionProtection: false,
      idleTimeoutSeconds: 60,
      accessLogRetentionDays: 90,
    });
    expect(environments.prod.alb).toMatchObject({ deletionProtection: true, idleTimeoutSeconds: 60 });
    expect(environments.dev.ingress).toEqual({});
  });

  it('fill in the account defaults, each written once in the schema', () => {
    const accounts = accountsInputCopy();
    delete accounts.main.baseline;
    expect(parseAccountsConfig(accounts).main.baseline).toEqual({
      guardDutyRuntimeMonitoring: false,
      config: { enabled: true, deliveryFrequency: 'TwentyFour_Hours' },
      trailRetentionDays: 365,
      activateCostAllocationTags: false,
      alerts: { critical: [], warning: [] },
    });
  });
});

describe('accounts and the registry', () => {
  it('reject bad account settings with accounts.<slug> paths', () => {
    const accounts = accountsInputCopy();
    accounts.main.accountId = '12';
    accounts.main.adminPrincipalArns = [];
    accounts.main.github.appRepositories = { frontend: 'no-slash' };
    accounts.main.project = 'web_plat';
    accounts.main.state.kmsKeyAlias = 'alias/aws/s3';
    const issues = issuesOf(() => parseAccountsConfig(accounts));
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'accounts.main.accountId',
        'accounts.main.adminPrincipalArns',
        'accounts.main.github.appRepositories.frontend',
        'accounts.main.state.kmsKeyAlias',
      ]),
    );
    expect(issues).toContainEqual({
      path: 'accounts.main.project',
      message: expect.stringMatching(/lowercase slug/),
    });
  });

  it('rejects an environment whose account is not in accounts.ts', () => {
    const env = envInput('dev');
    env.accountId = '999999999999';
    const issues = issuesOf(() => registryOf([env]));
    expect(issues).toContainEqual({
      path: 'environments.dev.accountId',
      message: expect.stringMatching(/not an account in environments\/accounts\.ts/),
    });
    const known = Object.entries(registry.accounts).map(([slug, a]) => `${slug}=${a.accountId}`);
    expect(issues.find((i) => i.path === 'environments.dev.accountId')?.message).toContain(
      `(accounts: ${known.join(', ')})`,
    );
  });

  it('rejects an application repository mapped to a service no environment of the account has', () => {
    const accounts = accountsInputCopy();
    const [slug] = Object.keys(accounts);
    accounts[slug].github.appRepositories = {
      ...accounts[slug].github.appRepositories,
      bakend: 'example-org/x',
    };
    // Its ids are given, so the account schema passes and the registry's own check is what fails.
    // (a copy: the accounts share one ids object)
    const ids = accounts[slug].github.repositoryIds;
    const ownerId = Object.values<{ ownerId: string }>(ids)[0].ownerId;
    accounts[slug].github.repositoryIds = { ...ids, 'example-org/x': { id: '100000009', ownerId } };
    const issues = issuesOf(() => registryOf(environmentInputs as any[], accounts));
    const services = [
      ...new Set(Object.values(registry.environments).flatMap((e) => Object.keys(e.services))),
    ].sort();
    expect(issues).toContainEqual({
      path: `accounts.${slug}.github.appRepositories.bakend`,
      message: `bakend is not a service of the account's environments (services: ${services.join(', ')})`,
    });
  });

  it('rejects environments that write project or state (the account holds them)', () => {
    const b = envInput('staging');
    b.project = 'other';
    b.state = { bucket: 'another-bucket' };
    const issues = issuesOf(() => registryOf([envInput('dev'), b]));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'environments.staging.project', message: 'unknown key' },
        { path: 'environments.staging.state', message: 'unknown key' },
      ]),
    );
  });

  it('warns about an account no environment uses, and rejects duplicate environment names', () => {
    const accounts = accountsInputCopy();
    accounts.spare = { ...accounts.main, accountId: '222222222222' };
    const issues = issuesOf(() => registryOf([envInput('dev'), envInput('dev')], accounts));
    expect(issues.map((i) => i.path)).toContain('environments.dev.name');
    const reg = registryOf([envInput('dev')], accounts);
    expect(reg.warnings).toContainEqual({
      path: 'accounts.spare',
      message: expect.stringMatching(/no environment deploys into account 222222222222/),
    });
    expect(Object.keys(buildStacks(reg).state)).toEqual(Object.keys(reg.accounts));
  });

  it('prefixes environment problems with the environment name', () => {
    const env = envInput('staging');
    env.logs.retentionDays = 2;
    const issues = issuesOf(() => registryOf([env]));
    expect(issues.map((i) => i.path)).toContain('environments.staging.logs.retentionDays');
  });

  it('lists the valid names in reference errors', () => {
    const env = envInput('dev');
    env.services.backend.uses.tables = ['jobs'];
    env.services.backend.uses.buckets = ['photos'];
    const issues = issuesOf(() => parseEnvironmentConfig(env));
    const tables = Object.keys(env.tables).join(', ');
    const buckets = Object.keys(env.buckets).join(', ');
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          path: 'services.backend.uses.tables[0]',
          message: `jobs is not a table in tables (tables: ${tables})`,
        },
        {
          path: 'services.backend.uses.buckets[0]',
          message: `photos is not a bucket in buckets (buckets: ${buckets})`,
        },
      ]),
    );
    env.tables = {};
    env.services.backend.uses.tables = ['sessions'];
    expect(issuesOf(() => parseEnvironmentConfig(env))).toContainEqual({
      path: 'services.backend.uses.tables[0]',
      message: 'sessions is not a table in tables (tables: none)',
    });
  });

  it('rejects two environments with one domain name, naming the other', () => {
    const qa = envInput('staging');
    qa.name = 'qa';
    qa.dns.domainName = envInput('staging').dns.domainName;
    const issues = issuesOf(() => registryOf([envInput('staging'), qa]));
    expect(issues).toContainEqual({
      path: 'environments.qa.dns.domainName',
      message: expect.stringMatching(/already the domain of environment staging/),
    });
  });

  it("derives the account's recovery region from its environments, and rejects two in one account", () => {
    expect(accountRecoveryRegion(registry, 'main')).toBe('us-west-2');
    expect(accountRecoveryRegion(registry, 'enterprise')).toBe('us-west-2');
    // Only dev and staging (strategy 'none'): the account has no recovery region.
    expect(accountRecoveryRegion(registryOf([envInput('dev'), envInput('staging')]), 'main')).toBeUndefined();
    const qa = envInput('staging');
    qa.name = 'qa';
    qa.dns.domainName = `qa.${qa.dns.domainName}`;
    qa.recovery = {
      strategy: 'backup-restore',
      region: 'us-west-2',
      rpoMinutes: 1860,
      rtoMinutes: 240,
      healthCheckPath: '/api/v1/health',
    };
    qa.recovery.region = 'eu-west-1';
    const issues = issuesOf(() => registryOf([envInput('prod'), qa]));
    expect(issues).toContainEqual({
      path: 'environments.qa.recovery.region',
      message: expect.stringMatching(
        /^eu-west-1 differs from us-west-2 at environments\.prod\.recovery\.region: the environments of account main recover into one region/,
      ),
    });
    // The same region in both is fine.
    qa.recovery.region = 'us-west-2';
    expect(accountRecoveryRegion(registryOf([envInput('prod'), qa]), 'main')).toBe('us-west-2');
  });

  it("rejects an environment named after another plus '-' (its name fences would cover it)", () => {
    const eu = envInput('staging');
    eu.name = 'staging-eu';
    eu.dns.domainName = `eu.${eu.dns.domainName}`;
    const issues = issuesOf(() => registryOf([envInput('staging'), eu]));
    expect(issues).toContainEqual({
      path: 'environments.staging-eu.name',
      message: expect.stringMatching(/^staging-eu starts with staging-: staging's name fences/),
    });
    // A name that merely shares letters is fine.
    expect(() => registryOf([envInput('staging'), { ...eu, name: 'stagingeu' }])).not.toThrow();
  });

  it('warns (does not reject) when VPCs of one account overlap', () => {
    // The committed dev and prod share seed 001's 10.0.0.0/16.
    const same = registry.warnings.filter((w) => /vpcCidr$/.test(w.path));
    for (const w of same) expect(w.message).toMatch(/is the same as|overlaps/);
    const qa = envInput('staging');
    qa.name = 'qa';
    qa.dns.domainName = 'qa.example.net';
    qa.network.vpcCidr = '10.1.0.0/17';
    const reg = registryOf([envInput('staging'), qa]);
    expect(reg.warnings).toContainEqual({
      path: 'environments.qa.network.vpcCidr',
      message: expect.stringMatching(/^10\.1\.0\.0\/17 overlaps staging's 10\.1\.0\.0\/16 in account main/),
    });
    qa.network.vpcCidr = '10.1.0.0/16';
    expect(registryOf([envInput('staging'), qa]).warnings).toContainEqual({
      path: 'environments.qa.network.vpcCidr',
      message: expect.stringMatching(/is the same as staging's/),
    });
  });

  describe('deploy chain', () => {
    const named = (name: string, deploy: unknown, domain = `${name}.example.net`) => {
      const env = envInput('staging');
      env.name = name;
      env.dns.domainName = domain;
      env.network.vpcCidr = '10.1.0.0/16';
      env.deploy = deploy;
      return env;
    };

    it('rejects deploy.after naming no other environment, listing the valid names', () => {
      const issues = issuesOf(() =>
        buildRegistryOf([named('ea', { trigger: 'push' }), named('eb', { trigger: 'push', after: 'ec' })]),
      );
      expect(issues).toContainEqual({
        path: 'environments.eb.deploy.after',
        message: 'ec is not an environment; deploy after one of the others (environments: ea)',
      });
      const self = issuesOf(() => buildRegistryOf([named('ea', { trigger: 'push', after: 'ea' })]));
      expect(self[0]).toMatchObject({
        path: 'environments.ea.deploy.after',
        message: /this environment itself/,
      });
    });

    it('does not blame deploy.after for an environment that failed on its own', () => {
      const broken = named('ea', { trigger: 'push' });
      broken.logs.retentionDays = 2;
      const issues = issuesOf(() => buildRegistryOf([broken, named('eb', { trigger: 'push', after: 'ea' })]));
      expect(issues.map((i) => i.path)).toEqual(['environments.ea.logs.retentionDays']);
    });

    it('rejects a cycle, naming it', () => {
      const issues = issuesOf(() =>
        buildRegistryOf([
          named('ea', { trigger: 'push' }),
          named('eb', { trigger: 'push', after: 'ec' }),
          named('ec', { trigger: 'push', after: 'eb' }),
        ]),
      );
      expect(issues).toEqual([
        { path: 'environments.eb.deploy.after', message: 'the deploy chain has a cycle: eb -> ec -> eb' },
      ]);
    });

    it('orders environments by the chain, then by declaration', () => {
      const reg = buildRegistryOf([
        named('ec', { trigger: 'push', after: 'eb' }),
        named('ex', { trigger: 'tag' }),
        named('eb', { trigger: 'push', after: 'ea' }),
        named('ea', { trigger: 'push' }),
      ]);
      expect(deployOrder(reg).map((e) => e.name)).toEqual(['ea', 'eb', 'ec', 'ex']);
    });
  });
});

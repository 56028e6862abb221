import {
  accountOf,
  buildRegistry,
  deployOrder,
  environmentInputs,
  environments,
  registry,
} from '../environments';
import { accounts as accountsInput } from '../environments/accounts';
import { EnvironmentConfigError, parseAccountsConfig, parseEnvironmentConfig } from '../environments/schema';
import { accountsInputCopy, auroraServerless, buildStacks, envInput, registryOf } from './support/fixtures';

/** A registry of exactly these environments (unlike registryOf, the deploy chain is not cut). */
const buildRegistryOf = (envs: unknown[]) => buildRegistry(accountsInput, envs);

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvironmentConfigError) return [...e.issues];
    throw e;
  }
  throw new Error('expected an EnvironmentConfigError');
}

/** Expects parsing `input` to fail with an issue at `path` whose message matches `message`. */
function expectRejected(input: unknown, path: string, message: RegExp): void {
  const issues = issuesOf(() => parseEnvironmentConfig(input));
  const hit = issues.find((i) => i.path === path && message.test(i.message));
  if (!hit)
    throw new Error(
      `no issue at ${path} matching ${message}; got:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`,
    );
  // The message of the error names the path, so a person reading the synth output sees it.
  expect(() => parseEnvironmentConfig(input)).toThrow(path);
}

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
        minCapacity: 1,
        maxCapacity: 4,
        cpuTargetPercent: 70,
      });
      expect(env.database).toMatchObject({ engine: 'postgres', engineVersion: expect.stringMatching(/^16/) });
      expect(env.cache?.engineVersion).toBe('7.1');
      expect(env.logs.retentionDays).toBe(30);
    }
    expect(environments.dev.network.natGateways).toBe('single');
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
      tables: [],
      buckets: [],
    });
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
    });
  });
});

describe('validation rejects each bad case with its path', () => {
  const cases: Array<[string, (c: any) => void, string, RegExp]> = [
    // formats
    ['unknown key', (c) => (c.network.natGateway = 'single'), 'network.natGateway', /unknown key/],
    [
      'unknown nested key',
      (c) => (c.services.backend.uses.databse = true),
      'services.backend.uses.databse',
      /unknown key/,
    ],
    ['name slug', (c) => (c.name = 'Dev'), 'name', /lowercase slug/],
    ["project is the account's", (c) => (c.project = 'webplat'), 'project', /unknown key/],
    ["state is the account's", (c) => (c.state = { bucket: 'x' }), 'state', /unknown key/],
    ['compute platform', (c) => (c.compute = { platform: 'eks' }), 'compute.platform', /fargate/],
    ['deploy trigger', (c) => (c.deploy = { trigger: 'schedule' }), 'deploy.trigger', /push|tag|manual/],
    [
      'deploy after with a tag trigger',
      (c) => (c.deploy = { trigger: 'tag', after: 'dev' }),
      'deploy.after',
      /only applies to trigger 'push'/,
    ],
    ['tier', (c) => (c.tier = 'prod'), 'tier', /production/],
    ['account id', (c) => (c.accountId = '1234'), 'accountId', /12-digit/],
    ['region', (c) => (c.region = 'us-east'), 'region', /AWS region/],
    [
      'az format',
      (c) => (c.network.availabilityZones[1] = 'use1-az1'),
      'network.availabilityZones[1]',
      /availability zone/,
    ],
    [
      'az outside region',
      (c) => (c.network.availabilityZones[1] = 'us-west-2a'),
      'network.availabilityZones[1]',
      /not in region us-east-1/,
    ],
    [
      'az twice',
      (c) => (c.network.availabilityZones[1] = 'us-east-1a'),
      'network.availabilityZones[1]',
      /listed twice/,
    ],
    [
      'az count',
      (c) => (c.network.availabilityZones = ['us-east-1a']),
      'network.availabilityZones',
      /2 or 3/,
    ],
    ['cidr format', (c) => (c.network.vpcCidr = '10.0.0.0/33'), 'network.vpcCidr', /not an IPv4 CIDR/],
    [
      'cidr host bits',
      (c) => (c.network.subnets.public[0] = '10.0.1.7/24'),
      'network.subnets.public[0]',
      /host bits/,
    ],
    ['domain', (c) => (c.dns.domainName = 'Dev.Example'), 'dns.domainName', /domain name/],
    ['hosted zone id', (c) => (c.dns.hostedZoneId = 'abc'), 'dns.hostedZoneId', /hosted zone id/],
    [
      'health check path',
      (c) => (c.services.backend.healthCheckPath = 'health'),
      'services.backend.healthCheckPath',
      /starting with '\/'/,
    ],
    [
      'path pattern',
      (c) => (c.services.backend.pathPatterns = ['api/*']),
      'services.backend.pathPatterns[0]',
      /starting with '\/'/,
    ],
    [
      'service name slug',
      (c) => (c.services.Backend_2 = c.services.backend),
      'services.Backend_2',
      /lowercase slug/,
    ],
    [
      'prefix list id',
      (c) => (c.ingress = { prefixListIds: ['pl-x'] }),
      'ingress.prefixListIds[0]',
      /prefix list/,
    ],
    [
      'secret arn',
      (c) => (c.services.backend.secrets = { API_KEY: { arn: 'nope' } }),
      'services.backend.secrets.API_KEY.arn',
      /Secrets Manager/,
    ],
    ['email', (c) => (c.budget.alertEmails = ['ops']), 'budget.alertEmails[0]', /email/],
    ['reserved tag', (c) => (c.tags.Environment = 'x'), 'tags.Environment', /set by the platform/],
    // subnets
    [
      'subnet outside vpc',
      (c) => (c.network.subnets.private[1] = '10.1.0.0/24'),
      'network.subnets.private[1]',
      /10\.1\.0\.0\/24 is outside vpcCidr 10\.0\.0\.0\/16/,
    ],
    [
      'subnet overlap',
      (c) => (c.network.subnets.isolated[0] = '10.0.10.0/25'),
      'network.subnets.isolated[0]',
      /overlaps network\.subnets\.private\[0\]/,
    ],
    [
      'subnet count per AZ',
      (c) => c.network.subnets.isolated.pop(),
      'network.subnets.isolated',
      /1 subnet for 2 availability zones/,
    ],
    ['vpc prefix', (c) => (c.network.vpcCidr = '10.0.0.0/8'), 'network.vpcCidr', /\/16 to \/24/],
    // nat
    [
      'nat none without endpoints',
      (c) => (c.network.natGateways = 'none'),
      'network.interfaceEndpoints',
      /missing: ecr\.api, ecr\.dkr, logs, secretsmanager, sts/,
    ],
    [
      'gateway endpoint listed as interface',
      (c) => (c.network.interfaceEndpoints = ['s3']),
      'network.interfaceEndpoints[0]',
      /gateway endpoint/,
    ],
    // services
    ['fargate cpu', (c) => (c.services.backend.cpu = 300), 'services.backend.cpu', /not a Fargate cpu size/],
    [
      'fargate pair',
      (c) => (c.services.backend.memory = 4096),
      'services.backend.memory',
      /not valid with cpu 256/,
    ],
    ['port range', (c) => (c.services.backend.port = 70000), 'services.backend.port', /1 to 65535/],
    ['port zero', (c) => (c.services.backend.port = 0), 'services.backend.port', /1 to 65535/],
    [
      'min > max',
      (c) => (c.services.backend.autoscaling.minCapacity = 5),
      'services.backend.autoscaling.minCapacity',
      /above maxCapacity 4/,
    ],
    [
      'desired outside min..max',
      (c) => (c.services.backend.desiredCount = 9),
      'services.backend.desiredCount',
      /outside autoscaling min 1 \.\. max 4/,
    ],
    [
      'cpu percent',
      (c) => (c.services.backend.autoscaling.cpuTargetPercent = 120),
      'services.backend.autoscaling.cpuTargetPercent',
      /percentage/,
    ],
    [
      'memory percent',
      (c) => (c.services.backend.autoscaling.memoryTargetPercent = 0),
      'services.backend.autoscaling.memoryTargetPercent',
      /percentage/,
    ],
    ['no default service', (c) => (c.services.frontend.pathPatterns = ['/app/*']), 'services', /none has/],
    [
      'two default services',
      (c) => (c.services.backend.pathPatterns = ['/*']),
      'services',
      /frontend, backend do/,
    ],
    [
      'duplicate path pattern',
      (c) => (c.services.extra = { ...c.services.backend, pathPatterns: ['/api/*'] }),
      'services.extra.pathPatterns[0]',
      /already routed to backend/,
    ],
    [
      'duplicate priority',
      (c) => {
        c.services.backend.priority = 10;
        c.services.extra = { ...c.services.backend, pathPatterns: ['/x/*'], priority: 10 };
      },
      'services.extra.priority',
      /already used by backend/,
    ],
    ['uses missing database', (c) => delete c.database, 'services.backend.uses.database', /no database/],
    [
      'uses missing table',
      (c) => (c.services.backend.uses.tables = ['orders']),
      'services.backend.uses.tables[0]',
      /orders is not a table/,
    ],
    [
      'uses missing bucket',
      (c) => (c.services.backend.uses.buckets = ['photos']),
      'services.backend.uses.buckets[0]',
      /photos is not a bucket/,
    ],
    [
      'schedule above max',
      (c) =>
        (c.services.backend.autoscaling.schedules = [
          { name: 'peak', schedule: 'cron(0 8 ? * MON-FRI *)', minCapacity: 2, maxCapacity: 8 },
        ]),
      'services.backend.autoscaling.schedules[0].maxCapacity',
      /above the service's maxCapacity/,
    ],
    [
      'schedule expression',
      (c) =>
        (c.services.backend.autoscaling.schedules = [
          { name: 'peak', schedule: '0 8 * * *', minCapacity: 1, maxCapacity: 2 },
        ]),
      'services.backend.autoscaling.schedules[0].schedule',
      /cron/,
    ],
    // database
    [
      'db class prefix',
      (c) => (c.database.instanceClass = 't4g.micro'),
      'database.instanceClass',
      /starting with 'db\.'/,
    ],
    [
      'mysql version with postgres',
      (c) => (c.database.engineVersion = '8.0.39'),
      'database.engineVersion',
      /not valid for engine postgres/,
    ],
    [
      'postgres version with mysql',
      (c) => (c.database.engine = 'mysql'),
      'database.engineVersion',
      /not valid for engine mysql/,
    ],
    [
      'aurora micro class',
      (c) => {
        c.database = {
          engine: 'aurora-postgresql',
          engineVersion: '16.4',
          instanceClass: 'db.t4g.micro',
          instances: 2,
          backupRetentionDays: 7,
          deletionProtection: true,
          skipFinalSnapshot: false,
        };
      },
      'database.instanceClass',
      /RDS class Aurora does not offer/,
    ],
    [
      'aurora with rds-only field',
      (c) => {
        c.database = {
          engine: 'aurora-postgresql',
          engineVersion: '16.4',
          instanceClass: 'db.r6g.large',
          instances: 2,
          multiAz: true,
          backupRetentionDays: 7,
          deletionProtection: true,
          skipFinalSnapshot: false,
        };
      },
      'database.multiAz',
      /only applies to postgres and mysql/,
    ],
    [
      'rds with aurora-only field',
      (c) => (c.database.instances = 2),
      'database.instances',
      /only applies to aurora-postgresql/,
    ],
    [
      'serverless without capacity',
      (c) => {
        c.database = {
          engine: 'aurora-postgresql',
          engineVersion: '16.4',
          instanceClass: 'db.serverless',
          instances: 1,
          backupRetentionDays: 7,
          deletionProtection: true,
          skipFinalSnapshot: false,
        };
      },
      'database.serverlessV2',
      /required with instanceClass db\.serverless/,
    ],
    [
      'storage minimum',
      (c) => (c.database.allocatedStorageGb = 10),
      'database.allocatedStorageGb',
      /at least 20 GiB/,
    ],
    [
      'storage autoscaling headroom',
      (c) => (c.database.maxAllocatedStorageGb = 21),
      'database.maxAllocatedStorageGb',
      /at least 10% above/,
    ],
    [
      'backup retention',
      (c) => (c.database.backupRetentionDays = 40),
      'database.backupRetentionDays',
      /1 to 35 days/,
    ],
    // cache
    [
      'cache node prefix',
      (c) => (c.cache.nodeType = 't4g.micro'),
      'cache.nodeType',
      /starting with 'cache\.'/,
    ],
    ['cache version', (c) => (c.cache.engineVersion = '5.0'), 'cache.engineVersion', /Redis 7\.0 or 7\.1/],
    [
      'failover needs 2 nodes',
      (c) => (c.cache.automaticFailover = true),
      'cache.automaticFailover',
      /at least 2 nodes/,
    ],
    [
      'cluster mode xor nodes',
      (c) => (c.cache.clusterMode = { shards: 2, replicasPerShard: 1 }),
      'cache',
      /exactly one of numCacheClusters/,
    ],
    [
      'cache snapshot retention',
      (c) => (c.cache.snapshotRetentionDays = 36),
      'cache.snapshotRetentionDays',
      /35 days/,
    ],
    // logs
    ['log retention', (c) => (c.logs.retentionDays = 31), 'logs.retentionDays', /retention values/],
    [
      'flow log retention',
      (c) => (c.network.flowLogs.retentionDays = 2),
      'network.flowLogs.retentionDays',
      /retention values/,
    ],
  ];

  it.each(cases)('%s', (_name, mutate, path, message) => {
    const input = envInput('dev');
    mutate(input);
    expectRejected(input, path, message);
  });

  describe("tier 'production' guards", () => {
    const guards: Array<[string, (c: any) => void, string, RegExp]> = [
      [
        'deletion protection',
        (c) => (c.database.deletionProtection = false),
        'database.deletionProtection',
        /production/,
      ],
      [
        'final snapshot',
        (c) => (c.database.skipFinalSnapshot = true),
        'database.skipFinalSnapshot',
        /production/,
      ],
      ['multi-AZ', (c) => (c.database.multiAz = false), 'database.multiAz', /production/],
      ['per-AZ NAT', (c) => (c.network.natGateways = 'single'), 'network.natGateways', /'perAz' is required/],
      [
        'cache failover',
        (c) => {
          c.cache.automaticFailover = false;
        },
        'cache.automaticFailover',
        /production/,
      ],
      [
        'two Aurora instances',
        (c) => {
          c.database = {
            engine: 'aurora-postgresql',
            engineVersion: '16.4',
            instanceClass: 'db.r6g.large',
            instances: 1,
            backupRetentionDays: 7,
            deletionProtection: true,
            skipFinalSnapshot: false,
          };
        },
        'database.instances',
        /at least 2/,
      ],
    ];
    it.each(guards)('%s', (_name, mutate, path, message) => {
      const input = envInput('prod');
      mutate(input);
      expectRejected(input, path, message);
    });

    it('the same settings pass for a non-production tier', () => {
      const input = envInput('prod');
      input.tier = 'non-production';
      input.database.deletionProtection = false;
      input.network.natGateways = 'single';
      expect(() => parseEnvironmentConfig(input)).not.toThrow();
    });
  });

  it('lists every problem at once, each with its path', () => {
    const input = envInput('dev');
    input.network.subnets.private[1] = '10.1.0.0/24';
    input.services.backend.port = 0;
    input.logs.retentionDays = 31;
    input.database.engineVersion = '8.0';
    const issues = issuesOf(() => parseEnvironmentConfig(input));
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'database.engineVersion',
        'logs.retentionDays',
        'network.subnets.private[1]',
        'services.backend.port',
      ].sort(),
    );
    try {
      parseEnvironmentConfig(input);
    } catch (e) {
      expect((e as Error).message).toContain(
        'network.subnets.private[1]: 10.1.0.0/24 is outside vpcCidr 10.0.0.0/16',
      );
      expect((e as Error).message).toMatch(/4 problems/);
    }
  });

  it('accepts the engine variants with their own fields', () => {
    const mysql = envInput('dev');
    mysql.database.engine = 'mysql';
    mysql.database.engineVersion = '8.0.39';
    expect(parseEnvironmentConfig(mysql).database?.engine).toBe('mysql');
    const aurora = envInput('prod');
    aurora.database = auroraServerless();
    expect(parseEnvironmentConfig(aurora).database?.engine).toBe('aurora-postgresql');
  });

  it('accepts 3 AZs and NAT none with the required endpoints', () => {
    const input = envInput('dev');
    input.network.availabilityZones.push('us-east-1c');
    input.network.subnets.public.push('10.0.3.0/24');
    input.network.subnets.private.push('10.0.12.0/24');
    input.network.subnets.isolated.push('10.0.22.0/24');
    input.network.natGateways = 'none';
    input.network.interfaceEndpoints = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sts'];
    expect(parseEnvironmentConfig(input).network.availabilityZones).toHaveLength(3);
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

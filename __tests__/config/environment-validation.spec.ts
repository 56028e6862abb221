import { parseEnvironmentConfig, recoveryCopies } from '../../environments/schema';
import { auroraServerless, envInput } from '../support/fixtures';
import { expectRejected, issuesOf } from '../support/config-errors';

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
    ['compute platform', (c) => (c.compute = { platform: 'kubernetes' }), 'compute.platform', /fargate/],
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
    // database identities and the bootstrap
    [
      'bootstrap image by tag only',
      (c) => (c.database.bootstrapImage = 'public.ecr.aws/docker/library/postgres:17-alpine'),
      'database.bootstrapImage',
      /pinned by digest/,
    ],
    [
      'bootstrap image with a short digest',
      (c) => (c.database.bootstrapImage = 'postgres@sha256:abc'),
      'database.bootstrapImage',
      /pinned by digest/,
    ],
    [
      'legacy tables owner not a service',
      (c) => (c.database.legacyTablesOwner = 'nobody'),
      'database.legacyTablesOwner',
      /must be a service that uses the database \(services: backend\)/,
    ],
    [
      'legacy tables owner without the database',
      (c) => (c.database.legacyTablesOwner = 'frontend'),
      'database.legacyTablesOwner',
      /must be a service that uses the database/,
    ],
    [
      'migrations of a service that does not use the database (it has no migration user)',
      (c) => (c.services.frontend.migrations = { command: ['migrate'] }),
      'services.frontend.migrations',
      /own migration user: set uses.database/,
    ],
    [
      'master password version',
      (c) => (c.database.masterPasswordVersion = 0),
      'database.masterPasswordVersion',
      /1/,
    ],
    [
      'request-count scaling of a service without a target group',
      (c) => {
        c.services.worker = {
          ...c.services.backend,
          pathPatterns: undefined,
          autoscaling: { minCapacity: 1, maxCapacity: 2, cpuTargetPercent: 70, requestsPerTarget: 100 },
        };
      },
      'services.worker.autoscaling.requestsPerTarget',
      /needs pathPatterns/,
    ],
    [
      'request-count scaling of a blue/green service',
      (c) => {
        c.services.backend.autoscaling.requestsPerTarget = 100;
        c.services.backend.deployment = { type: 'blueGreen' };
      },
      'services.backend.autoscaling.requestsPerTarget',
      /blue\/green deployments swap/,
    ],
    [
      'step scale-in too close to the CPU target',
      (c) => (c.services.backend.autoscaling.stepScaleIn = { cpuBelowPercent: 60 }),
      'services.backend.autoscaling.stepScaleIn.cpuBelowPercent',
      /at least 20 points below cpuTargetPercent 70, or scale-in and scale-out fight/,
    ],
  ];

  describe('recovery objectives', () => {
    const restore = {
      strategy: 'backup-restore',
      region: 'us-west-2',
      rpoMinutes: 1860,
      rtoMinutes: 240,
      healthCheckPath: '/api/v1/health',
    };
    const recovery: Array<[string, (c: any) => void, string, RegExp]> = [
      ['strategy required', (c) => delete c.recovery.strategy, 'recovery.strategy', /expected one of/],
      ['recovery required', (c) => delete c.recovery, 'recovery', /required/],
      ['unknown strategy', (c) => (c.recovery = { strategy: 'pilot-light' }), 'recovery.strategy', /none/],
      ['unknown key', (c) => (c.recovery.copies = 2), 'recovery.copies', /unknown key/],
      [
        'region required',
        (c) => (c.recovery = { ...restore, region: undefined }),
        'recovery.region',
        /required with strategy 'backup-restore'/,
      ],
      [
        'rpo required',
        (c) => (c.recovery = { ...restore, rpoMinutes: undefined }),
        'recovery.rpoMinutes',
        /required/,
      ],
      [
        'rto required',
        (c) => (c.recovery = { ...restore, rtoMinutes: undefined }),
        'recovery.rtoMinutes',
        /required/,
      ],
      [
        'rpo positive int',
        (c) => (c.recovery = { ...restore, rpoMinutes: 1.5 }),
        'recovery.rpoMinutes',
        /int/,
      ],
      [
        'rpo below what the database copy achieves (an RDS instance: replicated automated backups)',
        (c) => {
          c.recovery = { ...restore, rpoMinutes: 10 };
          c.backup = {};
        },
        'recovery.rpoMinutes',
        /^10 cannot be met: database reaches us-west-2 through its replicated automated backups .* 15 minutes/,
      ],
      [
        'rpo below the daily copies with an Aurora cluster',
        (c) => {
          c.recovery = { ...restore, rpoMinutes: 60 };
          c.backup = {};
          c.database = auroraServerless();
        },
        'recovery.rpoMinutes',
        /^60 cannot be met: database reaches us-west-2 only through the backup plan's daily copies .* 1860 minutes/,
      ],
      [
        'a replicated table streaming other than NEW_AND_OLD_IMAGES',
        (c) => {
          c.recovery = { ...restore, rpoMinutes: 60 };
          c.backup = {};
          c.tables.sessions.stream = 'NEW_IMAGE';
        },
        'tables.sessions.stream',
        /NEW_IMAGE cannot carry a global table replica .* use NEW_AND_OLD_IMAGES/,
      ],
      [
        'a health check path no load-balanced service serves',
        (c) => {
          c.recovery = { ...restore, healthCheckPath: '/healthz' };
          c.backup = {};
          c.services.frontend.pathPatterns = ['/app/*'];
        },
        'recovery.healthCheckPath',
        /\/healthz is served by no load-balanced service/,
      ],
      [
        'a health check outside us-east-1 (Route 53 metrics live there)',
        (c) => {
          c.recovery = { ...restore, region: 'us-east-1' };
          c.backup = {};
          c.region = 'us-west-2';
        },
        'recovery.healthCheckPath',
        /publishes its metrics in us-east-1 only \(us-west-2: not built\)/,
      ],
      [
        'a health check with none',
        (c) => (c.recovery = { strategy: 'none', healthCheckPath: '/api/v1/health' }),
        'recovery.healthCheckPath',
        /no meaning with strategy 'none'/,
      ],
      [
        'rto below the restore floor',
        (c) => (c.recovery = { ...restore, rtoMinutes: 30 }),
        'recovery.rtoMinutes',
        /30 cannot be met by 'backup-restore'.*120 minutes/,
      ],
      [
        'objectives with none',
        (c) => (c.recovery = { strategy: 'none', rpoMinutes: 60 }),
        'recovery.rpoMinutes',
        /no meaning with strategy 'none'/,
      ],
      [
        "the environment's own region",
        (c) => (c.recovery = { ...restore, region: 'us-east-1' }),
        'recovery.region',
        /own region/,
      ],
      [
        'backup-restore without a backup section',
        (c) => {
          c.recovery = restore;
          delete c.backup;
        },
        'recovery.strategy',
        /needs a backup section/,
      ],
    ];
    it.each(recovery)('%s', (_name, mutate, path, message) => {
      const input = envInput('dev');
      mutate(input);
      expectRejected(input, path, message);
    });

    it('accepts the objectives backup-restore can meet', () => {
      const input = envInput('dev');
      input.recovery = restore;
      input.backup = {};
      expect(parseEnvironmentConfig(input).recovery).toEqual(restore);
    });

    it('gives each store of record the cheapest copy that meets the RPO', () => {
      const input = envInput('dev');
      input.backup = {};
      input.buckets.scratch = { versioned: false };
      const copies = (rpoMinutes: number) => {
        input.recovery = { ...restore, rpoMinutes };
        return recoveryCopies(parseEnvironmentConfig(input)).map(
          (c) => `${c.path.join('.')} ${c.copy} ${c.rpoMinutes}`,
        );
      };
      // The daily copies' RPO: tables and buckets need nothing faster; an RDS instance's backups are replicated anyway.
      expect(copies(1860)).toEqual([
        'database automatedBackupsReplication 15',
        'tables.sessions backupCopy 1860',
        'buckets.media backupCopy 1860',
        'buckets.exports backupCopy 1860',
      ]);
      // An hour: a replica table and S3 Replication Time Control; the unversioned bucket is no store of record.
      expect(copies(60)).toEqual([
        'database automatedBackupsReplication 15',
        'tables.sessions tableReplica 1',
        'buckets.media bucketReplicationTimeControl 15',
        'buckets.exports bucketReplicationTimeControl 15',
      ]);
      input.recovery = { strategy: 'none' };
      expect(recoveryCopies(parseEnvironmentConfig(input))).toEqual([]);
    });
  });

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
      ['a backup plan for its data', (c) => delete c.backup, 'backup', /backup plan .* tier 'production'/],
      [
        'a recovery strategy',
        (c) => (c.recovery = { strategy: 'none' }),
        'recovery.strategy',
        /'none' is not allowed with tier 'production'/,
      ],
      [
        'backup.copyToRegion is gone',
        (c) => (c.backup.copyToRegion = 'us-west-2'),
        'backup.copyToRegion',
        /unknown key/,
      ],
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
      [
        'cache final snapshot',
        (c) => (c.cache.skipFinalSnapshot = true),
        'cache.skipFinalSnapshot',
        /production/,
      ],
      [
        'two tasks at rest',
        (c) => {
          c.services.frontend.desiredCount = 1;
          c.services.frontend.autoscaling.minCapacity = 1;
        },
        'services.frontend.desiredCount',
        /at least 2 is required with tier 'production'/,
      ],
      [
        'two tasks after scale-in',
        (c) => (c.services.backend.autoscaling.minCapacity = 1),
        'services.backend.autoscaling.minCapacity',
        /at least 2 is required with tier 'production'/,
      ],
      [
        'two tasks on a schedule',
        (c) =>
          (c.services.backend.autoscaling.schedules = [
            { name: 'night', schedule: 'cron(0 20 * * ? *)', minCapacity: 1, maxCapacity: 2 },
          ]),
        'services.backend.autoscaling.schedules[0].minCapacity',
        /at least 2 is required with tier 'production'/,
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
      input.cache.skipFinalSnapshot = true;
      input.services.backend.desiredCount = 1;
      input.services.backend.autoscaling.minCapacity = 1;
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
    // An Aurora cluster reaches the recovery region through the daily copies only (rejected at 60 above).
    aurora.recovery.rpoMinutes = 1860;
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
    input.database.bootstrapImage = `${input.accountId}.dkr.ecr.us-east-1.amazonaws.com/postgres@sha256:${'a'.repeat(64)}`;
    input.observability = {
      ...input.observability,
      tracing: {
        collectorImage: `${input.accountId}.dkr.ecr.us-east-1.amazonaws.com/aws-otel-collector@sha256:${'b'.repeat(64)}`,
      },
    };
    expect(parseEnvironmentConfig(input).network.availabilityZones).toHaveLength(3);
  });

  it('keeps room for the app beside the OpenTelemetry collector, and its ports free', () => {
    const input = envInput('dev');
    input.services.backend.sidecars = [
      { name: 'agent', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 192, memoryReservation: 64 },
    ];
    expectRejected(input, 'services.backend.sidecars', /reserve 256 of the task's 256 cpu units/);
    input.services.backend.sidecars = [
      { name: 'agent', image: 'public.ecr.aws/nginx/nginx:1.27', memoryReservation: 384, port: 4318 },
    ];
    expectRejected(input, 'services.backend.sidecars', /reserve 512 of the task's 512 MiB/);
    expectRejected(input, 'services.backend.sidecars[0].port', /OpenTelemetry collector's/);
  });

  it('refuses, without NAT, every public image the platform would pull', () => {
    const input = envInput('dev');
    input.network.natGateways = 'none';
    input.network.interfaceEndpoints = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sts'];
    expectRejected(
      input,
      'database.bootstrapImage',
      /public SQL client image cannot be pulled with natGateways 'none'/,
    );
    expectRejected(input, 'observability.tracing.collectorImage', /OpenTelemetry collector sidecar's image/);
    input.services.backend.sidecars = [{ name: 'proxy', image: 'public.ecr.aws/nginx/nginx:1.27' }];
    expectRejected(input, 'services.backend.sidecars[0].image', /nginx.*cannot be pulled/);
  });
});

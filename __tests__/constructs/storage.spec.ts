import { KEYS, byPrefix, configOf } from '../support/bare';
import { bindingsOf, dataLayer } from '../support/data-layer';
import { envInput, policy, synthPlatform } from '../support/fixtures';

const dev = dataLayer(configOf('dev'));
const prod = dataLayer(configOf('prod'));
const ingressOf = (out: ReturnType<typeof dataLayer>, group: RegExp) =>
  out
    .resources('aws_vpc_security_group_ingress_rule')
    .filter(([, r]) => group.test(r.security_group_id))
    .map(([, r]) => r);
const statementsOf = (out: ReturnType<typeof dataLayer>, service: string): any[] =>
  bindingsOf(out, service).statements;

describe('Redis', () => {
  it('encrypts at rest (KMS) and in transit, authenticates by RBAC with an IAM user', () => {
    const rg = dev.only('aws_elasticache_replication_group');
    expect(rg).toMatchObject({
      engine: 'redis',
      engine_version: '7.1',
      node_type: 'cache.t4g.micro',
      num_cache_clusters: 1,
      at_rest_encryption_enabled: 'true',
      transit_encryption_enabled: true,
      transit_encryption_mode: 'required',
      automatic_failover_enabled: false,
      multi_az_enabled: false,
      snapshot_retention_limit: 5,
      snapshot_window: '03:00-05:00',
    });
    expect(rg.auth_token).toBeUndefined();
    expect(rg.kms_key_id).toBe(KEYS.data);
    expect(rg.user_group_ids).toEqual([expect.stringMatching(/aws_elasticache_user_group/)]);
    const users = Object.fromEntries(dev.resources('aws_elasticache_user').map(([, u]) => [u.user_name, u]));
    expect(users.default).toMatchObject({ access_string: 'off -@all' });
    expect(users['webplat-dev-redis-app']).toMatchObject({
      user_id: 'webplat-dev-redis-app',
      authentication_mode: { type: 'iam' },
    });
    expect(JSON.stringify(dev.resources('aws_elasticache_user'))).not.toMatch(/passwords/);
  });

  it('evicts allkeys-lru and logs slow and engine logs to CloudWatch', () => {
    expect(dev.only('aws_elasticache_parameter_group')).toMatchObject({
      family: 'redis7',
      parameter: [{ name: 'maxmemory-policy', value: 'allkeys-lru' }],
    });
    const logs = dev.only('aws_elasticache_replication_group').log_delivery_configuration;
    expect(logs.map((l: any) => l.log_type).sort()).toEqual(['engine-log', 'slow-log']);
    for (const l of logs)
      expect(l).toMatchObject({ destination_type: 'cloudwatch-logs', log_format: 'json' });
  });

  it('fails over across AZs in prod', () => {
    expect(prod.only('aws_elasticache_replication_group')).toMatchObject({
      num_cache_clusters: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      node_type: 'cache.t4g.small',
    });
  });

  it('takes a final snapshot unless cache.skipFinalSnapshot', () => {
    expect(prod.only('aws_elasticache_replication_group').final_snapshot_identifier).toBe(
      'webplat-prod-redis-final',
    );
    const disposable = dataLayer(configOf('dev', (env) => (env.cache.skipFinalSnapshot = true)));
    expect(disposable.only('aws_elasticache_replication_group').final_snapshot_identifier).toBeUndefined();
  });

  it('runs cluster mode with shards and replicas', () => {
    const out = dataLayer(
      configOf('prod', (env) => {
        delete env.cache.numCacheClusters;
        env.cache.clusterMode = { shards: 3, replicasPerShard: 1 };
      }),
    );
    const rg = out.only('aws_elasticache_replication_group');
    expect(rg).toMatchObject({
      num_node_groups: 3,
      replicas_per_node_group: 1,
      automatic_failover_enabled: true,
    });
    expect(rg.num_cache_clusters).toBeUndefined();
    expect(out.only('aws_elasticache_parameter_group').parameter).toContainEqual({
      name: 'cluster-enabled',
      value: 'yes',
    });
    const vars = bindingsOf(out, 'backend').environment;
    expect(vars.REDIS_HOST).toMatch(/configuration_endpoint_address/);
    expect(vars.REDIS_CLUSTER_MODE).toBe('true');
  });

  it('admits the bastion on 6379, names it a peer of its clients and lets them sign in with IAM', () => {
    const ingress = ingressOf(dev, /Cache_SecurityGroup/);
    expect(ingress.map((r) => r.description)).toEqual(['Bastion port forwarding to Redis']);
    expect(ingress.every((r) => r.from_port === 6379 && r.referenced_security_group_id)).toBe(true);
    expect(bindingsOf(dev, 'backend').peers).toContainEqual({
      group: expect.stringMatching(/Cache_SecurityGroup/),
      port: 6379,
      description: 'backend to Redis',
    });
    const connect = statementsOf(dev, 'backend').find((s) => s.Sid === 'RedisIamConnect');
    expect(connect.Action).toBe('elasticache:Connect');
    expect(connect.Resource).toEqual([
      expect.stringMatching(/aws_elasticache_replication_group/),
      expect.stringMatching(/aws_elasticache_user\.Cache_AppUser/),
    ]);
  });
});

describe('DynamoDB tables', () => {
  it('are on demand with PITR, KMS, deletion protection and TTL', () => {
    expect(prod.only('aws_dynamodb_table')).toMatchObject({
      name: 'webplat-prod-sessions',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'id',
      attribute: [{ name: 'id', type: 'S' }],
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: KEYS.data },
      deletion_protection_enabled: true,
      ttl: { attribute_name: 'expiresAt', enabled: true },
    });
  });

  it('are granted only to the services that use them', () => {
    const o = dataLayer(
      configOf('prod', (env) => {
        env.tables.audit = { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'N' } };
      }),
    );
    const grants = statementsOf(o, 'backend').filter((s) => s.Sid.startsWith('Table'));
    expect(grants).toHaveLength(1);
    // The table only: no table has a secondary index, so no index ARN is granted.
    expect(grants[0].Resource).toMatch(/Table-sessions_Table.+\.arn\}$/);
    // Item commands only: no table administration, no DescribeTable (no item command calls it).
    expect(grants[0].Action).not.toContain('dynamodb:DeleteTable');
    expect(grants[0].Action).not.toContain('dynamodb:DescribeTable');
    const audit = o.resources('aws_dynamodb_table').find(([id]) => id.startsWith('Table-audit'))![1];
    expect(audit).toMatchObject({
      range_key: 'sk',
      attribute: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'N' },
      ],
    });
  });
});

describe('application buckets', () => {
  const out = prod;
  const bucketId = (name: string) =>
    out
      .resources('aws_s3_bucket')
      .find(([, b]) => b.bucket === name)![0]
      .replace(/_Bucket_[A-Z0-9]+$/, '_');

  it('are private, owner-enforced, KMS-encrypted, TLS-only, versioned and logged', () => {
    const id = bucketId('webplat-prod-media-111111111111');
    const of = (type: string) => out.resources(type).find(([i]) => i.startsWith(id))![1];
    expect(of('aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(of('aws_s3_bucket_ownership_controls').rule.object_ownership).toBe('BucketOwnerEnforced');
    expect(of('aws_s3_bucket_server_side_encryption_configuration').rule[0]).toMatchObject({
      apply_server_side_encryption_by_default: {
        sse_algorithm: 'aws:kms',
        kms_master_key_id: KEYS.data,
      },
      bucket_key_enabled: true,
    });
    expect(of('aws_s3_bucket_versioning').versioning_configuration.status).toBe('Enabled');
    expect(policy(of('aws_s3_bucket_policy').policy).Statement[0].Sid).toBe('DenyInsecureTransport');
    expect(of('aws_s3_bucket_logging')).toMatchObject({
      target_prefix: 's3/webplat-prod-media-111111111111/',
    });
    expect(of('aws_s3_bucket_logging').target_bucket).toMatch(/LoadBalancer_AccessLogs/);
    expect(of('aws_s3_bucket_lifecycle_configuration').rule).toContainEqual(
      expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
    );
  });

  it('tier data read less over time: infrequent access, Glacier, expiry', () => {
    const id = bucketId('webplat-prod-exports-111111111111');
    const rules = out.resources('aws_s3_bucket_lifecycle_configuration').find(([i]) => i.startsWith(id))![1]
      .rule;
    expect(rules.find((r: any) => r.id === 'archive')).toMatchObject({
      transition: [
        { days: 30, storage_class: 'STANDARD_IA' },
        { days: 90, storage_class: 'GLACIER' },
      ],
      expiration: [{ days: 365 }],
    });
  });

  it('grant object access and the data key through S3, to users only', () => {
    const task = { Statement: statementsOf(out, 'backend') };
    const objects = task.Statement.find((s) => s.Sid === 'BucketMediaObjects');
    expect(objects.Resource).toMatch(/Bucket-media_Bucket.+\.arn\}\/\*$/);
    expect(
      task.Statement.find((s) => s.Sid === 'BucketMediaKey').Condition.StringEquals['kms:ViaService'],
    ).toBe('s3.us-east-1.amazonaws.com');
    expect(task.Statement.some((s) => s.Sid.startsWith('BucketExports'))).toBe(false);
  });
});

describe('AWS Backup', () => {
  it('is absent without backup config (dev relies on PITR and snapshots)', () => {
    expect(dev.count('aws_backup_plan')).toBe(0);
  });

  it('keeps daily and weekly recovery points in a KMS vault and copies them to the DR region', () => {
    const vaults = Object.fromEntries(prod.resources('aws_backup_vault').map(([, v]) => [v.name, v]));
    expect(vaults['webplat-prod-backup'].kms_key_arn).toBe(KEYS.data);
    expect(vaults['webplat-prod-backup-dr'].provider).toBe('aws.dr');
    expect(prod.json.provider.aws.find((p: any) => p.alias === 'dr').region).toBe('us-west-2');
    const rules = Object.fromEntries(prod.only('aws_backup_plan').rule.map((r: any) => [r.rule_name, r]));
    expect(rules.daily).toMatchObject({ schedule: 'cron(0 3 * * ? *)', lifecycle: { delete_after: 30 } });
    expect(rules.weekly).toMatchObject({ schedule: 'cron(0 4 ? * SUN *)', lifecycle: { delete_after: 90 } });
    expect(rules.daily.copy_action[0].destination_vault_arn).toMatch(/aws_backup_vault\.Backup_DrVault/);
    expect(rules.daily.enable_continuous_backup).toBeUndefined();
  });

  it('selects the database, the tables and the versioned buckets', () => {
    const resources: string[] = prod.only('aws_backup_selection').resources;
    expect(resources).toEqual([
      expect.stringMatching(/aws_db_instance\.Database_Instance.+\.arn/),
      expect.stringMatching(/aws_dynamodb_table\.Table-sessions/),
      expect.stringMatching(/Bucket-media/),
      expect.stringMatching(/Bucket-exports/),
    ]);
  });

  it("keeps the live database out of the restores' clean-up (the managed policies may delete any)", () => {
    const keep = byPrefix(prod, 'aws_iam_role_policy', 'Backup_KeepLiveData')[0];
    expect(keep.role).toMatch(/aws_iam_role\.Backup_Role_\w+\.id/);
    expect(policy(keep.policy).Statement).toEqual([
      {
        Sid: 'KeepLiveDatabase',
        Effect: 'Deny',
        Action: ['rds:DeleteDBInstance', 'rds:DeleteDBCluster'],
        Resource: expect.stringMatching(/aws_db_instance\.Database_Instance_\w+\.arn/),
      },
    ]);
  });

  it('tests restores monthly when asked for', () => {
    // In the home region (the recovery region's plan: recovery-restore-testing.spec.ts).
    const home = (type: string) => prod.resources(type).filter(([, r]) => r.provider === undefined);
    expect(home('aws_backup_restore_testing_plan').map(([, p]) => p.schedule_expression)).toEqual([
      'cron(0 5 ? * 1#1 *)',
    ]);
    expect(
      home('aws_backup_restore_testing_selection')
        .map(([, s]) => s.protected_resource_type)
        .sort(),
    ).toEqual(['DynamoDB', 'RDS']);
    expect(dataLayer(configOf('staging')).count('aws_backup_restore_testing_plan')).toBe(0);
  });
});

// Whole dev platform, synthesized once: the stack hands the data layer the isolated subnets and the
// security layer's keys, and its stores admit exactly the services the compute layer builds from
// their bindings, and the bastion of the network layer.
describe('data stores in the platform', () => {
  const out = synthPlatform(envInput('dev'));
  const config = configOf('dev');
  const containerOf = (service: string) =>
    JSON.parse(byPrefix(out, 'aws_ecs_task_definition', `Service-${service}_`)[0].container_definitions)[0];

  it('sit in the isolated subnets, encrypted with the security layer keys', () => {
    const db = out.only('aws_db_instance');
    expect(db.kms_key_id).toMatch(/Keys_Data/);
    expect(out.only('aws_secretsmanager_secret').kms_key_id).toMatch(/Keys_Secrets/);
    expect(
      out.only('aws_db_subnet_group').subnet_ids.every((s: string) => s.includes('IsolatedSubnet')),
    ).toBe(true);
    expect(out.only('aws_elasticache_replication_group').kms_key_id).toMatch(/Keys_Data/);
    expect(out.only('aws_dynamodb_table').server_side_encryption.kms_key_arn).toMatch(/Keys_Data/);
  });

  it('admit only the services that use the database, and the bastion, on its port', () => {
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([, r]) => /Database_SecurityGroup/.test(r.security_group_id))
      .map(([, r]) => r);
    // Exactly the services whose `uses.database` is set, the migration task and the bastion.
    const users = Object.entries(config.services)
      .filter(([, s]) => s.uses.database)
      .map(([name]) => name);
    expect(users).toContain('backend');
    expect(ingress.map((r) => [r.from_port, r.description]).sort()).toEqual(
      [
        [5432, 'Bastion port forwarding to the database'],
        ...users.map((u) => [5432, `${u} to the database`]),
        [5432, 'db-migrate to the database'],
      ].sort(),
    );
    expect(ingress.map((r) => r.referenced_security_group_id).join()).toMatch(
      /Service-backend_SecurityGroup/,
    );
    expect(ingress.some((r) => /Service-frontend/.test(r.referenced_security_group_id))).toBe(false);
    expect(ingress.every((r) => r.referenced_security_group_id)).toBe(true);
  });

  it('hand the backend container its endpoint and its own user (IAM auth, no secret), not the frontend', () => {
    const backend = containerOf('backend');
    const env = Object.fromEntries(backend.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      DB_PORT: '5432',
      DB_NAME: 'app',
      DB_ENGINE: 'postgres',
      DB_USER: 'app_backend',
    });
    expect(env.DB_HOST).toMatch(/aws_db_instance\.Database_Instance.+\.address/);
    expect(backend.secrets).toEqual([]);
    const frontend = containerOf('frontend');
    expect(frontend.secrets).toEqual([]);
    expect(JSON.stringify(frontend.environment)).not.toMatch(/DB_/);
  });

  it('admit only Redis clients on 6379 and let them sign in with IAM', () => {
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([, r]) => /Cache_SecurityGroup/.test(r.security_group_id))
      .map(([, r]) => r);
    const clients = Object.entries(config.services)
      .filter(([, s]) => s.uses.cache)
      .map(([name]) => `${name} to Redis`);
    expect(ingress.map((r) => r.description).sort()).toEqual(
      ['Bastion port forwarding to Redis', ...clients].sort(),
    );
    expect(ingress.every((r) => r.from_port === 6379 && r.referenced_security_group_id)).toBe(true);
    const task = policy(byPrefix(out, 'aws_iam_role_policy', 'Service-backend_TaskPolicy')[0].policy);
    const connect = task.Statement.find((s) => s.Sid === 'RedisIamConnect');
    expect(connect.Action).toBe('elasticache:Connect');
    expect(connect.Resource).toEqual([
      expect.stringMatching(/aws_elasticache_replication_group/),
      expect.stringMatching(/aws_elasticache_user\.Cache_AppUser/),
    ]);
  });
});

import { RDS_CA, parameterFamily } from '../../constructs/data/relational-database';
import { auroraServerless, envInput, policy, synthPlatform, type Synthesized } from '../support/fixtures';

const byPrefix = (out: Synthesized, type: string, prefix: string) =>
  out
    .resources(type)
    .filter(([id]) => id.startsWith(prefix))
    .map(([, r]) => r);

export function withEngine(
  engine: 'postgres' | 'mysql' | 'aurora-postgresql' | 'aurora-serverless',
  base: 'dev' | 'prod' = 'dev',
): any {
  const env = envInput(base);
  const keep = {
    backupRetentionDays: env.database.backupRetentionDays,
    deletionProtection: env.database.deletionProtection,
    skipFinalSnapshot: env.database.skipFinalSnapshot,
  };
  if (engine === 'mysql') env.database = { ...env.database, engine: 'mysql', engineVersion: '8.0.39' };
  if (engine === 'aurora-postgresql')
    env.database = { engine, engineVersion: '16.4', instanceClass: 'db.r6g.large', instances: 2, ...keep };
  if (engine === 'aurora-serverless') {
    env.database = auroraServerless(keep);
  }
  return env;
}

describe('PostgreSQL (dev)', () => {
  const out = synthPlatform(envInput('dev'));
  const db = out.only('aws_db_instance');

  it('runs in the isolated subnets, encrypted, with an RDS-managed master secret and IAM auth', () => {
    expect(db).toMatchObject({
      identifier: 'webplat-dev-db',
      engine: 'postgres',
      engine_version: '16',
      instance_class: 'db.t4g.micro',
      allocated_storage: 20,
      max_allocated_storage: 100,
      storage_type: 'gp3',
      storage_encrypted: true,
      manage_master_user_password: true,
      iam_database_authentication_enabled: true,
      publicly_accessible: false,
      multi_az: false,
      port: 5432,
    });
    expect(db.password).toBeUndefined();
    expect(db.kms_key_id).toMatch(/Keys_Data/);
    expect(db.master_user_secret_kms_key_id).toMatch(/Keys_Secrets/);
    expect(
      out.only('aws_db_subnet_group').subnet_ids.every((s: string) => s.includes('IsolatedSubnet')),
    ).toBe(true);
  });

  it('forces TLS in its parameter group', () => {
    const pg = out.only('aws_db_parameter_group');
    expect(pg.family).toBe('postgres16');
    expect(pg.parameter).toEqual([{ name: 'rds.force_ssl', value: '1', apply_method: 'pending-reboot' }]);
    expect(db.parameter_group_name).toMatch(/aws_db_parameter_group/);
  });

  it('keeps backups in the seed 001 windows, monitors, exports logs, upgrades minors, uses the current CA', () => {
    expect(db).toMatchObject({
      backup_retention_period: 7,
      backup_window: '03:00-04:00',
      maintenance_window: 'mon:04:00-mon:05:00',
      copy_tags_to_snapshot: true,
      monitoring_interval: 60,
      auto_minor_version_upgrade: true,
      ca_cert_identifier: RDS_CA,
      enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
      // dev is disposable (config): no protection, no final snapshot.
      deletion_protection: false,
      skip_final_snapshot: true,
    });
    // Performance Insights is not offered on micro classes.
    expect(db.performance_insights_enabled).toBe(false);
    expect(db.monitoring_role_arn).toMatch(/Database_MonitoringRole/);
    const groups = byPrefix(out, 'aws_cloudwatch_log_group', 'Database_LogGroup')
      .map((g) => g.name)
      .sort();
    expect(groups).toEqual([
      '/aws/rds/instance/webplat-dev-db/postgresql',
      '/aws/rds/instance/webplat-dev-db/upgrade',
    ]);
  });

  it('admits only the services that use it, and the bastion, on its port', () => {
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([, r]) => /Database_SecurityGroup/.test(r.security_group_id))
      .map(([, r]) => r);
    expect(ingress.map((r) => [r.from_port, r.description]).sort()).toEqual([
      [5432, 'Bastion port forwarding to the database'],
      [5432, 'backend to the database'],
    ]);
    expect(ingress.map((r) => r.referenced_security_group_id).join()).toMatch(
      /Service-backend_SecurityGroup/,
    );
    expect(ingress.some((r) => /Service-frontend/.test(r.referenced_security_group_id))).toBe(false);
    expect(ingress.every((r) => r.referenced_security_group_id)).toBe(true);
  });

  it('hands the backend its endpoint and the master secret, not the frontend', () => {
    const backend = JSON.parse(
      byPrefix(out, 'aws_ecs_task_definition', 'Service-backend_')[0].container_definitions,
    )[0];
    const env = Object.fromEntries(backend.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ DB_PORT: '5432', DB_NAME: 'app', DB_ENGINE: 'postgres' });
    expect(env.DB_HOST).toMatch(/aws_db_instance\.Database_Instance.+\.address/);
    expect(backend.secrets.map((s: any) => s.name)).toEqual(['DB_PASSWORD', 'DB_USERNAME']);
    const frontend = JSON.parse(
      byPrefix(out, 'aws_ecs_task_definition', 'Service-frontend_')[0].container_definitions,
    )[0];
    expect(frontend.secrets).toEqual([]);
    expect(JSON.stringify(frontend.environment)).not.toMatch(/DB_/);
  });
});

describe('dev and prod differ only by config', () => {
  const dev = synthPlatform(envInput('dev')).only('aws_db_instance');
  const prod = synthPlatform(envInput('prod')).only('aws_db_instance');

  it('prod: Multi-AZ, bigger, protected, final snapshot, Performance Insights', () => {
    expect(prod).toMatchObject({
      instance_class: 'db.t4g.small',
      allocated_storage: 50,
      multi_az: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'webplat-prod-db-final',
    });
    expect(prod.performance_insights_enabled).toBe(false); // db.t4g.small: not offered
    const keys = (o: object) =>
      Object.keys(o)
        .filter((k) => !['//', 'tags'].includes(k))
        .sort();
    // Same arguments on both (values differ): the construct does not branch on the environment.
    expect(keys(prod).filter((k) => k !== 'final_snapshot_identifier')).toEqual(keys(dev));
  });

  it('turns on Performance Insights on classes that offer it', () => {
    const env = envInput('prod');
    env.database.instanceClass = 'db.m7g.large';
    expect(synthPlatform(env).only('aws_db_instance')).toMatchObject({
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
    });
  });

  it('adds read replicas for reporting', () => {
    const env = envInput('prod');
    env.database.readReplicas = 1;
    const out = synthPlatform(env);
    const replica = out.resources('aws_db_instance').find(([id]) => id.startsWith('Database_Replica0'))![1];
    expect(replica).toMatchObject({
      identifier: 'webplat-prod-db-replica-1',
      storage_encrypted: true,
      backup_retention_period: 0,
      availability_zone: 'us-east-1b',
    });
    expect(replica.replicate_source_db).toMatch(/aws_db_instance\.Database_Instance.+\.identifier/);
    const backend = JSON.parse(
      byPrefix(out, 'aws_ecs_task_definition', 'Service-backend_')[0].container_definitions,
    )[0];
    expect(backend.environment.find((e: any) => e.name === 'DB_READER_HOST').value).toMatch(
      /Database_Replica0/,
    );
  });
});

describe('MySQL', () => {
  const out = synthPlatform(withEngine('mysql'));
  it('uses its port, family, TLS parameter and log exports', () => {
    const db = out.only('aws_db_instance');
    expect(db).toMatchObject({
      engine: 'mysql',
      engine_version: '8.0.39',
      port: 3306,
      enabled_cloudwatch_logs_exports: ['audit', 'error', 'general', 'slowquery'],
    });
    expect(out.only('aws_db_parameter_group')).toMatchObject({
      family: 'mysql8.0',
      parameter: [{ name: 'require_secure_transport', value: 'ON' }],
    });
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([, r]) => /Database_SecurityGroup/.test(r.security_group_id));
    expect(ingress.every(([, r]) => r.from_port === 3306)).toBe(true);
  });
});

describe('Aurora PostgreSQL', () => {
  const out = synthPlatform(withEngine('aurora-postgresql', 'prod'));

  it('is a cluster with writer and reader spread across AZs, same posture', () => {
    expect(out.count('aws_db_instance')).toBe(0);
    expect(out.only('aws_rds_cluster')).toMatchObject({
      cluster_identifier: 'webplat-prod-db',
      engine: 'aurora-postgresql',
      storage_encrypted: true,
      manage_master_user_password: true,
      iam_database_authentication_enabled: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      copy_tags_to_snapshot: true,
      backup_retention_period: 7,
      preferred_backup_window: '03:00-04:00',
      enabled_cloudwatch_logs_exports: ['postgresql'],
    });
    const instances = out.resources('aws_rds_cluster_instance').map(([, i]) => i);
    expect(instances.map((i) => i.availability_zone)).toEqual(['us-east-1a', 'us-east-1b']);
    for (const i of instances)
      expect(i).toMatchObject({
        instance_class: 'db.r6g.large',
        performance_insights_enabled: true,
        monitoring_interval: 60,
        publicly_accessible: false,
        ca_cert_identifier: RDS_CA,
      });
    expect(out.only('aws_rds_cluster_parameter_group')).toMatchObject({
      family: 'aurora-postgresql16',
      parameter: [{ name: 'rds.force_ssl', value: '1', apply_method: 'pending-reboot' }],
    });
    const backend = JSON.parse(
      byPrefix(out, 'aws_ecs_task_definition', 'Service-backend_')[0].container_definitions,
    )[0];
    expect(backend.environment.find((e: any) => e.name === 'DB_READER_HOST').value).toMatch(
      /aws_rds_cluster\..+\.reader_endpoint/,
    );
  });

  it('scales with Serverless v2 capacity from config', () => {
    const cluster = synthPlatform(withEngine('aurora-serverless', 'prod')).only('aws_rds_cluster');
    expect(cluster.serverlessv2_scaling_configuration).toEqual({ min_capacity: 0.5, max_capacity: 8 });
  });

  it('moving engines changes only database.*', () => {
    const env = withEngine('aurora-postgresql', 'prod');
    const original = envInput('prod');
    delete env.database;
    delete original.database;
    expect(env).toEqual(original);
  });

  it('knows parameter families per engine', () => {
    expect(parameterFamily('postgres', '16.3')).toBe('postgres16');
    expect(parameterFamily('mysql', '8.0.39')).toBe('mysql8.0');
    expect(parameterFamily('aurora-postgresql', '16.4')).toBe('aurora-postgresql16');
  });
});

describe('Redis', () => {
  const dev = synthPlatform(envInput('dev'));
  const prod = synthPlatform(envInput('prod'));

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
    expect(rg.kms_key_id).toMatch(/Keys_Data/);
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

  it('runs cluster mode with shards and replicas', () => {
    const env = envInput('prod');
    delete env.cache.numCacheClusters;
    env.cache.clusterMode = { shards: 3, replicasPerShard: 1 };
    const out = synthPlatform(env);
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
    const backend = JSON.parse(
      byPrefix(out, 'aws_ecs_task_definition', 'Service-backend_')[0].container_definitions,
    )[0];
    const vars = Object.fromEntries(backend.environment.map((e: any) => [e.name, e.value]));
    expect(vars.REDIS_HOST).toMatch(/configuration_endpoint_address/);
    expect(vars.REDIS_CLUSTER_MODE).toBe('true');
  });

  it('admits only its clients on 6379 and lets them sign in with IAM', () => {
    const ingress = dev
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([, r]) => /Cache_SecurityGroup/.test(r.security_group_id))
      .map(([, r]) => r);
    expect(ingress.map((r) => r.description).sort()).toEqual([
      'Bastion port forwarding to Redis',
      'backend to Redis',
    ]);
    expect(ingress.every((r) => r.from_port === 6379 && r.referenced_security_group_id)).toBe(true);
    const task = policy(byPrefix(dev, 'aws_iam_role_policy', 'Service-backend_TaskPolicy')[0].policy);
    const connect = task.Statement.find((s) => s.Sid === 'RedisIamConnect');
    expect(connect.Action).toBe('elasticache:Connect');
    expect(connect.Resource).toEqual([
      expect.stringMatching(/aws_elasticache_replication_group/),
      expect.stringMatching(/aws_elasticache_user\.Cache_AppUser/),
    ]);
  });
});

describe('DynamoDB tables', () => {
  const out = synthPlatform(envInput('prod'));
  it('are on demand with PITR, KMS, deletion protection and TTL', () => {
    expect(out.only('aws_dynamodb_table')).toMatchObject({
      name: 'webplat-prod-sessions',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'id',
      attribute: [{ name: 'id', type: 'S' }],
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: expect.stringMatching(/Keys_Data/) },
      deletion_protection_enabled: true,
      ttl: { attribute_name: 'expiresAt', enabled: true },
    });
  });

  it('are granted only to the services that use them', () => {
    const env = envInput('prod');
    env.tables.audit = { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'N' } };
    const o = synthPlatform(env);
    const task = policy(byPrefix(o, 'aws_iam_role_policy', 'Service-backend_TaskPolicy')[0].policy);
    const grants = task.Statement.filter((s) => s.Sid.startsWith('Table'));
    expect(grants).toHaveLength(1);
    expect(grants[0].Resource).toEqual([
      expect.stringMatching(/Table-sessions_Table.+\.arn\}$/),
      expect.stringMatching(/Table-sessions_Table.+\.arn\}\/index\/\*$/),
    ]);
    expect(grants[0].Action).not.toContain('dynamodb:DeleteTable');
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
  const out = synthPlatform(envInput('prod'));
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
        kms_master_key_id: expect.stringMatching(/Keys_Data/),
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
    const task = policy(byPrefix(out, 'aws_iam_role_policy', 'Service-backend_TaskPolicy')[0].policy);
    const objects = task.Statement.find((s) => s.Sid === 'BucketMediaObjects');
    expect(objects.Resource).toMatch(/Bucket-media_Bucket.+\.arn\}\/\*$/);
    expect(
      task.Statement.find((s) => s.Sid === 'BucketMediaKey').Condition.StringEquals['kms:ViaService'],
    ).toBe('s3.us-east-1.amazonaws.com');
    expect(task.Statement.some((s) => s.Sid.startsWith('BucketExports'))).toBe(false);
  });
});

describe('AWS Backup', () => {
  const prod = synthPlatform(envInput('prod'));

  it('is absent without backup config (dev relies on PITR and snapshots)', () => {
    expect(synthPlatform(envInput('dev')).count('aws_backup_plan')).toBe(0);
  });

  it('keeps daily and weekly recovery points in a KMS vault and copies them to the DR region', () => {
    const vaults = Object.fromEntries(prod.resources('aws_backup_vault').map(([, v]) => [v.name, v]));
    expect(vaults['webplat-prod-backup'].kms_key_arn).toMatch(/Keys_Data/);
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

  it('tests restores monthly when asked for', () => {
    expect(prod.only('aws_backup_restore_testing_plan').schedule_expression).toBe('cron(0 5 ? * 1#1 *)');
    expect(
      prod
        .resources('aws_backup_restore_testing_selection')
        .map(([, s]) => s.protected_resource_type)
        .sort(),
    ).toEqual(['DynamoDB', 'RDS']);
    expect(synthPlatform(envInput('staging')).count('aws_backup_restore_testing_plan')).toBe(0);
  });
});

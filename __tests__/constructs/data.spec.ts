import { RDS_CA, parameterFamily } from '../../constructs/data/relational-database';
import { parseEnvironmentConfig } from '../../environments/schema';
import { TerraformOutput } from 'cdktf';
import { KEYS, SUBNETS, byPrefix, configOf } from '../support/bare';
import { bindingsOf, buildDataLayer, dataLayer, withEngine } from '../support/data-layer';
import { envInput } from '../support/fixtures';

/** The primary instance (read replicas name their source). */
const primary = (out: ReturnType<typeof dataLayer>) =>
  out.resources('aws_db_instance').find(([, r]) => r.replicate_source_db === undefined)![1];

const ingressOf = (out: ReturnType<typeof dataLayer>, group: RegExp) =>
  out
    .resources('aws_vpc_security_group_ingress_rule')
    .filter(([, r]) => group.test(r.security_group_id))
    .map(([, r]) => r);

describe('PostgreSQL (dev)', () => {
  const out = dataLayer(configOf('dev'));
  const db = out.only('aws_db_instance');

  it('runs in the isolated subnets, encrypted, with a write-only master password and IAM auth', () => {
    expect(db).toMatchObject({
      identifier: 'webplat-dev-db',
      engine: 'postgres',
      engine_version: '16',
      instance_class: 'db.t4g.micro',
      allocated_storage: 20,
      max_allocated_storage: 100,
      storage_type: 'gp3',
      storage_encrypted: true,
      password_wo_version: 1,
      iam_database_authentication_enabled: true,
      publicly_accessible: false,
      multi_az: false,
      port: 5432,
    });
    expect(db.password).toBeUndefined();
    // Not RDS-managed (that rules out read replicas): the ephemeral variable, write-only, by version.
    expect(db.manage_master_user_password).toBeUndefined();
    expect(db.password_wo).toBe('${var.db_master_password == null ? "" : var.db_master_password}');
    expect(db.kms_key_id).toBe(KEYS.data);
    expect(out.only('aws_db_subnet_group').subnet_ids).toEqual(SUBNETS.isolated);
  });

  it('keeps the master credential out of Terraform: an ephemeral variable, a secret without a value', () => {
    expect(out.json.variable.db_master_password).toMatchObject({
      ephemeral: true,
      sensitive: true,
      nullable: true,
      default: null,
    });
    const secret = out.only('aws_secretsmanager_secret');
    expect(secret).toMatchObject({ name: 'webplat-dev-db-master', kms_key_id: KEYS.secrets });
    // The operator writes its value (docs/runbooks.md): provider 5.100 would read a version back.
    expect(out.count('aws_secretsmanager_secret_version')).toBe(0);
    // Raising the version is what writes a new password to the database.
    const rotated = dataLayer(configOf('dev', (e) => (e.database.masterPasswordVersion = 2)));
    expect(primary(rotated).password_wo_version).toBe(2);
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

  it('admits the bastion on its port, and names it a peer of the services that use it only', () => {
    const ingress = ingressOf(out, /Database_SecurityGroup/);
    expect(ingress.map((r) => [r.from_port, r.description])).toEqual([
      [5432, 'Bastion port forwarding to the database'],
      [5432, 'db-migrate to the database'],
    ]);
    expect(ingress.every((r) => r.referenced_security_group_id)).toBe(true);
    expect(bindingsOf(out, 'backend').peers).toContainEqual({
      group: expect.stringMatching(/Database_SecurityGroup/),
      port: 5432,
      description: 'backend to the database',
    });
    expect(bindingsOf(out, 'frontend').peers).toEqual([]);
  });

  it('hands the backend its endpoint, its own IAM-authenticated user and no secret; nothing to the frontend', () => {
    const backend = bindingsOf(out, 'backend');
    expect(backend.environment).toMatchObject({
      DB_PORT: '5432',
      DB_NAME: 'app',
      DB_ENGINE: 'postgres',
      DB_USER: 'app_backend',
      DB_SCHEMA: 'backend',
      DB_IAM_AUTH: 'true',
    });
    expect(backend.environment.DB_HOST).toMatch(/aws_db_instance\.Database_Instance.+\.address/);
    expect(backend.secrets).toEqual({});
    expect(JSON.stringify(backend)).not.toMatch(/MasterCredential/);
    const connect = backend.statements.find((s: any) => s.Sid === 'DatabaseConnectAsOwnUser');
    expect(connect.Action).toBe('rds-db:connect');
    expect(connect.Resource).toEqual([
      expect.stringMatching(
        /^arn:aws:rds-db:us-east-1:111111111111:dbuser:\$\{aws_db_instance\.Database_Instance_\w+\.resource_id\}\/app_backend$/,
      ),
    ]);
    const frontend = bindingsOf(out, 'frontend');
    expect(frontend.secrets).toEqual({});
    expect(JSON.stringify(frontend.environment)).not.toMatch(/DB_/);
  });
});

describe('dev and prod differ only by config', () => {
  const dev = primary(dataLayer(configOf('dev')));
  const prod = primary(dataLayer(configOf('prod')));

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
    const config = configOf('prod', (env) => (env.database.instanceClass = 'db.m7g.large'));
    expect(primary(dataLayer(config))).toMatchObject({
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
    });
  });

  it('adds read replicas for reporting', () => {
    const out = dataLayer(configOf('prod', (env) => (env.database.readReplicas = 1)));
    const replica = out.resources('aws_db_instance').find(([id]) => id.startsWith('Database_Replica0'))![1];
    expect(replica).toMatchObject({
      identifier: 'webplat-prod-db-replica-1',
      storage_encrypted: true,
      backup_retention_period: 0,
      availability_zone: 'us-east-1b',
    });
    expect(replica.replicate_source_db).toMatch(/aws_db_instance\.Database_Instance.+\.identifier/);
    expect(bindingsOf(out, 'backend').environment.DB_READER_HOST).toMatch(/Database_Replica0/);
  });
});

describe('MySQL', () => {
  const out = dataLayer(parseEnvironmentConfig(withEngine('mysql')));
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
    const ingress = ingressOf(out, /Database_SecurityGroup/);
    expect(ingress.every((r) => r.from_port === 3306)).toBe(true);
    expect(bindingsOf(out, 'backend').peers.map((p: any) => p.port)).toEqual([3306, 6379]);
  });
});

describe('Aurora PostgreSQL', () => {
  const out = dataLayer(parseEnvironmentConfig(withEngine('aurora-postgresql', 'prod')));

  it('is a cluster with writer and reader spread across AZs, same posture', () => {
    expect(out.count('aws_db_instance')).toBe(0);
    expect(out.only('aws_rds_cluster')).toMatchObject({
      cluster_identifier: 'webplat-prod-db',
      engine: 'aurora-postgresql',
      storage_encrypted: true,
      master_password_wo_version: 1,
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
    expect(bindingsOf(out, 'backend').environment.DB_READER_HOST).toMatch(
      /aws_rds_cluster\..+\.reader_endpoint/,
    );
  });

  it('scales with Serverless v2 capacity from config', () => {
    const config = parseEnvironmentConfig(withEngine('aurora-serverless', 'prod'));
    const cluster = dataLayer(config).only('aws_rds_cluster');
    expect(cluster.serverlessv2_scaling_configuration).toEqual({ min_capacity: 0.5, max_capacity: 8 });
  });

  it('moving engines changes only database.* (and an RPO Aurora cannot meet across regions)', () => {
    const env = withEngine('aurora-postgresql', 'prod');
    const original = envInput('prod');
    delete env.database;
    delete original.database;
    expect(env).toEqual({
      ...original,
      recovery: { ...original.recovery, rpoMinutes: Math.max(original.recovery.rpoMinutes, 1860) },
    });
    expect(withEngine('mysql', 'prod').recovery).toEqual(original.recovery);
  });

  it('knows parameter families per engine', () => {
    expect(parameterFamily('postgres', '16.3')).toBe('postgres16');
    expect(parameterFamily('mysql', '8.0.39')).toBe('mysql8.0');
    expect(parameterFamily('aurora-postgresql', '16.4')).toBe('aurora-postgresql16');
  });
});

describe('the database bootstrap by compute platform', () => {
  it('Fargate: the ECS migration task with its two roles, each with a declared contract', () => {
    const out = dataLayer(configOf('dev'));
    expect(out.only('aws_ecs_task_definition').family).toBe('webplat-dev-db-migrate');
    const roles = out.resources('aws_iam_role').filter(([id]) => id.startsWith('DbMigrate_'));
    expect(roles.map(([, r]) => r.name).sort()).toEqual([
      'webplat-dev-db-migrate-execution',
      'webplat-dev-db-migrate-task',
    ]);
  });

  it('EKS: no ECS task definition, roles or security group; the bootstrap is the compute layer’s Job', () => {
    const eks = parseEnvironmentConfig(envInput('enterprise'));
    const out = dataLayer(eks);
    expect(out.resources('aws_ecs_task_definition')).toEqual([]);
    expect(out.resources('aws_iam_role').filter(([id]) => id.startsWith('DbMigrate_'))).toEqual([]);
    expect(ingressOf(out, /Database_SecurityGroup/).map((r) => r.description)).not.toContain(
      'db-migrate to the database',
    );
    expect(out.json.output.db_migrate_task).toBeUndefined();
  });
});

describe("bindings' requests: what the stores' clients call, and never", () => {
  // The layer's bindings themselves: their requests travel to the role contracts, not to the outputs
  // support/data-layer.ts writes.
  const config = configOf('dev');
  const { b, layer } = buildDataLayer(config);
  // As they synthesize (`${aws_db_instance.X.resource_id}`): through stack outputs.
  for (const service of ['backend', 'frontend']) {
    const { requests, statements } = layer.bindingsFor(service, config.services[service].uses);
    new TerraformOutput(b.stack, service, { value: { requests, statements } });
  }
  const out = b.synth().json.output;
  const backend = out.backend.value.requests;
  const frontend = out.frontend.value.requests;
  const pairs = (list: readonly { action: string; resource: string }[]) =>
    list.map((r) => `${r.action} ${r.resource}`);

  it('the backend connects as its own user, uses its table and bucket (S3 asks for the data key)', () => {
    expect(backend.allow).toContainEqual({
      action: 'rds-db:connect',
      resource: expect.stringMatching(
        /dbuser:\$\{aws_db_instance\.Database_Instance_\w+\.resource_id\}\/app_backend$/,
      ),
      because: 'RDS IAM auth token (@aws-sdk/rds-signer Signer.getAuthToken) for app_backend',
    });
    expect(backend.allow).toContainEqual(
      expect.objectContaining({
        action: 'elasticache:Connect',
        resource: expect.stringMatching(/Cache_AppUser/),
      }),
    );
    expect(backend.allow).toContainEqual(
      expect.objectContaining({
        action: 'dynamodb:GetItem',
        because: '@aws-sdk/client-dynamodb GetItemCommand on webplat-dev-sessions',
      }),
    );
    expect(backend.allow).toContainEqual({
      action: 'kms:GenerateDataKey',
      resource: KEYS.data,
      context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
      because: expect.stringMatching(/^@aws-sdk\/client-s3 PutObjectCommand on webplat-dev-media-/),
    });
  });

  it('every statement of the bindings is exercised by one of its requests', () => {
    const actions = out.backend.value.statements.flatMap((s: any) => [s.Action].flat());
    const requested = new Set(backend.allow.map((r: any) => r.action));
    expect(actions.filter((a: string) => !requested.has(a))).toEqual([]);
  });

  it('no service connects as the master user or a neighbour, reads the master secret or unused stores', () => {
    for (const requests of [backend, frontend]) {
      const denied = pairs(requests.deny).join('\n');
      expect(denied).toMatch(/rds-db:connect .*\/dbadmin$/m);
      expect(denied).toMatch(/secretsmanager:GetSecretValue .*MasterCredential_Secret/);
      expect(denied).toMatch(/elasticache:Connect .*Cache_DefaultUser/);
    }
    expect(pairs(backend.deny)).toContainEqual(expect.stringMatching(/rds-db:connect .*\/app_frontend$/));
    // Its own migration user (DDL) and the neighbour's are not the running service's.
    expect(pairs(backend.deny)).toContainEqual(expect.stringMatching(/rds-db:connect .*\/migrate_backend$/));
    expect(pairs(backend.deny)).toContainEqual(expect.stringMatching(/rds-db:connect .*\/migrate_frontend$/));
    expect(pairs(backend.deny)).toContainEqual(expect.stringMatching(/s3:GetObject .*Bucket-exports/));
    expect(pairs(frontend.deny)).toContainEqual(expect.stringMatching(/dynamodb:GetItem .*Table-sessions/));
    expect(pairs(frontend.deny)).toContainEqual(expect.stringMatching(/elasticache:Connect .*Cache_AppUser/));
    expect(frontend.allow).toEqual([]);
  });

  it("another environment's stores are denied (a name outside the environment's prefix)", () => {
    expect(pairs(backend.deny)).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem arn:aws:dynamodb:us-east-1:111111111111:table/webplat-dev2-sessions',
        's3:GetObject arn:aws:s3:::webplat-dev2-media-111111111111/uploads/example.bin',
      ]),
    );
  });
});

/**
 * Finding 6: services reach the database as their own IAM-authenticated user; only the one-off
 * migration task holds the master credential. Who may connect as whom is evaluated with iam-simulate.
 */
import { byPrefix, configOf, KEYS } from '../support/bare';
import { dataLayer, withEngine } from '../support/data-layer';
import { envInput, policy } from '../support/fixtures';
import { decide } from '../support/iam-eval-workload';
import { parseEnvironmentConfig } from '../../environments/schema';

const ACCOUNT = '111111111111';
const RESOURCE_ID = 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0';
/** prod with a second service (frontend) using the database. */
const out = dataLayer(configOf('prod', (e) => (e.services.frontend.uses = { database: true })));
const bindings = (service: string) => out.json.output[`bindings_${service}`].value;
const container = () => JSON.parse(out.only('aws_ecs_task_definition').container_definitions)[0];

describe('the database migration task', () => {
  it('is a Fargate task family <project>-<env>-db-migrate with its own roles and log group', () => {
    const td = out.only('aws_ecs_task_definition');
    expect(td).toMatchObject({
      family: 'webplat-prod-db-migrate',
      network_mode: 'awsvpc',
      requires_compatibilities: ['FARGATE'],
    });
    const roles = byPrefix(out, 'aws_iam_role', 'DbMigrate_')
      .map((r) => r.name)
      .sort();
    expect(roles).toEqual(['webplat-prod-db-migrate-execution', 'webplat-prod-db-migrate-task']);
    const logs = byPrefix(out, 'aws_cloudwatch_log_group', 'DbMigrate_')[0];
    expect(logs).toMatchObject({
      name: '/ecs/webplat-prod/db-migrate',
      retention_in_days: 30,
      kms_key_id: KEYS.logs,
    });
  });

  it('alone reads the master secret (execution role), injected by ECS, never in plain text', () => {
    const exec = policy(byPrefix(out, 'aws_iam_role_policy', 'DbMigrate_ExecutionPolicy')[0].policy);
    expect(exec.Statement.find((s) => s.Sid === 'ReadMasterSecret')).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: expect.stringMatching(/aws_secretsmanager_secret\.Database_MasterCredential_Secret_\w+\.arn/),
    });
    expect(container().secrets.map((s: any) => s.name)).toEqual(['DB_USERNAME', 'PGPASSWORD']);
    const others = out.resources('aws_iam_role_policy').filter(([id]) => !id.startsWith('DbMigrate_'));
    for (const [, p] of others) expect(p.policy).not.toMatch(/MasterCredential/);
  });

  it('runs the SQL client pinned by digest, and nothing else (no application image to pull)', () => {
    expect(container().image).toMatch(
      /^public\.ecr\.aws\/docker\/library\/postgres:17-alpine@sha256:[0-9a-f]{64}$/,
    );
    const exec = policy(byPrefix(out, 'aws_iam_role_policy', 'DbMigrate_ExecutionPolicy')[0].policy);
    expect(JSON.stringify(exec)).not.toMatch(/ecr:/);
    const pinned = 'registry.example.com/psql@sha256:' + 'a'.repeat(64);
    const custom = dataLayer(configOf('prod', (e) => (e.database.bootstrapImage = pinned)));
    const td = custom.resources('aws_ecs_task_definition').find(([id]) => id.startsWith('DbMigrate_'))![1];
    expect(JSON.parse(td.container_definitions)[0].image).toBe(pinned);
  });

  it('runs the generated SQL for every service that uses the database', () => {
    const env = Object.fromEntries(container().environment.map((e: any) => [e.name, e.value]));
    for (const user of ['migrate_backend', 'app_backend', 'migrate_frontend', 'app_frontend'])
      expect(env.APP_USERS_SQL).toContain(`CREATE ROLE ${user} LOGIN`);
    expect(env.APP_USERS_SQL).toContain('CREATE SCHEMA IF NOT EXISTS backend AUTHORIZATION migrate_backend;');
    expect(container().command[0]).toMatch(
      /printf '%s\\n' "\$APP_USERS_SQL" \| PGUSER=.* psql .*sslmode=require/,
    );
  });

  it('has its own group, admitted to the database, in the private subnets (outputs for run-task)', () => {
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .map(([, r]) => r)
      .filter(
        (r) =>
          /Database_SecurityGroup/.test(r.security_group_id) &&
          /DbMigrate_SecurityGroup/.test(r.referenced_security_group_id),
      );
    expect(ingress).toHaveLength(1);
    const task = out.json.output.db_migrate_task.value;
    expect(task.family).toBe('webplat-prod-db-migrate');
    expect(task.security_group_id).toMatch(/DbMigrate_SecurityGroup/);
    expect(task.subnet_ids).toEqual(['subnet-0a0000000000priv1', 'subnet-0a0000000000priv2']);
  });

  it('MySQL: the mysql client with TLS required and the AWS authentication plugin', () => {
    const mysql = dataLayer(parseEnvironmentConfig(withEngine('mysql')));
    const c = JSON.parse(mysql.only('aws_ecs_task_definition').container_definitions)[0];
    expect(c.command[0]).toMatch(/mysql --ssl-mode=REQUIRED/);
    expect(c.secrets.map((s: any) => s.name)).toEqual(['DB_USERNAME', 'MYSQL_PWD']);
    expect(JSON.stringify(c.environment)).toContain('AWSAuthenticationPlugin');
  });

  it.each(['db-migrate', 'backend-migrate', 'db'])(
    'no service may take a name the bootstrap, a migration task or the database uses (%s)',
    (name) => {
      const input = envInput('dev');
      input.services[name] = { ...input.services.backend, pathPatterns: ['/m/*'] };
      expect(() => parseEnvironmentConfig(input)).toThrow(
        new RegExp(`services\\.${name}: ${name} would share names with the database`),
      );
    },
  );
});

describe('rds-db:connect', () => {
  const taskStatements = (service: string) =>
    JSON.parse(
      JSON.stringify(bindings(service).statements).replace(
        /\$\{aws_db_instance\.[\w-]+\.resource_id\}/g,
        RESOURCE_ID,
      ),
    );
  const asUser = (service: string, user: string) =>
    decide({
      principal: `arn:aws:iam::${ACCOUNT}:role/webplat-prod-${service}-task`,
      action: 'rds-db:connect',
      resource: `arn:aws:rds-db:us-east-1:${ACCOUNT}:dbuser:${RESOURCE_ID}/${user}`,
      resourceAccount: ACCOUNT,
      identity: taskStatements(service),
    });

  it("lets a service's task role connect as its own user only", async () => {
    expect(await asUser('backend', 'app_backend')).toBe('Allowed');
    expect(await asUser('frontend', 'app_frontend')).toBe('Allowed');
    expect(await asUser('backend', 'app_frontend')).toBe('ImplicitlyDenied');
    expect(await asUser('frontend', 'app_backend')).toBe('ImplicitlyDenied');
  });

  it('never as the master user', async () => {
    expect(await asUser('backend', 'dbadmin')).toBe('ImplicitlyDenied');
    expect(await asUser('backend', 'app_backend_admin')).toBe('ImplicitlyDenied');
  });

  it('names each read replica too (IAM auth on a replica uses its own resource id)', () => {
    const withReplica = dataLayer(configOf('prod', (e) => (e.database.readReplicas = 1)));
    const s = withReplica.json.output.bindings_backend.value.statements.find(
      (x: any) => x.Sid === 'DatabaseConnectAsOwnUser',
    );
    expect(s.Resource).toEqual([
      expect.stringMatching(/Database_Instance_\w+\.resource_id\}\/app_backend$/),
      expect.stringMatching(/Database_Replica0_\w+\.resource_id\}\/app_backend$/),
    ]);
  });

  it('names the cluster resource id on Aurora', () => {
    const aurora = dataLayer(parseEnvironmentConfig(withEngine('aurora-postgresql')));
    const s = aurora.json.output.bindings_backend.value.statements.find(
      (x: any) => x.Sid === 'DatabaseConnectAsOwnUser',
    );
    expect(s.Resource).toEqual([
      expect.stringMatching(/aws_rds_cluster\.Database_Cluster_\w+\.cluster_resource_id\}\/app_backend$/),
    ]);
  });
});

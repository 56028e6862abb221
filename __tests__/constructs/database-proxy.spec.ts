/**
 * RDS Proxy (`database.proxy`, constructs/data/database-proxy.ts): clients sign in by IAM token over
 * TLS only; the proxy signs in as each runtime user with the password of that user's secret, which
 * the bootstrap fills (core/proxy-credentials.ts: its shell step run here against a stand-in `aws`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  proxyCredentialEnvironment,
  proxyCredentialScript,
  psqlPasswordArguments,
} from '../../constructs/core/proxy-credentials';
import { parseEnvironmentConfig } from '../../environments/schema';
import { configOf } from '../support/bare';
import { expectRejected } from '../support/config-errors';
import { bindingsOf, buildDataLayer, dataLayer, withEngine } from '../support/data-layer';
import { envInput, policy } from '../support/fixtures';

const proxied = (input: any) => ((input.database.proxy = {}), input);

describe('RDS Proxy on PostgreSQL (dev with database.proxy)', () => {
  const out = dataLayer(configOf('dev', proxied));
  const proxy = out.only('aws_db_proxy');
  const users = proxy.auth.map((a: any) => a.description);

  it('takes clients by IAM token over TLS only, one sign-in per runtime user, no debug logging', () => {
    expect(proxy).toMatchObject({ engine_family: 'POSTGRESQL', require_tls: true, debug_logging: false });
    expect(users).toEqual(['app_backend']);
    for (const auth of proxy.auth) {
      expect(auth).toMatchObject({ auth_scheme: 'SECRETS', iam_auth: 'REQUIRED' });
      expect(auth.secret_arn).toMatch(
        new RegExp(`aws_secretsmanager_secret\\.DatabaseProxy_Secret-${auth.description}_\\w+\\.arn`),
      );
    }
  });

  it('holds no password: secrets without a version, and no secret of the master user', () => {
    expect(out.count('aws_secretsmanager_secret_version')).toBe(0);
    const secrets = out
      .resources('aws_secretsmanager_secret')
      .filter(([id]) => id.startsWith('DatabaseProxy_'));
    expect(secrets.map(([, s]) => s.name)).toEqual(['webplat-dev-db-proxy-app-backend']);
    expect(JSON.stringify(proxy)).not.toMatch(/MasterCredential/);
    const [, role] = out.resources('aws_iam_role_policy').find(([id]) => id.startsWith('DatabaseProxy_'))!;
    const doc = policy(role.policy);
    expect(doc.Statement.map((s) => s.Action)).toEqual(['secretsmanager:GetSecretValue', 'kms:Decrypt']);
    expect(JSON.stringify(doc)).not.toMatch(/MasterCredential/);
  });

  it('pools with the schema defaults, targets the instance, and has no reader endpoint', () => {
    expect(out.only('aws_db_proxy_default_target_group').connection_pool_config).toEqual({
      max_connections_percent: 90,
      max_idle_connections_percent: 50,
      connection_borrow_timeout: 120,
    });
    expect(out.only('aws_db_proxy_target').db_instance_identifier).toMatch(/aws_db_instance\./);
    expect(out.count('aws_db_proxy_endpoint')).toBe(0);
  });

  it('hands the service the proxy (host, peer, IAM sign-in on prx-) and its migrations the database', () => {
    const b = bindingsOf(out, 'backend');
    expect(b.environment.DB_HOST).toMatch(/aws_db_proxy\.DatabaseProxy_\w+\.endpoint/);
    expect(b.environment.DB_USER).toBe('app_backend');
    const connect = b.statements.find((s: any) => s.Action === 'rds-db:connect');
    const id = connect.Resource.match(
      /^arn:aws:rds-db:us-east-1:\d{12}:dbuser:\$\{local\.(\w+)\}\/app_backend$/,
    )?.[1];
    expect(out.json.locals[id]).toMatch(
      /^\$\{element\(split\(":", aws_db_proxy\.DatabaseProxy_\w+\.arn\), 6\)\}$/,
    );
    const groups: string[] = b.peers.map((p: any) => p.group);
    expect(groups).toEqual(expect.arrayContaining([expect.stringMatching(/DatabaseProxy_SecurityGroup/)]));
    expect(groups.filter((g) => /\.Database_SecurityGroup/.test(g))).toEqual([]);
    // What its role must never do, for the contract: sign in directly, or read the proxy's password.
    const config = configOf('dev', proxied);
    const { layer } = buildDataLayer(config);
    const because = layer
      .bindingsFor('backend', config.services.backend.uses)
      .requests.deny.map((r) => r.because);
    expect(because).toEqual(
      expect.arrayContaining([
        'app_backend signs in through the proxy only',
        "the proxy's sign-in password: the service signs in by IAM token",
        "migrate_backend is another service's user, also through the proxy",
      ]),
    );
  });

  it('lets the proxy reach the database, and only the services reach the proxy', () => {
    const ingress = out.resources('aws_vpc_security_group_ingress_rule').map(([id]) => id);
    expect(ingress.some((id) => id.startsWith('Database_SecurityGroup') && /proxy/i.test(id))).toBe(true);
  });

  it('the ECS bootstrap fills the secrets before the SQL client runs, which gets each password from psql -v', () => {
    const task = out.resources('aws_ecs_task_definition').find(([id]) => id.startsWith('DbMigrate_'))![1];
    const [fill, client] = JSON.parse(task.container_definitions);
    expect(fill).toMatchObject({ name: 'proxy-credentials', essential: false, readonlyRootFilesystem: true });
    expect(fill.environment.map((e: any) => e.name)).toEqual(['AWS_REGION', 'PROXY_SECRET_APP_BACKEND']);
    expect(client.dependsOn).toEqual([{ containerName: 'proxy-credentials', condition: 'SUCCESS' }]);
    expect(client.command[0]).toContain('-v app_backend_password="$(cat /proxy/app_backend)"');
    expect(client.environment.find((e: any) => e.name === 'APP_USERS_SQL').value).toContain(
      "ALTER ROLE app_backend PASSWORD :'app_backend_password';",
    );
    expect(task.volume).toEqual([{ name: 'proxy-credentials' }]);
    const [, taskPolicy] = out
      .resources('aws_iam_role_policy')
      .find(([id]) => id.startsWith('DbMigrate_TaskPolicy'))!;
    expect(policy(taskPolicy.policy).Statement.map((s) => s.Sid)).toEqual([
      'FillProxySecrets',
      'GeneratePasswords',
      'EncryptProxySecrets',
    ]);
  });

  it('without the proxy, the bootstrap task has one container and its task role no policy', () => {
    const plain = dataLayer(configOf('dev'));
    const task = plain.resources('aws_ecs_task_definition').find(([id]) => id.startsWith('DbMigrate_'))![1];
    expect(JSON.parse(task.container_definitions).map((c: any) => c.name)).toEqual(['db-migrate']);
    expect(plain.resources('aws_iam_role_policy').some(([id]) => id.startsWith('DbMigrate_TaskPolicy'))).toBe(
      false,
    );
    expect(plain.count('aws_db_proxy')).toBe(0);
  });
});

describe('RDS Proxy on Aurora', () => {
  it('reads through a read-only endpoint, which the services get as DB_READER_HOST', () => {
    const out = dataLayer(parseEnvironmentConfig(proxied(withEngine('aurora-postgresql', 'prod'))));
    expect(out.only('aws_db_proxy_endpoint')).toMatchObject({ target_role: 'READ_ONLY' });
    expect(out.only('aws_db_proxy_target').db_cluster_identifier).toMatch(/aws_rds_cluster\./);
    expect(bindingsOf(out, 'backend').environment.DB_READER_HOST).toMatch(
      /aws_db_proxy_endpoint\.\w+\.endpoint/,
    );
  });
});

describe('database.proxy config', () => {
  it('is refused on MySQL, beside RDS read replicas, and with more idle than open connections', () => {
    expectRejected(proxied(withEngine('mysql')), 'database.proxy', /PostgreSQL engines/);
    const replicas = proxied(envInput('prod'));
    replicas.database.readReplicas = 1;
    expectRejected(replicas, 'database.proxy', /read replicas/);
    const idle = envInput('dev');
    idle.database.proxy = { maxConnectionsPercent: 40, maxIdleConnectionsPercent: 60 };
    expectRejected(idle, 'database.proxy.maxIdleConnectionsPercent', /above maxConnectionsPercent/);
  });
});

describe('the credential step (core/proxy-credentials.ts) against a stand-in aws CLI', () => {
  const users = [{ user: 'app_backend', secretArn: 'arn:backend', passwordVariable: 'app_backend_password' }];
  /** Runs the step with an `aws` that answers get-secret-value with `read` (exit code and output). */
  function run(read: { code: number; out: string }) {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-cred-'));
    const calls = join(dir, 'calls');
    writeFileSync(
      join(dir, 'aws'),
      [
        '#!/bin/sh',
        `echo "$*" >> ${calls}`,
        'case "$2" in',
        `  get-secret-value) printf '%s' '${read.out}'; exit ${read.code} ;;`,
        '  get-random-password) echo Gen3ratedPassw0rd ;;',
        'esac',
      ].join('\n'),
    );
    chmodSync(join(dir, 'aws'), 0o755);
    const env = Object.fromEntries(
      proxyCredentialEnvironment(users, 'us-east-1').map((e) => [e.name, e.value]),
    );
    const result = spawnSync('sh', ['-c', proxyCredentialScript(users, dir)], {
      env: { PATH: `${dir}:/usr/bin:/bin`, ...env },
      encoding: 'utf8',
    });
    const read2 = (f: string) => {
      try {
        return readFileSync(join(dir, f), 'utf8');
      } catch {
        return undefined;
      }
    };
    return {
      status: result.status,
      stderr: result.stderr,
      calls: read2('calls') ?? '',
      password: read2('app_backend'),
    };
  }

  it('generates and stores a password the first time', () => {
    const r = run({
      code: 254,
      out: 'An error occurred (ResourceNotFoundException) when calling GetSecretValue',
    });
    expect(r.status).toBe(0);
    expect(r.password).toBe('Gen3ratedPassw0rd');
    expect(r.calls).toContain(
      'secretsmanager put-secret-value --region us-east-1 --secret-id arn:backend --secret-string {"username":"app_backend","password":"Gen3ratedPassw0rd"}',
    );
  });

  it('reuses the stored password on every later run', () => {
    const r = run({ code: 0, out: '{"username":"app_backend","password":"St0redEarlier"}' });
    expect(r.status).toBe(0);
    expect(r.password).toBe('St0redEarlier');
    expect(r.calls).not.toMatch(/put-secret-value|get-random-password/);
  });

  it('stops, replacing nothing, when the read fails otherwise or the secret holds no usable password', () => {
    for (const read of [
      { code: 254, out: 'An error occurred (AccessDeniedException) when calling GetSecretValue' },
      { code: 0, out: '{"username":"app_backend"}' },
    ]) {
      const r = run(read);
      expect(r.status).toBe(1);
      expect(r.password).toBeUndefined();
      expect(r.calls).not.toMatch(/put-secret-value/);
    }
  });

  it('hands each password to psql as its variable, read from the file at run time', () => {
    expect(psqlPasswordArguments(users, '/proxy')).toBe(
      ' -v app_backend_password="$(cat /proxy/app_backend)"',
    );
    // The shell quoting holds: psql receives the file's content as one argument.
    const dir = mkdtempSync(join(tmpdir(), 'proxy-arg-'));
    writeFileSync(join(dir, 'app_backend'), 'Abc123');
    const args = execFileSync('sh', ['-c', `printf '%s\\n'${psqlPasswordArguments(users, dir)}`], {
      encoding: 'utf8',
    });
    expect(args.trim().split('\n')).toEqual(['-v', 'app_backend_password=Abc123']);
  });
});

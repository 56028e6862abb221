/**
 * The application database users (docs/runbooks.md, "Create the application database users"): one
 * least-privilege user per service that uses the database, authenticated by IAM (`rds-db:connect`),
 * never by the master credential. This module only writes the SQL; the migration task runs it as the
 * master user. Every statement is idempotent: the task may run again after a service is added.
 */
import type { DatabaseEngine } from '../../environments/rules';

/** PostgreSQL and MySQL both accept these unquoted; MySQL user names are at most 32 characters. */
const SAFE_IDENTIFIER = /^[a-z][a-z0-9_]{0,31}$/;

/** The database user of a service: `app_<service>` (`-` becomes `_`). */
export function appUserName(service: string): string {
  return safeIdentifier(`app_${service.replace(/-/g, '_')}`, `user of service ${service}`);
}

/** `name` if it is a safe SQL identifier (lowercase letter, then letters, digits, `_`; ≤ 32), else an error. */
export function safeIdentifier(name: string, what = 'identifier'): string {
  if (!SAFE_IDENTIFIER.test(name)) throw new Error(`${what}: ${name} is not a safe SQL identifier`);
  return name;
}

/** The SQL that creates (or completes) each user with read/write on the application's tables only. */
export function appUsersSql(engine: DatabaseEngine, databaseName: string, users: readonly string[]): string {
  const db = safeIdentifier(databaseName, 'database name');
  const safe = users.map((u) => safeIdentifier(u, 'user name'));
  const statements = safe.flatMap((u) => (engine === 'mysql' ? mysqlUser(db, u) : postgresUser(db, u)));
  return statements.join('\n');
}

/**
 * PostgreSQL / Aurora PostgreSQL: a LOGIN role without password, member of `rds_iam` (IAM tokens
 * only), with CONNECT on the app database, USAGE on `public` and DML on its tables and sequences,
 * now and for tables the migrations (run as the master user) create later.
 */
function postgresUser(db: string, user: string): string[] {
  return [
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${user}') THEN CREATE ROLE ${user} LOGIN; END IF; END $$;`,
    `GRANT rds_iam TO ${user};`,
    `GRANT CONNECT ON DATABASE ${db} TO ${user};`,
    `GRANT USAGE ON SCHEMA public TO ${user};`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${user};`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${user};`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${user};`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${user};`,
  ];
}

/** MySQL: a user authenticated by the AWS plugin (IAM tokens only), TLS required, DML on `<db>.*`. */
function mysqlUser(db: string, user: string): string[] {
  return [
    `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL;`,
    `ALTER USER '${user}'@'%' REQUIRE SSL;`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${db}\`.* TO '${user}'@'%';`,
  ];
}

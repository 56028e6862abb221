/**
 * Per-service database identities (docs/architecture.md, "Database identities"). Each service that
 * uses the database owns a schema (PostgreSQL; a database on MySQL) named after it and has two users,
 * both authenticated by IAM token only (`rds_iam`; `AWSAuthenticationPlugin` with TLS required):
 * - `migrate_<service>` owns the schema: DDL and data rights there, nowhere else (its migrations);
 * - `app_<service>` has data rights on the schema's tables and sequences, now and later (default
 *   privileges `FOR ROLE migrate_<service>`), and no DDL (the running service).
 * Neither can reach another service's schema or create anything in `public`. With RDS Proxy
 * (`proxiedServices`, PostgreSQL) the runtime user instead signs in with the password only the
 * proxy's secret holds (passed in as a psql variable), and leaves `rds_iam`.
 *
 * This module only writes the SQL. The platform bootstrap runs it as the master user, which on RDS is
 * not a superuser (CREATEROLE, member of `rds_superuser`): it creates the roles, is granted each
 * migration user (to hand schemas and tables to it) and owns the database. Every statement is
 * idempotent: the bootstrap runs again after a service is added and converges to the same state.
 * The tables deployed before per-service schemas (`legacyOwner`) move, data kept, into their owner's
 * schema; a second run finds nothing left to move.
 *
 * Proven in __tests__/constructs/database-identities.spec.ts: the PostgreSQL script against
 * PostgreSQL itself (PGlite, as a non-superuser master and then as each user), MySQL's statement by
 * statement with a MySQL parser.
 */
import type { DatabaseEngine } from '../../environments/rules';

/** The database identities of one service (docs/architecture.md, "Database identities"). */
export interface ServiceDatabaseIdentity {
  readonly service: string;
  /** The PostgreSQL schema / MySQL database the service owns: the service name with `-` as `_`. */
  readonly schema: string;
  /** Runs the service's migrations: DDL and data rights on its own schema only. `migrate_<svc>`. */
  readonly migrationUser: string;
  /** The running service: data rights (SELECT/INSERT/UPDATE/DELETE, sequences) on its schema only. `app_<svc>`. */
  readonly runtimeUser: string;
}

/** PostgreSQL and MySQL both accept these unquoted; MySQL user names are at most 32 characters. */
const SAFE_IDENTIFIER = /^[a-z][a-z0-9_]{0,31}$/;
/** Schemas, databases and roles of the engines or of RDS: never a service's or the bootstrap's. */
const RESERVED = /^(public|information_schema|mysql|sys|performance_schema|rdsadmin|postgres|pg_.*|rds_.*)$/;

/**
 * `name` if it is a safe SQL identifier (lowercase letter, then [a-z0-9_], at most 32 chars) and not a
 * reserved schema/database/role name (public, information_schema, mysql, sys, performance_schema,
 * rds_iam, rdsadmin, postgres, anything starting pg_ or rds_), else an Error naming `what`.
 */
export function safeIdentifier(name: string, what = 'identifier'): string {
  if (!SAFE_IDENTIFIER.test(name))
    throw new Error(
      `${what}: ${JSON.stringify(name)} is not a safe SQL identifier (a lowercase letter, then a-z, 0-9 or _; at most 32)`,
    );
  if (RESERVED.test(name)) throw new Error(`${what}: ${JSON.stringify(name)} is a reserved name`);
  return name;
}

/** The schema and the two users of `service` (`report-worker` → `report_worker`, `migrate_report_worker`, `app_report_worker`). */
export function serviceDatabaseIdentity(service: string): ServiceDatabaseIdentity {
  const base = service.replace(/-/g, '_');
  return {
    service,
    schema: safeIdentifier(base, `schema of service ${service}`),
    migrationUser: safeIdentifier(`migrate_${base}`, `migration user of service ${service}`),
    runtimeUser: safeIdentifier(`app_${base}`, `runtime user of service ${service}`),
  };
}

export interface BootstrapSqlInput {
  readonly engine: DatabaseEngine;
  /** The instance's initial database (`app`): PostgreSQL's schemas live in it; on MySQL it holds the legacy tables. */
  readonly databaseName: string;
  /** The master user, which the bootstrap runs as and which owns the legacy tables. */
  readonly masterUsername: string;
  readonly services: readonly ServiceDatabaseIdentity[];
  /**
   * The service that owns the tables deployed before per-service schemas (PostgreSQL: in `public`,
   * owned by the master user; MySQL: in `databaseName`). Must be one of `services`. Default: none
   * (nothing moves).
   */
  readonly legacyOwner?: string;
  /**
   * Services whose runtime user signs in through RDS Proxy (`database.proxy`; PostgreSQL engines):
   * not in `rds_iam`, with the password the proxy's secret holds, which the bootstrap passes to psql
   * as the variable `proxyPasswordVariable(identity)` (never in the script). Default: none.
   */
  readonly proxiedServices?: readonly string[];
}

/** The psql variable that carries a proxied runtime user's password into the script (`-v`). */
export function proxyPasswordVariable(identity: ServiceDatabaseIdentity): string {
  return `${identity.runtimeUser}_password`;
}

/**
 * The idempotent bootstrap script: one statement per line (PostgreSQL's `DO` blocks span lines), for
 * `psql -v ON_ERROR_STOP=1` or the `mysql` client. `aurora-postgresql` gets PostgreSQL's.
 */
export function bootstrapSql(input: BootstrapSqlInput): string {
  return bootstrapStatements(input).join('\n');
}

/** Each statement of `bootstrapSql` as a separate string, in order. Throws on an unsafe or ambiguous input. */
export function bootstrapStatements(input: BootstrapSqlInput): string[] {
  const db = safeIdentifier(input.databaseName, 'database name');
  const master = safeIdentifier(input.masterUsername, 'master user');
  const ids = input.services.map((i) => ({
    service: i.service,
    schema: safeIdentifier(i.schema, `schema of service ${i.service}`),
    migrationUser: safeIdentifier(i.migrationUser, `migration user of service ${i.service}`),
    runtimeUser: safeIdentifier(i.runtimeUser, `runtime user of service ${i.service}`),
  }));
  unique(ids.map((i) => [i.schema, `service ${i.service}'s schema`]));
  unique([
    [master, 'the master user'],
    ...ids.flatMap((i): [string, string][] => [
      [i.migrationUser, `service ${i.service}'s migration user`],
      [i.runtimeUser, `service ${i.service}'s runtime user`],
    ]),
  ]);
  const owner =
    input.legacyOwner === undefined ? undefined : ids.find((i) => i.service === input.legacyOwner);
  if (input.legacyOwner !== undefined && !owner)
    throw new Error(
      `legacyOwner ${JSON.stringify(input.legacyOwner)} is not among the services (${ids.map((i) => i.service).join(', ') || 'none'})`,
    );
  const proxied = new Set(input.proxiedServices ?? []);
  const unknown = [...proxied].filter((p) => !ids.some((i) => i.service === p));
  if (unknown.length > 0)
    throw new Error(`proxied services ${unknown.join(', ')} are not among the services`);
  if (input.engine === 'mysql') {
    if (proxied.size > 0) throw new Error('the proxy is built for PostgreSQL engines only');
    const clash = ids.find((i) => i.schema === db);
    if (clash)
      throw new Error(`service ${clash.service}'s database would be ${db}, the initial (legacy) database`);
    return mysql(db, ids, owner);
  }
  return postgres(
    db,
    master,
    ids.map((i) => ({ ...i, proxied: proxied.has(i.service) })),
    owner,
  );
}

/** Throws when two entries share a name: `[name, whose]` pairs. */
function unique(entries: readonly (readonly [string, string])[]): void {
  const seen = new Map<string, string>();
  for (const [name, whose] of entries) {
    const other = seen.get(name);
    if (other) throw new Error(`${other} and ${whose} are both ${name}`);
    seen.set(name, whose);
  }
}

/** A LOGIN role without password (rds_iam makes IAM tokens its only way in), created once. */
const pgRole = (name: string) =>
  `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${name}') THEN CREATE ROLE ${name} LOGIN; END IF; END $$;`;

/**
 * PostgreSQL / Aurora PostgreSQL, in one transaction (psql stops at the first error: nothing is
 * half done): close the database and `public`; per service its roles and schema; the legacy move;
 * then (only after the move) the runtime users' data rights. The master needs SET rights on each
 * migration user to create its schema and hand it tables; a migration user is in `rds_iam`, and a
 * master that inherited `rds_iam` would have to sign in with IAM tokens (RDS user guide, "IAM
 * database authentication for PostgreSQL"): so those memberships exist only inside the transaction,
 * are revoked before it commits, and the transaction fails should the master inherit `rds_iam`.
 */
function postgres(
  db: string,
  master: string,
  ids: readonly (ServiceDatabaseIdentity & { readonly proxied: boolean })[],
  owner?: ServiceDatabaseIdentity,
): string[] {
  const closed = [`REVOKE ALL ON DATABASE ${db} FROM PUBLIC;`, 'REVOKE CREATE ON SCHEMA public FROM PUBLIC;'];
  // A proxied runtime user signs in with a password, which `ALTER ROLE` carries in clear text:
  // the server would log it were statement logging on. Then nothing is done.
  const unlogged = ids.some((i) => i.proxied)
    ? [
        "DO $$ BEGIN IF current_setting('log_statement') <> 'none' THEN RAISE EXCEPTION 'log_statement is %: the proxied users'' passwords would be logged; nothing committed', current_setting('log_statement'); END IF; END $$;",
      ]
    : [];
  const identities = ids.flatMap((i) => [
    pgRole(i.migrationUser),
    pgRole(i.runtimeUser),
    ...(i.proxied
      ? [
          // The proxy signs in as it with the password of its secret: no IAM sign-in (rds_iam
          // would refuse the password), and no other way in for anyone who lacks the secret.
          `GRANT rds_iam TO ${i.migrationUser};`,
          `REVOKE rds_iam FROM ${i.runtimeUser};`,
          `ALTER ROLE ${i.runtimeUser} PASSWORD :'${proxyPasswordVariable(i)}';`,
        ]
      : [
          `GRANT rds_iam TO ${i.migrationUser}, ${i.runtimeUser};`,
          // No password sign-in (one the proxy had, were it turned off).
          `ALTER ROLE ${i.runtimeUser} PASSWORD NULL;`,
        ]),
    // For this transaction only (revoked below): SET ROLE rights to create for and hand over to it.
    `GRANT ${i.migrationUser} TO ${master};`,
    `GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${i.migrationUser}, ${i.runtimeUser};`,
    `CREATE SCHEMA IF NOT EXISTS ${i.schema} AUTHORIZATION ${i.migrationUser};`,
    `ALTER SCHEMA ${i.schema} OWNER TO ${i.migrationUser};`,
    // Its own schema first; `public` after it for the types, functions and extensions the
    // application already uses there (nobody but the master can create anything in it).
    `ALTER ROLE ${i.migrationUser} SET search_path = ${i.schema}, public;`,
    `ALTER ROLE ${i.runtimeUser} SET search_path = ${i.schema}, public;`,
    // The previous model (one app_<service> per service with DML on everything the master created
    // in `public`, app-users.ts) left default privileges behind: no longer.
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${i.runtimeUser};`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${i.runtimeUser};`,
  ]);
  const runtime = ids.flatMap((i) => [
    `GRANT USAGE ON SCHEMA ${i.schema} TO ${i.runtimeUser};`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${i.schema} TO ${i.runtimeUser};`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${i.schema} TO ${i.runtimeUser};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${i.migrationUser} IN SCHEMA ${i.schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${i.runtimeUser};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${i.migrationUser} IN SCHEMA ${i.schema} GRANT USAGE, SELECT ON SEQUENCES TO ${i.runtimeUser};`,
  ]);
  const release = [
    ...ids.map((i) => `REVOKE ${i.migrationUser} FROM ${master};`),
    "DO $$ BEGIN IF pg_has_role(current_user, 'rds_iam', 'USAGE') THEN RAISE EXCEPTION 'the master user would inherit rds_iam (IAM sign-in only): nothing committed'; END IF; END $$;",
  ];
  return [
    'BEGIN;',
    ...unlogged,
    ...closed,
    ...identities,
    ...(owner ? postgresLegacyMove(master, owner, ids) : []),
    ...runtime,
    ...release,
    'COMMIT;',
  ];
}

/**
 * The master's relations in `public` move to the owner's schema and are handed to its migration
 * user: tables (partitioned ones and their partitions too), views, materialized views and standalone
 * sequences; then its types (enums, domains, standalone composites) and routines. Indexes, constraints and the sequences owned by a column (serial, identity) follow their
 * table; extension members stay with their extension; rows are untouched. Another relation of the
 * same name already in the owner's schema stops the bootstrap (nothing is overwritten). The grants
 * the previous model gave other services' users on those tables are revoked afterwards.
 */
function postgresLegacyMove(
  master: string,
  owner: ServiceDatabaseIdentity,
  ids: readonly ServiceDatabaseIdentity[],
): string[] {
  const relation =
    "CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END";
  const dependsAs = (deptypes: string) =>
    `EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN (${deptypes}))`;
  const others = ids
    .filter((i) => i.service !== owner.service)
    .flatMap((i) => [i.runtimeUser, i.migrationUser]);
  const from = ['PUBLIC', ...others].join(', ');
  return [
    [
      'DO $$',
      'DECLARE',
      '  r record;',
      '  kind text;',
      'BEGIN',
      '  FOR r IN',
      '    SELECT c.relname, c.relkind FROM pg_class c',
      `    WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = '${master}'::regrole`,
      "      AND c.relkind IN ('r', 'p', 'v', 'm', 'S')",
      `      AND NOT (c.relkind = 'S' AND ${dependsAs("'a', 'i'")})`,
      `      AND NOT ${dependsAs("'e'")}`,
      '    ORDER BY c.oid',
      '  LOOP',
      `    kind := ${relation};`,
      `    EXECUTE format('ALTER %s public.%I SET SCHEMA %I', kind, r.relname, '${owner.schema}');`,
      `    EXECUTE format('ALTER %s %I.%I OWNER TO %I', kind, '${owner.schema}', r.relname, '${owner.migrationUser}');`,
      '  END LOOP;',
      'END $$;',
    ].join('\n'),
    // Its types (enums, domains, standalone composites) and routines, so its migrations can change
    // them: owned by the master, not by an extension (a table's row type moves with its table).
    [
      'DO $$',
      'DECLARE',
      '  r record;',
      'BEGIN',
      '  FOR r IN',
      "    SELECT t.typname, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END AS kind FROM pg_type t",
      `    WHERE t.typnamespace = 'public'::regnamespace AND t.typowner = '${master}'::regrole`,
      "      AND (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))",
      "      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')",
      '    ORDER BY t.oid',
      '  LOOP',
      `    EXECUTE format('ALTER %s public.%I SET SCHEMA %I', r.kind, r.typname, '${owner.schema}');`,
      `    EXECUTE format('ALTER %s %I.%I OWNER TO %I', r.kind, '${owner.schema}', r.typname, '${owner.migrationUser}');`,
      '  END LOOP;',
      '  FOR r IN',
      '    SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args FROM pg_proc p',
      `    WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = '${master}'::regrole AND p.prokind IN ('f', 'p')`,
      "      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')",
      '    ORDER BY p.oid',
      '  LOOP',
      `    EXECUTE format('ALTER ROUTINE public.%I(%s) SET SCHEMA %I', r.proname, r.args, '${owner.schema}');`,
      `    EXECUTE format('ALTER ROUTINE %I.%I(%s) OWNER TO %I', '${owner.schema}', r.proname, r.args, '${owner.migrationUser}');`,
      '  END LOOP;',
      'END $$;',
    ].join('\n'),
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${owner.schema} FROM ${from};`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${owner.schema} FROM ${from};`,
  ];
}

/** The privileges of a migration user on its database: DDL and data, no GRANT OPTION, nothing global. */
const MYSQL_MIGRATION_PRIVILEGES =
  'SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW, TRIGGER';

/** MySQL: a database per service; users by the AWS plugin with TLS required; grants on their database only. */
function mysql(
  db: string,
  ids: readonly ServiceDatabaseIdentity[],
  owner?: ServiceDatabaseIdentity,
): string[] {
  const account = (name: string) => `'${name}'@'%'`;
  // CREATE covers a new user; ALTER makes an existing one (e.g. the previous model's app_<service>)
  // IAM-only with TLS as well.
  const user = (name: string) => [
    `CREATE USER IF NOT EXISTS ${account(name)} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL;`,
    `ALTER USER ${account(name)} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL;`,
  ];
  const identities = ids.flatMap((i) => [
    `CREATE DATABASE IF NOT EXISTS \`${i.schema}\`;`,
    ...user(i.migrationUser),
    ...user(i.runtimeUser),
    `GRANT ${MYSQL_MIGRATION_PRIVILEGES} ON \`${i.schema}\`.* TO ${account(i.migrationUser)};`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${i.schema}\`.* TO ${account(i.runtimeUser)};`,
  ]);
  return [...identities, ...(owner ? mysqlLegacyMove(db, owner) : [])];
}

/**
 * Every base table of `db` moves to the owner's database in one `RENAME TABLE` (atomic), built from
 * information_schema; nothing left to move runs `DO 0`. Views stay (MySQL cannot move a view to
 * another database; one that reads a moved table must be recreated by a migration), and a table with
 * triggers stops the move (MySQL refuses to rename it across databases; nothing moves). GROUP_CONCAT's
 * default limit (1,024 bytes) would cut a long list: raised for the session.
 */
function mysqlLegacyMove(db: string, owner: ServiceDatabaseIdentity): string[] {
  const name = "REPLACE(table_name, '`', '``')";
  const pair = `CONCAT('\`${db}\`.\`', ${name}, '\` TO \`${owner.schema}\`.\`', ${name}, '\`')`;
  return [
    'SET SESSION group_concat_max_len = 1048576;',
    `SET @s = (SELECT CONCAT('RENAME TABLE ', GROUP_CONCAT(${pair} ORDER BY table_name SEPARATOR ', ')) FROM information_schema.tables WHERE table_schema = '${db}' AND table_type = 'BASE TABLE');`,
    "SET @s = IFNULL(@s, 'DO 0');",
    'PREPARE move_legacy_tables FROM @s;',
    'EXECUTE move_legacy_tables;',
    'DEALLOCATE PREPARE move_legacy_tables;',
  ];
}

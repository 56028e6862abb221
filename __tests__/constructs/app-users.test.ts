import { appUserName, appUsersSql, safeIdentifier } from '../../constructs/data/app-users';

describe('application database users', () => {
  it('names a service user app_<service>, a safe identifier', () => {
    expect(appUserName('backend')).toBe('app_backend');
    expect(appUserName('report-worker')).toBe('app_report_worker');
    expect(() => appUserName('x'.repeat(40))).toThrow(/not a safe SQL identifier/);
    for (const bad of ["a'; DROP TABLE x; --", 'Admin', '1app', 'app-name', ''])
      expect(() => safeIdentifier(bad)).toThrow(/not a safe SQL identifier/);
  });

  it('PostgreSQL: an idempotent LOGIN role in rds_iam with DML on the app database only', () => {
    const sql = appUsersSql('postgres', 'app', ['app_backend', 'app_worker']);
    const lines = sql.split('\n');
    expect(lines.filter((l) => l.startsWith('DO $$'))).toHaveLength(2);
    expect(sql).toContain(
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_backend') THEN CREATE ROLE app_backend LOGIN; END IF; END $$;",
    );
    expect(lines).toContain('GRANT rds_iam TO app_backend;');
    expect(lines).toContain('GRANT CONNECT ON DATABASE app TO app_backend;');
    expect(lines).toContain(
      'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app_worker;',
    );
    expect(sql).not.toMatch(/PASSWORD|SUPERUSER|CREATEROLE|CREATEDB|ALL PRIVILEGES|rds_superuser/i);
    // Nothing but CREATE ROLE runs unguarded by IF NOT EXISTS; GRANTs are idempotent in PostgreSQL.
    for (const l of lines) expect(l).toMatch(/^(DO \$\$|GRANT |ALTER DEFAULT PRIVILEGES )/);
    expect(appUsersSql('aurora-postgresql', 'app', ['app_backend'])).toBe(
      appUsersSql('postgres', 'app', ['app_backend']),
    );
  });

  it('MySQL: IF NOT EXISTS, the AWS authentication plugin, TLS required, DML on app.*', () => {
    const lines = appUsersSql('mysql', 'app', ['app_backend']).split('\n');
    expect(lines).toEqual([
      "CREATE USER IF NOT EXISTS 'app_backend'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL;",
      "ALTER USER 'app_backend'@'%' REQUIRE SSL;",
      "GRANT SELECT, INSERT, UPDATE, DELETE ON `app`.* TO 'app_backend'@'%';",
    ]);
  });

  it('refuses an unsafe database or user name', () => {
    expect(() => appUsersSql('postgres', 'app; DROP', ['app_x'])).toThrow(/database name/);
    expect(() => appUsersSql('mysql', 'app', ["x'@'%"])).toThrow(/user name/);
  });
});

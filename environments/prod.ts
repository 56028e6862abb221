import { MAIN_ACCOUNT_ID, ROOT_DOMAIN, HOME_REGION } from './accounts';
import type { EnvironmentConfigInput } from './schema';

/** prod follows seed 001: one NAT gateway per AZ, Multi-AZ PostgreSQL, Redis with failover. */
export const prod: EnvironmentConfigInput = {
  name: 'prod',
  tier: 'production',
  accountId: MAIN_ACCOUNT_ID,
  region: HOME_REGION,
  tags: { CostCenter: 'platform-prod' },
  network: {
    vpcCidr: '10.0.0.0/16',
    ipv6: true,
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    subnets: {
      public: ['10.0.1.0/24', '10.0.2.0/24'],
      private: ['10.0.10.0/24', '10.0.11.0/24'],
      isolated: ['10.0.20.0/24', '10.0.21.0/24'],
    },
    natGateways: 'perAz',
    interfaceEndpoints: [],
    flowLogs: { retentionDays: 30 },
  },
  dns: { domainName: ROOT_DOMAIN },
  alb: { deletionProtection: true },
  services: {
    frontend: {
      port: 3000,
      cpu: 256,
      memory: 512,
      desiredCount: 2,
      healthCheckPath: '/',
      pathPatterns: ['/*'],
      autoscaling: { minCapacity: 2, maxCapacity: 4, cpuTargetPercent: 70 },
    },
    backend: {
      port: 8000,
      cpu: 256,
      memory: 512,
      desiredCount: 2,
      healthCheckPath: '/api/v1/health',
      pathPatterns: ['/api/*'],
      uses: { database: true, cache: true, tables: ['sessions'], buckets: ['media'], identity: true },
      autoscaling: { minCapacity: 2, maxCapacity: 4, cpuTargetPercent: 70, memoryTargetPercent: 80 },
      // Seed 000: blue/green through CodeDeploy, 10 % canary for 5 minutes, schema migrations first.
      deployment: { type: 'blueGreen', trafficShift: { type: 'canary', percent: 10, minutes: 5 } },
      migrations: { command: ['npm', 'run', 'db:migrate'] },
    },
  },
  database: {
    engine: 'postgres',
    // Tables deployed before per-service schemas live in public: the bootstrap moves them to backend's.
    legacyTablesOwner: 'backend',
    // Seed 000: a read replica for reporting (DB_READER_HOST); the master credential is not RDS-managed.
    readReplicas: 1,
    // Major version only: RDS applies minor upgrades itself (auto minor upgrades) without a diff here.
    engineVersion: '16',
    instanceClass: 'db.t4g.small',
    allocatedStorageGb: 50,
    maxAllocatedStorageGb: 200,
    multiAz: true,
    backupRetentionDays: 7,
    deletionProtection: true,
    skipFinalSnapshot: false,
  },
  cache: {
    engineVersion: '7.1',
    nodeType: 'cache.t4g.small',
    numCacheClusters: 2,
    automaticFailover: true,
    snapshotRetentionDays: 5,
  },
  // Seed 004: DynamoDB for sessions; seed 002: media and backup buckets.
  tables: {
    sessions: {
      partitionKey: { name: 'id', type: 'S' },
      ttlAttribute: 'expiresAt',
      deletionProtection: true,
    },
  },
  buckets: {
    media: {},
    exports: { archive: { infrequentAccessDays: 30, glacierDays: 90, expireDays: 365 } },
  },
  // Seeds 002/003: daily + weekly backups, copied to a second region.
  backup: {
    dailyRetentionDays: 30,
    weeklyRetentionDays: 90,
    // Recovery points cannot be deleted early, by anyone, once the 3-day grace period has passed.
    vaultLock: { mode: 'compliance', minRetentionDays: 7, maxRetentionDays: 365, changeableForDays: 3 },
    restoreTesting: true,
  },
  // Seed 000: Cognito sign-in (e-mail username, TOTP MFA optional, admins enforce it in the app).
  identity: {
    customAttributes: { tenant_id: { type: 'String', mutable: false, max: 64 } },
    mfa: 'OPTIONAL',
    callbackUrls: [`https://${ROOT_DOMAIN}/auth/callback`],
    logoutUrls: [`https://${ROOT_DOMAIN}/`],
    deletionProtection: true,
    // Production mails through SES (the platform creates the domain identity and its DNS records);
    // the user pool's web ACL is on by tier (identity.signUpFirewall defaults).
    email: { sender: 'ses', from: `no-reply@${ROOT_DOMAIN}` },
  },
  budget: { monthlyLimitUsd: 600, alertEmails: ['platform-alerts@example.com'] },
  // Seed 002: RTO 4 h, RPO 1 h, also after losing the region: the database's automated backups
  // replicated there (15 min), the sessions table's replica (seconds), the buckets replicated with
  // Replication Time Control (15 min) (docs/architecture.md, "Recovery objectives").
  recovery: {
    strategy: 'backup-restore',
    region: 'us-west-2',
    rpoMinutes: 60,
    rtoMinutes: 240,
    healthCheckPath: '/api/v1/health',
  },
  logs: { retentionDays: 30 },
  // Production pages on-call (critical) and watches tighter latency, 5xx and connection limits
  // than the schema defaults (a db.t4g.small allows about 225 connections).
  observability: {
    subscribers: {
      critical: [{ email: 'platform-oncall@example.com' }],
      warning: [{ email: 'platform-alerts@example.com' }],
    },
    thresholds: { target5xxCount: 5, p99ResponseSeconds: 1.5, databaseConnections: 180 },
  },
  // Deploys on a release tag (v*).
  deploy: { trigger: 'tag' },
};

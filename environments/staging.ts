import { MAIN_ACCOUNT_ID, ROOT_DOMAIN, HOME_REGION } from './accounts';
import type { EnvironmentConfigInput } from './schema';

/**
 * staging sits between dev and prod: prod's instance sizes and Redis failover, dev's single NAT
 * gateway and single-AZ database; kept (deletion protection, final snapshot) like prod.
 */
export const staging: EnvironmentConfigInput = {
  name: 'staging',
  tier: 'non-production',
  accountId: MAIN_ACCOUNT_ID,
  region: HOME_REGION,
  tags: { CostCenter: 'platform-staging' },
  network: {
    vpcCidr: '10.1.0.0/16',
    ipv6: true,
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    subnets: {
      public: ['10.1.1.0/24', '10.1.2.0/24'],
      private: ['10.1.10.0/24', '10.1.11.0/24'],
      isolated: ['10.1.20.0/24', '10.1.21.0/24'],
    },
    natGateways: 'single',
    interfaceEndpoints: [],
    flowLogs: { retentionDays: 30 },
  },
  dns: { domainName: `staging.${ROOT_DOMAIN}` },
  services: {
    frontend: {
      port: 3000,
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      healthCheckPath: '/',
      pathPatterns: ['/*'],
      autoscaling: { minCapacity: 1, maxCapacity: 4, cpuTargetPercent: 70 },
    },
    backend: {
      port: 8000,
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      healthCheckPath: '/api/v1/health',
      pathPatterns: ['/api/*'],
      uses: { database: true, cache: true, tables: ['sessions'], buckets: ['media'], identity: true },
      // Seeds 002/003: scale on load too, not only on CPU (about 600 requests per task per minute).
      autoscaling: { minCapacity: 1, maxCapacity: 4, cpuTargetPercent: 70, requestsPerTarget: 600 },
    },
  },
  database: {
    engine: 'postgres',
    // Tables deployed before per-service schemas live in public: the bootstrap moves them to backend's.
    legacyTablesOwner: 'backend',
    // Major version only: RDS applies minor upgrades itself (auto minor upgrades) without a diff here.
    engineVersion: '16',
    instanceClass: 'db.t4g.small',
    allocatedStorageGb: 20,
    maxAllocatedStorageGb: 100,
    multiAz: false,
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
  backup: { dailyRetentionDays: 30 },
  // Seed 000: Cognito sign-in (e-mail username, TOTP MFA optional, admins enforce it in the app).
  identity: {
    customAttributes: { tenant_id: { type: 'String', mutable: false, max: 64 } },
    mfa: 'OPTIONAL',
    callbackUrls: [`https://staging.${ROOT_DOMAIN}/auth/callback`],
    logoutUrls: [`https://staging.${ROOT_DOMAIN}/`],
  },
  budget: { monthlyLimitUsd: 250, alertEmails: ['platform-alerts@example.com'] },
  // Recovery after losing the region: none (redeployed from code; docs/architecture.md, "Recovery objectives").
  recovery: { strategy: 'none' },
  logs: { retentionDays: 30 },
  observability: { subscribers: { warning: [{ email: 'platform-alerts@example.com' }] } },
  // Deploys once dev's deploy workflow has succeeded for the same commit.
  deploy: { trigger: 'push', after: 'dev' },
};

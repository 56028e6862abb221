import { ENTERPRISE_ACCOUNT_ID, HOME_REGION, ROOT_DOMAIN } from './accounts';
import type { EnvironmentConfigInput } from './schema';

/**
 * enterprise follows seed 003 (EKS with managed node groups over three AZs, Aurora PostgreSQL with
 * readers, Redis in cluster mode) with seed 000's Kafka (MSK) for the backend, in its own account.
 */
export const enterprise: EnvironmentConfigInput = {
  name: 'enterprise',
  tier: 'production',
  accountId: ENTERPRISE_ACCOUNT_ID,
  region: HOME_REGION,
  tags: { CostCenter: 'platform-enterprise' },
  network: {
    vpcCidr: '10.20.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    subnets: {
      public: ['10.20.1.0/24', '10.20.2.0/24', '10.20.3.0/24'],
      private: ['10.20.16.0/20', '10.20.32.0/20', '10.20.48.0/20'],
      isolated: ['10.20.64.0/24', '10.20.65.0/24', '10.20.66.0/24'],
    },
    natGateways: 'perAz',
    interfaceEndpoints: [],
    flowLogs: { retentionDays: 90 },
  },
  dns: { domainName: `enterprise.${ROOT_DOMAIN}` },
  alb: { deletionProtection: true },
  compute: {
    platform: 'eks',
    eks: {
      version: '1.34',
      // Public endpoint off: kubectl and the pipeline reach the API from inside the VPC.
      nodeGroups: {
        system: {
          instanceTypes: ['m7g.large'],
          minSize: 3,
          desiredSize: 3,
          maxSize: 6,
          labels: { role: 'system' },
        },
        apps: {
          capacity: 'spot',
          instanceTypes: ['m7g.xlarge', 'm6g.xlarge', 'c7g.xlarge'],
          minSize: 3,
          desiredSize: 3,
          maxSize: 12,
          labels: { role: 'apps' },
          taints: [{ key: 'spot', value: 'true', effect: 'PREFER_NO_SCHEDULE' }],
        },
      },
    },
  },
  // Seed 000's edge: the React site from S3 through CloudFront; /api/* through a VPC origin to the
  // (then internal) ALB, whose target groups the Load Balancer Controller fills with the pods.
  frontend: {
    mode: 'static',
    spaRouting: true,
    contentSecurityPolicy:
      "default-src 'self'; img-src 'self' data:; connect-src 'self' https://cognito-idp.us-east-1.amazonaws.com; frame-ancestors 'none'",
  },
  services: {
    backend: {
      port: 8000,
      cpu: 512,
      memory: 1024,
      desiredCount: 3,
      healthCheckPath: '/api/v1/health',
      pathPatterns: ['/api/*'],
      uses: {
        database: true,
        cache: true,
        kafka: { produce: ['orders'], consume: ['orders'] },
        identity: true,
      },
    },
  },
  // Aurora Serverless v2: a writer and two readers, one per AZ.
  database: {
    engine: 'aurora-postgresql',
    engineVersion: '16.4',
    instanceClass: 'db.serverless',
    instances: 3,
    serverlessV2: { minCapacity: 1, maxCapacity: 16 },
    // Seed 003: connection pooling. The services reach the writer and the readers through RDS Proxy.
    proxy: {},
    backupRetentionDays: 35,
    deletionProtection: true,
    skipFinalSnapshot: false,
  },
  cache: {
    engineVersion: '7.1',
    nodeType: 'cache.r7g.large',
    clusterMode: { shards: 3, replicasPerShard: 1 },
    automaticFailover: true,
    snapshotRetentionDays: 7,
  },
  messaging: {
    kafka: { mode: 'provisioned', brokerCount: 3, brokerInstanceType: 'kafka.m7g.large' },
  },
  // Seed 000's sign-in: MFA for everyone in the enterprise profile (TOTP), tenant on the token.
  identity: {
    customAttributes: { tenant_id: { type: 'String', mutable: false, max: 64 } },
    mfa: 'ON',
    callbackUrls: [`https://enterprise.${ROOT_DOMAIN}/auth/callback`],
    logoutUrls: [`https://enterprise.${ROOT_DOMAIN}/`],
    deletionProtection: true,
    email: { sender: 'ses', from: `no-reply@enterprise.${ROOT_DOMAIN}` },
    // Tenants are provisioned: administrators create users (an invitation mail), nobody signs up.
    selfSignUp: false,
    // Every sign-up call fails here, so its limit is WAF's smallest; recovery stays as by default.
    signUpFirewall: { signUpPerIp: 10 },
  },
  // Production tier: every data store in a locked vault, copied to the recovery region (seed 003).
  backup: {
    dailyRetentionDays: 35,
    weeklyRetentionDays: 90,
    vaultLock: { mode: 'compliance', minRetentionDays: 7, maxRetentionDays: 365, changeableForDays: 3 },
    restoreTesting: true,
  },
  budget: { monthlyLimitUsd: 6000, alertEmails: ['platform-alerts@example.com'] },
  // Seed 003's RTO/RPO table is Multi-AZ within the region; after losing the region: daily copies
  // (31 h RPO), and 8 h to rebuild EKS and restore Aurora there (docs/architecture.md, "Recovery objectives").
  recovery: {
    strategy: 'backup-restore',
    region: 'us-west-2',
    rpoMinutes: 1860,
    rtoMinutes: 480,
    healthCheckPath: '/api/v1/health',
  },
  logs: { retentionDays: 90 },
  observability: {
    subscribers: {
      critical: [{ email: 'platform-oncall@example.com' }],
      warning: [{ email: 'platform-alerts@example.com' }],
    },
  },
  deploy: { trigger: 'tag' },
};

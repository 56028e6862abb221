import { MAIN_ACCOUNT_ID, ROOT_DOMAIN, HOME_REGION } from './accounts';
import type { EnvironmentConfigInput } from './schema';

/**
 * dev follows seed 001 with one deliberate difference: a NAT instance instead of NAT gateways (seed
 * 001's two cost about $65 of its $115-130 a month). It is disposable: no deletion protection, no
 * final snapshot.
 */
/** Seed 002: business hours up, evenings and weekends down; dev sleeps at night (scale to zero). */
const officeHours = [
  {
    name: 'workday-start',
    schedule: 'cron(0 7 ? * MON-FRI *)',
    minCapacity: 1,
    maxCapacity: 4,
    timezone: 'Europe/Berlin',
  },
  {
    name: 'night',
    schedule: 'cron(0 20 ? * * *)',
    minCapacity: 0,
    maxCapacity: 0,
    timezone: 'Europe/Berlin',
  },
];

export const dev: EnvironmentConfigInput = {
  name: 'dev',
  tier: 'non-production',
  accountId: MAIN_ACCOUNT_ID,
  region: HOME_REGION,
  tags: { CostCenter: 'platform-dev' },
  network: {
    vpcCidr: '10.0.0.0/16',
    ipv6: true,
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    subnets: {
      public: ['10.0.1.0/24', '10.0.2.0/24'],
      private: ['10.0.10.0/24', '10.0.11.0/24'],
      isolated: ['10.0.20.0/24', '10.0.21.0/24'],
    },
    // A NAT instance (t4g.nano on Spot, about $5.50 a month with its address) instead of a gateway
    // ($36.50 with its address): minutes without egress on an interruption are fine in dev.
    natGateways: 'instance',
    natInstance: { spot: true },
    interfaceEndpoints: [],
    flowLogs: { retentionDays: 30 },
    // Seed 002: an SSM bastion for port forwarding to the database and cache (no SSH, no inbound).
    bastion: { instanceType: 't4g.nano' },
  },
  dns: { domainName: `dev.${ROOT_DOMAIN}` },
  services: {
    frontend: {
      port: 3000,
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      healthCheckPath: '/',
      pathPatterns: ['/*'],
      capacity: 'spot',
      autoscaling: {
        minCapacity: 1,
        maxCapacity: 4,
        cpuTargetPercent: 70,
        schedules: officeHours,
      },
    },
    backend: {
      port: 8000,
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      healthCheckPath: '/api/v1/health',
      pathPatterns: ['/api/*'],
      uses: { database: true, cache: true, tables: ['sessions'], buckets: ['media'], identity: true },
      capacity: 'spot',
      enableExec: true,
      autoscaling: {
        minCapacity: 1,
        maxCapacity: 4,
        cpuTargetPercent: 70,
        // Seeds 002/003: scale in a task at a time after 15 quiet minutes (target tracking scales out).
        stepScaleIn: { cpuBelowPercent: 30 },
        schedules: officeHours,
      },
    },
  },
  database: {
    engine: 'postgres',
    // Tables deployed before per-service schemas live in public: the bootstrap moves them to backend's.
    legacyTablesOwner: 'backend',
    // Major version only: RDS applies minor upgrades itself (auto minor upgrades) without a diff here.
    engineVersion: '16',
    instanceClass: 'db.t4g.micro',
    allocatedStorageGb: 20,
    maxAllocatedStorageGb: 100,
    multiAz: false,
    backupRetentionDays: 7,
    deletionProtection: false,
    skipFinalSnapshot: true,
  },
  cache: {
    engineVersion: '7.1',
    nodeType: 'cache.t4g.micro',
    numCacheClusters: 1,
    automaticFailover: false,
    snapshotRetentionDays: 5,
  },
  // Seed 004: DynamoDB for sessions; seed 002: media and backup buckets.
  tables: {
    sessions: {
      partitionKey: { name: 'id', type: 'S' },
      ttlAttribute: 'expiresAt',
      deletionProtection: false,
    },
  },
  buckets: {
    media: {},
    exports: { archive: { infrequentAccessDays: 30, glacierDays: 90, expireDays: 365 } },
  },
  // Seed 000: Cognito sign-in (e-mail username, TOTP MFA optional, admins enforce it in the app).
  identity: {
    customAttributes: { tenant_id: { type: 'String', mutable: false, max: 64 } },
    mfa: 'OPTIONAL',
    callbackUrls: [`https://dev.${ROOT_DOMAIN}/auth/callback`, 'http://localhost:3000/auth/callback'],
    logoutUrls: [`https://dev.${ROOT_DOMAIN}/`, 'http://localhost:3000/'],
    emailValidation: { reservedConcurrency: 2 },
  },
  // Seed 004: an event-processing Lambda on its own queue.
  serverless: { eventProcessor: { queue: 'events', reservedConcurrency: 2 } },
  budget: { monthlyLimitUsd: 150, alertEmails: ['platform-alerts@example.com'] },
  // Recovery after losing the region: none (redeployed from code; docs/architecture.md, "Recovery objectives").
  recovery: { strategy: 'none' },
  logs: { retentionDays: 30 },
  // Alarms and event rules go to the warning topic; nothing pages in dev.
  observability: { subscribers: { warning: [{ email: 'platform-alerts@example.com' }] } },
  // Deploys on every merge to main.
  deploy: { trigger: 'push' },
};

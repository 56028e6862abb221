import { HOME_REGION, MAIN_ACCOUNT_ID, ROOT_DOMAIN } from '../accounts';
import type { EnvironmentConfigInput } from '../schema';

/**
 * Seed 000, whole (docs/architecture.md, "Reference architectures"): the SaaS business platform as
 * one configuration — a React build on S3 + CloudFront (static frontend) in front of a Node.js
 * backend on ECS Fargate with blue/green through CodeDeploy and migrations first, MySQL with a
 * reporting read replica, Redis, Cognito with Google and Facebook sign-in and SES mail, the e-mail
 * validation Lambda, MSK (serverless: the seed calls it optional), WAF. Synthesized as
 * `reference-seed000`, planned and mock-applied by the tests; nothing deploys it (no pipeline role,
 * no workflow job). Deliberate changes from the seed, each with its reason:
 * - Node.js 22 for the Lambda (the seed's 18 is past its end of life);
 * - MySQL 8.4 on Graviton (db.t4g) instead of db.t3 (same price class, newer generation);
 * - MSK Serverless instead of a provisioned cluster (the seed's "optional": no brokers to size);
 * - non-production tier: a reference nobody applies needs no backup copy or vault lock (prod and
 *   enterprise show the production profile).
 */
export const seed000: EnvironmentConfigInput = {
  name: 'seed000',
  tier: 'non-production',
  accountId: MAIN_ACCOUNT_ID,
  region: HOME_REGION,
  tags: { CostCenter: 'platform-reference' },
  network: {
    vpcCidr: '10.40.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    subnets: {
      public: ['10.40.1.0/24', '10.40.2.0/24'],
      private: ['10.40.10.0/24', '10.40.11.0/24'],
      isolated: ['10.40.20.0/24', '10.40.21.0/24'],
    },
    natGateways: 'single',
    interfaceEndpoints: [],
    flowLogs: { retentionDays: 30 },
  },
  dns: { domainName: `seed000.${ROOT_DOMAIN}` },
  frontend: { mode: 'static', spaRouting: true },
  services: {
    backend: {
      port: 8000,
      cpu: 256,
      memory: 512,
      desiredCount: 2,
      healthCheckPath: '/api/v1/health',
      pathPatterns: ['/api/*'],
      uses: {
        database: true,
        cache: true,
        identity: true,
        kafka: { produce: ['orders'], consume: ['orders'] },
      },
      deployment: { type: 'blueGreen', trafficShift: { type: 'linear', percent: 10, minutes: 1 } },
      migrations: { command: ['npm', 'run', 'db:migrate'] },
    },
  },
  database: {
    engine: 'mysql',
    engineVersion: '8.4',
    instanceClass: 'db.t4g.small',
    allocatedStorageGb: 20,
    maxAllocatedStorageGb: 100,
    multiAz: false,
    readReplicas: 1,
    backupRetentionDays: 7,
    deletionProtection: false,
    skipFinalSnapshot: true,
  },
  cache: {
    engineVersion: '7.1',
    nodeType: 'cache.t4g.micro',
    numCacheClusters: 1,
    automaticFailover: false,
    snapshotRetentionDays: 1,
  },
  messaging: { kafka: { mode: 'serverless' } },
  identity: {
    mfa: 'OPTIONAL',
    callbackUrls: [`https://seed000.${ROOT_DOMAIN}/auth/callback`],
    logoutUrls: [`https://seed000.${ROOT_DOMAIN}/`],
    providers: {
      google: {
        clientId: 'seed000.apps.googleusercontent.com',
        clientSecretVariable: 'google_client_secret',
      },
      facebook: { clientId: '100000000000000', clientSecretVariable: 'facebook_client_secret' },
    },
    email: {
      sender: 'ses',
      from: `no-reply@seed000.${ROOT_DOMAIN}`,
      sourceArn: `arn:aws:ses:${HOME_REGION}:${MAIN_ACCOUNT_ID}:identity/seed000.${ROOT_DOMAIN}`,
    },
    emailValidation: { provider: 'ses' },
  },
  budget: { monthlyLimitUsd: 400, alertEmails: ['platform-alerts@example.com'] },
  // A reference nobody applies recovers nothing (non-production).
  recovery: { strategy: 'none' },
  logs: { retentionDays: 30 },
  observability: {
    subscribers: { warning: [{ email: 'platform-alerts@example.com' }] },
  },
  deploy: { trigger: 'manual' },
};

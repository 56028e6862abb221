import { HOME_REGION, MAIN_ACCOUNT_ID, ROOT_DOMAIN } from '../accounts';
import type { EnvironmentConfigInput } from '../schema';

/**
 * Seed 004, whole (docs/architecture.md, "Reference architectures"): the startup-scale platform as
 * one configuration — a Node.js backend on ECS Fargate behind the ALB, auto-scaling on CPU and
 * memory, RDS PostgreSQL (Multi-AZ standby) beside DynamoDB, and event-driven processing: a Lambda
 * that consumes the stream of the events table the backend writes (new and old images); X-Ray
 * tracing, CloudWatch logs, metrics, alarms and dashboard; a NAT gateway for outbound traffic.
 * Synthesized as `reference-seed004`, planned and mock-applied by the tests; nothing deploys it.
 * Deliberate changes from the seed, each with its reason:
 * - Graviton (db.t4g.small, arm64 tasks) instead of x86 classes: same size, lower price;
 * - one NAT gateway, not one per AZ: the seed's "NAT Gateway" is singular, and a reference is
 *   non-production (prod shows per-AZ NAT);
 * - the stream consumer rather than the seed's "Lambda invokes services": the event-processing half of
 *   the seed runs on the table's changes, so the backend needs no call to the function;
 * - non-production tier: a reference nobody applies needs no backup copy or vault lock.
 */
export const seed004: EnvironmentConfigInput = {
  name: 'seed004',
  tier: 'non-production',
  accountId: MAIN_ACCOUNT_ID,
  region: HOME_REGION,
  tags: { CostCenter: 'platform-reference' },
  network: {
    vpcCidr: '10.41.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    subnets: {
      public: ['10.41.1.0/24', '10.41.2.0/24'],
      private: ['10.41.10.0/24', '10.41.11.0/24'],
      isolated: ['10.41.20.0/24', '10.41.21.0/24'],
    },
    natGateways: 'single',
    interfaceEndpoints: [],
    flowLogs: { retentionDays: 30 },
  },
  dns: { domainName: `seed004.${ROOT_DOMAIN}` },
  services: {
    backend: {
      port: 8080,
      cpu: 512,
      memory: 1024,
      desiredCount: 2,
      healthCheckPath: '/health',
      pathPatterns: ['/*'],
      uses: { database: true, tables: ['events'] },
      autoscaling: { minCapacity: 2, maxCapacity: 10, cpuTargetPercent: 70, memoryTargetPercent: 80 },
    },
  },
  database: {
    engine: 'postgres',
    engineVersion: '16',
    instanceClass: 'db.t4g.small',
    allocatedStorageGb: 20,
    maxAllocatedStorageGb: 100,
    multiAz: true,
    backupRetentionDays: 7,
    deletionProtection: false,
    skipFinalSnapshot: true,
  },
  tables: {
    events: {
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      stream: 'NEW_AND_OLD_IMAGES',
      deletionProtection: false,
    },
  },
  serverless: { eventProcessor: { table: 'events', batchSize: 100, batchWindowSeconds: 5 } },
  budget: { monthlyLimitUsd: 300, alertEmails: ['platform-alerts@example.com'] },
  // A reference nobody applies recovers nothing (non-production).
  recovery: { strategy: 'none' },
  logs: { retentionDays: 30 },
  observability: { subscribers: { warning: [{ email: 'platform-alerts@example.com' }] } },
  deploy: { trigger: 'manual' },
};

/**
 * Small stacks holding only the data layer of config variants (MySQL; Aurora Serverless v2 with Redis
 * in cluster mode) and the messaging layer of a Fargate environment's Kafka (provisioned over two AZs;
 * MSK Serverless), so the terraform suite proves every engine against the real provider without
 * planning a whole platform per variant. VPC and subnet ids are literals: plan needs no lookups.
 * The same stack carries the identity layer with its optional parts on and an event processor on a
 * table stream (identityVariantConfig).
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AppTable } from '../../constructs/data/dynamodb-table';
import { IdentityLayer } from '../../constructs/identity/identity-layer';
import { ServerlessLayer } from '../../constructs/serverless/serverless-layer';
import { RedisCache } from '../../constructs/data/redis-cache';
import { MessagingLayer } from '../../constructs/messaging/messaging-layer';
import { RelationalDatabase } from '../../constructs/data/relational-database';
import { Naming } from '../../constructs/core/naming';
import { PlatformKeys } from '../../constructs/security/platform-keys';
import { standardTags } from '../../constructs/core/tagging';
import {
  CROSS_REGION_RPO_MINUTES,
  parseEnvironmentConfig,
  type EnvironmentConfig,
} from '../../environments/schema';
import { configureAws } from '../../stacks/aws';
import { accountsInputCopy, auroraServerless, envInput } from './fixtures';

const VPC = 'vpc-0123456789abcdef0';
const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];

/** A variant's own construct (its addresses stay apart), its naming and its keys. */
function variantBase(stack: TerraformStack, config: EnvironmentConfig) {
  const scope = new Construct(stack, config.name);
  const { project, adminPrincipalArns } = accountsInputCopy().main;
  const { accountId, region } = config;
  const naming = new Naming({ project, environment: config.name, accountId, region });
  const keys = new PlatformKeys(scope, 'Keys', { naming, accountId, region, adminPrincipalArns });
  return { scope, naming, keys };
}

/** One variant's keys, database and cache, under its own construct (addresses stay apart). */
function dataVariant(stack: TerraformStack, config: EnvironmentConfig): void {
  const { scope, naming, keys } = variantBase(stack, config);
  const db = config.database!;
  new RelationalDatabase(scope, 'Database', {
    naming,
    accountId: config.accountId,
    vpcId: VPC,
    subnetIds: SUBNETS,
    availabilityZones: config.network.availabilityZones,
    ...db,
    dataKmsKeyArn: keys.data.arn,
    secretsKmsKeyArn: keys.secrets.arn,
    logKmsKeyArn: keys.logs.arn,
    logRetentionDays: config.logs.retentionDays,
  });
  const cache = config.cache!;
  new RedisCache(scope, 'Cache', {
    naming,
    accountId: config.accountId,
    region: config.region,
    vpcId: VPC,
    subnetIds: SUBNETS,
    ...cache,
    kmsKeyArn: keys.data.arn,
    logKmsKeyArn: keys.logs.arn,
    logRetentionDays: config.logs.retentionDays,
  });
}

/** Fargate environments with `messaging.kafka`: dev's shape, provisioned over two AZs and Serverless. */
export function kafkaVariantConfigs(): EnvironmentConfig[] {
  const provisioned = envInput('dev');
  provisioned.name = 'kafka';
  provisioned.messaging = { kafka: { mode: 'provisioned', brokerCount: 2, replicationFactor: 2 } };
  provisioned.services.backend.uses.kafka = { produce: ['orders'], consume: ['payments'] };
  const serverless = envInput('dev');
  serverless.name = 'kafkasls';
  serverless.messaging = { kafka: { mode: 'serverless' } };
  serverless.services.backend.uses.kafka = { produce: ['orders'] };
  return [parseEnvironmentConfig(provisioned), parseEnvironmentConfig(serverless)];
}

/** One Kafka variant's keys and messaging layer, under its own construct. */
function messagingVariant(stack: TerraformStack, config: EnvironmentConfig): void {
  const { scope, naming, keys } = variantBase(stack, config);
  new MessagingLayer(scope, 'Messaging', {
    naming,
    accountId: config.accountId,
    region: config.region,
    config,
    vpcId: VPC,
    subnetIds: SUBNETS,
    dataKmsKeyArn: keys.data.arn,
    logs: { retentionDays: config.logs.retentionDays, kmsKeyArn: keys.logs.arn },
  });
}

export function defineEngineVariants(app: Construct): TerraformStack[] {
  const mysql = envInput('prod');
  mysql.name = 'mysql';
  mysql.database = { ...mysql.database, engine: 'mysql', engineVersion: '8.0', readReplicas: 1 };
  const aurora = envInput('prod');
  aurora.name = 'aurora';
  aurora.database = auroraServerless();
  // An Aurora cluster reaches the recovery region through the daily copies only (recoveryCopies).
  aurora.recovery.rpoMinutes = Math.max(aurora.recovery.rpoMinutes, CROSS_REGION_RPO_MINUTES.backupCopy);
  delete aurora.cache.numCacheClusters;
  aurora.cache.clusterMode = { shards: 2, replicasPerShard: 1 };
  // One stack for both: the offline proof's fixed cost (init, provider start) is paid once.
  const configs = [parseEnvironmentConfig(mysql), parseEnvironmentConfig(aurora)];
  const stack = new TerraformStack(app, 'variant-engines');
  configureAws(stack, {
    region: configs[0].region,
    accountId: configs[0].accountId,
    tags: standardTags({ project: accountsInputCopy().main.project, environment: 'variants' }),
  });
  for (const config of configs) dataVariant(stack, config);
  // In the same stack: a Kafka variant costs no extra terraform init or provider start.
  for (const config of kafkaVariantConfigs()) messagingVariant(stack, config);
  // The identity layer's optional parts ride along: one more stack would pay the fixed cost again.
  identityVariant(stack);
  return [stack];
}

/**
 * The identity layer with everything optional switched on (Google and Facebook with their secrets
 * as sensitive variables, SES sender and welcome mail, threat protection, authenticated grants),
 * alone on a small stack: the platform environments prove the default shape, this one the rest.
 */
export function identityVariantConfig(): EnvironmentConfig {
  const input = envInput('prod');
  input.name = 'idp';
  input.identity = {
    ...input.identity,
    mfa: 'ON',
    threatProtection: true,
    email: {
      sender: 'ses',
      from: 'no-reply@example.com',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com',
    },
    emailValidation: { provider: 'ses', blockedDomains: ['mailinator.com'] },
    providers: {
      google: {
        clientId: 'google-client-id.apps.googleusercontent.com',
        clientSecretVariable: 'google_client_secret',
      },
      facebook: { clientId: '1234567890', clientSecretVariable: 'facebook_client_secret' },
    },
    authenticatedGrants: [
      { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::example-user-content/private/*'] },
    ],
  };
  // The event processor on a table stream (dev proves the queue source).
  input.tables.sessions.stream = 'NEW_AND_OLD_IMAGES';
  input.serverless = { eventProcessor: { table: 'sessions' } };
  return parseEnvironmentConfig(input);
}

/** The identity variant's keys, identity layer and stream processor, under its own construct. */
function identityVariant(stack: TerraformStack): void {
  const config = identityVariantConfig();
  const { scope, naming, keys } = variantBase(stack, config);
  const { accountId } = config;
  new IdentityLayer(scope, 'Identity', {
    naming,
    accountId,
    config,
    logs: { retentionDays: config.logs.retentionDays, kmsKeyArn: keys.logs.arn },
    dataKmsKeyArn: keys.data.arn,
  });
  const sessions = new AppTable(scope, 'Table-sessions', {
    ...config.tables.sessions,
    tableName: naming.name('sessions'),
    kmsKeyArn: keys.data.arn,
  });
  new ServerlessLayer(scope, 'Serverless', {
    naming,
    accountId,
    config,
    logs: { retentionDays: config.logs.retentionDays, kmsKeyArn: keys.logs.arn },
    dataKmsKeyArn: keys.data.arn,
    tables: { sessions },
  });
}

/**
 * prod's input turned static-frontend (seed 000's shape): the frontend service removed, the site on
 * S3 + CloudFront, `/api/*` through a VPC origin to the then internal ALB.
 */
export function staticFrontendInput(): any {
  const input = envInput('prod');
  input.name = 'static';
  delete input.services.frontend;
  input.frontend = {
    mode: 'static',
    geoRestriction: { type: 'deny', countries: ['KP'] },
    apiOrigin: true,
  };
  return input;
}

/**
 * The compute layer of one config on a bare stack. Its upstream inputs are literals: the edge's
 * target groups and listeners, an ALB group, and what the data layer hands the dev backend.
 */
import { createCompute } from '../../constructs/compute/compute-layer';
import type { ServiceBindings } from '../../constructs/core/service-bindings';
import type { EnvironmentConfig } from '../../environments/schema';
import { KEYS, SUBNETS, VPC, bareStack, dependable } from './bare';
import type { Synthesized } from './fixtures';

export const targetGroup = (name: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/webplat-${name}/0123456789abcdef`;
export const LISTENER = 'aws_lb_listener.LoadBalancer_HttpsListener_0123ABCD';
export const RULE = 'aws_lb_listener_rule.LoadBalancer_Rule-backend_0123ABCD';
export const DB_SECRET = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!db-0123-AbCdEf';
/** What the data layer denies every service: the master secret (the backend's stand-in holds it). */
const MASTER_SECRET_DENIED = {
  action: 'secretsmanager:GetSecretValue',
  resource: DB_SECRET,
  because: 'the master secret',
};
const NONE: ServiceBindings = {
  environment: {},
  secrets: {},
  statements: [],
  requests: { allow: [], deny: [MASTER_SECRET_DENIED] },
  peers: [],
};
const grant = (Sid: string, Action: string) => ({
  Sid,
  Effect: 'Allow' as const,
  Action,
  Resource: `arn:aws:s3:::${Sid}`,
});
const BACKEND: ServiceBindings = {
  environment: { DB_HOST: 'db.internal', DB_PORT: '5432' },
  secrets: {
    DB_USERNAME: { arn: DB_SECRET, jsonKey: 'username' },
    DB_PASSWORD: { arn: DB_SECRET, jsonKey: 'password' },
  },
  statements: [
    grant('RedisIamConnect', 'elasticache:Connect'),
    grant('TableSessions', 'dynamodb:GetItem'),
    grant('BucketMediaObjects', 's3:GetObject'),
    grant('BucketMediaList', 's3:ListBucket'),
    grant('BucketMediaKey', 'kms:Decrypt'),
  ],
  requests: {
    allow: [
      ['elasticache:Connect', 'RedisIamConnect'],
      ['dynamodb:GetItem', 'TableSessions'],
      ['s3:GetObject', 'BucketMediaObjects'],
      ['s3:ListBucket', 'BucketMediaList'],
      ['kms:Decrypt', 'BucketMediaKey'],
    ].map(([action, sid]) => ({
      action,
      resource: `arn:aws:s3:::${sid}`,
      because: `stand-in client of ${sid}`,
    })),
    deny: [MASTER_SECRET_DENIED],
  },
  peers: [],
};

const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:111111111111';
export const PRODUCTION_LISTENER = `${LB_ARN}:listener/app/webplat-alb/0123/https`;
export const TEST_LISTENER = `${LB_ARN}:listener/app/webplat-alb/0123/test`;
export const PRODUCTION_RULE = `${LB_ARN}:listener-rule/app/webplat-alb/0123/https/rule`;
/** The edge's blue/green pieces of a service, as literals. */
const blueGreenTarget = (name: string) => ({
  blueTargetGroupName: `webplat-${name}`,
  greenTargetGroupName: `webplat-${name}-green`,
  productionListenerArn: PRODUCTION_LISTENER,
  productionRuleArn: PRODUCTION_RULE,
  testListenerArn: TEST_LISTENER,
  testListenerPort: 8443,
  loadBalancerArnSuffix: 'app/webplat-alb/0123456789abcdef',
  dependsOn: [dependable('aws_lb_listener.LoadBalancer_TestListener_0123ABCD')],
});

/** The compute layer of `config` alone on a bare stack. */
export function compute(config: EnvironmentConfig): Synthesized {
  return build(config).synth();
}

/** The role contracts the compute layer of `config` declares (the raw JSON's `//` comments), by role name. */
export function computeContracts(config: EnvironmentConfig): Record<string, any> {
  const roles = (build(config).stack.toTerraform() as any).resource.aws_iam_role;
  return Object.fromEntries(Object.values<any>(roles).map((r) => [r.name, r['//']?.contract]));
}

function build(config: EnvironmentConfig): ReturnType<typeof bareStack> {
  const b = bareStack(config);
  createCompute(b.stack, 'Compute', {
    naming: b.naming,
    accountId: config.accountId,
    region: config.region,
    config,
    vpcId: VPC,
    subnetIds: [...SUBNETS.private],
    keys: { data: KEYS.data, secrets: KEYS.secrets },
    logs: b.logs,
    routes: Object.fromEntries(
      Object.entries(config.services).flatMap(([name, s]) =>
        s.pathPatterns
          ? [
              [
                name,
                {
                  targetGroupArn: targetGroup(name),
                  requestCountLabel: `app/webplat-alb/0123456789abcdef/targetgroup/${name}/0123456789abcdef`,
                  dependsOn: [
                    dependable(LISTENER),
                    ...(s.pathPatterns.includes('/*') ? [] : [dependable(RULE)]),
                  ],
                  ...(s.deployment.type === 'blueGreen' ? { blueGreen: blueGreenTarget(name) } : {}),
                },
              ],
            ]
          : [],
      ),
    ),
    ingress: b.group('Alb', 'webplat-alb'),
    bindings: (name) => (name === 'backend' ? BACKEND : NONE),
    guardDutyAgent: true,
  });
  return b;
}

import { kafkaDenials, kafkaRequests, kafkaStatements } from '../../constructs/messaging/kafka-grants';
import { byPrefix } from '../support/bare';
import { envInput, policy, synthPlatform } from '../support/fixtures';
import { decide } from '../support/iam-eval';

const ACCOUNT = '111111111111';
const CLUSTER = `arn:aws:kafka:us-east-1:${ACCOUNT}:cluster/webplat-dev-kafka/0000-1`;
const TOPIC = (t: string) => `arn:aws:kafka:us-east-1:${ACCOUNT}:topic/webplat-dev-kafka/0000-1/${t}`;
const GROUP = (g: string) => `arn:aws:kafka:us-east-1:${ACCOUNT}:group/webplat-dev-kafka/0000-1/${g}`;

/** dev (Fargate) with a provisioned cluster; backend produces `orders` and consumes `payments`. */
function devWithKafka(): any {
  const input = envInput('dev');
  input.messaging = { kafka: { mode: 'provisioned', brokerCount: 2, replicationFactor: 2 } };
  input.services.backend.uses.kafka = { produce: ['orders'], consume: ['payments'] };
  return input;
}
const dev = synthPlatform(devWithKafka());
const enterprise = synthPlatform(envInput('enterprise'));

/** The task-role policy with the cluster's ARN tokens replaced by the literal ARNs AWS would have. */
function literalPolicy(text: string): any {
  return policy(
    text
      .replace(/\$\{aws_msk_cluster\.[^}]+\.cluster_uuid\}/g, '0000-1')
      .replace(/\$\{aws_msk_cluster\.[^}]+\.arn\}/g, CLUSTER)
      .replace(/\$\{[^}]*\}/g, 'arn:aws:s3:::token'),
  );
}

describe('MSK cluster (provisioned)', () => {
  const cluster = enterprise.only('aws_msk_cluster');

  it('encrypts in transit (TLS only, between brokers too) and at rest with the data key', () => {
    expect(cluster.encryption_info.encryption_in_transit).toEqual({ client_broker: 'TLS', in_cluster: true });
    expect(cluster.encryption_info.encryption_at_rest_kms_key_arn).toMatch(/aws_kms_key\.Keys_Data/);
  });

  it('authenticates clients with IAM only', () => {
    expect(cluster.client_authentication).toEqual({
      sasl: { iam: true, scram: false },
      unauthenticated: false,
    });
  });

  it('logs brokers to an encrypted log group with retention, with enhanced monitoring from config', () => {
    expect(cluster.logging_info.broker_logs.cloudwatch_logs.enabled).toBe(true);
    const name = cluster.logging_info.broker_logs.cloudwatch_logs.log_group;
    const [, group] = enterprise
      .resources('aws_cloudwatch_log_group')
      .find(([id]) => name === `\${aws_cloudwatch_log_group.${id}.name}`)!;
    expect(group.retention_in_days).toBe(90);
    expect(group.kms_key_id).toMatch(/aws_kms_key\.Keys_Logs/);
    expect(cluster.enhanced_monitoring).toBe('PER_BROKER');
  });

  it('spreads the configured brokers over the isolated subnets, with a configuration that creates no topics', () => {
    expect(cluster.number_of_broker_nodes).toBe(3);
    expect(cluster.broker_node_group_info.client_subnets).toHaveLength(3);
    expect(cluster.broker_node_group_info.client_subnets.every((s: string) => /IsolatedSubnet/.test(s))).toBe(
      true,
    );
    const props = enterprise.only('aws_msk_configuration').server_properties.split('\n');
    expect(props).toEqual(
      expect.arrayContaining([
        'auto.create.topics.enable=false',
        'default.replication.factor=3',
        'log.retention.hours=168',
      ]),
    );
  });

  it('scales broker storage up (never down) toward the configured ceiling', () => {
    const target = enterprise
      .resources('aws_appautoscaling_target')
      .map(([, t]) => t)
      .find((t) => t.service_namespace === 'kafka');
    expect(target).toMatchObject({
      scalable_dimension: 'kafka:broker-storage:VolumeSize',
      max_capacity: 1000,
    });
    const scaling = enterprise
      .resources('aws_appautoscaling_policy')
      .map(([, p]) => p)
      .find((p) => p.name === 'webplat-enterprise-kafka-storage');
    expect(scaling.target_tracking_scaling_policy_configuration).toMatchObject({
      target_value: 70,
      disable_scale_in: true,
      predefined_metric_specification: { predefined_metric_type: 'KafkaBrokerStorageUtilization' },
    });
  });
});

describe('MSK Serverless', () => {
  it('authenticates with IAM in the isolated subnets behind its own group', () => {
    const input = devWithKafka();
    input.messaging = { kafka: { mode: 'serverless' } };
    const out = synthPlatform(input);
    const sls = out.only('aws_msk_serverless_cluster');
    expect(sls.client_authentication.sasl.iam.enabled).toBe(true);
    expect(sls.vpc_config[0].security_group_ids[0]).toMatch(/Kafka_SecurityGroup/);
    expect(out.count('aws_msk_cluster')).toBe(0);
  });
});

describe('Kafka security group chain', () => {
  it('admits only the services that use Kafka, on the SASL/IAM TLS port, and nothing else', () => {
    const rules = dev
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([id]) => id.startsWith('Kafka_'));
    expect(rules).toHaveLength(1);
    expect(rules[0][1]).toMatchObject({ from_port: 9098, to_port: 9098, ip_protocol: 'tcp' });
    expect(rules[0][1].referenced_security_group_id).toMatch(/Service-backend_SecurityGroup/);
    expect(
      dev.resources('aws_vpc_security_group_egress_rule').filter(([id]) => id.startsWith('Kafka_')),
    ).toEqual([]);
    const backendOut = byPrefix(
      dev,
      'aws_vpc_security_group_egress_rule',
      'Service-backend_SecurityGroup_Out-webplat_dev_kafka',
    );
    expect(backendOut).toHaveLength(1);
  });

  it('passes the bootstrap brokers and the consumer group to the service', () => {
    const [td] = byPrefix(dev, 'aws_ecs_task_definition', 'Service-backend_');
    const env = JSON.parse(td.container_definitions)[0].environment;
    const names = Object.fromEntries(env.map((e: any) => [e.name, e.value]));
    expect(names.KAFKA_BOOTSTRAP_BROKERS).toMatch(/aws_msk_cluster\..*\.bootstrap_brokers_sasl_iam/);
    expect(names.KAFKA_CONSUMER_GROUP).toBe('webplat-dev-backend');
  });
});

describe('uses.kafka grants (evaluated)', () => {
  const backend = literalPolicy(byPrefix(dev, 'aws_iam_role_policy', 'Service-backend_TaskPolicy')[0].policy);
  const frontendPolicies = byPrefix(dev, 'aws_iam_role_policy', 'Service-frontend_TaskPolicy');
  const can = (identity: any[], action: string, resource: string) =>
    decide({
      identity,
      action,
      resource,
      principalArn: `arn:aws:iam::${ACCOUNT}:role/webplat-dev-backend-task`,
    });

  it.each([
    ['kafka-cluster:Connect', CLUSTER],
    ['kafka-cluster:DescribeCluster', CLUSTER],
    ['kafka-cluster:DescribeTopic', TOPIC('orders')],
    ['kafka-cluster:WriteData', TOPIC('orders')],
    ['kafka-cluster:DescribeTopic', TOPIC('payments')],
    ['kafka-cluster:ReadData', TOPIC('payments')],
    ['kafka-cluster:AlterGroup', GROUP('webplat-dev-backend')],
    ['kafka-cluster:DescribeGroup', GROUP('webplat-dev-backend')],
  ])('allows %s on %s', async (action, resource) => {
    await expect(can([backend], action, resource)).resolves.toBe('Allowed');
  });

  it.each([
    ['kafka-cluster:WriteData', TOPIC('payments')],
    ['kafka-cluster:ReadData', TOPIC('orders')],
    ['kafka-cluster:WriteData', TOPIC('audit')],
    ['kafka-cluster:AlterGroup', GROUP('webplat-dev-frontend')],
    ['kafka-cluster:CreateTopic', TOPIC('orders')],
    ['kafka-cluster:DeleteTopic', TOPIC('orders')],
    ['kafka-cluster:AlterCluster', CLUSTER],
    ['kafka-cluster:Connect', CLUSTER.replace('webplat-dev-kafka', 'webplat-prod-kafka')],
  ])('denies %s on %s', async (action, resource) => {
    await expect(can([backend], action, resource)).resolves.toBe('ImplicitlyDenied');
  });

  it('gives a service without uses.kafka nothing on the cluster', async () => {
    const identity = frontendPolicies.map((p) => literalPolicy(p.policy));
    await expect(can(identity, 'kafka-cluster:Connect', CLUSTER)).resolves.toBe('ImplicitlyDenied');
  });

  it('gives the EKS pod role of a service that uses Kafka the same grants', async () => {
    const pod = byPrefix(enterprise, 'aws_iam_role_policy', 'PodRole-backend_Policy')[0].policy;
    expect(pod).toMatch(/kafka-cluster:WriteData/);
    expect(byPrefix(enterprise, 'aws_iam_role_policy', 'PodRole-frontend_Policy')).toEqual([]);
  });
});

describe("a Kafka client's requests (the role contract's part), evaluated against its grants", () => {
  const arns = {
    cluster: CLUSTER,
    topicPrefix: `arn:aws:kafka:us-east-1:${ACCOUNT}:topic/webplat-dev-kafka/0000-1`,
    groupPrefix: `arn:aws:kafka:us-east-1:${ACCOUNT}:group/webplat-dev-kafka/0000-1`,
  };
  const access = { produce: ['orders'], consume: ['payments'], group: 'webplat-dev-backend' };
  const identity = [{ Statement: kafkaStatements(arns, access) }];
  const decision = (r: { action: string; resource: string }) =>
    decide({ identity, ...r, principalArn: `arn:aws:iam::${ACCOUNT}:role/webplat-dev-backend-task` });

  it('every grant is a request a producer or consumer makes, and each is allowed', async () => {
    const requests = kafkaRequests(arns, access);
    const granted = kafkaStatements(arns, access).flatMap((s) => [s.Action].flat());
    expect([...new Set(granted)].sort()).toEqual([...new Set(requests.map((r) => r.action))].sort());
    for (const r of requests) expect([r.action, await decision(r)]).toEqual([r.action, 'Allowed']);
  });

  it("denies the other direction, a neighbour's topic and group, topic and cluster administration", async () => {
    const denials = kafkaDenials(arns, access, { topics: ['audit'], groups: ['webplat-dev-frontend'] });
    expect(denials.map((r) => `${r.action} ${r.resource.split('/').pop()}`)).toEqual(
      expect.arrayContaining([
        'kafka-cluster:WriteData payments',
        'kafka-cluster:ReadData orders',
        'kafka-cluster:WriteData audit',
        'kafka-cluster:AlterGroup webplat-dev-frontend',
        'kafka-cluster:CreateTopic orders',
      ]),
    );
    for (const r of denials) expect([r.action, await decision(r)]).toEqual([r.action, 'ImplicitlyDenied']);
  });
});

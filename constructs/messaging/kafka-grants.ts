import type { PolicyStatement } from '../core/iam';
import type { ContractRequest } from '../core/role-contract';

/** What a service may do on Kafka: the topics it produces to and consumes from, and its group. */
export interface KafkaAccess {
  readonly produce: readonly string[];
  readonly consume: readonly string[];
  /** The consumer group it reads as (its own; granted only with `consume`). */
  readonly group: string;
}

/** The cluster's ARN and the prefixes its topic and group ARNs share (`.../topic/<name>/<uuid>`). */
export interface KafkaArns {
  readonly cluster: string;
  readonly topicPrefix: string;
  readonly groupPrefix: string;
}

/**
 * Exactly the `kafka-cluster` actions a producer and consumer need under IAM access control: connect
 * and describe the cluster; describe and write its produce topics; describe and read its consume
 * topics; join and describe its own consumer group. Nothing on other topics or groups.
 */
export function kafkaStatements(arns: KafkaArns, access: KafkaAccess): PolicyStatement[] {
  const topics = (names: readonly string[]) => names.map((t) => `${arns.topicPrefix}/${t}`);
  return [
    {
      Sid: 'KafkaConnect',
      Effect: 'Allow',
      Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
      Resource: arns.cluster,
    },
    ...(access.produce.length > 0
      ? [
          {
            Sid: 'KafkaProduce',
            Effect: 'Allow' as const,
            Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
            Resource: topics(access.produce),
          },
        ]
      : []),
    ...(access.consume.length > 0
      ? [
          {
            Sid: 'KafkaConsume',
            Effect: 'Allow' as const,
            Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
            Resource: topics(access.consume),
          },
          {
            Sid: 'KafkaOwnGroup',
            Effect: 'Allow' as const,
            Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
            Resource: `${arns.groupPrefix}/${access.group}`,
          },
        ]
      : []),
  ];
}

/**
 * The Kafka requests a client of `kafkaStatements` makes through MSK's IAM authorizer (MSK developer
 * guide, "Semantics of IAM authorization policy actions"): the signer's connection, metadata,
 * produce and fetch, and its group's coordination.
 */
export function kafkaRequests(arns: KafkaArns, access: KafkaAccess): ContractRequest[] {
  const topic = (t: string) => `${arns.topicPrefix}/${t}`;
  const group = `${arns.groupPrefix}/${access.group}`;
  const req = (action: string, resource: string, because: string) => ({ action, resource, because });
  return [
    req(
      'kafka-cluster:Connect',
      arns.cluster,
      'MSK IAM SASL signer (aws-msk-iam-sasl-signer-js): SASL/OAUTHBEARER sign-in',
    ),
    req(
      'kafka-cluster:DescribeCluster',
      arns.cluster,
      'MSK developer guide, "Create authorization policies for the IAM role": client describes the cluster',
    ),
    ...access.produce.flatMap((t) => [
      req('kafka-cluster:DescribeTopic', topic(t), `Kafka client Metadata request for ${t} before producing`),
      req('kafka-cluster:WriteData', topic(t), `Kafka client Produce request to ${t}`),
    ]),
    ...access.consume.flatMap((t) => [
      req('kafka-cluster:DescribeTopic', topic(t), `Kafka client Metadata request for ${t} before fetching`),
      req('kafka-cluster:ReadData', topic(t), `Kafka client Fetch request from ${t}`),
    ]),
    ...(access.consume.length > 0
      ? [
          req(
            'kafka-cluster:AlterGroup',
            group,
            `Kafka consumer JoinGroup/SyncGroup/OffsetCommit as ${access.group}`,
          ),
          req('kafka-cluster:DescribeGroup', group, `Kafka consumer OffsetFetch as ${access.group}`),
        ]
      : []),
  ];
}

/**
 * What a client never does on Kafka: write a topic it only reads or read one it only writes, touch
 * `neighbours`' topics and groups, create or delete topics, alter the cluster.
 */
export function kafkaDenials(
  arns: KafkaArns,
  access: KafkaAccess,
  neighbours: { readonly topics: readonly string[]; readonly groups: readonly string[] },
): ContractRequest[] {
  const topic = (t: string) => `${arns.topicPrefix}/${t}`;
  const own = [...access.produce, ...access.consume];
  const only = (list: readonly string[], other: readonly string[]) => list.filter((t) => !other.includes(t));
  const req = (action: string, resource: string, because: string) => ({ action, resource, because });
  return [
    ...only(access.consume, access.produce).map((t) =>
      req('kafka-cluster:WriteData', topic(t), `it consumes ${t}, never produces to it`),
    ),
    ...only(access.produce, access.consume).map((t) =>
      req('kafka-cluster:ReadData', topic(t), `it produces to ${t}, never reads it`),
    ),
    ...only(neighbours.topics, own).flatMap((t) => [
      req('kafka-cluster:WriteData', topic(t), `${t} is another service's topic`),
      req('kafka-cluster:ReadData', topic(t), `${t} is another service's topic`),
    ]),
    ...neighbours.groups
      .filter((g) => g !== access.group)
      .map((g) =>
        req('kafka-cluster:AlterGroup', `${arns.groupPrefix}/${g}`, `${g} is another service's group`),
      ),
    ...own
      .slice(0, 1)
      .flatMap((t) => [
        req('kafka-cluster:CreateTopic', topic(t), 'topics are created deliberately, never by services'),
        req('kafka-cluster:DeleteTopic', topic(t), 'topics are created deliberately, never by services'),
      ]),
    req('kafka-cluster:AlterCluster', arns.cluster, 'services never change the cluster'),
  ];
}

import type { PolicyStatement } from '../core/iam';

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

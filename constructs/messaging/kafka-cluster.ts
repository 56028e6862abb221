import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { MskCluster } from '@cdktf/provider-aws/lib/msk-cluster';
import { MskConfiguration } from '@cdktf/provider-aws/lib/msk-configuration';
import { MskServerlessCluster } from '@cdktf/provider-aws/lib/msk-serverless-cluster';
import { Construct } from 'constructs';
import type { KafkaConfig } from '../../environments/schema';
import { KAFKA_IAM_TLS_PORT } from '../../environments/rules';
import { encryptedLogGroup, type LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { OwnedSecurityGroup } from '../core/security-group';
import type { KafkaArns } from './kafka-grants';
import { waiveGuardrail } from '../core/guardrails';

/**
 * Why the cluster is in no backup plan (docs/runbooks.md, "Recover Kafka and the user pool"): AWS
 * Backup does not support MSK. Topics carry what producers sent; the durable records live in the
 * services' own stores (backed up). The cluster keeps replicas across AZs; after a loss topics are
 * recreated and consumers resume from those stores, or producers replay.
 */
const MSK_RECOVERY =
  'AWS Backup does not support MSK: replicas across AZs; after a loss topics are rebuilt from the services’ backed-up stores and producers replay (docs/runbooks.md, "Recover Kafka and the user pool")';

export interface KafkaClusterProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly kafka: KafkaConfig;
  readonly vpcId: string;
  /** Isolated subnets, one per AZ (brokers spread evenly over them). */
  readonly subnetIds: string[];
  /** Encryption at rest (provisioned; Serverless always uses an AWS-owned key). */
  readonly dataKmsKeyArn: string;
  readonly logs: LogSettings;
}

/**
 * An MSK cluster, provisioned or Serverless: TLS between clients and brokers and among brokers, IAM
 * (SASL/IAM) the only client authentication, its own security group with no rule until a service
 * `uses.kafka`. Provisioned adds KMS at rest, broker logs to an encrypted log group, enhanced
 * monitoring, storage autoscaling and a configuration (no auto-created topics, retention, replication).
 */
export class KafkaCluster extends Construct {
  readonly securityGroup: OwnedSecurityGroup;
  readonly port = KAFKA_IAM_TLS_PORT;
  readonly arns: KafkaArns;
  /** `host:port,...` for SASL/IAM over TLS. */
  readonly bootstrapBrokers: string;
  readonly name: string;
  readonly cluster: MskCluster | MskServerlessCluster;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const name = (this.name = props.naming.name('kafka'));
    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name,
      description: `${name} brokers: SASL/IAM over TLS in from the services that use Kafka only`,
    });
    const k = props.kafka;
    this.cluster = k.mode === 'provisioned' ? this.provisioned(props, k) : this.serverless(props);
    this.bootstrapBrokers = this.cluster.bootstrapBrokersSaslIam;
    // Topic and group ARNs share the cluster's name and UUID (no string functions: policies stay
    // plain JSON with attribute references).
    const path = `${name}/${this.cluster.clusterUuid}`;
    const arn = (type: string) => `arn:aws:kafka:${props.region}:${props.accountId}:${type}/${path}`;
    this.arns = { cluster: this.cluster.arn, topicPrefix: arn('topic'), groupPrefix: arn('group') };
  }

  private provisioned(
    props: KafkaClusterProps,
    k: Extract<KafkaConfig, { mode: 'provisioned' }>,
  ): MskCluster {
    const { name } = this;
    const configuration = new MskConfiguration(this, 'Configuration', {
      name,
      kafkaVersions: [k.kafkaVersion],
      description: `${name}: topics are created deliberately, replicated, retained ${k.retentionHours} h`,
      serverProperties: [
        'auto.create.topics.enable=false',
        `default.replication.factor=${k.replicationFactor}`,
        `min.insync.replicas=${Math.max(1, k.replicationFactor - 1)}`,
        `log.retention.hours=${k.retentionHours}`,
        'unclean.leader.election.enable=false',
      ].join('\n'),
    });
    const logGroup = encryptedLogGroup(this, 'LogGroup', props.naming.path('msk', 'brokers'), props.logs);
    const cluster = new MskCluster(this, 'Cluster', {
      clusterName: name,
      kafkaVersion: k.kafkaVersion,
      numberOfBrokerNodes: k.brokerCount,
      brokerNodeGroupInfo: {
        instanceType: k.brokerInstanceType,
        clientSubnets: props.subnetIds,
        securityGroups: [this.securityGroup.id],
        storageInfo: { ebsStorageInfo: { volumeSize: k.storage.initialGb } },
      },
      encryptionInfo: {
        encryptionAtRestKmsKeyArn: props.dataKmsKeyArn,
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
      configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
      enhancedMonitoring: k.enhancedMonitoring,
      loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logGroup.name } } },
      // Storage autoscaling grows the volumes; Terraform keeps the initial size it set.
      lifecycle: {
        ignoreChanges: ['broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size'],
      },
    });
    waiveGuardrail(cluster, 'backup-coverage', MSK_RECOVERY);
    const target = new AppautoscalingTarget(this, 'StorageTarget', {
      serviceNamespace: 'kafka',
      scalableDimension: 'kafka:broker-storage:VolumeSize',
      resourceId: cluster.arn,
      minCapacity: 1,
      maxCapacity: k.storage.maxGb,
    });
    new AppautoscalingPolicy(this, 'StorageScaling', {
      name: `${name}-storage`,
      policyType: 'TargetTrackingScaling',
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'KafkaBrokerStorageUtilization' },
        targetValue: k.storage.targetUtilizationPercent,
        // MSK cannot shrink volumes.
        disableScaleIn: true,
      },
    });
    return cluster;
  }

  private serverless(props: KafkaClusterProps): MskServerlessCluster {
    const cluster = new MskServerlessCluster(this, 'Serverless', {
      clusterName: this.name,
      vpcConfig: [{ subnetIds: props.subnetIds, securityGroupIds: [this.securityGroup.id] }],
      clientAuthentication: { sasl: { iam: { enabled: true } } },
    });
    waiveGuardrail(cluster, 'backup-coverage', MSK_RECOVERY);
    return cluster;
  }
}

import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, ServiceConfig } from '../../environments/schema';
import { KAFKA_IAM_TLS_PORT } from '../../environments/rules';
import { Layer } from '../core/addresses';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { environmentTag, otherEnvironment } from '../core/contract-requests';
import type { ServiceBindings } from '../core/service-bindings';
import { KafkaCluster } from './kafka-cluster';
import { kafkaDenials, kafkaRequests, kafkaStatements } from './kafka-grants';

export interface MessagingLayerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  /** `services`: a service's denials name its neighbours' topics and groups. */
  readonly config: Pick<EnvironmentConfig, 'messaging' | 'services'>;
  readonly vpcId: string;
  /** Isolated subnets, one per AZ. */
  readonly subnetIds: string[];
  readonly dataKmsKeyArn: string;
  readonly logs: LogSettings;
}

/** The ports the messaging tier listens on (the network layer opens them to the isolated subnets). */
export function messagingPorts(config: Pick<EnvironmentConfig, 'messaging'>): number[] {
  return config.messaging.kafka ? [KAFKA_IAM_TLS_PORT] : [];
}

/**
 * The messaging layer: Amazon MSK from `messaging.kafka`. `bindingsFor(uses)` gives a service that
 * `uses.kafka` the brokers' address, ingress on the brokers' group and its IAM grants.
 */
export class MessagingLayer extends Layer {
  readonly kafka?: KafkaCluster;
  private readonly naming: Naming;
  private readonly props: MessagingLayerProps;

  constructor(scope: Construct, id: string, props: MessagingLayerProps) {
    super(scope, id);
    this.naming = props.naming;
    this.props = props;
    const kafka = props.config.messaging.kafka;
    if (!kafka) return;
    this.kafka = new KafkaCluster(this, 'Kafka', {
      naming: props.naming,
      accountId: props.accountId,
      region: props.region,
      kafka,
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      dataKmsKeyArn: props.dataKmsKeyArn,
      logs: props.logs,
    });
    new TerraformOutput(this, 'kafka_bootstrap_brokers', {
      value: this.kafka.bootstrapBrokers,
      description: 'MSK bootstrap brokers (SASL/IAM over TLS)',
    });
  }

  /**
   * What a service that `uses.kafka` receives: brokers, its consumer group, ingress, grants, and the
   * Kafka requests it makes and must never make.
   */
  bindingsFor(service: string, uses: ServiceConfig['uses']): Partial<ServiceBindings> {
    const kafka = this.kafka;
    if (!uses.kafka || !kafka) return {};
    const group = this.naming.name(service);
    const access = { ...uses.kafka, group };
    return {
      peers: [{ securityGroup: kafka.securityGroup, port: kafka.port, description: `${service} to Kafka` }],
      environment: {
        KAFKA_BOOTSTRAP_BROKERS: kafka.bootstrapBrokers,
        KAFKA_AUTH: 'AWS_MSK_IAM',
        ...(uses.kafka.consume.length > 0 ? { KAFKA_CONSUMER_GROUP: group } : {}),
      },
      statements: kafkaStatements(kafka.arns, access),
      requests: {
        allow: kafkaRequests(kafka.arns, access),
        deny: [...kafkaDenials(kafka.arns, access, this.neighbours(service)), this.otherCluster()],
      },
    };
  }

  /** The other services' topics and consumer groups. */
  private neighbours(service: string): { topics: string[]; groups: string[] } {
    const others = Object.entries(this.props.config.services).filter(([name]) => name !== service);
    return {
      topics: [
        ...new Set(
          others.flatMap(([, s]) => [...(s.uses.kafka?.produce ?? []), ...(s.uses.kafka?.consume ?? [])]),
        ),
      ],
      groups: others.map(([name]) => this.naming.name(name)),
    };
  }

  /** Connecting to another environment's cluster. */
  private otherCluster() {
    const { region, accountId } = this.props;
    const other = otherEnvironment(this.naming);
    const name = other.name('kafka');
    return {
      action: 'kafka-cluster:Connect',
      resource: `arn:aws:kafka:${region}:${accountId}:cluster/${name}/00000000-0000-0000-0000-000000000000-1`,
      context: environmentTag(other),
      because: `${name} belongs to another environment`,
    };
  }
}

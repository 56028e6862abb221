import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../core/log-group';
import type { Naming } from '../core/naming';

export interface ServiceClusterProps {
  readonly naming: Naming;
  /** Encrypts ECS Exec session data. */
  readonly execKmsKeyArn: string;
  /** Encrypts the ECS Exec log group. */
  readonly logKmsKeyArn: string;
  readonly logRetentionDays: number;
  /** Default: true. */
  readonly containerInsights?: boolean;
}

/**
 * The environment's ECS cluster: Fargate and Fargate Spot capacity providers (on-demand by
 * default; a service opts into Spot), Container Insights, ECS Exec sessions logged to an encrypted
 * log group.
 */
export class ServiceCluster extends Construct {
  readonly cluster: EcsCluster;
  readonly execLogGroup: CloudwatchLogGroup;
  readonly name: string;
  readonly execKmsKeyArn: string;
  /** Services using a capacity provider strategy must wait for this association. */
  readonly capacityProviders: EcsClusterCapacityProviders;

  constructor(scope: Construct, id: string, props: ServiceClusterProps) {
    super(scope, id);
    const { naming } = props;
    this.execKmsKeyArn = props.execKmsKeyArn;
    this.execLogGroup = encryptedLogGroup(this, 'ExecLogGroup', naming.path('ecs', 'exec'), {
      retentionDays: props.logRetentionDays,
      kmsKeyArn: props.logKmsKeyArn,
    });
    this.cluster = new EcsCluster(this, 'Cluster', {
      name: naming.name(),
      setting: [
        { name: 'containerInsights', value: props.containerInsights === false ? 'disabled' : 'enabled' },
      ],
      configuration: {
        executeCommandConfiguration: {
          kmsKeyId: props.execKmsKeyArn,
          logging: 'OVERRIDE',
          logConfiguration: {
            cloudWatchLogGroupName: this.execLogGroup.name,
            cloudWatchEncryptionEnabled: true,
          },
        },
      },
    });
    this.capacityProviders = new EcsClusterCapacityProviders(this, 'CapacityProviders', {
      clusterName: this.cluster.name,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }],
    });
    this.name = this.cluster.name;
  }
}

import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { ElasticacheUserGroup } from '@cdktf/provider-aws/lib/elasticache-user-group';
import { Construct } from 'constructs';
import { REDIS_PORT } from '../../environments/rules';
import { encryptedLogGroup } from '../core/log-group';
import type { PolicyStatement } from '../core/iam';
import type { ContractRequest } from '../core/role-contract';
import type { Naming } from '../core/naming';
import { OwnedSecurityGroup } from '../core/security-group';

export interface RedisCacheProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
  /** Isolated subnets. */
  readonly subnetIds: string[];
  /** What `cache.engineVersion` allows (IAM authentication needs Redis 7). */
  readonly engineVersion: string;
  readonly nodeType: string;
  readonly automaticFailover: boolean;
  /** Cluster mode disabled: primary + replicas. Exactly one of this and `clusterMode` (as the schema asks). */
  readonly numCacheClusters?: number;
  /** Cluster mode enabled. */
  readonly clusterMode?: { readonly shards: number; readonly replicasPerShard: number };
  readonly snapshotRetentionDays: number;
  /** Daily snapshot window (UTC). Default in the schema: `cache.snapshotWindow`. */
  readonly snapshotWindow: string;
  /**
   * Delete without a final snapshot (otherwise `<group id>-final`). Default in the schema:
   * `cache.skipFinalSnapshot`.
   */
  readonly skipFinalSnapshot: boolean;
  readonly kmsKeyArn: string;
  readonly logKmsKeyArn: string;
  readonly logRetentionDays: number;
}

/**
 * Redis on ElastiCache (seeds 001-003): a replication group in the isolated subnets, encrypted at
 * rest (KMS) and in transit (TLS required), authenticated through an RBAC user group whose
 * application user signs in with IAM (no token anywhere), `allkeys-lru` eviction, Multi-AZ with
 * automatic failover when there are replicas, or cluster mode with shards and replicas. Slow and
 * engine logs go to CloudWatch. Owns its security group (6379 from its clients only).
 */
export class RedisCache extends Construct {
  readonly securityGroup: OwnedSecurityGroup;
  readonly replicationGroup: ElasticacheReplicationGroup;
  readonly port = REDIS_PORT;
  /** Where clients connect: the primary endpoint, or the configuration endpoint in cluster mode. */
  readonly endpoint: string;
  readonly clusterMode: boolean;
  /** The application user (IAM authentication: user id = user name). */
  readonly appUserName: string;
  readonly appUser: ElasticacheUser;
  /** The RBAC `default` user every group must hold (switched off). */
  readonly defaultUser: ElasticacheUser;

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id);
    const { naming } = props;
    const groupId = naming.short('redis', 40);
    if ((props.numCacheClusters === undefined) === (props.clusterMode === undefined))
      throw new Error('RedisCache: set exactly one of numCacheClusters or clusterMode');
    this.clusterMode = props.clusterMode !== undefined;
    const major = props.engineVersion.split('.')[0];
    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: naming.name('redis'),
      description: 'Redis on 6379: only from the services that use it and the bastion',
    });
    const subnetGroup = new ElasticacheSubnetGroup(this, 'SubnetGroup', {
      name: naming.name('redis'),
      subnetIds: props.subnetIds,
      description: 'Isolated subnets',
    });
    const parameters = this.parameterGroup(props, major);
    this.appUserName = naming.short('redis-app', 40);
    const { appUser, defaultUser, userGroup } = this.users(props, this.appUserName);
    this.appUser = appUser;
    this.defaultUser = defaultUser;
    const failover = props.automaticFailover;
    this.replicationGroup = new ElasticacheReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: groupId,
      description: `${naming.name()} Redis`,
      engine: 'redis',
      engineVersion: props.engineVersion,
      nodeType: props.nodeType,
      port: this.port,
      parameterGroupName: parameters.name,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [this.securityGroup.id],
      atRestEncryptionEnabled: 'true',
      kmsKeyId: props.kmsKeyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      userGroupIds: [userGroup.userGroupId],
      automaticFailoverEnabled: failover,
      multiAzEnabled: failover,
      ...(props.clusterMode
        ? {
            numNodeGroups: props.clusterMode.shards,
            replicasPerNodeGroup: props.clusterMode.replicasPerShard,
          }
        : { numCacheClusters: props.numCacheClusters }),
      snapshotRetentionLimit: props.snapshotRetentionDays,
      snapshotWindow: props.snapshotWindow,
      finalSnapshotIdentifier: props.skipFinalSnapshot ? undefined : `${groupId}-final`,
      maintenanceWindow: 'sun:05:00-sun:06:00',
      autoMinorVersionUpgrade: 'true',
      applyImmediately: false,
      logDeliveryConfiguration: this.logDelivery(props),
    });
    this.endpoint = this.clusterMode
      ? this.replicationGroup.configurationEndpointAddress
      : this.replicationGroup.primaryEndpointAddress;
  }

  /** `allkeys-lru` eviction, cluster mode when enabled. */
  private parameterGroup(props: RedisCacheProps, major: string): ElasticacheParameterGroup {
    const { naming } = props;
    return new ElasticacheParameterGroup(this, 'Parameters', {
      name: naming.name(`redis${major}${this.clusterMode ? '-cluster' : ''}`),
      family: `redis${major}`,
      description: 'allkeys-lru eviction',
      parameter: [
        { name: 'maxmemory-policy', value: 'allkeys-lru' },
        ...(this.clusterMode ? [{ name: 'cluster-enabled', value: 'yes' }] : []),
      ],
      lifecycle: { createBeforeDestroy: true },
    });
  }

  /** RBAC: every user group needs a user named "default"; ours is switched off. */
  private users(
    props: RedisCacheProps,
    appUserName: string,
  ): { appUser: ElasticacheUser; defaultUser: ElasticacheUser; userGroup: ElasticacheUserGroup } {
    const { naming } = props;
    const defaultUser = new ElasticacheUser(this, 'DefaultUser', {
      userId: naming.short('redis-default', 40),
      userName: 'default',
      engine: 'redis',
      accessString: 'off -@all',
      authenticationMode: { type: 'no-password-required' },
    });
    const appUser = new ElasticacheUser(this, 'AppUser', {
      userId: appUserName,
      userName: appUserName,
      engine: 'redis',
      accessString: 'on ~* +@all -@dangerous',
      authenticationMode: { type: 'iam' },
    });
    const userGroup = new ElasticacheUserGroup(this, 'UserGroup', {
      userGroupId: naming.short('redis', 40),
      engine: 'redis',
      userIds: [defaultUser.userId, appUser.userId],
    });
    return { appUser, defaultUser, userGroup };
  }

  /** Slow and engine logs to KMS-encrypted CloudWatch log groups. */
  private logDelivery(props: RedisCacheProps) {
    const { naming } = props;
    const logs = (['slow-log', 'engine-log'] as const).map((type) => ({
      type,
      group: encryptedLogGroup(this, `LogGroup-${type}`, naming.path('elasticache', `redis/${type}`), {
        retentionDays: props.logRetentionDays,
        kmsKeyArn: props.logKmsKeyArn,
      }),
    }));
    return logs.map(({ type, group }) => ({
      destination: group.name,
      destinationType: 'cloudwatch-logs',
      logFormat: 'json',
      logType: type,
    }));
  }

  /** What a client task role needs to sign in as the application user with IAM. */
  connectStatement(): PolicyStatement {
    return {
      Sid: 'RedisIamConnect',
      Effect: 'Allow',
      Action: 'elasticache:Connect',
      Resource: [this.replicationGroup.arn, this.appUser.arn],
    };
  }

  /**
   * The IAM sign-in a client makes: its token is a SigV4-presigned `connect` request for the
   * application user, authorized on the replication group and on the user (ElastiCache user guide,
   * "Authenticating with IAM").
   */
  connectRequests(): ContractRequest[] {
    const because = `ElastiCache IAM auth token (SigV4-presigned connect) for user ${this.appUserName}`;
    return [this.replicationGroup.arn, this.appUser.arn].map((resource) => ({
      action: 'elasticache:Connect',
      resource,
      because,
    }));
  }

  /** No client signs in as the `default` user, nor (`why`) does a workload that does not use the cache. */
  denials(why?: string): ContractRequest[] {
    return [
      {
        action: 'elasticache:Connect',
        resource: this.defaultUser.arn,
        because: 'the default user is switched off: nobody signs in as it',
      },
      ...(why
        ? [this.replicationGroup.arn, this.appUser.arn].map((resource) => ({
            action: 'elasticache:Connect',
            resource,
            because: why,
          }))
        : []),
    ];
  }
}

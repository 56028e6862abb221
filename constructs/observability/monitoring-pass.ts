import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbProxy } from '@cdktf/provider-aws/lib/db-proxy';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { DynamodbTableReplicaA } from '@cdktf/provider-aws/lib/dynamodb-table-replica';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { MskCluster } from '@cdktf/provider-aws/lib/msk-cluster';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { DefaultTokenResolver, StringConcat, TerraformStack, Tokenization } from 'cdktf';
import type { IConstruct } from 'constructs';
import { replicationMetricsOf } from '../core/s3-replication';
import { tableReplicaMetricsOf } from '../core/table-replica-metrics';
import {
  monitorLoadBalancer,
  monitorNatGateway,
  monitorNatInstance,
  monitorHealthCheck,
  monitorWebAcl,
  type LoadBalancerAlarms,
} from './edge-monitors';
import { attachDeploymentAlarms, type ServiceAlarms } from './deployment-alarms';
import { monitorDistribution } from './cdn-monitors';
import type { EventSources } from './event-rules';
import type { MonitorContext } from './monitor-context';
import { monitorEksCluster, monitorKafkaCluster } from './platform-monitors';
import { monitorLambdaFunction, monitorQueue } from './serverless-monitors';
import { monitorBucketReplication, monitorTableReplica } from './replication-monitors';
import {
  monitorAuroraCluster,
  monitorDbInstance,
  monitorDbProxy,
  monitorEcsService,
  monitorRedis,
  monitorTable,
} from './workload-monitors';

/**
 * Resource types the pass monitors, by Terraform type: the coverage test fails when a resource of one
 * of them has no alarm naming it (docs/architecture.md, "Layers").
 */
export const MONITORED_TYPES = [
  'aws_lb',
  'aws_lb_target_group',
  'aws_ecs_service',
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_rds_cluster_instance',
  'aws_db_proxy',
  'aws_elasticache_replication_group',
  'aws_dynamodb_table',
  'aws_nat_gateway',
  'aws_wafv2_web_acl',
  'aws_msk_cluster',
  'aws_eks_cluster',
  'aws_lambda_function',
  'aws_sqs_queue',
  'aws_cloudfront_distribution',
  'aws_route53_health_check',
] as const;

export interface MonitoringPassResult {
  readonly loadBalancers: LoadBalancerAlarms[];
  readonly events: EventSources;
  /** The log groups of the ECS services (the saved Logs Insights queries search them). */
  readonly serviceLogGroups: CloudwatchLogGroup[];
}

/**
 * The monitoring pass: walks everything the other layers built (it runs after them) and gives each
 * resource of a monitored type its alarms, so a new service, table or replica is covered without
 * code. It also collects what the event rules and queries are scoped to.
 */
export function runMonitoringPass(ctx: MonitorContext, root: IConstruct): MonitoringPassResult {
  const all = root.node.findAll();
  const of = <T>(cls: abstract new (...args: never[]) => T): T[] =>
    all.filter((c): c is T & IConstruct => c instanceof cls);
  const stack = TerraformStack.of(root);
  const resolver = new DefaultTokenResolver(new StringConcat());
  const resolved = (v: unknown) => JSON.stringify(Tokenization.resolve(v, { scope: stack, resolver }));
  const clusters = of(EcsCluster);
  const services = of(EcsService);
  const deploymentGroups = of(CodedeployDeploymentGroup);
  const result: MonitoringPassResult = {
    loadBalancers: of(Lb).map((lb) => monitorLoadBalancer(ctx, lb)),
    events: {
      backupVaultNames: of(BackupVault)
        .filter((v) => v.provider === undefined)
        .map((v) => v.name),
      clusterArns: clusters.map((c) => c.arn),
      serviceArns: services.map((s) => s.id),
      dbInstanceIdentifiers: [...of(DbInstance), ...of(RdsClusterInstance)].map((d) => d.identifier),
      dbClusterIdentifiers: of(RdsCluster).map((c) => c.clusterIdentifier),
      deploymentGroups: deploymentGroups.map((g) => ({
        application: g.appName,
        group: g.deploymentGroupName,
      })),
    },
    serviceLogGroups: services.flatMap((s) =>
      (s.node.scope?.node.children ?? []).filter(
        (c): c is CloudwatchLogGroup => c instanceof CloudwatchLogGroup,
      ),
    ),
  };
  const serviceAlarms: ServiceAlarms[] = services.map((service) => {
    const input = resolved(service.clusterInput);
    const cluster = clusters.find((c) => [c.arn, c.id, c.name].some((ref) => resolved(ref) === input));
    if (!cluster) throw new Error(`${service.node.path}: its ECS cluster is not in the stack`);
    return { service, alarms: monitorEcsService(ctx, service, cluster.name) };
  });
  // Blue/green services roll back on their alarms (CodeDeploy), not only on a failed deployment.
  attachDeploymentAlarms(deploymentGroups, serviceAlarms, result.loadBalancers, resolved);
  for (const db of of(DbInstance)) {
    monitorDbInstance(ctx, db, { storage: true, replica: db.replicateSourceDbInput !== undefined });
  }
  for (const db of of(RdsClusterInstance)) monitorDbInstance(ctx, db, { storage: false, replica: false });
  for (const cluster of of(RdsCluster)) monitorAuroraCluster(ctx, cluster);
  for (const proxy of of(DbProxy)) monitorDbProxy(ctx, proxy);
  for (const group of of(ElasticacheReplicationGroup)) monitorRedis(ctx, group);
  for (const table of of(DynamodbTable)) monitorTable(ctx, table);
  for (const nat of of(NatGateway)) monitorNatGateway(ctx, nat);
  // The only auto-scaling group of the platform is the NAT instance's (network.natGateways 'instance').
  for (const group of of(AutoscalingGroup)) monitorNatInstance(ctx, group);
  for (const acl of of(Wafv2WebAcl)) monitorWebAcl(ctx, acl);
  for (const check of of(Route53HealthCheck)) monitorHealthCheck(ctx, check);
  for (const cluster of of(MskCluster)) monitorKafkaCluster(ctx, cluster);
  for (const cluster of of(EksCluster)) monitorEksCluster(ctx, cluster);
  for (const fn of of(LambdaFunction)) monitorLambdaFunction(ctx, fn);
  for (const queue of of(SqsQueue)) monitorQueue(ctx, queue);
  for (const distribution of of(CloudfrontDistribution)) monitorDistribution(ctx, distribution);
  for (const replication of of(S3BucketReplicationConfigurationA)) {
    const metrics = replicationMetricsOf(replication);
    if (metrics) monitorBucketReplication(ctx, metrics);
  }
  for (const replica of of(DynamodbTableReplicaA)) {
    const metrics = tableReplicaMetricsOf(replica);
    if (!metrics)
      throw new Error(
        `${replica.node.path}: a table replica without its metrics (declareTableReplicaMetrics)`,
      );
    monitorTableReplica(ctx, metrics);
  }
  return result;
}

import type { Construct } from 'constructs';
import { Layer } from '../core/addresses';
import { connect } from '../core/security-group';
import type { ComputeLayer, ComputeLayerProps, Workload } from './compute-layer';
import { BlueGreenDeployment } from './blue-green-deployment';
import { FargateService } from './fargate-service';
import { ServiceMigrationTask } from './service-migration-task';
import { ServiceCluster } from './service-cluster';
import { ServiceRepository } from './service-repository';
import { TestTrafficHook } from './test-traffic-hook';

/**
 * `compute.platform: fargate`: one ECS cluster; per service an ECR repository and a Fargate service
 * registered in its edge route, admitted from the ALB, built with what it `uses`.
 */
export class FargateCompute extends Layer implements ComputeLayer {
  readonly platform = 'fargate' as const;
  readonly cluster: ServiceCluster;
  readonly repositories: Record<string, ServiceRepository> = {};
  readonly services: Record<string, FargateService> = {};
  /** CodeDeploy per blue/green service. */
  readonly deployments: Record<string, BlueGreenDeployment> = {};
  /** The `AfterAllowTestTraffic` hook per blue/green service (its AppSpec names it). */
  readonly testTrafficHooks: Record<string, TestTrafficHook> = {};
  /** Per service with `migrations`: its migration task (its own schema's migration user). */
  readonly migrations: Record<string, ServiceMigrationTask> = {};
  readonly workloads: Record<string, Workload> = {};
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: ComputeLayerProps) {
    super(scope, id);
    const { naming, config } = props;
    this.cluster = new ServiceCluster(this, 'Cluster', {
      naming,
      execKmsKeyArn: props.keys.data,
      logKmsKeyArn: props.logs.kmsKeyArn,
      logRetentionDays: props.logs.retentionDays,
    });
    this.clusterName = this.cluster.name;
    for (const [name, svc] of Object.entries(config.services)) {
      const repository = new ServiceRepository(this, `Repository-${name}`, {
        name: naming.name(name),
        kmsKeyArn: props.keys.data,
        imageTagMutability: config.ecr.imageTagMutability,
      });
      const route = props.routes[name];
      const bindings = props.bindings(name, svc);
      const service = new FargateService(this, `Service-${name}`, {
        naming,
        name,
        service: svc,
        accountId: props.accountId,
        region: props.region,
        cluster: this.cluster,
        vpcId: props.vpcId,
        subnetIds: props.subnetIds,
        image: svc.image ?? `${repository.url}:${svc.imageTag}`,
        repositoryArn: repository.arn,
        logs: props.logs,
        secretsKmsKeyArn: props.keys.secrets,
        tracing: config.observability.tracing,
        guardDutyAgent: props.guardDutyAgent,
        bindings,
        targetGroupArn: route?.targetGroupArn,
        requestCountLabel: route?.requestCountLabel,
        dependsOn: route?.dependsOn,
        neighbours: {
          services: Object.keys(config.services).filter((n) => n !== name),
          secretArns: Object.entries(config.services)
            .filter(([n]) => n !== name)
            .flatMap(([, s]) => Object.values(s.secrets).map((ref) => ref.arn)),
        },
      });
      if (route?.blueGreen && svc.deployment.type === 'blueGreen') {
        const hook = new TestTrafficHook(this, `TestTrafficHook-${name}`, {
          naming,
          accountId: props.accountId,
          service: name,
          vpcId: props.vpcId,
          subnetIds: props.subnetIds,
          loadBalancerSecurityGroup: props.ingress,
          target: route.blueGreen,
          host: config.dns.domainName,
          healthCheckPath: svc.healthCheckPath,
          logs: props.logs,
        });
        this.testTrafficHooks[name] = hook;
        this.deployments[name] = new BlueGreenDeployment(this, `Deployment-${name}`, {
          naming,
          name,
          accountId: props.accountId,
          region: props.region,
          clusterName: this.cluster.name,
          serviceName: service.serviceName,
          serviceArn: service.service.id,
          taskRoleArns: [service.taskRole.arn, service.executionRole.arn],
          settings: svc.deployment,
          target: route.blueGreen,
          testTrafficHookArn: hook.fn.function.arn,
          dependsOn: [service.service],
        });
      }
      const migrations = svc.migrations;
      if (migrations && props.migrationBindings) {
        this.migrations[name] = new ServiceMigrationTask(this, `Migration-${name}`, {
          naming,
          name,
          service: { ...svc, migrations },
          accountId: props.accountId,
          region: props.region,
          image: svc.image ?? `${repository.url}:${svc.imageTag}`,
          executionRoleArn: service.executionRole.arn,
          logGroupName: service.logGroup.name,
          bindings: props.migrationBindings(name),
        });
      }
      if (route) {
        connect(props.ingress, service.securityGroup, svc.port, `ALB to ${name}`, { clientEgress: true });
      }
      for (const peer of bindings.peers)
        connect(service.securityGroup, peer.securityGroup, peer.port, peer.description, {
          clientEgress: true,
        });
      this.repositories[name] = repository;
      this.services[name] = service;
      this.workloads[name] = {
        securityGroup: service.securityGroup,
        repositoryUrl: repository.url,
        serviceName: service.serviceName,
        taskRoleArn: service.taskRole.arn,
        taskFamily: service.taskDefinition.family,
      };
    }
  }
}

import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { FargateService } from '../constructs/compute/fargate-service';
import { ServiceCluster } from '../constructs/compute/service-cluster';
import { ServiceRepository } from '../constructs/compute/service-repository';
import { PublicLoadBalancer, assignPriorities } from '../constructs/edge/load-balancer';
import { SiteDomain } from '../constructs/edge/site-domain';
import { WebFirewall } from '../constructs/edge/web-firewall';
import { Naming } from '../constructs/naming';
import { Bastion } from '../constructs/network/bastion';
import { Network } from '../constructs/network/network';
import { CostBudget } from '../constructs/observability/cost-budget';
import { PlatformKeys } from '../constructs/security/platform-keys';
import { connect } from '../constructs/security/security-group';
import { standardTags } from '../constructs/tagging';
import { ENGINE_PORTS, REDIS_PORT } from '../environments/rules';
import type { AccountConfig, EnvironmentConfig } from '../environments/schema';
import { configureAws } from './aws';
import { s3Backend } from './backend';

export interface PlatformStackProps {
  readonly config: EnvironmentConfig;
  /** The account the environment deploys into (account-level options such as GuardDuty's agent). */
  readonly account: AccountConfig;
}

/**
 * `platform-<env>`: everything of one environment, in state at `<project>/<env>/terraform.tfstate`.
 * The stack only wires constructs together from config; constructs never see the environment's name
 * except through naming.
 */
export class PlatformStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly naming: Naming;
  readonly keys: PlatformKeys;
  readonly network: Network;
  readonly bastion?: Bastion;
  readonly budget?: CostBudget;
  readonly domain: SiteDomain;
  readonly loadBalancer: PublicLoadBalancer;
  readonly firewall: WebFirewall;
  readonly cluster: ServiceCluster;
  readonly repositories: Record<string, ServiceRepository> = {};
  readonly services: Record<string, FargateService> = {};

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const config = (this.config = props.config);
    const naming = (this.naming = new Naming({
      project: config.project,
      environment: config.name,
      accountId: config.accountId,
      region: config.region,
    }));
    configureAws(this, {
      region: config.region,
      accountId: config.accountId,
      tags: standardTags({ project: config.project, environment: config.name, extra: config.tags }),
    });
    s3Backend(this, config.state, `${config.project}/${config.name}/terraform.tfstate`);

    this.keys = new PlatformKeys(this, 'Keys', {
      naming,
      accountId: config.accountId,
      region: config.region,
    });

    const dataPorts = [
      ...(config.database ? [ENGINE_PORTS[config.database.engine]] : []),
      ...(config.cache ? [REDIS_PORT] : []),
    ];
    this.network = new Network(this, 'Network', {
      naming,
      region: config.region,
      accountId: config.accountId,
      vpcCidr: config.network.vpcCidr,
      ipv6: config.network.ipv6,
      availabilityZones: config.network.availabilityZones,
      subnets: config.network.subnets,
      natGateways: config.network.natGateways,
      interfaceEndpoints: config.network.interfaceEndpoints,
      flowLogs: { retentionDays: config.network.flowLogs.retentionDays, kmsKeyArn: this.keys.logs.arn },
      dataPorts: [...new Set(dataPorts)],
    });

    if (config.network.bastion) {
      this.bastion = new Bastion(this, 'Bastion', {
        naming,
        accountId: config.accountId,
        vpcId: this.network.vpcId,
        subnetId: this.network.private.subnets[0].id,
        instanceType: config.network.bastion.instanceType,
        kmsKeyArn: this.keys.data.arn,
      });
    }

    if (config.budget) {
      this.budget = new CostBudget(this, 'Budget', {
        name: naming.name('monthly'),
        monthlyLimitUsd: config.budget.monthlyLimitUsd,
        thresholdsPercent: config.budget.thresholdsPercent,
        alertEmails: config.budget.alertEmails,
        tagKey: 'Environment',
        tagValue: config.name,
      });
    }

    // --- Edge: DNS + TLS, the ALB with WAF.
    this.domain = new SiteDomain(this, 'Domain', {
      domainName: config.dns.domainName,
      hostedZoneId: config.dns.hostedZoneId,
    });
    this.loadBalancer = new PublicLoadBalancer(this, 'LoadBalancer', {
      naming,
      accountId: config.accountId,
      vpcId: this.network.vpcId,
      subnetIds: this.network.public.subnets.map((s) => s.id),
      certificateArn: this.domain.validatedCertificateArn,
      ipv6: config.network.ipv6,
      allowedCidrs: config.ingress.allowedCidrs,
      allowedIpv6Cidrs: config.ingress.allowedIpv6Cidrs,
      prefixListIds: config.ingress.prefixListIds,
      deletionProtection: config.alb.deletionProtection,
      idleTimeoutSeconds: config.alb.idleTimeoutSeconds,
      accessLogRetentionDays: config.alb.accessLogRetentionDays,
    });
    this.domain.pointTo(
      { dnsName: this.loadBalancer.alb.dnsName, zoneId: this.loadBalancer.alb.zoneId },
      { ipv6: config.network.ipv6 },
    );
    this.firewall = new WebFirewall(this, 'Firewall', {
      name: naming.name(),
      logGroupName: `aws-waf-logs-${naming.name()}`,
      logRetentionDays: config.logs.retentionDays,
      logKmsKeyArn: this.keys.logs.arn,
      rateLimitPerIp: config.waf.rateLimitPerIp,
      resourceArn: this.loadBalancer.alb.arn,
    });

    // --- Compute: the cluster, and per service a repository, a route and the Fargate service.
    this.cluster = new ServiceCluster(this, 'Cluster', {
      naming,
      execKmsKeyArn: this.keys.data.arn,
      logKmsKeyArn: this.keys.logs.arn,
      logRetentionDays: config.logs.retentionDays,
    });
    const priorities = assignPriorities(Object.entries(config.services).map(([name, s]) => ({ name, ...s })));
    for (const [name, svc] of Object.entries(config.services))
      this.addService(name, svc, priorities[name], props.account);

    this.outputs();
  }

  private addService(
    name: string,
    svc: EnvironmentConfig['services'][string],
    priority: number | undefined,
    account: AccountConfig,
  ): void {
    const { config, naming } = this;
    const repository = new ServiceRepository(this, `Repository-${name}`, {
      name: naming.name(name),
      kmsKeyArn: this.keys.data.arn,
      imageTagMutability: config.ecr.imageTagMutability,
    });
    this.repositories[name] = repository;
    const targetGroup = this.loadBalancer.addService({
      name,
      port: svc.port,
      healthCheckPath: svc.healthCheckPath,
      pathPatterns: svc.pathPatterns,
      priority,
      deregistrationDelaySeconds: svc.deregistrationDelaySeconds,
    });
    const rule = this.loadBalancer.listenerRules[name];
    const service = new FargateService(this, `Service-${name}`, {
      naming,
      name,
      accountId: config.accountId,
      region: config.region,
      cluster: this.cluster,
      vpcId: this.network.vpcId,
      subnetIds: this.network.private.subnets.map((s) => s.id),
      port: svc.port,
      cpu: svc.cpu,
      memory: svc.memory,
      desiredCount: svc.desiredCount,
      image: svc.image ?? `${repository.url}:${svc.imageTag}`,
      repositoryArn: repository.arn,
      logRetentionDays: config.logs.retentionDays,
      logKmsKeyArn: this.keys.logs.arn,
      secretsKmsKeyArn: this.keys.secrets.arn,
      environment: svc.environment,
      sidecars: svc.sidecars,
      readonlyRootFilesystem: svc.readonlyRootFilesystem,
      writablePaths: svc.writablePaths,
      user: svc.user,
      containerHealthCheck: svc.containerHealthCheck,
      architecture: svc.architecture,
      capacity: svc.capacity,
      enableExec: svc.enableExec,
      xray: svc.xray,
      guardDutyAgent: account.baseline.guardDutyRuntimeMonitoring,
      deployedByCi: svc.deployedByCi,
      healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds,
      targetGroupArn: targetGroup.arn,
      dependsOn: [this.loadBalancer.httpsListener, ...(rule ? [rule] : [])],
      autoscaling: svc.autoscaling,
    });
    connect(this.loadBalancer.securityGroup, service.securityGroup, svc.port, `ALB to ${name}`, {
      clientEgress: true,
    });
    for (const [envVar, ref] of Object.entries(svc.secrets)) service.addSecret(envVar, ref);
    this.services[name] = service;
  }

  private outputs(): void {
    const n = this.network;
    const out = (id: string, value: unknown, description: string) =>
      new TerraformOutput(this, id, { value, description });
    out('vpc_id', n.vpcId, 'VPC id');
    out(
      'public_subnet_ids',
      n.public.subnets.map((s) => s.id),
      'Public subnets (ALB, NAT), in AZ order',
    );
    out(
      'private_subnet_ids',
      n.private.subnets.map((s) => s.id),
      'Private (app) subnets, in AZ order',
    );
    out(
      'isolated_subnet_ids',
      n.isolated.subnets.map((s) => s.id),
      'Isolated (data) subnets, in AZ order',
    );
    out(
      'private_route_table_ids',
      n.private.routeTables.map((t) => t.id),
      'Private route tables',
    );
    out(
      'isolated_route_table_ids',
      n.isolated.routeTables.map((t) => t.id),
      'Isolated route tables',
    );
    if (n.endpointSecurityGroup)
      out('endpoint_security_group_id', n.endpointSecurityGroup.id, 'Interface endpoints security group');
    out(
      'kms_key_arns',
      { data: this.keys.data.arn, logs: this.keys.logs.arn, secrets: this.keys.secrets.arn },
      'KMS key ARNs by purpose',
    );
    if (this.bastion)
      out(
        'bastion_instance_id',
        this.bastion.instance.id,
        'SSM bastion (aws ssm start-session --target ...)',
      );
    out('site_url', `https://${this.config.dns.domainName}`, 'The site');
    out('alb_dns_name', this.loadBalancer.alb.dnsName, 'ALB DNS name');
    if (this.domain.zone)
      out('name_servers', this.domain.zone.nameServers, 'Delegate the domain to these name servers');
    out('cluster_name', this.cluster.name, 'ECS cluster');
    const byService = <T>(f: (name: string) => T) =>
      Object.fromEntries(Object.keys(this.services).map((n) => [n, f(n)]));
    out(
      'repository_urls',
      byService((n) => this.repositories[n].url),
      'ECR repository URL per service',
    );
    out(
      'service_names',
      byService((n) => this.services[n].serviceName),
      'ECS service name per service',
    );
    out(
      'task_role_arns',
      byService((n) => this.services[n].taskRole.arn),
      'Task role ARN per service',
    );
    out(
      'task_definition_families',
      byService((n) => this.services[n].taskDefinition.family),
      'Task definition family per service',
    );
  }
}

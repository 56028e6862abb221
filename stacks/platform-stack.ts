import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { FargateService } from '../constructs/compute/fargate-service';
import { AppBucket } from '../constructs/data/app-bucket';
import { PlatformBackup } from '../constructs/data/backup-plan';
import { AppTable } from '../constructs/data/dynamodb-table';
import { RedisCache } from '../constructs/data/redis-cache';
import { RelationalDatabase } from '../constructs/data/relational-database';
import { ServiceCluster } from '../constructs/compute/service-cluster';
import { ServiceRepository } from '../constructs/compute/service-repository';
import { PublicLoadBalancer, S3_ACCESS_LOG_PREFIX, assignPriorities } from '../constructs/edge/load-balancer';
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
import { configureAws, regionalProvider } from './aws';
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
  readonly database?: RelationalDatabase;
  readonly cache?: RedisCache;
  readonly tables: Record<string, AppTable> = {};
  readonly buckets: Record<string, AppBucket> = {};
  readonly backup?: PlatformBackup;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const config = (this.config = props.config);
    const project = props.account.project;
    const naming = (this.naming = new Naming({
      project,
      environment: config.name,
      accountId: config.accountId,
      region: config.region,
    }));
    configureAws(this, {
      region: config.region,
      accountId: config.accountId,
      tags: standardTags({ project, environment: config.name, extra: config.tags }),
    });
    s3Backend(this, props.account.state, `${project}/${config.name}/terraform.tfstate`);

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

    // --- Data: the stores, then what each service `uses` of them, then backups.
    this.database = this.createDatabase();
    this.cache = this.createCache();
    for (const [name, table] of Object.entries(config.tables)) {
      this.tables[name] = new AppTable(this, `Table-${name}`, {
        tableName: naming.name(name),
        partitionKey: table.partitionKey,
        sortKey: table.sortKey,
        ttlAttribute: table.ttlAttribute,
        kmsKeyArn: this.keys.data.arn,
        deletionProtection: table.deletionProtection,
      });
    }
    for (const [name, bucket] of Object.entries(config.buckets)) {
      const bucketName = naming.bucket(name);
      this.buckets[name] = new AppBucket(this, `Bucket-${name}`, {
        bucketName,
        kmsKeyArn: this.keys.data.arn,
        region: config.region,
        versioned: bucket.versioned,
        noncurrentVersionExpirationDays: bucket.noncurrentVersionExpirationDays,
        archive: bucket.archive,
        accessLogs: {
          bucketName: this.loadBalancer.logBucket.name,
          prefix: `${S3_ACCESS_LOG_PREFIX}/${bucketName}/`,
        },
      });
    }
    for (const [name, svc] of Object.entries(config.services)) this.wireUses(name, svc.uses);
    this.backup = this.createBackup();

    this.outputs();
  }

  private createDatabase(): RelationalDatabase | undefined {
    const { config, naming } = this;
    const db = config.database;
    if (!db) return undefined;
    const database = new RelationalDatabase(this, 'Database', {
      naming,
      accountId: config.accountId,
      vpcId: this.network.vpcId,
      subnetIds: this.network.isolated.subnets.map((s) => s.id),
      availabilityZones: config.network.availabilityZones,
      engine: db.engine,
      engineVersion: db.engineVersion,
      instanceClass: db.instanceClass,
      dataKmsKeyArn: this.keys.data.arn,
      secretsKmsKeyArn: this.keys.secrets.arn,
      logKmsKeyArn: this.keys.logs.arn,
      logRetentionDays: config.logs.retentionDays,
      backupRetentionDays: db.backupRetentionDays,
      backupWindow: db.backupWindow,
      maintenanceWindow: db.maintenanceWindow,
      deletionProtection: db.deletionProtection,
      skipFinalSnapshot: db.skipFinalSnapshot,
      allocatedStorageGb: db.allocatedStorageGb,
      maxAllocatedStorageGb: db.maxAllocatedStorageGb,
      multiAz: db.multiAz,
      readReplicas: db.readReplicas,
      instances: db.instances,
      serverlessV2: db.serverlessV2,
    });
    if (this.bastion) {
      connect(
        this.bastion.securityGroup,
        database.securityGroup,
        database.port,
        'Bastion port forwarding to the database',
        {
          clientEgress: true,
        },
      );
    }
    return database;
  }

  private createCache(): RedisCache | undefined {
    const { config, naming } = this;
    const c = config.cache;
    if (!c) return undefined;
    const cache = new RedisCache(this, 'Cache', {
      naming,
      accountId: config.accountId,
      region: config.region,
      vpcId: this.network.vpcId,
      subnetIds: this.network.isolated.subnets.map((s) => s.id),
      engineVersion: c.engineVersion,
      nodeType: c.nodeType,
      automaticFailover: c.automaticFailover,
      numCacheClusters: c.numCacheClusters,
      clusterMode: c.clusterMode,
      snapshotRetentionDays: c.snapshotRetentionDays,
      snapshotWindow: c.snapshotWindow,
      kmsKeyArn: this.keys.data.arn,
      logKmsKeyArn: this.keys.logs.arn,
      logRetentionDays: config.logs.retentionDays,
    });
    if (this.bastion) {
      connect(
        this.bastion.securityGroup,
        cache.securityGroup,
        cache.port,
        'Bastion port forwarding to Redis',
        { clientEgress: true },
      );
    }
    return cache;
  }

  /** What a service `uses` decides: data security-group ingress, secrets, environment and grants. */
  private wireUses(name: string, uses: EnvironmentConfig['services'][string]['uses']): void {
    const service = this.services[name];
    if (uses.database && this.database) {
      const db = this.database;
      connect(service.securityGroup, db.securityGroup, db.port, `${name} to the database`);
      service.addSecret('DB_USERNAME', { arn: db.masterSecretArn, jsonKey: 'username' });
      service.addSecret('DB_PASSWORD', { arn: db.masterSecretArn, jsonKey: 'password' });
      service.addEnvironment('DB_HOST', db.endpoint);
      service.addEnvironment('DB_PORT', String(db.port));
      service.addEnvironment('DB_NAME', db.databaseName);
      service.addEnvironment('DB_ENGINE', db.engine);
      if (db.readerEndpoint) service.addEnvironment('DB_READER_HOST', db.readerEndpoint);
    }
    if (uses.cache && this.cache) {
      const cache = this.cache;
      connect(service.securityGroup, cache.securityGroup, cache.port, `${name} to Redis`);
      service.addEnvironment('REDIS_HOST', cache.endpoint);
      service.addEnvironment('REDIS_PORT', String(cache.port));
      service.addEnvironment('REDIS_USER', cache.appUserName);
      service.addEnvironment('REDIS_TLS', 'true');
      service.addEnvironment('REDIS_CLUSTER_MODE', String(cache.clusterMode));
      service.grant(cache.connectStatement());
    }
    for (const t of uses.tables) {
      service.grant(this.tables[t].readWriteStatement(`Table${pascal(t)}`));
      service.addEnvironment(`TABLE_${envName(t)}`, this.tables[t].name);
    }
    for (const b of uses.buckets) {
      service.grant(...this.buckets[b].readWriteStatements(`Bucket${pascal(b)}`));
      service.addEnvironment(`BUCKET_${envName(b)}`, this.buckets[b].name);
    }
  }

  private createBackup(): PlatformBackup | undefined {
    const { config, naming } = this;
    const b = config.backup;
    if (!b) return undefined;
    const bucketArns = Object.entries(config.buckets)
      .filter(([, bucket]) => bucket.backup ?? bucket.versioned)
      .map(([name]) => this.buckets[name].arn);
    const resourceArns = [
      ...(this.database ? [this.database.backupResourceArn] : []),
      ...Object.values(this.tables).map((t) => t.arn),
      ...bucketArns,
    ];
    if (resourceArns.length === 0) return undefined;
    const copyTo = b.copyToRegion
      ? {
          region: b.copyToRegion,
          provider: regionalProvider(this, 'dr', {
            region: b.copyToRegion,
            accountId: config.accountId,
            tags: standardTags({
              project: naming.props.project,
              environment: config.name,
              extra: config.tags,
            }),
          }),
        }
      : undefined;
    return new PlatformBackup(this, 'Backup', {
      naming,
      accountId: config.accountId,
      kmsKeyArn: this.keys.data.arn,
      resourceArns,
      dailyRetentionDays: b.dailyRetentionDays,
      weeklyRetentionDays: b.weeklyRetentionDays,
      copyTo,
      restoreTesting: b.restoreTesting,
      restoreTestingTypes: [
        ...(this.database ? [this.database.engine === 'aurora-postgresql' ? 'Aurora' : 'RDS'] : []),
        ...(Object.keys(this.tables).length > 0 ? ['DynamoDB'] : []),
      ],
      includesBuckets: bucketArns.length > 0,
    });
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
    if (this.database) {
      out('database_endpoint', this.database.endpoint, 'Database writer hostname');
      out(
        'database_master_secret_arn',
        this.database.masterSecretArn,
        'RDS-managed master secret (username/password)',
      );
    }
    if (this.cache) out('redis_endpoint', this.cache.endpoint, 'Redis endpoint (TLS, IAM auth)');
    out(
      'table_names',
      Object.fromEntries(Object.entries(this.tables).map(([n, t]) => [n, t.name])),
      'DynamoDB table per config name',
    );
    out(
      'bucket_names',
      Object.fromEntries(Object.entries(this.buckets).map(([n, b]) => [n, b.name])),
      'S3 bucket per config name',
    );
  }
}

function pascal(slug: string): string {
  return slug
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

function envName(slug: string): string {
  return slug.toUpperCase().replace(/-/g, '_');
}

import type { Construct } from 'constructs';
import { createCompute, type ComputeLayer } from '../constructs/compute/compute-layer';
import { StableAddressStack } from '../constructs/core/addresses';
import { CLOUDFRONT_REGION } from '../constructs/core/cloudfront';
import { LogArchive } from '../constructs/core/log-archive';
import type { LogSettings } from '../constructs/core/log-group';
import { applyStackGuards } from '../constructs/core/guards';
import { Naming, pipelineRoleNames, policyArn } from '../constructs/core/naming';
import { mergeBindings } from '../constructs/core/service-bindings';
import { standardTags } from '../constructs/core/tagging';
import { DataLayer, dataPorts } from '../constructs/data/data-layer';
import { EdgeLayer } from '../constructs/edge/edge-layer';
import { FrontendLayer } from '../constructs/frontend/frontend-layer';
import { IdentityLayer } from '../constructs/identity/identity-layer';
import { MessagingLayer, messagingPorts } from '../constructs/messaging/messaging-layer';
import { NetworkLayer } from '../constructs/network/network-layer';
import { ObservabilityLayer } from '../constructs/observability/observability-layer';
import { SecurityLayer } from '../constructs/security/security-layer';
import { ServerlessLayer } from '../constructs/serverless/serverless-layer';
import { backupCopyRegion, type AccountConfig, type EnvironmentConfig } from '../environments/schema';
import { configureAws, regionalProvider } from './aws';
import { s3Backend } from './backend';
import { referenceBoundary, type ReferenceBoundaryProps } from './reference-boundary';

export interface PlatformStackProps {
  readonly config: EnvironmentConfig;
  /** The account the environment deploys into: project, state backend, account-level options. */
  readonly account: AccountConfig;
  /**
   * A reference configuration (never deployed): its state key is `<project>/reference/<name>/…`,
   * which nothing applies, and its roles' workload boundary is in its own stack. Default: an
   * environment (state at `<project>/<env>/terraform.tfstate`, boundary in the account's state stack).
   */
  readonly reference?: Omit<ReferenceBoundaryProps, 'account' | 'name'>;
}

/**
 * `platform-<env>`: everything of one environment, in state at `<project>/<env>/terraform.tfstate`.
 * The stack composes layers in dependency order and passes each the outputs of those below it
 * (docs/architecture.md, "Layers"); layers are transparent in Terraform addresses.
 */
export class PlatformStack extends StableAddressStack {
  readonly config: EnvironmentConfig;
  readonly naming: Naming;
  readonly security: SecurityLayer;
  readonly network: NetworkLayer;
  readonly observability: ObservabilityLayer;
  readonly logArchive: LogArchive;
  readonly edge: EdgeLayer;
  readonly identity: IdentityLayer;
  readonly serverless: ServerlessLayer;
  readonly data: DataLayer;
  readonly messaging: MessagingLayer;
  readonly compute: ComputeLayer;
  readonly frontend: FrontendLayer;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const config = (this.config = props.config);
    const { accountId, region } = config;
    const { project, state } = props.account;
    const naming = (this.naming = new Naming({
      project,
      environment: config.name,
      accountId,
      region,
    }));
    const tags = standardTags({ project, environment: config.name, extra: config.tags });
    configureAws(this, { region, accountId, tags });
    const where = props.reference ? `reference/${config.name}` : config.name;
    s3Backend(this, state, `${project}/${where}/terraform.tfstate`);
    if (props.reference)
      referenceBoundary(this, { ...props.reference, account: props.account, name: config.name });
    // Stack-wide, at synthesis: the workload boundary on every role, names under the environment's
    // prefix, prevent_destroy on stateful resources in production (docs/architecture.md, "Guardrails").
    applyStackGuards(this, {
      boundaryArn: policyArn(accountId, pipelineRoleNames.workloadBoundary(project, config.name)),
      roleNamePrefix: `${naming.prefix}-`,
      preventDestroy: config.tier === 'production',
      waivers: config.guards.waivers,
    });

    const admins = props.account.adminPrincipalArns;
    this.security = new SecurityLayer(this, 'Security', {
      naming,
      accountId,
      region,
      adminPrincipalArns: admins,
    });
    const { keys } = this.security;
    const logs: LogSettings = { retentionDays: config.logs.retentionDays, kmsKeyArn: keys.logs.arn };
    this.network = new NetworkLayer(this, 'Network', {
      naming,
      accountId,
      region,
      network: config.network,
      logsKmsKeyArn: keys.logs.arn,
      dataKmsKeyArn: keys.data.arn,
      dataPorts: [...dataPorts(config), ...messagingPorts(config)],
    });
    const { network } = this.network;
    // The archive began as the load balancer's log bucket: its resources keep those addresses.
    this.keepAddress('LogArchive', ['LoadBalancer']);
    this.logArchive = new LogArchive(this, 'LogArchive', {
      naming,
      accountId,
      retentionDays: config.alb.accessLogRetentionDays,
      cloudFrontLogs: config.frontend.mode === 'static',
    });

    this.edge = new EdgeLayer(this, 'Edge', {
      naming,
      accountId,
      config,
      vpcId: network.vpcId,
      subnetIds: network.public.subnets.map((s) => s.id),
      privateSubnetIds: network.private.subnets.map((s) => s.id),
      logs,
      logArchive: this.logArchive,
    });
    const withFunctions = { naming, accountId, config, logs, dataKmsKeyArn: keys.data.arn };
    this.identity = new IdentityLayer(this, 'Identity', {
      ...withFunctions,
      hostedZoneId: this.edge.domain.zoneId,
    });
    // Recovery points go to the recovery region with 'backup-restore' (the provider keeps its alias `dr`).
    const copyRegion = backupCopyRegion(config);
    this.data = new DataLayer(this, 'Data', {
      naming,
      accountId,
      region,
      config,
      vpcId: network.vpcId,
      subnetIds: network.isolated.subnets.map((s) => s.id),
      appSubnetIds: network.private.subnets.map((s) => s.id),
      keys: { data: keys.data.arn, secrets: keys.secrets.arn },
      logs,
      logArchive: this.logArchive,
      adminClient: this.network.bastion?.securityGroup,
      adminPrincipalArns: admins,
      drProvider: copyRegion
        ? regionalProvider(this, 'dr', { region: copyRegion, accountId, tags })
        : undefined,
    });
    this.messaging = new MessagingLayer(this, 'Messaging', {
      naming,
      accountId,
      region,
      config,
      vpcId: network.vpcId,
      subnetIds: network.isolated.subnets.map((s) => s.id),
      dataKmsKeyArn: keys.data.arn,
      logs,
    });
    this.serverless = new ServerlessLayer(this, 'Serverless', { ...withFunctions, tables: this.data.tables });
    this.compute = createCompute(this, 'Compute', {
      naming,
      accountId,
      region,
      config,
      vpcId: network.vpcId,
      subnetIds: network.private.subnets.map((s) => s.id),
      keys: { data: keys.data.arn, secrets: keys.secrets.arn },
      logs,
      routes: this.edge.routes,
      ingress: this.edge.loadBalancer.securityGroup,
      bindings: (name, service) =>
        mergeBindings(
          name,
          this.data.bindingsFor(name, service.uses),
          this.messaging.bindingsFor(name, service.uses),
          this.identity.bindingsFor(service.uses),
        ),
      guardDutyAgent: props.account.baseline.guardDutyRuntimeMonitoring,
      adminPrincipalArns: admins,
      hostedZoneId: this.edge.domain.zoneId,
      database: this.data.bootstrap,
      migrationBindings: (name) => this.data.migrationBindingsFor(name),
    });
    this.frontend = new FrontendLayer(this, 'Frontend', {
      naming,
      config,
      logs,
      logArchive: this.logArchive,
      edge: this.edge,
      // Like the DR region's, the us-east-1 provider is the stack's: layers receive providers.
      cloudFrontProvider:
        config.frontend.mode === 'static'
          ? regionalProvider(this, 'cloudfront', { region: CLOUDFRONT_REGION, accountId, tags })
          : undefined,
    });
    // Last: its monitoring pass walks what every other layer built (docs/architecture.md, "Layers").
    this.observability = new ObservabilityLayer(this, 'Observability', {
      naming,
      environment: config.name,
      accountId,
      region,
      config,
      alertsKmsKeyArn: keys.data.arn,
      monitor: this,
    });
  }
}

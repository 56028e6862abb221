import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { Naming } from '../constructs/naming';
import { Bastion } from '../constructs/network/bastion';
import { Network } from '../constructs/network/network';
import { CostBudget } from '../constructs/observability/cost-budget';
import { PlatformKeys } from '../constructs/security/platform-keys';
import { standardTags } from '../constructs/tagging';
import { ENGINE_PORTS, REDIS_PORT } from '../environments/rules';
import type { EnvironmentConfig } from '../environments/schema';
import { configureAws } from './aws';
import { s3Backend } from './backend';

export interface PlatformStackProps {
  readonly config: EnvironmentConfig;
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

    this.outputs();
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
  }
}

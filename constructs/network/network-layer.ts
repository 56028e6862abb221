import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { NetworkConfig } from '../../environments/schema';
import { Layer } from '../core/addresses';
import type { Naming } from '../core/naming';
import { Bastion } from './bastion';
import { Network } from './network';

export interface NetworkLayerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly network: NetworkConfig;
  /** Encrypts the flow logs. */
  readonly logsKmsKeyArn: string;
  /** Encrypts the bastion's volume. */
  readonly dataKmsKeyArn: string;
  /** TCP ports the isolated tier serves (the data layer's `dataPorts`). */
  readonly dataPorts: readonly number[];
}

/** The network layer: the three-tier VPC and, when configured, the SSM bastion. */
export class NetworkLayer extends Layer {
  readonly network: Network;
  readonly bastion?: Bastion;

  constructor(scope: Construct, id: string, props: NetworkLayerProps) {
    super(scope, id);
    const { network: config, naming } = props;
    this.network = new Network(this, 'Network', {
      naming,
      region: props.region,
      accountId: props.accountId,
      vpcCidr: config.vpcCidr,
      ipv6: config.ipv6,
      availabilityZones: config.availabilityZones,
      subnets: config.subnets,
      natGateways: config.natGateways,
      natInstance: { ...config.natInstance, kmsKeyArn: props.dataKmsKeyArn },
      interfaceEndpoints: config.interfaceEndpoints,
      flowLogs: { retentionDays: config.flowLogs.retentionDays, kmsKeyArn: props.logsKmsKeyArn },
      dataPorts: props.dataPorts,
    });
    if (config.bastion) {
      this.bastion = new Bastion(this, 'Bastion', {
        naming,
        accountId: props.accountId,
        vpcId: this.network.vpcId,
        subnetId: this.network.private.subnets[0].id,
        instanceType: config.bastion.instanceType,
        kmsKeyArn: props.dataKmsKeyArn,
      });
    }
    this.outputs();
  }

  private outputs(): void {
    const n = this.network;
    const out = (id: string, value: unknown, description: string) =>
      new TerraformOutput(this, id, { value, description });
    const ids = (items: { id: string }[]) => items.map((s) => s.id);
    out('vpc_id', n.vpcId, 'VPC id');
    out('public_subnet_ids', ids(n.public.subnets), 'Public subnets (ALB, NAT), in AZ order');
    out('private_subnet_ids', ids(n.private.subnets), 'Private (app) subnets, in AZ order');
    out('isolated_subnet_ids', ids(n.isolated.subnets), 'Isolated (data) subnets, in AZ order');
    out('private_route_table_ids', ids(n.private.routeTables), 'Private route tables');
    out('isolated_route_table_ids', ids(n.isolated.routeTables), 'Isolated route tables');
    if (n.endpointSecurityGroup)
      out('endpoint_security_group_id', n.endpointSecurityGroup.id, 'Interface endpoints security group');
    if (this.bastion)
      out(
        'bastion_instance_id',
        this.bastion.instance.id,
        'SSM bastion (aws ssm start-session --target ...)',
      );
  }
}

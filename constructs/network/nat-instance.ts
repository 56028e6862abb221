import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Construct } from 'constructs';
import { escalationDenials } from '../core/contract-requests';
import { policyDocument, serviceTrustPolicy } from '../core/iam';
import type { Naming } from '../core/naming';
import { declareContract, serviceTrustRequests } from '../core/role-contract';
import { OwnedSecurityGroup } from '../core/security-group';
import { NAT_BOOT_SCRIPT, natBootParameters } from './nat-instance-boot';
import { al2023Image, encryptedRootVolume, instanceArchitecture } from '../core/instance-template';

export interface NatInstanceProps {
  readonly naming: Naming;
  readonly region: string;
  readonly accountId: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** The public subnet the interface and the instance live in (one AZ). */
  readonly subnet: Subnet;
  /** The private subnets' CIDRs: what the instance forwards. */
  readonly clientCidrs: readonly string[];
  readonly internetGateway: InternetGateway;
  /** The VPC has IPv6: the instance reaches the EC2 API over IPv6, no second public IPv4. */
  readonly ipv6: boolean;
  /** Graviton or x86: the AMI follows the type. Default in the schema: `network.natInstance.instanceType`. */
  readonly instanceType: string;
  /**
   * Run on Spot capacity (an interruption is a few minutes without egress). Default in the schema:
   * `network.natInstance.spot`.
   */
  readonly spot: boolean;
  /** KMS key for the root volume. Default: the account's EBS default key. */
  readonly kmsKeyArn?: string;
}

/**
 * One NAT instance for a non-production VPC (`network.natGateways: 'instance'`): a fixed network
 * interface with the source/destination check off and an Elastic IP, which the private route tables
 * point at (launch templates cannot turn the check off), attached at boot by the instance of an
 * auto-scaling group of one, so a replacement takes over the same interface and address
 * (nat-instance-boot.ts). IMDSv2 only, the AMI of the instance type's architecture resolved from the
 * public SSM parameter by the launch template at launch (no data source: plans stay offline). Its security group admits the
 * private subnets' CIDRs, all protocols: a documented exception to group-to-group rules, as for the
 * interface endpoints, since forwarded packets keep their task's address.
 */
export class NatInstance extends Construct {
  readonly networkInterface: NetworkInterface;
  readonly securityGroup: OwnedSecurityGroup;
  readonly group: AutoscalingGroup;

  constructor(scope: Construct, id: string, props: NatInstanceProps) {
    super(scope, id);
    const { naming } = props;
    const name = naming.name('nat');
    const { instanceType } = props;
    const arch = instanceArchitecture(instanceType);

    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name,
      description: 'NAT instance: all from the private subnets (forwarded), all out',
    });
    this.securityGroup.allowFromCidrs(
      props.clientCidrs,
      { from: 0, to: 0, protocol: '-1' },
      'Forwarded from the private subnets',
    );
    this.securityGroup.allowToCidrs(
      ['0.0.0.0/0'],
      { from: 0, to: 0, protocol: '-1' },
      'NAT egress to the internet',
    );
    if (props.ipv6) this.securityGroup.allowToCidrs(['::/0'], 443, 'EC2 API (dual-stack) at boot');

    this.networkInterface = new NetworkInterface(this, 'Interface', {
      subnetId: props.subnet.id,
      securityGroups: [this.securityGroup.id],
      sourceDestCheck: false,
      description: `${name}: the private route tables' default route`,
      tags: { Name: name },
    });
    new Eip(this, 'Eip', {
      domain: 'vpc',
      networkInterface: this.networkInterface.id,
      tags: { Name: name },
      dependsOn: [props.internetGateway],
    });

    const role = new IamRole(this, 'Role', {
      name,
      assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com', props.accountId),
    });
    const profile = new IamInstanceProfile(this, 'Profile', { name, role: role.name });
    new IamRolePolicy(this, 'AttachInterface', {
      role: role.id,
      name: 'attach-nat-interface',
      policy: policyDocument([
        // Describe calls take no resource: finding the interface by its tag needs "*".
        { Effect: 'Allow', Action: 'ec2:DescribeNetworkInterfaces', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'ec2:AttachNetworkInterface',
          Resource: `arn:aws:ec2:${props.region}:${props.accountId}:network-interface/${this.networkInterface.id}`,
        },
        {
          // Only instances launched with this profile: the NAT instance itself.
          Effect: 'Allow',
          Action: 'ec2:AttachNetworkInterface',
          Resource: `arn:aws:ec2:${props.region}:${props.accountId}:instance/*`,
          Condition: { ArnEquals: { 'ec2:InstanceProfile': profile.arn } },
        },
      ]),
    });

    this.declareContract(props, role, profile.arn);

    const template = new LaunchTemplate(this, 'LaunchTemplate', {
      name,
      imageId: al2023Image(arch),
      instanceType,
      iamInstanceProfile: { arn: profile.arn },
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
      networkInterfaces: [
        {
          deviceIndex: 0,
          securityGroups: [this.securityGroup.id],
          // Outside traffic before the fixed interface is attached: IPv6 when the VPC has it (free).
          associatePublicIpAddress: props.ipv6 ? 'false' : 'true',
          ipv6AddressCount: props.ipv6 ? 1 : 0,
          deleteOnTermination: 'true',
        },
      ],
      blockDeviceMappings: encryptedRootVolume(props.kmsKeyArn),
      // A plain string: base64 here, no Terraform expression to escape a shell script into.
      userData: Buffer.from(
        natBootParameters({
          region: props.region,
          networkInterfaceName: name,
          vpcCidr: props.vpcCidr,
          dualStackApi: props.ipv6,
        }) + NAT_BOOT_SCRIPT,
      ).toString('base64'),
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: name } },
        { resourceType: 'volume', tags: { Name: name } },
      ],
    });

    this.group = new AutoscalingGroup(this, 'Group', {
      name,
      minSize: 1,
      maxSize: 1,
      desiredCapacity: 1,
      // The interface's AZ: only an instance there can attach it.
      vpcZoneIdentifier: [props.subnet.id],
      healthCheckType: 'EC2',
      // Group metrics (free) feed the nat-instance-down alarm.
      metricsGranularity: '1Minute',
      enabledMetrics: ['GroupInServiceInstances'],
      mixedInstancesPolicy: {
        instancesDistribution: {
          onDemandBaseCapacity: 0,
          onDemandPercentageAboveBaseCapacity: props.spot ? 0 : 100,
          spotAllocationStrategy: 'price-capacity-optimized',
        },
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: template.id, version: '$Latest' },
        },
      },
      tag: [{ key: 'Name', value: name, propagateAtLaunch: true }],
    });
  }

  /** The boot script's two calls (nat-instance-boot.ts): find the fixed interface, attach it to itself. */
  private declareContract(props: NatInstanceProps, role: IamRole, profileArn: string): void {
    const { naming, region, accountId } = props;
    const ec2 = `arn:aws:ec2:${region}:${accountId}`;
    const eni = `${ec2}:network-interface/${this.networkInterface.id}`;
    const self = `${ec2}:instance/i-0123456789abcdef0`;
    const boot = 'constructs/network/nat-instance-boot.ts:';
    const attach = `${boot} aws ec2 attach-network-interface`;
    const ownProfile = { 'ec2:InstanceProfile': profileArn };
    declareContract(role, {
      purpose: 'NAT instance: at boot, attaches the fixed NAT interface (and its address) to itself',
      allow: [
        {
          action: 'ec2:DescribeNetworkInterfaces',
          resource: '*',
          because: `${boot} aws ec2 describe-network-interfaces (its interface, by Name tag)`,
        },
        { action: 'ec2:AttachNetworkInterface', resource: eni, because: attach },
        { action: 'ec2:AttachNetworkInterface', resource: self, context: ownProfile, because: attach },
      ],
      deny: [
        {
          action: 'ec2:AttachNetworkInterface',
          resource: self,
          context: {
            'ec2:InstanceProfile': `arn:aws:iam::${accountId}:instance-profile/${naming.name('bastion')}`,
          },
          because: 'only to an instance launched with its own profile',
        },
        {
          action: 'ec2:AttachNetworkInterface',
          resource: `${ec2}:network-interface/eni-0123456789abcdef0`,
          because: 'no other interface',
        },
        {
          action: 'ec2:ModifyNetworkInterfaceAttribute',
          resource: eni,
          because: 'the source/destination check stays as Terraform set it',
        },
        ...escalationDenials(naming),
      ],
      trust: serviceTrustRequests('ec2.amazonaws.com', accountId, 'the NAT instance (its instance profile)', [
        { principal: 'lambda.amazonaws.com', because: 'no other service' },
      ]),
    });
  }
}

import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import { escalationDenials } from '../core/contract-requests';
import { serviceTrustPolicy } from '../core/iam';
import type { Naming } from '../core/naming';
import { declareContract, serviceTrustRequests } from '../core/role-contract';
import { OwnedSecurityGroup } from '../core/security-group';
import { al2023Image, encryptedRootVolume, instanceArchitecture } from '../core/instance-template';

export interface BastionProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly vpcId: string;
  /** A private subnet: the bastion has no public address. */
  readonly subnetId: string;
  /** Graviton or x86: the AMI follows the type. Default in the schema: `network.bastion.instanceType`. */
  readonly instanceType: string;
  /** KMS key for the root volume. Default: the account's EBS default key. */
  readonly kmsKeyArn?: string;
}

/**
 * An SSM-managed bastion (seed 002) in a private subnet: no inbound rules, no SSH key, no public
 * address. Operators reach databases through Session Manager port forwarding
 * (`aws ssm start-session --document-name AWS-StartPortForwardingSessionToRemoteHost`); the data
 * constructs admit this group on their ports. The AMI is resolved from SSM by the launch template
 * (not on the instance: provider issue 43364 would replace it on every apply).
 */
export class Bastion extends Construct {
  readonly securityGroup: OwnedSecurityGroup;
  readonly instance: Instance;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    const { naming } = props;
    const { instanceType } = props;
    const arch = instanceArchitecture(instanceType);

    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: naming.name('bastion'),
      description: 'SSM bastion: no inbound; HTTPS out to Systems Manager, data ports to the data stores',
    });
    this.securityGroup.allowToCidrs(['0.0.0.0/0'], 443, 'HTTPS to Systems Manager and package repositories');

    this.role = new IamRole(this, 'Role', {
      name: naming.name('bastion'),
      assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com', props.accountId),
    });
    // Exception (docs/architecture.md, "Security model"): the AWS managed SSM core policy. Its ec2messages and
    // ssm:UpdateInstanceInformation calls accept only "*"; AWS keeps the list current as the agent changes.
    new IamRolePolicyAttachment(this, 'SsmCore', {
      role: this.role.name,
      policyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    });
    const profile = new IamInstanceProfile(this, 'Profile', {
      name: naming.name('bastion'),
      role: this.role.name,
    });
    this.declareContract(props);

    const template = new LaunchTemplate(this, 'LaunchTemplate', {
      name: naming.name('bastion'),
      imageId: al2023Image(arch),
      instanceType,
      iamInstanceProfile: { arn: profile.arn },
      vpcSecurityGroupIds: [this.securityGroup.id],
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: encryptedRootVolume(props.kmsKeyArn),
      monitoring: { enabled: true },
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: naming.name('bastion') } },
        { resourceType: 'volume', tags: { Name: naming.name('bastion') } },
      ],
    });

    this.instance = new Instance(this, 'Instance', {
      subnetId: props.subnetId,
      launchTemplate: { id: template.id, version: template.latestVersion.toString() },
      associatePublicIpAddress: false,
      tags: { Name: naming.name('bastion') },
    });
  }

  /** What the SSM agent calls for Session Manager port forwarding; the host reads no data itself. */
  private declareContract(props: BastionProps): void {
    const { naming, accountId } = props;
    const region = naming.props.region;
    const agent = (actions: string[], why: string) =>
      actions.map((action) => ({ action, resource: '*', because: `SSM Agent (Session Manager): ${why}` }));
    declareContract(this.role, {
      purpose: 'SSM bastion: Session Manager port forwarding to the data stores, nothing else',
      managed: [
        {
          name: 'AmazonSSMManagedInstanceCore',
          version: 'v2',
          reason: "the SSM Agent's calls; ec2messages and ssm:UpdateInstanceInformation accept only *",
        },
      ],
      allow: [
        ...agent(['ssm:UpdateInstanceInformation'], 'registers the managed instance'),
        ...agent(
          ['ec2messages:GetMessages', 'ec2messages:AcknowledgeMessage', 'ec2messages:SendReply'],
          'message delivery',
        ),
        ...agent(
          [
            'ssmmessages:CreateControlChannel',
            'ssmmessages:CreateDataChannel',
            'ssmmessages:OpenControlChannel',
            'ssmmessages:OpenDataChannel',
          ],
          'session channels (AWS-StartPortForwardingSessionToRemoteHost)',
        ),
      ],
      deny: [
        {
          action: 'secretsmanager:GetSecretValue',
          resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:rds!db-0123-AbCdEf`,
          because: 'the bastion forwards ports: the operator brings the credential, the host reads none',
        },
        {
          action: 's3:GetObject',
          resource: `arn:aws:s3:::${naming.bucket('data')}/uploads/example.bin`,
          because: 'the bastion reads no application data',
        },
        {
          action: 'ec2:TerminateInstances',
          resource: `arn:aws:ec2:${region}:${accountId}:instance/i-0123456789abcdef0`,
          because: 'the bastion changes no instance',
        },
        ...escalationDenials(naming),
      ],
      trust: serviceTrustRequests(
        'ec2.amazonaws.com',
        accountId,
        'the bastion instance (its instance profile)',
        [{ principal: 'ssm.amazonaws.com', because: 'no other service' }],
      ),
    });
  }
}

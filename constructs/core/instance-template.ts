/**
 * What every EC2 instance of the platform (bastion, NAT instance) launches with: Amazon Linux 2023
 * resolved from SSM by the launch template (not on the instance: provider issue 43364 would replace
 * it on every apply) and a KMS-encrypted gp3 root volume.
 */
import type { LaunchTemplateBlockDeviceMappings } from '@cdktf/provider-aws/lib/launch-template';

/** Graviton instance types (`t4g.nano`, `c7gn.large`) run arm64 images; the others x86_64. */
export const instanceArchitecture = (instanceType: string): 'arm64' | 'x86_64' =>
  /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? 'arm64' : 'x86_64';

/** The latest Amazon Linux 2023 AMI for `arch`, resolved when the instance launches. */
export const al2023Image = (arch: 'arm64' | 'x86_64'): string =>
  `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;

/** An 8 GB gp3 root volume encrypted with `kmsKeyArn` (default: the account's EBS key), deleted with the instance. */
export function encryptedRootVolume(kmsKeyArn?: string): LaunchTemplateBlockDeviceMappings[] {
  return [
    {
      deviceName: '/dev/xvda',
      ebs: {
        volumeSize: 8,
        volumeType: 'gp3',
        encrypted: 'true',
        kmsKeyId: kmsKeyArn,
        deleteOnTermination: 'true',
      },
    },
  ];
}

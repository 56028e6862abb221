/**
 * The EBS CSI driver's policy and contract (its role is its add-on's Pod Identity role,
 * eks-addons.ts): volumes and snapshots it tags as its own, on this cluster's nodes.
 */
import type { PolicyStatement } from '../../core/iam';
import type { ControllerRolesProps } from './controller-roles';
import type { ContractRequest } from '../../core/role-contract';
import { anyResource, describe } from './controller-statements';
import { otherPrefix, podRoleDenies } from './pod-contracts';

const EBS_CSI = 'aws-ebs-csi-driver v1.x docs/example-iam-policy.json';

/** The EBS CSI driver's statements: volumes and snapshots it tags as its own, on this cluster's nodes. */
export function ebsCsiStatements(region: string, accountId: string, clusterName: string): PolicyStatement[] {
  const volumes = `arn:aws:ec2:${region}:${accountId}:volume/*`;
  // EC2 snapshot ARNs carry no account id.
  const snapshots = `arn:aws:ec2:${region}::snapshot/*`;
  const owned = { StringEquals: { 'aws:ResourceTag/ebs.csi.aws.com/cluster': 'true' } };
  return [
    describe('EbsDescribe', [
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeInstances',
      'ec2:DescribeSnapshots',
      'ec2:DescribeTags',
      'ec2:DescribeVolumes',
      'ec2:DescribeVolumesModifications',
    ]),
    // What it creates carries its tag; what it creates from (CreateSnapshot's volume, CreateVolume's
    // snapshot: EC2 authorizes both) must carry it already, so it copies no volume it does not own.
    {
      Sid: 'CreateTaggedVolumes',
      Effect: 'Allow',
      Action: 'ec2:CreateVolume',
      Resource: volumes,
      Condition: { StringEquals: { 'aws:RequestTag/ebs.csi.aws.com/cluster': 'true' } },
    },
    {
      Sid: 'RestoreOwnSnapshots',
      Effect: 'Allow',
      Action: 'ec2:CreateVolume',
      Resource: snapshots,
      Condition: owned,
    },
    {
      Sid: 'CreateTaggedSnapshots',
      Effect: 'Allow',
      Action: 'ec2:CreateSnapshot',
      Resource: snapshots,
      Condition: { StringEquals: { 'aws:RequestTag/ebs.csi.aws.com/cluster': 'true' } },
    },
    {
      Sid: 'SnapshotOwnVolumes',
      Effect: 'Allow',
      Action: 'ec2:CreateSnapshot',
      Resource: volumes,
      Condition: owned,
    },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: [volumes, snapshots],
      Condition: { StringEquals: { 'ec2:CreateAction': ['CreateVolume', 'CreateSnapshot'] } },
    },
    {
      Sid: 'ChangeOwnVolumes',
      Effect: 'Allow',
      Action: ['ec2:DeleteVolume', 'ec2:ModifyVolume', 'ec2:DeleteSnapshot'],
      Resource: [volumes, snapshots],
      Condition: owned,
    },
    {
      Sid: 'AttachOwnVolumes',
      Effect: 'Allow',
      Action: ['ec2:AttachVolume', 'ec2:DetachVolume'],
      Resource: volumes,
      Condition: owned,
    },
    {
      Sid: 'AttachToClusterNodes',
      Effect: 'Allow',
      Action: ['ec2:AttachVolume', 'ec2:DetachVolume'],
      Resource: `arn:aws:ec2:${region}:${accountId}:instance/*`,
      Condition: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': clusterName } },
    },
  ];
}

/** The EBS CSI controller's contract: the calls of `ebsCsiStatements`, from the driver's published policy. */
export function ebsCsiRequests(
  props: Pick<ControllerRolesProps, 'naming' | 'region' | 'accountId' | 'clusterName' | 'masterSecretArn'>,
): { allow: ContractRequest[]; deny: ContractRequest[] } {
  const { region, accountId, clusterName } = props;
  const volume = `arn:aws:ec2:${region}:${accountId}:volume/vol-0123456789abcdef0`;
  const snapshot = `arn:aws:ec2:${region}::snapshot/snap-0123456789abcdef0`;
  const instance = `arn:aws:ec2:${region}:${accountId}:instance/i-0123456789abcdef0`;
  const requestTag = { 'aws:RequestTag/ebs.csi.aws.com/cluster': 'true' };
  const owned = { 'aws:ResourceTag/ebs.csi.aws.com/cluster': 'true' };
  const node = { 'aws:ResourceTag/eks:cluster-name': clusterName };
  const req = (
    action: string,
    resource: string,
    context: Record<string, string>,
    because: string,
  ): ContractRequest => ({ action, resource, context, because: `${EBS_CSI}: ${because}` });
  return {
    allow: [
      ...anyResource(
        [
          'ec2:DescribeAvailabilityZones',
          'ec2:DescribeInstances',
          'ec2:DescribeSnapshots',
          'ec2:DescribeTags',
          'ec2:DescribeVolumes',
          'ec2:DescribeVolumesModifications',
        ],
        `${EBS_CSI}: controller lookups`,
      ),
      req('ec2:CreateVolume', volume, requestTag, 'CreateVolume of a PersistentVolumeClaim, tagged'),
      req(
        'ec2:CreateVolume',
        snapshot,
        owned,
        'CreateVolume of a claim restored from a VolumeSnapshot (the snapshot)',
      ),
      req('ec2:CreateSnapshot', volume, owned, 'CreateSnapshot of a VolumeSnapshot (the source volume)'),
      req('ec2:CreateSnapshot', snapshot, requestTag, 'CreateSnapshot of a VolumeSnapshot (the snapshot)'),
      req('ec2:CreateTags', volume, { 'ec2:CreateAction': 'CreateVolume' }, 'tags in CreateVolume'),
      req('ec2:CreateTags', snapshot, { 'ec2:CreateAction': 'CreateSnapshot' }, 'tags in CreateSnapshot'),
      req('ec2:DeleteVolume', volume, owned, 'DeleteVolume of a released volume'),
      req('ec2:ModifyVolume', volume, owned, 'ModifyVolume (volume expansion)'),
      req('ec2:DeleteSnapshot', snapshot, owned, 'DeleteSnapshot of a deleted VolumeSnapshot'),
      req('ec2:AttachVolume', volume, owned, 'ControllerPublishVolume (the volume)'),
      req('ec2:DetachVolume', volume, owned, 'ControllerUnpublishVolume (the volume)'),
      req('ec2:AttachVolume', instance, node, 'ControllerPublishVolume (the node)'),
      req('ec2:DetachVolume', instance, node, 'ControllerUnpublishVolume (the node)'),
    ],
    deny: [
      ...podRoleDenies(props),
      {
        action: 'ec2:DeleteVolume',
        resource: volume,
        because: 'a volume it did not create (a node root volume, another workload’s)',
      },
      {
        action: 'ec2:AttachVolume',
        resource: instance,
        context: { ...owned, 'aws:ResourceTag/eks:cluster-name': `${otherPrefix(props.naming)}-eks` },
        because: "another cluster's node (instance of another environment)",
      },
      {
        action: 'ec2:DeleteSnapshot',
        resource: snapshot,
        because: 'a snapshot it did not create (AWS Backup’s, the database’s)',
      },
      {
        action: 'ec2:CreateSnapshot',
        resource: volume,
        context: requestTag,
        because: 'a copy of a volume it does not own (a node root volume, another workload’s)',
      },
      {
        action: 'ec2:CreateVolume',
        resource: snapshot,
        context: requestTag,
        because: 'a volume from a snapshot it does not own (to attach another workload’s data to a node)',
      },
    ],
  };
}

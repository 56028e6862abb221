import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { encryptedLogGroup, type LogSettings } from '../../core/log-group';
import { policyDocument, serviceTrustPolicy } from '../../core/iam';
import type { Naming } from '../../core/naming';
import { declareContract, serviceTrustRequests } from '../../core/role-contract';
import { OwnedSecurityGroup } from '../../core/security-group';

/** Every control-plane log type EKS has: all of them go to the cluster's log group. */
export const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** The EKS access policy for cluster administrators (access entries, not the aws-auth ConfigMap). */
const CLUSTER_ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

export interface EksControlPlaneProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  /** Kubernetes version, validated against rules.ts EKS_VERSIONS. */
  readonly version: string;
  readonly vpcId: string;
  /** Private subnets, one per AZ: the control plane's ENIs and the nodes. */
  readonly subnetIds: string[];
  /**
   * CIDRs that reach the public endpoint; none turns the public endpoint off. Default in the schema:
   * `compute.eks.publicAccessCidrs`.
   */
  readonly publicAccessCidrs: readonly string[];
  /** Envelope encryption of Kubernetes secrets. */
  readonly secretsKmsKeyArn: string;
  readonly logs: LogSettings;
  /**
   * Principals that administer the cluster through access entries: the account's admins from config
   * (`adminPrincipalArns`) only. The pipeline manages no Kubernetes objects and has no access entry;
   * the cluster's creator gets none either (`bootstrapClusterCreatorAdminPermissions: false`).
   */
  readonly adminPrincipalArns: readonly string[];
}

/**
 * The EKS control plane: the cluster with envelope-encrypted secrets, every control-plane log type
 * to `/aws/eks/<name>/cluster` (created here first, so it has our key and retention), a private
 * endpoint and a public one only for config CIDRs, API authentication with access entries.
 */
export class EksControlPlane extends Construct {
  readonly cluster: EksCluster;
  readonly role: IamRole;
  /** The extra group on the control plane's ENIs: nodes reach the API through it. */
  readonly securityGroup: OwnedSecurityGroup;
  readonly name: string;

  constructor(scope: Construct, id: string, props: EksControlPlaneProps) {
    super(scope, id);
    const name = (this.name = props.naming.name('eks'));
    const logGroup = encryptedLogGroup(this, 'LogGroup', `/aws/eks/${name}/cluster`, props.logs);
    this.role = new IamRole(this, 'Role', {
      name: `${name}-cluster`,
      assumeRolePolicy: serviceTrustPolicy('eks.amazonaws.com', props.accountId),
    });
    // AWS maintains what the control plane itself calls (ENIs, load balancer tags).
    const policy = new IamRolePolicyAttachment(this, 'ClusterPolicy', {
      role: this.role.name,
      policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    });
    // Envelope encryption: the control plane wraps Kubernetes secrets with the secrets key (the grant
    // EKS creates at cluster creation is the creator's call, not this role's).
    const envelope = ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:ListGrants'];
    new IamRolePolicy(this, 'SecretsKey', {
      role: this.role.id,
      name: 'secrets-envelope-encryption',
      policy: policyDocument([
        { Sid: 'EnvelopeEncryption', Effect: 'Allow', Action: envelope, Resource: props.secretsKmsKeyArn },
      ]),
    });
    this.declareRoleContract(props, envelope);
    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: `${name}-control-plane`,
      description: `${name} control plane: HTTPS in from the nodes only`,
    });
    const publicCidrs = [...props.publicAccessCidrs];
    this.cluster = new EksCluster(this, 'Cluster', {
      name,
      version: props.version,
      roleArn: this.role.arn,
      vpcConfig: {
        subnetIds: props.subnetIds,
        securityGroupIds: [this.securityGroup.id],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        ...(publicCidrs.length > 0 ? { publicAccessCidrs: publicCidrs } : {}),
      },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: props.secretsKmsKeyArn } },
      enabledClusterLogTypes: EKS_LOG_TYPES,
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      // Add-ons are managed here (eks-addons.ts), not the unmanaged ones EKS would install.
      bootstrapSelfManagedAddons: false,
      upgradePolicy: { supportType: 'STANDARD' },
      dependsOn: [logGroup, policy],
    });
    props.adminPrincipalArns.forEach((arn, i) => this.admin(`Admin${i}`, arn));
  }

  /** The cluster role's contract: the control plane's calls, from AWS's documentation of them. */
  private declareRoleContract(props: EksControlPlaneProps, envelope: string[]): void {
    const { accountId, region } = props;
    const viaEks = { 'kms:ViaService': `eks.${region}.amazonaws.com`, 'kms:CallerAccount': accountId };
    declareContract(this.role, {
      purpose:
        'EKS control plane: cluster networking and load balancers (AWS managed), envelope encryption of Kubernetes secrets',
      managed: [
        {
          name: 'AmazonEKSClusterPolicy',
          version: 'v10',
          reason:
            'AWS maintains what the control plane calls (EKS user guide, "Amazon EKS cluster IAM role")',
        },
      ],
      allow: [
        ...envelope.map((action) => ({
          action,
          resource: props.secretsKmsKeyArn,
          context: viaEks,
          because: `EKS KMS envelope encryption of secrets (EKS user guide, "Encrypt Kubernetes secrets with KMS"; terraform-aws-eks v20 cluster_encryption policy): ${action}`,
        })),
        ...['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs'].map((action) => ({
          action,
          resource: '*',
          because: 'EKS control plane (cloud-controller-manager): AmazonEKSClusterPolicy v10',
        })),
      ],
      deny: [
        {
          action: 'kms:Decrypt',
          resource: `arn:aws:kms:${region}:${accountId}:key/00000000-0000-0000-0000-000000000000`,
          context: viaEks,
          because: 'another key (the data key, another environment’s)',
        },
        {
          action: 'kms:ScheduleKeyDeletion',
          resource: props.secretsKmsKeyArn,
          because: 'keys are kept (workload boundary)',
        },
        {
          action: 'secretsmanager:GetSecretValue',
          resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:rds!cluster-0123-AbCdEf`,
          because: 'the control plane reads no secret (the database master secret)',
        },
        {
          action: 'iam:CreateRole',
          resource: `arn:aws:iam::${accountId}:role/${props.naming.prefix}-escalate`,
          because: 'escalation: creates no role',
        },
        {
          action: 'iam:PassRole',
          resource: `arn:aws:iam::${accountId}:role/${props.naming.prefix}-eks-node`,
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
          because: 'escalation: passes no role',
        },
      ],
      trust: serviceTrustRequests(
        'eks.amazonaws.com',
        accountId,
        'the EKS cluster (role_arn) in this account',
        [
          { principal: 'pods.eks.amazonaws.com', because: 'no pod assumes the cluster role' },
          { principal: 'ec2.amazonaws.com', because: 'no node assumes the cluster role' },
        ],
      ),
    });
  }

  /** An access entry with cluster-admin rights for `principalArn`. */
  private admin(id: string, principalArn: string): void {
    const entry = new EksAccessEntry(this, id, {
      clusterName: this.cluster.name,
      principalArn,
      type: 'STANDARD',
    });
    new EksAccessPolicyAssociation(this, `${id}Policy`, {
      clusterName: this.cluster.name,
      principalArn: entry.principalArn,
      policyArn: CLUSTER_ADMIN_POLICY,
      accessScope: { type: 'cluster' },
    });
  }
}

import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from '../../core/iam';
import { declareContract, type RoleContract, type TrustRequest } from '../../core/role-contract';

/** The service principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';

/** Who a Pod Identity role is for: one service account of one namespace of one cluster. */
export interface PodIdentitySubject {
  readonly accountId: string;
  readonly region: string;
  readonly clusterArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface PodIdentityRoleProps extends PodIdentitySubject {
  /** Full role name, under the environment's prefix. */
  readonly roleName: string;
  readonly clusterName: string;
  readonly statements: readonly PolicyStatement[];
  /**
   * What the role must and must never do (constructs/core/role-contract.ts). The trust half is
   * written here from the subject: this service account may assume it, any other may not.
   */
  readonly contract: Omit<RoleContract, 'trust'>;
  /** Create the association here. Default: true (false for add-ons, whose association the add-on owns). */
  readonly associate?: boolean;
}

/**
 * The trust of a Pod Identity role: only EKS Pod Identity, only for this cluster (aws:SourceArn) and
 * only for pods running as this namespace's service account (the session tags EKS sets).
 */
export function podIdentityTrust(p: PodIdentitySubject): string {
  return policyDocument([
    {
      Sid: 'PodIdentityOfOneServiceAccount',
      Effect: 'Allow',
      Principal: { Service: POD_IDENTITY_PRINCIPAL },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: {
          'aws:SourceAccount': p.accountId,
          'aws:RequestTag/kubernetes-namespace': p.namespace,
          'aws:RequestTag/kubernetes-service-account': p.serviceAccount,
        },
        ArnEquals: { 'aws:SourceArn': p.clusterArn },
      },
    },
  ]);
}

/**
 * The trust half of a Pod Identity role's contract: EKS Pod Identity assumes it (and tags the session)
 * for this service account of this cluster; another service account, namespace or cluster, and any
 * other principal, may not.
 */
export function podIdentityTrustRequests(p: PodIdentitySubject): RoleContract['trust'] {
  const context = {
    'aws:SourceAccount': p.accountId,
    'aws:SourceArn': p.clusterArn,
    'aws:RequestTag/kubernetes-namespace': p.namespace,
    'aws:RequestTag/kubernetes-service-account': p.serviceAccount,
  };
  const because = `eks-pod-identity-agent: AssumeRoleForPodIdentity for ${p.namespace}/${p.serviceAccount} (EKS user guide, "pod identity role trust policy")`;
  const deny: TrustRequest[] = [
    {
      principal: POD_IDENTITY_PRINCIPAL,
      context: { ...context, 'aws:RequestTag/kubernetes-service-account': 'default' },
      because: 'another service account of the namespace (the default one every pod gets)',
    },
    {
      principal: POD_IDENTITY_PRINCIPAL,
      context: { ...context, 'aws:RequestTag/kubernetes-namespace': 'other' },
      because: 'the same service account name in another namespace',
    },
    {
      principal: POD_IDENTITY_PRINCIPAL,
      context: { ...context, 'aws:SourceArn': `arn:aws:eks:${p.region}:${p.accountId}:cluster/another` },
      because: 'a pod of another cluster (confused deputy)',
    },
    { principal: 'ec2.amazonaws.com', because: 'nodes reach no pod role (IMDS gives pods nothing)' },
  ];
  return {
    allow: [
      { principal: POD_IDENTITY_PRINCIPAL, action: 'sts:AssumeRole', context, because },
      { principal: POD_IDENTITY_PRINCIPAL, action: 'sts:TagSession', context, because },
    ],
    deny,
  };
}

/** A role for one Kubernetes service account, through EKS Pod Identity, with its own inline policy. */
export class PodIdentityRole extends Construct {
  readonly role: IamRole;
  readonly association?: EksPodIdentityAssociation;
  /** The role's policies: what must exist before the workload uses it. */
  readonly grants: ITerraformDependable[] = [];
  /** The contract declared on the role (its trust half included). */
  readonly contract: RoleContract;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      assumeRolePolicy: podIdentityTrust(props),
    });
    this.contract = { ...props.contract, trust: podIdentityTrustRequests(props) };
    declareContract(this.role, this.contract);
    if (props.statements.length > 0) {
      this.grants.push(
        new IamRolePolicy(this, 'Policy', {
          role: this.role.id,
          name: 'pod',
          policy: policyDocument(props.statements),
        }),
      );
    }
    if (props.associate ?? true) {
      this.association = new EksPodIdentityAssociation(this, 'Association', {
        clusterName: props.clusterName,
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
        roleArn: this.role.arn,
      });
    }
  }
}

import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from '../../core/iam';

/** The service principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';

export interface PodIdentityRoleProps {
  /** Full role name, under the environment's prefix. */
  readonly roleName: string;
  readonly accountId: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly statements: readonly PolicyStatement[];
  /** Create the association here. Default: true (false for add-ons, whose association the add-on owns). */
  readonly associate?: boolean;
}

/**
 * The trust of a Pod Identity role: only EKS Pod Identity, only for this cluster (aws:SourceArn) and
 * only for pods running as this namespace's service account (the session tags EKS sets).
 */
export function podIdentityTrust(p: {
  accountId: string;
  clusterArn: string;
  namespace: string;
  serviceAccount: string;
}): string {
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

/** A role for one Kubernetes service account, through EKS Pod Identity, with its own inline policy. */
export class PodIdentityRole extends Construct {
  readonly role: IamRole;
  readonly association?: EksPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      assumeRolePolicy: podIdentityTrust(props),
    });
    if (props.statements.length > 0) {
      new IamRolePolicy(this, 'Policy', {
        role: this.role.id,
        name: 'pod',
        policy: policyDocument(props.statements),
      });
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

/**
 * Must-deny requests every Pod Identity role of an EKS environment shares (constructs/core/role-contract.ts):
 * no escalation, no pipeline role, no other environment, and the database master secret only for the
 * database bootstrap. Each role adds its own (its neighbour's resources) beside these.
 */
import { environmentTag, otherEnvironment } from '../../core/contract-requests';
import type { Naming } from '../../core/naming';
import type { ContractRequest } from '../../core/role-contract';

/** The name prefix of an environment that is not this one (core/contract-requests.ts): for must-deny requests. */
export function otherPrefix(naming: Naming): string {
  return otherEnvironment(naming).prefix;
}

export interface PodRoleDenyScope {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  /** The database's master secret; omitted for the one role that reads it (and without a database). */
  readonly masterSecretArn?: string;
}

/** What no pod role may do, whatever its job. */
export function podRoleDenies(s: PodRoleDenyScope): ContractRequest[] {
  const role = (name: string) => `arn:aws:iam::${s.accountId}:role/${name}`;
  const prefix = s.naming.prefix;
  return [
    ...(s.masterSecretArn
      ? [
          {
            action: 'secretsmanager:GetSecretValue',
            resource: s.masterSecretArn,
            because: 'the database master secret: only the database bootstrap reads it',
          },
        ]
      : []),
    {
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:${s.region}:${s.accountId}:secret:${otherPrefix(s.naming)}-app-AbCdEf`,
      context: environmentTag(otherEnvironment(s.naming)),
      because: "another environment's secret",
    },
    {
      action: 'iam:CreateRole',
      resource: role(`${prefix}-escalate`),
      because: 'escalation: no workload creates roles',
    },
    {
      action: 'iam:PutRolePolicy',
      resource: role(`${prefix}-eks-node`),
      because: 'escalation: no workload widens a role',
    },
    {
      action: 'iam:PassRole',
      resource: role(`${prefix}-eks-node`),
      context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      because: 'escalation: passes no role (the node role to an instance of its own)',
    },
    {
      action: 'sts:AssumeRole',
      resource: role(`${prefix}-github-apply`),
      because: "the pipeline's apply role",
    },
  ];
}

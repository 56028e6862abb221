/**
 * Requests every role contract shares (constructs/core/role-contract.ts): another environment to
 * name the resources a role must never reach, and the escalations no workload may make.
 */
import { Naming, pipelineRoleNames } from './naming';
import type { ContractRequest } from './role-contract';

/**
 * The naming of another environment of the project in the same account: `<env>2` (`webplat-dev2-*`
 * from dev), outside the environment's own prefix, so a grant written as a prefix wildcard
 * (`webplat-dev*`) would be caught by the must-deny it names. Account-level stacks get `other`.
 */
export function otherEnvironment(naming: Naming): Naming {
  const own = naming.props.environment;
  return new Naming({ ...naming.props, environment: own ? `${own}2` : 'other' });
}

/** The `aws:ResourceTag/Environment` a resource of `other` carries (provider default tags). */
export function environmentTag(other: Naming): Record<string, string> {
  return { 'aws:ResourceTag/Environment': other.props.environment ?? '' };
}

/**
 * No workload creates a role, passes or assumes its environment's apply role. (An account-level
 * role's denies of the account's pipeline roles are the common ones every baseline role is checked
 * against: scripts/contracts/stacks.ts.)
 */
export function escalationDenials(naming: Naming): ContractRequest[] {
  const { accountId, project, environment } = naming.props;
  const role = (name: string) => `arn:aws:iam::${accountId}:role/${name}`;
  const createRole: ContractRequest = {
    action: 'iam:CreateRole',
    resource: role(naming.name('escalated')),
    because: 'escalation: no workload changes IAM',
  };
  if (!environment) return [createRole];
  const apply = role(pipelineRoleNames.apply(project, environment));
  return [
    createRole,
    {
      action: 'iam:PassRole',
      resource: apply,
      because: "escalation: the pipeline's apply role is passed to nothing",
    },
    { action: 'sts:AssumeRole', resource: apply, because: "escalation: the pipeline's apply role" },
  ];
}

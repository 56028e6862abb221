/**
 * The IAM an apply role manages (its roles and instance profiles, under their boundary) and the
 * escalations it must never make with it.
 */
import type { ContractRequest } from '../../core/role-contract';
import { PROFILE_READS, ROLE_READS } from '../pipeline-policies';
import { iamArn } from '../statements';
import { allow, at, type ContractScope, deny, NOWHERE, role } from './common';

/** What an apply role manages besides its state: the roles and instance profiles, and the boundary they carry. */
export interface ApplyIam {
  /**
   * Roles of its own it creates (for a name pattern an example, `<prefix>-backend-task`; for a fixed
   * set every one), each with the services it is passed to and the Terraform type that passes it.
   */
  readonly roles: ReadonlyArray<{ readonly name: string; readonly passes: Readonly<Record<string, string>> }>;
  readonly boundaryArn: string;
  /** An instance profile of its own, if it creates profiles. */
  readonly profileName?: string;
}

/** The IAM must-allows of one managed set of roles (applyIamStatements in pipeline-policies.ts). */
export function iamAllows(s: ContractScope, m: ApplyIam): ContractRequest[] {
  const apply = (what: string) => at('apply', `terraform apply: ${what}`);
  const bounded = { 'iam:PermissionsBoundary': m.boundaryArn };
  const profile = m.profileName ? iamArn(s.accountId, 'instance-profile', m.profileName) : undefined;
  const ofRole = (name: string, passes: Readonly<Record<string, string>>) => {
    const target = role(s, name);
    return [
      ...ROLE_READS.map((a) =>
        allow(a, target, apply(`refresh of aws_iam_role / aws_iam_role_policy(_attachment) (${a})`)),
      ),
      allow('iam:CreateRole', target, apply('aws_iam_role create (permissions_boundary)'), bounded),
      allow(
        'iam:PutRolePermissionsBoundary',
        target,
        apply('aws_iam_role permissions_boundary change'),
        bounded,
      ),
      allow('iam:AttachRolePolicy', target, apply('aws_iam_role_policy_attachment create'), bounded),
      allow('iam:DetachRolePolicy', target, apply('aws_iam_role_policy_attachment destroy'), bounded),
      allow('iam:PutRolePolicy', target, apply('aws_iam_role_policy create/update'), bounded),
      allow('iam:DeleteRolePolicy', target, apply('aws_iam_role_policy destroy'), bounded),
      allow('iam:DeleteRole', target, apply('aws_iam_role destroy')),
      allow('iam:TagRole', target, apply('aws_iam_role tags (default_tags)')),
      allow('iam:UntagRole', target, apply('aws_iam_role tag removal')),
      allow('iam:UpdateRole', target, apply('aws_iam_role max_session_duration change')),
      allow('iam:UpdateRoleDescription', target, apply('aws_iam_role description change')),
      allow('iam:UpdateAssumeRolePolicy', target, apply('aws_iam_role assume_role_policy change')),
      ...Object.entries(passes).map(([service, type]) =>
        allow('iam:PassRole', target, apply(`${type} (the service checks iam:PassRole)`), {
          'iam:PassedToService': service,
        }),
      ),
    ];
  };
  return [
    ...m.roles.flatMap((r) => ofRole(r.name, r.passes)),
    ...(profile
      ? [
          ...PROFILE_READS.map((a) => allow(a, profile, apply('refresh of aws_iam_instance_profile'))),
          allow('iam:CreateInstanceProfile', profile, apply('aws_iam_instance_profile create')),
          allow('iam:DeleteInstanceProfile', profile, apply('aws_iam_instance_profile destroy')),
          allow('iam:AddRoleToInstanceProfile', profile, apply('aws_iam_instance_profile role')),
          allow(
            'iam:RemoveRoleFromInstanceProfile',
            profile,
            apply('aws_iam_instance_profile role change, aws_iam_role destroy'),
          ),
          allow('iam:TagInstanceProfile', profile, apply('aws_iam_instance_profile tags (default_tags)')),
          allow('iam:UntagInstanceProfile', profile, apply('aws_iam_instance_profile tag removal')),
        ]
      : []),
  ];
}

/** The escalations an apply role must never make with the IAM it holds. */
export function iamDenies(s: ContractScope, m: ApplyIam, outside: readonly string[]): ContractRequest[] {
  const target = role(s, m.roles[0].name);
  const pipeline = role(s, `${s.project}-${NOWHERE}-github-apply`);
  return [
    deny('iam:CreateRole', target, 'a role without its boundary would escape the fence'),
    deny('iam:CreateRole', target, 'nor under the pipeline boundary', {
      'iam:PermissionsBoundary': s.pipelineBoundaryArn,
    }),
    deny('iam:DeleteRolePermissionsBoundary', target, 'boundaries stay'),
    ...outside.map((name) =>
      deny('iam:CreateRole', role(s, name), 'a role outside its own names', {
        'iam:PermissionsBoundary': m.boundaryArn,
      }),
    ),
    ...outside.map((name) =>
      deny('iam:PassRole', role(s, name), 'passes only its own roles', {
        'iam:PassedToService': 'ecs-tasks.amazonaws.com',
      }),
    ),
    deny('iam:PassRole', target, 'only to the services its roles serve', {
      'iam:PassedToService': 'sagemaker.amazonaws.com',
    }),
    deny('sts:AssumeRole', pipeline, 'no role chaining into a pipeline role'),
    deny('iam:CreateUser', iamArn(s.accountId, 'user', 'ci'), 'no IAM users or keys'),
    deny('iam:CreateAccessKey', iamArn(s.accountId, 'user', 'ci'), 'no IAM users or keys'),
  ];
}

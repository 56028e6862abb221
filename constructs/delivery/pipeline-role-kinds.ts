/**
 * The builders the GitHub pipeline's environment and account roles share (github-oidc.ts): a state
 * access for some keys, the plan role and the apply role. Every resource is created in the pipeline
 * construct `p`, under the ids it always had (their Terraform addresses are pinned).
 */
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { waiveGuardrail } from '../core/guardrails';
import type { GitHubPipeline } from './github-oidc';
import {
  applyIamStatements,
  environmentFenceStatements,
  type ManagedRoles,
  planDataDenyStatements,
  planFenceStatements,
  type StateAccess,
  stateReadStatements,
  stateWriteStatements,
} from './pipeline-policies';
import type { GitHubClaims } from './trust';

/** The pipeline's state (and replica, if any) for the state files `keys`. */
export function stateAccess(p: GitHubPipeline, keys: readonly string[]): StateAccess {
  const { state } = p.props;
  return {
    bucketArn: state.bucketArn,
    lockTableArn: state.lockTableArn,
    kmsKeyArn: state.kmsKeyArn,
    region: state.region,
    bucket: state.bucket,
    keys,
    lockfile: state.lockfile,
    ...(p.stateReplica ? { replica: p.stateReplica } : {}),
  };
}

/**
 * Plan: ReadOnlyAccess minus data reads, fenced to its `tag` as its apply role is (`exempt`: the
 * account-tagged state resources an environment's plan role reads), plus its own state read (no lock).
 */
export function planRole(
  p: GitHubPipeline,
  key: string,
  name: string,
  state: StateAccess,
  claims: GitHubClaims,
  fence: { readonly tag: string; readonly exempt: readonly string[] },
): IamRole {
  const role = p.role(key, name, claims, 3600);
  new IamRolePolicyAttachment(p, `${key}ReadOnly`, {
    role: role.name,
    policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  });
  p.inline(role, `${key}State`, 'terraform-state', stateReadStatements(state));
  p.inline(role, `${key}NoData`, 'no-data-reads', [
    ...planDataDenyStatements(state),
    ...planFenceStatements(fence.tag, fence.exempt),
  ]);
  return role;
}

/** Apply: PowerUserAccess fenced to one environment, IAM only for its bounded roles, its own state. */
export function applyRole(
  p: GitHubPipeline,
  key: string,
  name: string,
  state: StateAccess,
  fence: Parameters<typeof environmentFenceStatements>[0],
  claims: GitHubClaims,
  managed: ManagedRoles[],
): IamRole {
  const role = p.role(key, name, claims, 7200);
  // Exception (docs/architecture.md): Terraform applies everything the stacks hold. PowerUserAccess
  // (all but IAM and Organizations) under the pipeline boundary, which caps it to the stacks' services.
  const powerUser = new IamRolePolicyAttachment(p, `${key}PowerUser`, {
    role: role.name,
    policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
  });
  waiveGuardrail(
    powerUser,
    'iam-wildcard',
    'Terraform apply role: PowerUserAccess under the pipeline boundary',
  );
  managed.forEach((m, i) => {
    const suffix = i === 0 ? '' : `${i + 1}`;
    p.inline(role, `${key}Iam${suffix}`, `manage-iam-roles${suffix}`, applyIamStatements(m));
  });
  p.inline(role, `${key}State`, 'terraform-state', stateWriteStatements(state));
  p.inline(role, `${key}Fence`, 'environment-fence', environmentFenceStatements(fence));
  return role;
}

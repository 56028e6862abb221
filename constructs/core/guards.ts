/**
 * Stack-wide guardrails, applied by one pass over the whole stack when it is synthesized (an aspect
 * on the stack that acts when it visits the stack itself: at that point every construct exists,
 * including ones a later construct or a test added, and the pass adds no constructs of its own).
 *
 * - every `aws_iam_role` carries the workload permissions boundary;
 * - every role name starts with the stack's name prefix (the apply roles may create only those);
 * - in production, every stateful resource (`STATEFUL_TYPES`) has `prevent_destroy`, unless a
 *   `prevent-destroy` waiver names it with a reason; a waiver naming no resource is an error;
 * - the policy guardrails (guardrails.ts) judge the synthesized stack, with the same waivers.
 */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Aspects, TerraformResource, Token, type TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { EnvironmentConfigError, type ConfigIssue } from '../../environments/schema/errors';
import type { Waiver } from '../../environments/schema/guards';
import type { StableAddressStack } from './addresses';
import { applyGuardrails } from './guardrails';
import { STATEFUL_TYPES } from './stateful';

export interface StackGuards {
  /** ARN of the workload permissions boundary every role must carry. */
  readonly boundaryArn: string;
  /** Every role name must start with this (`<project>-<env>-`). Default: not checked. */
  readonly roleNamePrefix?: string;
  /** `prevent_destroy` on stateful resources (production). Default: false. */
  readonly preventDestroy?: boolean;
  /** Waivers from config (`guards.waivers`), for this pass and the guardrails. */
  readonly waivers?: readonly Waiver[];
}

/** Registers the guardrail pass on `stack`. */
export function applyStackGuards(stack: StableAddressStack, guards: StackGuards): void {
  Aspects.of(stack).add({
    visit(node: IConstruct) {
      if (node === stack) guardStack(stack, guards);
    },
  });
  applyGuardrails(stack, { production: guards.preventDestroy, waivers: guards.waivers });
}

/** The pass itself: sets what is missing, throws on what it cannot fix. */
export function guardStack(stack: TerraformStack, guards: StackGuards): void {
  const all = stack.node.findAll();
  const problems: string[] = [];
  for (const c of all) {
    if (!(c instanceof IamRole)) continue;
    c.permissionsBoundary = guards.boundaryArn;
    const name = c.nameInput;
    if (
      guards.roleNamePrefix &&
      (!name || Token.isUnresolved(name) || !name.startsWith(guards.roleNamePrefix))
    )
      problems.push(
        `${c.node.path}: role name ${name ?? '(unset)'} must start with ${guards.roleNamePrefix}`,
      );
  }
  if (problems.length > 0) throw new Error(`Role naming:\n  ${problems.join('\n  ')}`);
  if (guards.preventDestroy) preventDestroy(stack, all, guards.waivers ?? []);
}

function preventDestroy(stack: TerraformStack, all: IConstruct[], waivers: readonly Waiver[]): void {
  const stateful = all.filter(
    (c): c is TerraformResource =>
      TerraformResource.isTerraformResource(c) &&
      (STATEFUL_TYPES as readonly string[]).includes(c.terraformResourceType),
  );
  const used = new Set<number>();
  for (const r of stateful) {
    const path = relativePath(stack, r);
    const address = `${r.terraformResourceType}.${stack.getLogicalId(r)}`;
    const waived = waivers.findIndex(
      (w) => w.rule === 'prevent-destroy' && (w.resource === path || w.resource === address),
    );
    if (waived >= 0) {
      used.add(waived);
      continue;
    }
    r.lifecycle = { ...r.lifecycle, preventDestroy: true };
  }
  const issues: ConfigIssue[] = waivers
    .map((w, i) => ({ w, i }))
    .filter(({ w, i }) => w.rule === 'prevent-destroy' && !used.has(i))
    .map(({ w, i }) => ({
      path: `guards.waivers[${i}].resource`,
      message: `${w.resource} is no stateful resource of ${stack.node.id} (construct path or Terraform address)`,
    }));
  if (issues.length > 0) throw new EnvironmentConfigError(`guards of ${stack.node.id}`, issues);
}

/** `Data/Database/Instance`: the construct path below the stack. */
function relativePath(stack: TerraformStack, c: IConstruct): string {
  return c.node.path.slice(stack.node.path.length + 1);
}

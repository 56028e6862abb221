/**
 * What a guardrail rule judges (the synthesized stack, resource by resource) and how most rules are
 * built: a table from resource type to a check (guardrail-rules.ts holds the rules).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
import type { GuardRule } from '../../environments/schema/guards';

export interface TfResource {
  readonly type: string;
  readonly id: string;
  /** `aws_db_instance.Database_Instance_02E622FB` */
  readonly address: string;
  /** Construct path below the stack: `Data/Database/Instance`. */
  readonly path: string;
  readonly body: any;
}

export interface StackView {
  readonly production: boolean;
  readonly resources: readonly TfResource[];
  readonly providers: Record<string, any[]>;
  ofType(type: string): readonly TfResource[];
  /** True when a resource of `type` refers to `target` in `attribute` (`bucket`, `vpc_id`, ...). */
  referencing(target: TfResource, type: string, attribute: string): boolean;
}

export type Check = (body: any, r: TfResource, stack: StackView) => string | undefined;
export interface GuardrailRule {
  readonly id: GuardRule;
  readonly title: string;
  /** Judges production stacks only (a waiver in code elsewhere has nothing to waive). */
  readonly productionOnly?: boolean;
  check(stack: StackView): Array<{ rule: GuardRule; path: string; address: string; why: string }>;
}

/** Production stacks (`when` of the rules that judge only them). */
export const production = (s: StackView) => s.production;

/** A rule from its per-type table; `when` limits it to some stacks (production). */
export function tableRule(
  id: GuardRule,
  title: string,
  table: Record<string, Check>,
  when: (s: StackView) => boolean = () => true,
): GuardrailRule {
  return {
    id,
    title,
    productionOnly: when === production,
    check(stack) {
      if (!when(stack)) return [];
      return Object.entries(table).flatMap(([type, check]) =>
        stack.ofType(type).flatMap((r) => {
          const why = check(r.body, r, stack);
          return why ? [{ rule: id, path: r.path, address: r.address, why }] : [];
        }),
      );
    },
  };
}

/**
 * Policy guardrails at synthesis (checkov / cdk-nag in the build): one pass over each stack's
 * synthesized Terraform JSON, so constructs added late, by any layer or test, are seen as Terraform
 * will see them. The rules (guardrail-rules.ts) are tables keyed by resource type: a type no table
 * names is not judged. Every finding is collected before synthesis stops, each with its rule, the
 * resource's construct path and address, and why.
 *
 * A waiver has the one format of `guards.waivers` (environments/schema/guards.ts): rule, resource
 * (construct path below the stack or Terraform address) and reason; config waivers come from the
 * environment, code waivers from `waiveGuardrail`. A waiver without a reason or naming no resource
 * of the stack is an error. Waivers in use are recorded per stack (`guardrailResults`), printed by
 * the app after synthesis and written to cdktf.out/guardrails.json; findings and waivers are also
 * written as SARIF (stacks/guardrail-sarif.ts), on a failed synthesis too.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
import { TerraformStack, type App } from 'cdktf';
import type { IConstruct } from 'constructs';
import { EnvironmentConfigError, toIssues, type ConfigIssue } from '../../environments/schema/errors';
import { waiverSchema, type GuardRule, type Waiver } from '../../environments/schema/guards';
import { GUARDRAIL_RULES, type StackView, type TfResource } from './guardrail-rules';
import type { StableAddressStack } from './addresses';

export interface GuardrailOptions {
  /** Production tier: deletion protection and `prevent_destroy` are required. Default: false. */
  readonly production?: boolean;
  /** Waivers from config (`guards.waivers`), reported by their config path. Default: none. */
  readonly waivers?: readonly Waiver[];
}

export interface GuardrailFinding {
  readonly rule: GuardRule;
  /** Construct path below the stack, e.g. `Data/Database/Instance` (`provider.aws` for providers). */
  readonly path: string;
  readonly address: string;
  readonly why: string;
}

export interface AppliedWaiver extends Waiver {
  /** `guards.waivers[2]` for config waivers, `code` for waivers set by a construct. */
  readonly source: string;
  /** What the rule would have reported. */
  readonly findings: readonly string[];
}

export interface GuardrailResult {
  readonly stack: string;
  readonly waived: readonly AppliedWaiver[];
}

/** A guardrail violation: every finding, one line each. */
export class GuardrailViolation extends EnvironmentConfigError {
  readonly stack: string;
  readonly findings: readonly GuardrailFinding[];
  /** The stack's waivers that did apply (its findings lifted), for the SARIF report of a failed synthesis. */
  readonly waived: readonly AppliedWaiver[];
  constructor(stack: string, findings: readonly GuardrailFinding[], waived: readonly AppliedWaiver[] = []) {
    super(
      `guardrails of ${stack}`,
      findings.map((f) => ({ path: `[${f.rule}] ${f.path} (${f.address})`, message: f.why })),
    );
    this.name = 'GuardrailViolation';
    const lines = this.message.split('\n').slice(1);
    this.message = `Guardrails of ${stack}: ${findings.length} finding${findings.length === 1 ? '' : 's'} (a waiver in guards.waivers names rule, resource and reason):\n${lines.join('\n')}`;
    this.stack = stack;
    this.findings = findings;
    this.waived = waived;
  }
}

/** The findings each applied waiver lifted, kept beside the report (guardrails.json lists their `why` only). */
const lifted = new WeakMap<AppliedWaiver, GuardrailFinding[]>();

/** The findings `waiver` lifted in its stack's last synthesis (rule, path, address, why). */
export function waivedFindingsOf(waiver: AppliedWaiver): readonly GuardrailFinding[] {
  return lifted.get(waiver) ?? [];
}

interface StackState {
  applied: boolean;
  options: GuardrailOptions;
  codeWaivers: Waiver[];
  result?: GuardrailResult;
}
const states = new WeakMap<TerraformStack, StackState>();

/** Checks `stack` against the guardrails every time it is synthesized. */
export function applyGuardrails(stack: StableAddressStack, options: GuardrailOptions = {}): void {
  const state = stateOf(stack);
  if (state.applied) throw new Error(`${stack.node.id}: guardrails applied twice`);
  Object.assign(state, { applied: true, options });
  stack.addSynthesisCheck((tf) => checkGuardrails(stack, tf));
}

function stateOf(stack: TerraformStack): StackState {
  const state = states.get(stack) ?? { applied: false, options: {}, codeWaivers: [] };
  states.set(stack, state);
  return state;
}

/**
 * A waiver in code, for `resource` (a construct of the stack), parsed like a config waiver; kept
 * for when the stack's guardrails run (a stack without guardrails ignores it).
 */
export function waiveGuardrail(resource: IConstruct, rule: GuardRule, reason: string): void {
  const stack = TerraformStack.of(resource);
  const state = stateOf(stack);
  const waiver = { rule, resource: resource.node.path.slice(stack.node.path.length + 1), reason };
  const parsed = waiverSchema.safeParse(waiver);
  if (!parsed.success)
    throw new EnvironmentConfigError(`guardrail waiver of ${waiver.resource}`, toIssues(parsed.error));
  state.codeWaivers.push(parsed.data);
}

/** The result of the stack's last synthesis (undefined before). */
export function guardrailResultOf(stack: TerraformStack): GuardrailResult | undefined {
  return states.get(stack)?.result;
}

/** The last result of each guarded stack of `app` (stacks never synthesized are left out). */
export function guardrailResults(app: App): GuardrailResult[] {
  return app.node.children.flatMap((c) => {
    const state = states.get(c as TerraformStack);
    return state?.applied && state.result ? [state.result] : [];
  });
}

/** The pass: every rule over the stack's JSON, waivers applied, all findings or none. */
export function checkGuardrails(stack: TerraformStack, tf: any): GuardrailResult {
  const state = stateOf(stack);
  const view = stackView(stack, tf, state.options.production ?? false);
  const findings = GUARDRAIL_RULES.flatMap((rule) => rule.check(view));
  // A construct waives a production-only rule wherever it is built: outside production it is moot.
  const moot = new Set(GUARDRAIL_RULES.filter((r) => r.productionOnly && !view.production).map((r) => r.id));
  const waivers = [
    ...(state.options.waivers ?? []).map((w, i) => ({ ...w, source: `guards.waivers[${i}]` })),
    ...state.codeWaivers.filter((w) => !moot.has(w.rule)).map((w) => ({ ...w, source: 'code' })),
  ];
  const applied = waivers.map((w) => ({ ...w, findings: [] as string[] }));
  for (const a of applied) lifted.set(a, []);
  const open = findings.filter((f) => {
    const w = applied.find((a) => a.rule === f.rule && (a.resource === f.path || a.resource === f.address));
    w?.findings.push(f.why);
    if (w) lifted.get(w)!.push(f);
    return !w;
  });
  const known = new Set(view.resources.flatMap((r) => [r.path, r.address]));
  const unknown: ConfigIssue[] = waivers
    .filter((w) => !known.has(w.resource))
    .map((w) => ({
      path: `${w.source}.resource`,
      message: `${w.resource} is no resource of ${stack.node.id} (construct path or Terraform address)`,
    }));
  if (unknown.length > 0) throw new EnvironmentConfigError(`guardrail waivers of ${stack.node.id}`, unknown);
  if (open.length > 0) throw new GuardrailViolation(stack.node.id, open, applied);
  const result = { stack: stack.node.id, waived: applied };
  state.result = result;
  return result;
}

function stackView(stack: TerraformStack, tf: any, production: boolean): StackView {
  const prefix = `${stack.node.path}/`;
  const resources: TfResource[] = [];
  for (const [type, byId] of Object.entries<Record<string, any>>(tf.resource ?? {})) {
    for (const [id, body] of Object.entries(byId)) {
      const full: string = body['//']?.metadata?.path ?? id;
      const path = full.startsWith(prefix) ? full.slice(prefix.length) : full;
      resources.push({ type, id, address: `${type}.${id}`, path, body });
    }
  }
  const byType = new Map<string, TfResource[]>();
  for (const r of resources) {
    const same = byType.get(r.type);
    if (same) same.push(r);
    else byType.set(r.type, [r]);
  }
  return {
    production,
    resources,
    providers: tf.provider ?? {},
    ofType: (type) => byType.get(type) ?? [],
    referencing: (target, type, attribute) =>
      (byType.get(type) ?? []).some((r) => {
        const value = r.body[attribute];
        const values: unknown[] = Array.isArray(value) ? value : [value];
        return values.some((v) => typeof v === 'string' && v.includes(`\${${target.address}.`));
      }),
  };
}

/** The report the app prints and writes: waivers in use, per stack. */
export function guardrailReport(results: readonly GuardrailResult[]): { text: string; json: unknown } {
  const lines = results
    .filter((r) => r.waived.length > 0)
    .map((r) => {
      const byRule = new Map<string, number>();
      for (const w of r.waived) byRule.set(w.rule, (byRule.get(w.rule) ?? 0) + 1);
      const idle = r.waived.filter((w) => w.findings.length === 0);
      const rules = [...byRule].map(([rule, n]) => `${rule} ${n}`).join(', ');
      return (
        `Guardrails waived in ${r.stack}: ${r.waived.length} (${rules})` +
        (idle.length > 0
          ? `; waiving nothing now: ${idle.map((w) => `[${w.rule}] ${w.resource}`).join(', ')}`
          : '') +
        ' (guardrails.json lists each with its reason)'
      );
    });
  return {
    text: lines.join('\n'),
    json: { rules: GUARDRAIL_RULES.map((r) => ({ id: r.id, title: r.title })), stacks: results },
  };
}

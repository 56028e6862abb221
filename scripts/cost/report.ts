/**
 * The cost report over a synthesized output directory: per environment (its platform stack) and per
 * account (state and baseline stacks), as a table, JSON, or a pull-request delta against a base.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '../../environments/registry';
import { baselineStackId, platformStackId, referenceStackId, stateStackId } from '../../stacks/stack-ids';
import { estimateStack, type CostLine, type StackEstimate } from './estimate';
import { PRICE_TABLE_VERSION, PRICES_AS_OF } from './prices';

export interface CostReport {
  readonly priceTable: { readonly version: string; readonly asOf: string };
  /** `dev`, `staging`, `prod`, `account main`: estimate of the stacks of each. */
  readonly groups: Readonly<Record<string, StackEstimate & { readonly stacks: readonly string[] }>>;
}

/** What each report group is made of: environments first, then the reference configurations and the account stacks. */
export function reportGroups(registry: Registry): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const env of Object.keys(registry.environments)) groups[env] = [platformStackId(env)];
  for (const ref of Object.keys(registry.references)) groups[`reference ${ref}`] = [referenceStackId(ref)];
  for (const slug of Object.keys(registry.accounts))
    groups[`account ${slug}`] = [stateStackId(slug), baselineStackId(slug)];
  return groups;
}

/** Estimates every group from `outDir` (cdktf.out); a stack not synthesized there is left out. */
export function costReport(outDir: string, groups: Record<string, string[]>): CostReport {
  const result: Record<string, StackEstimate & { stacks: string[] }> = {};
  for (const [group, stacks] of Object.entries(groups)) {
    const present = stacks.filter((s) => existsSync(stackFile(outDir, s)));
    if (present.length === 0) continue;
    const parts = present.map((s) => estimateStack(JSON.parse(readFileSync(stackFile(outDir, s), 'utf8'))));
    result[group] = { ...merge(parts), stacks: present };
  }
  return { priceTable: { version: PRICE_TABLE_VERSION, asOf: PRICES_AS_OF }, groups: result };
}

const stackFile = (outDir: string, stack: string) => join(outDir, 'stacks', stack, 'cdk.tf.json');
const usd = (n: number) => `$${n.toFixed(2)}`;
/** Unit prices keep their significant digits: $0.0042/hour. */
const unitUsd = (n: number) => {
  const text = String(Number(n.toPrecision(3)));
  const decimals = text.split('.')[1]?.length ?? 0;
  return `$${decimals < 2 ? n.toFixed(2) : text}`;
};

function merge(parts: StackEstimate[]): StackEstimate {
  const fixed: CostLine[] = [];
  for (const l of parts.flatMap((p) => p.fixed)) {
    const i = fixed.findIndex((f) => f.item === l.item && f.unit === l.unit && f.unitPrice === l.unitPrice);
    if (i < 0) fixed.push(l);
    else fixed[i] = { ...l, quantity: fixed[i].quantity + l.quantity, monthly: fixed[i].monthly + l.monthly };
  }
  return {
    fixed,
    fixedMonthly: Math.round(fixed.reduce((s, l) => s + l.monthly, 0) * 100) / 100,
    usage: Object.assign({}, ...parts.map((p) => p.usage)),
    unpriced: parts.flatMap((p) => p.unpriced),
    ...(parts.find((p) => p.recovery) ? { recovery: parts.find((p) => p.recovery)!.recovery } : {}),
  };
}

/** One table per group: fixed lines, the fixed total, then the usage-priced lines. */
export function formatReport(report: CostReport): string {
  const out = [
    `Monthly estimate (price table ${report.priceTable.version}, prices of ${report.priceTable.asOf}, 730 h)`,
  ];
  for (const [group, e] of Object.entries(report.groups)) {
    out.push('', `== ${group} (${e.stacks.join(', ')}) ==`);
    const width = Math.max(...e.fixed.map((l) => l.item.length), 10);
    for (const l of e.fixed)
      out.push(
        `  ${l.item.padEnd(width)}  ${String(Math.round(l.quantity * 100) / 100).padStart(6)} x ${`${unitUsd(l.unitPrice)}/${l.unit}`.padEnd(16)} ${usd(l.monthly).padStart(10)}`,
      );
    out.push(
      `  ${'Fixed total'.padEnd(width)}  ${''.padStart(6)}   ${''.padEnd(16)} ${usd(e.fixedMonthly).padStart(10)}`,
    );
    const usage = Object.entries(e.usage);
    if (usage.length > 0)
      out.push('  plus usage:', ...usage.map(([name, price]) => `    ${name}: $${price}`));
    if (e.recovery) {
      const r = e.recovery;
      out.push(
        `  recovery share (${r.region}, recovery.strategy 'backup-restore'): ${usd(r.fixedMonthly)} fixed, included above`,
        ...r.fixed.map((l) => `    ${l.item}: ${usd(l.monthly)}`),
        '    plus usage:',
        ...Object.entries(r.usage).map(([name, price]) => `      ${name}: $${price}`),
      );
    }
    if (e.unpriced.length > 0)
      out.push(`  not priced (add to scripts/cost/prices.ts): ${e.unpriced.join(', ')}`);
  }
  return out.join('\n');
}

/** The pull-request comment section for one group: totals of base and head and the changed lines. */
export function formatDelta(base: CostReport, head: CostReport, group: string): string {
  const b = base.groups[group];
  const h = head.groups[group];
  const before = b?.fixedMonthly ?? 0;
  const after = h?.fixedMonthly ?? 0;
  const delta = Math.round((after - before) * 100) / 100;
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  const lines = [
    `**Estimated fixed cost \`${group}\`:** ${usd(before)} → ${usd(after)} a month (${sign}${usd(Math.abs(delta))}; usage-priced lines apart, price table ${head.priceTable.version})`,
  ];
  const byItem = (e: StackEstimate | undefined) => {
    const m = new Map<string, number>();
    for (const l of e?.fixed ?? []) m.set(l.item, (m.get(l.item) ?? 0) + l.monthly);
    return m;
  };
  const [mb, mh] = [byItem(b), byItem(h)];
  const changed = [...new Set([...mb.keys(), ...mh.keys()])]
    .map((item) => [item, mb.get(item) ?? 0, mh.get(item) ?? 0] as const)
    .filter(([, x, y]) => Math.abs(x - y) >= 0.005);
  if (changed.length > 0) {
    lines.push('', '| line | base | head |', '| --- | ---: | ---: |');
    for (const [item, x, y] of changed) lines.push(`| ${item} | ${usd(x)} | ${usd(y)} |`);
  }
  return lines.join('\n');
}

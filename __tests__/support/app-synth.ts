/**
 * The stacks the app synthesizes, as `cdktf synth` wrote them in this test run (the global setup runs
 * the app once: support/global-setup.js). Tests about the registry's own stacks read these; tests
 * that change a config build their stacks (fixtures.ts). __tests__/house/synth-bundle.spec.ts proves the
 * two agree, stack for stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../../environments';
import { baselineStackId, platformStackId, stateStackId } from '../../stacks/stack-ids';
import { withoutMetadata, wrap, type Synthesized } from './synthesized';

const read = new Map<string, Synthesized>();

function synthDir(): string {
  const dir = process.env.PLATFORM_APP_SYNTH;
  if (dir) return dir;
  const log = process.env.PLATFORM_APP_SYNTH_LOG;
  throw new Error(
    `the app did not synthesize in the global setup:\n${log && existsSync(log) ? readFileSync(log, 'utf8') : '(no log)'}`,
  );
}

/** One synthesized stack by id (`platform-dev`), normalized as `synth()` returns it. */
export function appStack(id: string): Synthesized {
  const hit = read.get(id);
  if (hit) return hit;
  const file = join(synthDir(), 'stacks', id, 'cdk.tf.json');
  if (!existsSync(file)) throw new Error(`the app synthesized no stack ${id}`);
  const out = wrap(withoutMetadata(JSON.parse(readFileSync(file, 'utf8'))));
  read.set(id, out);
  return out;
}

/** The directory the app wrote a stack to (`cdk.tf.json` and its assets), for terraform to read. */
export function appStackDir(id: string): string {
  const dir = join(synthDir(), 'stacks', id);
  if (!existsSync(join(dir, 'cdk.tf.json'))) throw new Error(`the app synthesized no stack ${id}`);
  return dir;
}

/** The ids of every stack the app synthesized (its manifest). */
export function appStackIds(): string[] {
  return Object.keys(JSON.parse(readFileSync(join(synthDir(), 'manifest.json'), 'utf8')).stacks);
}

/** The guardrail report the app wrote beside its stacks (`guardrails.json`). */
export function appGuardrailReport(): {
  stacks: Array<{ stack: string; waived: Array<{ resource: string; findings: unknown[] }> }>;
} {
  return JSON.parse(readFileSync(join(synthDir(), 'guardrails.json'), 'utf8'));
}

/** The same report as SARIF 2.1.0 (`guardrails.sarif`, stacks/guardrail-sarif.ts). */
export function appGuardrailSarif(): unknown {
  return JSON.parse(readFileSync(join(synthDir(), 'guardrails.sarif'), 'utf8'));
}

const byKey = <T>(keys: string[], f: (key: string) => T): Record<string, T> =>
  Object.fromEntries(keys.map((k) => [k, f(k)]));

/** Every stack of the registry: per account its state and baseline stack, per environment its platform. */
export function appStacks(): {
  readonly state: Record<string, Synthesized>;
  readonly baseline: Record<string, Synthesized>;
  readonly platform: Record<string, Synthesized>;
} {
  const accounts = Object.keys(registry.accounts);
  return {
    state: byKey(accounts, (a) => appStack(stateStackId(a))),
    baseline: byKey(accounts, (a) => appStack(baselineStackId(a))),
    platform: byKey(Object.keys(registry.environments), (e) => appStack(platformStackId(e))),
  };
}

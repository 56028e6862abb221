/**
 * The app's own synthesis (scripts/run.js: the bundle, with its string fast path, and stacks that skip
 * cdktf's cross-stack preparing pass) writes exactly what cdktf's unmodified code path produces, for
 * every stack of the registry — and so other tests may read it (support/app-synth.ts), including as
 * an environment synthesized on its own (fixtures.ts synthPlatform).
 */
import { Lazy, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { readFileSync } from 'node:fs';
import { types } from 'node:util';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { EDITED_FILES } = require('../scripts/bundle-edits') as {
  EDITED_FILES: Array<{ edits: Array<{ probe: string }> }>;
};
import { environmentInputs, registry } from '../environments';
import { appStack } from './support/app-synth';
import { buildStacks, registryOf, synth } from './support/fixtures';

/** cdktf's own synthesis of a stack: its preparing pass first (StableAddressStack skips it). */
function cdktfSynth(stack: TerraformStack) {
  TerraformStack.prototype.prepareStack.call(stack);
  return synth(stack);
}

describe('the app synthesized by scripts/run.js', () => {
  const stacks = buildStacks(registry);
  const all = [stacks.state, stacks.baseline, stacks.platform].flatMap((byKey) => Object.values(byKey));

  it.each(all.map((s) => [s.node.id, s] as const))('%s equals cdktf synthesis in process', (id, stack) => {
    expect(appStack(id).json).toEqual(cdktfSynth(stack).json);
  });

  it.each(environmentInputs.map((e) => [e.name, e] as const))(
    'platform-%s equals the environment synthesized alone',
    (name, input) => {
      const alone = buildStacks(registryOf([input])).platform[name];
      expect(appStack(alone.node.id).json).toEqual(synth(alone).json);
    },
  );

  it('runs the bundle with every edit of scripts/bundle-edits.js applied', () => {
    const bundle = readFileSync(`${__dirname}/../dist/main.js`, 'utf8');
    const probes = EDITED_FILES.flatMap((f) => f.edits.map((e) => e.probe));
    expect(probes.length).toBeGreaterThan(0);
    for (const probe of probes) expect(bundle.includes(probe) ? probe : `missing: ${probe}`).toBe(probe);
  });
});

describe('creation stacks formatted when read (the stack-trace edit, which jest applies too)', () => {
  /** A token whose resolution fails, made in a function of its own: its name marks the creation. */
  function tokenMadeHere(): string {
    return Lazy.stringValue({
      produce: () => {
        throw new Error('boom');
      },
    });
  }

  it('is in effect under jest', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { captureStackTrace } = require('cdktf/lib/tokens/private/stack-trace');
    expect(types.isProxy(captureStackTrace())).toBe(true);
  });

  it('still puts the stack where the token was made, not where it failed, in the error', () => {
    const stack = new TerraformStack(Testing.app(), 'creation-stack');
    new TerraformOutput(stack, 'out', { value: tokenMadeHere() });
    let message = '';
    try {
      Testing.synth(stack);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Resolution error: boom\.\nObject creation stack:\n {2}at /);
    const frames = message.split('\n  at ').slice(1);
    expect(frames.some((f) => /^tokenMadeHere \(.*synth-bundle\.test\.ts:\d+:\d+\)$/.test(f))).toBe(true);
    expect(frames.some((f) => /toTerraform/.test(f))).toBe(false);
  });
});

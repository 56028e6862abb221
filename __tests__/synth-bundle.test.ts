/**
 * The app's own synthesis (scripts/run.js: the bundle, with its string fast path, and stacks that skip
 * cdktf's cross-stack preparing pass) writes exactly what cdktf's unmodified code path produces, for
 * every stack of the registry — and so other tests may read it (support/app-synth.ts), including as
 * an environment synthesized on its own (fixtures.ts synthPlatform).
 */
import { TerraformStack } from 'cdktf';
import { readFileSync } from 'node:fs';
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

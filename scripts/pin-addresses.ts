/**
 * `npm run pin-addresses` rewrites __tests__/stateful-addresses.json from the current synthesis. Run it only when a change
 * of address is intended, and move the state (`terraform state mv`, or a `moved` block) with it.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { registry } from '../environments';
import { definePlatform } from '../stacks/platform-app';
import { statefulAddresses } from './stateful-addresses';

// Testing.app() makes a temporary output directory of its own: removed below, nothing is written there.
const app = Testing.app();
const stacks = definePlatform(app, registry);
const all = [
  ...Object.values(stacks.state),
  ...Object.values(stacks.baseline),
  ...Object.values(stacks.platform),
  ...Object.values(stacks.reference),
];
const pins = Object.fromEntries(all.map((s) => [s.node.id, statefulAddresses(JSON.parse(Testing.synth(s)))]));
writeFileSync(
  join(__dirname, '..', '__tests__', 'stateful-addresses.json'),
  `${JSON.stringify(pins, null, 2)}\n`,
);
rmSync(app.outdir, { recursive: true, force: true });
console.log(`pinned ${Object.values(pins).flat().length} addresses in ${all.length} stacks`);

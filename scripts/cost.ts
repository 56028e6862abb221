/**
 * `npm run cost [-- --json] [--dir <cdktf.out>]`: monthly estimate per environment and account from
 * the synthesized stacks (run `npm run synth` first), as tables or JSON.
 * `npm run cost -- --base <base cdktf.out> --env <env>`: the pull-request section for one
 * environment, the delta of this synthesis against the base's (scripts/workflows/pr-diff.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../environments';
import { registryStackIds } from '../stacks/stack-ids';
import { costReport, formatDelta, formatReport, reportGroups } from './cost/report';

// Bundled to dist/ by scripts/run.js: the repository is one level up.
const ROOT = join(__dirname, '..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const dir = option('--dir') ?? join(ROOT, 'cdktf.out');
  if (!existsSync(join(dir, 'stacks'))) {
    console.error(`cost: no synthesized stacks in ${dir}: run npm run synth first`);
    process.exit(2);
  }
  // An environment of the config without a synthesized stack (added since the last synth) would be
  // left out of every table without a word.
  for (const id of registryStackIds(registry))
    if (!existsSync(join(dir, 'stacks', id)))
      console.error(`cost: ${id} is in the config but not synthesized in ${dir}: run npm run synth first`);
  const groups = reportGroups(registry);
  const head = costReport(dir, groups);
  const base = option('--base');
  if (base) {
    const env = option('--env');
    if (!env || !groups[env]) {
      console.error(`cost: --base needs --env <one of ${Object.keys(groups).join(', ')}>`);
      process.exit(2);
    }
    console.log(formatDelta(costReport(base, groups), head, env));
    return;
  }
  console.log(process.argv.includes('--json') ? JSON.stringify(head, null, 2) : formatReport(head));
}

main();

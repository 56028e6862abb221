/**
 * `npm run roles`: synthesizes the app (as `cdktf synth` runs it) into a temporary directory,
 * evaluates every role's contract and writes docs/roles.md (scripts/contracts/doc.ts). Exits 1 and
 * lists the problems when a contract does not hold; `--check` writes nothing and fails when the
 * committed file is stale.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../environments';
import { rolesDocument } from './contracts/doc';
import { evaluateRole, type RoleReport } from './contracts/evaluate';
import { commonDenies, managedPolicies, readStacks, registryStackIds } from './contracts/stacks';
import { buildWorld } from './contracts/world';

// Bundled to dist/ by scripts/run.js: the repository is one level up.
const ROOT = join(__dirname, '..');
const FILE = join(ROOT, 'docs', 'roles.md');

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'roles-'));
  try {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'run.js'), 'main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: out },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`synthesis failed:\n${run.stdout}${run.stderr}`);
    const world = buildWorld(readStacks(out, registryStackIds(registry)));
    const options = { ...managedPolicies, commonDenies: commonDenies(registry) };
    const reports: RoleReport[] = [];
    for (const role of world.roles) reports.push(await evaluateRole(world, role, options));
    const text = rolesDocument(reports);
    const problems = reports.flatMap((r) => r.problems);
    if (process.argv.includes('--check')) {
      if (readFileSync(FILE, 'utf8') !== text) throw new Error('docs/roles.md is stale: run npm run roles');
      console.log(`docs/roles.md is current: ${reports.length} roles, ${problems.length} problems`);
    } else {
      writeFileSync(FILE, text);
      console.log(`wrote docs/roles.md: ${reports.length} roles, ${problems.length} problems`);
    }
    if (problems.length > 0) {
      console.error(problems.join('\n'));
      process.exitCode = 1;
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});

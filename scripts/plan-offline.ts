/**
 * `npm run plan:offline -- <stack> [--keep]`: one stack's offline checks by hand, no AWS account
 * and no network. Re-synthesizes when cdktf.out is older than the sources, then in a temporary
 * work dir (override files: scripts/offline/workdir.ts): `terraform init`, `terraform plan` against
 * the real provider with mock credentials (its output, resource changes and `Plan:` summary, is
 * printed; the plan is saved as offline.tfplan), and `terraform test` for the mock apply with the
 * invariants. `--keep` keeps the work dir (its path is printed); otherwise it is removed.
 *
 * `npm run plan:offline -- --all [--keep]`: every synthesized stack, as the test suite checks it
 * (in one `terraform test` process per core, real-provider plan included), with timings.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkStacks,
  findTerraform,
  initArgs,
  parseTestOutput,
  prepareWorkDir,
  runTerraform,
  type CommandResult,
  type StackCheck,
  TEST_FILE,
} from './offline';

// Bundled to dist/ by scripts/run.js: the repository is one level up.
const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'cdktf.out', 'stacks');
/** What the synthesized JSON is made from. */
const SOURCES = ['main.ts', 'stacks', 'constructs', 'environments'];

/** A usage error: one line on stderr, exit code 2, no stack trace. */
class UsageError extends Error {}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

/** Synthesizes (the app command, which rebundles what changed) when cdktf.out is stale. */
function synthIfStale(): void {
  const stacks = stackNames();
  // The oldest stack counts; no stacks at all is stale.
  const synthesized =
    stacks.length === 0 ? 0 : Math.min(...stacks.map((s) => newestMtime(join(OUT, s, 'cdk.tf.json'))));
  const sources = Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))));
  if (synthesized > sources) return;
  console.log('cdktf.out is older than the sources: synthesizing (node scripts/run.js main.ts) ...');
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'run.js'), 'main.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.status !== 0) throw new Error(`synth failed (exit ${result.status})`);
}

function stackNames(): string[] {
  return existsSync(OUT) ? readdirSync(OUT).sort() : [];
}

function line(step: CommandResult): string {
  return `${step.command.split(' ').slice(0, 2).join(' ')} ${step.seconds.toFixed(1)} s`;
}

/** init + real-provider plan (printed) + mock apply with invariants of one stack in `work`. */
async function planOne(terraform: string, stack: string, work: string): Promise<boolean> {
  // The real plan runs as `terraform plan` so that its changes can be shown; the test file then
  // holds only the mock apply (realPlan: false), so nothing is planned twice.
  prepareWorkDir(join(OUT, stack), work, { realPlan: false });
  const steps: CommandResult[] = [];
  const step = async (args: string[]) => {
    const result = await runTerraform(terraform, args, work);
    steps.push(result);
    return result;
  };
  const done = (ok: boolean, failed?: CommandResult) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${stack}: ${steps.map(line).join(', ')}`);
    if (failed) console.log(`${failed.command}:\n${failed.output}`);
    return ok;
  };

  const init = await step(initArgs());
  if (init.code !== 0) return done(false, init);
  const plan = await step([
    'plan',
    '-refresh=false',
    '-lock=false',
    '-input=false',
    '-no-color',
    '-out=offline.tfplan',
  ]);
  process.stdout.write(plan.output);
  if (plan.code !== 0) return done(false);
  // -json: the runs' results and errors only (not the teardown's list of every forgotten resource).
  const test = await step(['test', '-json', '-no-color']);
  const { files, general } = parseTestOutput(test.output);
  const lines = [...(files.get(TEST_FILE)?.lines ?? []), ...(test.code === 0 ? [] : general)];
  console.log(`\nmock apply + invariants:\n${lines.join('\n')}\n`);
  return done(test.code === 0);
}

function report(check: StackCheck): boolean {
  const runs = Object.entries(check.runs).map(([run, status]) => `${run} ${status}`);
  console.log(
    `${check.ok ? 'ok  ' : 'FAIL'} ${check.stack}: ${check.seconds.toFixed(1)} s (${runs.join(', ')})`,
  );
  if (!check.ok && check.failure) console.log(check.failure);
  return check.ok;
}

async function main(argv: string[]): Promise<number> {
  const keep = argv.includes('--keep');
  const all = argv.includes('--all');
  const names = argv.filter((a) => !a.startsWith('--'));
  if (!all && names.length !== 1)
    throw new UsageError('usage: npm run plan:offline -- <stack> [--keep] | --all [--keep]');
  const terraform = findTerraform();
  if (!terraform)
    throw new UsageError('terraform not found on PATH (or TERRAFORM_BIN): install Terraform 1.11');
  synthIfStale();
  const valid = stackNames();
  const unknown = names.filter((n) => !valid.includes(n));
  if (unknown.length > 0)
    throw new UsageError(`unknown stack ${unknown.join(', ')}; stacks: ${valid.join(', ')}`);

  const work = mkdtempSync(join(tmpdir(), 'platform-plan-offline-'));
  const cleanUp = () =>
    keep ? console.log(`work dir kept: ${work}`) : rmSync(work, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    if (!all) return (await planOne(terraform, names[0], join(work, names[0]))) ? 0 : 1;
    const jobs = (names.length > 0 ? names : valid).map((name) => ({ name, dir: join(OUT, name) }));
    const checks = await checkStacks(terraform, jobs, work);
    return checks.map(report).every(Boolean) ? 0 : 1;
  } finally {
    cleanUp();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);

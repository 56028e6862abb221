/**
 * Running terraform for the offline checks: the child environment, the shared provider cache, one
 * stack's `init` + `test` chain, and scheduling stacks over the cores largest first.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestFileOptions } from './test-file';
import { AWS_PROVIDER_VERSION, pluginDir, prepareWorkDir, TEST_FILE } from './workdir';

export interface CommandResult {
  readonly command: string;
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

/** The environment of every terraform child process. */
export function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
  // Terraform and the provider (it inherits this) are Go programs that allocate heavily on the AWS
  // schema (the WAF web ACL's deeply nested schema dominates a platform stack): collecting garbage
  // less often cuts their CPU time by a sixth or more (measured here) for ~0.8 GB peak per process.
  env.GOGC ??= '400';
  // A CLI config variable naming a missing file only adds a warning to every command's output.
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  // With a mirror, `init -plugin-dir` symlinks the unpacked ~700 MB provider: no cache needed (and
  // none left behind). Without one (e.g. a GitHub runner), one persistent cache downloads it once.
  if (!pluginDir())
    env.TF_PLUGIN_CACHE_DIR ??= join(process.env.HOME ?? tmpdir(), '.terraform.d', 'plugin-cache');
  return env;
}

export function runTerraform(terraform: string, args: string[], cwd: string): Promise<CommandResult> {
  const started = Date.now();
  const env = terraformEnv();
  if (env.TF_PLUGIN_CACHE_DIR) mkdirSync(env.TF_PLUGIN_CACHE_DIR, { recursive: true });
  return new Promise((resolve) => {
    execFile(terraform, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({
        command: `terraform ${args.join(' ')}`,
        code,
        output: `${stdout}${stderr}`,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

export function initArgs(): string[] {
  const dir = pluginDir();
  return ['init', '-input=false', '-no-color', ...(dir ? [`-plugin-dir=${dir}`] : [])];
}

/**
 * Without a mirror: fills the provider cache once, before stacks are initialized in parallel
 * (Terraform's cache is not safe for concurrent first installs). With one there is nothing to do.
 */
export async function warmProviderCache(terraform: string): Promise<void> {
  if (pluginDir()) return;
  const dir = mkdtempSync(join(tmpdir(), 'platform-tf-warm-'));
  try {
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({
        terraform: {
          required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } },
        },
      }),
    );
    const result = await runTerraform(terraform, initArgs(), dir);
    if (result.code !== 0) throw new Error(`provider cache: ${result.command} failed:\n${result.output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface StackCheck {
  readonly stack: string;
  readonly ok: boolean;
  readonly steps: readonly CommandResult[];
  readonly seconds: number;
  /** The failing step's command and output, for test messages. */
  readonly failure?: string;
}

/**
 * `terraform init` (or a copy of an `initialized` work dir's init output) + one `terraform test`
 * (real-provider plan, mock apply with invariants, teardown: see test-file.ts) of one synthesized
 * stack in its own work dir.
 */
export async function checkStack(
  terraform: string,
  stack: string,
  stackDir: string,
  workDir: string,
  options: TestFileOptions = {},
  initialized?: string,
): Promise<StackCheck> {
  prepareWorkDir(stackDir, workDir, options);
  if (initialized) copyInit(initialized, workDir);
  const steps: CommandResult[] = [];
  const test = ['test', '-no-color', `-filter=${TEST_FILE}`];
  for (const args of initialized ? [test] : [initArgs(), test]) {
    const result = await runTerraform(terraform, args, workDir);
    steps.push(result);
    if (result.code !== 0) {
      return {
        stack,
        ok: false,
        steps,
        seconds: total(steps),
        failure: `${stack}: ${result.command} failed (exit ${result.code}):\n${result.output}`,
      };
    }
  }
  return { stack, ok: true, steps, seconds: total(steps) };
}

function total(steps: readonly CommandResult[]): number {
  return steps.reduce((sum, s) => sum + s.seconds, 0);
}

/** Runs `fn` over `items` in order with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

/** One stack to check: its name, its synthesized directory, and test-file options. */
export interface StackJob {
  readonly name: string;
  readonly dir: string;
  readonly options?: TestFileOptions;
}

/**
 * Longest check first (the stack JSON's size tracks the check's time), so that both cores stay busy
 * to the end instead of one finishing a platform stack alone.
 */
export function longestFirst(jobs: readonly StackJob[]): StackJob[] {
  const size = (j: StackJob) => statSync(join(j.dir, 'cdk.tf.json')).size;
  return [...jobs].sort((a, b) => size(b) - size(a));
}

/**
 * What `terraform init` leaves in a work dir. Every work dir needs the same: one provider (the AWS
 * provider at one version), the same local backend override and the same teardown module; so one
 * init serves every stack and the others get a copy (the provider itself stays a symlink).
 */
const INIT_OUTPUT = ['.terraform', '.terraform.lock.hcl'];

function copyInit(from: string, workDir: string): void {
  for (const entry of INIT_OUTPUT)
    cpSync(join(from, entry), join(workDir, entry), { recursive: true, verbatimSymlinks: true });
}

/** Initializes a work dir for the first job's stack, for every job to copy (see INIT_OUTPUT). */
async function initOnce(terraform: string, job: StackJob, dir: string): Promise<void> {
  prepareWorkDir(job.dir, dir, job.options);
  const result = await runTerraform(terraform, initArgs(), dir);
  if (result.code !== 0) throw new Error(`${result.command} failed:\n${result.output}`);
}

/** Checks every job, `parallel` at a time (one per core), longest first; results in input order. */
export async function checkStacks(
  terraform: string,
  jobs: readonly StackJob[],
  workRoot: string,
  parallel = 2,
): Promise<StackCheck[]> {
  await warmProviderCache(terraform);
  const template = join(workRoot, '.init');
  await initOnce(terraform, jobs[0], template);
  const checks = await mapLimit(longestFirst(jobs), parallel, (j) =>
    checkStack(terraform, j.name, j.dir, join(workRoot, j.name), j.options, template),
  );
  const byName = new Map(checks.map((c) => [c.stack, c]));
  return jobs.map((j) => byName.get(j.name)!);
}

/**
 * Running terraform for the offline checks: the child environment, the shared provider cache, and
 * the stacks in one batch per core (batch.ts), balanced by resource count.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTestOutput, prepareBatch, testFileName, type StackJob } from './batch';
import type { StackJson } from './stack';
import { AWS_PROVIDER_VERSION, placeLockFile, pluginDir } from './workdir';

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

/**
 * `terraform init` in a directory holding the committed lock file (placeLockFile): `-lockfile=readonly`
 * fails on a provider selection the lock file does not hold instead of recording it, and a package
 * matching none of its hashes fails either way.
 */
export function initArgs(): string[] {
  const dir = pluginDir();
  return ['init', '-input=false', '-no-color', '-lockfile=readonly', ...(dir ? [`-plugin-dir=${dir}`] : [])];
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
    placeLockFile(dir);
    const result = await runTerraform(terraform, initArgs(), dir);
    if (result.code !== 0) throw new Error(`provider cache: ${result.command} failed:\n${result.output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface StackCheck {
  readonly stack: string;
  readonly ok: boolean;
  /** The batch (1, 2, ...: one `terraform test` process each) the stack ran in. */
  readonly batch: number;
  /** Each run of the stack's test file that ended, and how (`plan: 'pass'`, ...). */
  readonly runs: Readonly<Record<string, string>>;
  /** The stack's run results and error diagnostics, one per line. */
  readonly output: string;
  /** From the start of the stack's test file to its end, inside its batch's process. */
  readonly seconds: number;
  /** What failed, with the output that says why, for test messages. */
  readonly failure?: string;
}

/**
 * The expected cost of a stack's check: its resource count (measured: ~0.09 s per resource for
 * platform stacks, a state stack's large IAM documents notwithstanding) plus a file's fixed cost.
 */
export function checkWeight(job: StackJob): number {
  const stack = JSON.parse(readFileSync(join(job.dir, 'cdk.tf.json'), 'utf8')) as StackJson;
  const resources = Object.values(stack.resource ?? {}).reduce(
    (n, byName) => n + Object.keys(byName).length,
    0,
  );
  return 10 + resources;
}

/** Splits jobs into `count` batches of about equal cost, heaviest first onto the least loaded. */
export function balance(jobs: readonly StackJob[], count: number): StackJob[][] {
  const bins = Array.from({ length: Math.min(count, jobs.length) }, () => ({
    load: 0,
    jobs: [] as StackJob[],
  }));
  const weighed = jobs.map((job) => ({ job, weight: checkWeight(job) }));
  for (const { job, weight } of weighed.sort((a, b) => b.weight - a.weight)) {
    const bin = bins.reduce((least, b) => (b.load < least.load ? b : least));
    bin.jobs.push(job);
    bin.load += weight;
  }
  return bins.map((b) => b.jobs);
}

/** One batch: lay it out, `terraform init` it, one `terraform test -json`, a check per stack. */
async function checkBatch(
  terraform: string,
  jobs: readonly StackJob[],
  batch: number,
  dir: string,
): Promise<StackCheck[]> {
  prepareBatch(jobs, dir);
  const init = await runTerraform(terraform, initArgs(), dir);
  if (init.code !== 0) {
    const failure = `${init.command} failed (exit ${init.code}):\n${init.output}`;
    return jobs.map((j) => ({ stack: j.name, ok: false, batch, runs: {}, output: '', seconds: 0, failure }));
  }
  const test = await runTerraform(terraform, ['test', '-json', '-no-color'], dir);
  const { files, general } = parseTestOutput(test.output);
  return jobs.map((job) => {
    const report = files.get(testFileName(job.name)) ?? { runs: {}, lines: [] };
    const runs = Object.values(report.runs);
    const ok = report.status === 'pass' && runs.length > 0 && runs.every((r) => r === 'pass');
    const output = report.lines.join('\n');
    const seconds = report.started && report.ended ? (report.ended - report.started) / 1000 : 0;
    // A file terraform never finished (a configuration it could not load) fails with the process's output.
    const why = report.status ? output : [output, ...general].filter(Boolean).join('\n');
    const failure = ok
      ? undefined
      : `${job.name}: terraform test (${testFileName(job.name)}) failed:\n${why}`;
    return { stack: job.name, ok, batch, runs: report.runs, output, seconds, failure };
  });
}

/**
 * Checks every job in `parallel` batches (one `terraform test` process per core, see batch.ts);
 * results in input order.
 */
export async function checkStacks(
  terraform: string,
  jobs: readonly StackJob[],
  workRoot: string,
  parallel = 2,
): Promise<StackCheck[]> {
  await warmProviderCache(terraform);
  const batches = balance(jobs, parallel);
  const checks = (
    await Promise.all(
      batches.map((batch, i) => checkBatch(terraform, batch, i + 1, join(workRoot, `batch-${i + 1}`))),
    )
  ).flat();
  const byName = new Map(checks.map((c) => [c.stack, c]));
  return jobs.map((j) => byName.get(j.name)!);
}

/**
 * The incremental offline proof: a stack whose every input is unchanged since its last offline check
 * is not checked again locally; its earlier result is reused and reported as reused, with the run it
 * reuses, never as passed in this run. The key covers every input of the check: the stack's
 * synthesized files (JSON and assets), the test file and options generated for it, the harness code
 * that writes the overrides, mock defaults and invariants (every file of scripts/offline/ and the
 * given extra files), the Terraform binary's version and the provider version, lock file and mirror.
 *
 * The cache is `.cache/offline-proof/` (git-ignored), a JSON file per stack and key (the newest few
 * per stack). It is off under CI
 * and with `OFFLINE_PROOF_CACHE=off` (`npm test` then checks every stack).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StackJob } from './batch';
import type { StackCheck } from './run';
import { AWS_PROVIDER_VERSION, pluginDir, providerLockFile } from './workdir';

export const CACHE_DIR = join(__dirname, '..', '..', '.cache', 'offline-proof');

/** A stored check: its key, when it ran, and its result. */
export interface CachedCheck {
  readonly key: string;
  /** ISO time the check ran (the run this result comes from). */
  readonly ranAt: string;
  readonly check: StackCheck;
}

/** Whether this run reuses earlier checks: not under CI, not with OFFLINE_PROOF_CACHE=off. */
export function cacheEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.CI && env.OFFLINE_PROOF_CACHE !== 'off';
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .filter((f) => !f.includes(`${join('/', '.terraform')}`))
    .sort();
}

/** What every stack's key shares: the harness code, Terraform's version, the provider and its lock file. */
export function harnessKey(terraform: string, extraFiles: readonly string[] = []): string {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(__dirname).filter((f) => /\.(ts|js)$/.test(f)), ...extraFiles].sort())
    hash.update(`${relative(__dirname, file)}\0`).update(readFileSync(file));
  hash.update(execFileSync(terraform, ['version', '-json'], { encoding: 'utf8' }));
  hash.update(`aws ${AWS_PROVIDER_VERSION}\0`).update(readFileSync(providerLockFile()));
  const mirror = pluginDir();
  if (mirror && existsSync(mirror))
    for (const file of filesUnder(mirror)) {
      const s = statSync(file);
      hash.update(`${relative(mirror, file)} ${s.size} ${s.mtimeMs}\0`);
    }
  return hash.digest('hex');
}

/** The key of one job: the harness key, the job's options and every file of its stack directory. */
export function jobKey(job: StackJob, harness: string): string {
  const hash = createHash('sha256')
    .update(harness)
    .update(JSON.stringify(job.options ?? {}));
  for (const file of filesUnder(job.dir))
    hash.update(`${relative(job.dir, file)}\0`).update(readFileSync(file));
  return hash.digest('hex');
}

/** Checks kept per stack: switching back to an earlier input (a branch, an undone edit) still hits. */
export const KEPT_PER_STACK = 4;

const fileOf = (stack: string, key: string, dir: string) => join(dir, `${stack}.${key.slice(0, 16)}.json`);
const filesOf = (stack: string, dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith(`${stack}.`) && /^[0-9a-f]{16}\.json$/.test(f.slice(stack.length + 1)))
        .map((f) => join(dir, f))
    : [];

/** The stored check of `stack` when one has this key, else undefined. */
export function cachedCheck(stack: string, key: string, dir = CACHE_DIR): CachedCheck | undefined {
  const file = fileOf(stack, key, dir);
  if (!existsSync(file)) return undefined;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CachedCheck;
    return cached.key === key ? cached : undefined;
  } catch {
    return undefined;
  }
}

/** Stores a check that ran in this run (started at `ranAt`) under its key; keeps the newest few per stack. */
export function storeCheck(check: StackCheck, key: string, ranAt: string, dir = CACHE_DIR): void {
  mkdirSync(dir, { recursive: true });
  const cached: CachedCheck = { key, ranAt, check };
  writeFileSync(fileOf(check.stack, key, dir), `${JSON.stringify(cached, null, 2)}\n`);
  const old = filesOf(check.stack, dir)
    .map((f) => ({ f, at: statSync(f).mtimeMs }))
    .sort((a, b) => b.at - a.at)
    .slice(KEPT_PER_STACK);
  for (const { f } of old) rmSync(f, { force: true });
}

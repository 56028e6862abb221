/**
 * Sharding the offline proof: `OFFLINE_SHARD=i/n` (or `npm run test:offline -- --shard=i/n`) checks
 * only shard i of n, so CI runs the proof as a matrix of runners whose wall time stays flat as
 * stacks are added. Every shard computes the same split (the jobs balanced by resource count, in
 * their given order), so each stack belongs to exactly one shard.
 */
import type { StackJob } from './batch';
import { balance } from './run';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n); a malformed value is an error that says the format. */
export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count)
    throw new Error(`offline shard "${spec}": expected i/n with 1 <= i <= n, e.g. 2/3`);
  return { index, count };
}

/** The shard in `env.OFFLINE_SHARD`, if any. */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  return env.OFFLINE_SHARD ? parseShard(env.OFFLINE_SHARD) : undefined;
}

/** Every shard's jobs: `count` groups of about equal cost; together exactly the given jobs. */
export function shards(jobs: readonly StackJob[], count: number): StackJob[][] {
  const groups = balance(jobs, count);
  return Array.from({ length: count }, (_, i) => groups[i] ?? []);
}

/** The jobs of one shard (all of them without a shard). */
export function jobsOfShard(jobs: readonly StackJob[], shard: Shard | undefined): StackJob[] {
  return shard ? shards(jobs, shard.count)[shard.index - 1] : [...jobs];
}

/** Offline checks per CI shard: each runner pays one Terraform init and provider load for them. */
export const CHECKS_PER_SHARD = 4;
/** Checks the suite adds to the app's stacks: the engine variants and the three negative checks. */
export const EXTRA_CHECKS = 4;

/** How many shards CI runs for `stackCount` synthesized stacks: one more for every few stacks added. */
export function shardCountFor(stackCount: number): number {
  return Math.max(1, Math.ceil((stackCount + EXTRA_CHECKS) / CHECKS_PER_SHARD));
}

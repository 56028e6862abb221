/**
 * Fargate Spot in the estimate: the share of a service's tasks ECS places on FARGATE_SPOT under its
 * capacity provider strategy, and the rounding of per-task prices (estimate.ts).
 */

/** Hourly prices to four decimals. */
export const round4 = (n: number) => Math.round(n * 10000) / 10000;

/** One entry of a service's synthesized `capacity_provider_strategy`. */
export interface CapacityProviderEntry {
  readonly capacity_provider?: string;
  readonly base?: unknown;
  readonly weight?: unknown;
}

/** The share of `count` tasks ECS places on FARGATE_SPOT: the base first, the rest by weight. */
export function spotShare(strategy: readonly CapacityProviderEntry[], count: number): number {
  if (strategy.length === 0) return 0;
  let left = count;
  let spot = 0;
  for (const s of strategy) {
    const base = Math.min(num(s.base), left);
    if (s.capacity_provider === 'FARGATE_SPOT') spot += base;
    left -= base;
  }
  const total = strategy.reduce((sum, s) => sum + num(s.weight), 0);
  const spotWeight = strategy
    .filter((s) => s.capacity_provider === 'FARGATE_SPOT')
    .reduce((sum, s) => sum + num(s.weight), 0);
  if (total > 0) spot += (left * spotWeight) / total;
  return count > 0 ? spot / count : 0;
}

const num = (v: unknown, fallback = 0) => (typeof v === 'number' ? v : Number(v ?? fallback) || fallback);

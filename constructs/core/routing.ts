import type { ITerraformDependable } from 'cdktf';

/** The path pattern that makes a service the listener's default action (docs/architecture.md). */
export const DEFAULT_ROUTE = '/*';

/** True for a service whose `pathPatterns` is exactly `['/*']`: the listener default. */
export function isDefaultRoute(pathPatterns: readonly string[]): boolean {
  return pathPatterns.length === 1 && pathPatterns[0] === DEFAULT_ROUTE;
}

/** Where the edge sends a service's traffic: what the compute layer registers its tasks in. */
export interface RoutedTarget {
  readonly targetGroupArn: string;
  /** The listener (and rule) that use the target group: a service must wait for them. */
  readonly dependsOn: ITerraformDependable[];
}

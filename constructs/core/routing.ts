import type { ITerraformDependable } from 'cdktf';

export { isDefaultRoute } from '../../environments/rules';

/** Where the edge sends a service's traffic: what the compute layer registers its tasks in. */
export interface RoutedTarget {
  readonly targetGroupArn: string;
  /** The listener (and rule) that use the target group: a service must wait for them. */
  readonly dependsOn: ITerraformDependable[];
}

import type { ITerraformDependable } from 'cdktf';

export { isDefaultRoute } from '../../environments/rules';

/** Where the edge sends a service's traffic: what the compute layer registers its tasks in. */
export interface RoutedTarget {
  readonly targetGroupArn: string;
  /**
   * `app/<alb>/<id>/targetgroup/<tg>/<id>`: the resource label of the target group's
   * `ALBRequestCountPerTarget` metric (request-count scaling).
   */
  readonly requestCountLabel: string;
  /** The listener (and rule) that use the target group: a service must wait for them. */
  readonly dependsOn: ITerraformDependable[];
  /** The second target group and the test listener of a blue/green service (CodeDeploy's pair). */
  readonly blueGreen?: BlueGreenTarget;
}

/** CodeDeploy's target group pair and listeners for one blue/green service. */
export interface BlueGreenTarget {
  readonly blueTargetGroupName: string;
  readonly greenTargetGroupName: string;
  readonly productionListenerArn: string;
  /** The path rule CodeDeploy rewrites; none when the service is the listener's default. */
  readonly productionRuleArn?: string;
  readonly testListenerArn: string;
  readonly testListenerPort: number;
  /**
   * The load balancer's ARN suffix (`app/<name>/<id>`): its network interfaces are described
   * `ELB app/<name>/<id>`, where the test-traffic hook finds the addresses it probes.
   */
  readonly loadBalancerArnSuffix: string;
  /** The green group and the test listener: the service must wait for them too. */
  readonly dependsOn: ITerraformDependable[];
}

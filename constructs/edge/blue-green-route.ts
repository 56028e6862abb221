import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import type { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup, type LbTargetGroupConfig } from '@cdktf/provider-aws/lib/lb-target-group';
import type { Construct } from 'constructs';
import type { BlueGreenTarget } from '../core/routing';
import type { Naming } from '../core/naming';
import type { OwnedSecurityGroup } from '../core/security-group';

/** What a blue/green route adds to a service's route. */
export interface BlueGreenRouteProps {
  readonly naming: Naming;
  readonly service: string;
  /** The route's own (blue) target group: the green one copies its settings. */
  readonly blue: LbTargetGroup;
  readonly blueConfig: LbTargetGroupConfig;
  /** The listener whose rule (or default action) carries production traffic. */
  readonly productionListener: LbListener;
  /** The path rule carrying it; none for the listener's default service. */
  readonly productionRule?: LbListenerRule;
  readonly albArn: string;
  /** `app/<name>/<id>`: how the test-traffic hook finds the load balancer's interfaces. */
  readonly albArnSuffix: string;
  readonly albSecurityGroup: OwnedSecurityGroup;
  readonly certificateArn: string;
  readonly tlsPolicy: string;
  /** HTTPS port of the test listener (not 80/443; validated in config). */
  readonly testListenerPort: number;
  /** Who may reach the test listener: the VPC (CI runners have no stable addresses). */
  readonly testCidrs: readonly string[];
}

/**
 * The pieces CodeDeploy's ECS blue/green needs at the edge (docs/architecture.md, "Blue/green
 * deployments"): a second (green) target group like the route's own, and a test listener that
 * admits only the VPC, where the new task set answers before it takes production traffic. Both are
 * children of the load balancer construct, so the monitoring pass alarms on the green group too.
 *
 * CodeDeploy rewrites the listeners' forward actions to whichever group is live: Terraform ignores
 * the test listener's default action here (the production rule's action is ignored where the
 * rule is created), or an apply would point traffic back at the emptied group.
 */
export function addBlueGreenRoute(scope: Construct, props: BlueGreenRouteProps): BlueGreenTarget {
  const green = new LbTargetGroup(scope, `TargetGroup-${props.service}-green`, {
    ...props.blueConfig,
    name: props.naming.short(`${props.service}-green`, 32),
  });
  props.albSecurityGroup.allowFromCidrs(
    [...props.testCidrs],
    props.testListenerPort,
    `Blue/green test listener of ${props.service} from the VPC`,
  );
  const testListener = new LbListener(scope, `TestListener-${props.service}`, {
    loadBalancerArn: props.albArn,
    port: props.testListenerPort,
    protocol: 'HTTPS',
    sslPolicy: props.tlsPolicy,
    certificateArn: props.certificateArn,
    defaultAction: [{ type: 'forward', targetGroupArn: props.blue.arn }],
    lifecycle: { ignoreChanges: ['default_action'] },
  });
  return {
    blueTargetGroupName: props.blue.name,
    greenTargetGroupName: green.name,
    productionListenerArn: props.productionListener.arn,
    ...(props.productionRule ? { productionRuleArn: props.productionRule.arn } : {}),
    testListenerArn: testListener.arn,
    testListenerPort: props.testListenerPort,
    loadBalancerArnSuffix: props.albArnSuffix,
    dependsOn: [testListener, green],
  };
}

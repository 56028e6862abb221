import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingScheduledAction } from '@cdktf/provider-aws/lib/appautoscaling-scheduled-action';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { Construct } from 'constructs';
import type { ServiceConfig } from '../../environments/schema';

type Autoscaling = NonNullable<ServiceConfig['autoscaling']>;

export interface ServiceAutoscalingProps {
  /** The service's `autoscaling` config. */
  readonly spec: Autoscaling;
  /** The service (config key), for messages. */
  readonly name: string;
  /** `<project>-<env>-<service>`: the prefix of its policies, schedules and alarm. */
  readonly serviceName: string;
  readonly clusterName: string;
  /** The ECS service's name as Terraform knows it (a reference). */
  readonly ecsServiceName: string;
  /** Its target group's request-count metric label (routing.ts), for `requestsPerTarget`. Default: none. */
  readonly requestCountLabel?: string;
}

/**
 * A Fargate service's autoscaling, in the service construct's own scope (`scope`: the addresses are
 * the service's): the scalable target; target tracking on CPU, memory and requests per task;
 * step scale-in (target tracking then only scales out); scheduled capacity with a time zone.
 */
export function serviceAutoscaling(scope: Construct, props: ServiceAutoscalingProps): AppautoscalingTarget {
  const { spec } = props;
  const target = new AppautoscalingTarget(scope, 'ScalableTarget', {
    serviceNamespace: 'ecs',
    resourceId: `service/${props.clusterName}/${props.ecsServiceName}`,
    scalableDimension: 'ecs:service:DesiredCount',
    minCapacity: spec.minCapacity,
    maxCapacity: spec.maxCapacity,
  });
  const track = (id: string, metric: string, targetValue: number, resourceLabel?: string) =>
    new AppautoscalingPolicy(scope, id, {
      name: `${props.serviceName}-${id.toLowerCase()}`,
      policyType: 'TargetTrackingScaling',
      serviceNamespace: target.serviceNamespace,
      resourceId: target.resourceId,
      scalableDimension: target.scalableDimension,
      targetTrackingScalingPolicyConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: metric, resourceLabel },
        targetValue,
        scaleOutCooldown: spec.scaleOutCooldownSeconds,
        scaleInCooldown: spec.scaleInCooldownSeconds,
        // With step scale-in, target tracking only scales out: one policy each way, never both.
        ...(spec.stepScaleIn ? { disableScaleIn: true } : {}),
      },
    });
  track('Cpu', 'ECSServiceAverageCPUUtilization', spec.cpuTargetPercent);
  if (spec.memoryTargetPercent !== undefined)
    track('Memory', 'ECSServiceAverageMemoryUtilization', spec.memoryTargetPercent);
  // Requests per task (the schema admits it only for a load-balanced, rolling service).
  if (spec.requestsPerTarget !== undefined) {
    if (!props.requestCountLabel) throw new Error(`${props.name}: requestsPerTarget needs a target group`);
    track('Requests', 'ALBRequestCountPerTarget', spec.requestsPerTarget, props.requestCountLabel);
  }
  if (spec.stepScaleIn) stepScaleIn(scope, props, target, spec.stepScaleIn, spec.scaleInCooldownSeconds);
  for (const s of spec.schedules) {
    new AppautoscalingScheduledAction(scope, `Schedule-${s.name}`, {
      name: `${props.serviceName}-${s.name}`,
      serviceNamespace: target.serviceNamespace,
      resourceId: target.resourceId,
      scalableDimension: target.scalableDimension,
      schedule: s.schedule,
      timezone: s.timezone,
      scalableTargetAction: { minCapacity: String(s.minCapacity), maxCapacity: String(s.maxCapacity) },
    });
  }
  return target;
}

/**
 * Scale-in by steps: an alarm on the service's average CPU staying below the threshold removes
 * `tasks` tasks through a step scaling policy (its only action: a scaling trigger, not a page).
 */
function stepScaleIn(
  scope: Construct,
  props: ServiceAutoscalingProps,
  target: AppautoscalingTarget,
  spec: NonNullable<Autoscaling['stepScaleIn']>,
  cooldown: number,
): void {
  const policy = new AppautoscalingPolicy(scope, 'StepScaleIn', {
    name: `${props.serviceName}-step-scale-in`,
    policyType: 'StepScaling',
    serviceNamespace: target.serviceNamespace,
    resourceId: target.resourceId,
    scalableDimension: target.scalableDimension,
    stepScalingPolicyConfiguration: {
      adjustmentType: 'ChangeInCapacity',
      cooldown,
      metricAggregationType: 'Average',
      stepAdjustment: [{ metricIntervalUpperBound: '0', scalingAdjustment: -spec.tasks }],
    },
  });
  new CloudwatchMetricAlarm(scope, 'ScaleInAlarm', {
    alarmName: `${props.serviceName}-scale-in`,
    alarmDescription: `Scaling trigger: ${props.name} below ${spec.cpuBelowPercent} % CPU for ${spec.minutes} min removes ${spec.tasks} task(s). Runbook: docs/runbooks.md#alarm-ecs-scale-in`,
    namespace: 'AWS/ECS',
    metricName: 'CPUUtilization',
    dimensions: { ClusterName: props.clusterName, ServiceName: props.ecsServiceName },
    statistic: 'Average',
    period: 60,
    evaluationPeriods: spec.minutes,
    threshold: spec.cpuBelowPercent,
    comparisonOperator: 'LessThanThreshold',
    // No data (no tasks running): nothing to scale in.
    treatMissingData: 'notBreaching',
    alarmActions: [policy.arn],
  });
}

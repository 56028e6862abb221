import type { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import type { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import type { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import type { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import type { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import type { Alarm } from './alarm-set';
import { subjectOf, timing, type MonitorContext } from './monitor-context';

const ELB = 'AWS/ApplicationELB';

/** The alarms of one load balancer: the 5xx alarm and the unhealthy-host alarms feed the composite. */
export interface LoadBalancerAlarms {
  readonly subject: string;
  readonly target5xx: Alarm;
  readonly unhealthyHosts: Alarm[];
  /** The 5xx rate alarm and each target group's unhealthy-host alarm (blue/green rollback). */
  readonly target5xxRate: Alarm;
  readonly unhealthyHostsByGroup: ReadonlyArray<{ readonly group: LbTargetGroup; readonly alarm: Alarm }>;
}

/**
 * An ALB: target and ELB 5xx, the target 5xx rate, p99 target response time, rejected connections,
 * and per target group (the groups in the load balancer's own construct) unhealthy hosts.
 */
export function monitorLoadBalancer(ctx: MonitorContext, lb: Lb): LoadBalancerAlarms {
  const t = ctx.thresholds;
  const subject = subjectOf(ctx, lb, lb.nameInput);
  const dims = { LoadBalancer: lb.arnSuffix };
  const m = (name: string, stat = 'Sum') => ({ namespace: ELB, name, dimensions: dims, stat });
  const base = { ...timing(ctx), subject, row: 'edge', comparison: 'GreaterThanThreshold' as const };
  const target5xx = ctx.alarms.add({
    ...base,
    kind: 'alb-target-5xx',
    summary: `Target (application) 5xx responses per period above ${t.target5xxCount}`,
    metrics: [m('HTTPCode_Target_5XX_Count')],
    threshold: t.target5xxCount,
    treatMissingData: 'notBreaching',
  });
  const target5xxRate = ctx.alarms.add({
    ...base,
    kind: 'alb-target-5xx-rate',
    summary: `Target 5xx responses above ${t.target5xxPercent} % of requests`,
    metrics: [m('HTTPCode_Target_5XX_Count'), m('RequestCount')],
    expression: 'IF(m2 > 0, 100 * FILL(m1, 0) / m2, 0)',
    threshold: t.target5xxPercent,
    treatMissingData: 'notBreaching',
  });
  ctx.alarms.add({
    ...base,
    kind: 'alb-elb-5xx',
    summary: `Load balancer (ELB) 5xx responses per period above ${t.elb5xxCount}`,
    metrics: [m('HTTPCode_ELB_5XX_Count')],
    threshold: t.elb5xxCount,
    treatMissingData: 'notBreaching',
  });
  ctx.alarms.add({
    ...base,
    kind: 'alb-p99-latency',
    summary: `p99 target response time above ${t.p99ResponseSeconds} s`,
    metrics: [m('TargetResponseTime', 'p99')],
    threshold: t.p99ResponseSeconds,
    treatMissingData: 'notBreaching',
  });
  ctx.alarms.add({
    ...base,
    kind: 'alb-rejected-connections',
    summary: `Connections rejected at the load balancer's limit per period above ${t.rejectedConnections}`,
    metrics: [m('RejectedConnectionCount')],
    threshold: t.rejectedConnections - 1,
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
  });
  const groups = (lb.node.scope?.node.children ?? []).filter(
    (c): c is LbTargetGroup => c instanceof LbTargetGroup,
  );
  const unhealthyHosts = groups.map((tg) =>
    ctx.alarms.add({
      ...base,
      kind: 'alb-unhealthy-hosts',
      subject: `${subject}-${subjectOf(ctx, tg, tg.node.id.replace(/^TargetGroup-/, 'tg-'))}`,
      summary: 'Unhealthy targets in the target group',
      metrics: [
        {
          namespace: ELB,
          name: 'UnHealthyHostCount',
          dimensions: { TargetGroup: tg.arnSuffix, LoadBalancer: lb.arnSuffix },
          stat: 'Maximum',
        },
      ],
      threshold: 0,
      treatMissingData: 'notBreaching',
    }),
  );
  const unhealthyHostsByGroup = groups.map((group, i) => ({ group, alarm: unhealthyHosts[i] }));
  return { subject, target5xx, unhealthyHosts, target5xxRate, unhealthyHostsByGroup };
}

/** A NAT gateway: any port allocation error (connections to one destination exhausted its ports). */
export function monitorNatGateway(ctx: MonitorContext, nat: NatGateway): void {
  ctx.alarms.add({
    ...timing(ctx),
    kind: 'nat-port-allocation',
    subject: subjectOf(ctx, nat),
    row: 'network',
    summary: 'NAT gateway port allocation errors',
    metrics: [
      {
        namespace: 'AWS/NATGateway',
        name: 'ErrorPortAllocation',
        dimensions: { NatGatewayId: nat.id },
        stat: 'Sum',
      },
    ],
    threshold: 0,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
  });
}

/** The NAT instance's auto-scaling group of one: no instance in service (no egress for the VPC). */
export function monitorNatInstance(ctx: MonitorContext, group: AutoscalingGroup): void {
  ctx.alarms.add({
    ...timing(ctx),
    kind: 'nat-instance-down',
    subject: subjectOf(ctx, group, group.nameInput),
    row: 'network',
    summary: 'NAT instance not in service',
    metrics: [
      {
        namespace: 'AWS/AutoScaling',
        name: 'GroupInServiceInstances',
        dimensions: { AutoScalingGroupName: group.name },
        stat: 'Minimum',
      },
    ],
    threshold: 1,
    comparison: 'LessThanThreshold',
    // No data: the group publishes nothing, which is as bad as no instance.
    treatMissingData: 'breaching',
  });
}

/** A web ACL: a spike of blocked requests (an attack, or a rule blocking real users). */
export function monitorWebAcl(ctx: MonitorContext, acl: Wafv2WebAcl): void {
  const t = ctx.thresholds;
  const regional = acl.scopeInput !== 'CLOUDFRONT';
  ctx.alarms.add({
    ...timing(ctx),
    kind: 'waf-blocked-spike',
    subject: subjectOf(ctx, acl, acl.nameInput),
    row: 'edge',
    summary: `Requests blocked by the web ACL per period above ${t.wafBlockedRequests}`,
    metrics: [
      {
        namespace: 'AWS/WAFV2',
        name: 'BlockedRequests',
        dimensions: { WebACL: acl.name, Rule: 'ALL', ...(regional ? { Region: ctx.region } : {}) },
        stat: 'Sum',
      },
    ],
    threshold: t.wafBlockedRequests,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
  });
}

/**
 * Route 53's probe of the public endpoint (edge/endpoint-health-check.ts): unhealthy means the
 * region no longer serves users (or the endpoint's path is broken). Route 53 publishes the metric in
 * us-east-1 only (the schema keeps health-checked environments there).
 */
export function monitorHealthCheck(ctx: MonitorContext, check: Route53HealthCheck): void {
  ctx.alarms.add({
    ...timing(ctx),
    kind: 'endpoint-health',
    subject: 'endpoint',
    row: 'edge',
    summary: 'Route 53 health checkers find the public endpoint unhealthy',
    metrics: [
      {
        namespace: 'AWS/Route53',
        name: 'HealthCheckStatus',
        dimensions: { HealthCheckId: check.id },
        stat: 'Minimum',
      },
    ],
    threshold: 1,
    comparison: 'LessThanThreshold',
    treatMissingData: 'breaching',
  });
}

import type { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import type { Alarm } from './alarm-set';
import type { LoadBalancerAlarms } from './edge-monitors';

/** The alarms the monitoring pass made for one ECS service. */
export interface ServiceAlarms {
  readonly service: EcsService;
  readonly alarms: readonly Alarm[];
}

/** Alarm kinds that say a release is broken (load alarms such as CPU are not a reason to roll back). */
const ROLLBACK_SERVICE_KINDS = ['ecs-running-tasks'];

/**
 * Gives each CodeDeploy deployment group the alarms of the service it deploys and rollback on them
 * (docs/architecture.md, "Blue/green deployments"): fewer running tasks than desired, unhealthy
 * targets in either of its target groups, and its load balancer's target 5xx count and rate. The
 * group is found by the service name and target group names it names (`resolved` compares tokens).
 * Returns the alarm names per group, for the tests and the dashboard.
 */
export function attachDeploymentAlarms(
  groups: readonly CodedeployDeploymentGroup[],
  services: readonly ServiceAlarms[],
  loadBalancers: readonly LoadBalancerAlarms[],
  resolved: (value: unknown) => string,
): Map<CodedeployDeploymentGroup, string[]> {
  const attached = new Map<CodedeployDeploymentGroup, string[]>();
  for (const group of groups) {
    const serviceName = resolved(group.ecsServiceInput?.serviceName);
    const own = services.find((s) => resolved(s.service.nameInput ?? s.service.name) === serviceName);
    const pairs = group.loadBalancerInfoInput?.targetGroupPairInfo?.targetGroup;
    const groupNames = (Array.isArray(pairs) ? pairs : []).map((tg) => resolved(tg.name));
    const alarms: Alarm[] = own ? own.alarms.filter((a) => ROLLBACK_SERVICE_KINDS.includes(a.spec.kind)) : [];
    for (const lb of loadBalancers) {
      const hosts = lb.unhealthyHostsByGroup.filter((u) => groupNames.includes(resolved(u.group.name)));
      if (hosts.length === 0) continue;
      alarms.push(...hosts.map((u) => u.alarm), lb.target5xx, lb.target5xxRate);
    }
    if (alarms.length === 0) continue;
    // Literal names: CodeDeploy takes alarm names (at most 10 per group).
    const names = [...new Set(alarms.map((a) => a.resource.alarmNameInput ?? a.resource.alarmName))];
    group.putAlarmConfiguration({ enabled: true, alarms: names.slice(0, 10) });
    group.putAutoRollbackConfiguration({
      enabled: true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'],
    });
    attached.set(group, names);
  }
  return attached;
}

import { XrayGroup } from '@cdktf/provider-aws/lib/xray-group';
import { XraySamplingRule } from '@cdktf/provider-aws/lib/xray-sampling-rule';
import type { Construct } from 'constructs';
import type { ObservabilityConfig } from '../../environments/schema/observability';
import type { Naming } from '../core/naming';

/**
 * X-Ray for an environment whose services trace (`services.<name>.xray`: the daemon sidecar and its
 * IAM come with the service): a sampling rule for the environment's segments (named
 * `<project>-<env>-<service>` by `AWS_XRAY_TRACING_NAME`) and a group that collects exactly those
 * services' traces, with X-Ray Insights on.
 */
export function createTracing(
  scope: Construct,
  naming: Naming,
  tracedServices: readonly string[],
  tracing: ObservabilityConfig['tracing'],
): void {
  if (tracedServices.length === 0) return;
  new XraySamplingRule(scope, 'TraceSampling', {
    ruleName: naming.short('traces', 32),
    priority: 1000,
    version: 1,
    fixedRate: tracing.samplingRate,
    reservoirSize: tracing.reservoirPerSecond,
    serviceName: `${naming.prefix}-*`,
    serviceType: '*',
    host: '*',
    httpMethod: '*',
    urlPath: '*',
    resourceArn: '*',
  });
  new XrayGroup(scope, 'TraceGroup', {
    groupName: naming.short('traces', 32),
    filterExpression: tracedServices.map((s) => `service("${naming.name(s)}")`).join(' OR '),
    insightsConfiguration: { insightsEnabled: true, notificationsEnabled: false },
  });
}

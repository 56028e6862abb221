import { XrayGroup } from '@cdktf/provider-aws/lib/xray-group';
import { XraySamplingRule } from '@cdktf/provider-aws/lib/xray-sampling-rule';
import type { Construct } from 'constructs';
import type { ObservabilityConfig } from '../../environments/schema/observability';
import type { Naming } from '../core/naming';

/**
 * X-Ray for an environment with services (every service traces: OpenTelemetry SDK -> the ADOT
 * collector sidecar on Fargate, the CloudWatch agent on EKS -> X-Ray; constructs/compute/otel-collector.ts):
 * a group that collects exactly those services' traces (named `<project>-<env>-<service>` by
 * OTEL_SERVICE_NAME), with X-Ray Insights on, and a sampling rule for the environment's segments at
 * the configured rate, which X-Ray SDK clients still get through the collector's sampling proxy (the
 * OpenTelemetry SDKs sample at the same rate themselves).
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

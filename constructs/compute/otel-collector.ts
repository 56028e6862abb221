/**
 * Tracing on OpenTelemetry (issue 27; docs/architecture.md, "Tracing"): every service exports its
 * traces over OTLP to a collector that sends them to X-Ray. On Fargate the collector is the AWS
 * Distro for OpenTelemetry (ADOT) collector, a sidecar of every task; on EKS it is the CloudWatch
 * agent of the `amazon-cloudwatch-observability` add-on (eks/eks-addons.ts), which accepts OTLP too.
 * The X-Ray daemon (maintenance mode since 2026-02-25) is gone from both.
 */
import {
  ADOT_COLLECTOR_IMAGE,
  TRACE_COLLECTOR_RESERVATION,
  type ObservabilityConfig,
} from '../../environments/schema/observability';
import type { Naming } from '../core/naming';

/** The collector container's name in every Fargate task. */
export const COLLECTOR_CONTAINER = 'aws-otel-collector';

/** The default collector image (ADOT v0.48.0 by digest; `observability.tracing.collectorImage`). */
export const COLLECTOR_IMAGE = ADOT_COLLECTOR_IMAGE;

/** Where a Fargate task's app sends OTLP (gRPC): the sidecar, on the task's loopback. */
export const SIDECAR_OTLP_ENDPOINT = 'http://localhost:4317';
/** The sidecar's X-Ray (UDP segments, TCP sampling proxy) address, for apps still on the X-Ray SDK. */
export const SIDECAR_XRAY_ADDRESS = 'localhost:2000';

/** The CloudWatch agent's service of the `amazon-cloudwatch-observability` add-on (namespace amazon-cloudwatch). */
export const CLOUDWATCH_AGENT_HOST = 'cloudwatch-agent.amazon-cloudwatch';
/** Where a pod sends OTLP (gRPC): the CloudWatch agent's service in the cluster. */
export const AGENT_OTLP_ENDPOINT = `http://${CLOUDWATCH_AGENT_HOST}:4317`;

/**
 * The ADOT collector's configuration (`AOT_CONFIG_CONTENT`; JSON, which is YAML): OTLP on the task's
 * loopback (gRPC 4317, HTTP 4318) and the X-Ray receiver (UDP 2000, with its sampling proxy on TCP
 * 2000) for apps still on the X-Ray SDK, batched to the `awsxray` exporter. Traces only: no metrics
 * pipeline, so no EMF log writes and no CloudWatch rights on the task role. Sampling is the SDK's
 * (`tracingEnvironment`); the collector forwards what it gets.
 */
export function collectorConfig(region: string): string {
  return JSON.stringify({
    receivers: {
      otlp: {
        protocols: { grpc: { endpoint: '127.0.0.1:4317' }, http: { endpoint: '127.0.0.1:4318' } },
      },
      awsxray: {
        endpoint: '127.0.0.1:2000',
        transport: 'udp',
        proxy_server: { endpoint: '127.0.0.1:2000', region },
      },
    },
    processors: { batch: { timeout: '1s', send_batch_size: 50 } },
    exporters: { awsxray: { region } },
    service: {
      pipelines: {
        traces: { receivers: ['otlp', 'awsxray'], processors: ['batch'], exporters: ['awsxray'] },
      },
    },
  });
}

/** The ADOT collector sidecar, in the shape of a configured sidecar (container-definitions.ts). */
export function collectorSidecar(region: string, image: string) {
  return {
    name: COLLECTOR_CONTAINER,
    image,
    cpu: TRACE_COLLECTOR_RESERVATION.cpu,
    memoryReservation: TRACE_COLLECTOR_RESERVATION.memoryReservation,
    essential: false,
    environment: { AOT_CONFIG_CONTENT: collectorConfig(region) },
  };
}

/**
 * What the app's OpenTelemetry SDK reads (the standard OTEL_* variables): its service name
 * `<project>-<env>-<service>` (the X-Ray group selects those), the collector's OTLP endpoint, parent-
 * based ratio sampling at `tracing.samplingRate`, W3C and X-Ray propagation, traces only. With
 * `target.xray` (the Fargate sidecar's X-Ray receiver) the X-Ray SDK's two variables stay for apps
 * not yet migrated; EKS has none (the agent takes OTLP only: X-Ray's UDP would cross nodes).
 */
export function tracingEnvironment(
  naming: Naming,
  service: string,
  tracing: ObservabilityConfig['tracing'],
  target: { otlp: string; xray?: string },
): Record<string, string> {
  return {
    OTEL_SERVICE_NAME: naming.name(service),
    OTEL_EXPORTER_OTLP_ENDPOINT: target.otlp,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(tracing.samplingRate),
    OTEL_PROPAGATORS: 'tracecontext,baggage,xray',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ...(target.xray
      ? { AWS_XRAY_TRACING_NAME: naming.name(service), AWS_XRAY_DAEMON_ADDRESS: target.xray }
      : {}),
  };
}

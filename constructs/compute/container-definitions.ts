import type { SecretRef } from '../core/service-bindings';
import type { FargateServiceProps } from './fargate-service';
import {
  collectorSidecar,
  SIDECAR_OTLP_ENDPOINT,
  SIDECAR_XRAY_ADDRESS,
  tracingEnvironment,
} from './otel-collector';

/** Name of the application container (the load balancer targets it). */
export const APP = 'app';

export interface ContainerInputs {
  readonly props: FargateServiceProps;
  readonly logGroupName: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretRef>>;
}

/** The task's container definitions: the application container, configured sidecars, the OpenTelemetry collector. */
export function containerDefinitions(inputs: ContainerInputs): unknown[] {
  const { props } = inputs;
  const log = (prefix: string) => ({
    logDriver: 'awslogs',
    options: {
      'awslogs-group': inputs.logGroupName,
      'awslogs-region': props.region,
      'awslogs-stream-prefix': prefix,
    },
  });
  const env = (vars: Readonly<Record<string, string>>) =>
    Object.keys(vars)
      .sort()
      .map((name) => ({ name, value: vars[name] }));
  const { service } = props;
  const writable = service.writablePaths;
  const app = {
    name: APP,
    image: props.image,
    essential: true,
    portMappings: [{ name: APP, containerPort: service.port, protocol: 'tcp', appProtocol: 'http' }],
    // Every service traces: its OpenTelemetry SDK names its spans after the service (the environment's
    // X-Ray group selects `<project>-<env>-<service>`), samples at the configured rate and exports to
    // the collector sidecar (otel-collector.ts). The service's own variables win over these.
    environment: env({
      ...tracingEnvironment(props.naming, props.name, props.tracing, {
        otlp: SIDECAR_OTLP_ENDPOINT,
        xray: SIDECAR_XRAY_ADDRESS,
      }),
      ...inputs.environment,
    }),
    secrets: Object.keys(inputs.secrets)
      .sort()
      .map((name) => {
        const s = inputs.secrets[name];
        return { name, valueFrom: s.jsonKey ? `${s.arn}:${s.jsonKey}::` : s.arn };
      }),
    logConfiguration: log(props.name),
    readonlyRootFilesystem: service.readonlyRootFilesystem,
    mountPoints: writable.map((containerPath, i) => ({
      sourceVolume: `scratch-${i}`,
      containerPath,
      readOnly: false,
    })),
    ...(service.user ? { user: service.user } : {}),
    ...(service.containerHealthCheck
      ? {
          healthCheck: {
            command: ['CMD-SHELL', service.containerHealthCheck],
            interval: 30,
            timeout: 5,
            retries: 3,
            startPeriod: 60,
          },
        }
      : {}),
    // Seed 000: graceful shutdown. ECS Exec needs an init process to reap the agent's children.
    stopTimeout: 30,
    linuxParameters: { initProcessEnabled: true },
  };
  // The collector listens on the task's loopback only: no port mappings.
  const sidecars = [...service.sidecars, collectorSidecar(props.region, props.tracing.collectorImage)].map(
    (s) => ({
      name: s.name,
      image: s.image,
      essential: s.essential,
      cpu: s.cpu,
      ...(s.memoryReservation ? { memoryReservation: s.memoryReservation } : {}),
      portMappings: 'port' in s && s.port ? [{ containerPort: s.port, protocol: 'tcp' }] : [],
      environment: env(s.environment),
      logConfiguration: log(s.name),
    }),
  );
  return [app, ...sidecars];
}

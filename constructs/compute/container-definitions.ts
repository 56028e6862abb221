import type { SecretRef } from '../core/service-bindings';
import type { FargateServiceProps } from './fargate-service';

/** Name of the application container (the load balancer targets it). */
export const APP = 'app';
const XRAY_IMAGE = 'public.ecr.aws/xray/aws-xray-daemon:3.3.14';

export interface ContainerInputs {
  readonly props: FargateServiceProps;
  readonly logGroupName: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretRef>>;
}

/** The task's container definitions: the application container, configured sidecars, the X-Ray daemon. */
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
    // With tracing, the SDK names its segments after the service (the environment's X-Ray group and
    // sampling rule select `<project>-<env>-*`) and sends them to the daemon sidecar.
    environment: env(
      service.xray
        ? {
            AWS_XRAY_TRACING_NAME: props.naming.name(props.name),
            AWS_XRAY_DAEMON_ADDRESS: 'localhost:2000',
            ...inputs.environment,
          }
        : inputs.environment,
    ),
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
  const sidecars = [
    ...service.sidecars,
    ...(service.xray
      ? [
          {
            name: 'xray-daemon',
            image: XRAY_IMAGE,
            cpu: 32,
            memoryReservation: 64,
            port: 2000,
            protocol: 'udp' as const,
            essential: false,
            environment: {},
          },
        ]
      : []),
  ].map((s) => ({
    name: s.name,
    image: s.image,
    essential: s.essential,
    cpu: s.cpu,
    ...(s.memoryReservation ? { memoryReservation: s.memoryReservation } : {}),
    portMappings: s.port ? [{ containerPort: s.port, protocol: 'protocol' in s ? s.protocol : 'tcp' }] : [],
    environment: env(s.environment),
    logConfiguration: log(s.name),
  }));
  return [app, ...sidecars];
}

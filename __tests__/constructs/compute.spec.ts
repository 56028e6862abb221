import { lifecyclePolicy } from '../../constructs/compute/service-repository';
import { COLLECTOR_IMAGE } from '../../constructs/compute/otel-collector';
import { KEYS, SUBNETS, byPrefix, configOf } from '../support/bare';
import { DB_SECRET, LISTENER, RULE, compute, computeContracts, targetGroup } from '../support/compute-layer';
import { envInput, policy, synthPlatform, type Synthesized } from '../support/fixtures';

const containers = (out: Synthesized, service: string) =>
  JSON.parse(byPrefix(out, 'aws_ecs_task_definition', `Service-${service}_`)[0].container_definitions);

const dev = compute(configOf('dev'));

describe('ECR', () => {
  const out = dev;

  it('has one scanned, KMS-encrypted, immutable repository per service', () => {
    const repos = out.resources('aws_ecr_repository').map(([, r]) => r);
    const services = Object.keys(configOf('dev').services);
    expect(repos.map((r) => r.name).sort()).toEqual(services.map((s) => `webplat-dev-${s}`).sort());
    for (const r of repos) {
      expect(r).toMatchObject({
        image_tag_mutability: 'IMMUTABLE',
        image_scanning_configuration: { scan_on_push: true },
        force_delete: false,
      });
      expect(r.encryption_configuration[0]).toMatchObject({ encryption_type: 'KMS', kms_key: KEYS.data });
    }
  });

  it('keeps 10 releases (v*) and 30 builds (sha-*), and expires untagged images after 7 days', () => {
    const doc = JSON.parse(out.resources('aws_ecr_lifecycle_policy')[0][1].policy);
    expect(doc).toEqual(JSON.parse(lifecyclePolicy(10, 30, 7)));
    const rules = doc.rules.map((r: any) => r.selection);
    expect(rules).toContainEqual({
      tagStatus: 'untagged',
      countType: 'sinceImagePushed',
      countUnit: 'days',
      countNumber: 7,
    });
    expect(rules).toContainEqual({
      tagStatus: 'tagged',
      tagPrefixList: ['v'],
      countType: 'imageCountMoreThan',
      countNumber: 10,
    });
    expect(rules).toContainEqual({
      tagStatus: 'tagged',
      tagPrefixList: ['sha-'],
      countType: 'imageCountMoreThan',
      countNumber: 30,
    });
  });
});

describe('ECS cluster', () => {
  const out = dev;
  it('runs Fargate and Fargate Spot with Container Insights and logged, encrypted ECS Exec', () => {
    const cluster = out.only('aws_ecs_cluster');
    expect(cluster.name).toBe('webplat-dev');
    expect(cluster.setting).toEqual([{ name: 'containerInsights', value: 'enabled' }]);
    const exec = cluster.configuration.execute_command_configuration;
    expect(exec).toMatchObject({
      logging: 'OVERRIDE',
      log_configuration: { cloud_watch_encryption_enabled: true },
    });
    expect(exec.kms_key_id).toBe(KEYS.data);
    const execGroup = byPrefix(out, 'aws_cloudwatch_log_group', 'Cluster_ExecLogGroup')[0];
    expect(execGroup).toMatchObject({ name: '/ecs/webplat-dev/exec', kms_key_id: KEYS.logs });
    expect(out.only('aws_ecs_cluster_capacity_providers')).toMatchObject({
      capacity_providers: ['FARGATE', 'FARGATE_SPOT'],
      default_capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
    });
  });
});

describe('Fargate services', () => {
  const out = compute(
    configOf('dev', (env) => {
      env.services.backend.secrets = {
        API_KEY: { arn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:webplat/api-key-AbCdEf' },
        STRIPE_KEY: {
          arn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:webplat/stripe-XyZ123',
          jsonKey: 'secret',
        },
      };
      env.services.backend.environment = { LOG_LEVEL: 'info' };
      env.services.backend.sidecars = [
        { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod', port: 9901 },
      ];
      env.services.backend.user = '1000:1000';
    }),
  );
  const [app, ...sidecars] = containers(out, 'backend');
  const taskDef = byPrefix(out, 'aws_ecs_task_definition', 'Service-backend_')[0];
  const service = byPrefix(out, 'aws_ecs_service', 'Service-backend_')[0];

  it('define the task: Fargate, awsvpc, validated size, both roles', () => {
    expect(taskDef).toMatchObject({
      family: 'webplat-dev-backend',
      network_mode: 'awsvpc',
      requires_compatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      runtime_platform: { operating_system_family: 'LINUX', cpu_architecture: 'X86_64' },
    });
    expect(taskDef.execution_role_arn).toMatch(/Service-backend_ExecutionRole/);
    expect(taskDef.task_role_arn).toMatch(/Service-backend_TaskRole/);
  });

  it('run the app container from its repository with port, logs, read-only root and scratch volume', () => {
    expect(app.name).toBe('app');
    expect(app.image).toMatch(
      /^\$\{aws_ecr_repository\.Repository-backend_Repository_[A-Z0-9]+\.repository_url\}:latest$/,
    );
    expect(app.portMappings).toEqual([
      { name: 'app', containerPort: 8000, protocol: 'tcp', appProtocol: 'http' },
    ]);
    expect(app.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: {
        'awslogs-group': expect.stringMatching(/aws_cloudwatch_log_group\.Service-backend_LogGroup.+\.name/),
        'awslogs-region': 'us-east-1',
        'awslogs-stream-prefix': 'backend',
      },
    });
    expect(app.readonlyRootFilesystem).toBe(true);
    expect(app.mountPoints).toEqual([{ sourceVolume: 'scratch-0', containerPath: '/tmp', readOnly: false }]);
    expect(taskDef.volume).toEqual([{ name: 'scratch-0' }]);
    expect(app.user).toBe('1000:1000');
    expect(app.environment).toContainEqual({ name: 'LOG_LEVEL', value: 'info' });
    const group = byPrefix(out, 'aws_cloudwatch_log_group', 'Service-backend_LogGroup')[0];
    expect(group).toMatchObject({ name: '/ecs/webplat-dev/backend', retention_in_days: 30 });
  });

  it('inject secrets by ARN (and JSON key), never as plaintext environment', () => {
    expect(app.secrets).toEqual([
      {
        name: 'API_KEY',
        valueFrom: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:webplat/api-key-AbCdEf',
      },
      { name: 'DB_PASSWORD', valueFrom: `${DB_SECRET}:password::` },
      { name: 'DB_USERNAME', valueFrom: `${DB_SECRET}:username::` },
      {
        name: 'STRIPE_KEY',
        valueFrom: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:webplat/stripe-XyZ123:secret::',
      },
    ]);
    expect(JSON.stringify(app.environment)).not.toMatch(/secretsmanager/);
  });

  it('add configured sidecars and the OpenTelemetry collector (by digest, config in its environment)', () => {
    expect(sidecars.map((s: any) => s.name)).toEqual(['envoy', 'aws-otel-collector']);
    expect(sidecars[0]).toMatchObject({
      essential: false,
      portMappings: [{ containerPort: 9901, protocol: 'tcp' }],
    });
    const collector = sidecars[1];
    expect(collector).toMatchObject({
      image: COLLECTOR_IMAGE,
      essential: false,
      cpu: 64,
      memoryReservation: 128,
      portMappings: [],
      logConfiguration: { options: { 'awslogs-stream-prefix': 'aws-otel-collector' } },
    });
    expect(collector.image).toMatch(
      /^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v[\d.]+@sha256:[0-9a-f]{64}$/,
    );
    const env = Object.fromEntries(collector.environment.map((e: any) => [e.name, e.value]));
    const config = JSON.parse(env.AOT_CONFIG_CONTENT);
    expect(config.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: '127.0.0.1:4317' },
      http: { endpoint: '127.0.0.1:4318' },
    });
    expect(config.exporters).toEqual({ awsxray: { region: 'us-east-1' } });
    expect(config.service.pipelines).toEqual({
      traces: { receivers: ['otlp', 'awsxray'], processors: ['batch'], exporters: ['awsxray'] },
    });
  });

  it("point the app's OpenTelemetry SDK at the collector, sampling at the configured rate", () => {
    const env = Object.fromEntries(app.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      OTEL_SERVICE_NAME: 'webplat-dev-backend',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.05',
      AWS_XRAY_DAEMON_ADDRESS: 'localhost:2000',
      LOG_LEVEL: 'info',
    });
  });

  it('limit the execution role to its repository, its log group and its named secrets', () => {
    const doc = policy(byPrefix(out, 'aws_iam_role_policy', 'Service-backend_ExecutionPolicy')[0].policy);
    const bySid = Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));
    expect(bySid.EcrLogin).toMatchObject({ Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(bySid.PullImages.Resource).toEqual([
      expect.stringMatching(/aws_ecr_repository\.Repository-backend_Repository.+\.arn/),
      'arn:aws:ecr:us-east-1:*:repository/aws-guardduty-agent-fargate',
    ]);
    expect(bySid.WriteLogs.Resource).toMatch(/Service-backend_LogGroup.+\.arn\}:\*$/);
    expect(bySid.ReadNamedSecrets.Resource).toEqual([
      'arn:aws:secretsmanager:us-east-1:111111111111:secret:webplat/api-key-AbCdEf',
      'arn:aws:secretsmanager:us-east-1:111111111111:secret:webplat/stripe-XyZ123',
      DB_SECRET,
    ]);
    expect(bySid.DecryptSecrets.Condition.StringEquals['kms:ViaService']).toBe(
      'secretsmanager.us-east-1.amazonaws.com',
    );
  });

  it('give the task role only what config grants and enabled features need', () => {
    const doc = policy(byPrefix(out, 'aws_iam_role_policy', 'Service-backend_TaskPolicy')[0].policy);
    expect(doc.Statement.map((s) => s.Sid)).toEqual([
      'EcsExecChannels',
      'EcsExecFindLogGroup',
      'EcsExecLogs',
      'EcsExecSessionKey',
      'XRayTraces',
      'RedisIamConnect',
      'TableSessions',
      'BucketMediaObjects',
      'BucketMediaList',
      'BucketMediaKey',
    ]);
    // frontend: no exec, no grants -> only its collector's X-Ray writes.
    const frontend = policy(byPrefix(out, 'aws_iam_role_policy', 'Service-frontend_TaskPolicy')[0].policy);
    expect(frontend.Statement).toEqual([
      {
        Sid: 'XRayTraces',
        Effect: 'Allow',
        Action: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
        ],
        Resource: '*',
      },
    ]);
  });

  it('pull images with the two calls a pull makes (no push action)', () => {
    const doc = policy(byPrefix(out, 'aws_iam_role_policy', 'Service-backend_ExecutionPolicy')[0].policy);
    const pull = doc.Statement.find((s) => s.Sid === 'PullImages');
    expect(pull.Action).toEqual(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
  });

  it("declare the roles' contracts: who calls each grant, and the neighbour's image, logs and secrets denied", () => {
    const contracts = computeContracts(
      configOf('dev', (env) => {
        env.services.frontend.secrets = {
          SITE_KEY: { arn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:webplat/site-AbCdEf' },
        };
      }),
    );
    const actions = (list: any[]) => list.map((r) => r.action);
    const task = contracts['webplat-dev-backend-task'];
    // The stores' requests, then ECS Exec's and X-Ray's (both on for the backend here).
    expect(actions(task.allow)).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'ssmmessages:OpenDataChannel', 'xray:PutTraceSegments']),
    );
    expect(actions(contracts['webplat-dev-frontend-task'].allow)).toEqual([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ]);
    expect(task.trust.allow).toEqual([
      expect.objectContaining({
        principal: 'ecs-tasks.amazonaws.com',
        context: { 'aws:SourceAccount': '111111111111' },
      }),
    ]);

    const backend = contracts['webplat-dev-backend-execution'];
    const frontend = contracts['webplat-dev-frontend-execution'];
    const on = (list: any[]) => list.map((r) => `${r.action} ${r.resource}`);
    expect(on(backend.allow)).toEqual(
      expect.arrayContaining([
        'ecr:GetAuthorizationToken *',
        expect.stringMatching(/^ecr:BatchGetImage \$\{aws_ecr_repository\.Repository-backend_/),
        `secretsmanager:GetSecretValue ${DB_SECRET}`,
      ]),
    );
    expect(on(backend.deny)).toEqual(
      expect.arrayContaining([
        'ecr:BatchGetImage arn:aws:ecr:us-east-1:111111111111:repository/webplat-dev-frontend',
        'secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:111111111111:secret:webplat/site-AbCdEf',
      ]),
    );
    // The master secret: denied to the service whose bindings do not hold it, never to the one that does.
    expect(on(frontend.deny)).toContain(`secretsmanager:GetSecretValue ${DB_SECRET}`);
    expect(on(backend.deny)).not.toContain(`secretsmanager:GetSecretValue ${DB_SECRET}`);
  });

  it('deploy safely: rolling with circuit breaker and rollback, 100/200, private subnets, no public IP', () => {
    expect(service).toMatchObject({
      name: 'webplat-dev-backend',
      desired_count: 1,
      deployment_controller: { type: 'ECS' },
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
      health_check_grace_period_seconds: 60,
      enable_execute_command: true,
      network_configuration: { assign_public_ip: false },
      capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT', weight: 1, base: 0 }],
      lifecycle: { ignore_changes: ['task_definition', 'desired_count'] },
    });
    expect(service.network_configuration.subnets).toEqual(SUBNETS.private);
    expect(service.load_balancer).toEqual([
      { target_group_arn: targetGroup('backend'), container_name: 'app', container_port: 8000 },
    ]);
    expect(service.depends_on).toEqual(
      expect.arrayContaining([LISTENER, expect.stringMatching(/aws_ecs_cluster_capacity_providers\./), RULE]),
    );
  });

  it('manage task_definition from Terraform when CI does not deploy images', () => {
    const config = configOf('staging', (e) => {
      e.services.backend.deployedByCi = false;
      delete e.services.backend.autoscaling;
      e.services.backend.desiredCount = 2;
    });
    const s = byPrefix(compute(config), 'aws_ecs_service', 'Service-backend_')[0];
    expect(s.lifecycle).toBeUndefined();
    expect(s.capacity_provider_strategy[0].capacity_provider).toBe('FARGATE');
  });

  it('use a public placeholder image when config names one', () => {
    const config = configOf('dev', (e) => (e.services.frontend.image = 'public.ecr.aws/nginx/nginx:1.27'));
    expect(containers(compute(config), 'frontend')[0].image).toBe('public.ecr.aws/nginx/nginx:1.27');
  });
});

describe('autoscaling', () => {
  const out = dev;

  it('tracks CPU within min/max with cooldowns', () => {
    const target = byPrefix(out, 'aws_appautoscaling_target', 'Service-backend_')[0];
    expect(target).toMatchObject({
      min_capacity: 1,
      max_capacity: 4,
      scalable_dimension: 'ecs:service:DesiredCount',
      service_namespace: 'ecs',
    });
    expect(target.resource_id).toMatch(
      /^service\/\$\{aws_ecs_cluster\..+\.name\}\/\$\{aws_ecs_service\..+\.name\}$/,
    );
    const cpu = byPrefix(out, 'aws_appautoscaling_policy', 'Service-backend_Cpu')[0];
    expect(cpu.target_tracking_scaling_policy_configuration).toMatchObject({
      predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' },
      target_value: 70,
      scale_out_cooldown: 60,
      scale_in_cooldown: 300,
    });
    expect(byPrefix(out, 'aws_appautoscaling_policy', 'Service-backend_Memory')).toEqual([]);
  });

  it('adds memory tracking when configured (prod backend)', () => {
    const prod = compute(configOf('prod'));
    const mem = byPrefix(prod, 'aws_appautoscaling_policy', 'Service-backend_Memory')[0];
    expect(mem.target_tracking_scaling_policy_configuration).toMatchObject({
      predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageMemoryUtilization' },
      target_value: 80,
    });
  });

  it('scales in by steps on low CPU where configured, and target tracking then only scales out (dev backend)', () => {
    const trackers = byPrefix(out, 'aws_appautoscaling_policy', 'Service-backend_Cpu');
    expect(trackers[0].target_tracking_scaling_policy_configuration.disable_scale_in).toBe(true);
    const step = byPrefix(out, 'aws_appautoscaling_policy', 'Service-backend_StepScaleIn')[0];
    expect(step).toMatchObject({
      policy_type: 'StepScaling',
      step_scaling_policy_configuration: {
        adjustment_type: 'ChangeInCapacity',
        step_adjustment: [{ metric_interval_upper_bound: '0', scaling_adjustment: -1 }],
      },
    });
    const alarm = byPrefix(out, 'aws_cloudwatch_metric_alarm', 'Service-backend_ScaleInAlarm')[0];
    expect(alarm).toMatchObject({
      metric_name: 'CPUUtilization',
      comparison_operator: 'LessThanThreshold',
      threshold: 30,
      evaluation_periods: 15,
      period: 60,
    });
    expect(alarm.alarm_actions).toEqual([
      expect.stringMatching(/aws_appautoscaling_policy\.Service-backend_StepScaleIn_\w+\.arn/),
    ]);
    // The frontend keeps target tracking both ways.
    const frontend = byPrefix(out, 'aws_appautoscaling_policy', 'Service-frontend_Cpu')[0];
    expect(frontend.target_tracking_scaling_policy_configuration.disable_scale_in).toBeUndefined();
  });

  it('adds request-count tracking on its own target group when configured (staging backend)', () => {
    const staging = compute(configOf('staging'));
    const requests = byPrefix(staging, 'aws_appautoscaling_policy', 'Service-backend_Requests')[0];
    expect(requests.target_tracking_scaling_policy_configuration).toMatchObject({
      predefined_metric_specification: {
        predefined_metric_type: 'ALBRequestCountPerTarget',
        resource_label: 'app/webplat-alb/0123456789abcdef/targetgroup/backend/0123456789abcdef',
      },
      target_value: 600,
    });
    expect(byPrefix(out, 'aws_appautoscaling_policy', 'Service-backend_Requests')).toEqual([]);
  });

  it('schedules business-hours scale-up and night scale-to-zero with a time zone', () => {
    const actions = byPrefix(out, 'aws_appautoscaling_scheduled_action', 'Service-backend_');
    const summary = actions.map((a) => ({
      name: a.name,
      schedule: a.schedule,
      tz: a.timezone,
      ...a.scalable_target_action,
    }));
    expect(summary.sort((a, b) => a.name.localeCompare(b.name)).reverse()).toEqual([
      {
        name: 'webplat-dev-backend-workday-start',
        schedule: 'cron(0 7 ? * MON-FRI *)',
        tz: 'Europe/Berlin',
        min_capacity: '1',
        max_capacity: '4',
      },
      {
        name: 'webplat-dev-backend-night',
        schedule: 'cron(0 20 ? * * *)',
        tz: 'Europe/Berlin',
        min_capacity: '0',
        max_capacity: '0',
      },
    ]);
  });
});

// Whole platform, synthesized once per environment (memoized): these tests are about the wiring of
// the layers (edge -> compute -> data) and about every policy of the platform together.
describe('compute in the platform', () => {
  const out = synthPlatform(envInput('dev'));
  const service = byPrefix(out, 'aws_ecs_service', 'Service-backend_')[0];
  const app = containers(out, 'backend')[0];

  it('runs services in the network layer private subnets, behind the edge route', () => {
    expect(service.network_configuration.subnets.every((s: string) => s.includes('PrivateSubnet'))).toBe(
      true,
    );
    expect(service.load_balancer).toEqual([
      {
        target_group_arn: expect.stringMatching(/TargetGroup-backend/),
        container_name: 'app',
        container_port: 8000,
      },
    ]);
    expect(service.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/aws_lb_listener\.LoadBalancer_HttpsListener/),
        expect.stringMatching(/aws_ecs_cluster_capacity_providers\./),
        expect.stringMatching(/aws_lb_listener_rule/),
      ]),
    );
  });

  it('encrypts with the security layer keys; the service connects as its own user, never with the master secret', () => {
    expect(out.only('aws_ecs_cluster').configuration.execute_command_configuration.kms_key_id).toMatch(
      /Keys_Data/,
    );
    expect(app.secrets).toEqual([]);
    const env = Object.fromEntries(app.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ DB_USER: 'app_backend', DB_IAM_AUTH: 'true' });
    const execution = byPrefix(out, 'aws_iam_role_policy', 'Service-backend_ExecutionPolicy')[0].policy;
    expect(execution).not.toMatch(/master_user_secret|secretsmanager/);
    const task = policy(byPrefix(out, 'aws_iam_role_policy', 'Service-backend_TaskPolicy')[0].policy);
    expect(task.Statement.find((s) => s.Sid === 'DatabaseConnectAsOwnUser').Resource).toEqual([
      expect.stringMatching(
        /:dbuser:\$\{aws_db_instance\.Database_Instance_\w+\.resource_id\}\/app_backend$/,
      ),
    ]);
  });
});

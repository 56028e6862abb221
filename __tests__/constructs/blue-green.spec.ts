/**
 * Blue/green deployments (docs/architecture.md, "Blue/green deployments"): the CODE_DEPLOY service
 * and its ignore rules, the edge's second target group and test listener, CodeDeploy's application,
 * deployment group and traffic shift, the alarms it rolls back on, the notifications, and the
 * config rules. Production's backend is blue/green, its frontend rolling (mixed modes).
 */
import { deploymentConfigName } from '../../constructs/compute/blue-green-deployment';
import { byPrefix, configOf } from '../support/bare';
import { PRODUCTION_LISTENER, PRODUCTION_RULE, TEST_LISTENER, compute } from '../support/compute-layer';
import { expectRejected } from '../support/config-errors';
import { envInput, policy, synthPlatform, type Synthesized } from '../support/fixtures';
import { decide } from '../support/iam-eval';
import { edgeLayer } from '../support/edge-layer';

const blueGreen = (shift?: unknown) => (env: any) => {
  env.services.backend.deployment = { type: 'blueGreen', ...(shift ? { trafficShift: shift } : {}) };
};
const role = (name: string) => `arn:aws:iam::111111111111:role/${name}`;
/** The test-traffic hook of a service (constructs/compute/test-traffic-hook.ts). */
const fn = (svc: string) =>
  `arn:aws:lambda:us-east-1:111111111111:function:CodeDeployHook_webplat-prod-${svc}-test-traffic`;
const service = (out: Synthesized, name: string) => byPrefix(out, 'aws_ecs_service', `Service-${name}_`)[0];

describe('the service: controller and what Terraform leaves to CodeDeploy', () => {
  const out = compute(configOf('prod'));

  it('deploys the blue/green service with CODE_DEPLOY, no circuit breaker, and ignores what CodeDeploy changes', () => {
    const backend = service(out, 'backend');
    expect(backend.deployment_controller).toEqual({ type: 'CODE_DEPLOY' });
    expect(backend.deployment_circuit_breaker).toBeUndefined();
    expect(backend.lifecycle.ignore_changes).toEqual(
      expect.arrayContaining(['task_definition', 'load_balancer']),
    );
  });

  it('keeps the rolling service beside it on ECS with the circuit breaker (an environment mixes modes)', () => {
    const frontend = service(out, 'frontend');
    expect(frontend.deployment_controller).toEqual({ type: 'ECS' });
    expect(frontend.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(frontend.lifecycle.ignore_changes).not.toContain('load_balancer');
  });

  it('ignores the task definition of a blue/green service even when CI does not deploy it', () => {
    const o = compute(configOf('prod', (env) => (env.services.backend.deployedByCi = false)));
    expect(service(o, 'backend').lifecycle.ignore_changes).toContain('task_definition');
  });
});

describe('CodeDeploy: application, deployment group, traffic shift', () => {
  const out = compute(configOf('prod'));

  it('has an ECS application and a blue/green group for the service with its target group pair and listeners', () => {
    expect(out.only('aws_codedeploy_app')).toMatchObject({
      name: 'webplat-prod-backend',
      compute_platform: 'ECS',
    });
    const group = out.only('aws_codedeploy_deployment_group');
    expect(group).toMatchObject({
      deployment_group_name: 'webplat-prod-backend',
      deployment_style: { deployment_option: 'WITH_TRAFFIC_CONTROL', deployment_type: 'BLUE_GREEN' },
      ecs_service: { service_name: 'webplat-prod-backend' },
      blue_green_deployment_config: {
        deployment_ready_option: { action_on_timeout: 'CONTINUE_DEPLOYMENT' },
        terminate_blue_instances_on_deployment_success: {
          action: 'TERMINATE',
          termination_wait_time_in_minutes: 5,
        },
      },
      auto_rollback_configuration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
    });
    // CodeDeploy refuses a group for a service that does not exist yet: created after it.
    expect(group.depends_on).toEqual([expect.stringMatching(/^aws_ecs_service\.Service-backend_/)]);
    const pair = group.load_balancer_info.target_group_pair_info;
    expect(pair.target_group).toEqual([{ name: 'webplat-backend' }, { name: 'webplat-backend-green' }]);
    expect(pair.prod_traffic_route.listener_arns).toEqual([PRODUCTION_LISTENER]);
    expect(pair.test_traffic_route.listener_arns).toEqual([TEST_LISTENER]);
  });

  it("shifts traffic as config says: prod's canary 10 % for 5 minutes as its own deployment config", () => {
    const config = out.only('aws_codedeploy_deployment_config');
    expect(config).toMatchObject({
      deployment_config_name: 'webplat-prod-backend-canary-10pct-5min',
      compute_platform: 'ECS',
      traffic_routing_config: { type: 'TimeBasedCanary', time_based_canary: { percentage: 10, interval: 5 } },
    });
    expect(out.only('aws_codedeploy_deployment_group').deployment_config_name).toMatch(
      /aws_codedeploy_deployment_config\..+\.deployment_config_name/,
    );
  });

  it('linear and all-at-once shifts', () => {
    const linear = compute(configOf('prod', blueGreen({ type: 'linear', percent: 20, minutes: 2 })));
    expect(linear.only('aws_codedeploy_deployment_config').traffic_routing_config).toEqual({
      type: 'TimeBasedLinear',
      time_based_linear: { percentage: 20, interval: 2 },
    });
    const once = compute(configOf('prod', blueGreen({ type: 'allAtOnce' })));
    expect(once.count('aws_codedeploy_deployment_config')).toBe(0);
    expect(once.only('aws_codedeploy_deployment_group').deployment_config_name).toBe(
      'CodeDeployDefault.ECSAllAtOnce',
    );
    expect(deploymentConfigName('p', 'api', { type: 'allAtOnce' })).toBe('CodeDeployDefault.ECSAllAtOnce');
  });

  it('acts through a role that reaches only this service, its listeners and its task roles (evaluated)', async () => {
    const [codeDeployRole] = byPrefix(out, 'aws_iam_role', 'Deployment-backend_');
    expect(policy(codeDeployRole.assume_role_policy).Statement[0].Principal).toEqual({
      Service: 'codedeploy.amazonaws.com',
    });
    const ecs = 'arn:aws:ecs:us-east-1:111111111111';
    // Terraform references in the document (service, cluster, roles): evaluate with their values.
    const doc = byPrefix(out, 'aws_iam_role_policy', 'Deployment-backend_')[0]
      .policy.replace(
        /\$\{aws_ecs_service\.Service-backend_[^}]+\.id\}/,
        `${ecs}:service/webplat-prod/webplat-prod-backend`,
      )
      .replace(/\$\{aws_ecs_cluster\.[^}]+\.name\}/g, 'webplat-prod')
      .replace(/\$\{aws_iam_role\.Service-backend_TaskRole_[^}]+\.arn\}/, role('webplat-prod-backend-task'))
      .replace(
        /\$\{aws_iam_role\.Service-backend_ExecutionRole_[^}]+\.arn\}/,
        role('webplat-prod-backend-execution'),
      )
      .replace(/\$\{aws_lambda_function\.TestTrafficHook-backend_[^}]+\.arn\}/, fn('backend'));
    expect(doc).not.toMatch(/\$\{/);
    const can = (action: string, resource: string, context = {}) =>
      decide({
        identity: [doc],
        principalArn: 'arn:aws:iam::111111111111:role/webplat-prod-backend-codedeploy',
        action,
        resource,
        context,
      });
    const taskSet = (svc: string) => `${ecs}:task-set/webplat-prod/webplat-prod-${svc}/ecs-svc/1`;
    const running = (family: string) => ({ 'ecs:task-definition': `${ecs}:task-definition/${family}:7` });
    expect(await can('ecs:CreateTaskSet', taskSet('backend'), running('webplat-prod-backend'))).toBe(
      'Allowed',
    );
    expect(await can('ecs:CreateTaskSet', taskSet('frontend'), running('webplat-prod-backend'))).not.toBe(
      'Allowed',
    );
    // Only a revision of the service's own family: not the migration task (the master credential),
    // not another service's, not another environment's; and never without the key.
    for (const family of ['webplat-prod-db-migrate', 'webplat-prod-frontend', 'webplat-staging-backend'])
      expect(await can('ecs:CreateTaskSet', taskSet('backend'), running(family))).not.toBe('Allowed');
    expect(await can('ecs:CreateTaskSet', taskSet('backend'))).not.toBe('Allowed');
    expect(await can('elasticloadbalancing:ModifyRule', PRODUCTION_RULE)).toBe('Allowed');
    expect(await can('elasticloadbalancing:ModifyListener', TEST_LISTENER)).toBe('Allowed');
    expect(
      await can('elasticloadbalancing:ModifyListener', PRODUCTION_LISTENER.replace('/https', '/other')),
    ).not.toBe('Allowed');
    const toEcs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
    expect(await can('iam:PassRole', role('webplat-prod-backend-task'), toEcs)).toBe('Allowed');
    expect(await can('iam:PassRole', role('webplat-prod-frontend-task'), toEcs)).not.toBe('Allowed');
    expect(await can('iam:PassRole', role('webplat-prod-db-migrate-task'), toEcs)).not.toBe('Allowed');
    // It invokes the AppSpec's AfterAllowTestTraffic hook, no other function (not another service's hook).
    expect(await can('lambda:InvokeFunction', fn('backend'))).toBe('Allowed');
    expect(await can('lambda:InvokeFunction', fn('frontend'))).not.toBe('Allowed');
    expect(
      await can(
        'lambda:InvokeFunction',
        'arn:aws:lambda:us-east-1:111111111111:function:webplat-prod-events-processor',
      ),
    ).not.toBe('Allowed');
  });
});

describe('the edge of a blue/green route', () => {
  const out = edgeLayer(configOf('prod'));
  const groups = Object.fromEntries(out.resources('aws_lb_target_group').map(([, g]) => [g.name, g]));

  it('has a second (green) target group like the first, for the blue/green service only', () => {
    expect(Object.keys(groups).sort()).toEqual([
      'webplat-prod-backend',
      'webplat-prod-backend-green',
      'webplat-prod-frontend',
    ]);
    // Everything but its name and construct metadata is the blue group's.
    const settings = (g: any) => ({ ...g, name: undefined, '//': undefined });
    expect(settings(groups['webplat-prod-backend-green'])).toEqual(settings(groups['webplat-prod-backend']));
  });

  it('adds an HTTPS test listener on the configured port, forwarding to the blue group, admitting only the VPC', () => {
    const test = byPrefix(out, 'aws_lb_listener', 'LoadBalancer_TestListener-backend')[0];
    expect(test).toMatchObject({ port: 8443, protocol: 'HTTPS', ssl_policy: expect.stringMatching(/TLS13/) });
    expect(test.default_action[0].target_group_arn).toMatch(/TargetGroup-backend_.+\.arn/);
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .map(([, r]) => r)
      .filter((r) => r.from_port === 8443);
    expect(ingress).toEqual([expect.objectContaining({ cidr_ipv4: '10.0.0.0/16', to_port: 8443 })]);
  });

  it("ignores the forward actions CodeDeploy rewrites: the production rule's and the test listener's", () => {
    const rules = Object.fromEntries(
      out.resources('aws_lb_listener_rule').map(([id, r]) => [id.split('_')[1], r]),
    );
    expect(rules['Rule-backend'].lifecycle).toEqual({ ignore_changes: ['action'] });
    const test = byPrefix(out, 'aws_lb_listener', 'LoadBalancer_TestListener-backend')[0];
    expect(test.lifecycle).toEqual({ ignore_changes: ['default_action'] });
    // The HTTPS listener's default action is the rolling frontend's: Terraform keeps managing it.
    expect(byPrefix(out, 'aws_lb_listener', 'LoadBalancer_HttpsListener')[0].lifecycle).toBeUndefined();
  });

  it("ignores the HTTPS listener's default action when the listener default service is blue/green", () => {
    const o = edgeLayer(
      configOf(
        'prod',
        (env) => (env.services.frontend.deployment = { type: 'blueGreen', testListenerPort: 9443 }),
      ),
    );
    expect(byPrefix(o, 'aws_lb_listener', 'LoadBalancer_HttpsListener')[0].lifecycle).toEqual({
      ignore_changes: ['default_action'],
    });
  });

  it('routes no service without pathPatterns (a worker), and nothing changes for rolling dev', () => {
    const o = edgeLayer(
      configOf('dev', (env) => {
        env.services.worker = { ...env.services.backend, pathPatterns: undefined, priority: undefined };
      }),
    );
    const routed = Object.keys(configOf('dev').services);
    expect(
      o
        .resources('aws_lb_target_group')
        .map(([, g]) => g.name)
        .sort(),
    ).toEqual(routed.map((s) => `webplat-dev-${s}`).sort());
    const dev = edgeLayer(configOf('dev'));
    expect(dev.count('aws_lb_listener')).toBe(2);
    for (const [, r] of dev.resources('aws_lb_listener_rule')) expect(r.lifecycle).toBeUndefined();
  });
});

describe('production platform: alarms, rollback on them, notifications', () => {
  const out = synthPlatform(envInput('prod'));
  const group = out.only('aws_codedeploy_deployment_group');
  const alarmNames = new Set(out.resources('aws_cloudwatch_metric_alarm').map(([, a]) => a.alarm_name));

  it("rolls back on the service's alarms: running tasks, unhealthy hosts in either group, target 5xx", () => {
    expect(group.auto_rollback_configuration).toEqual({
      enabled: true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'],
    });
    expect(group.alarm_configuration.enabled).toBe(true);
    expect(group.alarm_configuration.alarms.sort()).toEqual(
      [
        'webplat-prod-backend-ecs-running-tasks',
        'webplat-prod-alb-tg-backend-alb-unhealthy-hosts',
        'webplat-prod-alb-tg-backend-green-alb-unhealthy-hosts',
        'webplat-prod-alb-target-5xx',
        'webplat-prod-alb-target-5xx-rate',
      ].sort(),
    );
    for (const name of group.alarm_configuration.alarms) expect(alarmNames).toContain(name);
    // No other service's alarms (the rolling frontend's groups and tasks).
    expect(group.alarm_configuration.alarms.join(' ')).not.toMatch(/frontend/);
  });

  it("sends the group's deployment state changes to the warning topic", () => {
    const [[id, rule]] = out
      .resources('aws_cloudwatch_event_rule')
      .filter(([, r]) => JSON.parse(r.event_pattern).source?.[0] === 'aws.codedeploy');
    const pattern = JSON.parse(rule.event_pattern);
    expect(pattern['detail-type']).toEqual(['CodeDeploy Deployment State-change Notification']);
    expect(pattern.detail.state).toEqual(['START', 'SUCCESS', 'FAILURE', 'STOP']);
    expect(pattern.detail.deploymentGroup).toEqual([
      expect.stringMatching(/aws_codedeploy_deployment_group\.Deployment-backend_.+\.deployment_group_name/),
    ]);
    expect(pattern.detail.application).toEqual([
      expect.stringMatching(/aws_codedeploy_deployment_group\.Deployment-backend_.+\.app_name/),
    ]);
    const target = out.resources('aws_cloudwatch_event_target').find(([, t]) => t.rule.includes(id))![1];
    expect(target.arn).toMatch(/aws_sns_topic\.Alerts_Topic-warning_.+\.arn/);
  });

  it("runs a service's migrations as its own task: its schema's migration user, never the bootstrap's", () => {
    const [, td] = out
      .resources('aws_ecs_task_definition')
      .find(([id]) => id.startsWith('Migration-backend_'))!;
    expect(td.family).toBe('webplat-prod-backend-migrate');
    const [container] = JSON.parse(td.container_definitions);
    expect(container.command).toEqual(['npm', 'run', 'db:migrate']);
    const env = Object.fromEntries(container.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ DB_USER: 'migrate_backend', DB_SCHEMA: 'backend', DB_IAM_AUTH: 'true' });
    expect(container.secrets).toBeUndefined();
    // The service's scratch paths: the root stays read-only, migration tools still get their /tmp.
    expect(td.volume).toEqual([{ name: 'scratch-0' }]);
    expect(container.mountPoints).toEqual([
      { sourceVolume: 'scratch-0', containerPath: '/tmp', readOnly: false },
    ]);
    // The service's execution role (its image, its log group), a task role of its own.
    expect(td.execution_role_arn).toMatch(/Service-backend_ExecutionRole/);
    const [taskPolicy] = byPrefix(out, 'aws_iam_role_policy', 'Migration-backend_TaskPolicy');
    const statements = policy(taskPolicy.policy).Statement;
    expect(statements.map((st: any) => st.Action)).toEqual(['rds-db:connect']);
    for (const r of [statements[0].Resource].flat()) expect(r).toMatch(/\/migrate_backend$/);
    // The bootstrap pulls no application image any more.
    const [execution] = byPrefix(out, 'aws_iam_role_policy', 'DbMigrate_ExecutionPolicy');
    expect(JSON.stringify(policy(execution.policy))).not.toMatch(/ecr:/);
    const dev = synthPlatform(envInput('dev'));
    expect(dev.resources('aws_ecs_task_definition').filter(([id]) => id.startsWith('Migration-'))).toEqual(
      [],
    );
  });

  it('dev stays rolling: no CodeDeploy, no test listener', () => {
    const dev = synthPlatform(envInput('dev'));
    expect(dev.count('aws_codedeploy_deployment_group')).toBe(0);
    expect(dev.count('aws_lb_listener')).toBe(2);
    for (const [, s] of dev.resources('aws_ecs_service')) expect(s.deployment_controller.type).toBe('ECS');
  });
});

describe('config rules', () => {
  const prod = () => envInput('prod');

  it('rejects blue/green on a service without a load-balanced path', () => {
    const input = prod();
    input.services.worker = {
      ...input.services.backend,
      pathPatterns: undefined,
      priority: undefined,
      migrations: undefined,
    };
    expectRejected(input, 'services.worker.deployment', /needs pathPatterns \(a load-balanced route\)/);
  });

  it.each([0, 100])('rejects a canary percentage of %s (1-99)', (percent) => {
    const input = prod();
    blueGreen({ type: 'canary', percent, minutes: 5 })(input);
    expectRejected(input, 'services.backend.deployment.trafficShift.percent', /from 1 to 99/);
  });

  it.each([80, 443])('rejects test listener port %s (a production listener)', (port) => {
    const input = prod();
    input.services.backend.deployment = { type: 'blueGreen', testListenerPort: port };
    expectRejected(input, 'services.backend.deployment.testListenerPort', /production listener port/);
  });

  it('rejects two blue/green services on one test listener port', () => {
    const input = prod();
    input.services.frontend.deployment = { type: 'blueGreen' };
    // Declaration order: frontend comes first in prod, so backend's port is the second claim.
    expectRejected(
      input,
      'services.backend.deployment.testListenerPort',
      /already the test listener of frontend/,
    );
  });

  it('rejects migrations where there is no database, and an empty command', () => {
    const input = envInput('dev');
    delete input.database;
    for (const s of Object.values<any>(input.services)) s.uses = { ...s.uses, database: false };
    input.services.backend.migrations = { command: ['migrate'] };
    expectRejected(input, 'services.backend.migrations', /none is configured/);
    const empty = prod();
    empty.services.backend.migrations = { command: [] };
    expectRejected(empty, 'services.backend.migrations.command', /needs the migration command/);
  });

  it('defaults: rolling; blue/green canary 10 % / 5 min, test port 8443, 5 minutes before the old tasks go', () => {
    expect(configOf('dev').services.backend.deployment).toEqual({ type: 'rolling' });
    expect(configOf('dev', blueGreen()).services.backend.deployment).toEqual({
      type: 'blueGreen',
      trafficShift: { type: 'canary', percent: 10, minutes: 5 },
      testListenerPort: 8443,
      terminationWaitMinutes: 5,
    });
  });
});

import { namePrefix } from '../../constructs/core/naming';
import { accountOf, registry } from '../../environments';
import { COLLECTOR_CONTAINER, COLLECTOR_IMAGE } from '../../constructs/compute/otel-collector';
import { appStack, appStackIds, appStacks } from '../support/app-synth';

const stacks = appStacks();
const project = (name: string) =>
  namePrefix(accountOf(registry, registry.environments[name]).account.project, name);

/** The ECS task definitions that run no service: one-shot jobs (no requests to trace). */
const ONE_SHOT_TASKS = /^(DbMigrate|Migration-[a-z0-9-]+)_TaskDefinition_/;

const envOf = (container: any): Record<string, string> =>
  Object.fromEntries((container.environment ?? []).map((e: any) => [e.name, e.value]));

describe('tracing on OpenTelemetry, in every synthesized stack', () => {
  const ids = appStackIds();

  it.each(ids)('%s: no X-Ray daemon image anywhere', (id) => {
    const text = JSON.stringify(appStack(id).json);
    expect(text).not.toMatch(/xray-daemon/);
    expect(text).not.toMatch(/public\.ecr\.aws\/xray\//);
  });

  it.each(ids)("%s: every service's task has the ADOT collector, its app exports OTLP to it", (id) => {
    const out = appStack(id);
    const tasks = out.resources('aws_ecs_task_definition');
    const services = out.resources('aws_ecs_service');
    const serviceTasks = tasks.filter(([tid]) => !ONE_SHOT_TASKS.test(tid));
    // Every task definition but the one-shot jobs is a service's (its service references it).
    expect(serviceTasks.map(([tid]) => tid).sort()).toEqual(
      services.map(([, s]) => /aws_ecs_task_definition\.([^.]+)\./.exec(s.task_definition)?.[1]).sort(),
    );
    for (const [, def] of serviceTasks) {
      const containers = JSON.parse(def.container_definitions);
      const collector = containers.find((c: any) => c.name === COLLECTOR_CONTAINER);
      expect(collector).toMatchObject({ image: COLLECTOR_IMAGE, essential: false });
      expect(envOf(collector).AOT_CONFIG_CONTENT).toContain('"awsxray"');
      const app = envOf(containers.find((c: any) => c.name === 'app'));
      expect(app.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://localhost:4317');
      expect(app.OTEL_TRACES_SAMPLER).toBe('parentbased_traceidratio');
    }
  });

  it('pins the collector by digest', () => {
    expect(COLLECTOR_IMAGE).toMatch(
      /^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/,
    );
  });
});

describe('tracing', () => {
  it.each(Object.keys(registry.environments))(
    '%s: a sampling rule at the configured rate and a group of every service',
    (name) => {
      const out = stacks.platform[name];
      const env = registry.environments[name];
      const services = Object.keys(env.services);
      const prefix = project(name);
      const { tracing } = env.observability;
      expect(out.only('aws_xray_sampling_rule')).toMatchObject({
        service_name: `${prefix}-*`,
        fixed_rate: tracing.samplingRate,
        reservoir_size: tracing.reservoirPerSecond,
      });
      expect(out.only('aws_xray_group').filter_expression).toBe(
        services.map((s) => `service("${prefix}-${s}")`).join(' OR '),
      );
      const serviceTasks = out
        .resources('aws_ecs_task_definition')
        .filter(([id]) => id.startsWith('Service-'));
      expect(serviceTasks).toHaveLength(env.compute.platform === 'fargate' ? services.length : 0);
      for (const [id, def] of serviceTasks) {
        const service = services.find((s) => id.startsWith(`Service-${s}_`));
        const app = JSON.parse(def.container_definitions).find((c: any) => c.name === 'app');
        expect(envOf(app)).toMatchObject({
          OTEL_SERVICE_NAME: `${prefix}-${service}`,
          OTEL_TRACES_SAMPLER_ARG: String(tracing.samplingRate),
          AWS_XRAY_TRACING_NAME: `${prefix}-${service}`,
        });
      }
    },
  );

  it.each(
    Object.keys(registry.environments).filter((n) => registry.environments[n].compute.platform === 'eks'),
  )('%s (EKS): the services export to the CloudWatch agent, which sends with its own role', (name) => {
    const out = stacks.platform[name];
    const prefix = project(name);
    const addon = out
      .resources('aws_eks_addon')
      .map(([, a]) => a)
      .find((a) => a.addon_name === 'amazon-cloudwatch-observability');
    expect(addon.pod_identity_association).toEqual([
      {
        role_arn: expect.stringMatching(/aws_iam_role\.Addons_CloudWatchAgentRole_[0-9A-F]+\.arn/),
        service_account: 'cloudwatch-agent',
      },
    ]);
    const config = JSON.parse(addon.configuration_values);
    expect(config.agent.config.logs.metrics_collected.kubernetes.enhanced_container_insights).toBe(true);
    expect(config.agent.config.traces.traces_collected.otlp.grpc_endpoint).toBe('0.0.0.0:4317');
    const [[, role]] = out
      .resources('aws_iam_role')
      .filter(([id]) => /^Addons_CloudWatchAgentRole_[0-9A-F]+$/.test(id));
    expect(role.name).toBe(`${prefix}-eks-cloudwatch-agent`);
    const trust = JSON.parse(role.assume_role_policy).Statement[0];
    expect(trust.Condition.StringEquals).toMatchObject({
      'aws:RequestTag/kubernetes-namespace': 'amazon-cloudwatch',
      'aws:RequestTag/kubernetes-service-account': 'cloudwatch-agent',
    });
    const attached = out
      .resources('aws_iam_role_policy_attachment')
      .filter(([id]) => id.startsWith('Addons_CloudWatchAgentPolicy'))
      .map(([, a]) => a.policy_arn);
    expect(attached).toEqual(['arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy']);
    // Pod roles have no X-Ray rights: the agent sends.
    for (const [, p] of out.resources('aws_iam_role_policy'))
      if (p.name === 'pod') expect(p.policy).not.toMatch(/xray:/);
    const bootstrap = out.json.output.eks_bootstrap.value;
    for (const svc of Object.values(bootstrap.services) as any[])
      expect(svc.environment).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://cloudwatch-agent.amazon-cloudwatch:4317',
      });
  });
});

describe('burstable databases', () => {
  it.each(Object.keys(registry.environments))('%s: every db.t* instance has a CPU credit alarm', (name) => {
    const out = stacks.platform[name];
    const alarms = out.resources('aws_cloudwatch_metric_alarm').map(([, a]) => a);
    for (const [id, db] of out.resources('aws_db_instance')) {
      const credits = alarms.filter(
        (a) =>
          a.metric_name === 'CPUCreditBalance' &&
          a.dimensions?.DBInstanceIdentifier === `\${aws_db_instance.${id}.identifier}`,
      );
      expect(credits).toHaveLength(db.instance_class.startsWith('db.t') ? 1 : 0);
      if (credits.length) expect(credits[0]).toMatchObject({ comparison_operator: 'LessThanThreshold' });
    }
  });
});

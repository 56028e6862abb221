import { namePrefix } from '../constructs/core/naming';
import { accountOf, registry } from '../environments';
import { appStacks } from './support/app-synth';

const stacks = appStacks();
const traced = (name: string) =>
  Object.entries(registry.environments[name].services)
    .filter(([, s]) => s.xray)
    .map(([service]) => service);
const project = (name: string) =>
  namePrefix(accountOf(registry, registry.environments[name]).account.project, name);

describe('tracing', () => {
  it('is on in at least one committed environment', () => {
    expect(Object.keys(registry.environments).some((name) => traced(name).length > 0)).toBe(true);
  });

  it.each(Object.keys(registry.environments))(
    '%s: a sampling rule and a group for exactly its traced services, or none',
    (name) => {
      const out = stacks.platform[name];
      const services = traced(name);
      const prefix = project(name);
      if (services.length === 0) {
        expect(out.count('aws_xray_sampling_rule') + out.count('aws_xray_group')).toBe(0);
        return;
      }
      const { tracing } = registry.environments[name].observability;
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
      expect(serviceTasks).toHaveLength(Object.keys(registry.environments[name].services).length);
      for (const [id, def] of serviceTasks) {
        const service = services.find((s) => id.startsWith(`Service-${s}_`));
        const containers = JSON.parse(def.container_definitions);
        const app = containers.find((c: any) => c.name === 'app');
        const env = Object.fromEntries(app.environment.map((e: any) => [e.name, e.value]));
        if (service) {
          expect(env.AWS_XRAY_TRACING_NAME).toBe(`${prefix}-${service}`);
          expect(containers.map((c: any) => c.name)).toContain('xray-daemon');
        } else {
          expect(env.AWS_XRAY_TRACING_NAME).toBeUndefined();
        }
      }
    },
  );
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

/** The application image workflow (`app-image.yml`): rolling and blue/green rollouts, migrations first. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ACTIONS } from '../scripts/workflows';
import { deployRole, deployedServices, envs, projectOf, serviceMigrateRole } from './support/pipeline-names';

// What the workflow does is read from the committed file (workflows.test.ts keeps it current).
const wf = (name: string) => parse(readFileSync(join(__dirname, '..', '.github', 'workflows', name), 'utf8'));

describe('application image workflow', () => {
  const image = wf('app-image.yml');
  const steps: any[] = image.jobs.image.steps;

  it('is reusable (workflow_call) and dispatchable', () => {
    expect(Object.keys(image.on.workflow_call.inputs)).toEqual([
      'service',
      'environment',
      'context',
      'dockerfile',
    ]);
    expect(image.on.workflow_dispatch.inputs.environment.options).toEqual(envs.map((e) => e.name));
  });

  it('builds, scans (high/critical fail), pushes sha-<sha> (and v* on release), rolls out, smoke-tests, rolls back', () => {
    const names = steps.map((s) => s.name ?? s.uses);
    expect(names.indexOf('Build')).toBeLessThan(names.indexOf('Scan (fail on high and critical findings)'));
    expect(steps.find((s) => s.uses === ACTIONS.trivy).with).toMatchObject({
      severity: 'HIGH,CRITICAL',
      'exit-code': '1',
    });
    expect(steps.find((s) => s.name === 'Check the service and environment').run).toMatch(
      /TAG: `sha-\$\{GITHUB_SHA\}`/,
    );
    expect(steps.find((s) => s.name === 'Push').run).toMatch(/GITHUB_REF_NAME" == v\*/);
    const register = steps.find((s) => s.id === 'register').run;
    expect(register).toMatch(/describe-task-definition --task-definition "\$FAMILY"/);
    expect(register).toMatch(/if \.name == "app" then \.image = \$image/);
    expect(steps.find((s) => s.name?.startsWith('Roll out')).run).toMatch(/wait services-stable/);
    expect(steps.find((s) => s.name === 'Smoke test').run).toMatch(/curl --fail/);
    expect(steps.find((s) => s.name === 'Roll back to the previous revision').if).toMatch(/failure\(\)/);
  });

  it('on EKS pushes the image only: every rollout step runs where ECS runs the service', () => {
    expect(envs.some((e) => e.compute.platform === 'eks')).toBe(true);
    const pushed = steps.findIndex((s) => s.name === 'Push');
    const after = steps.slice(pushed + 1);
    expect(after.length).toBeGreaterThan(5);
    for (const s of after) {
      if (s.name?.startsWith('Job summary (image pushed')) expect(s.if).toBe("env.ROLLOUT == 'none'");
      else expect(`${s.name}: ${s.if}`).toMatch(/: env\.ROLLOUT == 'ecs'( && \(.+\))?$/);
    }
  });

  it('knows each environment from the registry', () => {
    expect(JSON.parse(image.env.PLATFORM)).toEqual(
      Object.fromEntries(
        envs.map((e) => [
          e.name,
          {
            region: e.region,
            registry: `${e.accountId}.dkr.ecr.${e.region}.amazonaws.com`,
            rollout: e.compute.platform === 'fargate' ? 'ecs' : 'none',
            cluster: `${projectOf(e)}-${e.name}`,
            prefix: `${projectOf(e)}-${e.name}`,
            services: Object.fromEntries(
              deployedServices(e).map((name) => {
                const s = e.services[name];
                return [
                  name,
                  {
                    role: deployRole(e, name),
                    ...(s.pathPatterns
                      ? { healthUrl: `https://${e.dns.domainName}${s.healthCheckPath}` }
                      : {}),
                    deployment: s.deployment.type,
                    port: s.port,
                    architecture: s.architecture,
                    ...(s.migrations
                      ? {
                          migrations: {
                            role: serviceMigrateRole(e, name),
                            command: s.migrations.command,
                            ...(s.migrations.image ? { image: s.migrations.image } : {}),
                          },
                        }
                      : {}),
                  },
                ];
              }),
            ),
          },
        ]),
      ),
    );
  });
});

/** A rollout step's condition: its own, where ECS runs the service (on EKS the job only pushes). */
const onEcs = (condition: string) => `env.ROLLOUT == 'ecs' && (${condition})`;

describe('application image workflow: migrations and blue/green', () => {
  const steps: any[] = wf('app-image.yml').jobs.image.steps;
  const names = steps.map((s) => s.name ?? s.uses);
  const step = (prefix: string) => steps.find((s) => s.name?.startsWith(prefix));
  const at = (prefix: string) => names.findIndex((n) => n?.startsWith(prefix));

  it('runs the migrations as the migration task, under the migration role, after the push and before any rollout', () => {
    const run = step('Run the schema migrations');
    expect(run.if).toBe(onEcs("env.MIGRATIONS == 'true'"));
    expect(run.run).toMatch(/describe-task-definition --task-definition "\$\{PREFIX\}-db-migrate"/);
    expect(run.run).toMatch(/\.command = \$command/);
    expect(run.run).toMatch(/aws ecs run-task --cluster "\$PREFIX" --task-definition "\$MIGRATION"/);
    expect(run.run).toMatch(/aws ecs wait tasks-stopped/);
    expect(run.run).toMatch(/aws logs get-log-events --log-group-name "\/ecs\/\$\{PREFIX\}\/db-migrate"/);
    expect(run.run).toMatch(/test "\$EXIT" = "0"$/);
    expect(step('AWS credentials of the migration role').with['role-to-assume']).toMatch(
      /\.migrations\.role/,
    );
    expect(at('Push')).toBeLessThan(at('AWS credentials of the migration role'));
    expect(at('Run the schema migrations')).toBeLessThan(at('AWS credentials of the deploy role again'));
    expect(at('AWS credentials of the deploy role again')).toBeLessThan(at('Register a task definition'));
    expect(at('Register a task definition')).toBeLessThan(at('Roll out (rolling'));
    expect(at('Register a task definition')).toBeLessThan(at('Deploy blue/green'));
  });

  it('rolls out each mode only for its services', () => {
    expect(step('Roll out (rolling').if).toBe(onEcs("env.DEPLOYMENT == 'rolling'"));
    for (const prefix of ['Write the AppSpec', 'Deploy blue/green', 'Wait for the blue/green deployment'])
      expect(step(prefix).if).toBe(onEcs("env.DEPLOYMENT == 'blueGreen'"));
    expect(step('Roll back to the previous revision').if).toMatch(/env\.DEPLOYMENT == 'rolling'/);
  });

  it('blue/green: AppSpec with the new revision, a CodeDeploy deployment of the service, waits, stops with rollback on failure', () => {
    expect(step('Write the AppSpec').run).toMatch(
      /TaskDefinition: \$td, LoadBalancerInfo: \{ContainerName: "app", ContainerPort: \$port\}/,
    );
    const deploy = step('Deploy blue/green');
    expect(deploy.id).toBe('deploy');
    expect(deploy.run).toMatch(
      /aws deploy create-deployment --application-name "\$\{PREFIX\}-\$\{SERVICE\}" --deployment-group-name "\$\{PREFIX\}-\$\{SERVICE\}"/,
    );
    expect(deploy.run).toMatch(/revisionType: "AppSpecContent"/);
    expect(deploy.run).toMatch(/Failed\|Stopped\).*exit 1/);
    // Traffic has moved but the old task set is still up: the smoke test can still roll back.
    expect(deploy.run).toMatch(/lifecycleEventName=='AfterAllowTraffic'/);
    expect(at('Deploy blue/green')).toBeLessThan(at('Smoke test'));
    expect(at('Smoke test')).toBeLessThan(at('Wait for the blue/green deployment'));
    const stop = step('Stop the blue/green deployment');
    expect(stop.if).toMatch(/failure\(\)/);
    expect(stop.run).toMatch(/aws deploy stop-deployment --deployment-id "\$ID" --auto-rollback-enabled/);
  });

  it('writes a job summary whatever the outcome', () => {
    const summary = step('Job summary');
    expect(summary.if).toBe(onEcs('always()'));
    expect(summary.run).toMatch(/GITHUB_STEP_SUMMARY/);
    expect(summary.run).toMatch(/aws deploy get-deployment/);
  });
});

/** The application image workflow (`app-image.yml`): rolling and blue/green rollouts, migrations first. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { testTrafficHookName } from '../../constructs/core/naming';
import { ACTIONS } from '../../scripts/workflows';
import {
  deployRole,
  deployedServices,
  envs,
  envWarningTopic,
  projectOf,
  serviceMigrateRole,
} from '../support/pipeline-names';

// What the workflow does is read from the committed file (workflows.spec.ts keeps it current).
const wf = (name: string) =>
  parse(readFileSync(join(__dirname, '..', '..', '.github', 'workflows', name), 'utf8'));

describe('application image workflow', () => {
  const image = wf('app-image.yml');
  // Three jobs: build, scan and push (deploy role, `<env>`); the migrations (migration role,
  // `<env>-migrate`); the rollout (deploy role, `<env>`). Their steps in order, as one sequence.
  const steps: any[] = [...image.jobs.image.steps, ...image.jobs.migrate.steps, ...image.jobs.deploy.steps];

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

  it('builds and scans before the job holds the deploy role: the scanner never runs beside its credentials', () => {
    const job: any[] = image.jobs.image.steps;
    const at = (match: (s: any) => boolean) => job.findIndex(match);
    const credentials = at((s) => s.uses === ACTIONS.awsCredentials);
    expect(credentials).toBeGreaterThan(-1);
    expect(at((s) => s.name === 'Build')).toBeLessThan(credentials);
    expect(at((s) => s.uses === ACTIONS.trivy)).toBeLessThan(credentials);
    expect(at((s) => s.name === 'Push')).toBeGreaterThan(credentials);
    // The scanner binary is pinned too, not the action's default.
    expect(job.find((s) => s.uses === ACTIONS.trivy).with.version).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it('on EKS pushes the image only: the migration and rollout jobs run where ECS runs the service', () => {
    expect(envs.some((e) => e.compute.platform === 'eks')).toBe(true);
    const push = image.jobs.image;
    // Last but the failure notification (workflows-notify.spec.ts).
    expect(push.steps.at(-2).name).toMatch(/^Job summary \(image pushed/);
    expect(push.steps.at(-2).if).toBe("env.ROLLOUT == 'none'");
    expect(push.outputs).toEqual({
      migrations: '${{ steps.resolve.outputs.migrations }}',
      rollout: '${{ steps.resolve.outputs.rollout }}',
    });
    expect(image.jobs.deploy.if).toMatch(/needs\.image\.outputs\.rollout == 'ecs'/);
    expect(image.jobs.deploy.if).toMatch(/needs\.image\.result == 'success'/);
    // After the migrations when there are any, right after the push when there are none.
    expect(image.jobs.deploy.if).toMatch(
      /needs\.migrate\.result == 'success' \|\| needs\.migrate\.result == 'skipped'/,
    );
    expect(image.jobs.migrate.if).toBe("needs.image.outputs.migrations == 'true'");
    // No migration role on EKS, so no migrations entry there.
    const platform = JSON.parse(image.env.PLATFORM);
    for (const e of envs.filter((x) => x.compute.platform === 'eks'))
      for (const svc of Object.values<any>(platform[e.name].services)) expect(svc.migrations).toBeUndefined();
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
            alertTopic: envWarningTopic(e),
            // Production with a database: backed up before the migrations (workflows-backup.spec.ts).
            ...(e.tier === 'production' && e.database && e.backup
              ? {
                  backup: {
                    database: `arn:aws:rds:${e.region}:${e.accountId}:${e.database.engine === 'aurora-postgresql' ? 'cluster' : 'db'}:${projectOf(e)}-${e.name}-db`,
                    vault: `${projectOf(e)}-${e.name}-backup`,
                    role: `arn:aws:iam::${e.accountId}:role/${projectOf(e)}-${e.name}-backup`,
                    deleteAfterDays: e.backup.dailyRetentionDays,
                  },
                }
              : {}),
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
                    ...(s.migrations && e.compute.platform === 'fargate'
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

describe('application image workflow: migrations and blue/green', () => {
  const { jobs } = wf('app-image.yml');
  const steps: any[] = [...jobs.image.steps, ...jobs.migrate.steps, ...jobs.deploy.steps];
  const names = steps.map((s) => s.name ?? s.uses);
  const step = (prefix: string) => steps.find((s) => s.name?.startsWith(prefix));
  const at = (prefix: string) => names.findIndex((n) => n?.startsWith(prefix));

  it("runs the migrations as the service's own migration task, under the migration role, in a job of its own between the push and the rollout", () => {
    const run = step('Run the schema migrations');
    expect(jobs.migrate.steps).toContain(run);
    expect(jobs.migrate.needs).toBe('image');
    expect(jobs.deploy.needs).toEqual(['image', 'migrate']);
    expect(run.run).toMatch(
      /describe-task-definition --task-definition "\$\{PREFIX\}-\$\{SERVICE\}-migrate"/,
    );
    expect(run.run).not.toMatch(/db-migrate/);
    expect(run.run).toMatch(/Values=\$\{PREFIX\}-\$\{SERVICE\}"/);
    expect(run.run).toMatch(/\.command = \$command/);
    expect(run.run).toMatch(/aws ecs run-task --cluster "\$PREFIX" --task-definition "\$MIGRATION"/);
    expect(run.run).toMatch(/aws ecs wait tasks-stopped/);
    expect(run.run).toMatch(
      /aws logs get-log-events --log-group-name "\/ecs\/\$\{PREFIX\}\/\$\{SERVICE\}" --log-stream-name "migrate\/migrate\//,
    );
    expect(run.run).toMatch(/test "\$EXIT" = "0"$/);
    expect(step('AWS credentials of the migration role').with['role-to-assume']).toMatch(
      /\.migrations\.role/,
    );
    // Its own GitHub environment: the migration role's subject, which the deploy role does not accept.
    expect(jobs.migrate.environment).toBe('${{ inputs.environment }}-migrate');
    expect(jobs.image.environment).toBe('${{ inputs.environment }}');
    expect(jobs.deploy.environment).toBe('${{ inputs.environment }}');
    expect(at('Push')).toBeLessThan(at('AWS credentials of the migration role'));
    expect(at('Run the schema migrations')).toBeLessThan(at('Register a task definition'));
    expect(at('Register a task definition')).toBeLessThan(at('Roll out (rolling'));
    expect(at('Register a task definition')).toBeLessThan(at('Deploy blue/green'));
  });

  it('rolls out each mode only for its services', () => {
    expect(step('Roll out (rolling').if).toBe("env.DEPLOYMENT == 'rolling'");
    for (const prefix of ['Write the AppSpec', 'Deploy blue/green', 'Wait for the blue/green deployment'])
      expect(step(prefix).if).toBe("env.DEPLOYMENT == 'blueGreen'");
    expect(step('Roll back to the previous revision').if).toMatch(/env\.DEPLOYMENT == 'rolling'/);
  });

  it('blue/green: AppSpec with the new revision, a CodeDeploy deployment of the service, waits, stops with rollback on failure', () => {
    expect(step('Write the AppSpec').run).toMatch(
      /TaskDefinition: \$td, LoadBalancerInfo: \{ContainerName: "app", ContainerPort: \$port\}/,
    );
    // The test-traffic hook the compute layer deploys per blue/green service, by the same name.
    const appSpec = step('Write the AppSpec').run;
    expect(appSpec).toContain(`hook="${testTrafficHookName('${PREFIX}', '${SERVICE}')}"`);
    expect(appSpec).toContain('hook="CodeDeployHook_${PREFIX}-${SERVICE}-test-traffic"');
    expect(appSpec).toMatch(/--arg hook "\$hook"/);
    expect(appSpec).toMatch(/Hooks: \[\{AfterAllowTestTraffic: \$hook\}\]/);
    const deploy = step('Deploy blue/green');
    expect(deploy.id).toBe('deploy');
    expect(deploy.run).toMatch(
      /aws deploy create-deployment --application-name "\$\{PREFIX\}-\$\{SERVICE\}" --deployment-group-name "\$\{PREFIX\}-\$\{SERVICE\}"/,
    );
    expect(deploy.run).toMatch(/revisionType: "AppSpecContent"/);
    expect(deploy.run).toMatch(/Failed\|Stopped\)[\s\S]*?exit 1 ;;/);
    // A failed deployment prints its target's lifecycle events: which one failed (e.g. the test-traffic hook's).
    expect(deploy.run).toMatch(/lifecycleEvents\[\]\.\[lifecycleEventName, status\]/);
    // Traffic has moved but the old task set is still up: the smoke test can still roll back.
    expect(deploy.run).toMatch(/lifecycleEventName=='AfterAllowTraffic'/);
    expect(at('Deploy blue/green')).toBeLessThan(at('Smoke test'));
    expect(at('Smoke test')).toBeLessThan(at('Wait for the blue/green deployment'));
    const stop = step('Stop the blue/green deployment');
    expect(stop.if).toMatch(/failure\(\)/);
    expect(stop.run).toMatch(/aws deploy stop-deployment --deployment-id "\$ID" --auto-rollback-enabled/);
  });

  it('writes a job summary whatever the outcome', () => {
    const summary = jobs.deploy.steps.find((s: any) => s.name === 'Job summary');
    expect(summary.if).toBe('always()');
    expect(summary.run).toMatch(/GITHUB_STEP_SUMMARY/);
    expect(summary.run).toMatch(/aws deploy get-deployment/);
  });
});

/**
 * `app-image.yml`, the workflow application repositories call: build, scan, push (job `image`), run
 * the schema migrations (job `migrate`, services with `migrations`), roll out (job `deploy`) —
 * rolling, or blue/green through CodeDeploy, as the service's `deployment` says — smoke test, roll
 * back, summarize. It knows each environment's registry, deploy and migration roles, cluster and
 * services. The migration runs in a job of its own, in the GitHub environment `<env>-migrate`: its
 * token (`sub` `...:environment:<env>-migrate`) is the only one the migration role accepts, and the
 * deploy role does not accept it (docs/architecture.md, "Security model").
 */
import { alertTopicArn, namePrefix, pipelineRoleNames, roleArn } from '../../constructs/core/naming';
import { migrateEnvironment } from '../../constructs/delivery/trust';
import { accountOf, type Registry } from '../../environments/registry';
import { backupBeforeRiskyChange, backupTargetOf } from './backup-before-change';
import {
  ACTIONS,
  checkout,
  credentials,
  notifyFailure,
  OIDC,
  READ_ONLY,
  render,
  runner,
  type Step,
} from './common';
import {
  blueGreenFinish,
  blueGreenSteps,
  migrationSteps,
  rollbackSteps,
  rollingSteps,
  smokeTest,
  summaryStep,
} from './rollout-steps';

/** Environment name -> what the image job needs there (the workflow's `PLATFORM`). */
function platformOf(registry: Registry) {
  return Object.fromEntries(
    Object.values(registry.environments).map((env) => {
      // `<project>-<env>`: the prefix of the cluster, its services, task families and repositories.
      const { project, github } = accountOf(registry, env).account;
      const prefix = namePrefix(project, env.name);
      return [
        env.name,
        {
          region: env.region,
          registry: `${env.accountId}.dkr.ecr.${env.region}.amazonaws.com`,
          // ECS: this workflow rolls the image out. EKS: it pushes the image only; the cluster
          // bootstrap (Argo CD) rolls it out (docs/runbooks.md).
          rollout: env.compute.platform === 'fargate' ? 'ecs' : 'none',
          cluster: prefix,
          prefix,
          // Where each job publishes its failure (its role may publish there and nowhere else).
          alertTopic: alertTopicArn(
            { project, accountId: env.accountId, region: env.region, environment: env.name },
            'warning',
          ),
          // Production with a database: the migrate job backs it up (and waits) before migrating.
          ...withBackup(backupTargetOf(env, project)),
          // Only services with a repository in `github.appRepositories` have a deploy role.
          services: Object.fromEntries(
            Object.entries(env.services)
              .filter(([name]) => github.appRepositories[name] !== undefined)
              .map(([name, s]) => [
                name,
                {
                  role: roleArn(env.accountId, pipelineRoleNames.serviceDeploy(project, env.name, name)),
                  // Only a service behind the load balancer has a public health URL to smoke-test.
                  ...(s.pathPatterns
                    ? { healthUrl: `https://${env.dns.domainName}${s.healthCheckPath}` }
                    : {}),
                  deployment: s.deployment.type,
                  port: s.port,
                  architecture: s.architecture,
                  // On EKS there is no migration role: the cluster's bootstrap migrates.
                  ...(s.migrations && env.compute.platform === 'fargate'
                    ? {
                        migrations: {
                          role: roleArn(
                            env.accountId,
                            pipelineRoleNames.serviceMigrate(project, env.name, name),
                          ),
                          command: s.migrations.command,
                          ...(s.migrations.image ? { image: s.migrations.image } : {}),
                        },
                      }
                    : {}),
                },
              ]),
          ),
        },
      ];
    }),
  );
}

const withBackup = <T>(target: T | undefined) => (target ? { backup: target } : {});

/** The migrate job's backup before the migration (production with a database; skipped elsewhere). */
const backupStep = (() => {
  const field = (name: string) => `\${{ fromJSON(env.PLATFORM)[inputs.environment].backup.${name} }}`;
  return backupBeforeRiskyChange({
    condition: "fromJSON(env.PLATFORM)[inputs.environment].backup.database != ''",
    database: field('database'),
    vault: field('vault'),
    role: field('role'),
    deleteAfterDays: field('deleteAfterDays'),
  });
})();

const INPUTS = {
  service: {
    description: 'Service name from the environment config (frontend, backend, ...)',
    required: true,
    type: 'string',
  },
  environment: { description: 'Environment to deploy to', required: true, type: 'string' },
  context: { description: 'Docker build context', required: false, type: 'string', default: '.' },
  dockerfile: { description: 'Dockerfile path', required: false, type: 'string', default: 'Dockerfile' },
};

/**
 * Validates the inputs against PLATFORM and exports the names the later steps use (every job runs
 * it: a job's environment is its own); its outputs say which jobs follow the push.
 */
const resolveStep: Step = {
  name: 'Check the service and environment',
  id: 'resolve',
  // Inputs arrive through the environment, never inlined into the script.
  run: [
    "node -e '",
    'const { PLATFORM, TARGET, SERVICE, GITHUB_SHA, GITHUB_ENV } = process.env;',
    'const e = JSON.parse(PLATFORM)[TARGET];',
    'if (!e) { console.error(`unknown environment ${TARGET}`); process.exit(1); }',
    'const s = e.services[SERVICE];',
    'if (!s) { console.error(`unknown service ${SERVICE} in ${TARGET}`); process.exit(1); }',
    'const lines = { CLUSTER: e.cluster, PREFIX: e.prefix, IMAGE: `${e.registry}/${e.prefix}-${SERVICE}`,',
    '  FAMILY: `${e.prefix}-${SERVICE}`, TAG: `sha-${GITHUB_SHA}`, HEALTH_URL: s.healthUrl ?? "",',
    '  DEPLOYMENT: s.deployment, MIGRATIONS: String(s.migrations !== undefined), ROLLOUT: e.rollout };',
    'require("fs").appendFileSync(GITHUB_ENV, Object.entries(lines).map(([k, v]) => `${k}=${v}\\n`).join(""));',
    'require("fs").appendFileSync(process.env.GITHUB_OUTPUT, `migrations=${lines.MIGRATIONS}\\nrollout=${lines.ROLLOUT}\\n`);',
    "'",
  ].join('\n'),
};

/**
 * Built and scanned before the job takes the deploy role's credentials: the scanner (a third-party
 * action and the binary it downloads) never runs beside them. Base images must be pullable without
 * that role (public, or the build's own registry login).
 */
const buildAndScan: Step[] = [
  {
    name: 'Build',
    run: 'docker build --pull -t "$IMAGE:$TAG" -f "$DOCKERFILE" "$CONTEXT"',
    env: { DOCKERFILE: '${{ inputs.dockerfile }}', CONTEXT: '${{ inputs.context }}' },
  },
  {
    name: 'Scan (fail on high and critical findings)',
    uses: ACTIONS.trivy,
    with: {
      'image-ref': '${{ env.IMAGE }}:${{ env.TAG }}',
      severity: 'HIGH,CRITICAL',
      'exit-code': '1',
      'ignore-unfixed': true,
      format: 'table',
      // The scanner binary itself, pinned (the action would otherwise pick its own default).
      version: 'v0.70.0',
    },
  },
];

const push: Step[] = [
  {
    name: 'Push',
    run: [
      'docker push "$IMAGE:$TAG"',
      'if [ "$GITHUB_REF_TYPE" = tag ] && [[ "$GITHUB_REF_NAME" == v* ]]; then',
      '  docker tag "$IMAGE:$TAG" "$IMAGE:$GITHUB_REF_NAME"',
      '  docker push "$IMAGE:$GITHUB_REF_NAME"',
      'fi',
    ].join('\n'),
  },
];

const register: Step = {
  name: 'Register a task definition revision with only the image swapped',
  id: 'register',
  run: [
    'service="${PREFIX}-${SERVICE}"',
    'previous=$(aws ecs describe-services --cluster "$CLUSTER" --services "$service" --query "services[0].taskDefinition" --output text)',
    'echo "previous=$previous" >> "$GITHUB_OUTPUT"',
    "# The family's latest revision keeps every setting Terraform changed; only the app image moves.",
    'aws ecs describe-task-definition --task-definition "$FAMILY" --query taskDefinition --output json > current.json',
    'jq --arg image "$IMAGE:$TAG" \'.containerDefinitions |= map(if .name == "app" then .image = $image else . end)',
    "  | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities, .registeredAt, .registeredBy, .deregisteredAt)' current.json > next.json",
    'next=$(aws ecs register-task-definition --cli-input-json file://next.json --query taskDefinition.taskDefinitionArn --output text)',
    'echo "next=$next" >> "$GITHUB_OUTPUT"',
  ].join('\n'),
};

/** The revision, the rollout of the service's mode, smoke test, rollback, summary (job `deploy`). */
const ecsRollout: Step[] = [
  register,
  ...rollingSteps,
  ...blueGreenSteps,
  smokeTest,
  blueGreenFinish,
  ...rollbackSteps,
  summaryStep,
];

/** On EKS the job ends with the push: the summary says what the cluster's bootstrap picks up. */
const pushedOnly: Step = {
  name: 'Job summary (image pushed; the cluster bootstrap rolls it out)',
  if: "env.ROLLOUT == 'none'",
  run: 'echo "Pushed \\`$IMAGE:$TAG\\` for $SERVICE in $TARGET: the cluster bootstrap (Argo CD) rolls it out." >> "$GITHUB_STEP_SUMMARY"',
};

const role = (field: 'role' | 'migrations.role') =>
  `\${{ fromJSON(env.PLATFORM)[inputs.environment].services[inputs.service].${field} }}`;
const region = '${{ fromJSON(env.PLATFORM)[inputs.environment].region }}';
const jobEnv = { SERVICE: '${{ inputs.service }}', TARGET: '${{ inputs.environment }}' };
/** The last step of each job: its failure, published to the environment's warning topic. */
const notify = notifyFailure({
  topic: '${{ fromJSON(env.PLATFORM)[inputs.environment].alertTopic }}',
  environment: '${{ inputs.environment }}',
  deploys: 'service ${{ inputs.service }}',
});
const serialized = (kind: string) => ({
  group: `${kind}-\${{ inputs.environment }}-\${{ inputs.service }}`,
  'cancel-in-progress': false,
});

export function appImage(registry: Registry): string {
  const platform = platformOf(registry);
  return render({
    name: 'app-image',
    on: {
      workflow_call: { inputs: INPUTS },
      workflow_dispatch: {
        inputs: {
          ...INPUTS,
          environment: { ...INPUTS.environment, type: 'choice', options: Object.keys(platform) },
        },
      },
    },
    permissions: READ_ONLY,
    env: { PLATFORM: JSON.stringify(platform) },
    jobs: {
      image: {
        name: 'build and push ${{ inputs.service }} for ${{ inputs.environment }}',
        ...runner(30),
        // The service's deploy role trusts its repository in this GitHub environment, through this
        // workflow on main (job_workflow_ref): callers use `app-image.yml@main`.
        environment: '${{ inputs.environment }}',
        permissions: OIDC,
        concurrency: serialized('image'),
        env: jobEnv,
        outputs: {
          migrations: '${{ steps.resolve.outputs.migrations }}',
          rollout: '${{ steps.resolve.outputs.rollout }}',
        },
        steps: [
          resolveStep,
          checkout,
          ...buildAndScan,
          credentials(role('role'), region),
          { name: 'ECR login', uses: ACTIONS.ecrLogin },
          ...push,
          pushedOnly,
          notify,
        ],
      },
      migrate: {
        name: 'migrate ${{ inputs.service }} in ${{ inputs.environment }}',
        needs: 'image',
        if: "needs.image.outputs.migrations == 'true'",
        ...runner(30),
        // Its own GitHub environment: the migration role's only subject, and its own gate.
        environment: migrateEnvironment('${{ inputs.environment }}'),
        permissions: OIDC,
        // One migration at a time per environment: they share the database.
        concurrency: { group: 'migrate-${{ inputs.environment }}', 'cancel-in-progress': false },
        env: jobEnv,
        steps: [resolveStep, migrationSteps[0], backupStep, ...migrationSteps.slice(1), notify],
      },
      deploy: {
        name: 'deploy ${{ inputs.service }} to ${{ inputs.environment }}',
        needs: ['image', 'migrate'],
        // After the push, and after the migrations when the service has them (skipped otherwise);
        // where ECS runs the service (on EKS the cluster's bootstrap rolls it out).
        if: "!cancelled() && needs.image.result == 'success' && needs.image.outputs.rollout == 'ecs' && (needs.migrate.result == 'success' || needs.migrate.result == 'skipped')",
        ...runner(45),
        environment: '${{ inputs.environment }}',
        permissions: OIDC,
        concurrency: serialized('deploy'),
        env: jobEnv,
        steps: [resolveStep, credentials(role('role'), region), ...ecsRollout, notify],
      },
    },
  });
}

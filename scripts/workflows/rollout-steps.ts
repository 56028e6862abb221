/**
 * The steps of `app-image.yml` after the image is pushed: the schema migrations (services with
 * `migrations`, the `migrate` job), then in the `deploy` job, once the task definition revision is
 * registered (`steps.register.outputs.next`), the rollout of the service's mode — rolling (ECS,
 * circuit breaker) or blue/green (CodeDeploy) — the smoke test, the rollback and the job summary.
 * Each rollout step runs only for its mode (`env.DEPLOYMENT`, exported by the resolve step).
 */
import { testTrafficHookName } from '../../constructs/core/naming';
import { migrationTaskScript } from './db-migrate';
import { credentials, type Step } from './common';

const ROLLING = "env.DEPLOYMENT == 'rolling'";
const BLUE_GREEN = "env.DEPLOYMENT == 'blueGreen'";
const NEXT = '${{ steps.register.outputs.next }}';
const service = (field: string) =>
  `\${{ fromJSON(env.PLATFORM)[inputs.environment].services[inputs.service].${field} }}`;
const region = '${{ fromJSON(env.PLATFORM)[inputs.environment].region }}';

/** Shell: points the service at the task definition in `$<revision>` and waits until it is stable. */
const rollTo = (revision: string) => [
  `aws ecs update-service --cluster "$CLUSTER" --service "\${PREFIX}-\${SERVICE}" --task-definition "$${revision}" > /dev/null`,
  'aws ecs wait services-stable --cluster "$CLUSTER" --services "${PREFIX}-${SERVICE}"',
];

/**
 * Migrations as the service's own migration task (`<prefix>-<service>-migrate`: its schema's
 * migration user, never the master credential), with the migration image (default: the image just
 * pushed) and command, under the service's migration role (app-image's `migrate` job, in the GitHub
 * environment `<env>-migrate`: a token the deploy role does not accept).
 */
export const migrationSteps: Step[] = [
  {
    ...credentials(service('migrations.role'), region),
    name: 'AWS credentials of the migration role',
  },
  {
    name: 'Run the schema migrations and wait for them (fails the deployment on a non-zero exit)',
    env: {
      MIGRATION_COMMAND:
        '${{ toJSON(fromJSON(env.PLATFORM)[inputs.environment].services[inputs.service].migrations.command) }}',
      MIGRATION_IMAGE: service('migrations.image'),
      ARCHITECTURE: service('architecture'),
    },
    run: [
      'set -euo pipefail',
      'image="${MIGRATION_IMAGE:-$IMAGE:$TAG}"',
      "# The service's migration task's latest revision (its schema's migration user: no master credential), with this image and command.",
      'aws ecs describe-task-definition --task-definition "${PREFIX}-${SERVICE}-migrate" --query taskDefinition --output json > migrate.json',
      'jq --arg image "$image" --argjson command "$MIGRATION_COMMAND" --arg arch "$ARCHITECTURE" \'.containerDefinitions |= map(.image = $image | .command = $command)',
      "  | .runtimePlatform.cpuArchitecture = $arch | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities, .registeredAt, .registeredBy, .deregisteredAt)' migrate.json > migrate-next.json",
      'MIGRATION=$(aws ecs register-task-definition --cli-input-json file://migrate-next.json --query taskDefinition.taskDefinitionArn --output text)',
      migrationTaskScript({
        revisionVar: 'MIGRATION',
        printLogs: true,
        task: {
          family: '${PREFIX}-${SERVICE}-migrate',
          group: '${PREFIX}-${SERVICE}',
          logGroup: '/ecs/${PREFIX}/${SERVICE}',
          stream: 'migrate/migrate',
        },
      }).replace('set -euo pipefail\n', ''),
    ].join('\n'),
  },
];

export const rollingSteps: Step[] = [
  {
    name: 'Roll out (rolling, circuit breaker on) and wait for stability',
    if: ROLLING,
    run: rollTo('NEXT').join('\n'),
    env: { NEXT },
  },
];

/**
 * Shell: the service's `AfterAllowTestTraffic` hook, named by the convention the compute layer
 * creates it by (`CodeDeployHook_<prefix>-<service>-test-traffic`, constructs/core/naming.ts).
 */
const HOOK = testTrafficHookName('${PREFIX}', '${SERVICE}');

/** Blue/green: the AppSpec for the new revision, a CodeDeploy deployment, its outcome. */
export const blueGreenSteps: Step[] = [
  {
    name: 'Write the AppSpec (new task definition, container app on its port, the test-traffic hook)',
    if: BLUE_GREEN,
    env: { NEXT, PORT: service('port') },
    run: [
      '# The AfterAllowTestTraffic hook probes the new task set through the test listener; Failed rolls back.',
      `hook="${HOOK}"`,
      'jq -n --arg td "$NEXT" --argjson port "$PORT" --arg hook "$hook" \'{version: 1, Resources: [{TargetService: {Type: "AWS::ECS::Service",',
      '  Properties: {TaskDefinition: $td, LoadBalancerInfo: {ContainerName: "app", ContainerPort: $port}}}}],',
      "  Hooks: [{AfterAllowTestTraffic: $hook}]}' > appspec.json",
      'cat appspec.json',
    ].join('\n'),
  },
  {
    name: 'Deploy blue/green (CodeDeploy: test listener, traffic shift, alarms) until traffic has moved',
    id: 'deploy',
    if: BLUE_GREEN,
    run: [
      'set -euo pipefail',
      'revision=$(jq -n --rawfile content appspec.json \'{revisionType: "AppSpecContent", appSpecContent: {content: $content}}\')',
      'id=$(aws deploy create-deployment --application-name "${PREFIX}-${SERVICE}" --deployment-group-name "${PREFIX}-${SERVICE}" \\',
      '  --revision "$revision" --description "${GITHUB_REPOSITORY}@${GITHUB_SHA} run ${GITHUB_RUN_ID}" --query deploymentId --output text)',
      'echo "id=$id" >> "$GITHUB_OUTPUT"',
      'echo "deployment: $id"',
      waitFor('shifted'),
    ].join('\n'),
  },
];

/** After the smoke test: the old task set is terminated after `terminationWaitMinutes`. */
export const blueGreenFinish: Step = {
  name: 'Wait for the blue/green deployment to finish (old task set terminated)',
  if: BLUE_GREEN,
  env: { id: '${{ steps.deploy.outputs.id }}' },
  run: ['set -euo pipefail', waitFor('done')].join('\n'),
};

/**
 * Shell: polls deployment `$id` until production traffic is on the new task set (`shifted`: the ECS
 * target's AfterAllowTraffic event succeeded, the old task set still up for a rollback) or the
 * deployment succeeded (`done`); exits 1 when it failed or was stopped (CodeDeploy has rolled back),
 * while traffic was still moving with the target's lifecycle events (which one failed: e.g. the
 * test-traffic hook's `AfterAllowTestTraffic`).
 * The CLI waiter gives up after 30 minutes; canary, linear and the termination wait may take longer.
 */
function waitFor(phase: 'shifted' | 'done'): string {
  return [
    'last=""',
    'while true; do',
    '  status=$(aws deploy get-deployment --deployment-id "$id" --query deploymentInfo.status --output text)',
    ...(phase === 'shifted'
      ? [
          '  target=$(aws deploy list-deployment-targets --deployment-id "$id" --query "targetIds[0]" --output text)',
          '  shifted=$(aws deploy get-deployment-target --deployment-id "$id" --target-id "$target" \\',
          '    --query "deploymentTarget.ecsTarget.lifecycleEvents[?lifecycleEventName==\'AfterAllowTraffic\'].status | [0]" --output text 2>/dev/null || true)',
          '  [ "$shifted" = Succeeded ] && status="TrafficShifted"',
        ]
      : []),
    '  [ "$status" != "$last" ] && echo "$(date -u +%H:%M:%S) $status" && last="$status"',
    '  case "$status" in',
    '    Succeeded|TrafficShifted) exit 0 ;;',
    ...(phase === 'shifted'
      ? [
          '    Failed|Stopped)',
          '      aws deploy get-deployment --deployment-id "$id" --query deploymentInfo.errorInformation --output text',
          "      # Which lifecycle event failed (AfterAllowTestTraffic: the test-traffic hook's verdict; its log group says why).",
          '      if [ -n "$target" ] && [ "$target" != None ]; then',
          '        aws deploy get-deployment-target --deployment-id "$id" --target-id "$target" \\',
          '          --query "deploymentTarget.ecsTarget.lifecycleEvents[].[lifecycleEventName, status]" --output text || true',
          '      fi',
          '      exit 1 ;;',
        ]
      : [
          '    Failed|Stopped) aws deploy get-deployment --deployment-id "$id" --query deploymentInfo.errorInformation --output text; exit 1 ;;',
        ]),
    '  esac',
    '  sleep 15',
    'done',
  ].join('\n');
}

export const smokeTest: Step = {
  name: 'Smoke test',
  if: "env.HEALTH_URL != ''",
  run: 'curl --fail --silent --show-error --retry 10 --retry-delay 6 --retry-all-errors "$HEALTH_URL"',
};

export const rollbackSteps: Step[] = [
  {
    name: 'Roll back to the previous revision',
    if: `failure() && ${ROLLING} && steps.register.outputs.previous != ''`,
    run: ['echo "::error::deployment failed: rolling back to $PREVIOUS"', ...rollTo('PREVIOUS')].join('\n'),
    env: { PREVIOUS: '${{ steps.register.outputs.previous }}' },
  },
  {
    // A deployment that failed or met an alarm has rolled back already; one still running (the job
    // failed or was cancelled meanwhile) is stopped and rolled back here.
    name: 'Stop the blue/green deployment and roll back',
    if: `(failure() || cancelled()) && ${BLUE_GREEN} && steps.deploy.outputs.id != ''`,
    env: { ID: '${{ steps.deploy.outputs.id }}' },
    run: [
      'echo "::error::deployment $ID failed: stopping it with rollback"',
      'aws deploy stop-deployment --deployment-id "$ID" --auto-rollback-enabled || echo "already finished (CodeDeploy rolled it back if it failed)"',
    ].join('\n'),
  },
];

/** The job summary: service, image, mode and outcome (for blue/green the deployment's status and error). */
export const summaryStep: Step = {
  name: 'Job summary',
  if: 'always()',
  env: { ID: '${{ steps.deploy.outputs.id }}', OUTCOME: '${{ job.status }}' },
  run: [
    '{',
    '  echo "### ${SERVICE} to ${TARGET}: ${OUTCOME}"',
    '  echo "- image: \\`${IMAGE}:${TAG}\\`"',
    '  echo "- deployment: ${DEPLOYMENT}"',
    '  if [ -n "$ID" ]; then',
    '    echo "- CodeDeploy deployment \\`$ID\\`: $(aws deploy get-deployment --deployment-id "$ID" --query "deploymentInfo.[status, errorInformation.message]" --output text 2>/dev/null || echo unknown)"',
    '  fi',
    '} >> "$GITHUB_STEP_SUMMARY"',
  ].join('\n'),
};

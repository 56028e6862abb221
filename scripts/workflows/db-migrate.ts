/**
 * `db-migrate.yml`: runs an environment's one-off database migration task (`<prefix>-db-migrate`,
 * which creates the application users and grants; docs/runbooks.md, "Create the application
 * database users"), waits for it and fails on a non-zero exit. Dispatched on main only: the
 * migration role trusts `ref` main and this workflow (`job_workflow_ref`), and its GitHub
 * environment `<env>-migrate` is the approval gate (a subject the apply role does not accept). Only
 * environments on ECS with a database are offered.
 */
import { alertTopicArn, namePrefix, pipelineRoleNames, roleArn } from '../../constructs/core/naming';
import { migrateEnvironment } from '../../constructs/delivery/trust';
import { accountOf, type Registry } from '../../environments/registry';
import { backupBeforeRiskyChange, backupTargetOf } from './backup-before-change';
import { credentials, notifyFailure, OIDC, READ_ONLY, render, runner } from './common';

/**
 * Shell: runs the migration task (`$PREFIX-db-migrate`, or the revision in `$<revisionVar>`) in the
 * platform's network, waits for it, writes its exit code to the job summary and fails on non-zero.
 * The task's network comes from the platform's names: private subnets and its own security group.
 * With `printLogs`, the run's log stream is printed (the caller's role reads that log group).
 */
export function migrationTaskScript(
  opts: {
    revisionVar?: string;
    printLogs?: boolean;
    /** The task's name (family, security group, log group, stream prefix): default `db-migrate`. */
    task?: { family: string; group: string; logGroup: string; stream: string };
  } = {},
): string {
  const task = opts.task ?? {
    family: '${PREFIX}-db-migrate',
    group: '${PREFIX}-db-migrate',
    logGroup: '/ecs/${PREFIX}/db-migrate',
    stream: 'db-migrate/db-migrate',
  };
  const definition = opts.revisionVar ? `$${opts.revisionVar}` : task.family;
  return [
    'set -euo pipefail',
    'SUBNETS=$(aws ec2 describe-subnets --filters "Name=tag:Name,Values=${PREFIX}-private-*" --query "Subnets[].SubnetId" --output text | tr "\\t" ",")',
    `GROUP=$(aws ec2 describe-security-groups --filters "Name=group-name,Values=${task.group}" --query "SecurityGroups[0].GroupId" --output text)`,
    `TASK=$(aws ecs run-task --cluster "$PREFIX" --task-definition "${definition}" --launch-type FARGATE \\`,
    '  --network-configuration "awsvpcConfiguration={subnets=[${SUBNETS}],securityGroups=[${GROUP}],assignPublicIp=DISABLED}" \\',
    '  --started-by "github-${GITHUB_RUN_ID}" --query "tasks[0].taskArn" --output text)',
    'echo "task: $TASK"',
    'aws ecs wait tasks-stopped --cluster "$PREFIX" --tasks "$TASK"',
    'EXIT=$(aws ecs describe-tasks --cluster "$PREFIX" --tasks "$TASK" --query "tasks[0].containers[0].exitCode" --output text)',
    ...(opts.printLogs
      ? [
          'echo "::group::migration output"',
          `aws logs get-log-events --log-group-name "${task.logGroup}" --log-stream-name "${task.stream}/\${TASK##*/}" --start-from-head --query "events[].message" --output text || echo "(no log events)"`,
          'echo "::endgroup::"',
        ]
      : []),
    `echo "### ${task.family.replace('${PREFIX}-', '')} on \${TARGET}: exit \${EXIT} (logs: ${task.logGroup})" >> "$GITHUB_STEP_SUMMARY"`,
    'test "$EXIT" = "0"',
  ].join('\n');
}

export function dbMigrate(registry: Registry): string | undefined {
  const targets = Object.values(registry.environments)
    // An ECS run-task: on EKS the app users come from a Kubernetes Job of the bootstrap (docs/runbooks.md).
    .filter((env) => env.database !== undefined && env.compute.platform === 'fargate')
    .map((env) => {
      const { project } = accountOf(registry, env).account;
      const role = roleArn(env.accountId, pipelineRoleNames.migrate(project, env.name));
      const alertTopic = alertTopicArn(
        { project, accountId: env.accountId, region: env.region, environment: env.name },
        'warning',
      );
      const backup = backupTargetOf(env, project);
      return {
        name: env.name,
        region: env.region,
        prefix: namePrefix(project, env.name),
        role,
        alertTopic,
        // Production with a database: backed up (and waited for) before the migration; '' elsewhere.
        backupDatabase: backup?.database ?? '',
        backupVault: backup?.vault ?? '',
        backupRole: backup?.role ?? '',
        backupDeleteAfterDays: backup ? String(backup.deleteAfterDays) : '',
      };
    });
  if (targets.length === 0) return undefined;
  const pick = (field: Exclude<keyof (typeof targets)[number], 'name'>) =>
    `\${{ fromJSON('${JSON.stringify(Object.fromEntries(targets.map((t) => [t.name, t[field]])))}')[inputs.environment] }}`;
  return render({
    name: 'db-migrate',
    on: {
      workflow_dispatch: {
        inputs: {
          environment: {
            description: 'Environment whose database migration task runs',
            required: true,
            type: 'choice',
            options: targets.map((t) => t.name),
          },
        },
      },
    },
    permissions: READ_ONLY,
    concurrency: { group: 'db-migrate-${{ inputs.environment }}', 'cancel-in-progress': false },
    jobs: {
      migrate: {
        // The trust policy requires main as well; this refuses early with a readable reason.
        if: "github.ref == 'refs/heads/main'",
        ...runner(30),
        // The migration role trusts only this GitHub environment (its gate): no apply token has it.
        environment: migrateEnvironment('${{ inputs.environment }}'),
        permissions: OIDC,
        env: { TARGET: '${{ inputs.environment }}', PREFIX: pick('prefix') },
        steps: [
          credentials(pick('role'), pick('region')),
          backupBeforeRiskyChange({
            condition: `${pick('backupDatabase').slice(4, -3)} != ''`,
            database: pick('backupDatabase'),
            vault: pick('backupVault'),
            role: pick('backupRole'),
            deleteAfterDays: pick('backupDeleteAfterDays'),
          }),
          { name: 'Run the migration task and wait for it', run: migrationTaskScript() },
          notifyFailure({
            topic: pick('alertTopic'),
            environment: '${{ inputs.environment }}',
            deploys: 'the database migration task',
          }),
        ],
      },
    },
  });
}

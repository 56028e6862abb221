/**
 * The identity policies of the roles that deploy into a running environment (pure: no resources):
 * one per service (image, service, its two roles) and the database migration.
 */
import { namePrefix, Naming, SITE_BUCKET_COMPONENT } from '../core/naming';
import type { PolicyStatement } from '../core/iam';
import { iamArn } from './statements';

/** What a service's deploy role touches: that service's repository, service and two roles. */
export interface ServiceDeployTarget {
  readonly accountId: string;
  readonly region: string;
  readonly project: string;
  readonly env: string;
  readonly service: string;
}

/** The ARN pattern of every revision of a task definition family. */
export const familyArn = (t: Pick<ServiceDeployTarget, 'accountId' | 'region'>, family: string) =>
  `arn:aws:ecs:${t.region}:${t.accountId}:task-definition/${family}:*`;

/**
 * Pushing the service's image (app-image's `image` job): ECR login, and the calls `docker push`
 * makes on the service's repository. All the deploy role of a service that ECS does not run (EKS:
 * the cluster's bootstrap rolls the image out) may do.
 */
export function imagePushStatements(t: ServiceDeployTarget): PolicyStatement[] {
  const name = `${namePrefix(t.project, t.env)}-${t.service}`;
  return [
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'PushImages',
      Effect: 'Allow',
      Action: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:CompleteLayerUpload',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
      ],
      Resource: `arn:aws:ecr:${t.region}:${t.accountId}:repository/${name}`,
    },
  ];
}

/**
 * The ECS rollout of the service (app-image's `deploy` job): a revision of its own family only, and
 * the service pointed only at a revision of that family (`ecs:task-definition`): not the migration
 * task (the master credential), not another service's, not another environment's.
 */
export function serviceDeployStatements(t: ServiceDeployTarget): PolicyStatement[] {
  const prefix = namePrefix(t.project, t.env);
  const name = `${prefix}-${t.service}`;
  const service = `arn:aws:ecs:${t.region}:${t.accountId}:service/${prefix}/${name}`;
  return [
    ...imagePushStatements(t),
    // Describe takes no resource ARN (service authorization reference).
    { Sid: 'TaskDefinitions', Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    {
      Sid: 'RegisterOwnTaskDefinition',
      Effect: 'Allow',
      Action: 'ecs:RegisterTaskDefinition',
      Resource: familyArn(t, name),
    },
    { Sid: 'DescribeService', Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: service },
    {
      // The workflow passes the revision's full ARN (register's output, or describe-services' for a
      // rollback); without `--task-definition` the key is absent and the call is denied (strict).
      // The network and ECS Exec are Terraform's: the workflow passes only --cluster, --service and
      // --task-definition, and ECS sets these keys only from the parameters a request gives (hence
      // IfExists). No subnets at all (a public one cannot be told by its id; security groups come
      // only with subnets), no public IP, no ECS Exec, Service Connect or VPC Lattice switched on.
      // Load balancers carry no key (docs/architecture.md, "Security model": the residual).
      Sid: 'UpdateServiceToOwnFamily',
      Effect: 'Allow',
      Action: 'ecs:UpdateService',
      Resource: service,
      Condition: {
        ArnLike: { 'ecs:task-definition': familyArn(t, name) },
        Null: { 'ecs:subnet': 'true' },
        StringEqualsIgnoreCaseIfExists: {
          'ecs:auto-assign-public-ip': ['false', 'DISABLED'],
          'ecs:enable-execute-command': 'false',
          'ecs:enable-service-connect': 'false',
          'ecs:enable-vpc-lattice': 'false',
        },
      },
    },
    {
      // Checked by RegisterTaskDefinition (the revision names them); if ECS re-checks it on
      // UpdateService (docs/architecture.md: the strict reading), these two are still all it passes.
      Sid: 'PassTaskRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: [
        iamArn(t.accountId, 'role', `${name}-task`),
        iamArn(t.accountId, 'role', `${name}-execution`),
      ],
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
    ...blueGreenStatements(t),
  ];
}

/**
 * Blue/green rollouts through the service's own CodeDeploy application and deployment group (both
 * `<prefix>-<service>`): create, watch and stop deployments. Granted whatever the service's mode, so
 * switching `deployment` changes the platform stack only, not this role; on a rolling service the
 * group does not exist and the statement reaches nothing.
 */
function blueGreenStatements(t: ServiceDeployTarget): PolicyStatement[] {
  const name = `${namePrefix(t.project, t.env)}-${t.service}`;
  const codedeploy = (resource: string) => `arn:aws:codedeploy:${t.region}:${t.accountId}:${resource}`;
  return [
    {
      Sid: 'BlueGreenDeployments',
      Effect: 'Allow',
      Action: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
      Resource: codedeploy(`deploymentgroup:${name}/${name}`),
    },
    {
      // Exception: these take no resource ARN and no condition key (service authorization
      // reference). The target reads say when traffic has moved; stopping a deployment rolls it back
      // — at worst another service's in-flight deployment is rolled back: availability, never access.
      Sid: 'BlueGreenWatchAndStop',
      Effect: 'Allow',
      Action: [
        'codedeploy:GetDeploymentTarget',
        'codedeploy:ListDeploymentTargets',
        'codedeploy:StopDeployment',
      ],
      Resource: '*',
    },
    {
      Sid: 'BlueGreenRevisions',
      Effect: 'Allow',
      Action: ['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
      Resource: codedeploy(`application:${name}`),
    },
    {
      // The group's traffic shift: its own configuration or one of CodeDeploy's ECS defaults.
      Sid: 'BlueGreenConfigs',
      Effect: 'Allow',
      Action: 'codedeploy:GetDeploymentConfig',
      Resource: [
        codedeploy(`deploymentconfig:${name}-*`),
        codedeploy('deploymentconfig:CodeDeployDefault.ECS*'),
      ],
    },
  ];
}

/**
 * The static site's publisher (frontend-deploy): objects of the environment's site bucket (named:
 * deterministic), and invalidations of the distribution tagged with the environment and project —
 * its id is random, and the apply roles' fence keeps any other environment from tagging one so.
 * Finding the distribution (by its alias) needs ListDistributions, which takes no resource.
 */
export function siteDeployStatements(t: Omit<ServiceDeployTarget, 'service'>): PolicyStatement[] {
  const naming = new Naming({
    project: t.project,
    environment: t.env,
    accountId: t.accountId,
    region: t.region,
  });
  const bucket = `arn:aws:s3:::${naming.bucket(SITE_BUCKET_COMPONENT)}`;
  return [
    { Sid: 'ListSite', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
    {
      Sid: 'PublishSite',
      Effect: 'Allow',
      // `aws s3 sync --delete` and `aws s3 cp`: list, put, delete; never a read of the objects.
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `${bucket}/*`,
    },
    { Sid: 'FindDistribution', Effect: 'Allow', Action: 'cloudfront:ListDistributions', Resource: '*' },
    {
      Sid: 'InvalidateOwnDistribution',
      Effect: 'Allow',
      Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
      Resource: `arn:aws:cloudfront::${t.accountId}:distribution/*`,
      Condition: {
        StringEquals: { 'aws:ResourceTag/Environment': t.env, 'aws:ResourceTag/Project': t.project },
      },
    },
  ];
}

/**
 * The database migration (database-admin power): run the environment's `<prefix>-db-migrate` task
 * family in its cluster, with only that task's roles, and watch it (`db-migrate.yml`: find the
 * task's network, run-task, wait, read the exit code). Its own role, not the deploy roles: trusted
 * only from the infrastructure repository on main in `<env>-migrate` (github-oidc.ts).
 */
export function migrateStatements(
  t: Omit<ServiceDeployTarget, 'service'>,
  backupBeforeChange = false,
): PolicyStatement[] {
  const prefix = namePrefix(t.project, t.env);
  return [
    ...runTaskStatements(t, `${prefix}-db-migrate`, [
      `${prefix}-db-migrate-task`,
      `${prefix}-db-migrate-execution`,
    ]),
    ...(backupBeforeChange ? backupBeforeChangeStatements(t) : []),
  ];
}

/**
 * The on-demand backup before a migration (production with a database;
 * scripts/workflows/backup-before-change.ts): start a backup job into the environment's vault
 * (`<prefix>-backup`) only, passing the AWS Backup role (`<prefix>-backup`) and no other, and watch the
 * job (DescribeBackupJob accepts only "*", service authorization reference). AWS Backup snapshots the
 * database with its own role: nothing of RDS here.
 */
export function backupBeforeChangeStatements(t: Omit<ServiceDeployTarget, 'service'>): PolicyStatement[] {
  const prefix = namePrefix(t.project, t.env);
  return [
    {
      Sid: 'BackupBeforeChange',
      Effect: 'Allow',
      Action: 'backup:StartBackupJob',
      Resource: `arn:aws:backup:${t.region}:${t.accountId}:backup-vault:${prefix}-backup`,
    },
    { Sid: 'WatchBackup', Effect: 'Allow', Action: 'backup:DescribeBackupJob', Resource: '*' },
    {
      Sid: 'PassBackupRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: iamArn(t.accountId, 'role', `${prefix}-backup`),
      Condition: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
    },
  ];
}

/**
 * Running one task family in the environment's cluster and watching it: run-task of `family` with
 * exactly `roles` passed (RunTask checks iam:PassRole for the revision's task and execution roles),
 * describe-tasks, and the task's private subnets and security group found by name (these Describe
 * calls accept only "*", service authorization reference, and return configuration, not data).
 */
function runTaskStatements(
  t: Omit<ServiceDeployTarget, 'service'>,
  family: string,
  roles: readonly string[],
): PolicyStatement[] {
  const prefix = namePrefix(t.project, t.env);
  const ecs = (kind: string) => `arn:aws:ecs:${t.region}:${t.accountId}:${kind}`;
  return [
    {
      Sid: 'RunMigration',
      Effect: 'Allow',
      Action: 'ecs:RunTask',
      Resource: familyArn(t, family),
      Condition: { ArnEquals: { 'ecs:cluster': ecs(`cluster/${prefix}`) } },
    },
    {
      Sid: 'WatchMigration',
      Effect: 'Allow',
      Action: 'ecs:DescribeTasks',
      Resource: ecs(`task/${prefix}/*`),
    },
    {
      Sid: 'FindTaskNetwork',
      Effect: 'Allow',
      Action: ['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
      Resource: '*',
    },
    {
      Sid: 'PassMigrationRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: roles.map((r) => iamArn(t.accountId, 'role', r)),
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
  ];
}

/**
 * A service's schema migrations (`services.<name>.migrations`), run by app-image's `migrate` job
 * before the rollout as the service's own migration task (`<prefix>-<service>-migrate`,
 * compute/service-migration-task.ts: its schema's migration user, no master credential): reading its
 * latest revision and registering one with the release's image and command, running it in the
 * environment's cluster with the service's network, passing exactly its task role and the service's
 * execution role, and reading its output (stream prefix `migrate` in the service's log group).
 * Never the platform's bootstrap task (`<prefix>-db-migrate`).
 */
export function serviceMigrateStatements(
  t: ServiceDeployTarget,
  backupBeforeChange = false,
): PolicyStatement[] {
  const prefix = namePrefix(t.project, t.env);
  const family = `${prefix}-${t.service}-migrate`;
  return [
    ...runTaskStatements(t, family, [family, `${prefix}-${t.service}-execution`]),
    { Sid: 'TaskDefinitions', Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    {
      Sid: 'RegisterMigrationRevision',
      Effect: 'Allow',
      Action: 'ecs:RegisterTaskDefinition',
      Resource: familyArn(t, family),
    },
    {
      Sid: 'ReadMigrationLogs',
      Effect: 'Allow',
      Action: 'logs:GetLogEvents',
      Resource: `arn:aws:logs:${t.region}:${t.accountId}:log-group:/ecs/${prefix}/${t.service}:log-stream:migrate/*`,
    },
    ...(backupBeforeChange ? backupBeforeChangeStatements(t) : []),
  ];
}

/**
 * The identity policies of the roles that deploy into a running environment (pure: no resources):
 * one per service (image, service, its two roles) and the database migration.
 */
import { namePrefix, Naming } from '../core/naming';
import { SITE_BUCKET_COMPONENT } from '../frontend/site-bucket';
import { iamArn, type Statement } from './statements';

/** What a service's deploy role touches: that service's repository, service and two roles. */
export interface ServiceDeployTarget {
  readonly accountId: string;
  readonly region: string;
  readonly project: string;
  readonly env: string;
  readonly service: string;
}

export function serviceDeployStatements(t: ServiceDeployTarget): Statement[] {
  const prefix = namePrefix(t.project, t.env);
  const name = `${prefix}-${t.service}`;
  return [
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'PushImages',
      Effect: 'Allow',
      Action: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:CompleteLayerUpload',
        'ecr:DescribeImages',
        'ecr:GetDownloadUrlForLayer',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
      ],
      Resource: `arn:aws:ecr:${t.region}:${t.accountId}:repository/${name}`,
    },
    // Describe takes no resource ARN; a revision is registered only in the service's own family (not
    // in the migration task's, which the gated migration runs).
    { Sid: 'TaskDefinitions', Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    {
      Sid: 'RegisterOwnTaskDefinition',
      Effect: 'Allow',
      Action: 'ecs:RegisterTaskDefinition',
      Resource: `arn:aws:ecs:${t.region}:${t.accountId}:task-definition/${name}:*`,
    },
    {
      Sid: 'UpdateService',
      Effect: 'Allow',
      Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
      Resource: `arn:aws:ecs:${t.region}:${t.accountId}:service/${prefix}/${name}`,
    },
    {
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
function blueGreenStatements(t: ServiceDeployTarget): Statement[] {
  const name = `${namePrefix(t.project, t.env)}-${t.service}`;
  const codedeploy = (resource: string) => `arn:aws:codedeploy:${t.region}:${t.accountId}:${resource}`;
  return [
    {
      Sid: 'BlueGreenDeployments',
      Effect: 'Allow',
      Action: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup'],
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
export function siteDeployStatements(t: Omit<ServiceDeployTarget, 'service'>): Statement[] {
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
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
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
 * family in its cluster, with only that task's roles, and watch it. Its own role, not the deploy
 * roles: trusted only from the infrastructure repository on main (github-oidc.ts).
 */
export function migrateStatements(t: Omit<ServiceDeployTarget, 'service'>): Statement[] {
  const prefix = namePrefix(t.project, t.env);
  const ecs = (kind: string) => `arn:aws:ecs:${t.region}:${t.accountId}:${kind}`;
  return [
    {
      Sid: 'RunMigration',
      Effect: 'Allow',
      Action: 'ecs:RunTask',
      Resource: ecs(`task-definition/${prefix}-db-migrate:*`),
      Condition: { ArnEquals: { 'ecs:cluster': ecs(`cluster/${prefix}`) } },
    },
    {
      Sid: 'WatchMigration',
      Effect: 'Allow',
      Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
      Resource: ecs(`task/${prefix}/*`),
    },
    { Sid: 'TaskDefinitions', Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    // db-migrate.yml finds the task's private subnets and security group by name; these Describe
    // calls accept only "*" (service authorization reference) and return configuration, not data.
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
      Resource: [
        iamArn(t.accountId, 'role', `${prefix}-db-migrate-task`),
        iamArn(t.accountId, 'role', `${prefix}-db-migrate-execution`),
      ],
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
  ];
}

/**
 * A service's schema migrations (`services.<name>.migrations`), run by app-image before its
 * rollout: the migration task's rights, plus registering its revision with the migration image and
 * command, and reading that task's log group (the workflow prints the run's output).
 */
export function serviceMigrateStatements(t: ServiceDeployTarget): Statement[] {
  const prefix = namePrefix(t.project, t.env);
  return [
    ...migrateStatements(t),
    {
      Sid: 'RegisterMigrationRevision',
      Effect: 'Allow',
      Action: 'ecs:RegisterTaskDefinition',
      Resource: `arn:aws:ecs:${t.region}:${t.accountId}:task-definition/${prefix}-db-migrate:*`,
    },
    {
      Sid: 'ReadMigrationLogs',
      Effect: 'Allow',
      Action: 'logs:GetLogEvents',
      Resource: `arn:aws:logs:${t.region}:${t.accountId}:log-group:/ecs/${prefix}/db-migrate:log-stream:*`,
    },
  ];
}

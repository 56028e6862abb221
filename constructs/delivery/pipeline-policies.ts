/**
 * The identity policies of the GitHub pipeline roles (pure: no resources). Boundaries live in
 * boundaries.ts; why each statement exists: docs/architecture.md, "Security model".
 */
import { namePrefix } from '../core/naming';
import { PASSED_TO_SERVICES } from './stack-services';
import { iamArn, type PipelineScope, type Statement } from './statements';

/** The state a role may use: one key prefix (`<project>/<env>/` or `<project>/accounts/<account>/`). */
export interface StateAccess {
  readonly bucketArn: string;
  readonly lockTableArn: string;
  /** The state key's ARN (a token: the key id is AWS's). */
  readonly kmsKeyArn: string;
  readonly region: string;
  /** Bucket name: lock-table items are keyed `<bucket>/<state key>`. */
  readonly bucket: string;
  /** `<project>/<env>/` */
  readonly keyPrefix: string;
}

const LOCK_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'];

/** Read the role's own state and take its lock (plan roles). */
export function stateReadStatements(state: StateAccess): Statement[] {
  return [
    // Listing shows key names only; Terraform lists workspaces outside the state prefix (`env:/`).
    { Sid: 'StateList', Effect: 'Allow', Action: 's3:ListBucket', Resource: state.bucketArn },
    {
      Sid: 'StateRead',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `${state.bucketArn}/${state.keyPrefix}*`,
    },
    // Locking: the DynamoDB table, and Terraform's S3 lock files when use_lockfile is on.
    {
      Sid: 'StateLockFile',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `${state.bucketArn}/${state.keyPrefix}*.tflock`,
    },
    {
      Sid: 'StateLockTable',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeTable', ...LOCK_ITEM_ACTIONS],
      Resource: state.lockTableArn,
    },
    {
      // Lock items are keyed by state path (`<bucket>/<key>` and `<bucket>/<key>-md5`).
      Sid: 'OnlyOwnLockItems',
      Effect: 'Deny',
      Action: LOCK_ITEM_ACTIONS,
      Resource: state.lockTableArn,
      Condition: {
        'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': `${state.bucket}/${state.keyPrefix}*` },
      },
    },
    {
      Sid: 'StateKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource: state.kmsKeyArn,
    },
  ];
}

/** Read, lock and write the role's own state (apply roles). */
export function stateWriteStatements(state: StateAccess): Statement[] {
  return [
    ...stateReadStatements(state),
    {
      Sid: 'StateWrite',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `${state.bucketArn}/${state.keyPrefix}*`,
    },
  ];
}

/**
 * Plan roles keep ReadOnlyAccess (Terraform refreshes every attribute of every resource type; a
 * hand-written read list would break each new layer's plan) and lose what reads data, not
 * configuration. Parameter Store SecureStrings stay unreadable through `NoDecryption`.
 */
export function planDataDenyStatements(state: StateAccess): Statement[] {
  return [
    {
      Sid: 'NoObjectReads',
      Effect: 'Deny',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTorrent'],
      NotResource: `${state.bucketArn}/${state.keyPrefix}*`,
    },
    {
      Sid: 'NoItemReads',
      Effect: 'Deny',
      Action: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:GetRecords',
        'dynamodb:PartiQLSelect',
      ],
      NotResource: state.lockTableArn,
    },
    {
      Sid: 'NoSecretsOrLogsOrMessages',
      Effect: 'Deny',
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:BatchGetSecretValue',
        'logs:GetLogEvents',
        'logs:FilterLogEvents',
        'logs:StartQuery',
        'logs:GetQueryResults',
        'logs:GetLogRecord',
        'logs:StartLiveTail',
        'logs:Unmask',
        'sqs:ReceiveMessage',
        'kinesis:GetRecords',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchGetImage',
        'cognito-idp:ListUsers',
        'cognito-idp:AdminGetUser',
        'athena:GetQueryResults',
        'rds-data:ExecuteStatement',
      ],
      Resource: '*',
    },
    {
      // Only S3 may decrypt with a key for a plan role: the state object (the one object it may read).
      Sid: 'NoDecryption',
      Effect: 'Deny',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringNotEquals: { 'kms:ViaService': `s3.${state.region}.amazonaws.com` } },
    },
  ];
}

/** Roles an apply role creates, each carrying `boundaryArn`; instance profiles under `profiles`. */
export interface ManagedRoles {
  readonly roleArns: readonly string[];
  readonly boundaryArn: string;
  readonly profileArns: readonly string[];
}

/** The IAM an apply role may do: roles only by name pattern and only under the given boundary. */
export function applyIamStatements(scope: PipelineScope, managed: ManagedRoles): Statement[] {
  const roles = managed.roleArns;
  const profiles: Statement = {
    Sid: 'InstanceProfiles',
    Effect: 'Allow',
    Action: [
      'iam:AddRoleToInstanceProfile',
      'iam:CreateInstanceProfile',
      'iam:DeleteInstanceProfile',
      'iam:RemoveRoleFromInstanceProfile',
      'iam:TagInstanceProfile',
      'iam:UntagInstanceProfile',
    ],
    Resource: managed.profileArns,
  };
  return [
    { Sid: 'ReadIam', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
    {
      Sid: 'BoundedRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:PutRolePermissionsBoundary',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
      ],
      Resource: roles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': managed.boundaryArn } },
    },
    {
      // No iam:PermissionsBoundary key for these: the roles they reach were created bounded (above).
      Sid: 'RoleLifecycle',
      Effect: 'Allow',
      Action: [
        'iam:DeleteRole',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
      ],
      Resource: roles,
    },
    {
      Sid: 'PassOwnRolesToServices',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: roles,
      Condition: { StringEquals: { 'iam:PassedToService': [...PASSED_TO_SERVICES] } },
    },
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateServiceLinkedRole',
        'iam:DeleteServiceLinkedRole',
        'iam:GetServiceLinkedRoleDeletionStatus',
      ],
      Resource: iamArn(scope.accountId, 'role', 'aws-service-role/*'),
    },
    ...(managed.profileArns.length > 0 ? [profiles] : []),
    { Sid: 'BoundariesStay', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
  ];
}

/**
 * One environment in a shared account: no action on a resource tagged with another environment
 * (account-level resources, tagged `account`, are fenced by the boundary instead), and no resource
 * created or tagged into another environment.
 */
export function environmentFenceStatements(env: string): Statement[] {
  return [
    {
      Sid: 'OtherEnvironmentsResources',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        StringNotEquals: { 'aws:ResourceTag/Environment': [env, 'account'] },
        Null: { 'aws:ResourceTag/Environment': 'false' },
      },
    },
    {
      Sid: 'NoOtherEnvironmentsTags',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        StringNotEquals: { 'aws:RequestTag/Environment': env },
        Null: { 'aws:RequestTag/Environment': 'false' },
      },
    },
  ];
}

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
    {
      // Neither call takes a resource ARN; the revision can only run with the roles passed below.
      Sid: 'TaskDefinitions',
      Effect: 'Allow',
      Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
      Resource: '*',
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
  ];
}

/**
 * What only the account apply role does: the state stack's boundaries and OIDC provider (the
 * pipeline boundary exempts it from protecting them; its own identity policy still names them).
 */
export function accountPipelineStatements(
  scope: PipelineScope,
  boundaryArns: readonly string[],
): Statement[] {
  return [
    {
      Sid: 'Boundaries',
      Effect: 'Allow',
      Action: [
        'iam:CreatePolicy',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicy',
        'iam:DeletePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:TagPolicy',
        'iam:UntagPolicy',
      ],
      Resource: boundaryArns,
    },
    {
      Sid: 'GitHubOidcProvider',
      Effect: 'Allow',
      Action: [
        'iam:CreateOpenIDConnectProvider',
        'iam:DeleteOpenIDConnectProvider',
        'iam:UpdateOpenIDConnectProviderThumbprint',
        'iam:AddClientIDToOpenIDConnectProvider',
        'iam:RemoveClientIDFromOpenIDConnectProvider',
        'iam:TagOpenIDConnectProvider',
        'iam:UntagOpenIDConnectProvider',
      ],
      Resource: iamArn(scope.accountId, 'oidc-provider', 'token.actions.githubusercontent.com'),
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

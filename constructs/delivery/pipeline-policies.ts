import { pipelineRoleNames, roleArn } from '../core/naming';
import type { PolicyStatement } from '../core/iam';
import type { GitHubPipelineProps, PipelineEnvironment, StateAccess } from './github-oidc';

// The policy statements of the GitHub pipeline's boundary and roles (pure: no resources).

/** The apply roles' permissions boundary: no IAM users, no organizations, no changes to the pipeline. */
export function boundaryStatements(props: GitHubPipelineProps): PolicyStatement[] {
  const { project, accountId } = props;
  const pipelineRolePattern = `arn:aws:iam::${accountId}:role/${project}-*-github-*`;
  const boundaryArn = `arn:aws:iam::${accountId}:policy/${pipelineRoleNames.boundary(project)}`;
  const accountApplyArn = roleArn(accountId, pipelineRoleNames.accountApply(project, props.accountSlug));
  return [
    // A boundary caps what identity policies grant; the identity policies themselves stay explicit.
    { Sid: 'Ceiling', Effect: 'Allow', Action: '*', Resource: '*' },
    {
      Sid: 'NoIamUsersOrKeys',
      Effect: 'Deny',
      Action: [
        'iam:CreateUser',
        'iam:CreateLoginProfile',
        'iam:UpdateLoginProfile',
        'iam:CreateAccessKey',
        'iam:AttachUserPolicy',
        'iam:PutUserPolicy',
        'iam:AddUserToGroup',
      ],
      Resource: '*',
    },
    { Sid: 'NoOrganizations', Effect: 'Deny', Action: ['organizations:*', 'account:*'], Resource: '*' },
    {
      // The account apply role manages the pipeline (this stack); every other apply role is kept out.
      Sid: 'PipelineIsProtected',
      Effect: 'Deny',
      Action: [
        'iam:CreatePolicyVersion',
        'iam:DeletePolicy',
        'iam:DeletePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:DeleteRolePermissionsBoundary',
        'iam:DeleteRole',
        'iam:UpdateRole',
      ],
      Resource: [boundaryArn, pipelineRolePattern],
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': accountApplyArn } },
    },
  ];
}

/** Read state and take the lock (plan roles). */
export function stateReadStatements(state: StateAccess): PolicyStatement[] {
  return [
    { Sid: 'StateList', Effect: 'Allow', Action: 's3:ListBucket', Resource: state.bucketArn },
    { Sid: 'StateRead', Effect: 'Allow', Action: 's3:GetObject', Resource: `${state.bucketArn}/*` },
    // Locking: the DynamoDB table, and Terraform's S3 lock files when use_lockfile is on.
    {
      Sid: 'StateLockFile',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `${state.bucketArn}/*.tflock`,
    },
    {
      Sid: 'StateLockTable',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      Resource: state.lockTableArn,
    },
    {
      Sid: 'StateKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource: state.kmsKeyArn,
    },
  ];
}

/** Read, lock and write state (apply roles). */
export function stateWriteStatements(state: StateAccess): PolicyStatement[] {
  return [
    ...stateReadStatements(state),
    {
      Sid: 'StateWrite',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `${state.bucketArn}/*`,
    },
  ];
}

/** The IAM calls the stacks make (beyond PowerUserAccess), plus state write (apply roles). */
export function applyIamStatements(accountId: string, state: StateAccess): PolicyStatement[] {
  return [
    {
      Sid: 'ManageRolesAndPolicies',
      Effect: 'Allow',
      Action: IAM_MANAGEMENT_ACTIONS,
      Resource: [
        `arn:aws:iam::${accountId}:role/*`,
        `arn:aws:iam::${accountId}:policy/*`,
        `arn:aws:iam::${accountId}:instance-profile/*`,
        `arn:aws:iam::${accountId}:oidc-provider/*`,
      ],
    },
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateServiceLinkedRole',
        'iam:DeleteServiceLinkedRole',
        'iam:GetServiceLinkedRoleDeletionStatus',
      ],
      Resource: `arn:aws:iam::${accountId}:role/aws-service-role/*`,
    },
    ...stateWriteStatements(state),
  ];
}

/** Push to the environment's repositories, register task definitions, update services, pass roles. */
export function deployStatements(
  accountId: string,
  env: PipelineEnvironment,
  prefix: string,
): PolicyStatement[] {
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
      Resource: `arn:aws:ecr:${env.region}:${accountId}:repository/${prefix}-*`,
    },
    {
      Sid: 'TaskDefinitions',
      Effect: 'Allow',
      Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
      Resource: '*',
    },
    {
      Sid: 'UpdateServices',
      Effect: 'Allow',
      Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
      Resource: `arn:aws:ecs:${env.region}:${accountId}:service/${prefix}/*`,
    },
    {
      Sid: 'PassTaskRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: [
        `arn:aws:iam::${accountId}:role/${prefix}-*-task`,
        `arn:aws:iam::${accountId}:role/${prefix}-*-execution`,
      ],
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
  ];
}

const IAM_MANAGEMENT_ACTIONS = [
  'iam:AddRoleToInstanceProfile',
  'iam:AttachRolePolicy',
  'iam:CreateInstanceProfile',
  'iam:CreateOpenIDConnectProvider',
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:CreateRole',
  'iam:DeleteInstanceProfile',
  'iam:DeleteOpenIDConnectProvider',
  'iam:DeletePolicy',
  'iam:DeletePolicyVersion',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PassRole',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:RemoveRoleFromInstanceProfile',
  'iam:SetDefaultPolicyVersion',
  'iam:TagInstanceProfile',
  'iam:TagOpenIDConnectProvider',
  'iam:TagPolicy',
  'iam:TagRole',
  'iam:UntagInstanceProfile',
  'iam:UntagOpenIDConnectProvider',
  'iam:UntagPolicy',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateOpenIDConnectProviderThumbprint',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:AddClientIDToOpenIDConnectProvider',
  'iam:RemoveClientIDFromOpenIDConnectProvider',
];

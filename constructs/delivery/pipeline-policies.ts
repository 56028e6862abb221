/**
 * The identity policies of the GitHub pipeline roles (pure: no resources). Boundaries live in
 * boundaries.ts; why each statement exists: docs/architecture.md, "Security model".
 */
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

/**
 * Read the role's own state (plan roles: they plan with `-lock=false`; a pull request's plan must
 * not be able to take or break the lock of an apply in progress). The lock table's items are read
 * for Terraform's state digest check.
 */
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
    {
      Sid: 'StateLockTable',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem'],
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
    // Locking: the DynamoDB table's items (and with use_lockfile the `.tflock` objects, written
    // like the state below).
    {
      Sid: 'StateLock',
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
      Resource: state.lockTableArn,
    },
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
 * One environment in a shared account: no action on a resource tagged with another environment or
 * with `account` (the baseline's trail and Config buckets, the analyzer, ...), and no resource created
 * or tagged into another environment. The state bucket, lock table and key are account resources an
 * environment's roles must use: for them only the state calls (the bucket policy and `OnlyOwnLockItems`
 * narrow those to the environment's own key). The account apply role (`fence` = `account`) is kept
 * out of every environment's resources the same way. Buckets: by name (`<project>-<env>-*`).
 */
export function environmentFenceStatements(
  fence: string,
  state?: StateAccess,
  bucketPrefix?: string,
): Statement[] {
  const shared = state ? [state.bucketArn, state.lockTableArn, state.kmsKeyArn] : [];
  // S3 evaluates aws:ResourceTag on buckets only with bucket ABAC turned on: buckets are fenced by name.
  const ownBuckets: Statement[] =
    state && bucketPrefix
      ? [
          {
            Sid: 'OnlyOwnBuckets',
            Effect: 'Deny',
            Action: 's3:*',
            NotResource: [
              `arn:aws:s3:::${bucketPrefix}-*`,
              `arn:aws:s3:::${bucketPrefix}-*/*`,
              state.bucketArn,
              `${state.bucketArn}/*`,
            ],
          },
        ]
      : [];
  return [
    ...ownBuckets,
    {
      Sid: 'OtherEnvironmentsResources',
      Effect: 'Deny',
      Action: '*',
      ...(state ? { NotResource: shared } : { Resource: '*' }),
      Condition: {
        StringNotEquals: { 'aws:ResourceTag/Environment': fence },
        Null: { 'aws:ResourceTag/Environment': 'false' },
      },
    },
    ...(state
      ? [
          {
            Sid: 'StateResourcesOnlyForState',
            Effect: 'Deny' as const,
            NotAction: [
              's3:ListBucket',
              'dynamodb:DescribeTable',
              ...LOCK_ITEM_ACTIONS,
              'kms:Decrypt',
              'kms:Encrypt',
              'kms:GenerateDataKey',
              'kms:DescribeKey',
            ],
            Resource: shared,
          },
        ]
      : []),
    {
      Sid: 'NoOtherEnvironmentsTags',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        StringNotEquals: { 'aws:RequestTag/Environment': fence },
        Null: { 'aws:RequestTag/Environment': 'false' },
      },
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

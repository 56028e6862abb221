/**
 * The identity policies of the GitHub pipeline roles (pure: no resources). Boundaries live in
 * boundaries.ts; the state's in state-policies.ts, what plan roles lose in plan-policies.ts (both
 * re-exported here); why each statement exists: docs/architecture.md, "Security model".
 */
import { pipelineRoleNames } from '../core/naming';
import type { PolicyStatement } from '../core/iam';
import { IAM_WRITE_ACTIONS, iamArn, type PipelineScope } from './statements';
import {
  LOCK_ITEM_ACTIONS,
  lockObjectArns,
  replicaOwnObjectArns,
  type StateAccess,
  stateObjectArns,
  stateResourceArns,
} from './state-policies';

export * from './plan-policies';
export * from './state-policies';

/** Roles an apply role creates, each carrying `boundaryArn`; instance profiles under `profiles`. */
export interface ManagedRoles {
  readonly roleArns: readonly string[];
  readonly boundaryArn: string;
  readonly profileArns: readonly string[];
  /** The services these roles are passed to (`iam:PassedToService`); none: they are never passed. */
  readonly passedTo: readonly string[];
}

/**
 * The IAM reads of `terraform apply` (Terraform AWS provider 5.x, refreshing what it manages before
 * and after each change): a role (GetRole, its inline and attached policies; on delete, the instance
 * profiles it is in), an inline policy, an instance profile; the account apply role's boundaries
 * (customer managed policies and their versions) and the OIDC provider. No other read: `iam:Get*`
 * would include the credential report and every user's login profile.
 */
export const ROLE_READS = [
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListRolePolicies',
  'iam:ListAttachedRolePolicies',
  'iam:ListInstanceProfilesForRole',
];
export const PROFILE_READS = ['iam:GetInstanceProfile'];
export const POLICY_READS = ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'];
export const OIDC_PROVIDER_READS = ['iam:GetOpenIDConnectProvider'];

/** The IAM an apply role may do: roles only by name pattern and only under the given boundary. */
export function applyIamStatements(managed: ManagedRoles): PolicyStatement[] {
  const roles = managed.roleArns;
  const profiles: PolicyStatement[] = [
    { Sid: 'ReadInstanceProfiles', Effect: 'Allow', Action: PROFILE_READS, Resource: managed.profileArns },
    {
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
    },
  ];
  const pass: PolicyStatement = {
    Sid: 'PassOwnRolesToServices',
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: roles,
    Condition: { StringEquals: { 'iam:PassedToService': [...managed.passedTo] } },
  };
  return [
    { Sid: 'ReadRoles', Effect: 'Allow', Action: ROLE_READS, Resource: roles },
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
    ...(managed.passedTo.length > 0 ? [pass] : []),
    ...(managed.profileArns.length > 0 ? profiles : []),
    { Sid: 'BoundariesStay', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
  ];
}

/** Every S3 action on objects: a fence on object keys names these (bucket actions take no key). */
const OBJECT_ACTIONS = [
  's3:GetObject*',
  's3:PutObject*',
  's3:DeleteObject*',
  's3:RestoreObject',
  's3:ReplicateObject',
  's3:ReplicateDelete',
  's3:ReplicateTags',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
  's3:BypassGovernanceRetention',
];

/**
 * The ECS actions that carry `ecs:cluster` and change or run something: a new service, task or task
 * set names the cluster, not a tagged resource, so the tag fence does not reach them.
 */
export const ECS_CLUSTER_ACTIONS = [
  'ecs:RunTask',
  'ecs:StartTask',
  'ecs:StopTask',
  'ecs:CreateService',
  'ecs:UpdateService',
  'ecs:DeleteService',
  'ecs:CreateTaskSet',
  'ecs:UpdateTaskSet',
  'ecs:DeleteTaskSet',
  'ecs:UpdateServicePrimaryTaskSet',
  'ecs:ExecuteCommand',
  'ecs:UpdateTaskProtection',
];

/**
 * Settings of the whole account (one per account and region, no resource or tag to fence): the
 * baseline's (`baseline-<account>`, the account apply role: EBS encryption by default, the S3
 * account public access block) or an admin's, never an environment's.
 */
export const ACCOUNT_SETTINGS_ACTIONS = [
  'ec2:DisableEbsEncryptionByDefault',
  'ec2:EnableEbsEncryptionByDefault',
  'ec2:ModifyEbsDefaultKmsKeyId',
  'ec2:ResetEbsDefaultKmsKeyId',
  'ec2:ModifyInstanceMetadataDefaults',
  'ec2:DisableImageBlockPublicAccess',
  'ec2:EnableImageBlockPublicAccess',
  'ec2:DisableSnapshotBlockPublicAccess',
  'ec2:EnableSnapshotBlockPublicAccess',
  'ec2:DisableSerialConsoleAccess',
  'ec2:EnableSerialConsoleAccess',
  'ec2:DisableAllowedImagesSettings',
  'ec2:EnableAllowedImagesSettings',
  'ec2:ReplaceImageCriteriaInAllowedImagesSettings',
  'ecr:PutRegistryPolicy',
  'ecr:DeleteRegistryPolicy',
  'ecr:PutRegistryScanningConfiguration',
  'ecr:PutReplicationConfiguration',
  'ecr:PutAccountSetting',
  'ecs:PutAccountSetting',
  'ecs:PutAccountSettingDefault',
  'ecs:DeleteAccountSetting',
  's3:PutAccountPublicAccessBlock',
  'logs:PutAccountPolicy',
  'logs:DeleteAccountPolicy',
  'xray:PutEncryptionConfig',
  'ssm:UpdateServiceSetting',
  'ssm:ResetServiceSetting',
  'rds:ModifyCertificates',
  'backup:UpdateRegionSettings',
  'backup:UpdateGlobalSettings',
  'sns:SetSMSAttributes',
];

/** What an apply role's fence keeps it to. */
export interface Fence {
  /** The `Environment` tag value of its resources: the environment's name, or `account`. */
  readonly tag: string;
  readonly state: StateAccess;
  /**
   * An environment's buckets (`<project>-<env>`: `<prefix>-*`); S3 evaluates bucket tags only with
   * bucket ABAC on, so buckets are fenced by name. Absent (the account apply role, which manages the
   * state bucket and the baseline's): its objects are fenced, not its buckets.
   */
  readonly bucketPrefix?: string;
  /**
   * An environment's ECS: its cluster's ARN (`cluster/<project>-<env>`) and its task definition
   * families (`task-definition/<project>-<env>-*`). Absent (the account apply role): no ECS at all.
   */
  readonly ecs?: { readonly clusterArn: string; readonly taskDefinitionArns: string };
}

/**
 * ECS by cluster and family: a task, service or task set only in the environment's own cluster
 * (`ecs:cluster`; a request without the key is denied too), a task definition only of its own
 * families; without `ecs` (the account apply role) nothing of ECS.
 */
function ecsFenceStatements(ecs: Fence['ecs']): PolicyStatement[] {
  if (!ecs) return [{ Sid: 'NoEcs', Effect: 'Deny', Action: 'ecs:*', Resource: '*' }];
  return [
    {
      Sid: 'OnlyOwnCluster',
      Effect: 'Deny',
      Action: ECS_CLUSTER_ACTIONS,
      Resource: '*',
      Condition: { ArnNotEquals: { 'ecs:cluster': ecs.clusterArn } },
    },
    {
      Sid: 'OnlyOwnTaskDefinitions',
      Effect: 'Deny',
      Action: ['ecs:RegisterTaskDefinition', 'ecs:DeleteTaskDefinitions'],
      NotResource: ecs.taskDefinitionArns,
    },
  ];
}

/**
 * One environment in a shared account: no action on a resource tagged with another environment or
 * with `account` (the baseline's trail and Config buckets, the analyzer, ...), and no resource created
 * or tagged into another environment. The state bucket, lock table and key are account resources an
 * environment's roles must use: for them only the state calls. State objects are an allow-list: of
 * the account's state bucket, only the role's own keys (`OnlyOwnBuckets` for an environment,
 * `OnlyOwnStateObjects` for the account apply role, which reaches no other object at all; lock items:
 * `OnlyOwnLockItems`). The account apply role (`tag` = `account`) is kept out of every environment's
 * resources the same way. What no tag reaches is fenced by name: ECS by cluster and family (the
 * account apply role runs no ECS), and an environment changes no account-wide setting.
 */
export function environmentFenceStatements(fence: Fence): PolicyStatement[] {
  const { state, bucketPrefix } = fence;
  const ownObjects = [
    ...stateObjectArns(state),
    ...lockObjectArns(state),
    ...replicaOwnObjectArns(state, true),
  ];
  // With a replica (state-replica-access.ts), its bucket and key are state resources as well.
  const shared = stateResourceArns(state);
  const own: PolicyStatement[] = bucketPrefix
    ? [
        {
          Sid: 'OnlyOwnBuckets',
          Effect: 'Deny',
          Action: 's3:*',
          NotResource: [
            `arn:aws:s3:::${bucketPrefix}-*`,
            `arn:aws:s3:::${bucketPrefix}-*/*`,
            state.bucketArn,
            ...(state.replica ? [state.replica.bucketArn] : []),
            ...ownObjects,
          ],
        },
        {
          Sid: 'OtherEnvironmentsResources',
          Effect: 'Deny',
          Action: '*',
          NotResource: shared,
          Condition: {
            StringNotEquals: { 'aws:ResourceTag/Environment': fence.tag },
            Null: { 'aws:ResourceTag/Environment': 'false' },
          },
        },
        {
          Sid: 'StateResourcesOnlyForState',
          Effect: 'Deny',
          NotAction: ['s3:ListBucket', ...LOCK_ITEM_ACTIONS, 'kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: shared,
        },
        { Sid: 'NoAccountSettings', Effect: 'Deny', Action: ACCOUNT_SETTINGS_ACTIONS, Resource: '*' },
      ]
    : [
        // Its stacks own the state bucket and the baseline's buckets, but no object in any bucket
        // but its own state: not another stack's state, not an environment's data, not the trail's logs.
        { Sid: 'OnlyOwnStateObjects', Effect: 'Deny', Action: OBJECT_ACTIONS, NotResource: ownObjects },
        {
          Sid: 'OtherEnvironmentsResources',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: {
            StringNotEquals: { 'aws:ResourceTag/Environment': fence.tag },
            Null: { 'aws:ResourceTag/Environment': 'false' },
          },
        },
      ];
  return [
    ...own,
    ...ecsFenceStatements(fence.ecs),
    {
      Sid: 'NoOtherEnvironmentsTags',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        StringNotEquals: { 'aws:RequestTag/Environment': fence.tag },
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
): PolicyStatement[] {
  const self = iamArn(
    scope.accountId,
    'role',
    pipelineRoleNames.accountApply(scope.project, scope.accountSlug),
  );
  return [
    // It manages every pipeline role but its own: a change to this role (its policies, boundary or
    // trust) is applied by an admin (docs/runbooks.md, "Bootstrap an account").
    { Sid: 'NotItself', Effect: 'Deny', Action: IAM_WRITE_ACTIONS, Resource: self },
    { Sid: 'ReadBoundaries', Effect: 'Allow', Action: POLICY_READS, Resource: boundaryArns },
    {
      // An update is a new default version (CreatePolicyVersion with SetAsDefault), the oldest of
      // five deleted first: no SetDefaultPolicyVersion, which could bring back an old version.
      Sid: 'Boundaries',
      Effect: 'Allow',
      Action: [
        'iam:CreatePolicy',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicy',
        'iam:DeletePolicyVersion',
        'iam:TagPolicy',
        'iam:UntagPolicy',
      ],
      Resource: boundaryArns,
    },
    {
      Sid: 'GitHubOidcProvider',
      Effect: 'Allow',
      Action: [
        ...OIDC_PROVIDER_READS,
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

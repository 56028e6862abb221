/**
 * The permissions boundaries of the account (docs/architecture.md, "Security model"), defined in
 * `state-<account>` so that no environment's apply role can edit them:
 * - the pipeline boundary caps every GitHub role at the services the stacks use and denies what no
 *   automation may do (edit the pipeline, switch off the audit trail, destroy keys and backups);
 * - the workload boundary caps every role the baseline stack creates: what workloads and AWS
 *   services acting for them need, never IAM changes or the pipeline;
 * - each environment's workload boundary is that, fenced to the environment: every role of its
 *   platform stack (so every role its apply role may create) carries it.
 */
import type { PolicyStatement } from '../core/iam';
import { pipelineRoleNames, roleArn, stateReplicationRoleName } from '../core/naming';
import { STATE_BUCKET_SETTINGS_ACTIONS } from '../core/state-settings';
import { PASSED_TO_SERVICES, PIPELINE_EXTRA_SERVICES, STACK_SERVICES } from './stack-services';
import {
  AUDIT_CHANGE_ACTIONS,
  AUDIT_OFF_ACTIONS,
  BACKUP_DESTRUCTION_ACTIONS,
  IAM_WRITE_ACTIONS,
  KEY_DESTRUCTION_ACTIONS,
  pipelineBoundaryArn,
  pipelineRolePattern,
  type PipelineScope,
  workloadBoundariesPattern,
} from './statements';

/** The state bucket and lock table by their deterministic ARNs. */
export interface StateResources {
  readonly bucketArn: string;
  readonly lockTableArn: string;
  /** The state replica in the recovery region (`<bucket>-replica`, state-replica.ts), when there is one. */
  readonly replicaBucketArn?: string;
}

/** The bucket and its objects: the resources a state guard covers. */
const bucketAndObjects = (arn: string | undefined) => (arn ? [arn, `${arn}/*`] : []);

const LOCK_TABLE_SETTINGS_ACTIONS = [
  'dynamodb:DeleteTable',
  'dynamodb:UpdateTable',
  'dynamodb:PutResourcePolicy',
  'dynamodb:DeleteResourcePolicy',
  'dynamodb:UpdateContinuousBackups',
];

const OIDC_PROVIDER_WRITE_ACTIONS = [
  'iam:AddClientIDToOpenIDConnectProvider',
  'iam:CreateOpenIDConnectProvider',
  'iam:DeleteOpenIDConnectProvider',
  'iam:RemoveClientIDFromOpenIDConnectProvider',
  'iam:TagOpenIDConnectProvider',
  'iam:UntagOpenIDConnectProvider',
  'iam:UpdateOpenIDConnectProviderThumbprint',
];

const NO_IAM_USERS: PolicyStatement = {
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
};
const NO_ORGANIZATIONS: PolicyStatement = {
  Sid: 'NoOrganizations',
  Effect: 'Deny',
  Action: ['organizations:*', 'account:*'],
  Resource: '*',
};

/**
 * The pipeline boundary. The account apply role applies `state-<account>` (the boundaries, the
 * pipeline roles, the OIDC provider, the state bucket) and `baseline-<account>` (the audit trail's
 * settings), so those denies exempt it; turning the audit trail off, destroying keys, recovery points
 * and vaults stay denied to it too (admins break glass).
 */
export function pipelineBoundaryStatements(scope: PipelineScope, state: StateResources): PolicyStatement[] {
  const accountApply = roleArn(
    scope.accountId,
    pipelineRoleNames.accountApply(scope.project, scope.accountSlug),
  );
  const exceptAccountApply = { ArnNotEquals: { 'aws:PrincipalArn': accountApply } };
  return [
    {
      // The ceiling: the services the stacks use (stack-services.ts), not `*`.
      Sid: 'StackServices',
      Effect: 'Allow',
      Action: [...STACK_SERVICES, ...PIPELINE_EXTRA_SERVICES].map((s) => `${s}:*`),
      Resource: '*',
    },
    NO_IAM_USERS,
    NO_ORGANIZATIONS,
    {
      Sid: 'PipelineIsProtected',
      Effect: 'Deny',
      NotAction: ['iam:Get*', 'iam:List*'],
      Resource: [pipelineBoundaryArn(scope), workloadBoundariesPattern(scope), pipelineRolePattern(scope)],
      Condition: exceptAccountApply,
    },
    {
      Sid: 'OidcProviderIsProtected',
      Effect: 'Deny',
      Action: OIDC_PROVIDER_WRITE_ACTIONS,
      Resource: '*',
      Condition: exceptAccountApply,
    },
    {
      Sid: 'NoRoleChaining',
      Effect: 'Deny',
      Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      Resource: pipelineRolePattern(scope),
    },
    {
      Sid: 'StateSettingsAreProtected',
      Effect: 'Deny',
      Action: [...STATE_BUCKET_SETTINGS_ACTIONS, ...LOCK_TABLE_SETTINGS_ACTIONS],
      Resource: [
        state.bucketArn,
        state.lockTableArn,
        ...(state.replicaBucketArn ? [state.replicaBucketArn] : []),
      ],
      Condition: exceptAccountApply,
    },
    { Sid: 'AuditStaysOn', Effect: 'Deny', Action: AUDIT_OFF_ACTIONS, Resource: '*' },
    {
      Sid: 'AuditSettingsAreBaseline',
      Effect: 'Deny',
      Action: AUDIT_CHANGE_ACTIONS,
      Resource: '*',
      Condition: exceptAccountApply,
    },
    { Sid: 'KeysAreKept', Effect: 'Deny', Action: KEY_DESTRUCTION_ACTIONS, Resource: '*' },
    { Sid: 'BackupsAreKept', Effect: 'Deny', Action: BACKUP_DESTRUCTION_ACTIONS, Resource: '*' },
  ];
}

/**
 * Services workloads and the AWS services acting for them call at run time, beyond the stacks'
 * resource types: ECS Exec and SSM sessions, tracing, metrics, secrets, messaging, the identity check.
 */
export const WORKLOAD_RUNTIME_SERVICES = [
  // The EKS cluster autoscaler resizes the node groups' Auto Scaling groups.
  'autoscaling',
  'backup-storage',
  'cloudwatch',
  'ec2messages',
  'events',
  'kafka-cluster',
  'lambda',
  'rds-db',
  'secretsmanager',
  // The e-mail validation trigger's welcome mail (its role: one verified identity only).
  'ses',
  'sns',
  'sqs',
  'ssmmessages',
  'sts',
  'tag',
  'xray',
];

/** The workload boundary: a ceiling of services, no IAM changes, no pipeline, no audit or key destruction. */
export function workloadBoundaryStatements(
  scope: PipelineScope,
  state: StateResources,
  opts: { readonly stateReplication?: boolean } = {},
): PolicyStatement[] {
  const services = [...new Set([...STACK_SERVICES, ...WORKLOAD_RUNTIME_SERVICES])].sort();
  return [
    { Sid: 'WorkloadServices', Effect: 'Allow', Action: services.map((s) => `${s}:*`), Resource: '*' },
    // Reading IAM (AWS Config) and passing roles (AWS Backup restores, CodeDeploy) stay; nothing changes IAM.
    { Sid: 'NoIamChanges', Effect: 'Deny', Action: IAM_WRITE_ACTIONS, Resource: '*' },
    NO_ORGANIZATIONS,
    {
      Sid: 'NoPipelineRoles',
      Effect: 'Deny',
      Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'iam:PassRole'],
      Resource: pipelineRolePattern(scope),
    },
    {
      Sid: 'PassOnlyToServices',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PassedToService': [...PASSED_TO_SERVICES] } },
    },
    {
      Sid: 'AuditStaysOn',
      Effect: 'Deny',
      Action: [...AUDIT_OFF_ACTIONS, ...AUDIT_CHANGE_ACTIONS],
      Resource: '*',
    },
    {
      Sid: 'KeysAreKept',
      Effect: 'Deny',
      Action: [...KEY_DESTRUCTION_ACTIONS, 'kms:PutKeyPolicy', 'kms:DisableKeyRotation'],
      Resource: '*',
    },
    { Sid: 'BackupsAreKept', Effect: 'Deny', Action: BACKUP_DESTRUCTION_ACTIONS, Resource: '*' },
    ...(opts.stateReplication
      ? [
          {
            // S3 replication of the state bucket (state-replica.ts) reads its versions as the
            // account's replication role; that role alone, those reads alone.
            Sid: 'NoTerraformState',
            Effect: 'Deny' as const,
            NotAction: STATE_REPLICATION_READS,
            Resource: [state.bucketArn, `${state.bucketArn}/*`, state.lockTableArn],
          },
          {
            Sid: 'StateReadsOnlyForReplication',
            Effect: 'Deny' as const,
            Action: STATE_REPLICATION_READS,
            Resource: [state.bucketArn, `${state.bucketArn}/*`, state.lockTableArn],
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': roleArn(scope.accountId, stateReplicationRoleName(scope.project)),
              },
            },
          },
          ...(state.replicaBucketArn
            ? [
                {
                  // The replica: the replication role's writes of replicas, nothing else, by nobody else.
                  Sid: 'NoTerraformStateReplica',
                  Effect: 'Deny' as const,
                  NotAction: STATE_REPLICA_WRITES,
                  Resource: bucketAndObjects(state.replicaBucketArn),
                },
                {
                  Sid: 'StateReplicaWritesOnlyForReplication',
                  Effect: 'Deny' as const,
                  Action: STATE_REPLICA_WRITES,
                  Resource: bucketAndObjects(state.replicaBucketArn),
                  Condition: {
                    ArnNotEquals: {
                      'aws:PrincipalArn': roleArn(scope.accountId, stateReplicationRoleName(scope.project)),
                    },
                  },
                },
              ]
            : []),
        ]
      : [
          {
            Sid: 'NoTerraformState',
            Effect: 'Deny' as const,
            Action: ['s3:*', 'dynamodb:*'],
            Resource: [
              state.bucketArn,
              `${state.bucketArn}/*`,
              state.lockTableArn,
              ...bucketAndObjects(state.replicaBucketArn),
            ],
          },
        ]),
  ];
}

/** What S3 replication writes into the replica as the replication role (AWS docs, "Setting up permissions"). */
export const STATE_REPLICA_WRITES = ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'];

/** What S3 replication reads of its source bucket as the replication role (AWS docs, "Setting up permissions"). */
export const STATE_REPLICATION_READS = [
  's3:GetReplicationConfiguration',
  's3:ListBucket',
  's3:GetObjectVersionForReplication',
  's3:GetObjectVersionAcl',
  's3:GetObjectVersionTagging',
];

/**
 * An environment's workload boundary: the workload boundary, fenced to the environment as its apply
 * role is (pipeline-policies.ts): nothing tagged with another environment, no other environment's
 * buckets (S3 does not evaluate bucket tags), and roles passed or assumed only within its prefix. So
 * a role its apply role creates cannot reach beyond the environment either.
 */
export function environmentWorkloadBoundaryStatements(
  scope: PipelineScope,
  state: StateResources,
  env: string,
  otherEnvironments: readonly string[],
): PolicyStatement[] {
  const prefix = `${scope.project}-${env}`;
  return [
    ...workloadBoundaryStatements(scope, state),
    {
      // The EKS Pod Identity agent exchanges a pod's service-account token with the node role
      // (AmazonEKSWorkerNodePolicy grants it): without it no pod gets credentials. Only this
      // environment's cluster (`<project>-<env>-eks`, constructs/compute/eks/eks-cluster.ts), and
      // only this action: the node role never holds the pods' own rights.
      Sid: 'PodIdentityOfOwnCluster',
      Effect: 'Allow',
      Action: 'eks-auth:AssumeRoleForPodIdentity',
      Resource: `arn:aws:eks:*:${scope.accountId}:cluster/${prefix}-eks`,
    },
    {
      Sid: 'OtherEnvironmentsResources',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        StringNotEquals: { 'aws:ResourceTag/Environment': env },
        Null: { 'aws:ResourceTag/Environment': 'false' },
      },
    },
    ...(otherEnvironments.length > 0
      ? [
          {
            Sid: 'OtherEnvironmentsBuckets',
            Effect: 'Deny' as const,
            Action: 's3:*',
            Resource: otherEnvironments.flatMap((e) => [
              `arn:aws:s3:::${scope.project}-${e}-*`,
              `arn:aws:s3:::${scope.project}-${e}-*/*`,
            ]),
          },
        ]
      : []),
    {
      Sid: 'OwnEnvironmentRolesOnly',
      Effect: 'Deny',
      Action: ['iam:PassRole', 'sts:AssumeRole'],
      NotResource: `arn:aws:iam::${scope.accountId}:role/${prefix}-*`,
    },
  ];
}

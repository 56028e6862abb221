/**
 * What the pipeline's policies name: the ARNs of its roles and boundaries, and the action lists the
 * boundaries deny. The statements themselves are core `PolicyStatement`s, rendered by
 * `policyDocument` (constructs/core/iam.ts).
 */
import { pipelineRoleNames, policyArn } from '../core/naming';

/** What the pipeline policies need to know of the account. */
export interface PipelineScope {
  readonly project: string;
  readonly accountId: string;
  readonly accountSlug: string;
}

export const iamArn = (accountId: string, kind: string, name: string) =>
  `arn:aws:iam::${accountId}:${kind}/${name}`;

/** Every pipeline role: `<project>-<env>-github-*` and `<project>-acct-<account>-github-*`. */
export const pipelineRolePattern = (s: PipelineScope) =>
  iamArn(s.accountId, 'role', `${s.project}-*-github-*`);

export const pipelineBoundaryArn = (s: PipelineScope) =>
  policyArn(s.accountId, pipelineRoleNames.boundary(s.project));

export const workloadBoundaryArn = (s: PipelineScope, env?: string) =>
  policyArn(s.accountId, pipelineRoleNames.workloadBoundary(s.project, env));

/** Every workload boundary of the account: the account's and each environment's. */
export const workloadBoundariesPattern = (s: PipelineScope) => `${workloadBoundaryArn(s)}*`;

/** IAM actions that change something (everything but Get/List/Generate/Simulate). */
export const IAM_WRITE_ACTIONS = [
  'iam:Add*',
  'iam:Attach*',
  'iam:Change*',
  'iam:Create*',
  'iam:Deactivate*',
  'iam:Delete*',
  'iam:Detach*',
  'iam:Enable*',
  'iam:Put*',
  'iam:Remove*',
  'iam:Reset*',
  'iam:Resync*',
  'iam:Set*',
  'iam:Tag*',
  'iam:Untag*',
  'iam:Update*',
  'iam:Upload*',
];

/** The audit trail of the account: no pipeline or workload role may stop or delete it. */
export const AUDIT_OFF_ACTIONS = [
  'cloudtrail:StopLogging',
  'cloudtrail:DeleteTrail',
  'guardduty:DeleteDetector',
  'guardduty:DisassociateFromAdministratorAccount',
  'guardduty:DisassociateFromMasterAccount',
  'guardduty:DeleteMembers',
  'guardduty:StopMonitoringMembers',
  'config:StopConfigurationRecorder',
  'config:DeleteConfigurationRecorder',
  'config:DeleteDeliveryChannel',
];

/** Changes to the audit trail's settings: only the account apply role (the baseline stack) makes them. */
export const AUDIT_CHANGE_ACTIONS = [
  'cloudtrail:UpdateTrail',
  'cloudtrail:PutEventSelectors',
  'cloudtrail:PutInsightSelectors',
  'guardduty:UpdateDetector',
  'config:PutConfigurationRecorder',
  'config:PutDeliveryChannel',
];

/** Keys are never disabled or deleted by automation (break-glass admins only). */
export const KEY_DESTRUCTION_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:DisableKey'];

/** Recovery points and vaults outlive any apply: deleting them, or locking a vault, is for admins. */
export const BACKUP_DESTRUCTION_ACTIONS = [
  'backup:DeleteRecoveryPoint',
  'backup:DeleteBackupVault',
  'backup:DeleteBackupVaultAccessPolicy',
  'backup:DeleteBackupVaultLockConfiguration',
  'backup:PutBackupVaultLockConfiguration',
  'backup:UpdateRecoveryPointLifecycle',
];

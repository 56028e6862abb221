import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupRestoreTestingPlan } from '@cdktf/provider-aws/lib/backup-restore-testing-plan';
import { BackupRestoreTestingSelection } from '@cdktf/provider-aws/lib/backup-restore-testing-selection';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { BackupVaultPolicy } from '@cdktf/provider-aws/lib/backup-vault-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { COPIED_BACKUP_RULE } from '../../environments/schema/recovery';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from '../core/iam';
import type { Naming } from '../core/naming';
import { declareBackupContract, keepLiveDatabase, type BackupResources } from './backup-plan-contract';
import {
  HOME_RESTORE_TEST_SCHEDULE,
  recoveryRestoreTesting,
  type RecoveryRestoreTesting,
} from './recovery-restore-testing';

export interface BackupPlanProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly kmsKeyArn: string;
  /** The database, tables and (versioned) buckets to protect. */
  readonly resources: BackupResources;
  /** Days daily recovery points are kept. Default in the schema: `backup.dailyRetentionDays`. */
  readonly dailyRetentionDays: number;
  /** Days weekly recovery points are kept. Default in the schema: `backup.weeklyRetentionDays`. */
  readonly weeklyRetentionDays: number;
  /** A provider for the disaster-recovery region: recovery points are copied to a vault there. */
  readonly copyTo?: { readonly provider: TerraformProvider; readonly region: string };
  /** Monthly restore tests of the latest recovery points. Default in the schema: `backup.restoreTesting`. */
  readonly restoreTesting: boolean;
  /**
   * Resource types the restore tests cover (`RDS`, `Aurora`, `DynamoDB`, `S3`): those of `resources`
   * (the data layer derives them).
   */
  readonly restoreTestingTypes: readonly string[];
  /** Include S3 (attaches the S3 backup managed policies): whether `resources` holds buckets. */
  readonly includesBuckets: boolean;
  /** Vault Lock on the vault and the DR vault (its defaults in the schema: `backup.vaultLock`). Default: none. */
  readonly vaultLock?: {
    readonly mode: 'compliance' | 'governance';
    readonly minRetentionDays: number;
    readonly maxRetentionDays: number;
    readonly changeableForDays: number;
  };
  /** A vault in another account recovery points are also copied to. Default: none. */
  readonly copyToAccount?: string;
  /** The only principals that may delete recovery points or change the vaults' policies and locks. */
  readonly adminPrincipalArns: readonly string[];
}

/** What only the admins may do to a vault and its recovery points (everyone else is denied). */
export const PROTECTED_VAULT_ACTIONS = [
  'backup:DeleteRecoveryPoint',
  'backup:UpdateRecoveryPointLifecycle',
  'backup:DisassociateRecoveryPoint',
  'backup:PutBackupVaultAccessPolicy',
  'backup:DeleteBackupVaultAccessPolicy',
  'backup:PutBackupVaultLockConfiguration',
  'backup:DeleteBackupVaultLockConfiguration',
  'backup:DeleteBackupVault',
];

/** The vault access policy: deny the protected actions to every principal but the admins. */
export function vaultPolicyStatements(adminPrincipalArns: readonly string[]): PolicyStatement[] {
  return [
    {
      Sid: 'OnlyAdminsDeleteOrUnlock',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: PROTECTED_VAULT_ACTIONS,
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': [...adminPrincipalArns] } },
    },
  ];
}

/**
 * AWS Backup for the stateful resources (seed 002): a KMS-encrypted vault, daily and weekly rules,
 * optional copies to a vault in another region (seeds 002/003 DR) and a restore-testing plan (with
 * copies, a second one in the recovery region: recovery-restore-testing.ts).
 * Point-in-time recovery (the hour RPO of seed 002) stays with the engines' own continuous backups
 * (RDS automated backups, DynamoDB PITR): AWS Backup continuous backup for RDS would take over the
 * instance's retention and window (docs/architecture.md, "Known traps"), so these rules are snapshots only.
 */
export class PlatformBackup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;
  readonly drVault?: BackupVault;
  /** Restore tests of the DR vault's copies in the recovery region (copyTo + restoreTesting). */
  readonly recoveryRestoreTesting?: RecoveryRestoreTesting;

  constructor(scope: Construct, id: string, props: BackupPlanProps) {
    super(scope, id);
    const { naming } = props;
    this.vault = new BackupVault(this, 'Vault', {
      name: naming.name('backup'),
      kmsKeyArn: props.kmsKeyArn,
      forceDestroy: false,
    });
    if (props.copyTo) {
      // The DR vault uses AWS Backup's own key in that region (the data key is regional).
      this.drVault = new BackupVault(this, 'DrVault', {
        provider: props.copyTo.provider,
        name: naming.name('backup-dr'),
        forceDestroy: false,
      });
    }
    this.protect(this.vault, 'Vault', props);
    if (this.drVault) this.protect(this.drVault, 'DrVault', props, props.copyTo?.provider);
    this.plan = this.createPlan(props);
    const role = this.createRole(props);
    const { database, tableArns, bucketArns } = props.resources;
    new BackupSelection(this, 'Selection', {
      name: naming.name('stateful'),
      planId: this.plan.id,
      iamRoleArn: role.arn,
      resources: [...(database ? [database.arn] : []), ...tableArns, ...bucketArns],
    });
    if (props.restoreTesting) this.restoreTesting(props, role);
    if (props.restoreTesting && props.copyTo && this.drVault) {
      // The same role (IAM is global), the DR vault only, two weeks after the home tests.
      this.recoveryRestoreTesting = recoveryRestoreTesting(this, {
        naming,
        accountId: props.accountId,
        region: props.copyTo.region,
        provider: props.copyTo.provider,
        drVault: this.drVault,
        role,
        restoreTestingTypes: props.restoreTestingTypes,
      });
    }
  }

  /**
   * Vault Lock (when configured), then the access policy denying deletion and policy or lock changes to
   * all but the admins. The policy comes after the lock: it denies changing the lock to the apply role.
   * Expiry by the plan's lifecycle is AWS Backup's own and stays unaffected.
   */
  private protect(
    vault: BackupVault,
    id: string,
    props: BackupPlanProps,
    provider?: TerraformProvider,
  ): void {
    const lock = props.vaultLock;
    const lockConfig = lock
      ? new BackupVaultLockConfiguration(this, `${id}Lock`, {
          provider,
          backupVaultName: vault.name,
          minRetentionDays: lock.minRetentionDays,
          maxRetentionDays: lock.maxRetentionDays,
          changeableForDays: lock.mode === 'compliance' ? lock.changeableForDays : undefined,
        })
      : undefined;
    new BackupVaultPolicy(this, `${id}Policy`, {
      provider,
      backupVaultName: vault.name,
      policy: policyDocument(vaultPolicyStatements(props.adminPrincipalArns)),
      dependsOn: lockConfig ? [lockConfig] : undefined,
    });
  }

  /** Daily and weekly snapshot rules, copied to the DR vault and the DR account when there are. */
  private createPlan(props: BackupPlanProps): BackupPlan {
    const { naming } = props;
    const destinations = [
      ...(this.drVault ? [this.drVault.arn] : []),
      ...(props.copyToAccount ? [props.copyToAccount] : []),
    ];
    const copy = (days: number) =>
      destinations.length > 0
        ? destinations.map((destinationVaultArn) => ({
            destinationVaultArn,
            lifecycle: { deleteAfter: days },
          }))
        : undefined;
    const daily = props.dailyRetentionDays;
    const weekly = props.weeklyRetentionDays;
    return new BackupPlan(this, 'Plan', {
      name: naming.name('backup'),
      rule: [
        {
          ruleName: 'daily',
          targetVaultName: this.vault.name,
          // The copy frequency model of recovery.rpoMinutes (environments/schema/recovery.ts).
          schedule: COPIED_BACKUP_RULE.schedule,
          scheduleExpressionTimezone: 'Etc/UTC',
          startWindow: COPIED_BACKUP_RULE.startWindowMinutes,
          completionWindow: COPIED_BACKUP_RULE.completionWindowMinutes,
          lifecycle: { deleteAfter: daily },
          copyAction: copy(daily),
        },
        {
          ruleName: 'weekly',
          targetVaultName: this.vault.name,
          schedule: 'cron(0 4 ? * SUN *)',
          scheduleExpressionTimezone: 'Etc/UTC',
          startWindow: 60,
          completionWindow: 720,
          lifecycle: { deleteAfter: weekly },
          copyAction: copy(weekly),
        },
      ],
    });
  }

  /** The role AWS Backup assumes to back up and restore. */
  private createRole(props: BackupPlanProps): IamRole {
    const role = new IamRole(this, 'Role', {
      name: props.naming.name('backup'),
      assumeRolePolicy: serviceTrustPolicy('backup.amazonaws.com', props.accountId),
    });
    // Exception (docs/architecture.md): the AWS managed backup/restore policies cover each service's snapshot
    // and restore calls; AWS keeps them current as services change.
    const managed = [
      'service-role/AWSBackupServiceRolePolicyForBackup',
      'service-role/AWSBackupServiceRolePolicyForRestores',
      ...(props.includesBuckets
        ? ['AWSBackupServiceRolePolicyForS3Backup', 'AWSBackupServiceRolePolicyForS3Restore']
        : []),
    ];
    managed.forEach(
      (p, i) =>
        new IamRolePolicyAttachment(this, `RolePolicy${i}`, {
          role: role.name,
          policyArn: `arn:aws:iam::aws:policy/${p}`,
        }),
    );
    const keep = keepLiveDatabase(props.resources.database);
    if (keep.length > 0) {
      new IamRolePolicy(this, 'KeepLiveData', {
        role: role.id,
        name: 'keep-live-data',
        policy: policyDocument(keep),
      });
    }
    declareBackupContract(role, {
      naming: props.naming,
      accountId: props.accountId,
      kmsKeyArn: props.kmsKeyArn,
      resources: props.resources,
      managed: managed.map((p) => p.split('/').pop()!),
      drVaultArn: this.drVault?.arn,
      restoreTesting: props.restoreTesting,
      // With restoreTesting, restore tests of the copies run there too (recovery-restore-testing.ts).
      recoveryRegion: this.drVault ? props.copyTo?.region : undefined,
    });
    return role;
  }

  /** Monthly restore tests of the latest recovery points of the primary vault (home region). */
  private restoreTesting(props: BackupPlanProps, role: IamRole): void {
    const { naming } = props;
    const testing = new BackupRestoreTestingPlan(this, 'RestoreTesting', {
      name: naming.name('restore_test').replace(/-/g, '_'),
      scheduleExpression: HOME_RESTORE_TEST_SCHEDULE,
      startWindowHours: 24,
      recoveryPointSelection: [
        {
          algorithm: 'LATEST_WITHIN_WINDOW',
          includeVaults: [this.vault.arn],
          recoveryPointTypes: ['SNAPSHOT'],
          selectionWindowDays: 7,
        },
      ],
    });
    for (const type of props.restoreTestingTypes) {
      new BackupRestoreTestingSelection(this, `RestoreTesting-${type}`, {
        name: `${type.toLowerCase()}_latest`,
        restoreTestingPlanName: testing.name,
        protectedResourceType: type,
        iamRoleArn: role.arn,
        protectedResourceArns: ['*'],
        validationWindowHours: 1,
      });
    }
  }
}

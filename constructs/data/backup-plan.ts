import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupRestoreTestingPlan } from '@cdktf/provider-aws/lib/backup-restore-testing-plan';
import { BackupRestoreTestingSelection } from '@cdktf/provider-aws/lib/backup-restore-testing-selection';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { serviceTrustPolicy } from '../core/iam';
import type { Naming } from '../core/naming';

export interface BackupPlanProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly kmsKeyArn: string;
  /** Database, table and (versioned) bucket ARNs to protect. */
  readonly resourceArns: string[];
  /** Default: 30 (seed 002). */
  readonly dailyRetentionDays?: number;
  /** Default: 90. */
  readonly weeklyRetentionDays?: number;
  /** A provider for the disaster-recovery region: recovery points are copied to a vault there. */
  readonly copyTo?: { readonly provider: TerraformProvider; readonly region: string };
  /** Monthly restore tests of the latest recovery points. Default: false. */
  readonly restoreTesting?: boolean;
  /** Resource types the restore tests cover (`RDS`, `Aurora`, `DynamoDB`, `S3`). Default: RDS and DynamoDB. */
  readonly restoreTestingTypes?: readonly string[];
  /** Include S3 (needs the S3 backup managed policies). Default: true when any bucket ARN is given. */
  readonly includesBuckets?: boolean;
}

/**
 * AWS Backup for the stateful resources (seed 002): a KMS-encrypted vault, daily and weekly rules,
 * optional copies to a vault in another region (seeds 002/003 DR) and a restore-testing plan.
 * Point-in-time recovery (the hour RPO of seed 002) stays with the engines' own continuous backups
 * (RDS automated backups, DynamoDB PITR): AWS Backup continuous backup for RDS would take over the
 * instance's retention and window (docs/architecture.md, "Known traps"), so these rules are snapshots only.
 */
export class PlatformBackup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;
  readonly drVault?: BackupVault;

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
    this.plan = this.createPlan(props);
    const role = this.createRole(props);
    new BackupSelection(this, 'Selection', {
      name: naming.name('stateful'),
      planId: this.plan.id,
      iamRoleArn: role.arn,
      resources: props.resourceArns,
    });
    if (props.restoreTesting) this.restoreTesting(props, role);
  }

  /** Daily and weekly snapshot rules, copied to the DR vault when there is one. */
  private createPlan(props: BackupPlanProps): BackupPlan {
    const { naming } = props;
    const copy = (days: number) =>
      this.drVault
        ? [{ destinationVaultArn: this.drVault.arn, lifecycle: { deleteAfter: days } }]
        : undefined;
    const daily = props.dailyRetentionDays ?? 30;
    const weekly = props.weeklyRetentionDays ?? 90;
    return new BackupPlan(this, 'Plan', {
      name: naming.name('backup'),
      rule: [
        {
          ruleName: 'daily',
          targetVaultName: this.vault.name,
          schedule: 'cron(0 3 * * ? *)',
          scheduleExpressionTimezone: 'Etc/UTC',
          startWindow: 60,
          completionWindow: 360,
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
      ...((props.includesBuckets ?? true)
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
    return role;
  }

  /** Monthly restore tests of the latest recovery points. */
  private restoreTesting(props: BackupPlanProps, role: IamRole): void {
    const { naming } = props;
    const testing = new BackupRestoreTestingPlan(this, 'RestoreTesting', {
      name: naming.name('restore_test').replace(/-/g, '_'),
      scheduleExpression: 'cron(0 5 ? * 1#1 *)',
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
    for (const type of props.restoreTestingTypes ?? ['RDS', 'DynamoDB']) {
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

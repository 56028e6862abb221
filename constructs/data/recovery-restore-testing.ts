/**
 * Restore tests in the recovery region (issue 28, docs/architecture.md "Environment data copies"):
 * AWS Backup restores the latest copies in the DR vault there each month, and a failed restore job
 * there reaches the home region's alerts. Built by PlatformBackup (backup-plan.ts) when the plan
 * copies to a recovery region and `backup.restoreTesting` is on. Not run against AWS here.
 */
import { BackupRestoreTestingPlan } from '@cdktf/provider-aws/lib/backup-restore-testing-plan';
import { BackupRestoreTestingSelection } from '@cdktf/provider-aws/lib/backup-restore-testing-selection';
import type { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import { escalationDenials } from '../core/contract-requests';
import { policyDocument } from '../core/iam';
import type { Naming } from '../core/naming';
import { declareContract, OTHER_ACCOUNT } from '../core/role-contract';

/**
 * The home plan's schedule (backup-plan.ts): 05:00 UTC on the first Sunday of the month. The
 * recovery region's tests run on the third Sunday, two weeks later: the two never run (or hold
 * restored copies) at the same time, and each month has one test of each region.
 */
export const HOME_RESTORE_TEST_SCHEDULE = 'cron(0 5 ? * 1#1 *)';
export const RECOVERY_RESTORE_TEST_SCHEDULE = 'cron(0 5 ? * 1#3 *)';

/** Restore jobs that page: the states `Restore Job State Change` reports as `status` (not `state`). */
export const FAILED_RESTORE_STATUSES = ['FAILED', 'ABORTED'];

export interface RecoveryRestoreTestingProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** The recovery region and its provider (alias `dr`). */
  readonly region: string;
  readonly provider: TerraformProvider;
  /** The DR vault the copies land in: the only vault the tests there select. */
  readonly drVault: BackupVault;
  /** The backup role (IAM is global): the home plan's, reused. */
  readonly role: IamRole;
  /** The home plan's resource types (`RDS`, `Aurora`, `DynamoDB`). */
  readonly restoreTestingTypes: readonly string[];
}

export interface RecoveryRestoreTesting {
  readonly plan: BackupRestoreTestingPlan;
  readonly selections: BackupRestoreTestingSelection[];
  /** The rule in the recovery region forwarding failed restore jobs to the home region's default bus. */
  readonly forward: CloudwatchEventRule;
  readonly forwardRole: IamRole;
}

/** The default event bus of the home region: forwarded events meet the `backup-failed` rule there. */
export function homeEventBusArn(naming: Naming): string {
  const { region, accountId } = naming.props;
  return `arn:aws:events:${region}:${accountId}:event-bus/default`;
}

/**
 * The restore testing plan and selections in the recovery region, and the forwarding of their
 * failures. Resources are created in `scope` (PlatformBackup) with `Dr*` ids, no new path level.
 *
 * - Selection: the DR vault only (`include_vaults`), its latest snapshot copy of the last 7 days.
 * - Role: the home plan's backup role. IAM is global; its trust (`backup.amazonaws.com`,
 *   `aws:SourceAccount`) names no region, and the AWS managed restore policies grant the restores and
 *   clean-up on every region's ARNs (`arn:aws:rds:*:*:db:*`, KMS through `rds.*`/`dynamodb.*`); the
 *   contract (backup-plan-contract.ts) states the recovery-region requests. The copies there are
 *   encrypted with the DR vault's key (AWS Backup's own, `aws/backup`): no customer key to grant.
 * - Restore metadata: no overrides. Nothing of the platform runs in the recovery region (no VPC,
 *   subnet group or security group), so AWS Backup's inferred metadata is what fits: a restored RDS
 *   instance or Aurora cluster goes to the region's default VPC (its default subnets and security
 *   group, not publicly accessible as its source), a table gets a random `awsbackup-restore-test-`
 *   name with the default encryption. Naming the home region's subnet group or security groups
 *   would fail there. The precondition: the recovery region keeps its default VPC; without it the
 *   restore fails, and that failure pages (below).
 * - Alerts: EventBridge rules are regional, so the restore jobs' events stay in the recovery region.
 *   A rule there forwards failed restore jobs of the DR vault to the home region's default bus (a
 *   cross-region bus target needs a role: `<env>-backup-events`), where the `backup-failed` rule
 *   (observability/event-rules.ts) matches them by the vault ARN `...:backup-vault:<vault>-dr`.
 */
export function recoveryRestoreTesting(
  scope: Construct,
  props: RecoveryRestoreTestingProps,
): RecoveryRestoreTesting {
  const { naming, provider, drVault, role } = props;
  const plan = new BackupRestoreTestingPlan(scope, 'DrRestoreTesting', {
    provider,
    name: naming.name('restore_test_dr').replace(/-/g, '_'),
    scheduleExpression: RECOVERY_RESTORE_TEST_SCHEDULE,
    startWindowHours: 24,
    recoveryPointSelection: [
      {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [drVault.arn],
        recoveryPointTypes: ['SNAPSHOT'],
        selectionWindowDays: 7,
      },
    ],
  });
  const selections = props.restoreTestingTypes.map(
    (type) =>
      new BackupRestoreTestingSelection(scope, `DrRestoreTesting-${type}`, {
        provider,
        name: `${type.toLowerCase()}_latest`,
        restoreTestingPlanName: plan.name,
        protectedResourceType: type,
        iamRoleArn: role.arn,
        protectedResourceArns: ['*'],
        validationWindowHours: 1,
      }),
  );
  const { forward, forwardRole } = forwardFailures(scope, props);
  return { plan, selections, forward, forwardRole };
}

/** Failed restore jobs of the DR vault, forwarded from the recovery region to the home default bus. */
function forwardFailures(
  scope: Construct,
  props: RecoveryRestoreTestingProps,
): Pick<RecoveryRestoreTesting, 'forward' | 'forwardRole'> {
  const { naming, accountId, provider, drVault } = props;
  const bus = homeEventBusArn(naming);
  // Only the forwarding rule may use the role (not any rule of the account that could be given it).
  const ruleArn = `arn:aws:events:${props.region}:${accountId}:rule/${naming.name('restore-failed-forward')}`;
  const forwardRole = new IamRole(scope, 'DrEventsRole', {
    name: naming.name('backup-events'),
    description: 'EventBridge forwards failed restore jobs of the recovery region to the home region',
    assumeRolePolicy: policyDocument([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': accountId },
          ArnEquals: { 'aws:SourceArn': ruleArn },
        },
      },
    ]),
  });
  new IamRolePolicy(scope, 'DrEventsRolePolicy', {
    role: forwardRole.id,
    name: 'forward-to-home-bus',
    policy: policyDocument([
      { Sid: 'PutToHomeBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: bus },
    ]),
  });
  const other = (name: string, region = naming.props.region) =>
    `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
  declareContract(forwardRole, {
    purpose: 'EventBridge forwards failed restore jobs in the recovery region to the home default bus',
    allow: [
      {
        action: 'events:PutEvents',
        resource: bus,
        because:
          'EventBridge user guide, "Sending and receiving events between AWS Regions": the ' +
          'recovery-region rule (aws_cloudwatch_event_target role_arn) puts to the home bus',
      },
    ],
    deny: [
      {
        action: 'events:PutEvents',
        resource: other('default', props.region),
        because: "the recovery region's own bus: a forward back would loop",
      },
      { action: 'events:PutEvents', resource: other('audit'), because: 'another bus of the home region' },
      {
        action: 'sns:Publish',
        resource: `arn:aws:sns:${naming.props.region}:${accountId}:${naming.name('alerts-critical')}`,
        because: 'the alerts are published by the home rule, never by this role',
      },
      ...escalationDenials(naming),
    ],
    trust: {
      allow: [
        {
          principal: 'events.amazonaws.com',
          context: { 'aws:SourceAccount': accountId, 'aws:SourceArn': ruleArn },
          because: `the recovery-region rule forwarding ${naming.name()}'s failed restore jobs`,
        },
      ],
      deny: [
        {
          principal: 'events.amazonaws.com',
          context: { 'aws:SourceAccount': accountId, 'aws:SourceArn': `${ruleArn}-other` },
          because: 'another rule of the account (a principal that may pass the role could attach it)',
        },
        {
          principal: 'events.amazonaws.com',
          context: {
            'aws:SourceAccount': OTHER_ACCOUNT,
            'aws:SourceArn': ruleArn.replace(accountId, OTHER_ACCOUNT),
          },
          because: 'the same service acting for another account (confused deputy)',
        },
        { principal: 'backup.amazonaws.com', because: 'AWS Backup has its own role' },
      ],
    },
  });
  const forward = new CloudwatchEventRule(scope, 'DrRestoreFailed', {
    provider,
    name: naming.name('restore-failed-forward'),
    description: 'AWS Backup restore job of the DR vault failed or aborted: forwarded to the home region',
    eventPattern: JSON.stringify(recoveryRestoreFailurePattern(drVault.arn)),
  });
  new CloudwatchEventTarget(scope, 'DrRestoreFailed-Target', {
    provider,
    rule: forward.name,
    arn: bus,
    roleArn: forwardRole.arn,
    targetId: 'home-region-bus',
  });
  return { forward, forwardRole };
}

/**
 * Failed or aborted restore jobs from the DR vault. Restore job events carry `status` and the
 * restored recovery point's vault as `backupVaultArn` (no `backupVaultName`); the home rule matches
 * the same field, so what is forwarded is what pages.
 */
export function recoveryRestoreFailurePattern(drVaultArn: string): Record<string, unknown> {
  return {
    source: ['aws.backup'],
    'detail-type': ['Restore Job State Change'],
    detail: { status: FAILED_RESTORE_STATUSES, backupVaultArn: [drVaultArn] },
  };
}

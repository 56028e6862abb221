import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { StableAddressStack } from '../constructs/core/addresses';
import { applyStackGuards } from '../constructs/core/guards';
import { Naming, pipelineRoleNames, policyArn } from '../constructs/core/naming';
import { AccountAlerts } from '../constructs/observability/account-alerts';
import { AccountBaseline } from '../constructs/security/account-baseline';
import { standardTags } from '../constructs/core/tagging';
import type { AccountConfig } from '../environments/schema';
import { configureAws } from './aws';
import { s3Backend } from './backend';

export interface BaselineStackProps {
  readonly accountSlug: string;
  readonly account: AccountConfig;
}

/**
 * `baseline-<account>`: what AWS allows once per account and region (GuardDuty detector, Config
 * recorder, the trail, account-level S3 public access block, EBS default encryption, Access
 * Analyzer), in the account's home region. State: `<project>/accounts/<account>/terraform.tfstate`.
 */
export class BaselineStack extends StableAddressStack {
  readonly baseline: AccountBaseline;
  readonly alerts: AccountAlerts;

  constructor(scope: Construct, id: string, props: BaselineStackProps) {
    super(scope, id);
    const { account } = props;
    configureAws(this, {
      region: account.region,
      accountId: account.accountId,
      tags: standardTags({ project: account.project, environment: 'account' }),
    });
    s3Backend(this, account.state, `${account.project}/accounts/${props.accountSlug}/terraform.tfstate`);
    // The workload boundary on every role, at synthesis (docs/architecture.md, "Guardrails").
    applyStackGuards(this, {
      boundaryArn: policyArn(account.accountId, pipelineRoleNames.workloadBoundary(account.project)),
      roleNamePrefix: `${account.project}-`,
    });

    const naming = new Naming({
      project: account.project,
      accountId: account.accountId,
      region: account.region,
    });
    this.baseline = new AccountBaseline(this, 'Baseline', {
      naming,
      accountId: account.accountId,
      region: account.region,
      guardDutyRuntimeMonitoring: account.baseline.guardDutyRuntimeMonitoring,
      config: account.baseline.config,
      trailRetentionDays: account.baseline.trailRetentionDays,
      costAllocationTags: account.baseline.activateCostAllocationTags ? ['Project', 'Environment'] : [],
    });

    // The account's alert topics: GuardDuty findings, root activity, IAM policy changes.
    this.alerts = new AccountAlerts(this, 'AccountAlerts', {
      naming,
      accountId: account.accountId,
      kmsKeyArn: this.baseline.trailKey.arn,
      subscribers: account.baseline.alerts,
      trailLogGroupName: this.baseline.trailLogGroup.name,
    });

    new TerraformOutput(this, 'cloudtrail_bucket', { value: this.baseline.trailBucket.name });
    new TerraformOutput(this, 'guardduty_detector_id', { value: this.baseline.detector.id });
  }
}

import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { StableAddressStack } from '../constructs/core/addresses';
import { applyStackGuards } from '../constructs/core/guards';
import { Naming, pipelineRoleNames, policyArn } from '../constructs/core/naming';
import { AccountAlerts } from '../constructs/observability/account-alerts';
import { AccountBaseline } from '../constructs/security/account-baseline';
import { STATE_REPLICATION_RULE_ID, stateReplicaBucketName } from '../constructs/state/state-replica';
import { standardTags } from '../constructs/core/tagging';
import type { AccountConfig } from '../environments/schema';
import { configureAws } from './aws';
import { s3Backend } from './backend';

export interface BaselineStackProps {
  readonly accountSlug: string;
  readonly account: AccountConfig;
  /** The account's recovery region (accountRecoveryRegion): ECR replicates there. Default: none. */
  readonly recoveryRegion?: string;
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
      ecrReplication: props.recoveryRegion
        ? { region: props.recoveryRegion, repositoryPrefix: `${account.project}-` }
        : undefined,
    });

    // The account's alert topics: GuardDuty findings, root activity, IAM policy changes.
    this.alerts = new AccountAlerts(this, 'AccountAlerts', {
      naming,
      accountId: account.accountId,
      kmsKeyArn: this.baseline.trailKey.arn,
      subscribers: account.baseline.alerts,
      trailLogGroupName: this.baseline.trailLogGroup.name,
      // The copies in the recovery region (the state replica is the state stack's, named from config;
      // its metrics are in the state bucket's region: alarmed here when that is the home region).
      replication: props.recoveryRegion
        ? {
            ecr: true,
            stateBucket:
              account.state.region === account.region
                ? {
                    source: account.state.bucket,
                    destination: stateReplicaBucketName(account.state.bucket),
                    ruleId: STATE_REPLICATION_RULE_ID,
                  }
                : undefined,
          }
        : undefined,
    });

    new TerraformOutput(this, 'cloudtrail_bucket', { value: this.baseline.trailBucket.name });
    new TerraformOutput(this, 'guardduty_detector_id', { value: this.baseline.detector.id });
  }
}

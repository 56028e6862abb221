import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';
import type { Subscriber } from '../../environments/schema';
import type { Naming } from '../core/naming';
import { runbookLink } from './alarm-set';
import { AlertTopics, type Severity } from './alert-topics';
import { createEventRules, type EventRuleSpec } from './event-rules';

export interface AccountAlertsProps {
  /** The account's naming: topics `<project>-alerts-<severity>`. */
  readonly naming: Naming;
  readonly accountId: string;
  /** The key the topics are encrypted with (the trail key; its policy admits the publishers). */
  readonly kmsKeyArn: string;
  readonly subscribers: Readonly<Record<Severity, readonly Subscriber[]>>;
  /** The trail's log group name: the CIS metric filters read it. */
  readonly trailLogGroupName: string;
  /**
   * The account's copies in its recovery region: the state bucket's replication (its metrics are in
   * the source bucket's region, which must be this one) and ECR's. Default: none.
   */
  readonly replication?: {
    readonly stateBucket?: { readonly source: string; readonly destination: string; readonly ruleId: string };
    readonly ecr: boolean;
  };
}

/** ECR replication actions that failed (EventBridge "ECR Replication Action", result FAILED). */
export const ECR_REPLICATION_RULE: EventRuleSpec = {
  id: 'ecr-replication-failed',
  description: 'ECR could not replicate an image to the recovery region',
  severity: 'warning',
  pattern: {
    source: ['aws.ecr'],
    'detail-type': ['ECR Replication Action'],
    detail: { result: ['FAILED'] },
  },
};

/** GuardDuty findings by severity: high (>= 7) pages, medium (4 to < 7) is looked at. */
export const GUARDDUTY_RULES: readonly EventRuleSpec[] = [
  {
    id: 'guardduty-high',
    description: 'GuardDuty finding of high or critical severity (>= 7)',
    severity: 'critical',
    pattern: {
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 7] }] },
    },
  },
  {
    id: 'guardduty-medium',
    description: 'GuardDuty finding of medium severity (4 to 7)',
    severity: 'warning',
    pattern: {
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 4, '<', 7] }] },
    },
  },
];

/** The IAM calls that create, change, attach or detach a policy (CIS 3.4). */
const IAM_POLICY_EVENTS = [
  'DeleteGroupPolicy',
  'DeleteRolePolicy',
  'DeleteUserPolicy',
  'PutGroupPolicy',
  'PutRolePolicy',
  'PutUserPolicy',
  'CreatePolicy',
  'DeletePolicy',
  'CreatePolicyVersion',
  'DeletePolicyVersion',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'AttachUserPolicy',
  'DetachUserPolicy',
  'AttachGroupPolicy',
  'DetachGroupPolicy',
];

/** CIS AWS Foundations metric filters on the trail's log group, each with its alarm. */
export const CIS_FILTERS: ReadonlyArray<{
  kind: string;
  severity: Severity;
  summary: string;
  pattern: string;
}> = [
  {
    kind: 'root-activity',
    severity: 'critical',
    summary: 'The root user signed in or made an API call (CIS 1.7 / 3.3)',
    pattern:
      '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  },
  {
    kind: 'iam-policy-change',
    severity: 'warning',
    summary: 'An IAM policy was created, changed, attached or detached (CIS 3.4)',
    pattern: `{ ${IAM_POLICY_EVENTS.map((e) => `($.eventName = ${e})`).join(' || ')} }`,
  },
];

/**
 * The account's alert topics (critical, warning) in the baseline stack, with the GuardDuty finding
 * rules and the CIS metric filters on the trail's log group (root activity, IAM policy changes).
 */
export class AccountAlerts extends Construct {
  readonly alerts: AlertTopics;

  constructor(scope: Construct, id: string, props: AccountAlertsProps) {
    super(scope, id);
    const { naming } = props;
    this.alerts = new AlertTopics(this, 'Alerts', {
      naming,
      accountId: props.accountId,
      kmsKeyArn: props.kmsKeyArn,
      subscribers: props.subscribers,
    });
    const arns = { critical: this.alerts.topics.critical.arn, warning: this.alerts.topics.warning.arn };
    createEventRules(
      this,
      naming,
      [...GUARDDUTY_RULES, ...(props.replication?.ecr ? [ECR_REPLICATION_RULE] : [])],
      arns,
    );
    const state = props.replication?.stateBucket;
    if (state) {
      // S3 replication metrics (enabled in the rule): any failed operation is a missing copy.
      new CloudwatchMetricAlarm(this, 'Alarm-state-replication-failed', {
        alarmName: naming.name('state-replication-failed'),
        alarmDescription: `Replication of the Terraform state bucket to the recovery region failed. Runbook: ${runbookLink('state-replication-failed')}`,
        namespace: 'AWS/S3',
        metricName: 'OperationsFailedReplication',
        dimensions: {
          SourceBucket: state.source,
          DestinationBucket: state.destination,
          RuleId: state.ruleId,
        },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [arns.warning],
      });
    }
    const namespace = `${naming.name()}/CloudTrail`;
    for (const f of CIS_FILTERS) {
      const metric = new CloudwatchLogMetricFilter(this, `Filter-${f.kind}`, {
        name: naming.name(f.kind),
        logGroupName: props.trailLogGroupName,
        pattern: f.pattern,
        metricTransformation: { name: f.kind, namespace, value: '1', defaultValue: '0' },
      });
      new CloudwatchMetricAlarm(this, `Alarm-${f.kind}`, {
        alarmName: naming.name(f.kind),
        alarmDescription: `${f.summary}. Runbook: ${runbookLink(f.kind)}`,
        namespace,
        metricName: f.kind,
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [arns[f.severity]],
        dependsOn: [metric],
      });
    }
  }
}

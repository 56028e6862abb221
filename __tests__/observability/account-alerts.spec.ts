/** The account alert topics of every baseline stack: GuardDuty findings and the CIS alarms. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../../environments';
import { baselineStackId } from '../../stacks/stack-ids';
import { appStacks } from '../support/app-synth';
import { policy } from '../support/fixtures';

const baselines = Object.entries(appStacks().baseline).map(
  ([slug, out]) => [baselineStackId(slug), slug, out] as const,
);

describe.each(baselines)('%s account alerts', (_id, slug, out) => {
  it('has critical and warning topics encrypted with the trail key, which admits the publishers', () => {
    const topics = out.resources('aws_sns_topic').map(([, t]) => t);
    expect(topics.map((t) => t.name).sort()).toEqual(['webplat-alerts-critical', 'webplat-alerts-warning']);
    const [keyId, key] = out.resources('aws_kms_key')[0];
    for (const t of topics) expect(t.kms_master_key_id).toBe(`\${aws_kms_key.${keyId}.arn}`);
    expect(policy(key.policy).Statement.find((st) => st.Sid === 'AlertPublishers')).toMatchObject({
      Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'budgets.amazonaws.com'] },
      Condition: {
        StringEquals: { 'aws:SourceAccount': registry.accounts[slug].accountId },
      },
    });
    expect(
      out
        .resources('aws_sns_topic_subscription')
        .map(([, s]) => s.endpoint)
        .sort(),
    ).toEqual(['platform-alerts@example.com', 'security@example.com']);
  });

  it('routes GuardDuty findings >= 7 to critical and 4 to 7 to warning', () => {
    const rules = out.resources('aws_cloudwatch_event_rule').map(([, r]) => r);
    const byName = Object.fromEntries(rules.map((r) => [r.name, JSON.parse(r.event_pattern)]));
    expect(byName['webplat-guardduty-high']).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 7] }] },
    });
    expect(byName['webplat-guardduty-medium'].detail).toEqual({ severity: [{ numeric: ['>=', 4, '<', 7] }] });
    const topicOf = (severity: string) =>
      `\${aws_sns_topic.${out.resources('aws_sns_topic').find(([, t]) => t.name.endsWith(severity))![0]}.arn}`;
    const targets = out
      .resources('aws_cloudwatch_event_target')
      .map(([, t]) => [t.rule, t.arn])
      .filter(([rule]) => /guardduty/.test(rule));
    expect(targets).toHaveLength(2);
    for (const [rule, arn] of targets) {
      expect(arn).toBe(topicOf(/guardduty-high/.test(rule) ? 'critical' : 'warning'));
    }
  });

  it('alarms on root activity (critical) and IAM policy changes (warning) from the trail log group', () => {
    const [groupId] = out.resources('aws_cloudwatch_log_group')[0];
    const filters = Object.fromEntries(
      out.resources('aws_cloudwatch_log_metric_filter').map(([, f]) => [f.name, f]),
    );
    expect(filters['webplat-root-activity']).toMatchObject({
      log_group_name: `\${aws_cloudwatch_log_group.${groupId}.name}`,
      pattern: expect.stringContaining('$.userIdentity.type = "Root"'),
    });
    expect(filters['webplat-iam-policy-change'].pattern).toMatch(
      /^\{ \(\$\.eventName = DeleteGroupPolicy\)( \|\| \(\$\.eventName = \w+\)){15} \}$/,
    );
    const alarms = Object.fromEntries(
      out.resources('aws_cloudwatch_metric_alarm').map(([, a]) => [a.alarm_name, a]),
    );
    expect(alarms['webplat-root-activity']).toMatchObject({
      threshold: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'notBreaching',
      alarm_description: expect.stringContaining('docs/runbooks.md#alarm-root-activity'),
    });
    expect(alarms['webplat-root-activity'].alarm_actions[0]).toMatch(/Alerts_Topic-critical/);
    expect(alarms['webplat-iam-policy-change'].alarm_actions[0]).toMatch(/Alerts_Topic-warning/);
  });

  it('routes failed ECR replication to the warning topic', () => {
    const rule = out
      .resources('aws_cloudwatch_event_rule')
      .find(([, r]) => r.name === 'webplat-ecr-replication-failed');
    expect(rule).toBeDefined();
    expect(JSON.parse(rule![1].event_pattern)).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Replication Action'],
      detail: { result: ['FAILED'] },
    });
    const target = out.resources('aws_cloudwatch_event_target').find(([, t]) => t.rule.includes(rule![0]))!;
    expect(target[1].arn).toMatch(/Alerts_Topic-warning/);
  });

  it('alarms on failed replication of the state bucket (S3 replication metrics, by rule)', () => {
    const { state } = registry.accounts[slug];
    const alarm = out
      .resources('aws_cloudwatch_metric_alarm')
      .map(([, a]) => a)
      .find((a) => a.alarm_name === 'webplat-state-replication-failed');
    expect(alarm).toMatchObject({
      namespace: 'AWS/S3',
      metric_name: 'OperationsFailedReplication',
      dimensions: {
        SourceBucket: state.bucket,
        DestinationBucket: `${state.bucket}-replica`,
        RuleId: 'state-to-recovery-region',
      },
      threshold: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'notBreaching',
      alarm_description: expect.stringContaining('docs/runbooks.md#alarm-state-replication-failed'),
    });
    expect(alarm.alarm_actions[0]).toMatch(/Alerts_Topic-warning/);
  });

  it('has runbook entries for the replication alarms', () => {
    const runbooks = readFileSync(join(__dirname, '..', '..', 'docs', 'runbooks.md'), 'utf8');
    expect(runbooks).toContain('### alarm-state-replication-failed');
    expect(runbooks).toContain('### alarm-ecr-replication-failed');
  });
});

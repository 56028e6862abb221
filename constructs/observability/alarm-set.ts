import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { Construct } from 'constructs';
import type { Naming } from '../core/naming';

/** Where each alarm's runbook entry lives: `docs/runbooks.md#alarm-<kind>`. */
export const RUNBOOK = 'docs/runbooks.md';
export const runbookLink = (kind: string): string => `${RUNBOOK}#alarm-${kind}`;

export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';
export type Comparison = 'GreaterThanThreshold' | 'LessThanThreshold' | 'GreaterThanOrEqualToThreshold';

/** One CloudWatch metric: the alarm's own metric, or one term of a metric-math expression. */
export interface Metric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Record<string, string>;
  /** `Average`, `Sum`, `Maximum`, ... or a percentile such as `p99`. */
  readonly stat: string;
}

export interface AlarmSpec {
  /** The alarm type: names the runbook anchor (`alarm-<kind>`) and the alarm (`<prefix>-<subject>-<kind>`). */
  readonly kind: string;
  /** The monitored resource, short (`backend`, `db`, `alb`). */
  readonly subject: string;
  /** Dashboard row: `edge`, `service <name>`, `data`, `network`. */
  readonly row: string;
  /** What the alarm watches, one line (the alarm description and the widget title). */
  readonly summary: string;
  /** One metric, or several combined by `expression` (metric ids m1, m2, ...). */
  readonly metrics: readonly Metric[];
  readonly expression?: string;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly evaluationPeriods: number;
  readonly periodSeconds: number;
  readonly treatMissingData: TreatMissingData;
}

export interface Alarm {
  readonly spec: AlarmSpec;
  readonly resource: CloudwatchMetricAlarm;
}

const isPercentile = (stat: string) => /^p\d+(\.\d+)?$/.test(stat);

/**
 * Creates the metric alarms of the monitoring pass, all on one action topic, and remembers each with
 * its spec so the dashboard can draw the metric and the threshold the alarm fires at.
 */
export class AlarmSet {
  readonly alarms: Alarm[] = [];

  constructor(
    private readonly scope: Construct,
    private readonly naming: Naming,
    private readonly actions: readonly string[],
  ) {}

  add(spec: AlarmSpec): Alarm {
    // `alb` + `alb-target-5xx` -> `alb-target-5xx`: the kind already names the subject.
    const label = spec.kind.startsWith(`${spec.subject}-`) ? spec.kind : `${spec.subject}-${spec.kind}`;
    const name = this.naming.name(label);
    const common = {
      alarmName: name,
      alarmDescription: `${spec.summary}. Runbook: ${runbookLink(spec.kind)}`,
      comparisonOperator: spec.comparison,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.evaluationPeriods,
      treatMissingData: spec.treatMissingData,
      alarmActions: [...this.actions],
      okActions: [...this.actions],
    };
    const [only] = spec.metrics;
    const resource = new CloudwatchMetricAlarm(this.scope, `Alarm-${label}`, {
      ...common,
      ...(spec.expression === undefined
        ? {
            namespace: only.namespace,
            metricName: only.name,
            dimensions: only.dimensions,
            period: spec.periodSeconds,
            ...(isPercentile(only.stat) ? { extendedStatistic: only.stat } : { statistic: only.stat }),
          }
        : {
            metricQuery: [
              { id: 'e1', expression: spec.expression, label: spec.summary, returnData: true },
              ...spec.metrics.map((m, i) => ({
                id: `m${i + 1}`,
                returnData: false,
                metric: {
                  namespace: m.namespace,
                  metricName: m.name,
                  dimensions: m.dimensions,
                  period: spec.periodSeconds,
                  stat: m.stat,
                },
              })),
            ],
          }),
    });
    const alarm = { spec, resource };
    this.alarms.push(alarm);
    return alarm;
  }
}

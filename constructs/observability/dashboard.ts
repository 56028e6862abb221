import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import type { Construct } from 'constructs';
import type { Naming } from '../core/naming';
import type { Alarm, AlarmSpec, Metric } from './alarm-set';

const ROW_ORDER = (row: string): number =>
  row === 'edge' ? 0 : row.startsWith('service ') ? 1 : row === 'data' ? 2 : 3;

const WIDTH = 8;
const HEIGHT = 6;

/** The CloudWatch `metrics` array of one alarm: its metric, or its expression over hidden terms. */
function widgetMetrics(spec: AlarmSpec): unknown[] {
  const line = (m: Metric, extra: Record<string, unknown>) => [
    m.namespace,
    m.name,
    ...Object.entries(m.dimensions).flat(),
    { stat: m.stat, ...extra },
  ];
  if (spec.expression === undefined) return [line(spec.metrics[0], {})];
  return [
    [{ expression: spec.expression, label: spec.kind, id: 'e1' }],
    ...spec.metrics.map((m, i) => line(m, { id: `m${i + 1}`, visible: false })),
  ];
}

/** Dashboard widgets: per row a header, then one graph per alarm with the alarm threshold drawn on it. */
export function dashboardWidgets(alarms: readonly Alarm[], region: string): unknown[] {
  const rows = [...new Set(alarms.map((a) => a.spec.row))].sort(
    (a, b) => ROW_ORDER(a) - ROW_ORDER(b) || a.localeCompare(b),
  );
  const widgets: unknown[] = [];
  let y = 0;
  for (const row of rows) {
    widgets.push({ type: 'text', x: 0, y, width: 24, height: 1, properties: { markdown: `## ${row}` } });
    y += 1;
    alarms
      .filter((a) => a.spec.row === row)
      .forEach((a, i) => {
        const { spec } = a;
        widgets.push({
          type: 'metric',
          x: (i % 3) * WIDTH,
          y: y + Math.floor(i / 3) * HEIGHT,
          width: WIDTH,
          height: HEIGHT,
          properties: {
            title: `${spec.subject}: ${spec.kind}`,
            region,
            view: 'timeSeries',
            period: spec.periodSeconds,
            metrics: widgetMetrics(spec),
            annotations: { horizontal: [{ label: `alarm (${spec.comparison})`, value: spec.threshold }] },
          },
        });
      });
    y += Math.ceil(alarms.filter((a) => a.spec.row === row).length / 3) * HEIGHT;
  }
  return [...widgets, ...costRow(y, region)];
}

/**
 * The cost and usage row: the account's estimated charges (AWS publishes them in us-east-1 only,
 * once billing alerts are enabled) and the Fargate capacity in use (AWS/Usage), which drives most
 * of an environment's variable cost.
 */
function costRow(y: number, region: string): unknown[] {
  const graph = (
    x: number,
    title: string,
    region: string,
    metric: unknown[],
    stat: string,
    period: number,
  ) => ({
    type: 'metric',
    x,
    y: y + 1,
    width: 12,
    height: HEIGHT,
    properties: { title, region, view: 'timeSeries', period, metrics: [[...metric, { stat }]] },
  });
  return [
    { type: 'text', x: 0, y, width: 24, height: 1, properties: { markdown: '## cost and usage' } },
    graph(
      0,
      'Estimated charges (account, USD)',
      'us-east-1',
      ['AWS/Billing', 'EstimatedCharges', 'Currency', 'USD'],
      'Maximum',
      21600,
    ),
    graph(
      12,
      'Fargate vCPU in use (account)',
      region,
      [
        'AWS/Usage',
        'ResourceCount',
        'Service',
        'Fargate',
        'Type',
        'Resource',
        'Resource',
        'vCPU',
        'Class',
        'Standard/OnDemand',
      ],
      'Maximum',
      300,
    ),
  ];
}

/** The environment's dashboard: `<project>-<env>`, a row per layer, built from the alarms that exist. */
export function createDashboard(
  scope: Construct,
  naming: Naming,
  alarms: readonly Alarm[],
  region: string,
): CloudwatchDashboard {
  return new CloudwatchDashboard(scope, 'Dashboard', {
    dashboardName: naming.name(),
    dashboardBody: JSON.stringify({ widgets: dashboardWidgets(alarms, region) }),
  });
}

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
  return widgets;
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

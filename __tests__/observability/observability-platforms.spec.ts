/** The monitoring pass on EKS and MSK: the cluster's and every broker's alarms, with runbook entries. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envInput, synthPlatform } from '../support/fixtures';

const out = synthPlatform(envInput('enterprise'));
const alarms = out.resources('aws_cloudwatch_metric_alarm').map(([, a]) => a);

describe('EKS and MSK alarms', () => {
  it('watches the Kafka controller, offline partitions and each broker’s disk', () => {
    const kafka = alarms.filter((a) => a.namespace === 'AWS/Kafka');
    expect(kafka.filter((a) => a.metric_name === 'ActiveControllerCount')).toHaveLength(1);
    expect(kafka.filter((a) => a.metric_name === 'OfflinePartitionsCount')).toHaveLength(1);
    const disks = kafka.filter((a) => a.metric_name === 'KafkaDataLogsDiskUsed');
    expect(disks.map((a) => a.dimensions['Broker ID']).sort()).toEqual(['1', '2', '3']);
    for (const a of disks) expect(a.threshold).toBe(85);
  });

  it('watches unschedulable pods and API server errors of the cluster', () => {
    const eks = alarms.filter((a) => a.namespace === 'AWS/EKS');
    expect(eks.map((a) => a.metric_name).sort()).toEqual([
      'apiserver_request_total_5XX',
      'scheduler_pending_pods_UNSCHEDULABLE',
    ]);
    for (const a of eks) expect(a.dimensions.ClusterName).toMatch(/aws_eks_cluster\..*\.name/);
  });

  it('watches node and pod CPU and memory, and container restarts, from Container Insights', () => {
    const insights = alarms.filter(
      (a) =>
        a.namespace === 'ContainerInsights' ||
        a.metric_query?.some((q: any) => q.metric?.namespace === 'ContainerInsights'),
    );
    const byMetric = Object.fromEntries(insights.filter((a) => a.metric_name).map((a) => [a.metric_name, a]));
    expect(Object.keys(byMetric).sort()).toEqual([
      'node_cpu_utilization',
      'node_memory_utilization',
      'pod_cpu_utilization',
      'pod_memory_utilization',
    ]);
    for (const a of Object.values(byMetric) as any[]) {
      expect(a.dimensions).toEqual({ ClusterName: expect.stringMatching(/aws_eks_cluster\..*\.name/) });
      expect(a.threshold).toBe(80);
    }
    const restarts = insights.find((a) => a.alarm_name.endsWith('-eks-pod-restarts'));
    expect(restarts.threshold).toBe(3);
    expect(restarts.metric_query[0]).toMatchObject({ expression: 'DIFF(m1)', return_data: true });
    expect(restarts.metric_query[1].metric).toMatchObject({
      namespace: 'ContainerInsights',
      metric_name: 'pod_number_of_container_restarts',
    });
    expect(insights).toHaveLength(5);
  });

  it('draws the cluster rows on the dashboard', () => {
    const body = JSON.parse(out.only('aws_cloudwatch_dashboard').dashboard_body);
    const titles = body.widgets.map((w: any) => w.properties?.title).filter(Boolean);
    for (const kind of [
      'eks-node-cpu',
      'eks-node-memory',
      'eks-pod-cpu',
      'eks-pod-memory',
      'eks-pod-restarts',
    ])
      expect(titles.some((t: string) => t.endsWith(`: ${kind}`))).toBe(true);
  });

  it('links every new alarm to its runbook entry', () => {
    const runbooks = readFileSync(join(__dirname, '..', '..', 'docs', 'runbooks.md'), 'utf8');
    const mine = alarms.filter(
      (x) =>
        ['AWS/Kafka', 'AWS/EKS', 'ContainerInsights'].includes(x.namespace) ||
        /-eks-pod-restarts$/.test(x.alarm_name),
    );
    expect(mine).toHaveLength(12);
    for (const a of mine) {
      const anchor = /#(alarm-[a-z0-9-]+)$/.exec(a.alarm_description)![1];
      expect(runbooks).toContain(`### ${anchor}`);
    }
  });
});

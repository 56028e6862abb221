/** The monitoring pass on EKS and MSK: the cluster's and every broker's alarms, with runbook entries. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envInput, synthPlatform } from './support/fixtures';

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

  it('links every new alarm to its runbook entry', () => {
    const runbooks = readFileSync(join(__dirname, '..', 'docs', 'runbooks.md'), 'utf8');
    const mine = alarms.filter((x) => ['AWS/Kafka', 'AWS/EKS'].includes(x.namespace));
    expect(mine).toHaveLength(7);
    for (const a of mine) {
      const anchor = /#(alarm-[a-z0-9-]+)$/.exec(a.alarm_description)![1];
      expect(runbooks).toContain(`### ${anchor}`);
    }
  });
});

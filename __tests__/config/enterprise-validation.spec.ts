/** Validation of the EKS and Kafka sections: each bad input is rejected with its config path. */
import { parseEnvironmentConfig } from '../../environments/schema';
import { FARGATE_ONLY_SERVICE_SETTINGS } from '../../environments/schema/compute';
import { EKS_VERSIONS } from '../../environments/rules';
import { expectRejected } from '../support/config-errors';
import { envInput, synthPlatform } from '../support/fixtures';

const enterprise = () => envInput('enterprise');

describe('compute.platform eks', () => {
  it('accepts the enterprise environment', () => {
    expect(parseEnvironmentConfig(enterprise()).compute.platform).toBe('eks');
  });

  it('rejects a node group whose minSize is above maxSize', () => {
    const input = enterprise();
    input.compute.eks.nodeGroups.system.minSize = 7;
    expectRejected(input, 'compute.eks.nodeGroups.system.minSize', /7 is above maxSize 6/);
  });

  it('rejects a Kubernetes version outside the dated allowlist in rules.ts', () => {
    const input = enterprise();
    input.compute.eks.version = '1.29';
    expectRejected(input, 'compute.eks.version', /1\.29 is not an EKS version in standard support/);
    for (const version of Object.keys(EKS_VERSIONS)) {
      const ok = enterprise();
      ok.compute.eks.version = version;
      expect(() => parseEnvironmentConfig(ok)).not.toThrow();
    }
  });

  it('requires the eks section with platform eks, and rejects it with fargate', () => {
    const missing = enterprise();
    delete missing.compute.eks;
    expectRejected(missing, 'compute.eks', /is required with platform 'eks'/);
    const stray = envInput('dev');
    stray.compute = { eks: enterprise().compute.eks };
    expectRejected(stray, 'compute.eks', /only valid with platform 'eks'/);
  });

  it.each([
    ['enableExec', true],
    ['capacity', 'spot'],
    ['sidecars', [{ name: 'proxy', image: 'public.ecr.aws/nginx/nginx:1.27' }]],
  ])('rejects the Fargate-only service setting %s under eks', (key, value) => {
    const input = enterprise();
    input.services.backend[key] = value;
    expectRejected(input, `services.backend.${key}`, /is Fargate-only .*compute.platform is 'eks'/);
  });

  it('lists the settings of blue/green and migration tasks among the Fargate-only ones', () => {
    expect(FARGATE_ONLY_SERVICE_SETTINGS.map((s) => s.key)).toEqual(
      expect.arrayContaining(['deployment', 'migrations', 'enableExec', 'capacity', 'sidecars']),
    );
  });

  it('switching an environment from fargate to eks changes only compute.*', () => {
    // staging uses no Fargate-only setting (spot, exec, blue/green, migration tasks).
    const input = envInput('staging');
    input.compute = enterprise().compute;
    const out = synthPlatform(input);
    expect(out.count('aws_ecs_service')).toBe(0);
    expect(out.count('aws_eks_cluster')).toBe(1);
    // Images stay in ECR: one repository per service, as on Fargate.
    expect(out.count('aws_ecr_repository')).toBe(Object.keys(input.services).length);
  });
});

describe('messaging.kafka', () => {
  it('rejects a broker count that is not a multiple of the AZ count', () => {
    const input = enterprise();
    input.messaging.kafka.brokerCount = 4;
    expectRejected(input, 'messaging.kafka.brokerCount', /4 is not a multiple of the 3 availability zones/);
  });

  it('rejects uses.kafka without messaging.kafka', () => {
    const input = envInput('dev');
    input.services.backend.uses.kafka = { produce: ['orders'] };
    expectRejected(input, 'services.backend.uses.kafka', /no messaging\.kafka is configured/);
  });

  it('rejects a replication factor below 2 in production and above the broker count anywhere', () => {
    const low = enterprise();
    low.messaging.kafka.replicationFactor = 1;
    expectRejected(low, 'messaging.kafka.replicationFactor', /at least 2 is required with tier 'production'/);
    const high = enterprise();
    high.messaging.kafka.replicationFactor = 4;
    expectRejected(high, 'messaging.kafka.replicationFactor', /4 is above brokerCount 3/);
  });

  it('rejects unknown keys of the serverless mode and a bad topic name', () => {
    const input = enterprise();
    input.messaging.kafka = { mode: 'serverless', brokerCount: 3 };
    expectRejected(input, 'messaging.kafka.brokerCount', /unknown key/);
    const topic = enterprise();
    topic.services.backend.uses.kafka.produce = ['orders/all'];
    expectRejected(topic, 'services.backend.uses.kafka.produce[0]', /must be a Kafka topic name/);
  });
});

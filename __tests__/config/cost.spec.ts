/** `npm run cost` (scripts/cost/): the estimate of a small fixture, pinned; the Spot share; the delta. */
import { estimateStack } from '../../scripts/cost/estimate';
import { spotShare } from '../../scripts/cost/spot';
import { formatDelta, formatReport, type CostReport } from '../../scripts/cost/report';
import { PRICE_TABLE_VERSION } from '../../scripts/cost/prices';
import { appStacks } from '../support/app-synth';
import { envInput, synthPlatform } from '../support/fixtures';

/** A stack as Terraform JSON: one NAT gateway, an internet-facing ALB, a small database, two tasks. */
const FIXTURE = {
  provider: { aws: [{ region: 'us-east-1' }] },
  resource: {
    aws_eip: { NatEip0: { domain: 'vpc' } },
    aws_nat_gateway: { Nat0: { allocation_id: '${aws_eip.NatEip0.allocation_id}' } },
    aws_lb: {
      Alb: { internal: false, load_balancer_type: 'application', subnets: ['subnet-a', 'subnet-b'] },
    },
    aws_db_instance: {
      Db: { engine: 'postgres', instance_class: 'db.t4g.micro', allocated_storage: 20, multi_az: false },
    },
    aws_ecs_task_definition: { Task: { cpu: '256', memory: '512' } },
    aws_ecs_service: {
      Service: {
        desired_count: 2,
        task_definition: '${aws_ecs_task_definition.Task.arn}',
        capacity_provider_strategy: [
          { capacity_provider: 'FARGATE', base: 1, weight: 1 },
          { capacity_provider: 'FARGATE_SPOT', weight: 1 },
        ],
      },
    },
    aws_kms_key: { Key: {} },
    aws_s3_bucket: { Bucket: {} },
    aws_cloudwatch_dashboard: { Unpriced_Here: {} },
  },
};

describe('the estimate of a small fixture', () => {
  const e = estimateStack(FIXTURE);
  const line = (item: string) => e.fixed.find((l) => l.item === item)?.monthly;

  it('prices each fixed line at 730 hours a month', () => {
    expect(PRICE_TABLE_VERSION).toBe('2026-11-01.3');
    expect(line('NAT gateway')).toBe(32.85);
    expect(line('Public IPv4 address (Elastic IP)')).toBe(3.65);
    expect(line('Load balancer (application)')).toBeCloseTo(16.43, 1);
    // An internet-facing load balancer holds a public IPv4 address per subnet.
    expect(line('Public IPv4 address (load balancer)')).toBe(7.3);
    expect(line('RDS postgres db.t4g.micro')).toBe(11.68);
    expect(line('RDS gp3 storage, GB')).toBe(2.3);
    // 2 tasks, base 1 on demand, the other split 1:1: 1.5 on demand, 0.5 on Spot.
    expect(line('Fargate 0.25 vCPU / 0.5 GB on demand')).toBeCloseTo(1.5 * 0.0123 * 730, 2);
    expect(line('Fargate 0.25 vCPU / 0.5 GB Spot')).toBeCloseTo(0.5 * 0.0037 * 730, 2);
    expect(line('KMS customer-managed key')).toBe(1);
    expect(line('CloudWatch dashboard')).toBe(3);
  });

  it('pins the fixed total (the sum of the lines, each rounded to cents)', () => {
    // 32.85 + 3.65 + 16.43 + 7.30 + 11.68 + 2.30 + 13.47 + 1.35 + 1 + 3
    expect(e.fixedMonthly).toBeCloseTo(93.03, 2);
  });

  it('names the usage-priced lines with their unit price, apart from the total', () => {
    expect(e.usage).toMatchObject({
      'NAT data processed, per GB': 0.045,
      'ALB capacity units, per LCU-hour': 0.008,
      'S3 Standard storage, per GB-month': 0.023,
      'KMS requests, per 10,000': 0.03,
    });
  });

  it('reports an instance class the table has no price for', () => {
    const big = structuredClone(FIXTURE) as any;
    big.resource.aws_db_instance.Db.instance_class = 'db.x2iedn.32xlarge';
    expect(estimateStack(big).unpriced).toEqual(['RDS db.x2iedn.32xlarge']);
  });

  it('fails on a region the table does not list', () => {
    expect(() => estimateStack({ ...FIXTURE, provider: { aws: [{ region: 'mars-north-1' }] } })).toThrow(
      /no prices for region mars-north-1/,
    );
  });
});

describe('the Spot share', () => {
  it.each([
    [[{ capacity_provider: 'FARGATE_SPOT', weight: 1 }], 3, 1],
    [[{ capacity_provider: 'FARGATE', weight: 1 }], 3, 0],
    [[], 2, 0],
    [
      [
        { capacity_provider: 'FARGATE', base: 2, weight: 1 },
        { capacity_provider: 'FARGATE_SPOT', weight: 3 },
      ],
      6,
      0.5,
    ],
  ])('%j with %i tasks is %f', (strategy, count, share) => {
    expect(spotShare(strategy, count)).toBeCloseTo(share, 5);
  });
});

describe('EC2 instances', () => {
  it('are named by what they are, so two of one type are told apart (NAT group on Spot, bastion)', () => {
    const stack = {
      provider: { aws: [{ region: 'us-east-1' }] },
      resource: {
        aws_launch_template: {
          Nat: { name: 'webplat-dev-nat', instance_type: 't4g.nano' },
          Bastion: { name: 'webplat-dev-bastion', instance_type: 't4g.nano' },
        },
        aws_autoscaling_group: {
          NatGroup: {
            name: 'webplat-dev-nat',
            desired_capacity: 1,
            mixed_instances_policy: [
              {
                instances_distribution: [{ on_demand_percentage_above_base_capacity: 0 }],
                launch_template: [
                  {
                    launch_template_specification: [{ launch_template_id: '${aws_launch_template.Nat.id}' }],
                  },
                ],
              },
            ],
          },
        },
        aws_instance: {
          Bastion: {
            launch_template: [{ id: '${aws_launch_template.Bastion.id}' }],
            tags: { Name: 'webplat-dev-bastion' },
          },
        },
      },
    };
    const items = estimateStack(stack).fixed.map((l) => l.item);
    expect(items).toEqual(
      expect.arrayContaining(['EC2 t4g.nano Spot (webplat-dev-nat)', 'EC2 t4g.nano (webplat-dev-bastion)']),
    );
    expect(items.filter((i) => i.startsWith('EC2'))).toHaveLength(2);
  });
});

describe('the pull-request delta', () => {
  const report = (fixed: Array<[string, number]>): CostReport => ({
    priceTable: { version: 'v', asOf: 'd' },
    groups: {
      dev: {
        stacks: ['platform-dev'],
        fixed: fixed.map(([item, monthly]) => ({
          item,
          quantity: 1,
          unit: 'month',
          unitPrice: monthly,
          monthly,
        })),
        fixedMonthly: fixed.reduce((s, [, m]) => s + m, 0),
        usage: {},
        unpriced: [],
      },
    },
  });

  it('shows both totals, the difference and the lines that changed', () => {
    const text = formatDelta(
      report([
        ['NAT gateway', 32.85],
        ['KMS customer-managed key', 3],
      ]),
      report([
        ['EC2 t4g.nano', 3.07],
        ['KMS customer-managed key', 3],
      ]),
      'dev',
    );
    expect(text).toMatch(/\$35\.85 → \$6\.07 a month \(−\$29\.78/);
    expect(text).toContain('| NAT gateway | $32.85 | $0.00 |');
    expect(text).toContain('| EC2 t4g.nano | $0.00 | $3.07 |');
    expect(text).not.toContain('KMS');
  });
});

describe("the user pool's SES mail and web ACL (issue 27)", () => {
  const e = estimateStack({
    provider: { aws: [{ region: 'us-east-1' }] },
    resource: {
      aws_cognito_user_pool: { Pool: { email_configuration: { email_sending_account: 'DEVELOPER' } } },
      aws_wafv2_web_acl: { Acl: { scope: 'REGIONAL', rule: [{}, {}, {}, {}] } },
    },
  });

  it('prices SES per 1,000 e-mails and the ACL with its four rules', () => {
    expect(e.usage).toMatchObject({
      'SES outbound e-mail, per 1,000': 0.1,
      'WAF requests, per million': 0.6,
    });
    expect(e.fixed.find((l) => l.item === 'WAF web ACL')?.monthly).toBe(5);
    expect(e.fixed.find((l) => l.item === 'WAF rules')?.monthly).toBe(4);
    const cognitoSender = estimateStack({
      provider: { aws: [{ region: 'us-east-1' }] },
      resource: {
        aws_cognito_user_pool: {
          Pool: { email_configuration: { email_sending_account: 'COGNITO_DEFAULT' } },
        },
      },
    });
    expect(cognitoSender.usage).not.toHaveProperty('SES outbound e-mail, per 1,000');
  });
});

describe("the OpenTelemetry collector's share of a task (issue 27)", () => {
  const containers = JSON.stringify([
    { name: 'app', image: 'app:1' },
    { name: 'aws-otel-collector', image: 'collector', cpu: 64, memoryReservation: 128 },
  ]);
  const stack = (withCollector: boolean) => ({
    provider: { aws: [{ region: 'us-east-1' }] },
    resource: {
      aws_ecs_task_definition: {
        Task: {
          cpu: '256',
          memory: '512',
          ...(withCollector ? { container_definitions: containers } : {}),
        },
      },
      aws_ecs_service: {
        Service: { desired_count: 2, task_definition: '${aws_ecs_task_definition.Task.arn}' },
      },
    },
  });
  const e = estimateStack(stack(true));
  const line = (item: string) => e.fixed.find((l) => l.item === item);

  it('is a line of its own, priced at its cpu and memory reservation, out of the task line', () => {
    const collector = line('OpenTelemetry collector sidecar (64 CPU units / 128 MiB of a task) on demand')!;
    expect(collector.quantity).toBe(2);
    expect(collector.unitPrice).toBeGreaterThan(0);
    const task = line('Fargate 0.25 vCPU / 0.5 GB on demand')!;
    const whole = estimateStack(stack(false)).fixed.find((l) => l.item === task.item)!;
    // The task size's price is unchanged: split between the app and its collector.
    expect(task.monthly + collector.monthly).toBeCloseTo(whole.monthly, 1);
    expect(e.fixedMonthly).toBeCloseTo(estimateStack(stack(false)).fixedMonthly, 1);
  });
});

describe('the recovery-region share (issue 28)', () => {
  const estimate = (name: 'dev' | 'prod' | 'enterprise') => estimateStack(synthPlatform(envInput(name)).json);

  it.each(['prod', 'enterprise'] as const)(
    '%s: a subtotal of its own, with the copies priced as usage',
    (name) => {
      const e = estimate(name);
      // The DR vault uses AWS Backup's own key there. prod's RDS instance replicates its automated
      // backups and its data buckets replicate, each under a key of its own there; its hour RPO adds
      // the sessions table's replica (a third key) and Replication Time Control. enterprise (Aurora,
      // no data buckets, the daily copies' RPO) has none.
      const keys = name === 'prod' ? 3 : 0;
      expect(e.recovery).toEqual({
        region: 'us-west-2',
        fixed: keys
          ? [{ item: 'KMS customer-managed key', monthly: keys, quantity: keys, unit: 'month', unitPrice: 1 }]
          : [],
        fixedMonthly: keys,
        usage: {
          'AWS Backup cross-region copy storage, per GB-month': 0.05,
          'Cross-region data transfer (backup copies), per GB': 0.02,
          ...(keys
            ? {
                'KMS requests, per 10,000': 0.03,
                'RDS automated backups replicated, per GB-month': 0.095,
                'RDS automated backups replication transfer, per GB': 0.02,
                'S3 replica storage in the recovery region, per GB-month': 0.023,
                'S3 replication transfer, per GB': 0.02,
                'S3 Replication Time Control, per GB': 0.015,
                'DynamoDB replicated writes, per million': 0.625,
                'DynamoDB replica storage, per GB-month': 0.25,
                'DynamoDB replication transfer, per GB': 0.02,
              }
            : {}),
        },
      });
      const report: CostReport = {
        priceTable: { version: PRICE_TABLE_VERSION, asOf: '2026-11-01' },
        groups: { [name]: { ...e, stacks: [`platform-${name}`] } },
      };
      expect(formatReport(report)).toMatch(
        new RegExp(
          `recovery share \\(us-west-2, recovery\\.strategy 'backup-restore'\\): \\$${keys}\\.00 fixed[\\s\\S]*AWS Backup cross-region copy storage, per GB-month: \\$0\\.05`,
        ),
      );
    },
  );

  it("dev (strategy 'none'): no share", () => {
    const e = estimate('dev');
    expect(e.recovery).toBeUndefined();
    const report: CostReport = {
      priceTable: { version: PRICE_TABLE_VERSION, asOf: '2026-11-01' },
      groups: { dev: { ...e, stacks: ['platform-dev'] } },
    };
    expect(formatReport(report)).not.toMatch(/recovery share/);
  });
});

describe("the account's copies in the recovery region (issue 28)", () => {
  it('prices the state replica (storage, transfer) as usage and its key as a fixed line', () => {
    const e = estimateStack(appStacks().state.main.json);
    expect(e.usage).toMatchObject({
      'S3 Standard storage, per GB-month': 0.023,
      'Cross-region data transfer (replication), per GB': 0.02,
    });
    // The state key and the replica's own key.
    expect(e.fixed.find((l) => l.item === 'KMS customer-managed key')?.quantity).toBe(2);
  });

  it('prices ECR replication as transfer (the replicas are ECR storage in the recovery region)', () => {
    const e = estimateStack(appStacks().baseline.main.json);
    expect(e.usage).toMatchObject({ 'Cross-region data transfer (replication), per GB': 0.02 });
  });
});

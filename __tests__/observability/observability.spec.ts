/** The observability layer over every synthesized environment: topics, alarms, coverage, routing. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MONITORED_TYPES } from '../../constructs/observability/monitoring-pass';
import { registry } from '../../environments';
import { parseEnvironmentConfig } from '../../environments/schema';
import {
  auroraServerless,
  buildStacks,
  envInput,
  policy,
  synthPlatform,
  type Synthesized,
} from '../support/fixtures';
import { appStack, appStackIds, appStacks } from '../support/app-synth';
import { baselineStackId } from '../../stacks/stack-ids';

const stacks = appStacks();
const platforms = Object.entries(stacks.platform);
/** ECS-only monitoring (service alarms, ECS events, service log queries) applies to Fargate environments. */
const onEcs = (name: string) => registry.environments[name].compute.platform === 'fargate';

/** `${aws_x.Id.attr}` -> `aws_x.Id` for every reference in a JSON value. */
function references(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(/\$\{(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)\./g)].map((m) => m[1]);
}

const topicRef = (out: Synthesized, severity: string) => {
  const [id] = out.resources('aws_sns_topic').find(([, t]) => t.name.endsWith(`-alerts-${severity}`))!;
  return `\${aws_sns_topic.${id}.arn}`;
};

const alarmsNaming = (out: Synthesized, ref: string) =>
  out.resources('aws_cloudwatch_metric_alarm').filter(([, a]) => references(a).includes(ref));

describe.each(platforms)('%s', (name, out) => {
  it('has a critical and a warning topic, encrypted with the data key', () => {
    const topics = out.resources('aws_sns_topic').map(([, t]) => t);
    expect(topics.map((t) => t.name).sort()).toEqual([
      `webplat-${name}-alerts-critical`,
      `webplat-${name}-alerts-warning`,
    ]);
    for (const t of topics)
      expect(t.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.Keys_Data_Key_[A-Z0-9]+\.arn\}$/);
  });

  it('lets only CloudWatch, EventBridge and Budgets of this account publish to the topics', () => {
    const policies = out.resources('aws_sns_topic_policy').map(([, p]) => policy(p.policy));
    expect(policies).toHaveLength(2);
    for (const doc of policies) {
      const allows = doc.Statement.filter((s) => s.Effect === 'Allow');
      expect(allows).toEqual([
        expect.objectContaining({
          Principal: {
            Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'budgets.amazonaws.com'],
          },
          Action: 'sns:Publish',
          Condition: { StringEquals: { 'aws:SourceAccount': registry.environments[name].accountId } },
        }),
      ]);
    }
  });

  it('lets the publishers encrypt to the data key (and no one else new)', () => {
    const [, key] = out.resources('aws_kms_key').find(([id]) => id.startsWith('Keys_Data'))!;
    const st = policy(key.policy).Statement.find((s) => s.Sid === 'AlertPublishers');
    expect(st).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'budgets.amazonaws.com'] },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Condition: { StringEquals: { 'aws:SourceAccount': registry.environments[name].accountId } },
    });
  });

  it('alarms at 80 % CPU and memory for 2 periods on every service (seed 001)', () => {
    const services = out.resources('aws_ecs_service');
    if (!onEcs(name)) return expect(services).toEqual([]); // EKS: the cluster's alarms instead
    expect(services.length).toBeGreaterThan(0);
    for (const [id] of services) {
      const mine = alarmsNaming(out, `aws_ecs_service.${id}`).map(([, a]) => a);
      for (const metric of ['CPUUtilization', 'MemoryUtilization']) {
        const alarm = mine.find((a) => a.metric_name === metric);
        expect(alarm).toMatchObject({
          namespace: 'AWS/ECS',
          threshold: 80,
          evaluation_periods: 2,
          comparison_operator: 'GreaterThanThreshold',
          statistic: 'Average',
          dimensions: {
            ClusterName: expect.stringMatching(/^\$\{aws_ecs_cluster\.\w+\.name\}$/),
            ServiceName: `\${aws_ecs_service.${id}.name}`,
          },
        });
      }
      expect(mine.some((a) => /RunningTaskCount/.test(JSON.stringify(a.metric_query)))).toBe(true);
    }
  });

  it('gives every resource of a monitored type an alarm that names it (coverage)', () => {
    const uncovered: string[] = [];
    for (const type of MONITORED_TYPES) {
      for (const [id] of out.resources(type)) {
        if (alarmsNaming(out, `${type}.${id}`).length === 0) uncovered.push(`${type}.${id}`);
      }
    }
    expect(uncovered).toEqual([]);
  });

  it('routes every metric alarm to the warning topic (or, a scaling trigger, to its scaling policy only), with a runbook link and its missing-data rule', () => {
    const warning = topicRef(out, 'warning');
    for (const [, a] of out.resources('aws_cloudwatch_metric_alarm')) {
      if (isScalingTrigger(a)) expect(a.alarm_actions).toHaveLength(1);
      else expect(a.alarm_actions).toEqual([warning]);
      expect(a.alarm_description).toMatch(/Runbook: docs\/runbooks\.md#alarm-[a-z0-9-]+$/);
      expect(['missing', 'notBreaching', 'breaching', 'ignore']).toContain(a.treat_missing_data);
    }
  });

  it('pages critical when the load balancer returns 5xx while targets are unhealthy', () => {
    const composite = out.only('aws_cloudwatch_composite_alarm');
    expect(composite.alarm_actions).toEqual([topicRef(out, 'critical')]);
    const alarms = Object.fromEntries(out.resources('aws_cloudwatch_metric_alarm'));
    const named = [
      ...composite.alarm_rule.matchAll(/aws_cloudwatch_metric_alarm\.([\w-]+)\.alarm_name/g),
    ].map((m) => alarms[m[1]]);
    expect(named[0].metric_name).toBe('HTTPCode_Target_5XX_Count');
    expect(named.slice(1).map((a) => a.metric_name)).toEqual(
      out.resources('aws_lb_target_group').map(() => 'UnHealthyHostCount'),
    );
    expect(composite.alarm_rule).toMatch(/^ALARM\(.+\) AND \(ALARM\(.+\)( OR ALARM\(.+\))*\)$/);
  });
});

/** An alarm whose only action is an Application Auto Scaling policy: a scaling trigger, not a notification. */
const isScalingTrigger = (a: any) =>
  a.alarm_actions?.length > 0 &&
  a.alarm_actions.every((x: string) => /^\$\{aws_appautoscaling_policy\.[^}]+\.arn\}$/.test(x));

describe('the monitoring pass', () => {
  it('runs last: the observability layer is the last construct of every platform stack', () => {
    for (const stack of Object.values(buildStacks(registry).platform)) {
      const children = stack.node.children;
      expect(children[children.length - 1]).toBe(stack.observability);
    }
  });
});

describe('coverage follows config', () => {
  it('gives a service and a table added in config their alarms, with no code', () => {
    const env = envInput('dev');
    env.services.admin = {
      port: 9000,
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      healthCheckPath: '/health',
      pathPatterns: ['/admin/*'],
    };
    env.tables.events = { partitionKey: { name: 'pk', type: 'S' }, deletionProtection: false };
    const out = synthPlatform(env);
    const names = out.resources('aws_cloudwatch_metric_alarm').map(([, a]) => a.alarm_name);
    expect(names).toEqual(
      expect.arrayContaining([
        'webplat-dev-admin-ecs-cpu',
        'webplat-dev-admin-ecs-memory',
        'webplat-dev-admin-ecs-running-tasks',
        'webplat-dev-alb-tg-admin-alb-unhealthy-hosts',
        'webplat-dev-events-table-throttles',
        'webplat-dev-events-table-system-errors',
      ]),
    );
    const composite = out.only('aws_cloudwatch_composite_alarm').alarm_rule;
    expect(composite).toContain('Alarm-alb-tg-admin-alb-unhealthy-hosts');
  });

  it('watches Aurora instances and reader lag', () => {
    const env = envInput('dev');
    env.database = auroraServerless({ deletionProtection: false, skipFinalSnapshot: true });
    const out = synthPlatform(env);
    for (const [id] of out.resources('aws_rds_cluster_instance')) {
      const kinds = alarmsNaming(out, `aws_rds_cluster_instance.${id}`).map(([, a]) => a.metric_name);
      expect(kinds.sort()).toEqual(['CPUUtilization', 'DatabaseConnections', 'FreeableMemory']);
    }
    const [clusterId] = out.resources('aws_rds_cluster')[0];
    expect(alarmsNaming(out, `aws_rds_cluster.${clusterId}`)[0][1]).toMatchObject({
      metric_name: 'AuroraReplicaLagMaximum',
      threshold: 60_000,
    });
  });
});

describe('engine variants', () => {
  it('watches each Redis cluster-mode node by its shard id and each read replica with its lag', () => {
    const env = envInput('prod');
    env.database = { ...env.database, engine: 'mysql', engineVersion: '8.0', readReplicas: 1 };
    delete env.cache.numCacheClusters;
    env.cache.clusterMode = { shards: 2, replicasPerShard: 1 };
    const out = synthPlatform(env);
    const cacheNodes = out
      .resources('aws_cloudwatch_metric_alarm')
      .filter(([, a]) => a.metric_name === 'EngineCPUUtilization')
      .map(([, a]) => a.dimensions.CacheClusterId.replace(/^\$\{[^}]+\}/, '<group>'));
    expect(cacheNodes).toEqual([
      '<group>-0001-001',
      '<group>-0001-002',
      '<group>-0002-001',
      '<group>-0002-002',
    ]);
    const lag = out
      .resources('aws_cloudwatch_metric_alarm')
      .filter(([, a]) => a.metric_name === 'ReplicaLag')
      .map(([, a]) => a.dimensions.DBInstanceIdentifier);
    expect(lag).toEqual([
      expect.stringMatching(/^\$\{aws_db_instance\.Database_Replica0_\w+\.identifier\}$/),
    ]);
    const uncovered = MONITORED_TYPES.flatMap((type) =>
      out
        .resources(type)
        .filter(([id]) => alarmsNaming(out, `${type}.${id}`).length === 0)
        .map(([id]) => id),
    );
    expect(uncovered).toEqual([]);
  });
});

describe('thresholds and subscribers from config', () => {
  it('documents one default per threshold and takes production values from prod.ts', () => {
    const dev = parseEnvironmentConfig(envInput('dev')).observability.thresholds;
    const prod = parseEnvironmentConfig(envInput('prod')).observability.thresholds;
    expect(dev).toMatchObject({ serviceCpuPercent: 80, serviceMemoryPercent: 80, evaluationPeriods: 2 });
    expect(prod).toMatchObject({ target5xxCount: 5, p99ResponseSeconds: 1.5, serviceCpuPercent: 80 });
    const [, prodOut] = platforms.find(([n]) => n === 'prod')!;
    const p99 = prodOut
      .resources('aws_cloudwatch_metric_alarm')
      .find(([id]) => id === 'Alarm-alb-p99-latency')!;
    expect(p99[1]).toMatchObject({ extended_statistic: 'p99', threshold: 1.5 });
  });

  it('subscribes email and HTTPS endpoints to the topic of their severity', () => {
    const env = envInput('staging');
    env.observability = {
      subscribers: {
        critical: [{ https: 'https://hooks.example.com/pager' }],
        warning: [{ email: 'team@example.com' }],
      },
    };
    const out = synthPlatform(env);
    const subs = out.resources('aws_sns_topic_subscription').map(([, s]) => s);
    expect(subs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          protocol: 'https',
          endpoint: 'https://hooks.example.com/pager',
          topic_arn: topicRef(out, 'critical'),
        }),
        expect.objectContaining({
          protocol: 'email',
          endpoint: 'team@example.com',
          topic_arn: topicRef(out, 'warning'),
        }),
      ]),
    );
    expect(subs).toHaveLength(2);
  });

  it('refuses a plain-HTTP endpoint and unknown keys', () => {
    const env = envInput('dev');
    env.observability = { subscribers: { warning: [{ https: 'http://hooks.example.com' }], pager: [] } };
    expect(() => parseEnvironmentConfig(env)).toThrow(/observability\.subscribers/);
  });
});

describe.each(platforms)('%s dashboard, events and logs', (name, out) => {
  const body = JSON.parse(out.only('aws_cloudwatch_dashboard').dashboard_body);

  it('has a valid JSON dashboard naming only resources that exist', () => {
    expect(out.only('aws_cloudwatch_dashboard').dashboard_name).toBe(`webplat-${name}`);
    const refs = references(body);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const [type, id] = ref.split('.');
      expect(out.json.resource[type]?.[id]).toBeDefined();
    }
  });

  it('has a row per layer and a graph per alarm showing its threshold', () => {
    const rows = body.widgets.filter((w: any) => w.type === 'text').map((w: any) => w.properties.markdown);
    const services = out.resources('aws_ecs_service').map(([, s]) => s.name.replace(`webplat-${name}-`, ''));
    expect(rows).toEqual(
      expect.arrayContaining(['## edge', '## data', '## network', ...services.map((s) => `## service ${s}`)]),
    );
    expect(rows[0]).toBe('## edge');
    const metricWidgets = body.widgets.filter((w: any) => w.type === 'metric');
    const graphs = metricWidgets.filter((w: any) => w.properties.annotations);
    // A graph per alarm that notifies; scaling triggers act on their service, they page nobody.
    const alarms = out
      .resources('aws_cloudwatch_metric_alarm')
      .map(([, a]) => a)
      .filter((a) => !isScalingTrigger(a));
    expect(graphs).toHaveLength(alarms.length);
    const thresholds = graphs.map((g: any) => g.properties.annotations.horizontal[0].value).sort();
    expect(thresholds).toEqual(alarms.map((a) => a.threshold).sort());
    // The cost and usage row closes it: estimated charges and the Fargate capacity in use.
    expect(rows[rows.length - 1]).toBe('## cost and usage');
    const usage = metricWidgets.filter((w: any) => !w.properties.annotations);
    expect(usage.map((w: any) => w.properties.metrics[0].slice(0, 2))).toEqual([
      ['AWS/Billing', 'EstimatedCharges'],
      ['AWS/Usage', 'ResourceCount'],
    ]);
  });

  it('routes ECS deployment failures and failed tasks to warning, scoped to this environment', () => {
    const rules = Object.fromEntries(out.resources('aws_cloudwatch_event_rule').map(([, r]) => [r.name, r]));
    if (!onEcs(name)) return expect(rules[`webplat-${name}-ecs-deployment-failed`]).toBeUndefined();
    const deploy = JSON.parse(rules[`webplat-${name}-ecs-deployment-failed`].event_pattern);
    expect({ ...deploy, resources: [...deploy.resources].sort() }).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Deployment State Change'],
      resources: out
        .resources('aws_ecs_service')
        .map(([id]) => `\${aws_ecs_service.${id}.id}`)
        .sort(),
      detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
    });
    const task = JSON.parse(rules[`webplat-${name}-ecs-task-failed`].event_pattern);
    expect(task.detail).toEqual({
      clusterArn: [expect.stringMatching(/^\$\{aws_ecs_cluster\.\w+\.arn\}$/)],
      lastStatus: ['STOPPED'],
      containers: { exitCode: [{ 'anything-but': 0 }] },
    });
    const rds = JSON.parse(rules[`webplat-${name}-rds-events`].event_pattern);
    expect(rds).toMatchObject({
      source: ['aws.rds'],
      detail: {
        EventCategories: ['failover', 'failure', 'low storage'],
        SourceIdentifier: out
          .resources('aws_db_instance')
          .map(([id]) => `\${aws_db_instance.${id}.identifier}`),
      },
    });
    const targets = Object.fromEntries(
      out.resources('aws_cloudwatch_event_target').map(([id, t]) => [id.replace(/-Target$/, ''), t.arn]),
    );
    expect(targets['Event-ecs-deployment-failed']).toBe(topicRef(out, 'warning'));
    expect(targets['Event-rds-events']).toBe(topicRef(out, 'warning'));
    if (targets['Event-backup-failed'])
      expect(targets['Event-backup-failed']).toBe(topicRef(out, 'critical'));
  });

  it('saves the errors-by-service and slow-requests queries over the service log groups', () => {
    const queries = out.resources('aws_cloudwatch_query_definition').map(([, q]) => q);
    if (!onEcs(name)) return expect(queries).toEqual([]); // pod logs need Container Insights (not built)
    expect(queries.map((q) => q.name).sort()).toEqual([
      `webplat-${name}/errors-by-service`,
      `webplat-${name}/slow-requests`,
    ]);
    const serviceGroups = out
      .resources('aws_cloudwatch_log_group')
      .filter(([id]) => /^Service-[\w-]+_LogGroup/.test(id))
      .map(([id]) => `\${aws_cloudwatch_log_group.${id}.name}`);
    for (const q of queries) expect(q.log_group_names.sort()).toEqual(serviceGroups.sort());
  });
});

describe('AWS Backup failures', () => {
  it('page critical for the environment vault only (prod has a backup plan)', () => {
    const [, out] = platforms.find(([n]) => n === 'prod')!;
    const rule = out.resources('aws_cloudwatch_event_rule').find(([id]) => id === 'Event-backup-failed')![1];
    const vault = /^\$\{aws_backup_vault\.Backup_Vault_\w+\.name\}$/;
    const arnOf = (suffix = '') =>
      expect.stringMatching(
        new RegExp(
          `^arn:aws:backup:\\*:\\*:backup-vault:\\$\\{aws_backup_vault\\.Backup_Vault_\\w+\\.name\\}${suffix}$`,
        ),
      );
    const failed = ['FAILED', 'ABORTED', 'EXPIRED'];
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ['aws.backup'],
      'detail-type': ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
      detail: {
        $or: [
          { state: failed, backupVaultName: [expect.stringMatching(vault)] },
          // Copy jobs (to the recovery region) carry the source vault's ARN, not its name.
          { state: failed, sourceBackupVaultArn: [{ wildcard: arnOf() }] },
          // Restore jobs (restore tests) say `status` and name the vault by ARN: the home vault's, and the
          // recovery region's (forwarded to this bus: recovery-restore-testing.spec.ts).
          {
            status: ['FAILED', 'ABORTED'],
            backupVaultArn: [{ wildcard: arnOf() }, { wildcard: arnOf('-dr') }],
          },
        ],
      },
    });
  });

  it('have no rule where there is no vault', () => {
    const [, dev] = platforms.find(([n]) => n === 'dev')!;
    if (dev.count('aws_backup_vault') === 0) {
      expect(dev.resources('aws_cloudwatch_event_rule').map(([id]) => id)).not.toContain(
        'Event-backup-failed',
      );
    }
  });
});

describe('log groups across stacks', () => {
  it.each(appStackIds())('%s: every log group has a retention and a KMS key', (stackId) => {
    for (const [id, group] of appStack(stackId).resources('aws_cloudwatch_log_group')) {
      expect({ id, retention: group.retention_in_days }).toEqual({ id, retention: expect.any(Number) });
      expect({ id, kms: group.kms_key_id }).toEqual({ id, kms: expect.stringMatching(/kms/) });
    }
  });
});

const baselines = Object.entries(stacks.baseline).map(([slug, out]) => [baselineStackId(slug), out] as const);

describe('runbook links', () => {
  it('point to an entry of docs/runbooks.md for every alarm', () => {
    const runbooks = readFileSync(join(__dirname, '..', '..', 'docs', 'runbooks.md'), 'utf8');
    const anchors = new Set([...runbooks.matchAll(/^### (alarm-[a-z0-9-]+)$/gm)].map((m) => m[1]));
    const linked = new Set(
      [...platforms, ...baselines].flatMap(([, out]) =>
        ['aws_cloudwatch_metric_alarm', 'aws_cloudwatch_composite_alarm'].flatMap((type) =>
          out.resources(type).map(([, a]) => /#(alarm-[a-z0-9-]+)$/.exec(a.alarm_description)![1]),
        ),
      ),
    );
    expect([...linked].filter((a) => !anchors.has(a))).toEqual([]);
  });
});

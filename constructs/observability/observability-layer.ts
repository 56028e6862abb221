import { CloudwatchCompositeAlarm } from '@cdktf/provider-aws/lib/cloudwatch-composite-alarm';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../environments/schema';
import { Layer } from '../core/addresses';
import type { Naming } from '../core/naming';
import { AlarmSet, runbookLink, type Alarm } from './alarm-set';
import { AlertTopics } from './alert-topics';
import { CostBudget } from './cost-budget';
import { createDashboard } from './dashboard';
import { createEventRules, eventRuleSpecs } from './event-rules';
import type { LoadBalancerAlarms } from './edge-monitors';
import { createLogQueries } from './log-queries';
import { runMonitoringPass } from './monitoring-pass';
import { createTracing } from './tracing';

export interface ObservabilityLayerProps {
  readonly naming: Naming;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly config: Pick<EnvironmentConfig, 'budget' | 'observability' | 'services'>;
  /** The key the alert topics are encrypted with (the environment's data key). */
  readonly alertsKmsKeyArn: string;
  /** What the monitoring pass walks: the stack, with every other layer already built. */
  readonly monitor: Construct;
}

/**
 * The observability layer, built last (docs/architecture.md, "Layers"): the cost budget, the alert
 * topics by severity, and a monitoring pass over what the other layers built that gives every
 * resource of a monitored type its alarms (warning topic), a composite "service unavailable" alarm
 * per load balancer (critical topic), the dashboard drawn from those alarms, the event rules and the
 * saved Logs Insights queries.
 */
export class ObservabilityLayer extends Layer {
  readonly budget?: CostBudget;
  readonly alerts: AlertTopics;
  readonly alarms: readonly Alarm[];
  readonly composites: CloudwatchCompositeAlarm[];

  constructor(scope: Construct, id: string, props: ObservabilityLayerProps) {
    super(scope, id);
    const { naming, region } = props;
    const { subscribers, thresholds } = props.config.observability;
    this.alerts = new AlertTopics(this, 'Alerts', {
      naming,
      accountId: props.accountId,
      kmsKeyArn: props.alertsKmsKeyArn,
      subscribers,
    });
    const { critical, warning } = this.alerts.topics;
    const budget = props.config.budget;
    if (budget) {
      this.budget = new CostBudget(this, 'Budget', {
        ...budget,
        name: naming.name('monthly'),
        tagKey: 'Environment',
        tagValue: props.environment,
        topicArns: [warning.arn],
      });
    }
    const set = new AlarmSet(this, naming, [warning.arn]);
    const pass = runMonitoringPass(
      { alarms: set, thresholds, region, prefix: naming.prefix, stack: props.monitor },
      props.monitor,
    );
    this.alarms = set.alarms;
    this.composites = pass.loadBalancers
      .filter((lb) => lb.unhealthyHosts.length > 0)
      .map((lb) => this.serviceUnavailable(naming, lb, critical.arn));
    createDashboard(this, naming, set.alarms, region);
    createEventRules(this, naming, eventRuleSpecs(pass.events), {
      critical: critical.arn,
      warning: warning.arn,
    });
    createLogQueries(this, naming, pass.serviceLogGroups);
    // Every service traces (OpenTelemetry to X-Ray: constructs/compute/otel-collector.ts).
    createTracing(this, naming, Object.keys(props.config.services), props.config.observability.tracing);
  }

  /** Users see errors: the load balancer's target 5xx alarm AND an unhealthy-hosts alarm, to critical. */
  private serviceUnavailable(
    naming: Naming,
    lb: LoadBalancerAlarms,
    topicArn: string,
  ): CloudwatchCompositeAlarm {
    const state = (a: Alarm) => `ALARM("${a.resource.alarmName}")`;
    const kind = 'service-unavailable';
    return new CloudwatchCompositeAlarm(this, `Alarm-${lb.subject}-${kind}`, {
      alarmName: naming.name(`${lb.subject}-${kind}`),
      alarmDescription: `Service unavailable: 5xx responses while targets are unhealthy. Runbook: ${runbookLink(kind)}`,
      alarmRule: `${state(lb.target5xx)} AND (${lb.unhealthyHosts.map(state).join(' OR ')})`,
      alarmActions: [topicArn],
      okActions: [topicArn],
    });
  }
}

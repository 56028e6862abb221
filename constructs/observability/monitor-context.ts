import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { AlarmThresholds } from '../../environments/schema';
import { addressComponents } from '../core/addresses';
import type { AlarmSet, AlarmSpec } from './alarm-set';

/** What every monitor gets: where to add alarms, the thresholds, the environment's name prefix. */
export interface MonitorContext {
  readonly alarms: AlarmSet;
  readonly thresholds: AlarmThresholds;
  readonly region: string;
  /** `<project>-<env>`: stripped from literal resource names to make short alarm subjects. */
  readonly prefix: string;
  readonly stack: IConstruct;
}

/**
 * A short, stable subject for a resource's alarms: its literal name without the environment prefix
 * (`platform-dev-backend` -> `backend`), else its construct path (`Table-sessions-Table`).
 */
export function subjectOf(ctx: MonitorContext, resource: IConstruct, literalName?: string): string {
  if (literalName !== undefined && !Token.isUnresolved(literalName)) {
    const short = literalName.startsWith(`${ctx.prefix}-`)
      ? literalName.slice(ctx.prefix.length + 1)
      : literalName;
    if (short.length > 0 && short !== ctx.prefix) return short.replace(/[^A-Za-z0-9-]/g, '-');
  }
  return addressComponents(resource.node, ctx.stack).join('-').toLowerCase();
}

/** The spec fields every alarm of the pass shares: the configured period and evaluation periods. */
export function timing(ctx: MonitorContext): Pick<AlarmSpec, 'periodSeconds' | 'evaluationPeriods'> {
  return { periodSeconds: ctx.thresholds.periodSeconds, evaluationPeriods: ctx.thresholds.evaluationPeriods };
}

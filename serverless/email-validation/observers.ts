/**
 * Observers of the validation (observer pattern, seed 000): the handler publishes what happened and
 * each observer turns it into its output: structured logs, CloudWatch metrics (Embedded Metric Format
 * on stdout: no PutMetricData call, no permission for it).
 */

export type ValidationEvent =
  | { readonly kind: 'validated'; readonly userPoolId: string; readonly domain: string }
  | {
      readonly kind: 'rejected';
      readonly userPoolId: string;
      readonly domain: string;
      readonly reason: string;
    }
  | { readonly kind: 'delivered'; readonly userPoolId: string; readonly provider: string }
  | {
      readonly kind: 'delivery-failed';
      readonly userPoolId: string;
      readonly provider: string;
      readonly error: string;
    }
  | { readonly kind: 'dead-lettered'; readonly userPoolId: string }
  | { readonly kind: 'dead-letter-failed'; readonly userPoolId: string; readonly error: string };

export interface ValidationObserver {
  notify(event: ValidationEvent): void;
}

/** Publishes to every observer; one failing observer never stops the others or the sign-up. */
export class ValidationEvents {
  private readonly observers: ValidationObserver[] = [];

  subscribe(observer: ValidationObserver): this {
    this.observers.push(observer);
    return this;
  }

  publish(event: ValidationEvent): void {
    for (const o of this.observers) {
      try {
        o.notify(event);
      } catch {
        // An observer is best effort by design.
      }
    }
  }
}

/** One JSON log line per event; no e-mail addresses (only the domain), so logs hold no personal data. */
export class LogObserver implements ValidationObserver {
  constructor(private readonly write: (line: string) => void = console.log) {}

  notify(event: ValidationEvent): void {
    const level = event.kind.endsWith('failed') ? 'ERROR' : event.kind === 'rejected' ? 'WARN' : 'INFO';
    this.write(JSON.stringify({ level, ...event }));
  }
}

export const METRICS_NAMESPACE = 'Platform/EmailValidation';

/** One EMF record per event: a count metric named after the event kind. */
export class MetricsObserver implements ValidationObserver {
  constructor(
    private readonly functionName: string,
    private readonly write: (line: string) => void = console.log,
    private readonly now: () => number = Date.now,
  ) {}

  notify(event: ValidationEvent): void {
    const metric = event.kind
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join('');
    this.write(
      JSON.stringify({
        _aws: {
          Timestamp: this.now(),
          CloudWatchMetrics: [
            {
              Namespace: METRICS_NAMESPACE,
              Dimensions: [['FunctionName']],
              Metrics: [{ Name: metric, Unit: 'Count' }],
            },
          ],
        },
        FunctionName: this.functionName,
        [metric]: 1,
      }),
    );
  }
}

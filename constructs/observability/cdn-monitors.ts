import type { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { subjectOf, timing, type MonitorContext } from './monitor-context';

/**
 * A CloudFront distribution: its 5xx error rate (origin and edge errors, percent of requests) above
 * the same rate the ALB's targets are held to. CloudFront publishes its metrics in us-east-1 with
 * `Region: Global`; static mode requires that region (environment.ts), so the alarm sits beside them.
 */
export function monitorDistribution(ctx: MonitorContext, distribution: CloudfrontDistribution): void {
  const t = ctx.thresholds;
  ctx.alarms.add({
    ...timing(ctx),
    kind: 'cloudfront-5xx-rate',
    subject: subjectOf(ctx, distribution, distribution.commentInput),
    row: 'edge',
    summary: `CloudFront 5xx responses above ${t.target5xxPercent} % of requests`,
    metrics: [
      {
        namespace: 'AWS/CloudFront',
        name: '5xxErrorRate',
        dimensions: { DistributionId: distribution.id, Region: 'Global' },
        stat: 'Average',
      },
    ],
    threshold: t.target5xxPercent,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  });
}

import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchQueryDefinition } from '@cdktf/provider-aws/lib/cloudwatch-query-definition';
import type { Construct } from 'constructs';
import type { Naming } from '../core/naming';

/** The saved Logs Insights queries of every environment, over its services' log groups. */
export const LOG_QUERIES: Readonly<Record<string, string>> = {
  'errors-by-service': [
    'fields @timestamp, @log, @message',
    '| filter @message like /(?i)(error|exception|fatal|panic)/',
    '| stats count(*) as errors by @log, bin(5m)',
    '| sort errors desc',
  ].join('\n'),
  // Services log one JSON line per request with its duration in `durationMs` (docs/runbooks.md).
  'slow-requests': [
    'fields @timestamp, @log, method, path, status, durationMs',
    '| filter ispresent(durationMs) and durationMs > 1000',
    '| sort durationMs desc',
    '| limit 100',
  ].join('\n'),
};

/** Saved queries under the folder `<project>-<env>/` in the Logs Insights console. */
export function createLogQueries(
  scope: Construct,
  naming: Naming,
  logGroups: readonly CloudwatchLogGroup[],
): CloudwatchQueryDefinition[] {
  if (logGroups.length === 0) return [];
  return Object.entries(LOG_QUERIES).map(
    ([id, queryString]) =>
      new CloudwatchQueryDefinition(scope, `Query-${id}`, {
        name: `${naming.name()}/${id}`,
        logGroupNames: logGroups.map((g) => g.name),
        queryString,
      }),
  );
}

/**
 * The AWS services that publish to the environment's alert topics (constructs/observability/): alarms,
 * EventBridge rules (Backup, ECS, RDS events) and budgets. The topics admit only them, and the key the
 * topics are encrypted with lets only them (of the AWS services) generate data keys for publishing.
 */
export const ALERT_PUBLISHERS = [
  'cloudwatch.amazonaws.com',
  'events.amazonaws.com',
  'budgets.amazonaws.com',
] as const;

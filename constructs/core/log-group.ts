import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { Construct } from 'constructs';

/** Where a construct's logs go: retention and the KMS key every log group here is encrypted with. */
export interface LogSettings {
  readonly retentionDays: number;
  readonly kmsKeyArn: string;
}

/**
 * A CloudWatch log group with the posture every log group here has: a retention and KMS encryption
 * (the observability coverage test fails on a log group without them). A function, not a construct,
 * so a log group keeps the address it had before this helper existed.
 */
export function encryptedLogGroup(
  scope: Construct,
  id: string,
  name: string,
  logs: LogSettings,
): CloudwatchLogGroup {
  return new CloudwatchLogGroup(scope, id, {
    name,
    retentionInDays: logs.retentionDays,
    kmsKeyId: logs.kmsKeyArn,
  });
}

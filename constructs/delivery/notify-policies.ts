/**
 * Pipeline failure notifications (pure: no resources): a job that deploys publishes its failure to
 * the warning topic of the environment it deploys (the account's, for the account stacks) with the
 * role it already holds (docs/architecture.md, "Pipeline failure notifications"). The topics belong
 * to the platform and baseline stacks; the state stack names them by convention
 * (`alertTopicArn`, constructs/core/naming.ts), as it names clusters and task families.
 */
import type { PolicyStatement } from '../core/iam';
import { alertTopicArn, alertTopicKeyAlias, type AlertTopicScope } from '../core/naming';

/**
 * Publish to the scope's warning topic and nowhere else, and the topic's key only through SNS:
 * - `PublishFailures`: `sns:Publish` on the warning topic (same account: the topic's policy need not
 *   name the role; it denies only publishing without TLS);
 * - `WarningTopicKey`: the topic is encrypted with a customer managed key (an environment's data key,
 *   the account's trail key), so a publisher needs `kms:GenerateDataKey` and `kms:Decrypt` on it
 *   (Amazon SNS, "Encryption at rest": key management). The key's id is AWS's, so the key is named by
 *   its alias (`kms:ResourceAliases`) and reached only through SNS in the topic's region
 *   (`kms:ViaService`): not the data key's S3, RDS or Secrets Manager uses. Both key policies delegate
 *   to IAM (the account-root statement), so this grant suffices;
 * - `PublishOnlyToWarnings`: no `sns:Publish` on any other topic (the critical topic, another
 *   environment's): what an apply role's PowerUserAccess would otherwise allow.
 */
export function failureNotificationStatements(scope: AlertTopicScope): PolicyStatement[] {
  const topic = alertTopicArn(scope, 'warning');
  return [
    { Sid: 'PublishFailures', Effect: 'Allow', Action: 'sns:Publish', Resource: topic },
    {
      Sid: 'WarningTopicKey',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: `arn:aws:kms:${scope.region}:${scope.accountId}:key/*`,
      Condition: {
        StringEquals: { 'kms:ViaService': `sns.${scope.region}.amazonaws.com` },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alertTopicKeyAlias(scope) },
      },
    },
    { Sid: 'PublishOnlyToWarnings', Effect: 'Deny', Action: 'sns:Publish', NotResource: topic },
  ];
}

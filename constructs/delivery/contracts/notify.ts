/**
 * The failure notification every deploying role makes (notify-policies.ts): publish to its own
 * warning topic, through SNS with the topic's key; never the critical topic, another environment's
 * topic, or the topic's settings.
 */
import type { ContractRequest, RoleContract } from '../../core/role-contract';
import { alertTopicArn, alertTopicKeyAlias, type AlertTopicScope } from '../../core/naming';
import { allow, at, type ContractScope, deny, NOWHERE, STEPS } from './common';

/** The jobs' failure steps a role's notification is made from. */
export type NotifyStep = Extract<keyof typeof STEPS, `notify${string}`>;

/** A key id as AWS makes them up (the key's real id is not known to the state stack). */
const EXAMPLE_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * The notification's requests for a role publishing to `scope`'s warning topic from `steps`.
 * `managesTopic`: an apply role, which creates the topic and its key (Terraform changes their
 * settings, PowerUserAccess holds KMS): only the publish denies hold for it.
 */
export function failureNotificationRequests(
  s: ContractScope,
  opts: {
    readonly scope: AlertTopicScope;
    readonly steps: readonly [NotifyStep, ...NotifyStep[]];
    readonly managesTopic: boolean;
  },
): Pick<RoleContract, 'allow' | 'deny'> {
  const { scope } = opts;
  const topic = alertTopicArn(scope, 'warning');
  const overTls = { 'aws:SecureTransport': 'true' };
  // Another environment's topic (for the account's role: an environment's), by the same convention.
  const otherEnv = s.environments.find((e) => e !== scope.environment) ?? NOWHERE;
  const other: AlertTopicScope = { ...scope, environment: otherEnv };
  const key = `arn:aws:kms:${scope.region}:${scope.accountId}:key/${EXAMPLE_KEY_ID}`;
  const through = (service: string, of: AlertTopicScope) => ({
    'kms:ViaService': `${service}.${scope.region}.amazonaws.com`,
    'kms:ResourceAliases': [alertTopicKeyAlias(of)],
  });
  const [first] = opts.steps;
  const publish = 'aws sns publish (the failure notification)';
  const allows: ContractRequest[] = [
    ...opts.steps.map((step) => allow('sns:Publish', topic, at(step, publish), overTls)),
    ...['kms:GenerateDataKey', 'kms:Decrypt'].map((a) =>
      allow(
        a,
        key,
        at(first, `aws sns publish: SNS encrypts the message with the topic's key (${a}, through SNS)`),
        through('sns', scope),
      ),
    ),
  ];
  const denies: ContractRequest[] = [
    deny(
      'sns:Publish',
      alertTopicArn(scope, 'critical'),
      'the critical topic pages: a pipeline failure is a warning',
      overTls,
    ),
    deny('sns:Publish', alertTopicArn(other, 'warning'), "another environment's warning topic", overTls),
    deny('sns:Publish', topic, "without TLS: the topic's policy denies it", {
      'aws:SecureTransport': 'false',
    }),
  ];
  if (opts.managesTopic) return { allow: allows, deny: denies };
  return {
    allow: allows,
    deny: [
      ...denies,
      deny('sns:Subscribe', topic, "the topic's subscribers are Terraform's (config)"),
      deny('sns:SetTopicAttributes', topic, "the topic's settings are Terraform's"),
      deny('sns:DeleteTopic', topic, "the topic is Terraform's"),
      deny('kms:Decrypt', key, "the key's other uses (the data key: buckets, tables, backups)", {
        'kms:ViaService': `s3.${scope.region}.amazonaws.com`,
        'kms:ResourceAliases': [alertTopicKeyAlias(scope)],
      }),
      deny('kms:Decrypt', key, 'the key directly, not through SNS', {
        'kms:ResourceAliases': [alertTopicKeyAlias(scope)],
      }),
      deny('kms:GenerateDataKey', key, "another environment's key", through('sns', other)),
    ],
  };
}

/** `contract` with the failure notification's requests added. */
export function withFailureNotification(
  contract: RoleContract,
  requests: Pick<RoleContract, 'allow' | 'deny'>,
): RoleContract {
  return {
    ...contract,
    allow: [...contract.allow, ...requests.allow],
    deny: [...contract.deny, ...requests.deny],
  };
}

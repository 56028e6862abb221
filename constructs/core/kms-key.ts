import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from './iam';

export interface EncryptionKeyProps {
  /** `alias/...` */
  readonly alias: string;
  readonly description: string;
  readonly accountId: string;
  /** Statements beyond the account-root statement (which lets IAM policies grant use of the key). */
  readonly statements?: readonly PolicyStatement[];
  /** Days before a scheduled deletion completes. Default: 30 (the maximum: time to notice a mistake). */
  readonly deletionWindowInDays?: number;
}

/**
 * A customer-managed KMS key with yearly rotation and an alias. The key policy keeps the account in
 * charge (so IAM policies can grant use of it) and adds the statements the using services need.
 */
export class EncryptionKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  readonly arn: string;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, 'Key', {
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: policyDocument([
        {
          Sid: 'AccountAdministers',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${props.accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        ...(props.statements ?? []),
      ]),
    });
    this.alias = new KmsAlias(this, 'Alias', { name: props.alias, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
    this.aliasName = props.alias;
  }
}

/** What using a key's material takes (encrypt, decrypt, data keys, describe). */
export const USE_KEY_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

/** Nobody but the admins may schedule the key's deletion or disable it (recovery points need it). */
export function denyKeyDestruction(adminPrincipalArns: readonly string[]): PolicyStatement {
  return {
    Sid: 'OnlyAdminsDestroyKey',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
    Resource: '*',
    Condition: { ArnNotLike: { 'aws:PrincipalArn': [...adminPrincipalArns] } },
  };
}

/**
 * Names the one service a key is for: use through it in `region` by this account's principals. It
 * narrows nothing: the account statement (`AccountAdministers`) already lets IAM grant any use, so
 * who may use the key is decided by the identity policies and boundaries, as for every key here
 * (the copies' single-region keys in the recovery region: RDS, DynamoDB).
 */
export function useThroughService(
  sid: string,
  accountId: string,
  service: string,
  region: string,
): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${accountId}:root` },
    Action: [...USE_KEY_ACTIONS, 'kms:CreateGrant', 'kms:ListGrants'],
    Resource: '*',
    Condition: {
      StringEquals: {
        'kms:CallerAccount': accountId,
        'kms:ViaService': `${service}.${region}.amazonaws.com`,
      },
    },
  };
}

import { Construct } from 'constructs';
import { ALERT_PUBLISHERS } from '../core/alert-publishers';
import type { PolicyStatement } from '../core/iam';
import { DATA_KEY_PURPOSE, type Naming } from '../core/naming';
import { denyKeyDestruction, EncryptionKey, USE_KEY_ACTIONS } from '../core/kms-key';

export interface PlatformKeysProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  /** The only principals that may schedule the data key's deletion or disable it (break-glass admins). */
  readonly adminPrincipalArns: readonly string[];
}

/**
 * The environment's three customer-managed keys, each rotated yearly, with key policies that let the
 * services that use them do so (docs/architecture.md, "Security model"):
 * - `data`: RDS, Aurora, ElastiCache, DynamoDB, S3, AWS Backup, ECR, SNS, SQS, MSK — used through those
 *   services by principals of this account that IAM allows it (`kms:ViaService` + `kms:CallerAccount`);
 *   CloudWatch, EventBridge and Budgets of this account may encrypt to it (the alert topics);
 *   only the admins may schedule its deletion or disable it (it protects the recovery points too);
 * - `logs`: CloudWatch Logs, for log groups of this account and region only;
 * - `secrets`: Secrets Manager (and the ECS execution roles that read secrets through it); EKS's
 *   envelope encryption of Kubernetes secrets.
 */
export class PlatformKeys extends Construct {
  readonly data: EncryptionKey;
  readonly logs: EncryptionKey;
  readonly secrets: EncryptionKey;

  constructor(scope: Construct, id: string, props: PlatformKeysProps) {
    super(scope, id);
    const { naming, accountId, region } = props;
    const viaServices = (services: string[]): PolicyStatement => ({
      Sid: 'UseThroughServices',
      Effect: 'Allow',
      // This account's principals, each as its IAM policies allow (no `AWS: *`).
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: [...USE_KEY_ACTIONS, 'kms:CreateGrant', 'kms:ListGrants'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:CallerAccount': accountId,
          'kms:ViaService': services.map((s) => `${s}.${region}.amazonaws.com`),
        },
      },
    });

    this.data = new EncryptionKey(this, 'Data', {
      alias: naming.alias(DATA_KEY_PURPOSE),
      description: `${naming.name()} data at rest (databases, caches, tables, buckets, backups)`,
      accountId,
      statements: [
        viaServices(['rds', 'elasticache', 'dynamodb', 's3', 'backup', 'ecr', 'sns', 'sqs', 'kafka']),
        {
          // The alert topics are encrypted with this key: their publishers need a data key to publish.
          Sid: 'AlertPublishers',
          Effect: 'Allow',
          Principal: { Service: [...ALERT_PUBLISHERS] },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
        denyKeyDestruction(props.adminPrincipalArns),
      ],
    });

    this.logs = new EncryptionKey(this, 'Logs', {
      alias: naming.alias('logs'),
      description: `${naming.name()} CloudWatch log groups`,
      accountId,
      statements: [
        {
          Sid: 'CloudWatchLogsUse',
          Effect: 'Allow',
          Principal: { Service: `logs.${region}.amazonaws.com` },
          Action: USE_KEY_ACTIONS,
          Resource: '*',
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${accountId}:log-group:*`,
            },
          },
        },
      ],
    });

    this.secrets = new EncryptionKey(this, 'Secrets', {
      alias: naming.alias('secrets'),
      description: `${naming.name()} Secrets Manager secrets`,
      accountId,
      // EKS: envelope encryption of Kubernetes secrets (compute.platform eks).
      statements: [viaServices(['secretsmanager', 'eks'])],
    });
  }
}

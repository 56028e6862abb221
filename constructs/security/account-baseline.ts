import { AccessanalyzerAnalyzer } from '@cdktf/provider-aws/lib/accessanalyzer-analyzer';
import { CeCostAllocationTag } from '@cdktf/provider-aws/lib/ce-cost-allocation-tag';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { ConfigConfigRule } from '@cdktf/provider-aws/lib/config-config-rule';
import { ConfigConfigurationRecorder } from '@cdktf/provider-aws/lib/config-configuration-recorder';
import { ConfigConfigurationRecorderStatus } from '@cdktf/provider-aws/lib/config-configuration-recorder-status';
import { ConfigDeliveryChannel } from '@cdktf/provider-aws/lib/config-delivery-channel';
import { EcrReplicationConfiguration } from '@cdktf/provider-aws/lib/ecr-replication-configuration';
import { EbsEncryptionByDefault } from '@cdktf/provider-aws/lib/ebs-encryption-by-default';
import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { S3AccountPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-account-public-access-block';
import { Construct } from 'constructs';
import { ALERT_PUBLISHERS } from '../core/alert-publishers';
import { encryptedLogGroup } from '../core/log-group';
import { SecureBucket } from '../core/secure-bucket';
import { policyDocument, type PolicyStatement, serviceTrustPolicy } from '../core/iam';
import { TRAIL_KEY_PURPOSE, type Naming } from '../core/naming';
import { EncryptionKey } from '../core/kms-key';
import { declareConfigContract, declareTrailLogsContract } from './account-baseline-contracts';

export interface AccountBaselineProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** Home region: GuardDuty, Config and the trail's home live here. */
  readonly region: string;
  /**
   * GuardDuty runtime monitoring with the managed ECS Fargate agent. Default in the schema:
   * `accounts.<account>.baseline.guardDutyRuntimeMonitoring`.
   */
  readonly guardDutyRuntimeMonitoring: boolean;
  /**
   * AWS Config recorder, delivery channel and rules, and how often it delivers snapshots. Defaults in
   * the schema: `accounts.<account>.baseline.config`.
   */
  readonly config: { readonly enabled: boolean; readonly deliveryFrequency: string };
  /**
   * Days CloudTrail logs (and Config's snapshots) stay in their bucket. Default in the schema:
   * `accounts.<account>.baseline.trailRetentionDays`.
   */
  readonly trailRetentionDays: number;
  /** Days the trail's CloudWatch copy is kept. Default: 90. */
  readonly trailLogGroupRetentionDays?: number;
  /** Cost-allocation tags to activate (fails until billing has seen the tag). Default: none. */
  readonly costAllocationTags?: readonly string[];
  /**
   * ECR replication of the project's repositories (`<prefix>` PREFIX_MATCH) into the account's
   * recovery region, same account: one registry-wide configuration per region, so only here.
   * Default: none.
   */
  readonly ecrReplication?: { readonly region: string; readonly repositoryPrefix: string };
}

/** AWS Config managed rules the baseline turns on (seed 000: GuardDuty, CloudTrail, encryption). */
export const BASELINE_CONFIG_RULES = {
  'encrypted-volumes': 'ENCRYPTED_VOLUMES',
  'rds-storage-encrypted': 'RDS_STORAGE_ENCRYPTED',
  's3-bucket-public-read-prohibited': 'S3_BUCKET_PUBLIC_READ_PROHIBITED',
  's3-bucket-public-write-prohibited': 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
  'restricted-ssh': 'INCOMING_SSH_DISABLED',
  'cloudtrail-enabled': 'CLOUD_TRAIL_ENABLED',
} as const;

/**
 * What AWS allows once per account (and region): kept out of environment stacks so that two
 * environments in one account never collide (docs/architecture.md, "Stacks").
 */
export class AccountBaseline extends Construct {
  readonly trail: Cloudtrail;
  readonly trailKey: EncryptionKey;
  /** The trail's CloudWatch Logs group (the CIS metric filters read it). */
  readonly trailLogGroup: CloudwatchLogGroup;
  readonly trailBucket: SecureBucket;
  readonly detector: GuarddutyDetector;
  readonly recorder?: ConfigConfigurationRecorder;

  readonly ecrReplication?: EcrReplicationConfiguration;

  constructor(scope: Construct, id: string, props: AccountBaselineProps) {
    super(scope, id);
    const trailName = props.naming.name('trail');
    const trailArn = `arn:aws:cloudtrail:${props.region}:${props.accountId}:trail/${trailName}`;

    // --- CloudTrail: multi-region, validated, KMS-encrypted, to its own bucket and to CloudWatch Logs.
    this.trailKey = new EncryptionKey(this, 'TrailKey', {
      alias: props.naming.alias(TRAIL_KEY_PURPOSE),
      description: 'CloudTrail log files and the trail log group',
      accountId: props.accountId,
      statements: trailKeyStatements(props, trailArn),
    });
    this.trailBucket = this.createTrailBucket(props, trailArn);
    this.trail = this.createTrail(props, trailName);
    this.trailLogGroup = this.node.findChild('TrailLogGroup') as CloudwatchLogGroup;

    this.detector = this.guardDuty(props);
    if (props.config.enabled) {
      this.recorder = this.configService(props);
    }
    this.accountGuards(props);
    if (props.ecrReplication) {
      // Replicas are encrypted as the destination registry's default (AES256): no key to manage there.
      this.ecrReplication = new EcrReplicationConfiguration(this, 'EcrReplication', {
        replicationConfiguration: {
          rule: [
            {
              destination: [{ region: props.ecrReplication.region, registryId: props.accountId }],
              repositoryFilter: [
                { filter: props.ecrReplication.repositoryPrefix, filterType: 'PREFIX_MATCH' },
              ],
            },
          ],
        },
      });
    }
  }

  /** The trail's bucket: archived, then expired; only this trail may write to it. */
  private createTrailBucket(props: AccountBaselineProps, trailArn: string): SecureBucket {
    const { naming, accountId } = props;
    return new SecureBucket(this, 'TrailBucket', {
      bucketName: naming.bucket('cloudtrail'),
      kmsKeyArn: this.trailKey.arn,
      lifecycleRules: [
        {
          id: 'archive-then-expire',
          status: 'Enabled',
          transition: [
            { days: 30, storageClass: 'STANDARD_IA' },
            { days: 90, storageClass: 'GLACIER' },
          ],
          expiration: [{ days: props.trailRetentionDays }],
        },
      ],
      policyStatements: (arn) => [
        {
          Sid: 'CloudTrailAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: arn,
          Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
        },
        {
          Sid: 'CloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${arn}/AWSLogs/${accountId}/*`,
          Condition: {
            StringEquals: { 'aws:SourceArn': trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' },
          },
        },
      ],
    });
  }

  /** The trail, delivering to its bucket and, through a role, to a KMS-encrypted log group. */
  private createTrail(props: AccountBaselineProps, trailName: string): Cloudtrail {
    const { naming, accountId } = props;
    const trailLogs = encryptedLogGroup(
      this,
      'TrailLogGroup',
      naming.path('cloudtrail', 'management-events'),
      { retentionDays: props.trailLogGroupRetentionDays ?? 90, kmsKeyArn: this.trailKey.arn },
    );
    const trailLogsRole = new IamRole(this, 'TrailLogsRole', {
      name: naming.name('cloudtrail-logs'),
      assumeRolePolicy: serviceTrustPolicy('cloudtrail.amazonaws.com', accountId),
    });
    new IamRolePolicy(this, 'TrailLogsPolicy', {
      role: trailLogsRole.id,
      name: 'deliver-to-log-group',
      policy: policyDocument([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${trailLogs.arn}:*`,
        },
      ]),
    });

    declareTrailLogsContract(trailLogsRole, props, trailLogs.arn);

    return new Cloudtrail(this, 'Trail', {
      name: trailName,
      s3BucketName: this.trailBucket.name,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: this.trailKey.arn,
      cloudWatchLogsGroupArn: `${trailLogs.arn}:*`,
      cloudWatchLogsRoleArn: trailLogsRole.arn,
      dependsOn: [this.trailBucket.policy],
    });
  }

  /** GuardDuty with S3 and RDS login protection, and runtime monitoring when asked for. */
  private guardDuty(props: AccountBaselineProps): GuarddutyDetector {
    const detector = new GuarddutyDetector(this, 'GuardDuty', {
      enable: true,
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
    });
    new GuarddutyDetectorFeature(this, 'GuardDutyS3', {
      detectorId: detector.id,
      name: 'S3_DATA_EVENTS',
      status: 'ENABLED',
    });
    new GuarddutyDetectorFeature(this, 'GuardDutyRdsLogin', {
      detectorId: detector.id,
      name: 'RDS_LOGIN_EVENTS',
      status: 'ENABLED',
    });
    new GuarddutyDetectorFeature(this, 'GuardDutyRuntime', {
      detectorId: detector.id,
      name: 'RUNTIME_MONITORING',
      status: props.guardDutyRuntimeMonitoring ? 'ENABLED' : 'DISABLED',
      additionalConfiguration: [
        {
          name: 'ECS_FARGATE_AGENT_MANAGEMENT',
          status: props.guardDutyRuntimeMonitoring ? 'ENABLED' : 'DISABLED',
        },
      ],
    });
    return detector;
  }

  /** AWS Config: recorder, delivery channel to its own bucket, managed rules. */
  private configService(props: AccountBaselineProps): ConfigConfigurationRecorder {
    const { naming, accountId } = props;
    const configBucket = new SecureBucket(this, 'ConfigBucket', {
      bucketName: naming.bucket('config'),
      lifecycleRules: [{ id: 'expire', status: 'Enabled', expiration: [{ days: props.trailRetentionDays }] }],
      policyStatements: (arn) => [
        {
          Sid: 'ConfigAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'config.amazonaws.com' },
          Action: ['s3:GetBucketAcl', 's3:ListBucket'],
          Resource: arn,
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
        {
          Sid: 'ConfigWrite',
          Effect: 'Allow',
          Principal: { Service: 'config.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${arn}/AWSLogs/${accountId}/Config/*`,
          Condition: {
            StringEquals: { 'aws:SourceAccount': accountId, 's3:x-amz-acl': 'bucket-owner-full-control' },
          },
        },
      ],
    });
    const configRole = new IamRole(this, 'ConfigRole', {
      name: naming.name('config'),
      assumeRolePolicy: serviceTrustPolicy('config.amazonaws.com', accountId),
    });
    // Exception (docs/architecture.md): AWS_ConfigRole is the AWS managed read-only set Config needs to describe
    // every resource type; AWS updates it as Config supports new types.
    new IamRolePolicyAttachment(this, 'ConfigRolePolicy', {
      role: configRole.name,
      policyArn: `arn:aws:iam::aws:policy/service-role/AWS_ConfigRole`,
    });
    declareConfigContract(configRole, props, this.trailBucket.arn);
    const recorder = new ConfigConfigurationRecorder(this, 'ConfigRecorder', {
      name: naming.name('config'),
      roleArn: configRole.arn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
    });
    const channel = new ConfigDeliveryChannel(this, 'ConfigDeliveryChannel', {
      name: naming.name('config'),
      s3BucketName: configBucket.name,
      snapshotDeliveryProperties: {
        deliveryFrequency: props.config.deliveryFrequency,
      },
      dependsOn: [recorder, configBucket.policy],
    });
    const status = new ConfigConfigurationRecorderStatus(this, 'ConfigRecorderStatus', {
      name: recorder.name,
      isEnabled: true,
      dependsOn: [channel],
    });
    for (const [name, identifier] of Object.entries(BASELINE_CONFIG_RULES)) {
      new ConfigConfigRule(this, `ConfigRule-${name}`, {
        name: naming.name(name),
        source: { owner: 'AWS', sourceIdentifier: identifier },
        ...(identifier === 'CLOUD_TRAIL_ENABLED' ? { maximumExecutionFrequency: 'TwentyFour_Hours' } : {}),
        dependsOn: [status],
      });
    }
    return recorder;
  }

  /** Account-wide guards: no public S3, encrypted EBS, an access analyzer, cost-allocation tags. */
  private accountGuards(props: AccountBaselineProps): void {
    const { naming, accountId } = props;
    new S3AccountPublicAccessBlock(this, 'S3PublicAccessBlock', {
      accountId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new EbsEncryptionByDefault(this, 'EbsEncryptionByDefault', { enabled: true });
    new AccessanalyzerAnalyzer(this, 'AccessAnalyzer', {
      analyzerName: naming.name('access-analyzer'),
      type: 'ACCOUNT',
    });

    for (const tag of props.costAllocationTags ?? []) {
      new CeCostAllocationTag(this, `CostAllocationTag-${tag}`, { tagKey: tag, status: 'Active' });
    }
  }
}

/** Key policy: CloudTrail encrypts, the account reads trail logs, CloudWatch Logs uses the key. */
function trailKeyStatements(props: AccountBaselineProps, trailArn: string): PolicyStatement[] {
  const { accountId, region } = props;
  return [
    {
      Sid: 'CloudTrailEncrypts',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': trailArn },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${accountId}:trail/*`,
        },
      },
    },
    {
      Sid: 'AccountReadsTrailLogs',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': accountId },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${accountId}:trail/*`,
        },
      },
    },
    {
      Sid: 'CloudWatchLogsUse',
      Effect: 'Allow',
      Principal: { Service: `logs.${region}.amazonaws.com` },
      Action: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
      ],
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${accountId}:log-group:*`,
        },
      },
    },
    {
      // The account's alert topics are encrypted with this key (constructs/observability/account-alerts.ts).
      Sid: 'AlertPublishers',
      Effect: 'Allow',
      Principal: { Service: [...ALERT_PUBLISHERS] },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
    },
  ];
}

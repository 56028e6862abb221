/**
 * The account baseline's role contracts (constructs/core/role-contract.ts): CloudTrail delivers to
 * its log group with one role, AWS Config records the account's configuration with the other.
 */
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { escalationDenials } from '../core/contract-requests';
import type { Naming } from '../core/naming';
import { declareContract, serviceTrustRequests, type RoleContract } from '../core/role-contract';

export interface BaselineContractScope {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
}

const trust = (principal: string, accountId: string, who: string): RoleContract['trust'] =>
  serviceTrustRequests(principal, accountId, who, [
    { principal: 'lambda.amazonaws.com', because: 'no other service' },
  ]);

/** CloudTrail writes the trail's events to its CloudWatch Logs group. */
export function declareTrailLogsContract(role: IamRole, s: BaselineContractScope, logGroupArn: string): void {
  const because =
    'CloudTrail user guide, "Sending events to CloudWatch Logs": CloudTrail delivers with this role';
  const stream = `${logGroupArn}:log-stream:${s.accountId}_CloudTrail_${s.region}`;
  declareContract(role, {
    purpose: "CloudTrail delivers the trail's events to its CloudWatch Logs group",
    allow: ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      action,
      resource: stream,
      because,
    })),
    deny: [
      {
        action: 'logs:PutLogEvents',
        resource: `arn:aws:logs:${s.region}:${s.accountId}:log-group:/aws/lambda/other:log-stream:x`,
        because: 'writes only the trail log group',
      },
      { action: 'logs:DeleteLogGroup', resource: `${logGroupArn}:*`, because: 'the audit trail is kept' },
      ...escalationDenials(s.naming),
    ],
    trust: trust(
      'cloudtrail.amazonaws.com',
      s.accountId,
      'the trail (cloud_watch_logs_role_arn) of this account',
    ),
  });
}

/**
 * AWS Config's recorder (all supported types, global ones included) describes the account's
 * resources with AWS_ConfigRole; it reads configuration, never data.
 */
export function declareConfigContract(role: IamRole, s: BaselineContractScope, trailBucketArn: string): void {
  const { accountId, region, naming } = s;
  const because = 'AWS Config recorder (all supported resource types): AWS_ConfigRole describes';
  const describe = (action: string, resource = '*') => ({
    action,
    resource,
    because: `${because} ${action}`,
  });
  declareContract(role, {
    purpose: "AWS Config records the account's resource configuration",
    managed: [
      {
        name: 'AWS_ConfigRole',
        version: 'v71',
        reason: 'the read-only set AWS Config needs for every resource type; AWS keeps it current',
      },
    ],
    allow: [
      describe('ec2:DescribeInstances'),
      describe('ec2:DescribeSecurityGroups'),
      describe('rds:DescribeDBInstances', `arn:aws:rds:${region}:${accountId}:db:example`),
      describe('s3:GetBucketPolicy', trailBucketArn),
      describe('s3:GetEncryptionConfiguration', trailBucketArn),
      describe('iam:GetRole', `arn:aws:iam::${accountId}:role/${naming.name('config')}`),
      describe('cloudtrail:DescribeTrails'),
    ],
    deny: [
      {
        action: 's3:GetObject',
        resource: `${trailBucketArn}/AWSLogs/${accountId}/CloudTrail/example.json.gz`,
        because: 'Config reads configuration, never data (the trail logs)',
      },
      {
        action: 'secretsmanager:GetSecretValue',
        resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:rds!db-0123-AbCdEf`,
        because: 'Config reads configuration, never secret values',
      },
      ...escalationDenials(naming),
    ],
    trust: trust('config.amazonaws.com', accountId, 'the configuration recorder (role_arn) of this account'),
  });
}

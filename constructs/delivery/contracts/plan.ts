/**
 * The plan roles' contract (environment and account): ReadOnlyAccess minus data reads, nothing of
 * another environment, their own state read without the lock.
 */
import type { RoleContract } from '../../core/role-contract';
import { namePrefix } from '../../core/naming';
import { lockItems, type StateAccess, stateObjectArns } from '../pipeline-policies';
import { forgedTokens, type GitHubToken, tokenRequest } from '../trust';
import { allow, at, type ContractScope, deny, role, stateAllows, stateDenies } from './common';

/** Plan: ReadOnlyAccess minus data reads, its own state read without a lock. */
export function planContract(
  s: ContractScope,
  opts: {
    readonly name: string;
    /** Its environment; absent for the account's plan role (its stacks are tagged `account`). */
    readonly env?: string;
    readonly state: StateAccess;
    readonly region: string;
    /** The prefix of its stacks' resource names (`<project>-<env>`, or `<project>` for the account). */
    readonly resourcePrefix: string;
    /** A role of its stacks (refreshed by the plan). */
    readonly roleName: string;
    /** The token of its jobs (`<env>-plan`) and the tokens of the roles beside it (apply, migration). */
    readonly token: GitHubToken;
    readonly otherTokens: readonly GitHubToken[];
  },
): RoleContract {
  const { state, region } = opts;
  const p = opts.resourcePrefix;
  const refresh = (what: string) => at('plan', `terraform plan (refresh of ${what}: ReadOnlyAccess)`);
  const arn = (service: string, rest: string) => `arn:aws:${service}:${region}:${s.accountId}:${rest}`;
  const tagged = (env: string) => ({ 'aws:ResourceTag/Environment': env });
  const instance = arn('ec2', 'instance/i-0123456789abcdef0');
  const userPool = arn('cognito-idp', `userpool/${region}_AbCdEf123`);
  // Environments whose resources it must not read: every other one (all of them for the account's).
  const fencedFrom = s.environments.filter((e) => e !== opts.env);
  const fence = fencedFrom.flatMap((e) => {
    const other = namePrefix(s.project, e);
    return [
      deny(
        'lambda:GetFunction',
        arn('lambda', `function:${other}-email-validation`),
        `${e}'s function code (the environment fence)`,
        tagged(e),
      ),
      deny(
        'ec2:DescribeInstanceAttribute',
        instance,
        `${e}'s instance user data (the environment fence)`,
        tagged(e),
      ),
      deny(
        'cognito-idp:DescribeUserPool',
        userPool,
        `${e}'s configuration too (the environment fence)`,
        tagged(e),
      ),
      deny('rds:DownloadDBLogFilePortion', arn('rds', `db:${other}-db`), `${e}'s database logs`),
      deny('cognito-idp:ListUsersInGroup', userPool, `${e}'s users`, tagged(e)),
    ];
  });
  // Refreshes that return data with the configuration: allowed for its own resources only (fence).
  const ownRefreshes = opts.env
    ? [
        allow(
          'lambda:GetFunction',
          arn('lambda', `function:${p}-email-validation`),
          refresh('aws_lambda_function (GetFunction)'),
          tagged(opts.env),
        ),
        allow(
          'ec2:DescribeInstanceAttribute',
          instance,
          refresh('aws_instance (user_data, disable_api_termination)'),
          tagged(opts.env),
        ),
      ]
    : [];
  return {
    purpose: `plans its stacks (pull requests, drift, the deploy's plan job) reading only its own state (${state.keys.join(', ')}), no data`,
    managed: [
      {
        name: 'ReadOnlyAccess',
        version: 'v188',
        reason:
          'terraform plan refreshes every attribute of every resource type; a hand-made read list would break each new layer',
      },
    ],
    allow: [
      ...stateAllows(state, false),
      allow('ec2:DescribeVpcs', '*', refresh('aws_vpc')),
      allow('iam:GetRole', role(s, opts.roleName), refresh('aws_iam_role')),
      allow('s3:GetBucketPolicy', `arn:aws:s3:::${p}-media-${s.accountId}`, refresh('aws_s3_bucket_policy')),
      ...ownRefreshes,
    ],
    deny: [
      ...stateDenies(s, state, state.keys, { managesStateStack: false, write: false }),
      ...stateObjectArns(state).map((o) => deny('s3:PutObject', o, 'a plan never writes state')),
      ...lockItems(state)
        .filter((i) => !i.endsWith('-md5'))
        .map((l) =>
          deny(
            'dynamodb:PutItem',
            state.lockTableArn,
            "a pull request's plan cannot take or break an apply's lock",
            {
              'dynamodb:LeadingKeys': [l],
            },
          ),
        ),
      deny('kms:Decrypt', state.kmsKeyArn, 'decrypts only through S3 (its state object)'),
      deny('kms:Decrypt', arn('kms', 'key/1234'), 'no decryption of data'),
      deny('s3:GetObject', `arn:aws:s3:::${p}-media-${s.accountId}/users/1.jpg`, 'no object reads'),
      deny('dynamodb:GetItem', arn('dynamodb', `table/${p}-sessions`), 'no item reads'),
      deny('dynamodb:Scan', arn('dynamodb', `table/${p}-sessions`), 'no table scans'),
      deny(
        'secretsmanager:GetSecretValue',
        arn('secretsmanager', `secret:${p}-db-AbCdEf`),
        'no secret values',
      ),
      deny('logs:GetLogEvents', arn('logs', `log-group:/ecs/${p}/backend:log-stream:x`), 'no log events'),
      deny('sqs:ReceiveMessage', arn('sqs', `${p}-jobs`), 'no messages'),
      ...[
        'cognito-idp:ListUsers',
        'cognito-idp:ListUsersInGroup',
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminListGroupsForUser',
      ].map((a) => deny(a, userPool, 'no users (user data)')),
      deny('rds:DownloadDBLogFilePortion', arn('rds', `db:${p}-db`), 'no database logs'),
      deny('logs:GetLogRecord', arn('logs', `log-group:/ecs/${p}/backend`), 'no log records'),
      deny('xray:BatchGetTraces', '*', 'no traces (request data)'),
      deny('xray:GetTraceSummaries', '*', 'no traces (request data)'),
      deny('ec2:GetConsoleOutput', instance, 'no console output'),
      deny('ssm:GetCommandInvocation', '*', 'no command output'),
      ...fence,
      deny(
        'sts:AssumeRole',
        role(s, opts.name.replace(/-plan$/, '-apply')),
        'no role chaining into the apply role',
      ),
    ],
    trust: {
      allow: [
        tokenRequest(
          s.providerArn,
          opts.token,
          `_deploy.yml job 'plan' (and pr-diff.yml, drift.yml, terraform-ops.yml) in ${opts.token.sub}`,
        ),
        tokenRequest(
          s.providerArn,
          { ...opts.token, ref: 'refs/pull/7/merge', workflow: undefined },
          "pr-diff.yml on a pull request's merge ref: plans run for unmerged changes",
        ),
      ],
      deny: [
        ...forgedTokens(s.providerArn, opts.token, { pullRequest: false }),
        ...opts.otherTokens.map((t) =>
          tokenRequest(
            s.providerArn,
            t,
            `another role's token (${t.sub}): its GitHub environment is another gate`,
          ),
        ),
      ],
    },
  };
}

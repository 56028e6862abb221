/**
 * The apply role of an account's stacks (state and baseline): the pipeline roles, the boundaries,
 * the OIDC provider.
 */
import type { RoleContract } from '../../core/role-contract';
import { namePrefix } from '../../core/naming';
import { OIDC_PROVIDER_READS, POLICY_READS, type StateAccess } from '../pipeline-policies';
import { iamArn } from '../statements';
import { forgedTokens, type GitHubToken, tokenRequest } from '../trust';
import {
  allow,
  at,
  type ContractScope,
  deny,
  NOWHERE,
  role,
  stateAllows,
  stateDenies,
  STEPS,
} from './common';
import { type ApplyIam, iamAllows, iamDenies } from './apply-iam';

/** Apply of the account's stacks (state and baseline): the pipeline roles, the boundaries, the OIDC provider. */
export function accountApplyContract(
  s: ContractScope,
  opts: {
    readonly state: StateAccess;
    readonly pipelineRoles: ApplyIam;
    readonly baselineRoles: ApplyIam;
    readonly boundaryArns: readonly string[];
    readonly token: GitHubToken;
    readonly otherTokens: readonly GitHubToken[];
    readonly region: string;
  },
): RoleContract {
  const apply = (what: string) => at('apply', `terraform apply: ${what}`);
  const provider = iamArn(s.accountId, 'oidc-provider', 'token.actions.githubusercontent.com');
  const [boundary] = opts.boundaryArns;
  // A pattern (`<project>-workload-boundary*`) stands for the account's and each environment's.
  const boundaries = opts.boundaryArns.flatMap((b) =>
    b.endsWith('*') ? [b.slice(0, -1), ...s.environments.map((e) => `${b.slice(0, -1)}-${e}`)] : [b],
  );
  const env = s.environments[0] ?? NOWHERE;
  const envPrefix = namePrefix(s.project, env);
  const region = opts.region;
  const ecs = (rest: string) => `arn:aws:ecs:${region}:${s.accountId}:${rest}`;
  return {
    purpose: `applies state-${s.accountSlug} and baseline-${s.accountSlug}: the pipeline roles and boundaries, the OIDC provider, the baseline; its own state`,
    managed: [
      {
        name: 'PowerUserAccess',
        version: 'v12',
        reason:
          'Terraform applies the state backend and the baseline (trail, GuardDuty, Config, analyzer); capped by the pipeline boundary and the fence',
      },
    ],
    allow: [
      ...stateAllows(opts.state, true),
      ...iamAllows(s, opts.pipelineRoles),
      ...iamAllows(s, opts.baselineRoles),
      ...boundaries.flatMap((b) => [
        ...POLICY_READS.map((a) => allow(a, b, apply(`refresh of aws_iam_policy (${a})`))),
        allow('iam:CreatePolicy', b, apply('aws_iam_policy create (a boundary)')),
        allow('iam:CreatePolicyVersion', b, apply('aws_iam_policy update (a new default version)')),
        allow('iam:DeletePolicyVersion', b, apply('aws_iam_policy update (the oldest of five versions)')),
        allow('iam:DeletePolicy', b, apply('aws_iam_policy destroy')),
        allow('iam:TagPolicy', b, apply('aws_iam_policy tags (default_tags)')),
        allow('iam:UntagPolicy', b, apply('aws_iam_policy tag removal')),
      ]),
      ...OIDC_PROVIDER_READS.map((a) =>
        allow(a, provider, apply('refresh of aws_iam_openid_connect_provider')),
      ),
      ...[
        ['iam:CreateOpenIDConnectProvider', 'create'],
        ['iam:DeleteOpenIDConnectProvider', 'destroy'],
        ['iam:UpdateOpenIDConnectProviderThumbprint', 'thumbprint_list change'],
        ['iam:AddClientIDToOpenIDConnectProvider', 'client_id_list addition'],
        ['iam:RemoveClientIDFromOpenIDConnectProvider', 'client_id_list removal'],
        ['iam:TagOpenIDConnectProvider', 'tags (default_tags)'],
        ['iam:UntagOpenIDConnectProvider', 'tag removal'],
      ].map(([a, what]) => allow(a, provider, apply(`aws_iam_openid_connect_provider ${what}`))),
      allow(
        'cloudtrail:UpdateTrail',
        `arn:aws:cloudtrail:${region}:${s.accountId}:trail/${s.project}`,
        apply('aws_cloudtrail update (baseline)'),
        {
          'aws:ResourceTag/Environment': 'account',
        },
      ),
      allow(
        's3:PutBucketPolicy',
        opts.state.bucketArn,
        apply('aws_s3_bucket_policy of the state bucket (state stack)'),
        {
          'aws:ResourceTag/Environment': 'account',
        },
      ),
      allow(
        's3:PutReplicationConfiguration',
        opts.state.bucketArn,
        apply('aws_s3_bucket_replication_configuration of the state bucket (state stack, state-replica.ts)'),
        { 'aws:ResourceTag/Environment': 'account' },
      ),
      allow(
        's3:CreateBucket',
        `${opts.state.bucketArn}-replica`,
        apply('aws_s3_bucket of the state replica (state stack, provider recovery)'),
      ),
      allow('ecr:PutReplicationConfiguration', '*', apply('aws_ecr_replication_configuration (baseline)')),
    ],
    deny: [
      ...stateDenies(s, opts.state, opts.state.keys, { managesStateStack: true }),
      ...iamDenies(s, opts.baselineRoles, [`${envPrefix}-backend-task`]),
      deny(
        'iam:CreateRole',
        role(s, `${envPrefix}-github-plan`),
        'a pipeline role only under the pipeline boundary',
      ),
      deny('s3:PutObject', `arn:aws:s3:::${envPrefix}-media-${s.accountId}/a.jpg`, "an environment's data"),
      deny(
        's3:DeleteObject',
        `arn:aws:s3:::${s.project}-cloudtrail-${s.accountId}/AWSLogs/x.json.gz`,
        "the trail's logs",
      ),
      deny(
        'ec2:TerminateInstances',
        `arn:aws:ec2:${region}:${s.accountId}:instance/i-0123456789abcdef0`,
        "an environment's instance",
        { 'aws:ResourceTag/Environment': env },
      ),
      deny(
        'cloudtrail:StopLogging',
        `arn:aws:cloudtrail:${region}:${s.accountId}:trail/${s.project}`,
        'the audit trail stays on (admins break glass)',
      ),
      deny('kms:ScheduleKeyDeletion', opts.state.kmsKeyArn, 'keys are never destroyed by automation'),
      deny('iam:SetDefaultPolicyVersion', boundary, 'no rollback of a boundary to an older, wider version'),
      // Its stacks hold no ECS: none at all, in any cluster.
      deny('ecs:RunTask', ecs(`task-definition/${envPrefix}-backend:1`), 'no ECS (its stacks have none)', {
        'ecs:cluster': ecs(`cluster/${envPrefix}`),
      }),
      deny('ecs:UpdateService', ecs(`service/${envPrefix}/${envPrefix}-backend`), 'no ECS', {
        'ecs:cluster': ecs(`cluster/${envPrefix}`),
      }),
      deny('ecs:RegisterTaskDefinition', ecs(`task-definition/${envPrefix}-backend:99`), 'no ECS'),
      deny('ecs:ExecuteCommand', ecs(`cluster/${envPrefix}`), 'no ECS', {
        'ecs:cluster': ecs(`cluster/${envPrefix}`),
      }),
    ],
    trust: {
      allow: [tokenRequest(s.providerArn, opts.token, `${STEPS.apply[0]} job 'apply' in ${opts.token.sub}`)],
      deny: [
        ...forgedTokens(s.providerArn, opts.token, { pullRequest: true }),
        ...opts.otherTokens.map((t) => tokenRequest(s.providerArn, t, `another role's token (${t.sub})`)),
      ],
    },
  };
}

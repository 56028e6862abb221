/**
 * The apply role of an environment's platform stack: PowerUserAccess fenced to the environment.
 */
import { backupBeforeChangeRequests } from './backup';
import type { RoleContract } from '../../core/role-contract';
import { namePrefix } from '../../core/naming';
import { type StateAccess } from '../pipeline-policies';
import { iamArn } from '../statements';
import { forgedTokens, type GitHubToken, tokenRequest } from '../trust';
import { allow, at, type ContractScope, deny, NOWHERE, stateAllows, stateDenies, STEPS } from './common';
import { type ApplyIam, iamAllows, iamDenies } from './apply-iam';

/** Apply of an environment's platform stack: PowerUserAccess fenced to the environment. */
export function environmentApplyContract(
  s: ContractScope,
  opts: {
    readonly env: string;
    /** The environment's region (its ECS cluster's). */
    readonly region: string;
    readonly state: StateAccess;
    readonly iam: ApplyIam;
    /** Production with a database: the on-demand backup before the apply (contracts/backup.ts). */
    readonly backup?: boolean;
    readonly tokens: readonly GitHubToken[];
    /** Tokens of this repository's other roles of the environment (plan, migration). */
    readonly otherTokens: readonly GitHubToken[];
  },
): RoleContract {
  const prefix = namePrefix(s.project, opts.env);
  const other = s.environments.find((e) => e !== opts.env) ?? NOWHERE;
  const otherPrefix = namePrefix(s.project, other);
  const region = opts.state.region;
  const apply = (what: string) => at('apply', `terraform apply: ${what}`);
  const ecs = (rest: string) => `arn:aws:ecs:${opts.region}:${s.accountId}:${rest}`;
  const inCluster = (p: string) => ({ 'ecs:cluster': ecs(`cluster/${p}`) });
  const ownTags = { 'aws:RequestTag/Environment': opts.env };
  const others = s.environments.filter((e) => e !== opts.env).map((e) => namePrefix(s.project, e));
  const ecsAllows = [
    allow(
      'ecs:RegisterTaskDefinition',
      ecs(`task-definition/${prefix}-backend:1`),
      apply('aws_ecs_task_definition create'),
      ownTags,
    ),
    allow('ecs:CreateService', ecs(`service/${prefix}/${prefix}-backend`), apply('aws_ecs_service create'), {
      ...inCluster(prefix),
      ...ownTags,
    }),
    ...(
      [
        ['ecs:UpdateService', 'aws_ecs_service update'],
        ['ecs:DeleteService', 'aws_ecs_service destroy'],
      ] as const
    ).map(([a, what]) =>
      allow(a, ecs(`service/${prefix}/${prefix}-backend`), apply(what), inCluster(prefix)),
    ),
  ];
  // What no tag fences: ECS by its cluster and family names, and the account-wide settings.
  const ecsDenies = [...others, `${s.project}-${NOWHERE}`].flatMap((o) => [
    deny(
      'ecs:RunTask',
      ecs(`task-definition/${prefix}-probe:1`),
      "its own task definition in another environment's cluster",
      inCluster(o),
    ),
    deny('ecs:CreateService', ecs(`service/${o}/probe`), "a service in another environment's cluster", {
      ...inCluster(o),
      ...ownTags,
    }),
    deny(
      'ecs:UpdateService',
      ecs(`service/${o}/${o}-backend`),
      "another environment's service",
      inCluster(o),
    ),
    deny('ecs:ExecuteCommand', ecs(`cluster/${o}`), "a shell in another environment's tasks", inCluster(o)),
    deny(
      'ecs:RegisterTaskDefinition',
      ecs(`task-definition/${o}-backend:99`),
      "a revision of another environment's family",
    ),
  ]);
  const accountSettings = [
    ['ecr:PutReplicationConfiguration', "the registry's replication (images copied out)"],
    ['ecr:PutRegistryPolicy', "the registry's policy"],
    ['ecr:PutRegistryScanningConfiguration', "the registry's image scanning"],
    ['ec2:DisableEbsEncryptionByDefault', 'EBS encryption by default (the baseline)'],
    ['ec2:ModifyEbsDefaultKmsKeyId', "EBS encryption's default key"],
    ['ec2:ModifyInstanceMetadataDefaults', 'IMDS defaults (IMDSv1 back on)'],
    ['ec2:DisableImageBlockPublicAccess', 'public AMI sharing'],
    ['ec2:DisableSnapshotBlockPublicAccess', 'public snapshot sharing'],
    ['s3:PutAccountPublicAccessBlock', "the account's S3 public access block (the baseline)"],
  ].map(([a, what]) => deny(a, '*', `an account-wide setting: ${what}`));
  const backup = opts.backup
    ? backupBeforeChangeRequests(s, { env: opts.env, region: opts.region, step: 'backupApply' })
    : { allow: [], deny: [] };
  return {
    purpose: `applies the ${opts.env} platform stack: PowerUserAccess fenced to the environment, its roles only under its boundary, its own state`,
    managed: [
      {
        name: 'PowerUserAccess',
        version: 'v12',
        reason:
          'Terraform applies every resource type of the stack; capped by the pipeline boundary and the fence',
      },
    ],
    allow: [
      ...stateAllows(opts.state, true),
      ...iamAllows(s, opts.iam),
      allow('ec2:CreateVpc', `arn:aws:ec2:${region}:${s.accountId}:vpc/*`, apply('aws_vpc create (tagged)'), {
        'aws:RequestTag/Environment': opts.env,
      }),
      allow('s3:CreateBucket', `arn:aws:s3:::${prefix}-media-${s.accountId}`, apply('aws_s3_bucket create')),
      allow(
        'iam:CreateServiceLinkedRole',
        iamArn(s.accountId, 'role', 'aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS'),
        apply("aws_ecs_cluster (ECS creates its service-linked role with the caller's rights)"),
        { 'iam:AWSServiceName': 'ecs.amazonaws.com' },
      ),
      allow(
        'iam:CreateServiceLinkedRole',
        iamArn(
          s.accountId,
          'role',
          'aws-service-role/email.cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdpEmailService',
        ),
        apply(
          "aws_cognito_user_pool with an SES sender (Cognito creates its e-mail service-linked role with the caller's rights)",
        ),
        { 'iam:AWSServiceName': 'email.cognito-idp.amazonaws.com' },
      ),
      ...ecsAllows,
      ...backup.allow,
    ],
    deny: [
      ...stateDenies(s, opts.state, opts.state.keys),
      ...iamDenies(s, opts.iam, [
        `${otherPrefix}-backend-task`,
        `${s.project}-config`,
        `${prefix}-github-plan`,
      ]),
      deny(
        'ec2:TerminateInstances',
        `arn:aws:ec2:${region}:${s.accountId}:instance/i-0123456789abcdef0`,
        "another environment's instance",
        { 'aws:ResourceTag/Environment': other },
      ),
      deny(
        's3:PutObject',
        `arn:aws:s3:::${otherPrefix}-media-${s.accountId}/a.jpg`,
        "another environment's bucket",
      ),
      deny(
        'iam:CreatePolicyVersion',
        opts.iam.boundaryArn,
        'its own boundary: the state stack defines it (escalation)',
      ),
      deny(
        'cloudtrail:StopLogging',
        `arn:aws:cloudtrail:${region}:${s.accountId}:trail/${s.project}`,
        'the audit trail stays on',
      ),
      deny('kms:ScheduleKeyDeletion', opts.state.kmsKeyArn, 'keys are never destroyed by automation'),
      ...ecsDenies,
      ...accountSettings,
      ...backup.deny,
    ],
    trust: {
      allow: opts.tokens.map((t) =>
        tokenRequest(s.providerArn, t, `${STEPS.apply[0]} job 'apply' in ${t.sub} on ${t.ref}`),
      ),
      deny: [
        ...forgedTokens(s.providerArn, opts.tokens[0], { pullRequest: true }),
        ...opts.otherTokens.map((t) =>
          tokenRequest(s.providerArn, t, `another role's token (${t.sub}, ${t.workflow ?? 'any workflow'})`),
        ),
        tokenRequest(
          s.providerArn,
          { ...opts.tokens[0], workflow: opts.tokens[0].workflow?.replace('_deploy.yml', 'drift.yml') },
          'another workflow of this repository in the same GitHub environment',
        ),
      ],
    },
  };
}

/**
 * The role contracts (constructs/core/role-contract.ts) of the pipeline roles the state stack creates
 * (pure: no resources). Each must-allow names its caller: the generated workflow's job and step and
 * the `aws` CLI call or Terraform operation there (a test maps every `aws` call of the workflows to a
 * must-allow of the role its job assumes: __tests__/workflows-contracts.test.ts). Must-denies: another
 * environment's state and lock, another family or service, roles outside the role's own, escalation;
 * trust denies: the same names from another repository id, a pull request's ref, the token of the
 * service's other role.
 */
import type { ContextValues, ContractRequest, RoleContract } from '../core/role-contract';
import { namePrefix, Naming } from '../core/naming';
import { SITE_BUCKET_COMPONENT } from '../frontend/site-bucket';
import { familyArn } from './deploy-policies';
import {
  digestItems,
  lockItems,
  lockObjectArns,
  OIDC_PROVIDER_READS,
  POLICY_READS,
  PROFILE_READS,
  ROLE_READS,
  type StateAccess,
  stateObjectArns,
} from './pipeline-policies';
import { iamArn } from './statements';
import { forgedTokens, type GitHubToken, tokenRequest } from './trust';

/** Where a must-allow's call is made: `.github/workflows/<file> job '<job>' step '<step>': <call>`. */
export const workflowStep = (file: string, job: string, step: string, call: string) =>
  `.github/workflows/${file} job '${job}' step '${step}': ${call}`;

/** The step names of the generated workflows the contracts cite (scripts/workflows/ generates them). */
export const STEPS = {
  planInit: ['_deploy.yml', 'plan', 'Init'],
  plan: ['_deploy.yml', 'plan', 'Plan (saved)'],
  applyInit: ['_deploy.yml', 'apply', 'Init'],
  apply: ['_deploy.yml', 'apply', 'Apply exactly the reviewed plan'],
  ecrLogin: ['app-image.yml', 'image', 'ECR login'],
  push: ['app-image.yml', 'image', 'Push'],
  serviceMigration: [
    'app-image.yml',
    'migrate',
    'Run the schema migrations and wait for them (fails the deployment on a non-zero exit)',
  ],
  register: ['app-image.yml', 'deploy', 'Register a task definition revision with only the image swapped'],
  rollOut: ['app-image.yml', 'deploy', 'Roll out (rolling, circuit breaker on) and wait for stability'],
  blueGreen: [
    'app-image.yml',
    'deploy',
    'Deploy blue/green (CodeDeploy: test listener, traffic shift, alarms) until traffic has moved',
  ],
  stopBlueGreen: ['app-image.yml', 'deploy', 'Stop the blue/green deployment and roll back'],
  migration: ['db-migrate.yml', 'migrate', 'Run the migration task and wait for it'],
  upload: [
    'frontend-deploy.yml',
    'site',
    'Upload (hashed assets immutable, index.html no-cache) and delete removed files',
  ],
  invalidate: ['frontend-deploy.yml', 'site', 'Invalidate index.html and the changed paths'],
} as const satisfies Record<string, readonly [string, string, string]>;

const at = (step: keyof typeof STEPS, call: string) => {
  const [file, job, name] = STEPS[step];
  return workflowStep(file, job, name, call);
};

/** The account, its OIDC provider and its repositories, as every pipeline contract needs them. */
export interface ContractScope {
  readonly project: string;
  readonly accountId: string;
  readonly accountSlug: string;
  readonly providerArn: string;
  /** The pipeline boundary's ARN (every pipeline role's). */
  readonly pipelineBoundaryArn: string;
  /** The environments of the account (their state keys and resources are what a role must not reach). */
  readonly environments: readonly string[];
}

const allow = (
  action: string,
  resource: string,
  because: string,
  context?: ContextValues,
): ContractRequest => ({ action, resource, because, ...(context ? { context } : {}) });
const deny = allow;

const role = (s: ContractScope, name: string) => iamArn(s.accountId, 'role', name);
/** A name no environment has: the allow-list of state keys holds for keys nobody uses yet. */
const NOWHERE = 'elsewhere';

/** State: what `terraform init / plan / apply` does with the S3 backend on the role's keys. */
function stateAllows(state: StateAccess, write: boolean): ContractRequest[] {
  const viaS3 = { 'kms:ViaService': `s3.${state.region}.amazonaws.com` };
  const [init, run] = write ? (['applyInit', 'apply'] as const) : (['planInit', 'plan'] as const);
  const op = write ? 'terraform apply' : 'terraform plan -lock=false';
  const item = (key: string) => ({ 'dynamodb:LeadingKeys': [key] });
  const reads = [
    allow('s3:ListBucket', state.bucketArn, at(init, 'terraform init (S3 backend: lists the workspaces)')),
    ...stateObjectArns(state).map((o) =>
      allow('s3:GetObject', o, at(run, `${op} (S3 backend: reads the state)`)),
    ),
    ...digestItems(state).map((d) =>
      allow('dynamodb:GetItem', state.lockTableArn, at(run, `${op} (S3 backend: the state digest)`), item(d)),
    ),
    allow('kms:Decrypt', state.kmsKeyArn, at(run, `${op} (S3 backend: SSE-KMS state object)`), viaS3),
  ];
  if (!write) return reads;
  const locks = lockItems(state).filter((i) => !i.endsWith('-md5'));
  return [
    ...reads,
    ...stateObjectArns(state).map((o) =>
      allow('s3:PutObject', o, at(run, `${op} (S3 backend: writes the state)`)),
    ),
    ...locks.flatMap((l) => [
      allow('dynamodb:PutItem', state.lockTableArn, at(run, `${op} (S3 backend: takes the lock)`), item(l)),
      allow('dynamodb:GetItem', state.lockTableArn, at(run, `${op} (S3 backend: reads the lock)`), item(l)),
      allow(
        'dynamodb:DeleteItem',
        state.lockTableArn,
        at(run, `${op} (S3 backend: releases the lock)`),
        item(l),
      ),
    ]),
    ...digestItems(state).map((d) =>
      allow(
        'dynamodb:PutItem',
        state.lockTableArn,
        at(run, `${op} (S3 backend: writes the digest)`),
        item(d),
      ),
    ),
    ...lockObjectArns(state).flatMap((o) =>
      ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'].map((a) =>
        allow(a, o, at(run, `${op} (S3 backend, use_lockfile: the .tflock object)`)),
      ),
    ),
    allow('kms:GenerateDataKey', state.kmsKeyArn, at(run, `${op} (S3 backend: SSE-KMS state object)`), viaS3),
  ];
}

/** The state keys and lock items of the account that are not the role's. */
function stateDenies(
  s: ContractScope,
  state: StateAccess,
  ownKeys: readonly string[],
  opts: { readonly managesStateStack: boolean } = { managesStateStack: false },
): ContractRequest[] {
  const others = [
    ...s.environments.map((e) => `${s.project}/${e}/terraform.tfstate`),
    `${s.project}/${NOWHERE}/terraform.tfstate`,
    `${s.project}/accounts/${s.accountSlug}/terraform.tfstate`,
    `${s.project}/accounts/${s.accountSlug}/state.tfstate`,
  ].filter((k) => !ownKeys.includes(k));
  // Beside its own key, in its own prefix: an allow-list, not a prefix.
  const beside = `${ownKeys[0].replace(/[^/]+$/, '')}other.tfstate`;
  return [
    ...others.flatMap((k) => [
      deny(
        's3:PutObject',
        `${state.bucketArn}/${k}`,
        "another stack's state (the allow-list holds only its own keys)",
      ),
      deny('s3:GetObject', `${state.bucketArn}/${k}`, "another stack's state"),
    ]),
    deny('s3:PutObject', `${state.bucketArn}/${beside}`, 'a key beside its own: not an allow-listed key'),
    ...stateObjectArns(state).map((o) => deny('s3:DeleteObjectVersion', o, 'its state history stays')),
    ...others.map((k) =>
      deny('dynamodb:PutItem', state.lockTableArn, "another stack's lock", {
        'dynamodb:LeadingKeys': [`${state.bucket}/${k}`],
      }),
    ),
    ...(opts.managesStateStack
      ? []
      : [
          deny(
            's3:PutBucketPolicy',
            state.bucketArn,
            "the state bucket's settings are the admins' and the account apply role's",
          ),
        ]),
    deny('dynamodb:Scan', state.lockTableArn, "every stack's lock items"),
    deny('dynamodb:UpdateItem', state.lockTableArn, "another stack's lock, changed in place", {
      'dynamodb:LeadingKeys': [`${state.bucket}/${others[0]}`],
    }),
  ];
}

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
      ...stateDenies(s, state, state.keys),
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

/** What an apply role manages besides its state: the roles and instance profiles, and the boundary they carry. */
export interface ApplyIam {
  /**
   * Roles of its own it creates (for a name pattern an example, `<prefix>-backend-task`; for a fixed
   * set every one), each with the services it is passed to and the Terraform type that passes it.
   */
  readonly roles: ReadonlyArray<{ readonly name: string; readonly passes: Readonly<Record<string, string>> }>;
  readonly boundaryArn: string;
  /** An instance profile of its own, if it creates profiles. */
  readonly profileName?: string;
}

/** The IAM must-allows of one managed set of roles (applyIamStatements in pipeline-policies.ts). */
function iamAllows(s: ContractScope, m: ApplyIam): ContractRequest[] {
  const apply = (what: string) => at('apply', `terraform apply: ${what}`);
  const bounded = { 'iam:PermissionsBoundary': m.boundaryArn };
  const profile = m.profileName ? iamArn(s.accountId, 'instance-profile', m.profileName) : undefined;
  const ofRole = (name: string, passes: Readonly<Record<string, string>>) => {
    const target = role(s, name);
    return [
      ...ROLE_READS.map((a) =>
        allow(a, target, apply(`refresh of aws_iam_role / aws_iam_role_policy(_attachment) (${a})`)),
      ),
      allow('iam:CreateRole', target, apply('aws_iam_role create (permissions_boundary)'), bounded),
      allow(
        'iam:PutRolePermissionsBoundary',
        target,
        apply('aws_iam_role permissions_boundary change'),
        bounded,
      ),
      allow('iam:AttachRolePolicy', target, apply('aws_iam_role_policy_attachment create'), bounded),
      allow('iam:DetachRolePolicy', target, apply('aws_iam_role_policy_attachment destroy'), bounded),
      allow('iam:PutRolePolicy', target, apply('aws_iam_role_policy create/update'), bounded),
      allow('iam:DeleteRolePolicy', target, apply('aws_iam_role_policy destroy'), bounded),
      allow('iam:DeleteRole', target, apply('aws_iam_role destroy')),
      allow('iam:TagRole', target, apply('aws_iam_role tags (default_tags)')),
      allow('iam:UntagRole', target, apply('aws_iam_role tag removal')),
      allow('iam:UpdateRole', target, apply('aws_iam_role max_session_duration change')),
      allow('iam:UpdateRoleDescription', target, apply('aws_iam_role description change')),
      allow('iam:UpdateAssumeRolePolicy', target, apply('aws_iam_role assume_role_policy change')),
      ...Object.entries(passes).map(([service, type]) =>
        allow('iam:PassRole', target, apply(`${type} (the service checks iam:PassRole)`), {
          'iam:PassedToService': service,
        }),
      ),
    ];
  };
  return [
    ...m.roles.flatMap((r) => ofRole(r.name, r.passes)),
    ...(profile
      ? [
          ...PROFILE_READS.map((a) => allow(a, profile, apply('refresh of aws_iam_instance_profile'))),
          allow('iam:CreateInstanceProfile', profile, apply('aws_iam_instance_profile create')),
          allow('iam:DeleteInstanceProfile', profile, apply('aws_iam_instance_profile destroy')),
          allow('iam:AddRoleToInstanceProfile', profile, apply('aws_iam_instance_profile role')),
          allow(
            'iam:RemoveRoleFromInstanceProfile',
            profile,
            apply('aws_iam_instance_profile role change, aws_iam_role destroy'),
          ),
          allow('iam:TagInstanceProfile', profile, apply('aws_iam_instance_profile tags (default_tags)')),
          allow('iam:UntagInstanceProfile', profile, apply('aws_iam_instance_profile tag removal')),
        ]
      : []),
  ];
}

/** The escalations an apply role must never make with the IAM it holds. */
function iamDenies(s: ContractScope, m: ApplyIam, outside: readonly string[]): ContractRequest[] {
  const target = role(s, m.roles[0].name);
  const pipeline = role(s, `${s.project}-${NOWHERE}-github-apply`);
  return [
    deny('iam:CreateRole', target, 'a role without its boundary would escape the fence'),
    deny('iam:CreateRole', target, 'nor under the pipeline boundary', {
      'iam:PermissionsBoundary': s.pipelineBoundaryArn,
    }),
    deny('iam:DeleteRolePermissionsBoundary', target, 'boundaries stay'),
    ...outside.map((name) =>
      deny('iam:CreateRole', role(s, name), 'a role outside its own names', {
        'iam:PermissionsBoundary': m.boundaryArn,
      }),
    ),
    ...outside.map((name) =>
      deny('iam:PassRole', role(s, name), 'passes only its own roles', {
        'iam:PassedToService': 'ecs-tasks.amazonaws.com',
      }),
    ),
    deny('iam:PassRole', target, 'only to the services its roles serve', {
      'iam:PassedToService': 'sagemaker.amazonaws.com',
    }),
    deny('sts:AssumeRole', pipeline, 'no role chaining into a pipeline role'),
    deny('iam:CreateUser', iamArn(s.accountId, 'user', 'ci'), 'no IAM users or keys'),
    deny('iam:CreateAccessKey', iamArn(s.accountId, 'user', 'ci'), 'no IAM users or keys'),
  ];
}

/** Apply of an environment's platform stack: PowerUserAccess fenced to the environment. */
export function environmentApplyContract(
  s: ContractScope,
  opts: {
    readonly env: string;
    /** The environment's region (its ECS cluster's). */
    readonly region: string;
    readonly state: StateAccess;
    readonly iam: ApplyIam;
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
      ...ecsAllows,
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

/** Where a service lives: its environment's prefix, the region, and which of its neighbours exist. */
export interface ServiceScope {
  readonly env: string;
  readonly region: string;
  readonly service: string;
  /** Another service of the environment (its family, roles and repository are off limits). */
  readonly neighbour: string;
  /** Another environment of the account (or a name none has). */
  readonly otherEnv: string;
  /** Runs on ECS: the deploy role rolls the service out; otherwise it only pushes images. */
  readonly ecs: boolean;
}

/** The deploy role of one service: push its image; on ECS roll its service to a revision of its own family. */
export function serviceDeployContract(
  s: ContractScope,
  t: ServiceScope,
  trust: { readonly token: GitHubToken; readonly otherTokens: readonly GitHubToken[] },
): RoleContract {
  const prefix = namePrefix(s.project, t.env);
  const name = `${prefix}-${t.service}`;
  const scope = { accountId: s.accountId, region: t.region };
  const ecr = (n: string) => `arn:aws:ecr:${t.region}:${s.accountId}:repository/${n}`;
  const ecs = (kind: string) => `arn:aws:ecs:${t.region}:${s.accountId}:${kind}`;
  const service = (p: string, n: string) => ecs(`service/${p}/${n}`);
  const revision = (family: string) => familyArn(scope, family).replace(/\*$/, '8');
  const codedeploy = (r: string) => `arn:aws:codedeploy:${t.region}:${s.accountId}:${r}`;
  const group = codedeploy(`deploymentgroup:${name}/${name}`);
  const toEcs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
  const push = [
    allow(
      'ecr:GetAuthorizationToken',
      '*',
      at('ecrLogin', 'aws-actions/amazon-ecr-login (ecr:GetAuthorizationToken)'),
    ),
    ...[
      ['ecr:BatchCheckLayerAvailability', 'HEAD of each layer'],
      ['ecr:InitiateLayerUpload', 'a new layer'],
      ['ecr:UploadLayerPart', 'its parts'],
      ['ecr:CompleteLayerUpload', 'its end'],
      ['ecr:PutImage', 'the manifest and tag'],
      ['ecr:BatchGetImage', 'HEAD of the manifest (the re-tag of a release)'],
    ].map(([a, what]) => allow(a, ecr(name), at('push', `docker push (${what})`))),
  ];
  const rollout = [
    allow(
      'ecs:DescribeServices',
      service(prefix, name),
      at('register', 'aws ecs describe-services (the previous revision)'),
    ),
    allow(
      'ecs:DescribeTaskDefinition',
      '*',
      at('register', 'aws ecs describe-task-definition --task-definition "$FAMILY"'),
    ),
    allow('ecs:RegisterTaskDefinition', revision(name), at('register', 'aws ecs register-task-definition')),
    ...['task', 'execution'].map((r) =>
      allow(
        'iam:PassRole',
        role(s, `${name}-${r}`),
        at('register', `aws ecs register-task-definition (the revision's ${r} role: iam:PassRole)`),
        toEcs,
      ),
    ),
    allow(
      'ecs:UpdateService',
      service(prefix, name),
      at('rollOut', 'aws ecs update-service --task-definition "$NEXT"'),
      {
        'ecs:task-definition': revision(name),
      },
    ),
    allow('codedeploy:CreateDeployment', group, at('blueGreen', 'aws deploy create-deployment')),
    allow('codedeploy:GetDeployment', group, at('blueGreen', 'aws deploy get-deployment')),
    ...['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'].map((a) =>
      allow(
        a,
        codedeploy(`application:${name}`),
        at('blueGreen', `aws deploy create-deployment (its AppSpecContent revision: ${a})`),
      ),
    ),
    ...[
      codedeploy('deploymentconfig:CodeDeployDefault.ECSAllAtOnce'),
      codedeploy(`deploymentconfig:${name}-canary-10pct-5min`),
    ].map((c) =>
      allow(
        'codedeploy:GetDeploymentConfig',
        c,
        at('blueGreen', "aws deploy create-deployment (the group's traffic shift)"),
      ),
    ),
    allow('codedeploy:ListDeploymentTargets', '*', at('blueGreen', 'aws deploy list-deployment-targets')),
    allow('codedeploy:GetDeploymentTarget', '*', at('blueGreen', 'aws deploy get-deployment-target')),
    allow(
      'codedeploy:StopDeployment',
      '*',
      at('stopBlueGreen', 'aws deploy stop-deployment --auto-rollback-enabled'),
    ),
  ];
  const other = `${prefix}-${t.neighbour}`;
  const otherEnvName = `${namePrefix(s.project, t.otherEnv)}-${t.service}`;
  const to = (family: string) => ({ 'ecs:task-definition': revision(family) });
  return {
    purpose: t.ecs
      ? `pushes ${t.service}'s image and rolls ${t.env}'s ${t.service} service to a revision of its own family`
      : `pushes ${t.service}'s image (${t.env} runs on EKS: its cluster bootstrap rolls it out)`,
    allow: t.ecs ? [...push, ...rollout] : push,
    deny: [
      deny('ecr:PutImage', ecr(other), "another service's repository"),
      deny('ecr:PutImage', ecr(otherEnvName), "another environment's repository"),
      deny(
        'ecs:UpdateService',
        service(prefix, name),
        'its service on the migration task (the master credential)',
        to(`${prefix}-db-migrate`),
      ),
      deny(
        'ecs:UpdateService',
        service(prefix, name),
        "its service on another service's task definition",
        to(other),
      ),
      deny(
        'ecs:UpdateService',
        service(prefix, name),
        "its service on another environment's task definition",
        to(otherEnvName),
      ),
      deny('ecs:UpdateService', service(prefix, other), 'another service', to(name)),
      // Its own service on its own revision, but with the network or ECS Exec changed (Terraform's).
      ...(
        [
          [{ 'ecs:auto-assign-public-ip': 'true' }, 'a public IP on its tasks'],
          [{ 'ecs:auto-assign-public-ip': 'ENABLED' }, 'a public IP on its tasks'],
          [{ 'ecs:subnet': ['subnet-0a1b2c3d4e5f60718'] }, 'its tasks moved to another (a public) subnet'],
          [{ 'ecs:enable-execute-command': 'true' }, 'ECS Exec switched on (a shell in its tasks)'],
          [{ 'ecs:enable-service-connect': 'true' }, 'Service Connect switched on (a new way in)'],
          [{ 'ecs:enable-vpc-lattice': 'true' }, 'VPC Lattice switched on (a new way in)'],
        ] as const
      ).map(([keys, why]) =>
        deny('ecs:UpdateService', service(prefix, name), `${why}: the network and exec are Terraform's`, {
          ...to(name),
          ...keys,
        }),
      ),
      deny(
        'ecs:UpdateService',
        service(namePrefix(s.project, t.otherEnv), otherEnvName),
        "another environment's service",
        to(otherEnvName),
      ),
      deny('ecs:RegisterTaskDefinition', revision(`${prefix}-db-migrate`), "the migration task's family"),
      deny('ecs:RegisterTaskDefinition', revision(other), "another service's family"),
      deny('ecs:RunTask', revision(`${prefix}-db-migrate`), 'the migration runs under its own role', {
        'ecs:cluster': ecs(`cluster/${prefix}`),
      }),
      deny('iam:PassRole', role(s, `${prefix}-db-migrate-task`), "the migration task's roles", toEcs),
      deny('iam:PassRole', role(s, `${prefix}-db-migrate-execution`), "the migration task's roles", toEcs),
      deny('iam:PassRole', role(s, `${other}-task`), "another service's roles", toEcs),
      deny(
        'codedeploy:CreateDeployment',
        codedeploy(`deploymentgroup:${other}/${other}`),
        "another service's deployment group",
      ),
      deny('codedeploy:ContinueDeployment', '*', 'never pushes a waiting deployment on'),
      deny('codedeploy:UpdateDeploymentGroup', group, 'Terraform owns the group'),
      deny('iam:CreateRole', role(s, `${name}-escalate`), 'no IAM changes'),
    ],
    trust: {
      allow: [
        tokenRequest(
          s.providerArn,
          trust.token,
          `app-image.yml job 'image' and job 'deploy' in ${trust.token.sub}`,
        ),
      ],
      deny: [
        ...forgedTokens(s.providerArn, trust.token, { pullRequest: true }),
        tokenRequest(
          s.providerArn,
          { ...trust.token, ref: 'refs/heads/feature' },
          'a branch other than main',
        ),
        tokenRequest(
          s.providerArn,
          { ...trust.token, workflow: trust.token.workflow?.replace(/@.*$/, '@refs/heads/feature') },
          "an unreviewed version of this repository's workflow",
        ),
        ...trust.otherTokens.map((o) =>
          tokenRequest(s.providerArn, o, `another role's token (${o.sub}, ${o.workflow ?? ''})`),
        ),
      ],
    },
  };
}

/** The static site's publisher: its bucket's objects and its distribution's invalidations. */
export function siteDeployContract(
  s: ContractScope,
  opts: {
    readonly env: string;
    readonly region: string;
    readonly token: GitHubToken;
    readonly otherTokens: readonly GitHubToken[];
  },
): RoleContract {
  const naming = (env: string) =>
    new Naming({ project: s.project, environment: env, accountId: s.accountId, region: opts.region });
  const bucket = `arn:aws:s3:::${naming(opts.env).bucket(SITE_BUCKET_COMPONENT)}`;
  const otherEnv = s.environments.find((e) => e !== opts.env) ?? NOWHERE;
  const distribution = `arn:aws:cloudfront::${s.accountId}:distribution/E2ABCDEF123456`;
  const tagged = (env: string) => ({
    'aws:ResourceTag/Environment': env,
    'aws:ResourceTag/Project': s.project,
  });
  const sync = 'aws s3 sync --delete, aws s3 cp';
  return {
    purpose: `publishes ${opts.env}'s static site: its bucket's objects, its distribution's invalidations`,
    allow: [
      allow('s3:ListBucket', bucket, at('upload', `${sync} (lists the bucket)`)),
      allow('s3:PutObject', `${bucket}/assets/app-1a2b3c.js`, at('upload', `${sync} (uploads)`)),
      allow('s3:PutObject', `${bucket}/index.html`, at('upload', 'aws s3 cp index.html')),
      allow('s3:DeleteObject', `${bucket}/old.html`, at('upload', 'aws s3 sync --delete (removed files)')),
      allow(
        'cloudfront:ListDistributions',
        '*',
        at('invalidate', 'aws cloudfront list-distributions (by alias)'),
      ),
      allow(
        'cloudfront:CreateInvalidation',
        distribution,
        at('invalidate', 'aws cloudfront create-invalidation'),
        tagged(opts.env),
      ),
      allow(
        'cloudfront:GetInvalidation',
        distribution,
        at('invalidate', 'aws cloudfront wait invalidation-completed'),
        tagged(opts.env),
      ),
    ],
    deny: [
      deny(
        's3:PutObject',
        `arn:aws:s3:::${naming(otherEnv).bucket(SITE_BUCKET_COMPONENT)}/index.html`,
        "another environment's site",
      ),
      deny(
        's3:PutObject',
        `arn:aws:s3:::${naming(opts.env).bucket('media')}/x`,
        "the environment's other buckets",
      ),
      deny('s3:GetObject', `${bucket}/index.html`, 'publishes, never reads'),
      deny('s3:PutBucketPolicy', bucket, 'Terraform owns the bucket'),
      deny(
        'cloudfront:CreateInvalidation',
        distribution,
        "another environment's distribution",
        tagged(otherEnv),
      ),
      deny('cloudfront:CreateInvalidation', distribution, 'an untagged distribution'),
      deny(
        'cloudfront:UpdateDistribution',
        distribution,
        'Terraform owns the distribution',
        tagged(opts.env),
      ),
      deny('iam:PassRole', role(s, `${namePrefix(s.project, opts.env)}-backend-task`), 'no roles'),
      deny(
        'ecr:PutImage',
        `arn:aws:ecr:${opts.region}:${s.accountId}:repository/${namePrefix(s.project, opts.env)}-backend`,
        'no images',
      ),
    ],
    trust: {
      allow: [tokenRequest(s.providerArn, opts.token, `frontend-deploy.yml job 'site' in ${opts.token.sub}`)],
      deny: [
        ...forgedTokens(s.providerArn, opts.token, { pullRequest: true }),
        ...opts.otherTokens.map((o) =>
          tokenRequest(s.providerArn, o, `another role's token (${o.sub}, ${o.workflow ?? ''})`),
        ),
      ],
    },
  };
}

/** A migration role: the environment's (db-migrate.yml) or a service's (app-image's `migrate` job). */
export function migrateContract(
  s: ContractScope,
  opts: {
    readonly env: string;
    readonly region: string;
    /** A service's migrations: also reads the task's revision, registers one and reads its logs. */
    readonly service?: string;
    readonly token: GitHubToken;
    readonly otherTokens: readonly GitHubToken[];
  },
): RoleContract {
  const prefix = namePrefix(s.project, opts.env);
  const scope = { accountId: s.accountId, region: opts.region };
  const ecs = (kind: string) => `arn:aws:ecs:${opts.region}:${s.accountId}:${kind}`;
  const revision = (family: string) => familyArn(scope, family).replace(/\*$/, '5');
  const migrateFamily = `${prefix}-db-migrate`;
  const step = opts.service ? ('serviceMigration' as const) : ('migration' as const);
  const inCluster = (p: string) => ({ 'ecs:cluster': ecs(`cluster/${p}`) });
  const toEcs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
  const otherEnv = s.environments.find((e) => e !== opts.env) ?? NOWHERE;
  const service = opts.service ?? 'backend';
  const logGroup = `arn:aws:logs:${opts.region}:${s.accountId}:log-group:/ecs/${prefix}`;
  const run = [
    allow('ec2:DescribeSubnets', '*', at(step, 'aws ec2 describe-subnets (the private subnets, by name)')),
    allow(
      'ec2:DescribeSecurityGroups',
      '*',
      at(step, "aws ec2 describe-security-groups (the task's group, by name)"),
    ),
    allow('ecs:RunTask', revision(migrateFamily), at(step, 'aws ecs run-task'), inCluster(prefix)),
    ...['task', 'execution'].map((r) =>
      allow(
        'iam:PassRole',
        role(s, `${migrateFamily}-${r}`),
        at(step, `aws ecs run-task (the task's ${r} role: iam:PassRole)`),
        toEcs,
      ),
    ),
    allow(
      'ecs:DescribeTasks',
      ecs(`task/${prefix}/0123456789abcdef`),
      at(step, 'aws ecs wait tasks-stopped, aws ecs describe-tasks'),
    ),
  ];
  const revisionCalls = opts.service
    ? [
        allow(
          'ecs:DescribeTaskDefinition',
          '*',
          at(step, 'aws ecs describe-task-definition --task-definition <prefix>-db-migrate'),
        ),
        allow(
          'ecs:RegisterTaskDefinition',
          revision(migrateFamily),
          at(step, 'aws ecs register-task-definition (the migration image and command)'),
        ),
        allow(
          'logs:GetLogEvents',
          `${logGroup}/db-migrate:log-stream:db-migrate/db-migrate/0123456789abcdef`,
          at(step, 'aws logs get-log-events'),
        ),
      ]
    : [];
  return {
    purpose: opts.service
      ? `runs ${opts.service}'s schema migrations as ${opts.env}'s migration task, before its rollout`
      : `runs ${opts.env}'s database migration task (application users and grants)`,
    allow: [...run, ...revisionCalls],
    deny: [
      deny('ecs:RunTask', revision(`${prefix}-${service}`), "a service's family", inCluster(prefix)),
      deny(
        'ecs:RunTask',
        revision(migrateFamily),
        'another cluster',
        inCluster(namePrefix(s.project, otherEnv)),
      ),
      deny(
        'ecs:RunTask',
        revision(`${namePrefix(s.project, otherEnv)}-db-migrate`),
        "another environment's migration",
        inCluster(namePrefix(s.project, otherEnv)),
      ),
      deny('ecs:UpdateService', ecs(`service/${prefix}/${prefix}-${service}`), 'not a deploy role', {
        'ecs:task-definition': revision(migrateFamily),
      }),
      deny('ecs:RegisterTaskDefinition', revision(`${prefix}-${service}`), "a service's family"),
      ...(opts.service
        ? []
        : [
            deny(
              'ecs:RegisterTaskDefinition',
              revision(migrateFamily),
              'runs the task as Terraform defined it',
            ),
          ]),
      deny('iam:PassRole', role(s, `${prefix}-${service}-task`), "a service's roles", toEcs),
      deny('logs:GetLogEvents', `${logGroup}/${service}:log-stream:x`, "a service's logs"),
      deny(
        'secretsmanager:GetSecretValue',
        `arn:aws:secretsmanager:${opts.region}:${s.accountId}:secret:rds!db-0123-AbCdEf`,
        "the master credential is the task's, never the pipeline's",
      ),
      deny(
        'ecr:PutImage',
        `arn:aws:ecr:${opts.region}:${s.accountId}:repository/${prefix}-${service}`,
        'no images',
      ),
      deny('iam:CreateRole', role(s, `${prefix}-escalate`), 'no IAM changes'),
    ],
    trust: {
      allow: [
        tokenRequest(
          s.providerArn,
          opts.token,
          opts.service
            ? `app-image.yml job 'migrate' in ${opts.token.sub}`
            : `db-migrate.yml job 'migrate' in ${opts.token.sub}`,
        ),
      ],
      deny: [
        ...forgedTokens(s.providerArn, opts.token, { pullRequest: true }),
        ...opts.otherTokens.map((o) =>
          tokenRequest(
            s.providerArn,
            o,
            `the deploy or apply token (${o.sub}, ${o.workflow ?? ''}): one trust per role`,
          ),
        ),
      ],
    },
  };
}

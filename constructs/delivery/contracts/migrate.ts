/**
 * The migration roles: the environment's (db-migrate.yml) and a service's (app-image's `migrate`
 * job).
 */
import type { RoleContract } from '../../core/role-contract';
import { namePrefix } from '../../core/naming';
import { familyArn } from '../deploy-policies';
import { backupBeforeChangeRequests } from './backup';
import { forgedTokens, type GitHubToken, tokenRequest } from '../trust';
import { allow, at, type ContractScope, deny, NOWHERE, role } from './common';

/** A migration role: the environment's (db-migrate.yml) or a service's (app-image's `migrate` job). */
export function migrateContract(
  s: ContractScope,
  opts: {
    readonly env: string;
    readonly region: string;
    /** A service's migrations: also reads the task's revision, registers one and reads its logs. */
    readonly service?: string;
    /** Production with a database: the on-demand backup before the migration (contracts/backup.ts). */
    readonly backup?: boolean;
    readonly token: GitHubToken;
    readonly otherTokens: readonly GitHubToken[];
  },
): RoleContract {
  const prefix = namePrefix(s.project, opts.env);
  const scope = { accountId: s.accountId, region: opts.region };
  const ecs = (kind: string) => `arn:aws:ecs:${opts.region}:${s.accountId}:${kind}`;
  const revision = (family: string) => familyArn(scope, family).replace(/\*$/, '5');
  const bootstrapFamily = `${prefix}-db-migrate`;
  const service = opts.service ?? 'backend';
  // The environment's role runs the platform bootstrap; a service's, that service's migration task.
  const family = opts.service ? `${prefix}-${opts.service}-migrate` : bootstrapFamily;
  const roles = opts.service
    ? [`${prefix}-${opts.service}-migrate`, `${prefix}-${opts.service}-execution`]
    : [`${bootstrapFamily}-task`, `${bootstrapFamily}-execution`];
  const step = opts.service ? ('serviceMigration' as const) : ('migration' as const);
  const inCluster = (p: string) => ({ 'ecs:cluster': ecs(`cluster/${p}`) });
  const toEcs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
  const otherEnv = s.environments.find((e) => e !== opts.env) ?? NOWHERE;
  const logGroup = `arn:aws:logs:${opts.region}:${s.accountId}:log-group:/ecs/${prefix}`;
  const run = [
    allow('ec2:DescribeSubnets', '*', at(step, 'aws ec2 describe-subnets (the private subnets, by name)')),
    allow(
      'ec2:DescribeSecurityGroups',
      '*',
      at(step, "aws ec2 describe-security-groups (the task's group, by name)"),
    ),
    allow('ecs:RunTask', revision(family), at(step, 'aws ecs run-task'), inCluster(prefix)),
    ...roles.map((r) =>
      allow('iam:PassRole', role(s, r), at(step, `aws ecs run-task (passes ${r}: iam:PassRole)`), toEcs),
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
          at(step, `aws ecs describe-task-definition --task-definition ${family}`),
        ),
        allow(
          'ecs:RegisterTaskDefinition',
          revision(family),
          at(step, 'aws ecs register-task-definition (the migration image and command)'),
        ),
        allow(
          'logs:GetLogEvents',
          `${logGroup}/${service}:log-stream:migrate/migrate/0123456789abcdef`,
          at(step, 'aws logs get-log-events'),
        ),
      ]
    : [];
  // What a service's migration role must never reach: the platform bootstrap (master credential).
  const notBootstrap = opts.service
    ? [
        deny(
          'ecs:RunTask',
          revision(bootstrapFamily),
          'the platform bootstrap (master credential)',
          inCluster(prefix),
        ),
        deny('ecs:RegisterTaskDefinition', revision(bootstrapFamily), 'the platform bootstrap'),
        ...['task', 'execution'].map((r) =>
          deny('iam:PassRole', role(s, `${bootstrapFamily}-${r}`), "the bootstrap's roles", toEcs),
        ),
        deny(
          'ecs:RunTask',
          revision(`${prefix}-${opts.service === 'other' ? 'another' : 'other'}-migrate`),
          "another service's migrations",
          inCluster(prefix),
        ),
      ]
    : [];
  const backup = opts.backup
    ? backupBeforeChangeRequests(s, {
        env: opts.env,
        region: opts.region,
        step: opts.service ? 'backupServiceMigration' : 'backupMigration',
      })
    : { allow: [], deny: [] };
  return {
    purpose: opts.service
      ? `runs ${opts.service}'s schema migrations as its own migration task (its schema's migration user), before its rollout`
      : `runs ${opts.env}'s database bootstrap (service schemas and users, as the master user)`,
    allow: [...run, ...revisionCalls, ...backup.allow],
    deny: [
      ...backup.deny,
      ...notBootstrap,
      deny('ecs:RunTask', revision(`${prefix}-${service}`), "a service's family", inCluster(prefix)),
      deny('ecs:RunTask', revision(family), 'another cluster', inCluster(namePrefix(s.project, otherEnv))),
      deny(
        'ecs:RunTask',
        revision(`${namePrefix(s.project, otherEnv)}-db-migrate`),
        "another environment's bootstrap",
        inCluster(namePrefix(s.project, otherEnv)),
      ),
      deny('ecs:UpdateService', ecs(`service/${prefix}/${prefix}-${service}`), 'not a deploy role', {
        'ecs:task-definition': revision(family),
      }),
      deny('ecs:RegisterTaskDefinition', revision(`${prefix}-${service}`), "a service's family"),
      ...(opts.service
        ? []
        : [deny('ecs:RegisterTaskDefinition', revision(family), 'runs the task as Terraform defined it')]),
      deny('iam:PassRole', role(s, `${prefix}-${service}-task`), "a service's runtime role", toEcs),
      deny('logs:GetLogEvents', `${logGroup}/${service}:log-stream:app/app/x`, "a service's own logs"),
      deny(
        'secretsmanager:GetSecretValue',
        `arn:aws:secretsmanager:${opts.region}:${s.accountId}:secret:${prefix}-db-master-AbCdEf`,
        "the master credential is the bootstrap task's, never the pipeline's",
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

/**
 * The migration roles: the environment's (db-migrate.yml) and a service's (app-image's `migrate`
 * job).
 */
import type { RoleContract } from '../../core/role-contract';
import { namePrefix } from '../../core/naming';
import { familyArn } from '../deploy-policies';
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

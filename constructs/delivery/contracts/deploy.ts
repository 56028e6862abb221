/**
 * The roles application repositories assume to publish: a service's deploy role and the static
 * site's publisher.
 */
import type { RoleContract } from '../../core/role-contract';
import { namePrefix, Naming, SITE_BUCKET_COMPONENT } from '../../core/naming';
import { familyArn } from '../deploy-policies';
import { forgedTokens, type GitHubToken, tokenRequest } from '../trust';
import { allow, at, type ContractScope, deny, NOWHERE, role } from './common';

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

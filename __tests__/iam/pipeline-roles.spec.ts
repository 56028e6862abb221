import {
  accountRole,
  accounts,
  accountWarningTopic,
  arn,
  deployRole,
  deployedServices,
  envRole,
  envs,
  envWarningTopic,
  projectOf,
  serviceMigrateRole,
} from '../support/pipeline-names';
import { appStacks } from '../support/app-synth';
import { policy } from '../support/fixtures';

// The GitHub side is in workflows/workflows.spec.ts; this is the AWS side: roles, trust, boundaries, state
// bucket (evaluated decisions: pipeline-iam.spec.ts). Name formats are spelled out, not imported.
const stacks = appStacks();

describe.each(accounts)('AWS side of keyless access (state stack of account $slug)', (a) => {
  const { accountId, github, adminPrincipalArns } = a.account;
  const out = stacks.state[a.slug];
  // The pipeline roles: the state stack's other role is the one S3 replicates state as (platform/stacks.spec.ts).
  const roles = Object.fromEntries(
    out
      .resources('aws_iam_role')
      .filter(([, r]) => r.name !== `${a.project}-state-replication`)
      .map(([, r]) => [r.name, r]),
  );
  const trustOf = (role: string) =>
    policy(roles[role.split('/').pop()!].assume_role_policy).Statement[0].Condition;
  const infra = `${github.owner}/${github.repository}`;
  const repo = `repo:${infra}`;
  const host = 'token.actions.githubusercontent.com';
  // Every trust pins the repository's immutable ids beside its name (a renamed or re-created
  // repository of the same name has other ids).
  const ids = (repository: string) => ({
    [`${host}:repository_id`]: github.repositoryIds[repository].id,
    [`${host}:repository_owner_id`]: github.repositoryIds[repository].ownerId,
  });
  // An application repository's ref: a pull request branch calling the workflow must not deploy.
  const appRefs = (env: { deploy: { trigger: string } }) =>
    env.deploy.trigger === 'tag' ? ['refs/heads/main', 'refs/tags/v*'] : ['refs/heads/main'];
  const stateRoles = [
    ...a.envs.flatMap((e) => [envRole(e, 'plan'), envRole(e, 'apply')]),
    accountRole(a, 'plan'),
    accountRole(a, 'apply'),
  ];
  const deployRoles = a.envs.flatMap((e) => deployedServices(e).map((svc) => deployRole(e, svc)));
  // The environment's migration role: where ECS runs a migration task (a database on fargate).
  const migratingEnvs = a.envs.filter((e) => e.database && e.compute.platform === 'fargate');
  const migrateRoles = migratingEnvs.map((e) => arn(e.accountId, `${projectOf(e)}-${e.name}-github-migrate`));
  // A static frontend's site deploy role (frontend-deploy-iam.spec.ts evaluates its reach).
  const siteRoles = a.envs
    .filter((e) => e.frontend.mode === 'static')
    .map((e) => arn(e.accountId, `${projectOf(e)}-${e.name}-github-site-deploy`));
  // Services with schema migrations (and a repository): their own migration role for app-image.
  const migrating = a.envs
    .filter((e) => e.compute.platform === 'fargate')
    .flatMap((e) =>
      deployedServices(e)
        .filter((svc) => e.services[svc].migrations)
        .map((svc) => ({ env: e, svc, role: serviceMigrateRole(e, svc) })),
    );

  it('trusts GitHub OIDC for sts.amazonaws.com', () => {
    expect(out.only('aws_iam_openid_connect_provider')).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
    for (const role of Object.values<any>(roles)) {
      const st = policy(role.assume_role_policy).Statement;
      expect(st).toHaveLength(1);
      expect(st[0].Action).toBe('sts:AssumeRoleWithWebIdentity');
      expect(st[0].Condition.StringEquals[`${host}:aud`]).toBe('sts.amazonaws.com');
    }
  });

  it('has exactly the pipeline roles: plan and apply per environment and account, deploy per service', () => {
    expect(deployRoles.length).toBeGreaterThanOrEqual(a.envs.length); // a deployed service per environment at least
    expect(Object.keys(roles).sort()).toEqual(
      [...stateRoles, ...deployRoles, ...migrateRoles, ...siteRoles, ...migrating.map((m) => m.role)]
        .map((r) => r.split('/').pop())
        .sort(),
    );
  });

  it('trusts each service migration role only from its repository in <env>-migrate (a subject its deploy role does not accept), on main (or release tags), through app-image.yml on main', () => {
    for (const { env, svc, role } of migrating) {
      expect(trustOf(role)).toEqual({
        StringEquals: {
          [`${host}:aud`]: 'sts.amazonaws.com',
          [`${host}:sub`]: [`repo:${github.appRepositories[svc]}:environment:${env.name}-migrate`],
          ...ids(github.appRepositories[svc]),
        },
        StringLike: {
          [`${host}:ref`]: appRefs(env),
          [`${host}:job_workflow_ref`]: [`${infra}/.github/workflows/app-image.yml@refs/heads/main`],
        },
      });
    }
  });

  it('binds plan roles to <env>-plan, apply roles to <env> on main (release tags where configured) through _deploy.yml', () => {
    for (const env of a.envs) {
      expect(trustOf(envRole(env, 'plan'))).toEqual({
        StringEquals: {
          [`${host}:aud`]: 'sts.amazonaws.com',
          [`${host}:sub`]: [`${repo}:environment:${env.name}-plan`],
          ...ids(infra),
        },
      });
      const refs = env.deploy.trigger === 'tag' ? ['refs/heads/main', 'refs/tags/v*'] : ['refs/heads/main'];
      expect(trustOf(envRole(env, 'apply'))).toEqual({
        StringEquals: {
          [`${host}:aud`]: 'sts.amazonaws.com',
          [`${host}:sub`]: [`${repo}:environment:${env.name}`],
          ...ids(infra),
        },
        StringLike: {
          [`${host}:ref`]: refs,
          [`${host}:job_workflow_ref`]: refs.map((r) => `${infra}/.github/workflows/_deploy.yml@${r}`),
        },
      });
    }
    // Both kinds occur in the registry, so both branches above are exercised.
    expect(new Set(envs.map((e) => e.deploy.trigger === 'tag'))).toEqual(new Set([true, false]));
  });

  it('gives the account plan and apply roles separate subjects; apply only from main through _deploy.yml', () => {
    expect(trustOf(accountRole(a, 'plan'))).toEqual({
      StringEquals: {
        [`${host}:aud`]: 'sts.amazonaws.com',
        [`${host}:sub`]: [`${repo}:environment:account-${a.slug}-plan`],
        ...ids(infra),
      },
    });
    expect(trustOf(accountRole(a, 'apply'))).toEqual({
      StringEquals: {
        [`${host}:aud`]: 'sts.amazonaws.com',
        [`${host}:sub`]: [`${repo}:environment:account-${a.slug}`],
        ...ids(infra),
      },
      StringLike: {
        [`${host}:ref`]: ['refs/heads/main'],
        [`${host}:job_workflow_ref`]: [`${infra}/.github/workflows/_deploy.yml@refs/heads/main`],
      },
    });
  });

  it('trusts each deploy role only from its service repository on main (or release tags), through app-image.yml on main', () => {
    for (const env of a.envs)
      for (const svc of deployedServices(env)) {
        expect(trustOf(deployRole(env, svc))).toEqual({
          StringEquals: {
            [`${host}:aud`]: 'sts.amazonaws.com',
            [`${host}:sub`]: [`repo:${github.appRepositories[svc]}:environment:${env.name}`],
            ...ids(github.appRepositories[svc]),
          },
          StringLike: {
            [`${host}:ref`]: appRefs(env),
            [`${host}:job_workflow_ref`]: [`${infra}/.github/workflows/app-image.yml@refs/heads/main`],
          },
        });
      }
  });

  it('trusts each migration role only from the infrastructure repository in <env>-migrate (not the apply subject) on main, through db-migrate.yml', () => {
    migratingEnvs.forEach((env, i) => {
      expect(trustOf(migrateRoles[i])).toEqual({
        StringEquals: {
          [`${host}:aud`]: 'sts.amazonaws.com',
          [`${host}:sub`]: [`${repo}:environment:${env.name}-migrate`],
          ...ids(infra),
        },
        StringLike: {
          [`${host}:ref`]: ['refs/heads/main'],
          [`${host}:job_workflow_ref`]: [`${infra}/.github/workflows/db-migrate.yml@refs/heads/main`],
        },
      });
    });
  });

  it('puts every pipeline role under the pipeline boundary; plan roles read, apply roles never AdministratorAccess', () => {
    const attachments = out.resources('aws_iam_role_policy_attachment').map(([, x]) => x.policy_arn);
    expect(attachments).not.toContain('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(attachments.filter((p) => p.endsWith('/ReadOnlyAccess'))).toHaveLength(a.envs.length + 1);
    for (const [name, role] of Object.entries<any>(roles))
      expect(`${name} ${role.permissions_boundary}`).toMatch(
        / \$\{aws_iam_policy\.GitHub_Boundary_[0-9A-F]+\.arn\}$/,
      );
    const names = out
      .resources('aws_iam_policy')
      .map(([, p]) => p.name)
      .sort();
    expect(names).toEqual(
      [
        `${a.project}-pipeline-boundary`,
        `${a.project}-workload-boundary`,
        ...a.envs.map((e) => `${a.project}-workload-boundary-${e.name}`),
      ].sort(),
    );
  });

  it("lets every role but the plan roles publish its jobs' failures to its own warning topic, and to no other", () => {
    const names = Object.fromEntries(out.resources('aws_iam_role').map(([id, r]) => [id, r.name]));
    const notify = Object.fromEntries(
      out
        .resources('aws_iam_role_policy')
        .filter(([, p]) => p.name === 'notify-failures')
        .map(([, p]) => [names[/^\$\{aws_iam_role\.([^.]+)\.id\}$/.exec(p.role)![1]], policy(p.policy)]),
    );
    const own = (name: string) => {
      const env = a.envs.find((e) => name.startsWith(`${a.project}-${e.name}-github-`));
      return env
        ? { topic: envWarningTopic(env), region: env.region, alias: `alias/${a.project}-${env.name}-data` }
        : {
            topic: accountWarningTopic(a),
            region: a.account.region,
            alias: `alias/${a.project}-cloudtrail`,
          };
    };
    const plans = [...a.envs.map((e) => envRole(e, 'plan')), accountRole(a, 'plan')].map((r) =>
      r.split('/').pop(),
    );
    expect(Object.keys(notify).sort()).toEqual(
      Object.keys(roles)
        .filter((r) => !plans.includes(r))
        .sort(),
    );
    for (const [name, doc] of Object.entries<any>(notify)) {
      const { topic, region, alias } = own(name);
      expect(`${name} ${JSON.stringify(doc.Statement)}`).toBe(
        `${name} ${JSON.stringify([
          { Sid: 'PublishFailures', Effect: 'Allow', Action: 'sns:Publish', Resource: topic },
          {
            Sid: 'WarningTopicKey',
            Effect: 'Allow',
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: `arn:aws:kms:${region}:${accountId}:key/*`,
            Condition: {
              StringEquals: { 'kms:ViaService': `sns.${region}.amazonaws.com` },
              'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias },
            },
          },
          { Sid: 'PublishOnlyToWarnings', Effect: 'Deny', Action: 'sns:Publish', NotResource: topic },
        ])}`,
      );
    }
  });

  it("fits IAM's size quotas: managed policy 6,144, inline policies per role 10,240, trust 2,048 characters", () => {
    const size = (text: string) => text.replace(/\s/g, '').length;
    for (const [, p] of out.resources('aws_iam_policy')) expect(size(p.policy)).toBeLessThan(6144);
    const inline = new Map<string, number>();
    for (const [, p] of out.resources('aws_iam_role_policy'))
      inline.set(p.role, (inline.get(p.role) ?? 0) + size(p.policy));
    for (const total of inline.values()) expect(total).toBeLessThan(10240);
    for (const r of Object.values<any>(roles)) expect(size(r.assume_role_policy)).toBeLessThan(2048);
  });

  it('state bucket and lock table admit exactly the admins and the plan/apply roles', () => {
    const statements = policy(
      out.resources('aws_s3_bucket_policy').find(([, p]) => p.provider === undefined)![1].policy,
    ).Statement;
    const bucket = statements.find((s) => s.Sid === 'DenyAllButNamedPrincipals');
    const table = policy(out.only('aws_dynamodb_resource_policy').policy).Statement[0];
    const expected = [
      `arn:aws:iam::${accountId}:root`,
      arn(accountId, 'aws-service-role/*'),
      ...adminPrincipalArns,
      ...stateRoles,
    ];
    // The bucket also admits the role S3 replicates it as (state-replica.ts), the table does not.
    expect(bucket.Condition.StringNotLike['aws:PrincipalArn']).toEqual([
      ...expected,
      arn(accountId, `${a.project}-state-replication`),
    ]);
    expect(table.Condition.StringNotLike['aws:PrincipalArn']).toEqual(expected);
    expect(bucket.Condition.StringNotLike['aws:PrincipalArn'].some((p: string) => p.includes('deploy'))).toBe(
      false,
    );
    const settings = statements.find((s) => s.Sid === 'OnlyAdminsChangeSettings');
    expect(settings.Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
      `arn:aws:iam::${accountId}:root`,
      ...adminPrincipalArns,
      accountRole(a, 'apply'),
    ]);
    expect(settings.Action).toEqual(expect.arrayContaining(['s3:PutBucketPolicy', 's3:PutBucketVersioning']));
  });
});

it('gives no two pipeline roles of an account the same subject and workflow (a token opens one role)', () => {
  for (const a of accounts) {
    const seen = new Map<string, string>();
    for (const [, r] of appStacks().state[a.slug].resources('aws_iam_role')) {
      const c = policy(r.assume_role_policy).Statement[0].Condition;
      const host = 'token.actions.githubusercontent.com';
      const key = JSON.stringify([c.StringEquals[`${host}:sub`], c.StringLike?.[`${host}:job_workflow_ref`]]);
      expect(`${r.name} shares ${key} with ${seen.get(key)}`).toBe(`${r.name} shares ${key} with undefined`);
      seen.set(key, r.name);
    }
  }
});

it('has services that run migrations, so the migration-role trust checks above are not vacuous', () => {
  const migrating = accounts.flatMap((a) =>
    a.envs.flatMap((e) => deployedServices(e).filter((svc) => e.services[svc].migrations)),
  );
  expect(migrating.length).toBeGreaterThan(0);
});

/**
 * The pipeline names the warning topics and their keys by convention (the state stack never reads a
 * platform or baseline stack): the synthesized topics must be there under those names, encrypted with
 * the key of that alias, and their policies must not keep an IAM principal of the account out.
 */
describe('the warning topics the pipeline roles publish to', () => {
  const stacks = appStacks();
  const topicAndKey = (out: (typeof stacks.platform)[string], name: string) => {
    const [, topic] = out.resources('aws_sns_topic').find(([, t]) => t.name === name) ?? [];
    if (!topic) return { topic: undefined, alias: undefined };
    const key = /^\$\{aws_kms_key\.([^.]+)\.arn\}$/.exec(topic.kms_master_key_id)?.[1];
    const alias = out
      .resources('aws_kms_alias')
      .find(([, al]) => al.target_key_id === `\${aws_kms_key.${key}.key_id}`)?.[1].name;
    return { topic, alias };
  };

  it.each(envs.map((e) => [e.name, e] as const))(
    '%s: <project>-<env>-alerts-warning in its region, encrypted with alias/<project>-<env>-data',
    (_, env) => {
      const out = stacks.platform[env.name];
      const name = envWarningTopic(env).split(':').pop()!;
      const { topic, alias } = topicAndKey(out, name);
      expect(topic).toBeDefined();
      expect(alias).toBe(`alias/${projectOf(env)}-${env.name}-data`);
      expect(envWarningTopic(env).split(':')[3]).toBe(out.json.provider.aws[0].region);
      // The topic's policy denies only publishing without TLS: nothing keeps the account's roles out.
      const denies = out
        .resources('aws_sns_topic_policy')
        .map(([, p]) => policy(p.policy))
        .filter((d) =>
          d.Statement.some((st: any) => st.Resource === `\${aws_sns_topic.${topicId(out, name)}.arn}`),
        )
        .flatMap((d) => d.Statement.filter((st: any) => st.Effect === 'Deny'));
      expect(denies.map((d: any) => d.Condition)).toEqual([{ Bool: { 'aws:SecureTransport': 'false' } }]);
    },
  );

  it.each(accounts)(
    'account $slug: <project>-alerts-warning in its region, encrypted with the trail key',
    (a) => {
      const out = stacks.baseline[a.slug];
      const { topic, alias } = topicAndKey(out, accountWarningTopic(a).split(':').pop()!);
      expect(topic).toBeDefined();
      expect(alias).toBe(`alias/${a.project}-cloudtrail`);
      expect(accountWarningTopic(a).split(':')[3]).toBe(out.json.provider.aws[0].region);
    },
  );
});

const topicId = (out: { resources(type: string): Array<[string, any]> }, name: string) =>
  out.resources('aws_sns_topic').find(([, t]) => t.name === name)?.[0];

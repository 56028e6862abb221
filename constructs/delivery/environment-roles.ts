/**
 * The GitHub pipeline's roles of one environment (github-oidc.ts): plan, apply, the application
 * repositories' deploy and migration roles (app-repository-roles.ts), and the database migration
 * role. Every resource is created in the pipeline construct `p`, under the ids it always had.
 */
import { namePrefix, pipelineRoleNames } from '../core/naming';
import { declareContract } from '../core/role-contract';
import {
  otherRepositoryTokens,
  serviceDeployRole,
  serviceMigrateRole,
  siteDeployRole,
} from './app-repository-roles';
import { migrateStatements } from './deploy-policies';
import type { GitHubPipeline, PipelineEnvironment } from './github-oidc';
import { type ApplyIam, environmentApplyContract, migrateContract, planContract } from './pipeline-contracts';
import { BASELINE_PASSED_TO_SERVICES, passes } from './pipeline-passes';
import { stateResourceArns } from './pipeline-policies';
import { applyRole, planRole, stateAccess } from './pipeline-role-kinds';
import { trustClaims } from './pipeline-trust';
import { PASSED_TO_SERVICES } from './stack-services';
import { iamArn, workloadBoundaryArn } from './statements';
import { type GitHubToken, MAIN, migrateEnvironment } from './trust';

/** The roles of `env`: plan, apply, its services' deploy and migration roles, its site's, migrate. */
export function environmentRoles(p: GitHubPipeline, env: PipelineEnvironment): void {
  const { project, accountId, repository } = p.props;
  const s = p.contractScope;
  const prefix = namePrefix(project, env.name);
  const access = stateAccess(p, [`${project}/${env.name}/terraform.tfstate`]);
  const refs = env.releaseTags ? [MAIN, 'refs/tags/v1.2.0'] : [MAIN];
  const trustRefs = env.releaseTags ? [MAIN, 'refs/tags/v*'] : [MAIN];
  const applyTokens = refs.map((r) => p.token(repository, env.name, '_deploy.yml', r));
  const planToken = p.token(repository, `${env.name}-plan`, '_deploy.yml');
  const migrates = env.ecs && env.database;
  const migrateToken = p.token(repository, migrateEnvironment(env.name), 'db-migrate.yml');

  const plan = planRole(
    p,
    `${env.name}Plan`,
    pipelineRoleNames.plan(project, env.name),
    access,
    trustClaims(p.props, repository, `${env.name}-plan`),
    // The state bucket, lock table and key (and the replica's) are tagged `account`: its state calls stay.
    { tag: env.name, exempt: stateResourceArns(access) },
  );
  declareContract(
    plan,
    planContract(s, {
      name: pipelineRoleNames.plan(project, env.name),
      env: env.name,
      state: access,
      region: env.region,
      resourcePrefix: prefix,
      roleName: `${prefix}-backend-task`,
      token: planToken,
      otherTokens: [applyTokens[0], ...(migrates ? [migrateToken] : [])],
    }),
  );

  // S3 is passed both the state replication role (baseline) and an environment's data replication role.
  const envPasses = passes(
    PASSED_TO_SERVICES.filter(
      (svc) =>
        svc === 's3.amazonaws.com' || !(BASELINE_PASSED_TO_SERVICES as readonly string[]).includes(svc),
    ),
  );
  const iam: ApplyIam = {
    roles: [{ name: `${prefix}-backend-task`, passes: envPasses }],
    boundaryArn: workloadBoundaryArn(p.props, env.name),
    profileName: `${prefix}-bastion`,
  };
  const apply = applyRole(
    p,
    `${env.name}Apply`,
    pipelineRoleNames.apply(project, env.name),
    access,
    {
      tag: env.name,
      state: access,
      bucketPrefix: prefix,
      ecs: {
        clusterArn: `arn:aws:ecs:${env.region}:${accountId}:cluster/${prefix}`,
        taskDefinitionArns: `arn:aws:ecs:${env.region}:${accountId}:task-definition/${prefix}-*`,
      },
    },
    trustClaims(p.props, repository, env.name, trustRefs, '_deploy.yml'),
    [
      {
        roleArns: [iamArn(accountId, 'role', `${prefix}-*`)],
        boundaryArn: iam.boundaryArn,
        profileArns: [iamArn(accountId, 'instance-profile', `${prefix}-*`)],
        passedTo: Object.keys(envPasses),
      },
    ],
  );
  declareContract(
    apply,
    p.notifying(
      apply,
      `${env.name}Apply`,
      environmentApplyContract(s, {
        env: env.name,
        region: env.region,
        state: access,
        iam,
        backup: env.backupBeforeChanges ?? false,
        tokens: applyTokens,
        otherTokens: [planToken, ...(migrates ? [migrateToken] : [])],
      }),
      { scope: p.alertScope(env), steps: ['notifyApply'], managesTopic: true },
    ),
  );

  for (const service of env.services) serviceDeployRole(p, env, service);
  if (env.ecs) for (const service of env.migratingServices) serviceMigrateRole(p, env, service);
  if (env.staticSite) siteDeployRole(p, env);
  if (migrates) migrateRole(p, env, [applyTokens[0], planToken]);
}

/**
 * The environment's database bootstrap (the master credential's task): only from the
 * infrastructure repository's main, in the `<env>-migrate` GitHub environment (its gate, and a
 * `sub` the apply role does not accept), through `db-migrate.yml`. No service's token, deploy or
 * migration, is accepted.
 */
function migrateRole(p: GitHubPipeline, env: PipelineEnvironment, otherTokens: readonly GitHubToken[]): void {
  const { project, accountId, repository } = p.props;
  const key = `${env.name}Migrate`;
  const role = p.role(
    key,
    pipelineRoleNames.migrate(project, env.name),
    trustClaims(p.props, repository, migrateEnvironment(env.name), [MAIN], 'db-migrate.yml'),
    3600,
  );
  p.inline(
    role,
    `${key}Policy`,
    'run-migration',
    migrateStatements(
      { accountId, region: env.region, project, env: env.name },
      env.backupBeforeChanges ?? false,
    ),
  );
  declareContract(
    role,
    p.notifying(
      role,
      key,
      migrateContract(p.contractScope, {
        env: env.name,
        region: env.region,
        backup: env.backupBeforeChanges ?? false,
        token: p.token(repository, migrateEnvironment(env.name), 'db-migrate.yml'),
        otherTokens: [
          ...otherTokens,
          p.token(repository, env.name, 'db-migrate.yml'),
          // A service's tokens: its migrations' (`<env>-migrate`) and its deploy job's (`<env>`).
          ...otherRepositoryTokens(p, repository, migrateEnvironment(env.name), 'app-image.yml'),
          ...otherRepositoryTokens(p, repository, env.name, 'app-image.yml'),
        ],
      }),
      { scope: p.alertScope(env), steps: ['notifyMigration'] },
    ),
  );
}

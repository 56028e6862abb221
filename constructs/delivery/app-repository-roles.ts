/**
 * The roles application repositories assume (their image, site and migration workflows), built for
 * the GitHub pipeline (github-oidc.ts) per environment and service.
 */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { type PolicyStatement } from '../core/iam';
import { pipelineRoleNames } from '../core/naming';
import { declareContract } from '../core/role-contract';
import { migrateContract, serviceDeployContract, siteDeployContract } from './pipeline-contracts';
import { SITE_REPOSITORY_KEY } from '../../environments/schema/frontend';
import {
  imagePushStatements,
  serviceDeployStatements,
  serviceMigrateStatements,
  siteDeployStatements,
} from './deploy-policies';
import { type GitHubToken, MAIN, migrateEnvironment } from './trust';
import type { GitHubPipeline, PipelineEnvironment } from './github-oidc';

/**
 * Deploy for one service: trusted from its repository in `<env>` through app-image.yml on main.
 * On ECS it pushes and rolls out; on EKS it pushes only (nothing of ECS exists there).
 */
export function serviceDeployRole(p: GitHubPipeline, env: PipelineEnvironment, service: string): void {
  const { project } = p.props;
  const appRepository = p.props.appRepositories[service];
  if (appRepository === undefined) return;
  const target = { accountId: p.props.accountId, region: env.region, project, env: env.name, service };
  const role = appRepositoryRole(p, env, appRepository, env.name, 'app-image.yml', {
    key: `${env.name}Deploy-${service}`,
    name: pipelineRoleNames.serviceDeploy(project, env.name, service),
    policyName: 'deploy-images',
    statements: env.ecs ? serviceDeployStatements(target) : imagePushStatements(target),
  });
  const neighbour = [...env.services, 'other'].find((n) => n !== service && n !== 'db-migrate') ?? 'other';
  const otherEnv = p.contractScope.environments.find((e) => e !== env.name) ?? 'elsewhere';
  const token = p.token(appRepository, env.name, 'app-image.yml');
  declareContract(
    role,
    p.notifying(
      role,
      `${env.name}Deploy-${service}`,
      serviceDeployContract(
        p.contractScope,
        { env: env.name, region: env.region, service, neighbour, otherEnv, ecs: env.ecs },
        {
          token,
          otherTokens: [
            p.token(appRepository, migrateEnvironment(env.name), 'app-image.yml'),
            ...otherRepositoryTokens(p, appRepository, env.name, 'app-image.yml'),
            p.token(appRepository, env.name, 'frontend-deploy.yml'),
          ],
        },
      ),
      // On EKS app-image's `deploy` job does not run (the cluster bootstrap rolls out).
      { scope: p.alertScope(env), steps: env.ecs ? ['notifyImage', 'notifyDeploy'] : ['notifyImage'] },
    ),
  );
}

/** Tokens of the account's other repositories in the same GitHub environment and workflow. */
export function otherRepositoryTokens(
  p: GitHubPipeline,
  repository: string,
  environment: string,
  workflow: string,
): GitHubToken[] {
  const others = [...new Set([p.props.repository, ...Object.values(p.props.appRepositories)])];
  return others.filter((r) => r !== repository).map((r) => p.token(r, environment, workflow));
}

/** Publishes a static site: trusted from the site's repository through frontend-deploy.yml on main. */
export function siteDeployRole(p: GitHubPipeline, env: PipelineEnvironment): void {
  const appRepository = p.props.appRepositories[SITE_REPOSITORY_KEY];
  if (appRepository === undefined) return;
  const { project, accountId } = p.props;
  const role = appRepositoryRole(p, env, appRepository, env.name, 'frontend-deploy.yml', {
    key: `${env.name}SiteDeploy`,
    name: pipelineRoleNames.siteDeploy(project, env.name),
    policyName: 'publish-site',
    statements: siteDeployStatements({ accountId, region: env.region, project, env: env.name }),
  });
  declareContract(
    role,
    p.notifying(
      role,
      `${env.name}SiteDeploy`,
      siteDeployContract(p.contractScope, {
        env: env.name,
        region: env.region,
        token: p.token(appRepository, env.name, 'frontend-deploy.yml'),
        otherTokens: [
          p.token(appRepository, env.name, 'app-image.yml'),
          ...otherRepositoryTokens(p, appRepository, env.name, 'frontend-deploy.yml'),
        ],
      }),
      { scope: p.alertScope(env), steps: ['notifySite'] },
    ),
  );
}

/**
 * A service's schema migrations before its rollout (app-image's `migrate` job): its repository,
 * GitHub environment `<env>-migrate` (a `sub` the deploy role does not accept, and a gate of its
 * own), app-image.yml on main: a role of its own, so the deploy role holds no database-admin power
 * and the deploy token cannot run the migration.
 */
export function serviceMigrateRole(p: GitHubPipeline, env: PipelineEnvironment, service: string): void {
  const appRepository = p.props.appRepositories[service];
  if (appRepository === undefined) return;
  const { project, accountId } = p.props;
  const role = appRepositoryRole(p, env, appRepository, migrateEnvironment(env.name), 'app-image.yml', {
    key: `${env.name}Migrate-${service}`,
    name: pipelineRoleNames.serviceMigrate(project, env.name, service),
    policyName: 'run-migrations',
    statements: serviceMigrateStatements(
      {
        accountId,
        region: env.region,
        project,
        env: env.name,
        service,
      },
      env.backupBeforeChanges ?? false,
    ),
  });
  declareContract(
    role,
    p.notifying(
      role,
      `${env.name}Migrate-${service}`,
      migrateContract(p.contractScope, {
        env: env.name,
        region: env.region,
        service,
        backup: env.backupBeforeChanges ?? false,
        token: p.token(appRepository, migrateEnvironment(env.name), 'app-image.yml'),
        otherTokens: [
          p.token(appRepository, env.name, 'app-image.yml'),
          p.token(p.props.repository, migrateEnvironment(env.name), 'db-migrate.yml'),
          ...otherRepositoryTokens(p, appRepository, migrateEnvironment(env.name), 'app-image.yml'),
        ],
      }),
      { scope: p.alertScope(env), steps: ['notifyServiceMigration'] },
    ),
  );
}

/**
 * A role an application repository assumes: only from that repository's GitHub environment
 * `environment` on its main (or release tags), through `workflow` of this repository on main.
 */
export function appRepositoryRole(
  p: GitHubPipeline,
  env: PipelineEnvironment,
  appRepository: string,
  environment: string,
  workflow: string,
  role: { key: string; name: string; policyName: string; statements: PolicyStatement[] },
): IamRole {
  const { repository } = p.props;
  const created = p.role(
    role.key,
    role.name,
    {
      sub: `repo:${appRepository}:environment:${environment}`,
      repository: p.idsOf(appRepository),
      // The application repository's own ref: its main (and release tags where the environment
      // deploys on them), never a pull request's branch calling the workflow.
      ref: env.releaseTags ? [MAIN, 'refs/tags/v*'] : [MAIN],
      workflows: [`${repository}/.github/workflows/${workflow}@${MAIN}`],
    },
    3600,
  );
  p.inline(created, `${role.key}Policy`, role.policyName, role.statements);
  return created;
}

/**
 * The pipeline role names as the tests expect them, spelled out here (not imported from the
 * generator or the constructs), so a change of the naming scheme fails the tests that use these;
 * which environments and accounts exist comes from the registry.
 */
import { accountOf, environmentsOf, registry, type EnvironmentConfig } from '../../environments';

export const envs = Object.values(registry.environments);
export const accounts = Object.entries(registry.accounts).map(([slug, account]) => {
  return { slug, account, envs: environmentsOf(registry, slug), project: account.project };
});
export const projectOf = (env: EnvironmentConfig) => accountOf(registry, env).account.project;
export const arn = (accountId: string, role: string) => `arn:aws:iam::${accountId}:role/${role}`;
export const envRole = (env: EnvironmentConfig, kind: 'plan' | 'apply') =>
  arn(env.accountId, `${projectOf(env)}-${env.name}-github-${kind}`);
export const deployRole = (env: EnvironmentConfig, service: string) =>
  arn(env.accountId, `${projectOf(env)}-${env.name}-github-deploy-${service}`);
/** The services of an environment that have an application repository (and so a deploy role). */
export const deployedServices = (env: EnvironmentConfig) =>
  Object.keys(env.services).filter((s) => accountOf(registry, env).account.github.appRepositories[s]);
export const accountRole = (a: (typeof accounts)[number], kind: 'plan' | 'apply') =>
  arn(a.account.accountId, `${a.project}-acct-${a.slug}-github-${kind}`);
/** A service's schema-migration role (services with `migrations` and a repository). */
export const serviceMigrateRole = (env: EnvironmentConfig, service: string) =>
  arn(env.accountId, `${projectOf(env)}-${env.name}-github-migrate-${service}`);
/** An environment's warning topic: `<project>-<env>-alerts-warning` in its region. */
export const envWarningTopic = (env: EnvironmentConfig) =>
  `arn:aws:sns:${env.region}:${env.accountId}:${projectOf(env)}-${env.name}-alerts-warning`;
/** An account's warning topic (its baseline's): `<project>-alerts-warning` in the account's region. */
export const accountWarningTopic = (a: (typeof accounts)[number]) =>
  `arn:aws:sns:${a.account.region}:${a.account.accountId}:${a.project}-alerts-warning`;

/**
 * The GitHub Actions workflows, generated from the environments registry: the PR diff and drift
 * matrices, one deploy workflow per environment and per account (thin callers of `_deploy.yml`),
 * manual Terraform operations, and the application image workflow. `npm run workflows` writes them
 * (scripts/generate-workflows.ts); a test fails when the files on disk are stale. Why the pipeline
 * looks like this: docs/architecture.md.
 */
import { accountOf, type Registry } from '../../environments/registry';
import { shardCountFor } from '../offline/shard';
import { registryStackIds } from '../../stacks/stack-ids';
import { appImage } from './app-image';
import { ci } from './ci';
import { dbMigrate } from './db-migrate';
import { accountDeploys, environmentDeploys, reusableDeploy } from './deploy';
import { drift } from './drift';
import { frontendDeploy } from './frontend-deploy';
import { prDiff } from './pr-diff';
import { accountTargets, environmentTargets } from './targets';
import { terraformOps } from './terraform-ops';

export { ACTION_PIN, ACTIONS, HEADER, PINNED_ACTIONS } from './common';
export { unpinnedActions } from './pin-check';

/** Every workflow file: name -> content. */
export function generateWorkflows(registry: Registry): Record<string, string> {
  // Every environment must deploy into a registry account (buildRegistry checks; a hand-made one may not).
  for (const env of Object.values(registry.environments)) accountOf(registry, env);
  const envs = environmentTargets(registry);
  return {
    'ci.yml': ci(shardCountFor(registryStackIds(registry).length)),
    'pr-diff.yml': prDiff(envs),
    '_deploy.yml': reusableDeploy(envs),
    ...environmentDeploys(envs),
    ...accountDeploys(accountTargets(registry)),
    'terraform-ops.yml': terraformOps(envs),
    'drift.yml': drift(envs),
    'app-image.yml': appImage(registry),
    ...withFile('db-migrate.yml', dbMigrate(registry)),
    ...withFile('frontend-deploy.yml', frontendDeploy(registry)),
  };
}

const withFile = (name: string, content: string | undefined) => (content ? { [name]: content } : {});

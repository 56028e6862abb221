/**
 * The claims of the GitHub pipeline's roles (github-oidc.ts): the ids a repository's tokens carry,
 * a job's token (what a contract tests the trust with) and a trust policy's claims.
 */
import type { GitHubPipelineProps } from './github-oidc';
import { type GitHubClaims, type GitHubToken, MAIN, type RepositoryIds } from './trust';

/** The ids of `repository` (`owner/name`), which config must carry (accounts.ts, `repositoryIds`). */
export function repositoryIdsOf(props: GitHubPipelineProps, repository: string): RepositoryIds {
  const ids = props.repositoryIds[repository];
  if (!ids) throw new Error(`github.repositoryIds has no entry for ${repository}`);
  return ids;
}

/**
 * The claims of a job of `repository` in GitHub environment `environment` running `workflow` (of
 * this repository): a job of this repository runs it at its own ref; an application repository
 * calls it at main (`uses: <this repository>/.github/workflows/<workflow>@main`).
 */
export function jobToken(
  props: GitHubPipelineProps,
  repository: string,
  environment: string,
  workflow?: string,
  ref = MAIN,
): GitHubToken {
  const at = repository === props.repository ? ref : MAIN;
  return {
    sub: `repo:${repository}:environment:${environment}`,
    repository: repositoryIdsOf(props, repository),
    ref,
    ...(workflow ? { workflow: `${props.repository}/.github/workflows/${workflow}@${at}` } : {}),
  };
}

/** Claims for a trust policy: `token`'s subject and ids, and the refs (and workflow) it may run at. */
export function trustClaims(
  props: GitHubPipelineProps,
  repository: string,
  environment: string,
  refs?: readonly string[],
  workflow?: string,
): GitHubClaims {
  return {
    sub: `repo:${repository}:environment:${environment}`,
    repository: repositoryIdsOf(props, repository),
    ...(refs ? { ref: refs } : {}),
    ...(refs && workflow
      ? { workflows: refs.map((r) => `${props.repository}/.github/workflows/${workflow}@${r}`) }
      : {}),
  };
}

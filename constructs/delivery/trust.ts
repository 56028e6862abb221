/**
 * Web-identity trust for GitHub Actions tokens. Besides `sub` (repository and GitHub environment),
 * AWS STS checks GitHub's own claims (docs/architecture.md, "Security model"): `ref` (which branch or
 * tag ran the job; with `environment:` subjects the `sub` has no ref), `job_workflow_ref` (which
 * workflow file at which ref the job runs: `_deploy.yml`, `app-image.yml`), and the immutable
 * `repository_id` and `repository_owner_id` (a repository renamed, or deleted and re-created under
 * the same name, keeps its name in `sub` but gets a new id).
 */
import type { ContextValues, TrustRequest } from '../core/role-contract';
import { policyDocument } from '../core/iam';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const MAIN = 'refs/heads/main';

/**
 * The GitHub environment of a migration job (`<env>-migrate`): a gate of its own, and a `sub` no
 * deploy or apply token carries, so no token is accepted by both a migration role and another role.
 */
export const migrateEnvironment = (env: string) => `${env}-migrate`;

/** GitHub's immutable ids of a repository and of its owner (`github.repositoryIds` in accounts.ts). */
export interface RepositoryIds {
  readonly id: string;
  readonly ownerId: string;
}

export interface GitHubClaims {
  /** The one `sub` the role trusts: `repo:<owner/name>:environment:<env>`. */
  readonly sub: string;
  /** The ids of the repository `sub` names (StringEquals `repository_id`, `repository_owner_id`). */
  readonly repository: RepositoryIds;
  /** `ref` patterns (StringLike): `refs/heads/main`, `refs/tags/v*`. */
  readonly ref?: readonly string[];
  /** `job_workflow_ref` patterns (StringLike): `<owner/repo>/.github/workflows/<file>@<ref>`. */
  readonly workflows?: readonly string[];
}

const claim = (name: string) => `${GITHUB_OIDC_HOST}:${name}`;

export function githubTrust(providerArn: string, claims: GitHubClaims): string {
  const like: Record<string, readonly string[]> = {};
  if (claims.ref) like[claim('ref')] = claims.ref;
  if (claims.workflows) like[claim('job_workflow_ref')] = claims.workflows;
  return policyDocument([
    {
      Sid: 'GitHubActions',
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [claim('aud')]: 'sts.amazonaws.com',
          [claim('sub')]: [claims.sub],
          [claim('repository_id')]: claims.repository.id,
          [claim('repository_owner_id')]: claims.repository.ownerId,
        },
        ...(Object.keys(like).length > 0 ? { StringLike: like } : {}),
      },
    },
  ]);
}

/** The claims of one GitHub Actions token, as a role contract's trust request carries them. */
export interface GitHubToken {
  readonly sub: string;
  readonly repository: RepositoryIds;
  /** Absent: a token whose job ran on no ref the role names is modelled by passing one. */
  readonly ref?: string;
  readonly workflow?: string;
}

/** A trust request of `token` against the OIDC provider (the web-identity call STS evaluates). */
export function tokenRequest(providerArn: string, token: GitHubToken, because: string): TrustRequest {
  const context: Record<string, string> = {
    [claim('aud')]: 'sts.amazonaws.com',
    [claim('sub')]: token.sub,
    [claim('repository_id')]: token.repository.id,
    [claim('repository_owner_id')]: token.repository.ownerId,
  };
  if (token.ref !== undefined) context[claim('ref')] = token.ref;
  if (token.workflow !== undefined) context[claim('job_workflow_ref')] = token.workflow;
  return {
    principal: providerArn,
    action: 'sts:AssumeRoleWithWebIdentity',
    context: context satisfies ContextValues,
    because,
  };
}

/**
 * The tokens a role must refuse, derived from the one it accepts: the same names from a re-created
 * repository (new id), from another owner's account of the same name (new owner id), and from a pull
 * request's merge ref (roles that deploy only from main or release tags).
 */
export function forgedTokens(
  providerArn: string,
  token: GitHubToken,
  opts: { readonly pullRequest: boolean },
): TrustRequest[] {
  const other = (id: string) => String(BigInt(id) + 1n);
  return [
    tokenRequest(
      providerArn,
      { ...token, repository: { ...token.repository, id: other(token.repository.id) } },
      'the same name, another repository (renamed away, or deleted and re-created): a new repository_id',
    ),
    tokenRequest(
      providerArn,
      { ...token, repository: { ...token.repository, ownerId: other(token.repository.ownerId) } },
      'the owner name taken over by another account: a new repository_owner_id',
    ),
    ...(opts.pullRequest
      ? [
          tokenRequest(
            providerArn,
            { ...token, ref: 'refs/pull/1/merge' },
            "a pull request's merge ref calling the same workflow",
          ),
        ]
      : []),
  ];
}

/**
 * Web-identity trust for GitHub Actions tokens. Besides `sub` (repository and GitHub environment),
 * AWS STS checks GitHub's own claims (docs/architecture.md, "Security model"): `ref` (which branch or
 * tag ran the job; with `environment:` subjects the `sub` has no ref) and `job_workflow_ref` (which
 * workflow file at which ref the job runs: `_deploy.yml`, `app-image.yml`).
 */
import { document } from './statements';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const MAIN = 'refs/heads/main';

export interface GitHubClaims {
  /** The one `sub` the role trusts: `repo:<owner/name>:environment:<env>`. */
  readonly sub: string;
  /** `ref` patterns (StringLike): `refs/heads/main`, `refs/tags/v*`. */
  readonly ref?: readonly string[];
  /** `job_workflow_ref` patterns (StringLike): `<owner/repo>/.github/workflows/<file>@<ref>`. */
  readonly workflows?: readonly string[];
}

export function githubTrust(providerArn: string, claims: GitHubClaims): string {
  const like: Record<string, readonly string[]> = {};
  if (claims.ref) like[`${GITHUB_OIDC_HOST}:ref`] = claims.ref;
  if (claims.workflows) like[`${GITHUB_OIDC_HOST}:job_workflow_ref`] = claims.workflows;
  return document([
    {
      Sid: 'GitHubActions',
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: [claims.sub],
        },
        ...(Object.keys(like).length > 0 ? { StringLike: like } : {}),
      },
    },
  ]);
}

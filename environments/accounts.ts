/**
 * Account-level settings, and the placeholders a new team replaces first: the account id, the
 * project slug and the root domain. Everything else derives from these.
 */
import type { AccountConfigInput } from './schema';

/** Prefix of every resource name. */
export const PROJECT = 'webplat';
/** The site's apex domain: prod serves it, the other environments serve `<env>.<ROOT_DOMAIN>`. */
export const ROOT_DOMAIN = 'example.com';
/**
 * The one AWS account dev, staging and prod share here (replace with yours). Recommended: production
 * in an account of its own — a second entry below and prod's `accountId` pointing at it
 * (docs/architecture.md, "Accounts: the recommended layout").
 */
export const MAIN_ACCOUNT_ID = '111111111111';
/** The enterprise profile's own account (replace with yours): EKS, MSK and Aurora, apart from the rest. */
export const ENTERPRISE_ACCOUNT_ID = '333333333333';
/** Home region of the account and of every environment here (seed 001: us-east-1). */
export const HOME_REGION = 'us-east-1';
/**
 * GitHub's ids of this repository and of each application repository, and of their owner (replace
 * with yours: `gh api repos/OWNER/NAME --jq .id,.owner.id`, or `id` and `owner.id` on
 * https://api.github.com/repos/OWNER/NAME). Every pipeline role's trust pins them beside the names:
 * a repository renamed, or deleted and re-created under the same name, gets a new id and no role.
 */
export const GITHUB_OWNER_ID = '100000000';
export const GITHUB_REPOSITORY_IDS = {
  'example-org/platform-infrastructure': { id: '100000001', ownerId: GITHUB_OWNER_ID },
  'example-org/frontend': { id: '100000002', ownerId: GITHUB_OWNER_ID },
  'example-org/backend': { id: '100000003', ownerId: GITHUB_OWNER_ID },
};

/** An account of this project: its own state backend, this repository, the same admins and alerts. */
function projectAccount(accountId: string): AccountConfigInput {
  return {
    accountId,
    project: PROJECT,
    // Terraform state of every stack in the account, created by its `state-<account>` stack.
    state: {
      bucket: `${PROJECT}-tfstate-${accountId}`,
      lockTable: `${PROJECT}-tflock`,
      region: HOME_REGION,
      kmsKeyAlias: `alias/${PROJECT}-tfstate`,
    },
    region: HOME_REGION,
    github: {
      owner: 'example-org',
      repository: 'platform-infrastructure',
      // Service -> the repository whose image workflow deploys it (its deploy roles trust only that one).
      appRepositories: { frontend: 'example-org/frontend', backend: 'example-org/backend' },
      repositoryIds: GITHUB_REPOSITORY_IDS,
    },
    adminPrincipalArns: [`arn:aws:iam::${accountId}:role/platform-admin`],
    baseline: {
      guardDutyRuntimeMonitoring: true,
      config: { enabled: true },
      // GuardDuty findings, root activity and IAM policy changes (the account's alert topics).
      alerts: {
        critical: [{ email: 'security@example.com' }],
        warning: [{ email: 'platform-alerts@example.com' }],
      },
    },
  };
}

export const accounts: Record<string, AccountConfigInput> = {
  main: projectAccount(MAIN_ACCOUNT_ID),
  enterprise: projectAccount(ENTERPRISE_ACCOUNT_ID),
};

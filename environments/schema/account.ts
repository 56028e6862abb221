/**
 * `accounts.<slug>`: an AWS account with what its environments share: the project prefix, the Terraform
 * state backend, the GitHub repositories that deploy into it and the account baseline.
 */
import { z } from './zod';
import { EnvironmentConfigError, toIssues } from './errors';
import { accountIdSchema, iamPrincipalArnSchema, regionSchema, slug } from './primitives';
import { subscribersSchema } from './observability';

export const stateSchema = z.strictObject({
  bucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be an S3 bucket name (3-63 lowercase letters, digits, . and -)',
    ),
  lockTable: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name'),
  region: regionSchema,
  kmsKeyAlias: z
    .string()
    .regex(/^alias\/[A-Za-z0-9/_-]+$/, 'must be a KMS alias such as alias/platform-tfstate')
    .refine((v) => !v.startsWith('alias/aws/'), { error: 'alias/aws/ is reserved for AWS managed keys' }),
  /** Terraform 1.10+ S3-native locking, in addition to the DynamoDB table. Default: false. */
  useLockfile: z.boolean().default(false),
});

const githubRepoName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a GitHub repository name');
const githubOwnerName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9_.-]+$/, 'must be owner/name');
/** GitHub's numeric ids are what its tokens carry (`repository_id`, `repository_owner_id`), as digit strings. */
const githubId = z.string().regex(/^[1-9][0-9]{0,19}$/, 'must be a GitHub numeric id (digits)');

/** Where to read a repository's ids: the message of every missing or stale entry. */
const idsHint = (repository: string) =>
  `gh api repos/${repository} --jq .id,.owner.id (or https://api.github.com/repos/${repository}: id, owner.id)`;

export const accountConfigSchema = z.strictObject({
  accountId: accountIdSchema,
  /** Prefix of every resource name in the account (environments' resources, state, baseline). */
  project: slug(16),
  /**
   * Terraform state of every stack in the account (created by the `state-<account>` stack). It
   * belongs to the account, not to an environment: all of the account's stacks share it.
   */
  state: stateSchema,
  /** Home region: the baseline stack (GuardDuty, Config, CloudTrail home) lives here. */
  region: regionSchema,
  github: z
    .strictObject({
      owner: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, 'must be a GitHub user or organization'),
      repository: githubRepoName,
      /**
       * Service name -> `owner/name` of the application repository whose image workflow deploys that
       * service into this account's environments. Each (environment, service) pair gets its own deploy
       * role, trusted only from that repository; a service without an entry has no deploy role.
       */
      appRepositories: z
        .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a service name'), githubOwnerName)
        .default({}),
      /**
       * `owner/name` -> GitHub's immutable ids of that repository and its owner, for this repository
       * and every application repository above (`gh api repos/OWNER/NAME --jq .id,.owner.id`). Every
       * role's trust pins them beside the names (`repository_id`, `repository_owner_id`): a repository
       * renamed away, or deleted and re-created under the same name, gets a new id and no role.
       */
      repositoryIds: z.record(githubOwnerName, z.strictObject({ id: githubId, ownerId: githubId })),
    })
    .superRefine((github, ctx) => {
      // A token carries its repository, not the service: a repository deploying two services would
      // open both services' roles with one token.
      const deploys = new Map<string, string>();
      for (const [service, repository] of Object.entries(github.appRepositories)) {
        const first = deploys.get(repository.toLowerCase());
        if (first !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['appRepositories', service],
            message: `${repository} deploys ${first} already: one repository per service (its token opens that service's roles only)`,
          });
        deploys.set(repository.toLowerCase(), service);
      }
      const named = [`${github.owner}/${github.repository}`, ...Object.values(github.appRepositories)];
      for (const repository of new Set(named))
        if (github.repositoryIds[repository] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['repositoryIds'],
            message: `${repository} has no ids: ${idsHint(repository)}`,
          });
      const owners = new Map<string, string>();
      for (const [repository, ids] of Object.entries(github.repositoryIds)) {
        if (!named.includes(repository))
          ctx.addIssue({
            code: 'custom',
            path: ['repositoryIds', repository],
            message: `${repository} is neither this repository nor an application repository: remove it`,
          });
        const owner = repository.split('/')[0].toLowerCase();
        const seen = owners.get(owner);
        if (seen !== undefined && seen !== ids.ownerId)
          ctx.addIssue({
            code: 'custom',
            path: ['repositoryIds', repository, 'ownerId'],
            message: `${owner} has two owner ids (${seen}, ${ids.ownerId}): ${idsHint(repository)}`,
          });
        owners.set(owner, ids.ownerId);
      }
    }),
  /**
   * Where the `state-<account>` stack keeps its own state: `local` until the bootstrap apply has
   * created the bucket, then `s3` (and `terraform init -migrate-state`). Default: local.
   */
  stateBackend: z.enum(['local', 's3']).default('local'),
  /** Humans and break-glass roles that keep access to state (bootstrap, migration, recovery). */
  adminPrincipalArns: z
    .array(iamPrincipalArnSchema)
    .min(1, 'needs at least one admin principal (bootstrap and break-glass)'),
  baseline: z
    .strictObject({
      /** GuardDuty runtime monitoring with the ECS Fargate agent. Default: false. */
      guardDutyRuntimeMonitoring: z.boolean().default(false),
      config: z
        .strictObject({
          /** AWS Config recorder, delivery channel and managed rules. Default: true. */
          enabled: z.boolean().default(true),
          deliveryFrequency: z
            .enum(['One_Hour', 'Three_Hours', 'Six_Hours', 'Twelve_Hours', 'TwentyFour_Hours'])
            .default('TwentyFour_Hours'),
        })
        .prefault({}),
      /** Days CloudTrail logs are kept in their bucket. Default: 365. */
      trailRetentionDays: z.number().int().min(90).default(365),
      /**
       * Subscribers of the account's alert topics (`<project>-alerts-critical` / `-warning`): GuardDuty
       * findings (severity >= 7 critical, >= 4 warning), root activity and IAM policy changes. Default: none.
       */
      alerts: subscribersSchema.prefault({}),
      /** Activate Project/Environment as cost-allocation tags (fails until billing has seen them). Default: false. */
      activateCostAllocationTags: z.boolean().default(false),
    })
    .prefault({}),
});

export const accountsConfigSchema = z
  .record(slug(20), accountConfigSchema)
  .refine((a) => Object.keys(a).length > 0, { error: 'needs at least one account' });

export type AccountConfigInput = z.input<typeof accountConfigSchema>;
export type AccountConfig = z.output<typeof accountConfigSchema>;
export type AccountsConfig = Record<string, AccountConfig>;
/** Where an account's stacks keep their Terraform state. */
export type StateConfig = AccountConfig['state'];

/** Validates `accounts.ts`; paths start with `accounts.`. */
export function parseAccountsConfig(input: unknown): AccountsConfig {
  const result = accountsConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new EnvironmentConfigError('accounts config', toIssues(result.error, ['accounts']));
}

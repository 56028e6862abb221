/**
 * The set of accounts and environments, validated together: each environment on its own (schema.ts)
 * and the rules that span them (account references, shared state, unique names).
 */
import {
  EnvironmentConfigError,
  environmentConfigSchema,
  parseAccountsConfig,
  type AccountConfig,
  type AccountsConfig,
  type ConfigIssue,
  type EnvironmentConfig,
  toIssues,
} from './schema';

export interface Registry {
  readonly accounts: AccountsConfig;
  /** Environment name -> validated config, in declaration order. */
  readonly environments: Record<string, EnvironmentConfig>;
}

/** The account slug an environment deploys into. */
export function accountOf(
  registry: Registry,
  env: EnvironmentConfig,
): { slug: string; account: AccountConfig } {
  const entry = Object.entries(registry.accounts).find(([, a]) => a.accountId === env.accountId);
  if (!entry) throw new Error(`environment ${env.name}: no account with id ${env.accountId}`); // excluded by buildRegistry
  return { slug: entry[0], account: entry[1] };
}

/** The environments deploying into an account, in declaration order. */
export function environmentsOf(registry: Registry, accountSlug: string): EnvironmentConfig[] {
  const id = registry.accounts[accountSlug]?.accountId;
  return Object.values(registry.environments).filter((e) => e.accountId === id);
}

/**
 * Validates everything and throws one EnvironmentConfigError with every problem, paths prefixed
 * `environments.<name>.` or `accounts.<slug>.`.
 */
export function buildRegistry(accountsInput: unknown, environmentInputs: readonly unknown[]): Registry {
  const issues: ConfigIssue[] = [];
  let accounts: AccountsConfig = {};
  try {
    accounts = parseAccountsConfig(accountsInput);
  } catch (e) {
    if (!(e instanceof EnvironmentConfigError)) throw e;
    issues.push(...e.issues);
  }

  const environments: Record<string, EnvironmentConfig> = {};
  environmentInputs.forEach((input, index) => {
    const rawName =
      typeof input === 'object' && input && 'name' in input ? (input as { name: unknown }).name : undefined;
    const label = typeof rawName === 'string' && rawName ? rawName : `#${index}`;
    const result = environmentConfigSchema.safeParse(input);
    if (!result.success) {
      issues.push(...toIssues(result.error, ['environments', label]));
      return;
    }
    if (environments[result.data.name]) {
      issues.push({ path: `environments.${label}.name`, message: `${result.data.name} is defined twice` });
      return;
    }
    environments[result.data.name] = result.data;
  });

  const byAccount = new Map<string, EnvironmentConfig[]>();
  const known = Object.entries(accounts);
  for (const env of Object.values(environments)) {
    const match = known.find(([, a]) => a.accountId === env.accountId);
    if (!match) {
      issues.push({
        path: `environments.${env.name}.accountId`,
        message: `${env.accountId} is not an account in environments/accounts.ts (known: ${known.map(([s, a]) => `${s}=${a.accountId}`).join(', ') || 'none'})`,
      });
      continue;
    }
    byAccount.set(match[0], [...(byAccount.get(match[0]) ?? []), env]);
  }

  for (const [slug, account] of known) {
    const envs = byAccount.get(slug) ?? [];
    if (envs.length === 0 && Object.keys(environments).length > 0) {
      issues.push({
        path: `accounts.${slug}`,
        message: `no environment uses account ${account.accountId}: its state and baseline stacks take their project and state settings from its environments`,
      });
      continue;
    }
    const [first, ...rest] = envs;
    for (const env of rest) {
      if (env.project !== first.project) {
        issues.push({
          path: `environments.${env.name}.project`,
          message: `${env.project} differs from ${first.name}'s ${first.project}; environments in account ${slug} share one project`,
        });
      }
      for (const key of ['bucket', 'lockTable', 'region', 'kmsKeyAlias', 'useLockfile'] as const) {
        if (env.state[key] !== first.state[key]) {
          issues.push({
            path: `environments.${env.name}.state.${key}`,
            message: `${String(env.state[key])} differs from ${first.name}'s ${String(first.state[key])}; environments in account ${slug} share one state backend`,
          });
        }
      }
    }
  }

  if (issues.length > 0) throw new EnvironmentConfigError('platform config', issues);
  return { accounts, environments };
}

/**
 * The set of accounts and environments, validated together: each environment on its own (schema/)
 * and the rules that span them (registry-rules.ts: account references, unique domains, the deploy
 * chain; warnings for overlapping VPCs and unused accounts). Account facts (project, state) are read
 * from the account (`accountOf`), never from "the first environment of the account".
 */
import {
  deployChainProblems,
  duplicateDomains,
  groupByAccount,
  nestedEnvironmentNames,
  overlappingVpcs,
  recoveryRegionConflicts,
  recoveryRegionOf,
  unknownAppRepositoryServices,
  unusedAccounts,
} from './registry-rules';
import { identityPinProblems } from './identity-pins';
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
  /**
   * Reference configurations (docs/architecture.md, "Reference architectures"): a seed's whole
   * architecture, validated by the same schema and synthesized as `reference-<name>` in its
   * account's naming, planned and mock-applied by the tests, never deployed: no pipeline role, no
   * workflow job, a state key under `<project>/reference/` that nothing applies.
   */
  readonly references: Record<string, EnvironmentConfig>;
  /** Problems that do not stop the synth (main.ts prints them once). */
  readonly warnings: readonly ConfigIssue[];
}

/** The account an environment deploys into, with its slug. */
export function accountOf(
  registry: Registry,
  env: EnvironmentConfig,
): { slug: string; account: AccountConfig } {
  const entry = Object.entries(registry.accounts).find(([, a]) => a.accountId === env.accountId);
  if (!entry) throw new Error(`environment ${env.name}: no account with id ${env.accountId}`); // excluded by buildRegistry
  return { slug: entry[0], account: entry[1] };
}

/** The environments deploying into an account, in declaration order (possibly none). */
export function environmentsOf(registry: Registry, accountSlug: string): EnvironmentConfig[] {
  const id = registry.accounts[accountSlug]?.accountId;
  return Object.values(registry.environments).filter((e) => e.accountId === id);
}

/**
 * The account's recovery region: the `recovery.region` its environments agree on (buildRegistry
 * rejects two), undefined when every environment of the account says `strategy: 'none'`. References
 * are never applied and do not count.
 */
export function accountRecoveryRegion(registry: Registry, accountSlug: string): string | undefined {
  return recoveryRegionOf(environmentsOf(registry, accountSlug));
}

/**
 * The environments in deploy-chain order: declaration order, except that an environment with
 * `deploy.after` comes after the environment it waits for (dev, staging, prod here).
 */
export function deployOrder(registry: Registry): EnvironmentConfig[] {
  const order: EnvironmentConfig[] = [];
  const visit = (env: EnvironmentConfig, path: readonly string[]): void => {
    if (order.includes(env)) return;
    if (path.includes(env.name)) throw new Error(`deploy chain cycle at ${env.name}`); // excluded by buildRegistry
    const after = env.deploy.after;
    if (after !== undefined) visit(registry.environments[after], [...path, env.name]);
    order.push(env);
  };
  for (const env of Object.values(registry.environments)) visit(env, []);
  return order;
}

/**
 * Validates everything and throws one EnvironmentConfigError with every problem, paths prefixed
 * `environments.<name>.` or `accounts.<slug>.`.
 */
export function buildRegistry(
  accountsInput: unknown,
  environmentInputs: readonly unknown[],
  referenceInputs: readonly unknown[] = [],
): Registry {
  const issues: ConfigIssue[] = [];
  let accounts: AccountsConfig = {};
  try {
    accounts = parseAccountsConfig(accountsInput);
  } catch (e) {
    if (!(e instanceof EnvironmentConfigError)) throw e;
    issues.push(...e.issues);
  }
  const environments = parseEnvironments(environmentInputs, issues);
  const allParsed = Object.keys(environments).length === environmentInputs.length;
  const references = parseEnvironments(referenceInputs, issues, 'references');
  for (const name of Object.keys(references))
    if (environments[name])
      issues.push({ path: `references.${name}.name`, message: `${name} is also an environment` });
  // Domains, names and identity pins span both: a reference is built like an environment.
  const everything = { ...environments, ...references };

  const { byAccount, errors } = groupByAccount(accounts, environments);
  issues.push(
    ...groupByAccount(accounts, references).errors.map((e) => ({
      ...e,
      path: e.path.replace(/^environments\./, 'references.'),
    })),
  );
  issues.push(
    ...errors,
    ...duplicateDomains(everything),
    ...nestedEnvironmentNames(everything),
    ...recoveryRegionConflicts(byAccount),
  );
  const pins = identityPinProblems(everything);
  issues.push(...pins.errors);
  // The chain spans every environment: with one of them invalid, `after` references to it would
  // only repeat its own problems as "not an environment".
  if (allParsed)
    issues.push(...deployChainProblems(environments), ...unknownAppRepositoryServices(byAccount, accounts));
  const warnings = [...overlappingVpcs(byAccount), ...pins.warnings];
  if (Object.keys(environments).length > 0) warnings.push(...unusedAccounts(byAccount, accounts));

  if (issues.length > 0) throw new EnvironmentConfigError('platform config', issues);
  return { accounts, environments, references, warnings };
}

/** Each environment through its schema; problems go to `issues`, prefixed `<section>.<name>`. */
function parseEnvironments(
  inputs: readonly unknown[],
  issues: ConfigIssue[],
  section = 'environments',
): Record<string, EnvironmentConfig> {
  const environments: Record<string, EnvironmentConfig> = {};
  inputs.forEach((input, index) => {
    const rawName =
      typeof input === 'object' && input && 'name' in input ? (input as { name: unknown }).name : undefined;
    const label = typeof rawName === 'string' && rawName ? rawName : `#${index}`;
    const result = environmentConfigSchema.safeParse(input);
    if (!result.success) {
      issues.push(...toIssues(result.error, [section, label]));
      return;
    }
    if (environments[result.data.name]) {
      issues.push({ path: `${section}.${label}.name`, message: `${result.data.name} is defined twice` });
      return;
    }
    environments[result.data.name] = result.data;
  });
  return environments;
}

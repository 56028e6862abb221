/**
 * Rules that span environments and accounts, run by buildRegistry once every environment has passed
 * its own schema. Each returns the problems it finds; paths start with `environments.<name>.` or
 * `accounts.<slug>`. Errors stop the synth; warnings (VPC overlaps, unused accounts) are printed.
 */
import { cidrsOverlap, parseCidr } from './rules';
import type { AccountsConfig, ConfigIssue, EnvironmentConfig } from './schema';
import { SITE_REPOSITORY_KEY } from './schema/frontend';

type Environments = Record<string, EnvironmentConfig>;

/** Account slug -> its environments, in declaration order, and errors for unknown account ids. */
export function groupByAccount(
  accounts: AccountsConfig,
  environments: Environments,
): { byAccount: Map<string, EnvironmentConfig[]>; errors: ConfigIssue[] } {
  const byAccount = new Map<string, EnvironmentConfig[]>(Object.keys(accounts).map((s) => [s, []]));
  const errors: ConfigIssue[] = [];
  const known = Object.entries(accounts);
  for (const env of Object.values(environments)) {
    const match = known.find(([, a]) => a.accountId === env.accountId);
    if (match) byAccount.get(match[0])!.push(env);
    else {
      errors.push({
        path: `environments.${env.name}.accountId`,
        message: `${env.accountId} is not an account in environments/accounts.ts (accounts: ${known.map(([s, a]) => `${s}=${a.accountId}`).join(', ') || 'none'})`,
      });
    }
  }
  return { byAccount, errors };
}

/**
 * An account no environment deploys into is a warning, not an error: its state and baseline stacks
 * take everything they need from the account itself, and bootstrapping a new account (state bucket,
 * pipeline roles, GuardDuty/Config/CloudTrail) before its first environment is a legitimate step.
 * It is still worth a line: an account left behind after its environments were removed costs money.
 */
export function unusedAccounts(
  byAccount: Map<string, EnvironmentConfig[]>,
  accounts: AccountsConfig,
): ConfigIssue[] {
  return [...byAccount]
    .filter(([, envs]) => envs.length === 0)
    .map(([slug]) => ({
      path: `accounts.${slug}`,
      message: `no environment deploys into account ${accounts[slug].accountId}: only its state and baseline stacks are synthesized`,
    }));
}

/**
 * An account's recovery region (where its account-level copies go: ECR and state replication, issue
 * 28) is derived from its environments: the one `recovery.region` of those with a strategy other than
 * `none`. Undefined when none has one. Two different regions in one account are a config error (see
 * `recoveryRegionConflicts`); this returns the first.
 */
export function recoveryRegionOf(envs: readonly EnvironmentConfig[]): string | undefined {
  return envs.find((e) => e.recovery.strategy !== 'none' && e.recovery.region)?.recovery.region;
}

/** The environments of one account recover into one region: two different regions name both paths. */
export function recoveryRegionConflicts(byAccount: Map<string, EnvironmentConfig[]>): ConfigIssue[] {
  const errors: ConfigIssue[] = [];
  for (const [slug, envs] of byAccount) {
    const first = envs.find((e) => e.recovery.strategy !== 'none' && e.recovery.region);
    if (!first) continue;
    for (const env of envs) {
      const region = env.recovery.strategy === 'none' ? undefined : env.recovery.region;
      if (region === undefined || region === first.recovery.region) continue;
      errors.push({
        path: `environments.${env.name}.recovery.region`,
        message: `${region} differs from ${first.recovery.region} at environments.${first.name}.recovery.region: the environments of account ${slug} recover into one region (the account's copies go there); choose one`,
      });
    }
  }
  return errors;
}

/** Two environments serving one domain would fight over its records and certificate. */
export function duplicateDomains(environments: Environments): ConfigIssue[] {
  const owner = new Map<string, string>();
  const errors: ConfigIssue[] = [];
  for (const env of Object.values(environments)) {
    const domain = env.dns.domainName;
    const other = owner.get(domain);
    if (other) {
      errors.push({
        path: `environments.${env.name}.dns.domainName`,
        message: `${domain} is already the domain of environment ${other}; each environment needs its own`,
      });
    } else owner.set(domain, env.name);
  }
  return errors;
}

/**
 * The fences of an environment are name prefixes (`<project>-<env>-*`: its roles, buckets, task
 * families, the boundary's "own roles only"): an environment named after another plus `-...`
 * (`dev-eu` beside `dev`) would fall inside the other's fence, and the other could reach it.
 */
export function nestedEnvironmentNames(environments: Environments): ConfigIssue[] {
  const names = Object.keys(environments);
  return names.flatMap((name) => {
    const outer = names.find((other) => other !== name && name.startsWith(`${other}-`));
    return outer
      ? [
          {
            path: `environments.${name}.name`,
            message: `${name} starts with ${outer}-: ${outer}'s name fences (<project>-${outer}-*) would cover ${name}'s resources; choose a name that does not`,
          },
        ]
      : [];
  });
}

/**
 * Overlapping VPC CIDRs in one account are a warning: those VPCs cannot be peered or joined by a
 * transit gateway later. Not an error, because changing a deployed vpcCidr replaces the VPC and
 * everything in it (seed 001 gives dev and prod the same 10.0.0.0/16).
 */
export function overlappingVpcs(byAccount: Map<string, EnvironmentConfig[]>): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  for (const [slug, envs] of byAccount) {
    envs.forEach((env, i) => {
      const cidr = parseCidr(env.network.vpcCidr);
      for (const other of envs.slice(0, i)) {
        const otherCidr = parseCidr(other.network.vpcCidr);
        if (!cidr || !otherCidr || !cidrsOverlap(cidr, otherCidr)) continue;
        const how = cidr.text === otherCidr.text ? 'is the same as' : 'overlaps';
        warnings.push({
          path: `environments.${env.name}.network.vpcCidr`,
          message: `${cidr.text} ${how} ${other.name}'s ${otherCidr.text} in account ${slug}: the two VPCs cannot be peered or routed to each other (changing a deployed vpcCidr replaces the VPC)`,
        });
      }
    });
  }
  return warnings;
}

/** `deploy.after` names another environment, and following `after` never comes back (no cycle). */
export function deployChainProblems(environments: Environments): ConfigIssue[] {
  const errors: ConfigIssue[] = [];
  const names = Object.keys(environments);
  for (const env of Object.values(environments)) {
    const after = env.deploy.after;
    if (after === undefined || (after !== env.name && after in environments)) continue;
    const others = names.filter((n) => n !== env.name);
    errors.push({
      path: `environments.${env.name}.deploy.after`,
      message: `${after === env.name ? `${after} is this environment itself` : `${after} is not an environment`}; deploy after one of the others (environments: ${others.join(', ') || 'none'})`,
    });
  }
  if (errors.length > 0) return errors;
  const reported = new Set<string>();
  for (const env of Object.values(environments)) {
    const chain = [env.name];
    for (let next = env.deploy.after; next !== undefined; next = environments[next].deploy.after) {
      if (next === env.name) {
        if (!chain.some((n) => reported.has(n))) {
          chain.forEach((n) => reported.add(n));
          errors.push({
            path: `environments.${env.name}.deploy.after`,
            message: `the deploy chain has a cycle: ${[...chain, env.name].join(' -> ')}`,
          });
        }
        break;
      }
      if (chain.includes(next)) break; // a cycle further down the chain, reported from its own members
      chain.push(next);
    }
  }
  return errors;
}

/**
 * A deploy role exists per entry of `github.appRepositories`: a key that names no service of the
 * account's environments (a typo, a removed service) would trust a repository for nothing.
 */
export function unknownAppRepositoryServices(
  byAccount: Map<string, EnvironmentConfig[]>,
  accounts: AccountsConfig,
): ConfigIssue[] {
  const errors: ConfigIssue[] = [];
  for (const [slug, envs] of byAccount) {
    if (envs.length === 0) continue;
    // A static site is deployed from the repository under SITE_REPOSITORY_KEY, like a service.
    const sites = envs.some((e) => e.frontend.mode === 'static') ? [SITE_REPOSITORY_KEY] : [];
    const services = [...new Set([...envs.flatMap((e) => Object.keys(e.services)), ...sites])].sort();
    for (const key of Object.keys(accounts[slug].github.appRepositories)) {
      if (!services.includes(key)) {
        errors.push({
          path: `accounts.${slug}.github.appRepositories.${key}`,
          message: `${key} is not a service of the account's environments (services: ${services.join(', ')})`,
        });
      }
    }
  }
  return errors;
}

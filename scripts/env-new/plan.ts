/**
 * The pure part of `npm run env:new`: a new environment's config, derived from an existing one,
 * with its own name, domain, a VPC range no environment of its account uses, and its place in the
 * deploy chain; and the source text of its file and of the registry that lists it.
 */
import * as ipaddr from 'ipaddr.js';
import type { AccountConfig, EnvironmentConfig, EnvironmentConfigInput, Registry } from '../../environments';
import { recoveryRegionOf } from '../../environments/registry-rules';
import { cidrsOverlap, parseCidr } from '../../environments/rules';

export interface NewEnvironmentArgs {
  readonly name: string;
  /** The environment to copy. */
  readonly from: string;
  /** Account slug. Default: the account of `from`. */
  readonly account?: string;
  /** The environment it deploys after. Default: `from`. */
  readonly after?: string;
  /** The site's apex domain; the new environment serves `<name>.<rootDomain>`. */
  readonly rootDomain: string;
}

export class NewEnvironmentError extends Error {}

/** The new environment's input: a copy of `from` with what must differ changed. */
export function newEnvironmentInput(
  registry: Registry,
  inputs: readonly EnvironmentConfigInput[],
  args: NewEnvironmentArgs,
): EnvironmentConfigInput {
  const names = Object.keys(registry.environments);
  if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(args.name) || args.name.length > 10)
    throw new NewEnvironmentError(`${args.name}: a name is a lowercase slug of at most 10 characters`);
  if (names.includes(args.name)) throw new NewEnvironmentError(`${args.name} exists already`);
  const source = inputs.find((e) => e.name === args.from);
  if (!source) throw new NewEnvironmentError(`--from ${args.from}: not an environment (${names.join(', ')})`);
  const after = args.after ?? args.from;
  if (!names.includes(after))
    throw new NewEnvironmentError(`--after ${after}: not an environment (${names.join(', ')})`);
  const account = accountFor(registry, source, args.account);

  const copy = structuredClone(source) as EnvironmentConfigInput & Record<string, unknown>;
  const region = account.region;
  const taken = Object.values(registry.environments)
    .filter((e) => e.accountId === account.accountId)
    .map((e) => e.network.vpcCidr);
  const vpcCidr = freeVpcCidr(copy.network.vpcCidr, taken);
  const domainName = `${args.name}.${args.rootDomain}`;
  return {
    ...copy,
    name: args.name,
    tier: 'non-production',
    accountId: account.accountId,
    region,
    tags: { ...copy.tags, CostCenter: `${(copy.tags?.CostCenter ?? 'platform').split('-')[0]}-${args.name}` },
    network: {
      ...copy.network,
      vpcCidr,
      availabilityZones: copy.network.availabilityZones.map((az) => `${region}${az.slice(-1)}`),
      subnets: {
        public: copy.network.subnets.public.map((c) => rebase(c, copy.network.vpcCidr, vpcCidr)),
        private: copy.network.subnets.private.map((c) => rebase(c, copy.network.vpcCidr, vpcCidr)),
        isolated: copy.network.subnets.isolated.map((c) => rebase(c, copy.network.vpcCidr, vpcCidr)),
      },
    },
    dns: { domainName },
    recovery: recoveryFor(copy.recovery, region, recoveryRegionOf(environmentsIn(registry, account))),
    ...(copy.identity
      ? {
          identity: {
            ...copy.identity,
            ...(copy.identity.callbackUrls
              ? { callbackUrls: movedUrls(copy.identity.callbackUrls, copy.dns.domainName, domainName) }
              : {}),
            ...(copy.identity.logoutUrls
              ? { logoutUrls: movedUrls(copy.identity.logoutUrls, copy.dns.domainName, domainName) }
              : {}),
            ...(copy.identity.email?.sender === 'ses'
              ? { email: movedSender(copy.identity.email, copy.dns.domainName, domainName) }
              : {}),
          },
        }
      : {}),
    deploy: { trigger: 'push', after },
  };
}

/**
 * The new environment's recovery: the source's strategy and objectives, recovering into the
 * account's recovery region (its environments agree on one: buildRegistry rejects two) or, in an
 * account without one, the source's; `none` when that region is the new environment's own.
 */
export function recoveryFor(
  source: EnvironmentConfigInput['recovery'],
  region: string,
  accountRecoveryRegion: string | undefined,
): EnvironmentConfigInput['recovery'] {
  if (source.strategy === 'none') return { strategy: 'none' };
  const target = accountRecoveryRegion ?? source.region;
  return target === undefined || target === region ? { strategy: 'none' } : { ...source, region: target };
}

function environmentsIn(registry: Registry, account: AccountConfig): EnvironmentConfig[] {
  return Object.values(registry.environments).filter((e) => e.accountId === account.accountId);
}

/** Sign-in URLs moved from one domain to another; URLs on other hosts (localhost) stay. */
export function movedUrls(urls: readonly string[], fromDomain: string, toDomain: string): string[] {
  return urls.map((u) => {
    const url = new URL(u);
    if (url.hostname !== fromDomain) return u;
    url.hostname = toDomain;
    return url.toString();
  });
}

type SesSenderInput = Extract<NonNullable<EnvironmentConfigInput['identity']>['email'], { sender: 'ses' }>;

/**
 * The SES sender moved with the domain (it must stay in the environment's zone): an address on the
 * source's domain or a subdomain moves to the new one, and an identity named by `sourceArn` (the
 * source's) is dropped, so the new environment creates its own.
 */
export function movedSender(email: SesSenderInput, fromDomain: string, toDomain: string): SesSenderInput {
  const move = (address: string) => {
    const at = address.lastIndexOf('@');
    const domain = address.slice(at + 1);
    if (domain !== fromDomain && !domain.endsWith(`.${fromDomain}`)) return address;
    return `${address.slice(0, at + 1)}${domain.slice(0, domain.length - fromDomain.length)}${toDomain}`;
  };
  const moved: SesSenderInput = { ...email, from: move(email.from) };
  delete moved.sourceArn;
  if (email.replyTo) moved.replyTo = move(email.replyTo);
  return moved;
}

/** identity-pins.json's text with `name`'s pin added (one line per environment, like the rest). */
export function pinsWith(jsonText: string, name: string, pin: unknown): string {
  const pins = { ...(JSON.parse(jsonText) as Record<string, unknown>), [name]: pin };
  const lines = Object.entries(pins).map(([env, p]) => `  ${JSON.stringify(env)}: ${JSON.stringify(p)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

function accountFor(registry: Registry, source: EnvironmentConfigInput, slug?: string): AccountConfig {
  if (slug === undefined) {
    const found = Object.values(registry.accounts).find((a) => a.accountId === source.accountId);
    if (found) return found;
  }
  const account = slug === undefined ? undefined : registry.accounts[slug];
  if (!account)
    throw new NewEnvironmentError(
      `--account ${slug}: not an account (${Object.keys(registry.accounts).join(', ')})`,
    );
  return account;
}

/** The first 10.N.0.0 range of the source's size that overlaps none of `taken`. */
export function freeVpcCidr(sourceCidr: string, taken: readonly string[]): string {
  const prefix = parseCidr(sourceCidr)?.prefix ?? 16;
  const used = taken.map((c) => parseCidr(c)!);
  for (let n = 0; n < 256; n++) {
    const candidate = `10.${n}.0.0/${prefix}`;
    const parsed = parseCidr(candidate)!;
    if (!used.some((u) => cidrsOverlap(u, parsed))) return candidate;
  }
  throw new NewEnvironmentError('no free 10.N.0.0 range left in this account');
}

/** `cidr`, a subnet of `from`, moved to the same offset inside `to`. */
export function rebase(cidr: string, from: string, to: string): string {
  const [addr, bits] = cidr.split('/');
  const offset = toInt(addr) - toInt(from.split('/')[0]);
  return `${fromInt(toInt(to.split('/')[0]) + offset)}/${bits}`;
}

const toInt = (ip: string) =>
  ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((n, b) => n * 256 + b, 0);
const fromInt = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** A JavaScript identifier for an environment name (`qa-eu` -> `qaEu`). */
export function identifierOf(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `environments/index.ts` with the new environment imported and listed last. */
export function registerEnvironment(indexSource: string, name: string): string {
  const id = identifierOf(name);
  const list = /export const environmentInputs = \[([^\]]*)\];/;
  const match = list.exec(indexSource);
  if (!match)
    throw new NewEnvironmentError('environments/index.ts: no `environmentInputs = [...]` list found');
  const entries = [
    ...match[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    id,
  ];
  return indexSource
    .replace(list, `export const environmentInputs = [${entries.join(', ')}];`)
    .replace(/(import \{ buildRegistry)/, `import { ${id} } from './${name}';\n$1`);
}

/**
 * What only a person can do for the new environment (printed by `npm run env:new`): the GitHub
 * environments its jobs run in — each is a role's subject, so each must exist with its own gate — in
 * this repository and in the application repositories, and the account stack that creates its roles.
 * Repository ids (which every trust pins) come from `gh api repos/OWNER/NAME --jq .id,.owner.id`.
 */
export function manualSteps(input: EnvironmentConfigInput, account: AccountConfig, slug: string): string[] {
  const { name } = input;
  const infra = `${account.github.owner}/${account.github.repository}`;
  const ecs = (input.compute?.platform ?? 'fargate') === 'fargate';
  const migrates = ecs && input.database !== undefined;
  const services = Object.entries(input.services ?? {});
  const appEnvironments = new Map<string, string[]>();
  for (const [service, svc] of services) {
    const repository = account.github.appRepositories[service];
    if (repository === undefined) continue;
    const names = [name, ...(ecs && svc.migrations ? [`${name}-migrate`] : [])];
    appEnvironments.set(repository, [...new Set([...(appEnvironments.get(repository) ?? []), ...names])]);
  }
  const missingIds = [infra, ...appEnvironments.keys()].filter((r) => !account.github.repositoryIds[r]);
  return [
    `GitHub, ${infra}: create the environments ${name}-plan (no reviewers), ${name} (reviewers as needed)${
      migrates ? ` and ${name}-migrate (db-migrate.yml; its reviewers approve database migrations)` : ''
    }.`,
    ...[...appEnvironments].map(
      ([repository, envs]) =>
        `GitHub, ${repository}: create the environment${envs.length > 1 ? 's' : ''} ${envs.join(' and ')} (app-image.yml${
          envs.length > 1 ? `; ${name}-migrate gates its schema migrations` : ''
        }).`,
    ),
    ...(missingIds.length > 0
      ? [
          `accounts.ts: add github.repositoryIds for ${missingIds.join(', ')} (gh api repos/OWNER/NAME --jq .id,.owner.id).`,
        ]
      : []),
    `AWS: deploy the account stack (deploy-account-${slug}) so the new plan/apply/deploy roles exist.`,
  ];
}

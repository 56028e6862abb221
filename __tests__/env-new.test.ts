import { environmentInputs, registry } from '../environments';
import { accounts as accountsInput, ROOT_DOMAIN } from '../environments/accounts';
import { buildRegistry } from '../environments/registry';
import {
  NewEnvironmentError,
  environmentSource,
  freeVpcCidr,
  manualSteps,
  newEnvironmentInput,
  rebase,
  registerEnvironment,
} from '../scripts/env-new/plan';

const staging = Object.values(registry.environments).find((e) => e.deploy.after !== undefined)!;
// Names no registry environment has: the test must keep passing after `env:new` added one.
const free = (base: string) => {
  let name = base;
  for (let i = 2; name in registry.environments; i++) name = `${base}${i}`;
  return name;
};
const QA = free('qa');
const make = (name: string, extra: { after?: string; account?: string } = {}) =>
  newEnvironmentInput(registry, environmentInputs, {
    name,
    from: staging.name,
    rootDomain: ROOT_DOMAIN,
    ...extra,
  });

describe('env:new', () => {
  it('derives an environment the registry accepts, with its own domain, free VPC range and chain place', () => {
    const qa = make(QA);
    const next = buildRegistry(accountsInput, [...environmentInputs, qa]);
    expect(next.environments[QA].dns.domainName).toBe(`${QA}.${ROOT_DOMAIN}`);
    expect(next.environments[QA].deploy).toEqual({ trigger: 'push', after: staging.name });
    // A free range: no warning about overlapping VPCs names the new environment.
    expect(next.warnings.filter((w) => w.path.startsWith(`environments.${QA}.`))).toEqual([]);
    const taken = Object.values(registry.environments).map((e) => e.network.vpcCidr);
    expect(taken).not.toContain(qa.network.vpcCidr);
    expect(qa.tier).toBe('non-production');
  });

  it('deploys after the environment --after names', () => {
    const first = Object.keys(registry.environments)[0];
    expect(make(QA, { after: first }).deploy).toEqual({ trigger: 'push', after: first });
  });

  it('moves every subnet to the same offset in the new range', () => {
    expect(rebase('10.1.20.0/24', '10.1.0.0/16', '10.7.0.0/16')).toBe('10.7.20.0/24');
    expect(freeVpcCidr('10.1.0.0/16', ['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16'])).toBe('10.3.0.0/16');
    expect(() => freeVpcCidr('10.1.0.0/16', ['10.0.0.0/8'])).toThrow(/no free 10\.N\.0\.0 range/);
  });

  it('refuses a taken or malformed name, an unknown source, account or chain predecessor, each in one line', () => {
    const existing = Object.keys(registry.environments)[0];
    expect(() => make(existing)).toThrow(new NewEnvironmentError(`${existing} exists already`));
    expect(() => make('Bad_Name')).toThrow(/lowercase slug/);
    expect(() =>
      newEnvironmentInput(registry, environmentInputs, { name: QA, from: 'nope', rootDomain: ROOT_DOMAIN }),
    ).toThrow(/--from nope: not an environment \(/);
    expect(() => make(QA, { account: 'nope' })).toThrow(/--account nope: not an account \(/);
    expect(() => make(QA, { after: 'nope' })).toThrow(/--after nope: not an environment \(/);
  });

  it('writes a typed environment file and lists it in the registry', () => {
    const source = environmentSource(make('qa-eu'), staging.name);
    expect(source).toMatch(/^import type \{ EnvironmentConfigInput \} from '\.\/schema';/);
    expect(source).toMatch(/export const qaEu: EnvironmentConfigInput = \{/);
    const index =
      "import { buildRegistry } from './registry';\nexport const environmentInputs = [dev, staging];\n";
    expect(registerEnvironment(index, 'qa-eu')).toBe(
      "import { qaEu } from './qa-eu';\nimport { buildRegistry } from './registry';\nexport const environmentInputs = [dev, staging, qaEu];\n",
    );
  });

  it("lists the GitHub environments each role's trust needs, and where the repository ids come from", () => {
    const prod = Object.values(registry.environments).find((e) =>
      Object.values(e.services).some((svc) => svc.migrations),
    )!;
    const [slug, account] = Object.entries(registry.accounts).find(
      ([, a]) => a.accountId === prod.accountId,
    )!;
    const input = newEnvironmentInput(registry, environmentInputs, {
      name: QA,
      from: prod.name,
      rootDomain: ROOT_DOMAIN,
    });
    const steps = manualSteps(input, account, slug);
    const infra = `${account.github.owner}/${account.github.repository}`;
    // This repository: plan, apply and (ECS with a database) the migration's own environment.
    expect(steps[0]).toMatch(new RegExp(`^GitHub, ${infra}: .*${QA}-plan .*${QA} .*${QA}-migrate`));
    // The repository of a service with migrations: its deploy and its migration environments.
    const [svc] = Object.entries(prod.services).find(([, s]) => s.migrations)!;
    expect(steps).toContainEqual(
      expect.stringMatching(
        new RegExp(`^GitHub, ${account.github.appRepositories[svc]}: .*${QA} and ${QA}-migrate`),
      ),
    );
    expect(steps.at(-1)).toMatch(`deploy-account-${slug}`);
    // Ids are in config already: nothing to add; a repository without them is named.
    expect(steps.join('\n')).not.toMatch(/repositoryIds/);
    const bare = { ...account, github: { ...account.github, repositoryIds: {} } };
    expect(manualSteps(input, bare, slug).join('\n')).toMatch(
      /gh api repos\/OWNER\/NAME --jq \.id,\.owner\.id/,
    );
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentInputs, registry } from '../../environments';
import * as accountConstants from '../../environments/accounts';
import { accounts as accountsInput, ROOT_DOMAIN } from '../../environments/accounts';
import { IDENTITY_PINS, identityPinOf } from '../../environments/identity-pins';
import { buildRegistry } from '../../environments/registry';
import {
  NewEnvironmentError,
  freeVpcCidr,
  manualSteps,
  movedUrls,
  newEnvironmentInput,
  pinsWith,
  rebase,
  recoveryFor,
  registerEnvironment,
} from '../../scripts/env-new/plan';
import { environmentSourceFrom, loadEnvironmentSource } from '../../scripts/env-new/source';
import { buildStacks, synth } from '../support/fixtures';

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

  it("recovers like the source, into the account's recovery region, and not into its own region", () => {
    const restore = {
      strategy: 'backup-restore',
      region: 'us-west-2',
      rpoMinutes: 1860,
      rtoMinutes: 240,
    } as const;
    expect(recoveryFor({ strategy: 'none' }, 'us-east-1', 'us-west-2')).toEqual({ strategy: 'none' });
    expect(recoveryFor(restore, 'us-east-1', undefined)).toEqual(restore);
    expect(recoveryFor(restore, 'us-east-1', 'eu-west-1')).toEqual({ ...restore, region: 'eu-west-1' });
    expect(recoveryFor(restore, 'us-west-2', undefined)).toEqual({ strategy: 'none' });
    // The written file says the changed section exactly.
    const source = environmentInputs.find((e) => e.name === 'prod')!;
    const text = readFileSync(join(__dirname, '..', '..', 'environments', 'prod.ts'), 'utf8');
    const input = { ...source, recovery: recoveryFor(source.recovery, 'us-east-1', 'eu-west-1') };
    const written = environmentSourceFrom(text, source, input, accountConstants);
    const { rpoMinutes, rtoMinutes } = source.recovery as { rpoMinutes: number; rtoMinutes: number };
    expect(written).toContain(
      `recovery: { strategy: 'backup-restore', region: 'eu-west-1', rpoMinutes: ${rpoMinutes}, rtoMinutes: ${rtoMinutes} },`,
    );
  });

  it('lists the new environment in the registry', () => {
    const index =
      "import { buildRegistry } from './registry';\nexport const environmentInputs = [dev, staging];\n";
    expect(registerEnvironment(index, 'qa-eu')).toBe(
      "import { qaEu } from './qa-eu';\nimport { buildRegistry } from './registry';\nexport const environmentInputs = [dev, staging, qaEu];\n",
    );
  });

  it('moves sign-in URLs on the source domain to the new one and keeps the others', () => {
    expect(
      movedUrls(
        ['https://dev.example.com/auth/callback', 'http://localhost:3000/auth/callback'],
        'dev.example.com',
        'qa.example.com',
      ),
    ).toEqual(['https://qa.example.com/auth/callback', 'http://localhost:3000/auth/callback']);
  });

  it('adds the pin of the new user pool as a line of identity-pins.json', () => {
    const text = '{\n  "dev": {"requiredAttributes":["email"],"customAttributes":{}}\n}\n';
    expect(pinsWith(text, 'qa', { requiredAttributes: ['email'], customAttributes: {} })).toBe(
      '{\n  "dev": {"requiredAttributes":["email"],"customAttributes":{}}\n  ,"qa": {"requiredAttributes":["email"],"customAttributes":{}}\n}\n'.replace(
        '}\n  ,"qa"',
        '},\n  "qa"',
      ),
    );
  });

  // From every environment of the registry: the file env:new writes (the source's text, its comments
  // and account constants kept) says exactly what was planned, and the new environment, pinned,
  // joins the registry without a problem and synthesizes.
  describe.each(environmentInputs.map((e) => e.name))('from %s', (from) => {
    const source = environmentInputs.find((e) => e.name === from)!;
    const text = readFileSync(join(__dirname, '..', '..', 'environments', `${from}.ts`), 'utf8');
    const input = newEnvironmentInput(registry, environmentInputs, {
      name: QA,
      from,
      rootDomain: ROOT_DOMAIN,
    });
    const written = environmentSourceFrom(text, source, input, accountConstants);

    it('writes the source file changed only where the environment differs', () => {
      const load = (path: string) => {
        if (path === './accounts') return accountConstants;
        throw new Error(`unexpected import ${path}`);
      };
      expect(loadEnvironmentSource(written, load)).toEqual(input);
      // Comments and constants stay; the source's own domain and name are gone.
      const comments = (t: string) => t.split('\n').filter((l) => l.trim().startsWith('//'));
      expect(comments(written)).toEqual(comments(text));
      expect(written).toContain('ROOT_DOMAIN}');
      expect(written).not.toMatch(/accountId: '\d+'/);
      expect(written).not.toContain(`${from}.\${ROOT_DOMAIN}`);
      expect(written).toMatch(
        new RegExp(`export const ${QA}: EnvironmentConfigInput = \\{\\n  name: '${QA}',`),
      );
    });

    it('joins the registry with its identity pinned and synthesizes', () => {
      const next = buildRegistry(accountsInput, [...environmentInputs, input]);
      const env = next.environments[QA];
      const pins = env.identity ? { ...IDENTITY_PINS, [QA]: identityPinOf(env.identity) } : IDENTITY_PINS;
      expect(next.warnings.filter((w) => w.path.startsWith(`environments.${QA}.`))).toEqual([]);
      if (env.identity) {
        expect(pins[QA]).toEqual(IDENTITY_PINS[from]);
        for (const url of [...env.identity.callbackUrls, ...env.identity.logoutUrls])
          expect(new URL(url).hostname).toMatch(
            new RegExp(`^(localhost|${QA}\\.${ROOT_DOMAIN.replace('.', '\\.')})$`),
          );
      }
      const out = synth(buildStacks(next).platform[QA]);
      expect(out.count('aws_vpc')).toBe(1);
    });
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

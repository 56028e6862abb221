/**
 * `npm run env:new -- <name> --from <env> [--account <slug>] [--after <env>]`: writes
 * `environments/<name>.ts` (a copy of `<env>`'s file, comments and account constants kept, with its
 * own domain and sign-in URLs, a free VPC range and its place in the deploy chain: scripts/env-new/
 * source.ts), lists it in `environments/index.ts`, pins its user pool's immutable fields, regenerates
 * the workflows, the diagrams and docs/roles.md and pins its stateful addresses, so `npm test` passes
 * right after. What only a person can do (GitHub
 * environments, the account's roles) is printed at the end.
 */
import { execFileSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as accountConstants from '../environments/accounts';
import { ROOT_DOMAIN } from '../environments/accounts';
import { buildRegistry, EnvironmentConfigError, environmentInputs, registry } from '../environments';
import { identityPinOf } from '../environments/identity-pins';
import {
  NewEnvironmentError,
  manualSteps,
  newEnvironmentInput,
  pinsWith,
  registerEnvironment,
  type NewEnvironmentArgs,
} from './env-new/plan';
import { environmentSourceFrom, loadEnvironmentSource } from './env-new/source';

const USAGE = 'usage: npm run env:new -- <name> --from <env> [--account <slug>] [--after <env>]';

function parseArgs(argv: string[]): NewEnvironmentArgs {
  const [name, ...rest] = argv;
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i]?.replace(/^--/, '');
    if (!['from', 'account', 'after'].includes(key) || rest[i + 1] === undefined)
      throw new NewEnvironmentError(USAGE);
    options[key] = rest[i + 1];
  }
  if (!name || name.startsWith('--') || !options.from) throw new NewEnvironmentError(USAGE);
  return {
    name,
    from: options.from,
    account: options.account,
    after: options.after,
    rootDomain: ROOT_DOMAIN,
  };
}

function main(): void {
  const root = join(__dirname, '..');
  const args = parseArgs(process.argv.slice(2));
  const file = join(root, 'environments', `${args.name}.ts`);
  if (existsSync(file)) throw new NewEnvironmentError(`environments/${args.name}.ts exists already`);
  const input = newEnvironmentInput(registry, environmentInputs, args);
  const [slug, account] = Object.entries(registry.accounts).find(([, a]) => a.accountId === input.accountId)!;
  const source = environmentInputs.find((e) => e.name === args.from)!;
  const text = environmentSourceFrom(
    readFileSync(join(root, 'environments', `${args.from}.ts`), 'utf8'),
    source,
    input,
    accountConstants,
  );
  // The file must say exactly what was planned: evaluated with the real account constants.
  const written = loadEnvironmentSource(text, (path) => {
    if (path === './accounts') return accountConstants;
    throw new NewEnvironmentError(
      `environments/${args.from}.ts imports ${path}: env:new copies only ./accounts`,
    );
  });
  if (!isDeepStrictEqual(written, input))
    throw new NewEnvironmentError(
      `the file written from environments/${args.from}.ts differs from the plan:\n${JSON.stringify(written)}\n${JSON.stringify(input)}`,
    );
  const identity = buildRegistry(accountConstants.accounts, [...environmentInputs, input]).environments[
    args.name
  ].identity;
  writeFileSync(file, text);
  if (identity) {
    const pins = join(root, 'environments', 'identity-pins.json');
    writeFileSync(pins, pinsWith(readFileSync(pins, 'utf8'), args.name, identityPinOf(identity)));
  }
  const index = join(root, 'environments', 'index.ts');
  writeFileSync(index, registerEnvironment(readFileSync(index, 'utf8'), args.name));
  const run = (cmd: string, cmdArgs: string[]) =>
    execFileSync(cmd, cmdArgs, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
  run(join(root, 'node_modules', '.bin', 'prettier'), [
    '--write',
    '--log-level',
    'warn',
    file,
    index,
    join(root, 'environments', 'identity-pins.json'),
  ]);
  run(process.execPath, [join(root, 'scripts', 'run.js'), 'scripts/generate-workflows.ts']);
  run(process.execPath, [join(root, 'scripts', 'run.js'), 'scripts/pin-addresses.ts']);
  run(process.execPath, [join(root, 'scripts', 'run.js'), 'scripts/diagram.ts']);
  run(process.execPath, [join(root, 'scripts', 'run.js'), 'scripts/roles.ts']);
  console.log(
    [
      `\nenvironments/${args.name}.ts: ${input.dns.domainName}, VPC ${input.network.vpcCidr}, deploys after ${input.deploy.after}.`,
      'Left for a person (see README, "Add an environment"):',
      ...manualSteps(input, account, slug).map((step) => `  - ${step}`),
      `  - DNS: delegate ${input.dns.domainName} to the name servers the first apply outputs (or set dns.hostedZoneId).`,
    ].join('\n'),
  );
}

try {
  main();
} catch (error) {
  if (!(error instanceof NewEnvironmentError) && !(error instanceof EnvironmentConfigError)) throw error;
  console.error(`env:new: ${error.message}`);
  process.exit(2);
}

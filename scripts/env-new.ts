/**
 * `npm run env:new -- <name> --from <env> [--account <slug>] [--after <env>]`: writes
 * `environments/<name>.ts` (a copy of `<env>` with its own domain, a free VPC range and its place in
 * the deploy chain), lists it in `environments/index.ts`, regenerates the workflows and the diagrams
 * and pins its stateful addresses, so `npm test` passes right after. What only a person can do (GitHub
 * environments, the account's roles) is printed at the end.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DOMAIN } from '../environments/accounts';
import { environmentInputs, registry } from '../environments';
import {
  NewEnvironmentError,
  environmentSource,
  manualSteps,
  newEnvironmentInput,
  registerEnvironment,
  type NewEnvironmentArgs,
} from './env-new/plan';

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
  writeFileSync(file, environmentSource(input, args.from));
  const index = join(root, 'environments', 'index.ts');
  writeFileSync(index, registerEnvironment(readFileSync(index, 'utf8'), args.name));
  const run = (cmd: string, cmdArgs: string[]) =>
    execFileSync(cmd, cmdArgs, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
  run(join(root, 'node_modules', '.bin', 'prettier'), ['--write', '--log-level', 'warn', file, index]);
  run(process.execPath, [join(root, 'scripts', 'run.js'), 'scripts/generate-workflows.ts']);
  run(process.execPath, [join(root, 'scripts', 'run.js'), 'scripts/pin-addresses.ts']);
  run(process.execPath, [join(root, 'scripts', 'run.js'), 'scripts/diagram.ts']);
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
  if (!(error instanceof NewEnvironmentError)) throw error;
  console.error(`env:new: ${error.message}`);
  process.exit(2);
}

/**
 * The new environment's file, written from the source environment's file rather than from its
 * values: comments and references to the account constants (`MAIN_ACCOUNT_ID`, `ROOT_DOMAIN`,
 * `HOME_REGION`, ...) stay as they were, and only what must differ changes — the export's name, the
 * environment's name, tier, account and region (by their constants), cost center, VPC and subnet
 * ranges, its domain and every sign-in URL on the source's domain, and its place in the deploy
 * chain. `loadEnvironmentSource` evaluates a written file, so env:new (and its test) can check the
 * text says exactly what `newEnvironmentInput` planned.
 */
import { transformSync } from 'esbuild';
import type { EnvironmentConfigInput } from '../../environments';
import { identifierOf, NewEnvironmentError } from './plan';

/** What the account constants of `environments/accounts.ts` are called, by value. */
export type Constants = Readonly<Record<string, unknown>>;

const quote = (s: string) => `'${s}'`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A string's source: a template on a constant whose value it ends with, else a quoted literal. */
function stringSource(value: string, constants: Constants, names: Set<string>): string {
  for (const [name, v] of Object.entries(constants)) {
    if (typeof v !== 'string' || v.length < 4) continue;
    if (value === v) {
      names.add(name);
      return name;
    }
    const at = value.indexOf(v);
    if (at >= 0) {
      names.add(name);
      return `\`${value.slice(0, at)}\${${name}}${value.slice(at + v.length)}\``;
    }
  }
  return quote(value);
}

function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  if (!pattern.test(text)) throw new NewEnvironmentError(`cannot find ${what} in the source file`);
  return text.replace(pattern, replacement);
}

/** The new environment's file from the source's file (`text`), its input and the new input. */
export function environmentSourceFrom(
  text: string,
  source: EnvironmentConfigInput,
  input: EnvironmentConfigInput,
  constants: Constants,
): string {
  const used = new Set<string>();
  const value = (v: string) => stringSource(v, constants, used);
  let out = text;
  // The export, with the doc comment above it (it describes the source environment).
  out = replaceOnce(
    out,
    new RegExp(
      `(?:/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/\\n)?export const ${identifierOf(source.name)}: EnvironmentConfigInput = \\{\\n  name: '${escape(source.name)}',`,
    ),
    `/** Created by \`npm run env:new\` from ${source.name}; edit freely. */\nexport const ${identifierOf(input.name)}: EnvironmentConfigInput = {\n  name: '${input.name}',`,
    `export const ${identifierOf(source.name)} with its name`,
  );
  out = replaceOnce(out, /\n {2}tier: '[a-z-]+',/, `\n  tier: '${input.tier}',`, 'tier');
  if (input.accountId !== source.accountId)
    out = replaceOnce(
      out,
      /\n {2}accountId: [^,\n]+,/,
      `\n  accountId: ${value(input.accountId)},`,
      'accountId',
    );
  if (input.region !== source.region)
    out = replaceOnce(out, /\n {2}region: [^,\n]+,/, `\n  region: ${value(input.region)},`, 'region');
  if (input.tags?.CostCenter !== undefined)
    out = out.replace(/CostCenter: '[^']*'/, `CostCenter: ${quote(input.tags.CostCenter)}`);
  // Every range of the network: the VPC's and each subnet's, as quoted literals.
  const ranges = (e: EnvironmentConfigInput) => [
    e.network.vpcCidr,
    ...e.network.subnets.public,
    ...e.network.subnets.private,
    ...e.network.subnets.isolated,
  ];
  const [from, to] = [ranges(source), ranges(input)];
  const placeholder = (i: number) => `\u0000range${i}\u0000`;
  from.forEach((cidr, i) => (out = out.split(quote(cidr)).join(placeholder(i))));
  to.forEach((cidr, i) => (out = out.split(placeholder(i)).join(quote(cidr))));
  if (input.region !== source.region)
    out = replaceOnce(
      out,
      /availabilityZones: \[[^\]]*\]/,
      `availabilityZones: [${input.network.availabilityZones.map(quote).join(', ')}]`,
      'availabilityZones',
    );
  out = replaceOnce(
    out,
    /dns: \{ domainName: (?:`[^`]*`|'[^']*'|[A-Za-z_][\w.]*) \}/,
    `dns: { domainName: ${value(input.dns.domainName)} }`,
    'dns',
  );
  // The recovery section, when it differs (a recovery region that is the new one's own, another account's).
  if (JSON.stringify(input.recovery) !== JSON.stringify(source.recovery)) {
    const r = input.recovery;
    const fields = [
      `strategy: '${r.strategy}'`,
      ...(r.region !== undefined ? [`region: ${value(r.region)}`] : []),
      ...(r.rpoMinutes !== undefined ? [`rpoMinutes: ${r.rpoMinutes}`] : []),
      ...(r.rtoMinutes !== undefined ? [`rtoMinutes: ${r.rtoMinutes}`] : []),
    ];
    out = replaceOnce(
      out,
      /\n {2}recovery: \{[^}]*\},/,
      `\n  recovery: { ${fields.join(', ')} },`,
      'recovery',
    );
  }
  // Sign-in URLs: those on the source's domain move to the new one; others (localhost) stay.
  for (const key of ['callbackUrls', 'logoutUrls'] as const) {
    const urls = (input.identity as Record<string, string[] | undefined> | undefined)?.[key];
    if (urls)
      out = replaceOnce(
        out,
        new RegExp(`${key}: \\[[^\\]]*\\]`),
        `${key}: [${urls.map(value).join(', ')}]`,
        key,
      );
  }
  // The SES sender's address follows the domain; an identity ARN of the source's is dropped.
  const email = input.identity?.email;
  if (email?.sender === 'ses') {
    const literal = (key: string) => new RegExp(`(email: \\{[^}]*?)${key}: (?:\`[^\`]*\`|'[^']*')`);
    out = replaceOnce(out, literal('from'), `$1from: ${value(email.from)}`, 'identity.email.from');
    if (email.replyTo) out = out.replace(literal('replyTo'), `$1replyTo: ${value(email.replyTo)}`);
    out = out.replace(/(email: \{[^}]*?),?\s*sourceArn: (?:`[^`]*`|'[^']*')/, '$1');
  }
  out = replaceOnce(
    out,
    /\n {2}deploy: \{[^}]*\},/,
    `\n  deploy: { trigger: '${input.deploy.trigger}'${input.deploy.after ? `, after: '${input.deploy.after}'` : ''} },`,
    'deploy',
  );
  // Constants the new text names that the source did not import.
  const accountsImport = /import \{([^}]*)\} from '\.\/accounts';/;
  const imported = new Set(
    (accountsImport.exec(out)?.[1] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const missing = [...used].filter((n) => !imported.has(n));
  if (missing.length > 0) {
    const names = [...imported, ...missing].sort().join(', ');
    out = accountsImport.test(out)
      ? out.replace(accountsImport, `import { ${names} } from './accounts';`)
      : `import { ${names} } from './accounts';\n${out}`;
  }
  return out;
}

/** Evaluates an environment file's text (its relative imports through `load`) and returns its export. */
export function loadEnvironmentSource(text: string, load: (path: string) => unknown): EnvironmentConfigInput {
  const { code } = transformSync(text, { loader: 'ts', format: 'cjs' });
  const module = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', 'exports', code)(load, module, module.exports);
  const values = Object.values(module.exports);
  if (values.length !== 1)
    throw new NewEnvironmentError(`the environment file exports ${values.length} values, not one`);
  return values[0] as EnvironmentConfigInput;
}

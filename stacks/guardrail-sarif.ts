/**
 * The guardrail report as SARIF 2.1.0 (`cdktf.out/guardrails.sarif`), for GitHub code scanning: one
 * result per finding, open (a failed synthesis) or waived (a suppression with the waiver's reason).
 * Written on every synthesis, a failed one too (docs/architecture.md, "Guardrails at synthesis").
 *
 * Code scanning needs every result at a file of the repository. A finding is in Terraform JSON that
 * no one edits, so each result points at the file that configures the stack: the environment's file
 * (`environments/<env>.ts`, a reference's `environments/references/<name>.ts`), `environments/accounts.ts`
 * for an account's state and baseline stacks, `environments/index.ts` for a stack of no config. A
 * config waiver points at its `reason:` line in that file when the reason is found there. The stack,
 * construct path and Terraform address are the result's logical locations and in its message.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App } from 'cdktf';
import { GUARDRAIL_RULES } from '../constructs/core/guardrail-rules';
import {
  guardrailResults,
  GuardrailViolation,
  waivedFindingsOf,
  type GuardrailFinding,
  type GuardrailResult,
} from '../constructs/core/guardrails';
import type { Registry } from '../environments/registry';
import { baselineStackId, platformStackId, referenceStackId, stateStackId } from './stack-ids';

export const SARIF_FILE = 'guardrails.sarif';
const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const DOCS = 'docs/architecture.md';
const DOCS_ANCHOR = '#guardrails-at-synthesis';
/** Bumped when the fingerprint's inputs change (code scanning then sees new alerts). */
const FINGERPRINT = 'guardrailFinding/v1';

/**
 * Where the rules are explained: the docs at this commit on GitHub in a workflow run (its
 * `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_SHA`), else the local file.
 */
export function docsUri(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env;
  if (server && repo && sha) return `${server}/${repo}/blob/${sha}/${DOCS}${DOCS_ANCHOR}`;
  return `${pathToFileURL(join(root, DOCS)).href}${DOCS_ANCHOR}`;
}

/** The registry's parts that say which file configures a stack. */
export type StackConfigs = Pick<Registry, 'accounts' | 'environments' | 'references'>;

/** The file (relative to the repository root `root`, `/`-separated) that configures stack `id`. */
export function configFileOf(id: string, configs: StackConfigs, root: string): string {
  const candidates: string[] = [];
  for (const a of Object.keys(configs.accounts))
    if (id === stateStackId(a) || id === baselineStackId(a)) candidates.push('environments/accounts.ts');
  for (const e of Object.keys(configs.environments))
    if (id === platformStackId(e)) candidates.push(`environments/${e}.ts`);
  for (const r of Object.keys(configs.references))
    if (id === referenceStackId(r)) candidates.push(`environments/references/${r}.ts`);
  return candidates.find((f) => existsSync(join(root, f))) ?? 'environments/index.ts';
}

export interface SarifInput {
  /** Each synthesized stack's waivers in use (`guardrailResults`). */
  readonly results: readonly GuardrailResult[];
  /** The violation that stopped synthesis, if it failed on findings. */
  readonly violation?: GuardrailViolation;
  readonly configs: StackConfigs;
  /** The repository root: artifact locations are relative to it (`%SRCROOT%`). */
  readonly root: string;
  /** Default: docsUri(root). */
  readonly informationUri?: string;
}

type Json = Record<string, unknown>;

/** The SARIF 2.1.0 log of one synthesis. */
export function guardrailSarif(input: SarifInput): Json {
  const informationUri = input.informationUri ?? docsUri(input.root);
  const files = new Map<string, string | undefined>();
  const text = (file: string) => {
    if (!files.has(file)) {
      const path = join(input.root, file);
      files.set(file, existsSync(path) ? readFileSync(path, 'utf8') : undefined);
    }
    return files.get(file);
  };
  const seen = new Map<string, number>();
  const fingerprint = (rule: string, stack: string, address: string) => {
    const key = `${rule}\n${stack}\n${address}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const hash = createHash('sha256')
      .update(n === 1 ? key : `${key}\n${n}`)
      .digest('hex')
      .slice(0, 32);
    // primaryLocationLineHash too: every result of a stack is in one file, and code scanning would
    // otherwise tell them apart by that file's line only.
    return { [FINGERPRINT]: hash, primaryLocationLineHash: hash };
  };

  const result = (stack: string, f: GuardrailFinding, region?: number): Json => {
    const file = configFileOf(stack, input.configs, input.root);
    return {
      ruleId: f.rule,
      ruleIndex: GUARDRAIL_RULES.findIndex((r) => r.id === f.rule),
      level: 'error',
      message: { text: `${stack}: [${f.rule}] ${f.path} (${f.address}): ${f.why}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: file, uriBaseId: '%SRCROOT%' },
            ...(region ? { region: { startLine: region } } : {}),
          },
          logicalLocations: [
            { name: stack, kind: 'module' },
            { name: f.path, fullyQualifiedName: `${stack}/${f.path}`, kind: 'object' },
            { name: f.address, fullyQualifiedName: `${stack}:${f.address}`, kind: 'resource' },
          ],
        },
      ],
      partialFingerprints: fingerprint(f.rule, stack, f.address),
    };
  };

  const waived = (stack: string, waivers: GuardrailResult['waived']) =>
    waivers.flatMap((w) => {
      const fromConfig = w.source !== 'code';
      const file = configFileOf(stack, input.configs, input.root);
      const region = fromConfig ? lineOf(text(file), w.reason) : undefined;
      return waivedFindingsOf(w).map((f) => ({
        ...result(stack, f, region),
        suppressions: [
          {
            kind: fromConfig ? 'external' : 'inSource',
            status: 'accepted',
            justification: `${w.reason} (${fromConfig ? w.source : 'waiveGuardrail in code'})`,
          },
        ],
      }));
    });

  const violation = input.violation;
  const results = [
    ...input.results.flatMap((r) => waived(r.stack, r.waived)),
    ...(violation
      ? [
          ...violation.findings.map((f) => result(violation.stack, f)),
          ...waived(violation.stack, violation.waived),
        ]
      : []),
  ];
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'cdktf-guardrails',
            informationUri,
            rules: GUARDRAIL_RULES.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.title },
              fullDescription: { text: `${r.title}${r.productionOnly ? ' (production only)' : ''}` },
              helpUri: informationUri,
              defaultConfiguration: { level: 'error' },
              properties: { tags: ['security', 'terraform'] },
            })),
          },
        },
        automationDetails: { id: 'guardrails/' },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root.' } } },
        invocations: [
          {
            executionSuccessful: !violation,
            ...(violation
              ? {
                  toolExecutionNotifications: [
                    {
                      level: 'error',
                      message: {
                        text: `Synthesis stopped at ${violation.stack}: stacks after it were not checked.`,
                      },
                    },
                  ],
                }
              : {}),
          },
        ],
        results,
      },
    ],
  };
}

/** The 1-based line of `needle` (as written in a string literal) in `text`, if it is there once or more. */
function lineOf(text: string | undefined, needle: string): number | undefined {
  if (!text || !needle) return undefined;
  const at = [`'${needle}'`, `"${needle}"`, `\`${needle}\``, needle]
    .map((n) => text.indexOf(n))
    .find((i) => i >= 0);
  return at === undefined ? undefined : text.slice(0, at).split('\n').length;
}

/** Writes `log` to `<dir>/guardrails.sarif` (through a temporary file: a reader never sees half of it). */
export function writeSarif(dir: string, log: Json): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${SARIF_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(log, null, 2)}\n`);
  renameSync(tmp, join(dir, SARIF_FILE));
}

/**
 * What a synthesis of `app` writes as SARIF: into the staging directory when it succeeded (published
 * with the stacks), straight into the output directory when it stopped on guardrail findings (the
 * stacks stay as they were; only the guardrail report is new). Any other error writes nothing.
 */
export function sarifWriters(configs: StackConfigs, root: string) {
  return {
    succeeded(app: App, staging: string): void {
      writeSarif(staging, guardrailSarif({ results: guardrailResults(app), configs, root }));
    },
    failed(app: App, error: unknown, outdir: string): void {
      if (!(error instanceof GuardrailViolation)) return;
      writeSarif(outdir, guardrailSarif({ results: guardrailResults(app), violation: error, configs, root }));
    },
  };
}

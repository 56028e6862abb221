/**
 * The CDKTF app: `cdktf synth` (via `node scripts/run.js main.ts`, which bundles what changed) writes
 * one Terraform JSON stack per account (state, baseline) and per environment (platform) to
 * cdktf.out/stacks/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { guardrailReport, guardrailResults } from './constructs/core/guardrails';
import { EnvironmentConfigError } from './environments/schema';
import type * as Environments from './environments';
import { sarifWriters } from './stacks/guardrail-sarif';
import { definePlatform } from './stacks/platform-app';
import { synthesizeInto } from './stacks/synth-output';

function main(): void {
  // Loaded here rather than imported at the top so that a config error is reported as a list of
  // problems, not as a stack trace from module loading.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { registry } = require('./environments') as typeof Environments;
  // Under the cdktf CLI stderr is shown as [ERROR]: a warning goes to stdout there.
  const warn = underCdktfCli() ? console.log : console.error;
  for (const w of registry.warnings) warn(`Warning: ${w.path}: ${w.message}`);
  // Synthesized beside the output and published only whole (stacks/synth-output.ts): an error
  // leaves the previous output as it was; a published output has exactly the config's stacks.
  const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  // The findings as SARIF for code scanning, a failed synthesis's too (stacks/guardrail-sarif.ts);
  // the app runs from the repository root (`cdktf synth`, `npm run synth:app`).
  const sarif = sarifWriters(registry, process.cwd());
  const published = synthesizeInto(
    outdir,
    (app) => definePlatform(app, registry),
    (app, staging) => {
      // Waivers in use: a line per stack here, each with its reason in the report file
      // (docs/architecture.md, "Guardrails").
      const report = guardrailReport(guardrailResults(app));
      if (report.text) console.log(report.text);
      writeFileSync(join(staging, 'guardrails.json'), `${JSON.stringify(report.json, null, 2)}\n`);
      sarif.succeeded(app, staging);
    },
    { underCdktfCli: underCdktfCli(), failed: sarif.failed },
  );
  for (const id of published.removed)
    console.log(`Removed ${join(outdir, 'stacks', id)}: no such stack in the config`);
  for (const id of published.keptWithState)
    warn(
      `Warning: ${join(outdir, 'stacks', id)} is no stack of the config but holds a local Terraform state: kept (move the state before removing it)`,
    );
}

/**
 * A config error (or guardrail finding) exits 1 with every problem, and the previous output stays.
 * Under the cdktf CLI the problems go to stdout: the CLI shows them as they come and once more in
 * its failure summary ("Command output on stdout"), without prefixing each line as an [ERROR] log.
 * Run directly (`node scripts/run.js main.ts`), the app prints them to stderr.
 */
function reportConfigError(error: EnvironmentConfigError): void {
  (underCdktfCli() ? console.log : console.error)(error.message);
  process.exitCode = 1;
}

/** The cdktf CLI sets both when it runs the app. */
function underCdktfCli(): boolean {
  return !!process.env.CDKTF_OUTDIR && process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined;
}

try {
  main();
} catch (error) {
  if (!(error instanceof EnvironmentConfigError)) throw error;
  reportConfigError(error);
}

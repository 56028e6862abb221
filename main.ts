/**
 * The CDKTF app: `cdktf synth` (via `node scripts/run.js main.ts`, which bundles what changed) writes
 * one Terraform JSON stack per account (state, baseline) and per environment (platform) to
 * cdktf.out/stacks/.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { guardrailReport, guardrailResults } from './constructs/core/guardrails';
import { EnvironmentConfigError } from './environments/schema';
import type * as Environments from './environments';
import { definePlatform } from './stacks/platform-app';

/**
 * cdktf records a full stack trace (every frame) for every token it creates, on a plain object, only
 * to show it should that token fail to resolve; capturing and formatting them was ~15% of synthesis.
 * Traces are captured for Error objects only, as before; those token records stay empty.
 */
function skipTokenStackTraces(): void {
  const capture = Error.captureStackTrace.bind(Error);
  Error.captureStackTrace = (...args: Parameters<typeof Error.captureStackTrace>) => {
    if (args[0] instanceof Error) capture(...args);
  };
}

function main(): void {
  skipTokenStackTraces();
  // Loaded here rather than imported at the top so that a config error is reported as a list of
  // problems, not as a stack trace from module loading.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { registry } = require('./environments') as typeof Environments;
  // Under the cdktf CLI stderr is shown as [ERROR]: a warning goes to stdout there.
  const warn = underCdktfCli() ? console.log : console.error;
  for (const w of registry.warnings) warn(`Warning: ${w.path}: ${w.message}`);
  const app = new App();
  definePlatform(app, registry);
  app.synth();
  // Waivers in use are part of the output and of a report file (docs/architecture.md, "Guardrails").
  const report = guardrailReport(guardrailResults(app));
  if (report.text) console.log(report.text);
  mkdirSync(app.outdir, { recursive: true });
  writeFileSync(join(app.outdir, 'guardrails.json'), `${JSON.stringify(report.json, null, 2)}\n`);
}

/**
 * The cdktf CLI echoes the app's output as it comes and then once more in its failure summary, so
 * a config error written to either stream before a non-zero exit shows twice. Under the CLI the
 * problems go to stdout once, the app ends without a manifest (a stale one is removed), and the CLI
 * fails the synth itself (exit code 1, "app was expected to call 'synth()'"). Run directly
 * (`node scripts/run.js main.ts`), the app prints to stderr and exits 1.
 */
function reportConfigError(error: EnvironmentConfigError): void {
  if (underCdktfCli()) {
    rmSync(join(process.env.CDKTF_OUTDIR!, 'manifest.json'), { force: true });
    console.log(error.message);
    return;
  }
  console.error(error.message);
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

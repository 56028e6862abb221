/**
 * The CDKTF app: `cdktf synth` (via `node dist/main.js`) writes one Terraform JSON stack per account
 * (state) and per environment (platform) to cdktf.out/stacks/.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { EnvironmentConfigError } from './environments/schema';
import type * as Environments from './environments';
import { definePlatform } from './stacks/platform-app';

function main(): void {
  // Loaded here rather than imported at the top so that a config error is reported as a list of
  // problems, not as a stack trace from module loading.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { registry } = require('./environments') as typeof Environments;
  for (const w of registry.warnings) console.error(`Warning: ${w.path}: ${w.message}`);
  // Stack traces in construct metadata cost synth time and end up in every resource's JSON.
  const app = new App();
  definePlatform(app, registry);
  app.synth();
}

/**
 * The cdktf CLI echoes the app's output as it comes and then once more in its failure summary, so
 * a config error written to either stream before a non-zero exit shows twice. Under the CLI the
 * problems go to stdout once, the app ends without a manifest (a stale one is removed), and the CLI
 * fails the synth itself (exit code 1, "app was expected to call 'synth()'"). Run directly
 * (`node dist/main.js`), the app prints to stderr and exits 1.
 */
function reportConfigError(error: EnvironmentConfigError): void {
  const outdir = process.env.CDKTF_OUTDIR;
  if (outdir && process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined) {
    rmSync(join(outdir, 'manifest.json'), { force: true });
    console.log(error.message);
    return;
  }
  console.error(error.message);
  process.exitCode = 1;
}

try {
  main();
} catch (error) {
  if (!(error instanceof EnvironmentConfigError)) throw error;
  reportConfigError(error);
}

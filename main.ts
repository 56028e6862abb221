/**
 * The CDKTF app: `cdktf synth` (via `node dist/main.js`) writes one Terraform JSON stack per account
 * (state) and per environment (platform) to cdktf.out/stacks/.
 */
import { App } from 'cdktf';
import { EnvironmentConfigError } from './environments/schema';
import type * as Environments from './environments';
import { definePlatform } from './stacks/platform-app';

function main(): void {
  // Loaded here rather than imported at the top so that a config error is reported as a list of
  // problems, not as a stack trace from module loading.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { registry } = require('./environments') as typeof Environments;
  // Stack traces in construct metadata cost synth time and end up in every resource's JSON.
  const app = new App();
  definePlatform(app, registry);
  app.synth();
}

try {
  main();
} catch (error) {
  if (error instanceof EnvironmentConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

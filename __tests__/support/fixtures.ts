import { App, Testing, type TerraformStack } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { environmentInputs } from '../../environments';
import { accounts as accountsInput } from '../../environments/accounts';
import { dev } from '../../environments/dev';
import { enterprise } from '../../environments/enterprise';
import { prod } from '../../environments/prod';
import { buildRegistry, type Registry } from '../../environments/registry';
import type { EnvironmentConfigInput } from '../../environments/schema';
import { staging } from '../../environments/staging';
import { platformStackId } from '../../stacks/stack-ids';
import { appStack } from './app-synth';
import { withoutMetadata, wrap, type Synthesized } from './synthesized';

export { wrap, type Synthesized } from './synthesized';
import type * as PlatformApp from '../../stacks/platform-app';

/** A deep copy of an environment's input, free to change in a test. */
export function envInput(name: 'dev' | 'staging' | 'prod' | 'enterprise' = 'dev'): any {
  return structuredClone({ dev, staging, prod, enterprise }[name]) as any;
}

/** An Aurora PostgreSQL Serverless v2 `database` section (writer + reader), production-safe. */
export function auroraServerless(overrides: Record<string, unknown> = {}): any {
  return {
    engine: 'aurora-postgresql',
    engineVersion: '16.4',
    instanceClass: 'db.serverless',
    instances: 2,
    serverlessV2: { minCapacity: 0.5, maxCapacity: 8 },
    backupRetentionDays: 35,
    deletionProtection: true,
    skipFinalSnapshot: false,
    ...overrides,
  };
}

export function accountsInputCopy(): Record<string, any> {
  return structuredClone(accountsInput) as any;
}

/**
 * A registry of some environments. The deploy chain is cut where it leaves them: an environment whose
 * `deploy.after` names one not given deploys on its own trigger (so `registryOf([staging])` works).
 */
export function registryOf(envs: EnvironmentConfigInput[], accounts: unknown = accountsInput): Registry {
  const names = new Set(envs.map((e) => e.name));
  const cut = envs.map((e) =>
    e.deploy?.after === undefined || names.has(e.deploy.after)
      ? e
      : { ...e, deploy: { trigger: e.deploy.trigger } },
  );
  return buildRegistry(accounts, cut);
}

/**
 * Builds every stack of a registry in one app (not written to disk). The stacks' modules load on the
 * first call: a test file that only reads the app's own output (support/app-synth.ts) never pays it.
 */
export function buildStacks(registry: Registry): PlatformApp.PlatformStacks {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { definePlatform } = require('../../stacks/platform-app') as typeof PlatformApp;
  return definePlatform(Testing.app(), registry);
}

/**
 * What `Testing.synth` returns, parsed — aspects invoked, the `//` metadata removed, keys sorted —
 * without its string round trip and its quadratic key copying (seconds per platform stack).
 */
export function synth(stack: TerraformStack): Synthesized {
  invokeAspects(stack);
  return wrap(withoutMetadata(stack.toTerraform()));
}

const synthesized = new Map<string, Synthesized>();
const registered = Object.fromEntries(environmentInputs.map((e) => [e.name, e]));

/**
 * Synthesizes the platform stack of one environment input (validated through the registry).
 * Memoized by input: many tests read the same environment, and a platform synth costs ~0.3 s.
 */
export function synthPlatform(input: EnvironmentConfigInput): Synthesized {
  const key = JSON.stringify(input);
  const hit = synthesized.get(key);
  if (hit) return hit;
  // An environment as the registry defines it: the app's own output of this run (house/synth-bundle.spec.ts
  // proves it equal to this environment synthesized alone).
  if (key === JSON.stringify(registered[input.name as string]))
    return appStack(platformStackId(input.name as string));
  const registry = registryOf([input]);
  const out = synth(buildStacks(registry).platform[input.name as string]);
  synthesized.set(key, out);
  return out;
}

/** Parses a policy JSON string written by constructs/iam.ts. */
export function policy(text: string): { Statement: any[] } {
  return JSON.parse(text);
}

export { App };

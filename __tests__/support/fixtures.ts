import { App, Testing, type TerraformStack } from 'cdktf';
import { accounts as accountsInput } from '../../environments/accounts';
import { dev } from '../../environments/dev';
import { enterprise } from '../../environments/enterprise';
import { prod } from '../../environments/prod';
import { buildRegistry, type Registry } from '../../environments/registry';
import type { EnvironmentConfigInput } from '../../environments/schema';
import { staging } from '../../environments/staging';
import { definePlatform, type PlatformStacks } from '../../stacks/platform-app';

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

/** Builds every stack of a registry in one app (not written to disk). */
export function buildStacks(registry: Registry): PlatformStacks {
  return definePlatform(Testing.app(), registry);
}

export interface Synthesized {
  readonly json: any;
  /** `type` -> resources of that type, as [logicalId, body] pairs. */
  resources(type: string): Array<[string, any]>;
  /** The only resource of a type (fails when there are none or several). */
  only(type: string): any;
  count(type: string): number;
}

export function synth(stack: TerraformStack): Synthesized {
  const json = JSON.parse(Testing.synth(stack));
  return wrap(json);
}

export function wrap(json: any): Synthesized {
  const resources = (type: string): Array<[string, any]> => Object.entries(json.resource?.[type] ?? {});
  return {
    json,
    resources,
    count: (type) => resources(type).length,
    only(type) {
      const all = resources(type);
      if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
      return all[0][1];
    },
  };
}

const synthesized = new Map<string, Synthesized>();

/**
 * Synthesizes the platform stack of one environment input (validated through the registry).
 * Memoized by input: many tests read the same environment, and a platform synth costs ~0.3 s.
 */
export function synthPlatform(input: EnvironmentConfigInput): Synthesized {
  const key = JSON.stringify(input);
  const hit = synthesized.get(key);
  if (hit) return hit;
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

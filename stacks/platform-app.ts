import type { Construct } from 'constructs';
import { accountOf, accountRecoveryRegion, environmentsOf, type Registry } from '../environments/registry';
import { BaselineStack } from './baseline-stack';
import { PlatformStack } from './platform-stack';
import { baselineStackId, platformStackId, referenceStackId, stateStackId } from './stack-ids';
import { StateStack } from './state-stack';

export interface PlatformStacks {
  readonly state: Record<string, StateStack>;
  readonly baseline: Record<string, BaselineStack>;
  readonly platform: Record<string, PlatformStack>;
  /** Per reference configuration its platform, never deployed (its state key under `<project>/reference/`). */
  readonly reference: Record<string, PlatformStack>;
}

/**
 * Per account a state and a baseline stack; per environment a platform stack; per reference
 * configuration a platform stack nothing deploys (docs/architecture.md).
 */
export function definePlatform(app: Construct, registry: Registry): PlatformStacks {
  const state: Record<string, StateStack> = {};
  const baseline: Record<string, BaselineStack> = {};
  const platform: Record<string, PlatformStack> = {};
  for (const [slug, account] of Object.entries(registry.accounts)) {
    const envs = environmentsOf(registry, slug);
    state[slug] = new StateStack(app, stateStackId(slug), {
      accountSlug: slug,
      account,
      environments: envs,
      recoveryRegion: accountRecoveryRegion(registry, slug),
    });
    baseline[slug] = new BaselineStack(app, baselineStackId(slug), {
      accountSlug: slug,
      account,
      recoveryRegion: accountRecoveryRegion(registry, slug),
    });
  }
  for (const env of Object.values(registry.environments)) {
    platform[env.name] = new PlatformStack(app, platformStackId(env.name), {
      config: env,
      account: accountOf(registry, env).account,
    });
  }
  const reference: Record<string, PlatformStack> = {};
  for (const ref of Object.values(registry.references)) {
    const { slug, account } = accountOf(registry, ref);
    reference[ref.name] = new PlatformStack(app, referenceStackId(ref.name), {
      config: ref,
      account,
      reference: { accountSlug: slug, otherEnvironments: environmentsOf(registry, slug).map((e) => e.name) },
    });
  }
  return { state, baseline, platform, reference };
}

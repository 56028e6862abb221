import type { Construct } from 'constructs';
import { environmentsOf, type Registry } from '../environments/registry';
import { PlatformStack } from './platform-stack';
import { StateStack } from './state-stack';

export interface PlatformStacks {
  readonly state: Record<string, StateStack>;
  readonly platform: Record<string, PlatformStack>;
}

/** Per account a state stack; per environment a platform stack (DESIGN.md, "Stacks"). */
export function definePlatform(app: Construct, registry: Registry): PlatformStacks {
  const state: Record<string, StateStack> = {};
  const platform: Record<string, PlatformStack> = {};
  for (const [slug, account] of Object.entries(registry.accounts)) {
    const [first] = environmentsOf(registry, slug);
    state[slug] = new StateStack(app, `state-${slug}`, {
      accountSlug: slug,
      account,
      project: first.project,
      state: first.state,
    });
  }
  for (const env of Object.values(registry.environments)) {
    platform[env.name] = new PlatformStack(app, `platform-${env.name}`, { config: env });
  }
  return { state, platform };
}

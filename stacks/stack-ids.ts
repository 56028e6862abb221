/**
 * Stack ids: the synthesized directory names under `cdktf.out/stacks/`. The app creates the stacks
 * under these ids and the generated workflows address them by the same ids, so both read them here.
 */
import type { Registry } from '../environments/registry';

/** The stack holding an account's Terraform state backend and pipeline roles. */
export const stateStackId = (accountSlug: string): string => `state-${accountSlug}`;

/** The stack holding an account's security baseline. */
export const baselineStackId = (accountSlug: string): string => `baseline-${accountSlug}`;

/** The stack holding one environment's platform. */
export const platformStackId = (environment: string): string => `platform-${environment}`;

/** The stack of a reference configuration (never deployed: docs/architecture.md, "Reference architectures"). */
export const referenceStackId = (reference: string): string => `reference-${reference}`;

/**
 * The stack ids of the registry, in order: per account its state and baseline stack, then the
 * platforms, then the reference configurations.
 */
export function registryStackIds(registry: Registry): string[] {
  const accounts = Object.keys(registry.accounts);
  return [
    ...accounts.flatMap((a) => [stateStackId(a), baselineStackId(a)]),
    ...Object.keys(registry.environments).map(platformStackId),
    ...Object.keys(registry.references).map(referenceStackId),
  ];
}

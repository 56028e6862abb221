/**
 * `environments` (name -> validated config) and `accounts`, validated when this module loads: bad
 * config stops the app here, with every problem listed, before any construct runs.
 */
import { accounts as accountsInput } from './accounts';
import { dev } from './dev';
import { enterprise } from './enterprise';
import { prod } from './prod';
import { buildRegistry, type Registry } from './registry';
import { seed000 } from './references/seed000';
import { seed004 } from './references/seed004';
import { staging } from './staging';

/** The environment files, in declaration order (the order of `environments`). */
export const environmentInputs = [dev, staging, prod, enterprise];
/** The reference configurations (environments/references/): synthesized and proven, never deployed. */
export const referenceInputs = [seed000, seed004];
export const registry: Registry = buildRegistry(accountsInput, environmentInputs, referenceInputs);
export const environments = registry.environments;
export const accounts = registry.accounts;

export {
  accountOf,
  accountRecoveryRegion,
  buildRegistry,
  deployOrder,
  environmentsOf,
  type Registry,
} from './registry';
export {
  EnvironmentConfigError,
  parseAccountsConfig,
  parseEnvironmentConfig,
  type AccountConfig,
  type ConfigIssue,
  type EnvironmentConfig,
  type EnvironmentConfigInput,
} from './schema';

/**
 * The environment config contract (docs/architecture.md, "Configuration") as zod schemas, one
 * module per section. Each section owns its rules and the one default of each of its fields; rules
 * that span sections live in environment.ts, rules that span environments in ../registry-rules.ts.
 *
 * `parseEnvironmentConfig` and `parseAccountsConfig` turn untrusted input into typed config or throw
 * one `EnvironmentConfigError` listing every problem with its config path. Cross-field rules sit on
 * the smallest object they concern, so one bad field does not hide the problems of its neighbours.
 * Unknown keys are errors everywhere: a typo must not pass silently.
 */
export { EnvironmentConfigError, formatPath, toIssues, type ConfigIssue } from './errors';
export { accountIdSchema, regionSchema } from './primitives';
export {
  accountConfigSchema,
  accountsConfigSchema,
  parseAccountsConfig,
  type AccountConfig,
  type AccountConfigInput,
  type AccountsConfig,
  type StateConfig,
} from './account';
export { computeSchema } from './compute';
export {
  BACKUP_RESTORE_MIN_RPO_MINUTES,
  BACKUP_RESTORE_MIN_RTO_MINUTES,
  COPIED_BACKUP_RULE,
  CROSS_REGION_RPO_MINUTES,
  RECOVERY_STRATEGIES,
  backupCopyRegion,
  copiedBy,
  recoveryCopies,
  type CrossRegionCopy,
  type RecoveryCopy,
  type RecoveryConfig,
  type RecoveryStrategy,
} from './recovery';
export { DEPLOY_TRIGGERS } from './operations';
export {
  senderDomainOf,
  signUpFirewallOf,
  threatProtectionOn,
  type IdentityConfig,
  type SignUpFirewallConfig,
} from './identity';
export type { EventProcessorConfig, ServerlessConfig } from './serverless';
export type { AlarmThresholds, Subscriber } from './observability';
export {
  RESERVED_TAG_KEYS,
  environmentConfigSchema,
  parseEnvironmentConfig,
  type CacheConfig,
  type DatabaseConfig,
  type EksConfig,
  type KafkaConfig,
  type EnvironmentConfig,
  type FrontendConfig,
  type StaticFrontendConfig,
  type EnvironmentConfigInput,
  type NetworkConfig,
  type ObservabilityConfig,
  type ServiceConfig,
} from './environment';

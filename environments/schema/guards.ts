/**
 * `guards`: the platform's guardrails and their waivers. A waiver has one format every guardrail
 * shares: the rule it lifts, the resource (its construct path in the stack, `Data/Database/Instance`,
 * or its Terraform address, `aws_db_instance.Database_Instance_02E622FB`) and the reason.
 */
import { z } from './zod';

/** The guardrails a waiver can name. */
export const GUARD_RULES = [
  'prevent-destroy',
  // Guardrails at synthesis (constructs/core/guardrail-rules.ts).
  'encryption-at-rest',
  'tls',
  'public-exposure',
  'logging',
  'iam-wildcard',
  'iam-boundary',
  'deletion-protection',
  'backup-coverage',
  'waf-viewer-ip',
  'tags',
] as const;
export type GuardRule = (typeof GUARD_RULES)[number];

export const waiverSchema = z.strictObject({
  rule: z.enum(GUARD_RULES),
  /** Construct path within the stack or Terraform address (`type.logicalId`). */
  resource: z.string().trim().min(1, 'must name a resource (construct path or Terraform address)'),
  /** Why the guardrail does not apply: kept in config, shown in review. */
  reason: z.string().trim().min(1, 'a waiver needs a reason'),
});

export const guardsSchema = z.strictObject({
  /** Guardrails lifted for named resources, each with its reason. Default: none. */
  waivers: z.array(waiverSchema).default([]),
});

export type Waiver = z.output<typeof waiverSchema>;

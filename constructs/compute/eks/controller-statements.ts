/** What the controllers' policies and contracts share: calls that take no resource. */
import type { PolicyStatement } from '../../core/iam';
import type { ContractRequest } from '../../core/role-contract';

/** An Allow of calls that accept only `"*"` (each is in core/iam.ts WILDCARD_RESOURCE_ACTIONS). */
export const describe = (Sid: string, actions: string[]): PolicyStatement => ({
  Sid,
  Effect: 'Allow',
  Action: actions,
  Resource: '*',
});

/** Must-allow requests for calls that take no resource, all from one caller. */
export const anyResource = (actions: string[], because: string): ContractRequest[] =>
  actions.map((action) => ({ action, resource: '*', because }));

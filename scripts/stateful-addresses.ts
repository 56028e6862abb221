import { STATEFUL_TYPES } from '../constructs/core/stateful';

export { STATEFUL_TYPES };

/** `type.logicalId` of every stateful resource in a synthesized stack, sorted. */
export function statefulAddresses(json: { resource?: Record<string, Record<string, unknown>> }): string[] {
  return STATEFUL_TYPES.flatMap((type) =>
    Object.keys(json.resource?.[type] ?? {}).map((id) => `${type}.${id}`),
  ).sort();
}

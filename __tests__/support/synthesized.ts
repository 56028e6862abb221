/** A synthesized stack's JSON as tests read it, whichever way it was synthesized. */

export interface Synthesized {
  readonly json: any;
  /** `type` -> resources of that type, as [logicalId, body] pairs. */
  resources(type: string): Array<[string, any]>;
  /** The only resource of a type (fails when there are none or several). */
  only(type: string): any;
  count(type: string): number;
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

/** `Testing.synth`'s normal form: the `//` metadata removed, keys sorted. */
export function withoutMetadata(item: unknown): any {
  if (Array.isArray(item)) return item.map(withoutMetadata);
  if (item === null || typeof item !== 'object') return item;
  const entries = Object.entries(item)
    .filter(([key]) => key !== '//')
    .sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(entries.map(([key, value]) => [key, withoutMetadata(value)]));
}

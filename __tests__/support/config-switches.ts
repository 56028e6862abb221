/**
 * The switches of the environment schema, derived from the zod schema itself (so a new option is a
 * new switch without editing any list), and which of them a set of configs turns on. A switch is
 * `<path>=<value>`: an optional object or union `present`, a record `non-empty`, each value of an
 * enum or literal, a boolean `true`. Record keys and array elements are `*` and `[]` in paths.
 */

/** Every switch of `schema`, in schema order. */
export function schemaSwitches(schema: unknown): string[] {
  const out: string[] = [];
  const walk = (s: any, path: string): void => {
    const def = s._zod.def;
    switch (def.type) {
      case 'optional': {
        let inner = def.innerType._zod.def;
        while (inner.type === 'default' || inner.type === 'prefault') inner = inner.innerType._zod.def;
        if (inner.type === 'object' || inner.type === 'union') out.push(`${path}=present`);
        return walk(def.innerType, path);
      }
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'readonly':
        return walk(def.innerType, path);
      case 'pipe':
        return walk(def.in, path);
      case 'object':
        for (const [key, value] of Object.entries(def.shape)) walk(value, path ? `${path}.${key}` : key);
        return;
      case 'record':
        out.push(`${path}=non-empty`);
        return walk(def.valueType, `${path}.*`);
      case 'array':
        return walk(def.element, `${path}[]`);
      case 'union':
        for (const option of def.options) walk(option, path);
        return;
      case 'enum':
        for (const value of Object.keys(def.entries)) out.push(`${path}=${value}`);
        return;
      case 'literal':
        for (const value of def.values) out.push(`${path}=${String(value)}`);
        return;
      case 'boolean':
        out.push(`${path}=true`);
        return;
      default:
        return;
    }
  };
  walk(schema, '');
  return [...new Set(out)];
}

/** The switches `configs` (parsed environment configs) turn on. */
export function switchesOn(configs: readonly unknown[]): Set<string> {
  const on = new Set<string>();
  const visit = (value: unknown, path: string, record: boolean): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, `${path}[]`, false);
      return;
    }
    if (typeof value === 'object') {
      on.add(`${path}=present`);
      if (Object.keys(value).length > 0) on.add(`${path}=non-empty`);
      for (const [key, item] of Object.entries(value)) {
        const at = (k: string) => (path ? `${path}.${k}` : k);
        visit(item, at(key), false);
        if (record || path !== '') visit(item, at('*'), false);
      }
      return;
    }
    on.add(`${path}=${String(value)}`);
  };
  for (const config of configs) visit(config, '', false);
  return on;
}

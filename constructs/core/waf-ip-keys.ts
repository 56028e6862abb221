/**
 * Which WAF rules judge the request's source address (docs/architecture.md, "Static frontend"): the
 * guardrail `waf-viewer-ip` (guardrail-rules.ts) keeps them out of a web ACL that never sees viewers.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
const first = (v: any) => (Array.isArray(v) ? v[0] : v);
const list = (v: any): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A rule_json document, or nothing when it is not JSON (a token, a typo: other checks report it). */
function parsed(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return [];
  }
}

/** AWS managed rule groups that judge the request's source address. */
const IP_KEYED_RULE_GROUPS = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesAnonymousIpList'];
/** Rate-based keys of the source address (`FORWARDED_IP`: a header's first address). */
const IP_AGGREGATE_KEYS = ['IP', 'FORWARDED_IP'];

/** Keys compared without case or underscores: `rate_based_statement` (HCL) is `RateBasedStatement` (rule_json). */
const keyed = (v: any): any =>
  Array.isArray(v)
    ? v.map(keyed)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replaceAll('_', '').toLowerCase(), keyed(x)]))
      : v;

/** Why one statement (not its nested ones) is keyed on the source address, if it is. */
function ipKeyedStatement(kind: string, body: any): string | undefined {
  switch (kind) {
    case 'ratebasedstatement': {
      const type = String(body?.aggregatekeytype ?? 'IP');
      const custom = list(body?.customkey).flatMap((k) => Object.keys(k ?? {}));
      if (IP_AGGREGATE_KEYS.includes(type)) return `rate-based by ${type}`;
      if (custom.some((k) => k === 'ip' || k === 'forwardedip')) return 'rate-based by an IP custom key';
      return undefined;
    }
    case 'ipsetreferencestatement':
      return 'IP set';
    case 'geomatchstatement':
      return 'geo match';
    case 'asnmatchstatement':
      return 'ASN match';
    case 'managedrulegroupstatement':
      return IP_KEYED_RULE_GROUPS.includes(body?.name) ? body.name : undefined;
    default:
      return undefined;
  }
}

/**
 * The IP-keyed statements of a WAF statement at any depth (and/or/not, rate-based and managed
 * scope-downs): rate limits by IP or forwarded IP, IP sets, geo and ASN matches, IP reputation groups.
 */
export function ipKeyedStatements(statement: unknown): string[] {
  const found: string[] = [];
  const walk = (node: any): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [kind, body] of Object.entries(node)) {
      const why = ipKeyedStatement(kind, first(body));
      if (why) found.push(why);
      walk(body);
    }
  };
  walk(keyed(statement));
  return found;
}

/** A web ACL's rules with IP-keyed statements, as `rule (what)`; from `rule` blocks or `rule_json`. */
export function ipKeyedRules(acl: any): string[] {
  const rules = [
    ...list(acl?.rule),
    ...list(typeof acl?.rule_json === 'string' ? parsed(acl.rule_json) : []),
  ];
  return rules.flatMap((rule) => {
    const r = keyed(rule);
    const found = ipKeyedStatements(r.statement);
    return found.length ? [`${r.name} (${[...new Set(found)].join(', ')})`] : [];
  });
}

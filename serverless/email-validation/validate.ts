/** The address checks: syntax a mail server accepts, and the environment's blocked domains. */

export type Verdict =
  | { readonly valid: true; readonly domain: string }
  | { readonly valid: false; readonly domain: string; readonly reason: string };

const ADDRESS = /^[^\s@]{1,64}@([a-z0-9-]+(\.[a-z0-9-]+)+)$/i;

export function validateAddress(address: string, blockedDomains: readonly string[]): Verdict {
  const match = ADDRESS.exec(address.trim());
  if (!match) return { valid: false, domain: address.split('@')[1] ?? '', reason: 'malformed address' };
  const domain = match[1].toLowerCase();
  const blocked = blockedDomains.find((b) => domain === b || domain.endsWith(`.${b}`));
  if (blocked) return { valid: false, domain, reason: `domain ${blocked} is blocked` };
  return { valid: true, domain };
}

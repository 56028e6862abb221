/**
 * The user pool fields Cognito cannot change in place: the required attributes (and the username
 * attribute, fixed to e-mail in constructs/identity/user-pool.ts) replace the pool, and custom
 * attributes can be added but never changed or removed. Replacing a pool loses every user and
 * password, so these fields are pinned per environment in identity-pins.json, and a config that
 * differs from its pin is an error. A change made on purpose (a new pool and a user migration,
 * docs/runbooks.md "Identity") updates the pin in the same commit.
 */
import type { ConfigIssue, EnvironmentConfig, IdentityConfig } from './schema';
import PINS from './identity-pins.json';

export interface IdentityPin {
  readonly requiredAttributes: readonly string[];
  /** name -> `<type>, mutable|immutable`. */
  readonly customAttributes: Readonly<Record<string, string>>;
}

export const IDENTITY_PINS: Readonly<Record<string, IdentityPin>> = PINS;

/** The pin an identity section produces (what identity-pins.json holds for it). */
export function identityPinOf(identity: IdentityConfig): IdentityPin {
  return {
    requiredAttributes: [...identity.requiredAttributes].sort(),
    customAttributes: Object.fromEntries(
      Object.entries(identity.customAttributes).map(([n, a]) => [
        n,
        `${a.type}, ${a.mutable ? 'mutable' : 'immutable'}`,
      ]),
    ),
  };
}

const WHY = 'replaces the user pool and loses every user (identity-pins.ts)';

/** Errors for pinned fields that changed; warnings for custom attributes added without a pin. */
export function identityPinProblems(
  environments: Record<string, EnvironmentConfig>,
  pins: Readonly<Record<string, IdentityPin>> = IDENTITY_PINS,
): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  for (const env of Object.values(environments)) {
    const pin = pins[env.name];
    if (!pin || !env.identity) continue;
    const at = (...rest: string[]) => ['environments', env.name, 'identity', ...rest].join('.');
    const now = identityPinOf(env.identity);
    const pinned = [...pin.requiredAttributes].sort();
    if (JSON.stringify(now.requiredAttributes) !== JSON.stringify(pinned)) {
      errors.push({
        path: at('requiredAttributes'),
        message: `[${now.requiredAttributes.join(', ')}] differs from the pinned [${pinned.join(', ')}]: changing it ${WHY}`,
      });
    }
    for (const [name, shape] of Object.entries(pin.customAttributes)) {
      const current = now.customAttributes[name];
      if (current !== shape) {
        errors.push({
          path: at('customAttributes', name),
          message: `${current ? `is ${current}, pinned as ${shape}` : `pinned as ${shape}, now removed`}: changing or removing a custom attribute ${WHY}`,
        });
      }
    }
    for (const name of Object.keys(now.customAttributes)) {
      if (!(name in pin.customAttributes))
        warnings.push({
          path: at('customAttributes', name),
          message: `new custom attribute: pin it in environments/identity-pins.json once applied`,
        });
    }
  }
  return { errors, warnings };
}

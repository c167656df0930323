import type { GroupClaim, JwtIssuerSettings, ScopeClaim } from '../shared/constants';
import { TokenPolicyError } from './errors';

/** What a verified token lets its holder do: whole values, compared case-sensitively. */
export interface Permissions {
  readonly scopes: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/** How each scope claim is written: a space-separated string, an array, or either. */
const SCOPE_CLAIM_FORMS: Record<ScopeClaim, { readonly string: boolean; readonly array: boolean }> = {
  scope: { string: true, array: false },
  scp: { string: true, array: true },
  permissions: { string: false, array: true },
};

/**
 * The scopes and groups of a verified token, read from the claims its issuer is configured with
 * and no others. A configured claim of the wrong shape (a number, an array holding a non-string)
 * makes the whole token unusable rather than being skipped.
 */
export function permissionsOf(payload: Readonly<Record<string, unknown>>, issuer: Pick<JwtIssuerSettings, 'scopeClaims' | 'groupClaims'>): Permissions {
  const scopes = new Set<string>();
  for (const claim of issuer.scopeClaims) {
    readValues(payload, claim, SCOPE_CLAIM_FORMS[claim]).forEach((scope) => scopes.add(scope));
  }
  const groups = new Set<string>();
  for (const claim of issuer.groupClaims) {
    readValues(payload, claim, { string: false, array: true }).forEach((group) => groups.add(group));
  }
  return { scopes, groups };
}

function readValues(payload: Readonly<Record<string, unknown>>, claim: ScopeClaim | GroupClaim, form: { readonly string: boolean; readonly array: boolean }): string[] {
  if (!Object.prototype.hasOwnProperty.call(payload, claim)) {
    return [];
  }
  const value = payload[claim];
  if (typeof value === 'string' && form.string) {
    return value.split(' ').filter((item) => item.length > 0);
  }
  if (Array.isArray(value) && form.array && value.every((item) => typeof item === 'string' && item.length > 0 && !/\s/.test(item))) {
    return value as string[];
  }
  throw new TokenPolicyError(`claim ${claim} is not ${form.string && form.array ? 'a string or an array of strings' : form.string ? 'a string' : 'an array of strings'} without whitespace`);
}

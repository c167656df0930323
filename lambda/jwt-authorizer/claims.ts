import type { GroupClaim, JwtIssuerSettings, ScopeClaim } from '../shared/constants';
import { TokenPolicyError } from './errors';

/** What a verified token lets its holder do: whole values, compared case-sensitively. */
export interface Permissions {
  readonly scopes: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/** How a claim is written: a space-separated string, an array, or either; and whether array items may hold spaces. */
interface ClaimForm {
  readonly string: boolean;
  readonly array: boolean;
  readonly spacesInItems: boolean;
}

/** Scopes never contain whitespace (RFC 6749 3.3). */
const SCOPE_CLAIM_FORMS: Record<ScopeClaim, ClaimForm> = {
  scope: { string: true, array: false, spacesInItems: false },
  scp: { string: true, array: true, spacesInItems: false },
  permissions: { string: false, array: true, spacesInItems: false },
};

/** Group and role names may hold spaces ('Pet Admins'). */
const GROUP_CLAIM_FORM: ClaimForm = { string: false, array: true, spacesInItems: true };

/**
 * The scopes and groups of a verified token: read from the claims its issuer is configured with
 * and no others, and kept only if that issuer declares them, so one trusted issuer cannot grant
 * what only another may. A configured claim of the wrong shape (a number, an array holding a
 * non-string) makes the whole token unusable rather than being skipped.
 */
export function permissionsOf(payload: Readonly<Record<string, unknown>>, issuer: Pick<JwtIssuerSettings, 'scopeClaims' | 'groupClaims' | 'scopes' | 'groups'>): Permissions {
  const scopes = new Set<string>();
  for (const claim of issuer.scopeClaims) {
    readValues(payload, claim, SCOPE_CLAIM_FORMS[claim]).forEach((scope) => scopes.add(scope));
  }
  const groups = new Set<string>();
  for (const claim of issuer.groupClaims) {
    readValues(payload, claim, GROUP_CLAIM_FORM).forEach((group) => groups.add(group));
  }
  return { scopes: declaredOnly(scopes, issuer.scopes), groups: declaredOnly(groups, issuer.groups) };
}

function declaredOnly(values: ReadonlySet<string>, declared: readonly string[]): ReadonlySet<string> {
  return new Set(declared.filter((value) => values.has(value)));
}

function readValues(payload: Readonly<Record<string, unknown>>, claim: ScopeClaim | GroupClaim, form: ClaimForm): string[] {
  if (!Object.prototype.hasOwnProperty.call(payload, claim)) {
    return [];
  }
  const value = payload[claim];
  if (typeof value === 'string' && form.string) {
    return value.split(' ').filter((item) => item.length > 0);
  }
  if (Array.isArray(value) && form.array && value.every((item) => typeof item === 'string' && item.length > 0 && (form.spacesInItems || !/\s/.test(item)))) {
    return value as string[];
  }
  const shape = form.string && form.array ? 'a string or an array of strings' : form.string ? 'a string' : 'an array of strings';
  throw new TokenPolicyError(`claim ${claim} is not ${shape}${form.spacesInItems ? '' : ' without whitespace'}`);
}

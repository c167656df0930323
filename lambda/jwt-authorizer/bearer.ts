import { AUTHORIZATION_HEADER, BEARER_TOKEN_PATTERN } from '../shared/constants';
import { BadCredentialsError } from './errors';

const BEARER = new RegExp(BEARER_TOKEN_PATTERN);

/**
 * The token of an `Authorization: Bearer <token>` value. Refuses a value over `maxBytes` before
 * looking at it, another scheme, and anything but exactly one token.
 */
export function parseBearer(value: unknown, maxBytes: number): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new BadCredentialsError('no Authorization header');
  }
  if (Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw new BadCredentialsError(`Authorization header over ${maxBytes} bytes`);
  }
  const match = BEARER.exec(value);
  if (!match) {
    throw new BadCredentialsError('Authorization header is not "Bearer <token>"');
  }
  return match[1];
}

/** The fields of an authorizer event the token can come from. */
export interface CredentialSource {
  /** TOKEN authorizers: the identity source's value. */
  readonly authorizationToken?: unknown;
  /** REQUEST authorizers: the request's headers. */
  readonly headers?: unknown;
  /** REQUEST authorizers: every value of each header. */
  readonly multiValueHeaders?: unknown;
}

/**
 * The raw `Authorization` value of a TOKEN or REQUEST authorizer event. A REQUEST whose header
 * appears more than once (in any letter case, or as several values) is refused: which copy a backend
 * would read is not defined.
 */
export function authorizationValue(event: CredentialSource): unknown {
  if (event.authorizationToken !== undefined) {
    return event.authorizationToken;
  }
  const single = authorizationEntries(event.headers);
  const multi = authorizationEntries(event.multiValueHeaders).flatMap((value) => (Array.isArray(value) ? value : [value]));
  if (single.length > 1 || multi.length > 1 || (single.length === 1 && multi.length === 1 && single[0] !== multi[0])) {
    throw new BadCredentialsError('more than one Authorization header');
  }
  return single.length === 1 ? single[0] : multi[0];
}

function authorizationEntries(headers: unknown): unknown[] {
  if (headers === null || typeof headers !== 'object') {
    return [];
  }
  return Object.entries(headers)
    .filter(([name]) => name.toLowerCase() === AUTHORIZATION_HEADER.toLowerCase())
    .map(([, value]) => value);
}

import type { JwtIssuerSettings, JwtLimitSettings } from '../shared/constants';
import { TokenPolicyError } from './errors';

/** The parts of a verified token the rules look at. */
export interface VerifiedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly jwk: Readonly<Record<string, unknown>>;
}

/** The smallest RSA modulus the authorizer trusts (NIST SP 800-131A). */
export const MIN_RSA_MODULUS_BITS = 2048;

/** `typ` values of RFC 9068 access tokens. */
const ACCESS_TOKEN_TYPES = ['at+jwt', 'application/at+jwt'];

/** Claims only ID tokens carry: an ID token is proof of a login for a client, not an access grant. */
const ID_TOKEN_ONLY_CLAIMS = ['nonce', 'at_hash', 'c_hash'];

/**
 * The rules the authorizer adds on top of aws-jwt-verify's signature, `iss`, `aud`, `exp` and
 * `nbf` checks. Throws a {@link TokenPolicyError} for the first rule the token breaks.
 *
 * @param nowSeconds the current time, seconds since the epoch
 */
export function checkTokenRules(token: VerifiedToken, issuer: JwtIssuerSettings, limits: JwtLimitSettings, nowSeconds: number): void {
  checkHeader(token.header, issuer);
  checkLifetime(token.payload, limits, nowSeconds);
  checkAccessToken(token.payload, issuer);
  checkKey(token.jwk);
}

function checkHeader(header: Readonly<Record<string, unknown>>, issuer: JwtIssuerSettings): void {
  // RFC 7515 4.1.11: a recipient that does not understand a critical extension must reject the token.
  if (header.crit !== undefined) {
    throw new TokenPolicyError('the token header has a crit parameter');
  }
  if (issuer.requireAccessTokenType && !ACCESS_TOKEN_TYPES.includes(String(header.typ).toLowerCase())) {
    throw new TokenPolicyError('the token header typ is not at+jwt');
  }
}

function checkLifetime(payload: Readonly<Record<string, unknown>>, limits: JwtLimitSettings, now: number): void {
  const { exp, iat } = payload;
  if (typeof exp !== 'number') {
    throw new TokenPolicyError('the token has no exp claim');
  }
  if (exp - now > limits.maxLifetimeSeconds + limits.clockSkewSeconds) {
    throw new TokenPolicyError(`the token expires more than ${limits.maxLifetimeSeconds} s from now`);
  }
  if (iat !== undefined) {
    if (typeof iat !== 'number') {
      throw new TokenPolicyError('the token iat claim is not a number');
    }
    if (iat > now + limits.clockSkewSeconds) {
      throw new TokenPolicyError('the token was issued in the future');
    }
    if (exp - iat > limits.maxLifetimeSeconds) {
      throw new TokenPolicyError(`the token lives longer than ${limits.maxLifetimeSeconds} s`);
    }
  }
}

function checkAccessToken(payload: Readonly<Record<string, unknown>>, issuer: JwtIssuerSettings): void {
  const { tokenType } = issuer;
  if (tokenType === 'google-id') {
    // Google Sign-In: an ID token for one of the API's own client IDs (aws-jwt-verify checked `aud`).
    if (payload.email_verified !== true) {
      throw new TokenPolicyError('the token email_verified claim is not true');
    }
  } else {
    if (payload.token_use !== undefined && payload.token_use !== 'access' || tokenType === 'cognito-access' && payload.token_use !== 'access') {
      throw new TokenPolicyError('the token is not an access token (token_use)');
    }
    if (tokenType === 'keycloak-access' && payload.typ !== 'Bearer') {
      throw new TokenPolicyError('the token is not an access token (typ)');
    }
    const idClaim = ID_TOKEN_ONLY_CLAIMS.find((claim) => payload[claim] !== undefined);
    if (idClaim) {
      throw new TokenPolicyError(`the token carries ${idClaim}, a claim of ID tokens`);
    }
  }
  if (issuer.audienceClaim === 'client_id' && !(typeof payload.client_id === 'string' && issuer.audience.includes(payload.client_id))) {
    throw new TokenPolicyError('the token client_id is not an allowed audience');
  }
  for (const [claim, value] of Object.entries(issuer.requiredClaims)) {
    if (payload[claim] !== value) {
      throw new TokenPolicyError(`the token ${claim} claim is not the required value`);
    }
  }
}

function checkKey(jwk: Readonly<Record<string, unknown>>): void {
  if (jwk.kty !== 'RSA') {
    return;
  }
  const modulus = typeof jwk.n === 'string' ? Buffer.from(jwk.n, 'base64url') : Buffer.alloc(0);
  const leadingZeros = modulus.findIndex((byte) => byte !== 0);
  const bits = leadingZeros < 0 ? 0 : (modulus.length - leadingZeros) * 8 - Math.clz32(modulus[leadingZeros]) + 24;
  if (bits < MIN_RSA_MODULUS_BITS) {
    throw new TokenPolicyError(`the signing key is RSA with ${bits} bits, under ${MIN_RSA_MODULUS_BITS}`);
  }
}

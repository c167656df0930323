import type { JwksCache, SignatureJwk } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { JwkToKeyObjectTransformerAsync, KeyObjectCache, verifyJwt } from 'aws-jwt-verify/jwt-verifier';
import type { JwtAuthorizerSettings, JwtIssuerSettings } from '../shared/constants';
import type { IssuerKeyLocator } from './discovery';
import { TokenPolicyError } from './errors';
import { checkTokenRules } from './token-rules';

/** A token that passed every check, with the settings of the issuer that signed it. */
export interface VerifiedAccessToken {
  readonly payload: Readonly<Record<string, unknown>>;
  readonly issuer: JwtIssuerSettings;
}

/** Verifies a token: resolves with its claims, or rejects with the reason it is not valid. */
export type TokenVerifier = (token: string) => Promise<VerifiedAccessToken>;

/**
 * A verifier for the configured issuers. The token's `iss` picks the issuer's settings (as
 * aws-jwt-verify's multi-issuer `JwtVerifier` does); then aws-jwt-verify's `verifyJwt` checks the
 * signature (asymmetric algorithms only, so `none` and HS256-with-a-public-key fail) with a key
 * from that issuer's JWKS URI (configured, or found by discovery), and `iss`, `aud`, `exp` and `nbf` with the clock skew;
 * the authorizer's own rules ({@link checkTokenRules}) run after it. The functions are used rather
 * than the `JwtVerifier` class to keep the bundle small.
 *
 * @param nowSeconds the clock for the authorizer's rules
 */
export function createTokenVerifier(settings: JwtAuthorizerSettings, jwksCache: JwksCache, keys: Pick<IssuerKeyLocator, 'jwksUri'>, nowSeconds: () => number = () => Date.now() / 1000): TokenVerifier {
  const byIssuer = new Map(settings.issuers.map((issuer) => [issuer.issuer, issuer]));
  const getJwk = jwksCache.getJwk.bind(jwksCache);
  const toKeyObject = keyObjectsByJwk();
  return async (token) => {
    const claimed = peekIssuer(token) ?? decomposeUnverifiedJwt(token).payload.iss;
    const issuer = typeof claimed === 'string' ? byIssuer.get(claimed) : undefined;
    if (!issuer) {
      throw new TokenPolicyError('the token\'s issuer is not trusted');
    }
    const payload: Readonly<Record<string, unknown>> = await verifyJwt(token, await keys.jwksUri(issuer), {
      issuer: issuer.issuer,
      // Cognito access tokens have no `aud`; the rules check `client_id` instead.
      audience: issuer.audienceClaim === 'aud' ? [...issuer.audience] : null,
      graceSeconds: settings.limits.clockSkewSeconds,
      customJwtCheck: ({ header, payload: claims, jwk }) =>
        checkTokenRules({ header: { ...header }, payload: { ...claims }, jwk: { ...jwk } }, issuer, settings.limits, nowSeconds()),
    }, getJwk, toKeyObject);
    return { payload, issuer };
  };
}

/**
 * The `iss` a token claims, only to choose the issuer's settings (aws-jwt-verify then decomposes
 * the token safely and checks `iss` against them): a plain JSON parse of the payload, which costs a
 * fraction of a second decomposition. Undefined when the payload does not parse, and the library's
 * decomposition then refuses the token with its own error.
 */
function peekIssuer(token: string): unknown {
  try {
    return (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown } | null)?.iss;
  } catch {
    return undefined;
  }
}

/**
 * Converts JWKs to public key objects, caching the result per JWK object. aws-jwt-verify's own
 * cache is keyed by issuer and `kid`, so a key replaced under the same `kid` would keep verifying
 * with the old key until a cold start; keyed by the JWK itself, a key set fetched again (after its
 * maximum age) brings new key objects.
 */
function keyObjectsByJwk(): JwkToKeyObjectTransformerAsync {
  // Without an issuer, the library converts without caching.
  const converter = new KeyObjectCache();
  const converted = new WeakMap<SignatureJwk, Map<string, Promise<object>>>();
  return (jwk, alg) => {
    let byAlg = converted.get(jwk);
    if (!byAlg) {
      byAlg = new Map();
      converted.set(jwk, byAlg);
    }
    const key = String(alg);
    let keyObject = byAlg.get(key);
    if (!keyObject) {
      keyObject = converter.transformJwkToKeyObjectAsync(jwk, alg);
      byAlg.set(key, keyObject);
    }
    return keyObject;
  };
}

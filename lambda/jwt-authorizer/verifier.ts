import type { JwksCache } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { KeyObjectCache, verifyJwt } from 'aws-jwt-verify/jwt-verifier';
import type { JwtAuthorizerSettings, JwtIssuerSettings } from '../shared/constants';
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
 * from that issuer's configured JWKS URI, and `iss`, `aud`, `exp` and `nbf` with the clock skew;
 * the authorizer's own rules ({@link checkTokenRules}) run after it. The functions are used rather
 * than the `JwtVerifier` class to keep the bundle small; converted public keys are cached the same way.
 *
 * @param nowSeconds the clock for the authorizer's rules
 */
export function createTokenVerifier(settings: JwtAuthorizerSettings, jwksCache: JwksCache, nowSeconds: () => number = () => Date.now() / 1000): TokenVerifier {
  const byIssuer = new Map(settings.issuers.map((issuer) => [issuer.issuer, issuer]));
  const keyObjects = new KeyObjectCache();
  const getJwk = jwksCache.getJwk.bind(jwksCache);
  const toKeyObject = keyObjects.transformJwkToKeyObjectAsync.bind(keyObjects);
  return async (token) => {
    const claimedIssuer = decomposeUnverifiedJwt(token).payload.iss;
    const issuer = typeof claimedIssuer === 'string' ? byIssuer.get(claimedIssuer) : undefined;
    if (!issuer) {
      throw new TokenPolicyError('the token\'s issuer is not trusted');
    }
    const payload: Readonly<Record<string, unknown>> = await verifyJwt(token, issuer.jwksUri, {
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

import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import type { JwtAuthorizerSettings, JwtIssuerSettings } from '../shared/constants';
import { checkTokenRules } from './token-rules';

/** A token that passed every check, with the settings of the issuer that signed it. */
export interface VerifiedAccessToken {
  readonly payload: Readonly<Record<string, unknown>>;
  readonly issuer: JwtIssuerSettings;
}

/** Verifies a token: resolves with its claims, or rejects with the reason it is not valid. */
export type TokenVerifier = (token: string) => Promise<VerifiedAccessToken>;

/**
 * A verifier for the configured issuers: aws-jwt-verify checks the signature (asymmetric
 * algorithms only, so `none` and HS256-with-a-public-key fail), `iss`, `aud`, `exp` and `nbf`
 * with the clock skew; the authorizer's own rules ({@link checkTokenRules}) run after it.
 *
 * @param nowSeconds the clock for the authorizer's rules
 */
export function createTokenVerifier(settings: JwtAuthorizerSettings, jwksCache: JwksCache, nowSeconds: () => number = () => Date.now() / 1000): TokenVerifier {
  const verifier = JwtVerifier.create(settings.issuers.map((issuer) => ({
    issuer: issuer.issuer,
    // Cognito access tokens have no `aud`; the rules check `client_id` instead.
    audience: issuer.audienceClaim === 'aud' ? [...issuer.audience] : null,
    jwksUri: issuer.jwksUri,
    graceSeconds: settings.limits.clockSkewSeconds,
    customJwtCheck: ({ header, payload, jwk }: { header: object; payload: object; jwk: object }) =>
      checkTokenRules({ header: { ...header }, payload: { ...payload }, jwk: { ...jwk } }, issuer, settings.limits, nowSeconds()),
  })), { jwksCache });
  const byIssuer = new Map(settings.issuers.map((issuer) => [issuer.issuer, issuer]));
  return async (token) => {
    const payload: Readonly<Record<string, unknown>> = await verifier.verify(token);
    return { payload, issuer: byIssuer.get(payload.iss as string)! };
  };
}

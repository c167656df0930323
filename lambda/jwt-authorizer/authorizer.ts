import {
  FetchError,
  JwksValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { JwtAuthorizerSettings } from '../shared/constants';
import { CredentialSource, authorizationValue, parseBearer } from './bearer';
import { Permissions, permissionsOf } from './claims';
import { UnauthorizedError } from './errors';
import { RouteTable } from './route-policy';
import type { TokenVerifier } from './verifier';

/** The fields of a TOKEN or REQUEST authorizer event the authorizer reads. */
export interface AuthorizerEvent extends CredentialSource {
  readonly methodArn?: unknown;
}

/**
 * Where the authorizer reports its decisions. Never given the token. Accepted tokens are logged at
 * debug level only: API Gateway's access log already records each call's principal and authorizer
 * status, and a log line per accepted call would double the authorizer's warm latency.
 */
export interface DecisionLog {
  debug(message: string, details: Record<string, unknown>): void;
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
}

/** The message that makes API Gateway answer 401 Unauthorized. */
export const UNAUTHORIZED = 'Unauthorized';

/** Claims that name the client application, by issuer style. */
const CLIENT_ID_CLAIMS = ['client_id', 'azp', 'cid', 'appid'];

/**
 * Decides one authorizer request: a policy for a valid token (allowing exactly the routes its
 * scopes and groups permit), or `Error('Unauthorized')` for anything else. It never throws
 * another error, so API Gateway never answers 500 because of what a client sent.
 */
export async function authorize(
  event: AuthorizerEvent,
  deps: { readonly settings: JwtAuthorizerSettings; readonly routes: RouteTable; readonly verify: TokenVerifier; readonly log: DecisionLog },
): Promise<APIGatewayAuthorizerResult> {
  try {
    const token = parseBearer(authorizationValue(event ?? {}), deps.settings.limits.maxTokenBytes);
    const { payload, issuer } = await deps.verify(token);
    const permissions = permissionsOf(payload, issuer);
    const principalId = stringClaim(payload, ['sub']) ?? stringClaim(payload, CLIENT_ID_CLAIMS);
    if (!principalId) {
      throw new UnauthorizedError('no-subject', 'the token names no subject or client');
    }
    const policy = deps.routes.policyFor(String(event.methodArn), permissions);
    const details = { sub: principalId, issuer: issuer.issuer, allowedRoutes: policy.allowed.length };
    if (policy.shadowed.length > 0) {
      deps.log.warn('routes refused by a Deny for an overlapping route', { ...details, shadowed: policy.shadowed });
    }
    deps.log.debug('token accepted', details);
    return {
      principalId,
      policyDocument: policy.policyDocument as APIGatewayAuthorizerResult['policyDocument'],
      context: contextOf(payload, permissions, issuer.issuer, principalId),
    };
  } catch (error) {
    try {
      deps.log.info('token refused', describeRefusal(error));
    } catch {
      // A refusal is never turned into a 500 by a failure to describe it.
    }
    throw new Error(UNAUTHORIZED);
  }
}

/**
 * Stable reasons for aws-jwt-verify's errors, most specific first. Their class names cannot serve:
 * the bundle is minified, so in Lambda they are single letters.
 */
const LIBRARY_REASONS: ReadonlyArray<readonly [new (...args: never[]) => Error, string]> = [
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not-yet-valid'],
  [JwtInvalidIssuerError, 'wrong-issuer'],
  [JwtInvalidAudienceError, 'wrong-audience'],
  [JwtInvalidSignatureAlgorithmError, 'wrong-algorithm'],
  [JwtInvalidSignatureError, 'bad-signature'],
  [JwtParseError, 'malformed'],
  [JwtWithoutValidKidError, 'no-kid'],
  [KidNotFoundInJwksError, 'unknown-kid'],
  [WaitPeriodNotYetEndedJwkError, 'jwks-back-off'],
  [FetchError, 'jwks-unavailable'],
  [JwksValidationError, 'jwks-invalid'],
];

/** The longest detail logged: messages can quote values an attacker chose. */
const MAX_DETAIL_LENGTH = 200;

/** Why a token was refused, for the log: a stable reason, and the error's message, shortened. */
function describeRefusal(error: unknown): { reason: string; detail: string } {
  if (error instanceof UnauthorizedError) {
    return { reason: error.reason, detail: error.message.slice(0, MAX_DETAIL_LENGTH) };
  }
  if (error instanceof Error) {
    const known = LIBRARY_REASONS.find(([type]) => error instanceof type);
    return { reason: known?.[1] ?? 'invalid-token', detail: String(error.message).slice(0, MAX_DETAIL_LENGTH) };
  }
  return { reason: 'unknown', detail: typeof error };
}

/** What the backend receives in `requestContext.authorizer`: strings only. */
function contextOf(payload: Readonly<Record<string, unknown>>, permissions: Permissions, issuer: string, principalId: string): Record<string, string> {
  return {
    sub: principalId,
    issuer,
    clientId: stringClaim(payload, CLIENT_ID_CLAIMS) ?? '',
    scopes: [...permissions.scopes].join(' '),
    groups: JSON.stringify([...permissions.groups]),
  };
}

function stringClaim(payload: Readonly<Record<string, unknown>>, claims: readonly string[]): string | undefined {
  for (const claim of claims) {
    const value = payload[claim];
    if (typeof value === 'string' && value.length > 0) {
      return value;
    }
  }
  return undefined;
}

import {
  FetchError,
  JwksValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtBaseError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
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
 * status, and a log line per accepted call would double the authorizer's warm latency. Refusals
 * are logged at info level, faults (bugs) at error level.
 */
export interface DecisionLog {
  debug(message: string, details: Record<string, unknown>): void;
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}

/** Counts faults: requests the authorizer could not decide because of an unexpected exception. */
export interface FaultCounter {
  count(): void;
}

/** The message that makes API Gateway answer 401 Unauthorized. */
export const UNAUTHORIZED = 'Unauthorized';

/** Claims that name the client application, by issuer style. */
const CLIENT_ID_CLAIMS = ['client_id', 'azp', 'cid', 'appid'];

/** What {@link authorize} needs: created once per cold start, replaced in tests. */
export interface AuthorizerDeps {
  readonly settings: JwtAuthorizerSettings;
  readonly routes: RouteTable;
  readonly verify: TokenVerifier;
  readonly log: DecisionLog;
  readonly faults: FaultCounter;
}

/**
 * Decides one authorizer request: a policy for a valid token (allowing exactly the routes its
 * scopes and groups permit), or `Error('Unauthorized')` for anything else. It never throws
 * another error, so API Gateway never answers 500 because of what a client sent.
 *
 * Lambda counts every `Unauthorized` as a function error, so the function's `Errors` metric cannot
 * tell a bug from an expired token. The two are told apart here: a refusal (anything wrong with
 * what the client sent, or the issuer's keys being unavailable) is logged at info level with a
 * stable reason; a fault (any other exception: a bug) is logged at error level with its stack and
 * counted in {@link FaultCounter}, and is still answered `Unauthorized`: never allowed, never 500.
 */
export async function authorize(event: AuthorizerEvent, deps: AuthorizerDeps): Promise<APIGatewayAuthorizerResult> {
  // Kept for redacting a fault's message and stack, which could quote them.
  const secrets: string[] = [];
  try {
    const value = authorizationValue(event ?? {});
    if (typeof value === 'string') {
      secrets.push(value);
    }
    const token = parseBearer(value, deps.settings.limits.maxTokenBytes);
    secrets.push(token, ...token.split('.').filter((part) => part.length >= MIN_REDACTED_LENGTH));
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
    if (isRefusal(error)) {
      try {
        deps.log.info('token refused', describeRefusal(error));
      } catch {
        // A refusal is never turned into a 500 by a failure to describe it.
      }
    } else {
      reportFault(error, secrets, deps);
    }
    throw new Error(UNAUTHORIZED);
  }
}

/** Parts of a token shorter than this are not redacted from a fault's log: too common to be secret. */
const MIN_REDACTED_LENGTH = 8;

/** The longest stack logged. */
const MAX_STACK_LENGTH = 4000;

/**
 * Whether an error is a refusal of what the client sent: one of the authorizer's own, or one of
 * aws-jwt-verify's about the token or the issuer's keys. aws-jwt-verify's `ParameterValidationError`
 * means it was called wrongly: a bug.
 */
function isRefusal(error: unknown): error is UnauthorizedError | JwtBaseError {
  return error instanceof UnauthorizedError || (error instanceof JwtBaseError && !(error instanceof ParameterValidationError));
}

/** Logs a fault at error level with its stack, the token redacted, and counts it. Never throws. */
function reportFault(error: unknown, secrets: readonly string[], deps: AuthorizerDeps): void {
  try {
    deps.faults.count();
  } catch {
    // Counting is best effort: the caller still gets Unauthorized.
  }
  try {
    const redact = (text: string): string => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
    const details = error instanceof Error
      ? { reason: 'fault', name: redact(String(error.name)), detail: redact(String(error.message)).slice(0, MAX_DETAIL_LENGTH), stack: redact(String(error.stack)).slice(0, MAX_STACK_LENGTH) }
      : { reason: 'fault', name: typeof error, detail: typeof error, stack: '' };
    deps.log.error('authorizer fault', details);
  } catch {
    // A thrown value whose fields cannot be read is still answered Unauthorized.
    try {
      deps.log.error('authorizer fault', { reason: 'fault', name: 'unknown', detail: 'unreadable', stack: '' });
    } catch {
      // Nothing more to do.
    }
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
function describeRefusal(error: UnauthorizedError | JwtBaseError): { reason: string; detail: string } {
  if (error instanceof UnauthorizedError) {
    return { reason: error.reason, detail: error.message.slice(0, MAX_DETAIL_LENGTH) };
  }
  const known = LIBRARY_REASONS.find(([type]) => error instanceof type);
  return { reason: known?.[1] ?? 'invalid-token', detail: String(error.message).slice(0, MAX_DETAIL_LENGTH) };
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

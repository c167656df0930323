/**
 * Constants shared by the constructs (lib/) and the Lambda handlers (lambda/).
 *
 * This is the one module both sides import: it holds names, never logic, so a header or
 * variable name is written once and cannot drift between the stack and the code it deploys.
 */

/**
 * Security headers on every response the API sends: API Gateway's own error responses
 * (gateway responses) and the example backend's responses.
 */
export const SECURITY_HEADERS = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
} as const;

/** The request header that carries the caller's access token, read by every token authorizer. */
export const AUTHORIZATION_HEADER = 'Authorization';

/**
 * `Bearer <token>`: the scheme in any letter case, one or more spaces, and exactly one token of
 * RFC 6750 `b64token` characters (captured), nothing before or after. Written without flags, so
 * API Gateway can check it too (a TOKEN authorizer's identity validation expression).
 */
export const BEARER_TOKEN_PATTERN = '^[Bb][Ee][Aa][Rr][Ee][Rr] +([-0-9A-Za-z._~+/]+=*)$';

/** The HTTP methods of API Gateway routes; `ANY` matches every method without a route of its own. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

/** Environment variables the library sets on every function it creates. */
export const ENV = {
  /** Lets Node.js map stack traces through the bundle's source map. */
  nodeOptions: 'NODE_OPTIONS',
  /** The service name Powertools puts on every log line and metric. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/**
 * Keys of the API's JSON access log. The construct writes them (see `lib/observability`), and the
 * handlers that read the log (the abuse blocker, metric filters) look them up by these names.
 */
export const ACCESS_LOG_KEYS = {
  requestId: 'requestId',
  extendedRequestId: 'extendedRequestId',
  requestTime: 'requestTime',
  requestTimeEpoch: 'requestTimeEpoch',
  sourceIp: 'sourceIp',
  userAgent: 'userAgent',
  caller: 'caller',
  user: 'user',
  userArn: 'userArn',
  principalId: 'principalId',
  authorizerError: 'authorizerError',
  authorizerStatus: 'authorizerStatus',
  authorizerLatency: 'authorizerLatency',
  wafResponseCode: 'wafResponseCode',
  apiKeyId: 'apiKeyId',
  httpMethod: 'httpMethod',
  resourcePath: 'resourcePath',
  path: 'path',
  domainName: 'domainName',
  stage: 'stage',
  status: 'status',
  protocol: 'protocol',
  tlsVersion: 'tlsVersion',
  cipherSuite: 'cipherSuite',
  responseLength: 'responseLength',
  responseLatency: 'responseLatency',
  integrationStatus: 'integrationStatus',
  integrationLatency: 'integrationLatency',
  integrationError: 'integrationError',
  errorMessage: 'errorMessage',
  errorResponseType: 'errorResponseType',
} as const;

/** Environment variables of the JWT authorizer. */
export const JWT_AUTHORIZER_ENV = {
  /** The authorizer's settings as JSON: a {@link JwtAuthorizerSettings}. */
  settings: 'JWT_AUTHORIZER_SETTINGS',
} as const;

/**
 * Claims the JWT authorizer can read scopes from: `scope` (a space-separated string, RFC 8693),
 * `scp` (an array or a space-separated string: Okta, Entra ID) and `permissions` (an array: Auth0 RBAC).
 */
export const SCOPE_CLAIMS = ['scope', 'scp', 'permissions'] as const;
/** A claim holding scopes. */
export type ScopeClaim = typeof SCOPE_CLAIMS[number];

/**
 * Claims the JWT authorizer can read groups or roles from: `cognito:groups` (Cognito), `groups`
 * (Okta, Keycloak with a groups mapper) and `roles` (Entra ID app roles). Each is an array of strings.
 */
export const GROUP_CLAIMS = ['cognito:groups', 'groups', 'roles'] as const;
/** A claim holding groups or roles. */
export type GroupClaim = typeof GROUP_CLAIMS[number];

/** Which claim of an access token carries its audience. */
export const AUDIENCE_CLAIMS = ['aud', 'client_id'] as const;
/** A claim holding the token's audience: `aud`, or `client_id` for Cognito access tokens, which have no `aud`. */
export type AudienceClaim = typeof AUDIENCE_CLAIMS[number];

/** One trusted issuer, as the construct hands it to the authorizer. */
export interface JwtIssuerSettings {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly audienceClaim: AudienceClaim;
  readonly jwksUri: string;
  readonly scopeClaims: readonly ScopeClaim[];
  readonly groupClaims: readonly GroupClaim[];
  /** The scopes the issuer may grant: a token's other scopes do not count. */
  readonly scopes: readonly string[];
  /** The groups the issuer may assert: a token's other groups do not count. */
  readonly groups: readonly string[];
  /** Require the `typ` header `at+jwt` of RFC 9068 access tokens. */
  readonly requireAccessTokenType: boolean;
}

/**
 * A route of the API, as the construct hands it to the authorizer: `[method, path]` for a route
 * that another authorization guards (it matters only for how API Gateway picks routes), or
 * `[method, path, scopes, groups]` for a route this authorizer guards. A caller may call the route
 * when it holds one of `scopes` (or none is listed) and is in one of `groups` (or none is listed).
 */
export type JwtRouteSettings =
  | readonly [method: string, path: string]
  | readonly [method: string, path: string, scopes: readonly string[], groups: readonly string[]];

/** Limits the authorizer enforces. */
export interface JwtLimitSettings {
  readonly maxTokenBytes: number;
  readonly maxLifetimeSeconds: number;
  readonly clockSkewSeconds: number;
  readonly jwksMaxAgeSeconds: number;
  readonly jwksTimeoutMs: number;
  readonly jwksRetrySeconds: number;
}

/** The JWT authorizer's settings, the JSON value of `JWT_AUTHORIZER_ENV.settings`. */
export interface JwtAuthorizerSettings {
  readonly issuers: readonly JwtIssuerSettings[];
  readonly routes: readonly JwtRouteSettings[];
  readonly limits: JwtLimitSettings;
}

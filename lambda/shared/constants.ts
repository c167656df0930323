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

/**
 * What kind of token an issuer's callers present, and how the authorizer tells it from the
 * issuer's other tokens: `access` refuses ID tokens by their ID-only claims; `cognito-access` also
 * requires Cognito's `token_use` = `access`; `keycloak-access` also requires Keycloak's `typ` claim
 * `Bearer`; `google-id` accepts Google Sign-In ID tokens (Google issues no JWT access tokens), with
 * `email_verified` true.
 */
export const TOKEN_TYPES = ['access', 'cognito-access', 'keycloak-access', 'google-id'] as const;
/** A kind of token an issuer's callers present. */
export type TokenTypeName = typeof TOKEN_TYPES[number];

/** The path of an issuer's OpenID Connect discovery document, after the issuer (OIDC Discovery 1.0, section 4). */
export const OIDC_DISCOVERY_PATH = '/.well-known/openid-configuration';

/** The largest JWKS or discovery document the authorizer reads; a larger response is refused unread. */
export const MAX_ISSUER_DOCUMENT_BYTES = 64 * 1024;

/** One trusted issuer, as the construct hands it to the authorizer. */
export interface JwtIssuerSettings {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly audienceClaim: AudienceClaim;
  /**
   * Where the signing keys are. Absent when the issuer's discovery document names it
   * (`discovery`), which the authorizer then fetches at its first token of the issuer.
   */
  readonly jwksUri?: string;
  /** Find `jwksUri` in the issuer's discovery document, `<issuer>/.well-known/openid-configuration`. */
  readonly discovery: boolean;
  readonly tokenType: TokenTypeName;
  /** Claims a token must carry with exactly these string values. */
  readonly requiredClaims: Readonly<Record<string, string>>;
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
 * A route of the API, as the construct hands it to the authorizer's policy compiler
 * (`compilePolicyPlan`, which writes a {@link JwtPolicyPlan}): `[method, path]` for a route
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

/**
 * A guarded route of a {@link JwtPolicyPlan}: its path (`/pets/{petId}`), its pattern in execute-api
 * ARNs (`GET/pets/*`, whose method, `*` for `ANY`, completes its key `GET /pets/{petId}`), and the indexes (in the plan's `scopes` and `groups`) of the
 * scopes and groups that let a caller call it (any one of each, or none listed).
 */
export type JwtPlanRoute = readonly [path: string, arnPattern: string, scopes: readonly number[], groups: readonly number[]];

/**
 * A narrowed Deny tried for a route a reacher over-reaches to (see `lambda/shared/routes/policy.ts`):
 * which of the reacher's narrowings (0: the paths below its pattern; 1: its pattern without the
 * trailing `*`; 2: both), and the guarded routes (indexes) those patterns refuse.
 */
export type JwtPlanNarrowing = readonly [narrowing: number, refuses: readonly number[]];

/**
 * A group pattern worth trying (`GET/orders/*`): how many path segments its prefix has (its pattern
 * is that prefix of its first member's ARN pattern, then `/*`), the guarded routes it stands for
 * (its members), and every guarded route it reaches. Groups that reach a route of another
 * authorization are left out.
 */
export type JwtPlanGroup = readonly [depth: number, members: readonly number[], reach: readonly number[]];

/**
 * What the JWT authorizer's policy builder needs of the route table, worked out at synth by
 * `compilePolicyPlan` (the route model, with API Gateway's precedence and the reach search) so
 * that the handler only assembles policies. Routes are named by their index in `routes`, which
 * holds the routes this authorizer guards, in the API's order; every other array is indexed alike.
 */
export interface JwtPolicyPlan {
  /** The scope names routes require; routes name them by index. */
  readonly scopes: readonly string[];
  /** The group names routes require; routes name them by index. */
  readonly groups: readonly string[];
  readonly routes: readonly JwtPlanRoute[];
  /** For each route, the other routes whose own pattern reaches it. */
  readonly reachers: readonly (readonly number[])[];
  /** For each route, the other routes that a Deny of its own pattern (and its trailing-slash form) refuses. */
  readonly ownDenyHits: readonly (readonly number[])[];
  /** For each route whose path ends in `{param}`, the routes the Deny of the paths below it refuses; null for the others. */
  readonly belowDenyHits: readonly (readonly number[] | null)[];
  /**
   * For each route with own-Deny hits, for each of its reachers (in `reachers` order), the
   * narrowings that cover every request the reacher over-reaches to the route with, in the order
   * they are tried; empty for a route without own-Deny hits.
   */
  readonly narrowings: readonly (readonly (readonly JwtPlanNarrowing[])[])[];
  /** The group patterns worth trying, shallowest first. */
  readonly groupCandidates: readonly JwtPlanGroup[];
}

/** The JWT authorizer's settings: the content of its {@link SETTINGS_FILE}. */
export interface JwtAuthorizerSettings {
  readonly issuers: readonly JwtIssuerSettings[];
  /** The route table, compiled for the policy builder. */
  readonly plan: JwtPolicyPlan;
  readonly limits: JwtLimitSettings;
  /** The CloudWatch namespace of the authorizer's metrics (the API's metrics namespace). */
  readonly metricsNamespace: string;
}

/** The service name (the `service` dimension) of the JWT authorizer's metrics and logs. */
export const JWT_AUTHORIZER_SERVICE = 'jwt-authorizer';

/**
 * The JWT authorizer's metrics (in {@link JwtAuthorizerSettings.metricsNamespace}), with the
 * dimensions `service` ({@link JWT_AUTHORIZER_SERVICE}) and `FunctionName`.
 */
export const JWT_AUTHORIZER_METRICS = {
  /**
   * Requests the authorizer could not decide because of an unexpected exception (a bug), answered
   * 401. Refused tokens are not faults.
   */
  faults: 'AuthorizerFaults',
} as const;

/** The dimensions of the JWT authorizer's metrics. */
export const JWT_AUTHORIZER_METRIC_DIMENSIONS = { service: 'service', functionName: 'FunctionName' } as const;

/** The access log's `wafResponseCode` of a request AWS WAF blocked before API Gateway served it. */
export const WAF_BLOCK = 'WAF_BLOCK';

/**
 * AWS WAF's limit of addresses in one IP set: 10,000 (AWS WAF quotas,
 * https://docs.aws.amazon.com/waf/latest/developerguide/limits.html).
 */
export const WAF_IP_SET_LIMIT = 10_000;

/**
 * The IAM action that calling an API Gateway method needs, in IAM policies and in the policies a
 * Lambda authorizer returns (API Gateway's `execute-api` actions,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html).
 */
export const INVOKE_ACTION = 'execute-api:Invoke';

/**
 * Lambda's limit on all of a function's environment variables together: 4 KB (Lambda quotas,
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Lambda measures the
 * variables as one JSON object escaped as a JSON string, so a quote or backslash counts twice.
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * The settings of a pre-bundled handler: a JSON file the construct writes at synth into the
 * function's asset, next to the handler's `index.js`, and the handler reads once at cold start.
 * Settings travel in a file, not in environment variables, so they are not bound by Lambda's 4 KB.
 */
export const SETTINGS_FILE = 'settings.json';

/**
 * In a {@link SETTINGS_FILE}, a value known only at deploy time (a CloudFormation reference, such as
 * a table's name or a user pool's id) is written as `{ "$env": "<variable>" }`, and the value itself
 * goes into that environment variable, which CloudFormation fills in. The handler puts each
 * variable's value in place of its reference when it reads the file.
 */
export const SETTINGS_REFERENCE = {
  /** The key of a reference: its value names the environment variable. */
  env: '$env',
  /** Present and `number` on a reference whose value is a number: the variable holds its decimal digits. */
  type: '$type',
} as const;

/** The environment variables that hold a settings file's deploy-time values: this prefix and a number from 1. */
export const SETTINGS_VARIABLE_PREFIX = 'SECURE_API_SETTING_';

/**
 * The abuse blocker's table: the partition key, the sort key, and the TTL attribute (seconds since
 * the epoch). The construct creates the table with them; the handler reads and writes them.
 */
export const ABUSE_BLOCKER_TABLE_KEYS = { partition: 'pk', sort: 'sk', expiresAt: 'expiresAt' } as const;

/** An AWS WAF IP set, as `GetIPSet` and `UpdateIPSet` name it. */
export interface IpSetReference {
  readonly name: string;
  readonly id: string;
  readonly scope: 'REGIONAL';
}

/** An IPv6 network size the abuse blocker counts offences for, and the offences that block it. */
export interface Ipv6NetworkThreshold {
  readonly prefixLength: number;
  readonly threshold: number;
}

/** The abuse blocker's settings: the content of its {@link SETTINGS_FILE}. */
export interface AbuseBlockerSettings {
  /** The DynamoDB table of offence counters and blocks. */
  readonly tableName: string;
  /** Offending responses from one address, within one window, that get the address blocked. */
  readonly threshold: number;
  /** The length of the (sliding) counting window. */
  readonly windowSeconds: number;
  /** How long an address stays blocked after its last offence over the threshold. */
  readonly blockSeconds: number;
  /** The response statuses that count as offences. */
  readonly statusCodes: readonly number[];
  /** IPv6 clients are counted and blocked by the network of this many leading bits (128: each address alone). */
  readonly ipv6PrefixLength: number;
  /**
   * Wider IPv6 networks (shorter prefixes than `ipv6PrefixLength`) whose offences are also counted
   * all together, each blocked whole when it reaches its own, higher threshold.
   */
  readonly ipv6Networks: readonly Ipv6NetworkThreshold[];
  /** The automatic block lists the blocker owns. */
  readonly ipv4Set: IpSetReference;
  readonly ipv6Set: IpSetReference;
  /** The firewall's allow lists: addresses in them are never blocked. */
  readonly allowListSets: readonly IpSetReference[];
  /** Further CIDR blocks never blocked automatically (still subject to every firewall rule). */
  readonly exemptCidrs: readonly string[];
  /** The most addresses the blocker keeps in each IP set (AWS WAF holds at most 10,000). */
  readonly maxAddressesPerSet: number;
  /** The CloudWatch namespace of the blocker's metrics. */
  readonly metricsNamespace: string;
  /**
   * With a table shared across regions (a global table): this region, which keys its offence
   * counters (`count#<region>#<cidr>`). Absent: counters are keyed `count#<cidr>`, as before.
   */
  readonly counterRegion?: string;
}

/** The abuse blocker's metrics (in {@link AbuseBlockerSettings.metricsNamespace}). */
export const ABUSE_BLOCKER_METRICS = {
  /** Addresses added to an automatic block list. */
  addressesBlocked: 'AddressesBlocked',
  /** Addresses the sweep removed from an automatic block list: their block expired (or they were allow-listed since). */
  addressesUnblocked: 'AddressesUnblocked',
  /**
   * Addresses dropped from (or kept out of) a full block list before their block expired: the
   * lowest-ranked blocks (see `planBlockList`).
   */
  addressesEvicted: 'AddressesEvicted',
  /** Addresses over the threshold that are allow-listed or exempt, so not blocked. */
  exemptOffenders: 'ExemptOffenders',
  /** The fuller automatic block list, in percent of the blocker's maximum. */
  blockListFill: 'BlockListFillPercent',
  /** `UpdateIPSet` calls retried after another writer changed the set (`WAFOptimisticLockException`). */
  ipSetUpdateRetries: 'IpSetUpdateRetries',
  /** Offending responses counted. */
  offencesCounted: 'OffencesCounted',
  /** Log events or invocations that were not what the blocker expects, skipped. */
  malformedEvents: 'MalformedEvents',
  /** Steps that failed (an AWS call, after its retries): the next batch or sweep repairs the lists. */
  errors: 'BlockerErrors',
} as const;

/** The service name (Powertools' `service` dimension) of the abuse blocker's metrics and logs. */
export const ABUSE_BLOCKER_SERVICE = 'abuse-blocker';

/**
 * The handlers the library ships pre-bundled: each is `lambda/<name>/index.ts`, bundled when the
 * library is built into `dist/handlers/<name>/index.js`, which the constructs deploy as it is.
 */
export const BUNDLED_HANDLERS = {
  jwtAuthorizer: 'jwt-authorizer',
  abuseBlocker: 'abuse-blocker',
} as const;

/** The name of a pre-bundled handler: a folder under `lambda/` and under `dist/handlers/`. */
export type BundledHandlerName = typeof BUNDLED_HANDLERS[keyof typeof BUNDLED_HANDLERS];

/** The CORS response headers, set by API Gateway (preflights, gateway responses) and by backends (`response-headers/cors.ts`). */
export const CORS_HEADERS = {
  allowOrigin: 'Access-Control-Allow-Origin',
  allowMethods: 'Access-Control-Allow-Methods',
  allowHeaders: 'Access-Control-Allow-Headers',
  allowCredentials: 'Access-Control-Allow-Credentials',
  exposeHeaders: 'Access-Control-Expose-Headers',
  maxAge: 'Access-Control-Max-Age',
  vary: 'Vary',
} as const;

/** The request header a browser names the calling page's origin in. */
export const ORIGIN_HEADER = 'Origin';

/**
 * The stage variables that carry an API's CORS settings to its Lambda proxy backends, which must set
 * the CORS headers of their own responses (API Gateway cannot add headers to a proxy response).
 */
export const CORS_STAGE_VARIABLES = {
  /** The allowed origins, comma-joined, or `CORS_ANY_ORIGIN`. */
  origins: 'secureApiCorsOrigins',
  /** `true` when browsers may send credentials, else `false`. */
  credentials: 'secureApiCorsCredentials',
  /** The response headers a page may read, comma-joined; absent when there are none. */
  exposeHeaders: 'secureApiCorsExposeHeaders',
} as const;

/**
 * The value of the origins stage variable for `allowOrigins: ['*']`: a stage variable cannot hold
 * `*`, and no origin is a bare word (every origin has `://`).
 */
export const CORS_ANY_ORIGIN = 'any';
/**
 * Stage variables a deprecated API version sets (`SecureRestApiProps.deprecation`), read by the
 * handlers to add the deprecation headers to their own responses: API Gateway cannot add headers to
 * the response of a proxy integration.
 */
export const DEPRECATION_STAGE_VARIABLES = {
  /** When the version was deprecated, in Unix seconds. */
  deprecatedAt: 'secureApiDeprecatedAt',
  /** When the version stops answering, in Unix seconds. */
  sunsetAt: 'secureApiSunsetAt',
  /** The https URL of the migration guide. */
  link: 'secureApiDeprecationLink',
} as const;

/**
 * Response headers of a deprecated version: `Deprecation` (RFC 9745, a structured date
 * `@<unix seconds>`), `Sunset` (RFC 8594, an HTTP-date) and `Link` (RFC 8288, `rel="deprecation"`).
 */
export const DEPRECATION_HEADERS = {
  deprecation: 'Deprecation',
  sunset: 'Sunset',
  link: 'Link',
} as const;

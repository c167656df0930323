import { Annotations, Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import {
  AUTHORIZATION_HEADER,
  BEARER_TOKEN_PATTERN,
  BUNDLED_HANDLERS,
  ENV,
  JWT_AUTHORIZER_METRICS,
  JWT_AUTHORIZER_METRIC_DIMENSIONS,
  JWT_AUTHORIZER_SERVICE,
  JwtAuthorizerSettings,
  JwtIssuerSettings,
  JwtPolicyPlan,
  JwtRouteSettings,
} from '../../lambda/shared/constants';
import { PolicyPlanner, compilePolicyPlan } from '../../lambda/shared/routes';
import { BundledHandlerFunction } from '../private/bundled-handler';
import { knownProvider } from '../private/known-providers';
import { NAG_ACKNOWLEDGEMENTS, acknowledgeNag, markOidcAuthorizer } from '../private/nag';
import { IdentityProvider } from './identity-provider';
import { ValidationError } from '../private/validation-error';
import { DEFAULT_AUTHORIZER_CACHE_TTL, describe, validateAuthorizerCacheTtl, validateDuration, validateOneOf, validateWholeNumber } from '../private/validators';
import { validateSecureRestApi } from '../private/secure-rest-api-check';
import type { ISecureRestApi } from '../secure-rest-api';
import type { ICognitoUserDirectory } from './cognito-user-directory';
import { RouteAuthorization, RouteAuthorizationConfig, RouteDescription } from './route-authorization';

/** How API Gateway hands the token to the authorizer. */
export enum JwtAuthorizerType {
  /**
   * API Gateway passes the `Authorization` header alone, after checking it looks like
   * `Bearer <token>` (a request that does not is refused without invoking the function).
   */
  TOKEN = 'TOKEN',
  /** API Gateway passes the whole request; the function reads the `Authorization` header itself. */
  REQUEST = 'REQUEST',
}

/**
 * The claim of an access token that carries its audience. The values are the claims' names, as
 * the authorizer function reads them.
 */
export enum AudienceClaim {
  /** `aud`, the audience claim of RFC 7519 and RFC 9068. */
  AUD = 'aud',
  /** `client_id`: Cognito access tokens have no `aud`, and name their app client here. */
  CLIENT_ID = 'client_id',
}

/** A claim the authorizer can read scopes from. The values are the claims' names. */
export enum ScopeClaim {
  /** `scope`: a space-separated string (RFC 8693, RFC 9068). */
  SCOPE = 'scope',
  /** `scp`: an array or a space-separated string (Okta, Entra ID). */
  SCP = 'scp',
  /** `permissions`: an array (Auth0 RBAC). */
  PERMISSIONS = 'permissions',
}

/** A claim the authorizer can read groups or roles from, each an array of strings. The values are the claims' names. */
export enum GroupClaim {
  /** `cognito:groups` (Cognito). */
  COGNITO_GROUPS = 'cognito:groups',
  /** `groups` (Okta, Keycloak with a groups mapper). */
  GROUPS = 'groups',
  /** `roles` (Entra ID app roles). */
  ROLES = 'roles',
}

/**
 * The kind of token an issuer's callers present, and how the authorizer tells it from the issuer's
 * other tokens. The values are the names the authorizer function reads.
 */
export enum TokenType {
  /** An access token; ID tokens are refused by their ID-only claims (`nonce`, `at_hash`, `c_hash`, a `token_use` other than `access`). */
  ACCESS_TOKEN = 'access',
  /** A Cognito access token: as `ACCESS_TOKEN`, and the claim `token_use` must be `access`. */
  COGNITO_ACCESS_TOKEN = 'cognito-access',
  /** A Keycloak access token: as `ACCESS_TOKEN`, and the claim `typ` must be `Bearer` (Keycloak's ID tokens say `ID`). */
  KEYCLOAK_ACCESS_TOKEN = 'keycloak-access',
  /**
   * A Google Sign-In ID token, for APIs called by the API's own Google clients: Google issues no JWT
   * access tokens. Its audience must be one of the API's OAuth client IDs and `email_verified` true;
   * restrict it to your Google Workspace domain with `requiredClaims: { hd: 'example.com' }`.
   */
  GOOGLE_ID_TOKEN = 'google-id',
}

/** An OIDC issuer whose access tokens the authorizer accepts. */
export interface JwtIssuer {
  /** The issuer, exactly as in its tokens' `iss` claim: an `https://` URL. */
  readonly issuer: string;

  /** The audiences a token must name (any one of them): the API's identifier at the issuer. */
  readonly audience: string[];

  /**
   * The claim that holds the audience. Cognito access tokens have no `aud`: their audience is
   * the app client in `client_id`.
   *
   * @default AudienceClaim.AUD
   */
  readonly audienceClaim?: AudienceClaim;

  /**
   * Where the issuer publishes its signing keys. Keys are only ever fetched from here, never from
   * a URL named in a token. Okta (`/v1/keys`), Entra ID (`/discovery/v2.0/keys`) and Keycloak
   * (`/protocol/openid-connect/certs`) publish elsewhere than the default.
   *
   * Presets of `IdentityProvider` set it for each provider they know. A custom issuer that leaves it
   * out gets a synth warning unless `discovery` is on; a known provider that publishes elsewhere
   * fails synth.
   *
   * @default - `<issuer>/.well-known/jwks.json` (Cognito, Auth0), unless `discovery` is on
   */
  readonly jwksUri?: string;

  /**
   * Find the signing keys' URI in the issuer's OpenID Connect discovery document
   * (`<issuer>/.well-known/openid-configuration`), fetched at the first token of the issuer after a
   * cold start, over HTTPS with the same time and size limits as the key set. The document must
   * name the same issuer and an `https://` key set. Costs one more fetch per cold start, and the
   * issuer's availability at that moment; a fixed `jwksUri` is the sturdier choice.
   *
   * @default false
   */
  readonly discovery?: boolean;

  /**
   * The kind of token the issuer's callers present, and how it is told from the issuer's other tokens.
   *
   * @default TokenType.ACCESS_TOKEN
   */
  readonly tokenType?: TokenType;

  /**
   * Claims a token must carry with exactly these string values, such as a tenant (`tid`) or a
   * Google Workspace domain (`hd`).
   *
   * @default - none
   */
  readonly requiredClaims?: Record<string, string>;

  /**
   * The scopes this issuer grants for the API. A token's scopes count only if its own issuer
   * declares them, so one issuer cannot grant another's scopes; and a route may require only
   * scopes that some issuer declares, so a typo fails synth instead of locking everyone out.
   *
   * @default - none: routes that require scopes are closed to this issuer's tokens
   */
  readonly scopes?: string[];

  /**
   * The groups or roles of this issuer that routes may require, read from `groupClaims`. As with
   * scopes, a token's groups count only if its own issuer declares them.
   *
   * @default - none: routes that require groups are closed to this issuer's tokens
   */
  readonly groups?: string[];

  /**
   * The claims to read scopes from; no other claim counts.
   *
   * @default [ScopeClaim.SCOPE, ScopeClaim.SCP]
   */
  readonly scopeClaims?: ScopeClaim[];

  /**
   * The claims to read groups or roles from; no other claim counts.
   *
   * @default [GroupClaim.COGNITO_GROUPS, GroupClaim.GROUPS, GroupClaim.ROLES]
   */
  readonly groupClaims?: GroupClaim[];

  /**
   * Require the `typ` header `at+jwt` of RFC 9068 access tokens: the surest way to refuse ID
   * tokens, for issuers that set it (Auth0 and Keycloak can; Cognito and Entra ID do not).
   *
   * @default false - ID tokens are refused by audience and by their ID-only claims (`nonce`, `at_hash`, `token_use`)
   */
  readonly requireAccessTokenType?: boolean;
}

/** Properties of a {@link JwtAuthorizer}. */
export interface JwtAuthorizerProps {
  /** The API whose routes the authorizer guards. */
  readonly api: ISecureRestApi;

  /** The issuers whose access tokens are accepted. */
  readonly issuers: JwtIssuer[];

  /**
   * How API Gateway hands the token to the function.
   *
   * @default JwtAuthorizerType.TOKEN
   */
  readonly type?: JwtAuthorizerType;

  /**
   * How long API Gateway reuses a decision for the same token. The decision covers every route the
   * token may call, so caching never lets a token reach a route it may not call. At most 1 hour;
   * `Duration.seconds(0)` turns caching off.
   *
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;

  /**
   * The longest lifetime (`exp` - `iat`, and `exp` - now) a token may have. Longer-lived tokens
   * are refused: a stolen one would stay useful too long.
   *
   * @default Duration.hours(24)
   */
  readonly maxTokenLifetime?: Duration;

  /**
   * Clock difference tolerated between the issuer and Lambda, for `exp`, `nbf` and `iat`.
   *
   * @default Duration.seconds(30)
   */
  readonly clockSkew?: Duration;

  /**
   * The largest `Authorization` header accepted; a larger one is refused before it is parsed.
   *
   * @default Size.kibibytes(8)
   */
  readonly maxTokenSize?: Size;

  /**
   * How long signing keys are trusted before they are fetched again, so a key the issuer removed
   * stops being accepted.
   *
   * @default Duration.hours(1)
   */
  readonly jwksMaxAge?: Duration;

  /**
   * How long one fetch of the signing keys may take.
   *
   * @default Duration.seconds(2)
   */
  readonly jwksFetchTimeout?: Duration;

  /**
   * After a failed fetch, or a token whose key is not in the key set, how long to wait before
   * fetching the keys again. Tokens arriving meanwhile are refused without a fetch, so a flood
   * of forged tokens cannot make the function hammer the issuer.
   *
   * @default Duration.seconds(10)
   */
  readonly jwksRetryInterval?: Duration;

  /**
   * How long to keep the function's logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the function's log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The function's reserved concurrency: a share of the account's concurrency kept for the
   * authorizer (and a cap on it). A reservation below the API's peak turns requests into 500s, and
   * Lambda refuses one that leaves the account fewer than 100 unreserved executions, so it is off
   * unless set; the stage throttle bounds the authorizer's invocations and result caching cuts them.
   *
   * @default - no reservation (the account's unreserved concurrency)
   */
  readonly reservedConcurrency?: number;
}

/** What a route requires of a token. */
export interface JwtRouteRequirement {
  /**
   * Scopes that let the caller call the route: any one of them suffices. Each must be declared in
   * some issuer's `scopes`.
   *
   * @default - no scope is required
   */
  readonly scopes?: string[];

  /**
   * Groups or roles that let the caller call the route: being in any one of them suffices. Each
   * must be declared in some issuer's `groups`.
   *
   * @default - no group is required
   */
  readonly groups?: string[];
}

/** The claims scopes are read from unless an issuer names its own. */
const DEFAULT_SCOPE_CLAIMS: readonly ScopeClaim[] = [ScopeClaim.SCOPE, ScopeClaim.SCP];
/** The claims groups are read from unless an issuer names its own. */
const DEFAULT_GROUP_CLAIMS: readonly GroupClaim[] = [GroupClaim.COGNITO_GROUPS, GroupClaim.GROUPS, GroupClaim.ROLES];
/** How long the authorizer function may run. */
const AUTHORIZER_TIMEOUT = Duration.seconds(5);
/** The longest `jwksFetchTimeout` with which two fetches in a row fit in {@link AUTHORIZER_TIMEOUT}. */
const MAX_DISCOVERY_FETCH_TIMEOUT = Duration.seconds(2);
/** Where Cognito and Auth0 publish their signing keys, after the issuer. */
const DEFAULT_JWKS_PATH = '/.well-known/jwks.json';
/** The largest header API Gateway passes on. */
const MAX_HEADER_SIZE = Size.kibibytes(10);
/**
 * The largest Lambda authorizer response API Gateway documents: 8 KB, a quota of WebSocket APIs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 * API Gateway documents none for REST APIs.
 */
const AUTHORIZER_POLICY_WARNING_BYTES = 8192;
/**
 * The ARN prefix the synth-time size check puts before each pattern: as long as a real one gets
 * (the longest partition and region names, a 10-character API id), the stage's name added.
 */
const POLICY_SIZE_PREFIX = 'arn:aws-us-gov:execute-api:ap-southeast-5:123456789012:abcdefghij/';

/**
 * A Lambda authorizer that accepts access tokens of one or more OIDC issuers (Cognito, Auth0, Okta,
 * Entra ID, Keycloak, ...) and lets each caller call exactly the routes its scopes and groups
 * permit.
 *
 * Tokens are verified with aws-jwt-verify, plus: `exp` required and lifetime capped, `iat` not in
 * the future, no `crit` header, RSA keys of at least 2048 bits, ID tokens refused, the size of
 * the header bounded, and strict `Bearer` parsing. Any invalid token gets 401, never a 500; a valid
 * token without the route's scope or group gets 403.
 *
 * The policy a caller gets allows exactly the routes its scopes and groups permit, so it grows with
 * the routes: at synth the construct builds the policies of representative callers (each scope
 * alone, each group alone, all of them together) with the function's own code and warns
 * (`secure-api:authorizer-policy-size`) when the largest is over 8 KB. API Gateway documents that
 * quota on a Lambda authorizer's response for WebSocket APIs only, and none for REST APIs; a
 * response it cannot use fails at run time (API Gateway answers 500), not at deploy, which is why
 * this is a warning and not an error: it points at the one documented figure early. Fewer distinct
 * requirements, routes grouped under common paths per requirement, or splitting the API keep
 * policies small.
 *
 * @example
 * const jwt = new JwtAuthorizer(this, 'Jwt', {
 *   api,
 *   issuers: [{ issuer: 'https://login.example.com/', audience: ['https://pets.example.com'], scopes: ['pets:read', 'pets:write'] }],
 * });
 * api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets:read'] }), integration });
 */
export class JwtAuthorizer extends Construct {
  /**
   * The issuer of a Cognito user directory's access tokens, for a `JwtAuthorizer` that should accept
   * them (for group checks, which API Gateway's Cognito authorizer lacks, or beside other issuers).
   * Cognito access tokens name their app client in `client_id` and their groups in `cognito:groups`;
   * the directory's scopes are declared.
   *
   * @param directory the user directory whose pool issues the tokens
   * @param options the app clients whose tokens are accepted, and the groups routes may require
   */
  public static cognitoIssuer(directory: ICognitoUserDirectory, options: CognitoIssuerOptions): JwtIssuer {
    return IdentityProvider.cognito(directory, options);
  }


  /** The function that verifies tokens. */
  public readonly function: lambda.Function;
  /** How API Gateway hands the token to the function. */
  public readonly type: JwtAuthorizerType;

  private readonly api: ISecureRestApi;
  private readonly issuers: JwtIssuerSettings[];
  private readonly declared: Record<'scopes' | 'groups', Set<string>>;
  private readonly requirements = new Map<string, Required<JwtRouteRequirement>>();
  private readonly resultsCacheTtl: Duration;
  private apiGatewayAuthorizer?: apigw.Authorizer;
  /** The last plan compiled, and the route table it was compiled from (as JSON). */
  private compiled?: { readonly routes: string; readonly plan: JwtPolicyPlan };

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);
    this.api = validateSecureRestApi(this, props?.api, 'the API whose routes the authorizer guards');
    this.type = props.type ?? JwtAuthorizerType.TOKEN;
    validateOneOf(this, 'type', this.type, Object.values(JwtAuthorizerType));
    validateWholeNumber(this, 'reservedConcurrency', props.reservedConcurrency, { min: 1, max: 1000 });
    if (Stack.of(this) !== Stack.of(props.api)) {
      throw new ValidationError('`JwtAuthorizer` must be in the stack of its `api`: API Gateway authorizers cannot be shared across stacks', this);
    }
    this.issuers = this.validateIssuers(props.issuers);
    this.declared = {
      scopes: new Set(this.issuers.flatMap((issuer) => issuer.scopes)),
      groups: new Set(this.issuers.flatMap((issuer) => issuer.groups)),
    };

    const resultsCacheTtl = props.resultsCacheTtl ?? DEFAULT_AUTHORIZER_CACHE_TTL;
    validateAuthorizerCacheTtl(this, 'resultsCacheTtl', resultsCacheTtl);
    const maxTokenLifetime = props.maxTokenLifetime ?? Duration.hours(24);
    validateDuration(this, 'maxTokenLifetime', maxTokenLifetime, { min: Duration.minutes(1), max: Duration.days(7), unit: 'seconds' });
    const clockSkew = props.clockSkew ?? Duration.seconds(30);
    validateDuration(this, 'clockSkew', clockSkew, { min: Duration.seconds(0), max: Duration.minutes(5), unit: 'seconds' });
    const jwksMaxAge = props.jwksMaxAge ?? Duration.hours(1);
    validateDuration(this, 'jwksMaxAge', jwksMaxAge, { min: Duration.minutes(1), max: Duration.days(1), unit: 'seconds' });
    const jwksFetchTimeout = props.jwksFetchTimeout ?? Duration.seconds(2);
    validateDuration(this, 'jwksFetchTimeout', jwksFetchTimeout, { min: Duration.millis(100), max: Duration.seconds(4), unit: 'milliseconds' });
    this.validateDiscoveryTimeout(jwksFetchTimeout);
    const jwksRetryInterval = props.jwksRetryInterval ?? Duration.seconds(10);
    validateDuration(this, 'jwksRetryInterval', jwksRetryInterval, { min: Duration.seconds(1), max: Duration.minutes(5), unit: 'seconds' });
    const maxTokenSize = props.maxTokenSize ?? Size.kibibytes(8);
    this.validateTokenSize(maxTokenSize);

    const settings = (): JwtAuthorizerSettings => ({
      issuers: this.issuers,
      plan: this.policyPlan(),
      limits: {
        maxTokenBytes: maxTokenSize.toBytes(),
        maxLifetimeSeconds: maxTokenLifetime.toSeconds(),
        clockSkewSeconds: clockSkew.toSeconds(),
        jwksMaxAgeSeconds: jwksMaxAge.toSeconds(),
        jwksTimeoutMs: jwksFetchTimeout.toMilliseconds(),
        jwksRetrySeconds: jwksRetryInterval.toSeconds(),
      },
      metricsNamespace: this.api.accessLogMetrics.namespace,
    });
    this.function = new BundledHandlerFunction(this, 'Function', {
      handler: BUNDLED_HANDLERS.jwtAuthorizer,
      description: 'Verifies access tokens and returns the routes each caller may call',
      encryption: props.api.encryption,
      logGroupRetention: props.logRetention,
      logGroupRemovalPolicy: props.removalPolicy,
      timeout: AUTHORIZER_TIMEOUT,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { [ENV.serviceName]: JWT_AUTHORIZER_SERVICE },
      // Written into the function's asset at synth, once every route of the API is known.
      settings,
    });
    acknowledgeNag(this.function, NAG_ACKNOWLEDGEMENTS.synchronousHandler);
    acknowledgeNag(this.function, NAG_ACKNOWLEDGEMENTS.houseHandlerOutsideVpc);
    if (props.reservedConcurrency === undefined) {
      acknowledgeNag(this.function, NAG_ACKNOWLEDGEMENTS.authorizerConcurrency);
    }
    this.resultsCacheTtl = resultsCacheTtl;
    props.api.alarms?.monitorFunction(this.function, { authorizer: true, faults: this.metricFaults() });
    this.node.addValidation({ validate: () => this.validateSynth() });
  }

  /**
   * The API Gateway authorizer, created with the first route that uses it (an authorizer that
   * guards no route is an error in API Gateway): an `apigw.TokenAuthorizer` for
   * `JwtAuthorizerType.TOKEN`, an `apigw.RequestAuthorizer` for `JwtAuthorizerType.REQUEST`.
   */
  public get authorizer(): apigw.Authorizer {
    this.apiGatewayAuthorizer ??= this.type === JwtAuthorizerType.TOKEN
      ? new apigw.TokenAuthorizer(this, 'Authorizer', {
        handler: this.function,
        identitySource: apigw.IdentitySource.header(AUTHORIZATION_HEADER),
        // API Gateway refuses what is not `Bearer <token>` without invoking the function.
        validationRegex: BEARER_TOKEN_PATTERN,
        resultsCacheTtl: this.resultsCacheTtl,
      })
      : new apigw.RequestAuthorizer(this, 'Authorizer', {
        handler: this.function,
        // The cache key: a decision is reused only for the same Authorization header.
        identitySources: [apigw.IdentitySource.header(AUTHORIZATION_HEADER)],
        resultsCacheTtl: this.resultsCacheTtl,
      });
    markOidcAuthorizer(this.apiGatewayAuthorizer);
    return this.apiGatewayAuthorizer;
  }

  /**
   * Protects a route with this authorizer. The caller needs a valid token and, if listed, one of
   * `scopes` and one of `groups`.
   */
  public authorize(requirement: JwtRouteRequirement = {}): RouteAuthorization {
    return new JwtRouteAuthorization(this, requirement);
  }

  /**
   * Faults of the authorizer: requests it could not decide because of an unexpected exception (a
   * bug), logged at error level with their stack and answered 401. Refused tokens are not faults.
   * Published by the function as an embedded metric in the API's metrics namespace, with the
   * dimensions `service` and `FunctionName`; the API's alarms watch it.
   *
   * @default - sum over 1 minute
   */
  public metricFaults(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.api.accessLogMetrics.namespace,
      metricName: JWT_AUTHORIZER_METRICS.faults,
      dimensionsMap: {
        [JWT_AUTHORIZER_METRIC_DIMENSIONS.service]: JWT_AUTHORIZER_SERVICE,
        [JWT_AUTHORIZER_METRIC_DIMENSIONS.functionName]: this.function.functionName,
      },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /**
   * Lambda's `Errors` of the authorizer function. A Lambda authorizer refuses a token by failing
   * with `Unauthorized`, so this counts every refused token (expired, forged, missing) as well as
   * bugs and timeouts: it is a measure of refusals, not of health, and no alarm watches it. For
   * bugs use {@link metricFaults}; for requests API Gateway answered 500 because the authorizer
   * failed, timed out or was throttled, the API's `metricAuthorizerFailures()`.
   *
   * @default - sum over 5 minutes
   */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  /** @internal called by the routes' authorizations */
  public _bindRoute(scope: IConstruct, route: RouteDescription, requirement: JwtRouteRequirement): RouteAuthorizationConfig {
    const routeKey = `${route.method} ${route.path}`;
    if (scope !== this.api) {
      throw new ValidationError(`\`${this.node.path}\` guards the API \`${this.api.node.path}\`, not \`${scope.node.path}\` (route ${routeKey}): create one JwtAuthorizer per API`, this);
    }
    const scopes = this.validateNames(routeKey, 'scopes', requirement.scopes);
    const groups = this.validateNames(routeKey, 'groups', requirement.groups);
    for (const [kind, names] of [['scopes', scopes], ['groups', groups]] as const) {
      const undeclared = names.find((name) => !this.declared[kind].has(name));
      if (undeclared !== undefined) {
        throw new ValidationError(`\`authorize({ ${kind} })\` of ${routeKey} requires ${describe(undeclared)}, which no issuer declares in \`issuers[].${kind}\` (declared: ${[...this.declared[kind]].map(describe).join(', ') || 'none'}): fix the name, or declare it on the issuer that grants it`, this);
      }
    }
    this.requirements.set(routeKey, { scopes, groups });
    return { authorizationType: apigw.AuthorizationType.CUSTOM, authorizer: this.authorizer, apiKeyRequired: false };
  }

  /** Every route of the API, with what this authorizer requires on the routes it guards. */
  private routeSettings(): JwtRouteSettings[] {
    return this.api.routes.map(({ routeKey, method, path }): JwtRouteSettings => {
      const requirement = this.requirements.get(routeKey);
      return requirement ? [method, path, requirement.scopes, requirement.groups] : [method, path];
    });
  }

  /**
   * The policy builder's plan of the API's routes, compiled once per route table: the settings file
   * (written, then checked again at validation) and the policy-size check share it.
   */
  private policyPlan(): JwtPolicyPlan {
    const routes = this.routeSettings();
    const key = JSON.stringify(routes);
    if (this.compiled?.routes !== key) {
      this.compiled = { routes: key, plan: compilePolicyPlan(routes) };
    }
    return this.compiled.plan;
  }

  private validateSynth(): string[] {
    if (this.requirements.size === 0) {
      return [`\`${this.node.path}\` guards no route: use authorize() in a route's \`authorization\`, or remove it`];
    }
    this.warnAboutPolicySize(this.policyPlan());
    return [];
  }

  /**
   * Builds the policies of representative callers (each scope alone, each group alone, all of
   * them) from the plan written into the authorizer's settings, with the authorizer's own policy
   * builder, and warns when the largest is over {@link AUTHORIZER_POLICY_WARNING_BYTES}.
   */
  private warnAboutPolicySize(plan: JwtPolicyPlan): void {
    const table = new PolicyPlanner(plan);
    const requirements = [...this.requirements.values()];
    const scopes = [...new Set(requirements.flatMap((requirement) => requirement.scopes))];
    const groups = [...new Set(requirements.flatMap((requirement) => requirement.groups))];
    const callers = [
      ...scopes.map((scope) => ({ label: `the scope ${describe(scope)}`, scopes: [scope], groups: [] as string[] })),
      ...groups.map((group) => ({ label: `the group ${describe(group)}`, scopes: [] as string[], groups: [group] })),
      { label: 'every scope and group', scopes, groups },
    ];
    const stageName = this.api.stage.stageName;
    const prefix = `${POLICY_SIZE_PREFIX}${Token.isUnresolved(stageName) ? 'x'.repeat(128) : stageName}/`;
    const largest = callers.map((caller) => ({
      caller,
      bytes: Buffer.byteLength(JSON.stringify(table.policyForPrefix(prefix, { scopes: new Set(caller.scopes), groups: new Set(caller.groups) }).policyDocument), 'utf8'),
    })).reduce((a, b) => (b.bytes > a.bytes ? b : a));
    if (largest.bytes > AUTHORIZER_POLICY_WARNING_BYTES) {
      Annotations.of(this).addWarningV2('secure-api:authorizer-policy-size',
        `The policy \`${this.node.path}\` returns to a caller holding ${largest.caller.label} takes ${largest.bytes} bytes, over the ${AUTHORIZER_POLICY_WARNING_BYTES} bytes API Gateway documents for a Lambda authorizer's response (a WebSocket API quota; none is documented for REST APIs). A response API Gateway cannot use is answered with 500 at run time. Give routes fewer distinct scope and group requirements, group routes of one requirement under a common path, or split the API.`);
    }
  }

  private validateIssuers(issuers: JwtIssuer[]): JwtIssuerSettings[] {
    if (!Array.isArray(issuers) || issuers.length === 0) {
      throw new ValidationError(`\`issuers\` must name at least one issuer, got ${describe(issuers)}: such as { issuer: 'https://login.example.com/', audience: ['https://api.example.com'] }`, this);
    }
    const seen = new Map<string, number>();
    return issuers.map((issuer, index): JwtIssuerSettings => {
      const prop = `issuers[${index}]`;
      if (issuer === null || typeof issuer !== 'object') {
        throw new ValidationError(`\`${prop}\` must be an issuer, got ${describe(issuer)}: such as { issuer: 'https://login.example.com/', audience: ['https://api.example.com'] }, or an IdentityProvider preset`, this);
      }
      this.validateHttpsUrl(`${prop}.issuer`, issuer.issuer);
      if (seen.has(issuer.issuer)) {
        throw new ValidationError(`\`${prop}.issuer\` ${describe(issuer.issuer)} repeats \`issuers[${seen.get(issuer.issuer)}]\`: list each issuer once, with all its audiences`, this);
      }
      seen.set(issuer.issuer, index);
      if (issuer.audience === undefined || issuer.audience === null) {
        throw new ValidationError(`\`${prop}.audience\` is missing: list the audiences of the API, such as ['https://api.example.com']; without one, a token issued for any other application of the issuer would be accepted`, this);
      }
      if (!Array.isArray(issuer.audience) || issuer.audience.length === 0 || issuer.audience.some((aud) => typeof aud !== 'string' || (!Token.isUnresolved(aud) && aud.trim() === ''))) {
        throw new ValidationError(`\`${prop}.audience\` must list at least one non-empty audience, got ${describe(issuer.audience)}: without one, a token issued for any other application of the issuer would be accepted`, this);
      }
      const audienceClaim = issuer.audienceClaim ?? AudienceClaim.AUD;
      validateOneOf(this, `${prop}.audienceClaim`, audienceClaim, Object.values(AudienceClaim));
      const tokenType = issuer.tokenType ?? TokenType.ACCESS_TOKEN;
      validateOneOf(this, `${prop}.tokenType`, tokenType, Object.values(TokenType));
      const discovery = issuer.discovery ?? false;
      if (discovery && issuer.jwksUri !== undefined) {
        throw new ValidationError(`\`${prop}.discovery\` is true and \`${prop}.jwksUri\` is set: the key set would come from two places; keep one (a fixed jwksUri is the sturdier choice)`, this);
      }
      const jwksUri = discovery ? undefined : issuer.jwksUri ?? `${String(issuer.issuer).replace(/\/+$/, '')}${DEFAULT_JWKS_PATH}`;
      if (jwksUri !== undefined) {
        this.validateHttpsUrl(`${prop}.jwksUri`, jwksUri);
      }
      this.checkKnownProvider(prop, { ...issuer, tokenType, discovery });
      const scopeClaims = issuer.scopeClaims ?? [...DEFAULT_SCOPE_CLAIMS];
      scopeClaims.forEach((claim, i) => validateOneOf(this, `${prop}.scopeClaims[${i}]`, claim, Object.values(ScopeClaim)));
      const groupClaims = issuer.groupClaims ?? [...DEFAULT_GROUP_CLAIMS];
      groupClaims.forEach((claim, i) => validateOneOf(this, `${prop}.groupClaims[${i}]`, claim, Object.values(GroupClaim)));
      const groups = this.validateNames(prop, 'groups', issuer.groups);
      if (groups.length > 0 && groupClaims.length === 0) {
        throw new ValidationError(`\`${prop}.groups\` declares groups, but \`${prop}.groupClaims\` is empty, so no token of the issuer could carry them: name the claims that hold them, such as [GroupClaim.GROUPS]`, this);
      }
      return {
        issuer: issuer.issuer,
        audience: issuer.audience,
        audienceClaim,
        ...(jwksUri === undefined ? {} : { jwksUri }),
        discovery,
        tokenType,
        requiredClaims: this.validateRequiredClaims(prop, issuer.requiredClaims),
        scopeClaims,
        groupClaims,
        scopes: this.validateNames(prop, 'scopes', issuer.scopes),
        groups,
        requireAccessTokenType: issuer.requireAccessTokenType ?? false,
      };
    });
  }

  /**
   * Known providers whose keys are not at the default path, or whose tokens cannot be used as
   * configured, fail synth; any other issuer that relies on the default path gets a warning.
   */
  private checkKnownProvider(prop: string, issuer: JwtIssuer & Required<Pick<JwtIssuer, 'tokenType' | 'discovery'>>): void {
    if (Token.isUnresolved(issuer.issuer)) {
      return;
    }
    const provider = knownProvider(issuer.issuer);
    if (provider?.problem) {
      throw new ValidationError(`\`${prop}.issuer\` ${describe(issuer.issuer)} ${provider.problem}`, this);
    }
    if (issuer.tokenType === TokenType.GOOGLE_ID_TOKEN && provider?.name !== 'Google') {
      throw new ValidationError(`\`${prop}.tokenType\` is GOOGLE_ID_TOKEN, but the issuer ${describe(issuer.issuer)} is not Google's: accept ID tokens of Google only, with IdentityProvider.google()`, this);
    }
    if (provider?.name === 'Google' && issuer.tokenType !== TokenType.GOOGLE_ID_TOKEN) {
      throw new ValidationError(`\`${prop}.issuer\` is Google's, which issues no JWT access tokens: use IdentityProvider.google(), which accepts the ID tokens of your own client IDs`, this);
    }
    if (issuer.tokenType === TokenType.GOOGLE_ID_TOKEN && issuer.requiredClaims?.hd === undefined) {
      Annotations.of(this).addWarningV2('secure-api:jwt-any-google-account', `\`${prop}\` accepts the ID tokens of any Google account, personal ones included: restrict it to your Workspace domain with \`hostedDomain\` (requiredClaims.hd), or acknowledge this warning if any account may call.`);
    }
    if (issuer.jwksUri !== undefined || issuer.discovery) {
      return;
    }
    if (provider && !provider.defaultJwksPath) {
      throw new ValidationError(`\`${prop}.jwksUri\` is left out, but ${provider.name} does not publish its keys at <issuer>${DEFAULT_JWKS_PATH}, so every token would be refused: use ${provider.preset}, or set \`jwksUri\``, this);
    }
    if (!provider) {
      Annotations.of(this).addWarningV2('secure-api:jwt-default-jwks-uri', `\`${prop}\` (${issuer.issuer}) relies on the default JWKS URI <issuer>${DEFAULT_JWKS_PATH}, where Cognito and Auth0 publish their keys but Okta, Entra ID, Keycloak and Google do not: if your provider publishes elsewhere, every token is refused. Set \`jwksUri\` (or use an IdentityProvider preset, or \`discovery: true\`).`);
    }
  }

  private validateRequiredClaims(prop: string, claims: Record<string, string> | undefined): Record<string, string> {
    const entries = Object.entries(claims ?? {});
    for (const [claim, value] of entries) {
      if (!/^[A-Za-z0-9_:.-]+$/.test(claim) || ['__proto__', 'constructor', 'prototype'].includes(claim)) {
        throw new ValidationError(`\`${prop}.requiredClaims\` names the claim ${describe(claim)}: use a claim name of letters, digits and _ : . -`, this);
      }
      if (value === undefined || value === null) {
        throw new ValidationError(`\`${prop}.requiredClaims.${claim}\` is missing: give the value the claim must have`, this);
      }
      if (typeof value !== 'string' || (!Token.isUnresolved(value) && value.length === 0)) {
        throw new ValidationError(`\`${prop}.requiredClaims.${claim}\` must be a non-empty string, got ${describe(value)}`, this);
      }
    }
    return Object.fromEntries(entries);
  }

  /**
   * With discovery, a cold start's first token of the issuer waits for two fetches in a row (the
   * discovery document, then the key set), each bounded by `jwksFetchTimeout`: both must fit in the
   * function's timeout, or the request fails with a 500 instead of a refusal.
   */
  private validateDiscoveryTimeout(jwksFetchTimeout: Duration): void {
    const discovering = this.issuers.findIndex((issuer) => issuer.discovery);
    if (discovering >= 0 && !Token.isUnresolved(jwksFetchTimeout.toMilliseconds()) && jwksFetchTimeout.toMilliseconds() > MAX_DISCOVERY_FETCH_TIMEOUT.toMilliseconds()) {
      throw new ValidationError(`\`jwksFetchTimeout\` must be at most ${MAX_DISCOVERY_FETCH_TIMEOUT.toSeconds()} seconds when an issuer uses \`discovery\` (\`issuers[${discovering}]\`), got ${jwksFetchTimeout.toHumanString()}: the discovery document and the key set are fetched one after the other within the function's ${AUTHORIZER_TIMEOUT.toSeconds()}-second timeout; lower it, or give the issuer a fixed \`jwksUri\``, this);
    }
  }

  private validateHttpsUrl(prop: string, value: string): void {
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      return;
    }
    if (value === undefined || value === null) {
      throw new ValidationError(`\`${prop}\` is missing: give an https:// URL, such as 'https://login.example.com/'`, this);
    }
    if (typeof value !== 'string') {
      throw new ValidationError(`\`${prop}\` must be an https:// URL as a string, got ${describe(value)}: write it as 'https://login.example.com/'`, this);
    }
    if (value.indexOf('://') !== value.lastIndexOf('://')) {
      throw new ValidationError(`\`${prop}\` ${describe(value)} holds a URL inside a URL: give an IdentityProvider preset's \`domain\` (or \`loginHost\`) as a bare host name, such as 'example.okta.com'`, this);
    }
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    const expected = `\`${prop}\` must be an https:// URL without credentials, query or fragment, got ${describe(value)}`;
    if (!url) {
      throw new ValidationError(`${expected}: it is not a URL; write it in full, such as 'https://login.example.com/'`, this);
    }
    if (url.protocol !== 'https:' || !value.startsWith('https://')) {
      throw new ValidationError(`${expected}: keys fetched or tokens issued over plain HTTP could be forged`, this);
    }
    if (url.username || url.password || url.search || url.hash) {
      throw new ValidationError(`${expected}: remove the credentials, query or fragment; tokens name their issuer without them`, this);
    }
  }

  /**
   * Scope names must not contain whitespace (tokens list scopes separated by spaces); group names
   * may (groups come as arrays, and directories have groups such as 'Pet Admins'), but not be blank.
   */
  private validateNames(owner: string, prop: 'scopes' | 'groups', names: string[] | undefined): string[] {
    if (names === undefined) {
      return [];
    }
    names.forEach((name, index) => {
      if (typeof name === 'string' && Token.isUnresolved(name)) {
        return;
      }
      if (typeof name !== 'string' || name.trim().length === 0) {
        throw new ValidationError(`\`${prop}[${index}]\` of ${owner} must be a non-empty name, got ${describe(name)}`, this);
      }
      if (prop === 'scopes' && /\s/.test(name)) {
        throw new ValidationError(`\`scopes[${index}]\` of ${owner} must be a name without whitespace, got ${describe(name)}: tokens list scopes separated by spaces, so a scope with a space can never match`, this);
      }
    });
    return [...new Set(names)];
  }

  private validateTokenSize(size: Size): void {
    const bytes = size.toBytes();
    if (!Token.isUnresolved(bytes) && (bytes < 1024 || bytes > MAX_HEADER_SIZE.toBytes())) {
      throw new ValidationError(`\`maxTokenSize\` must be between 1 KiB and 10 KiB (API Gateway's header limit), got ${bytes} bytes`, this);
    }
  }
}

/** Options of {@link JwtAuthorizer.cognitoIssuer}. */
export interface CognitoIssuerOptions {
  /** The app clients whose access tokens are accepted. */
  readonly clients: cognito.IUserPoolClient[];

  /**
   * The user pool's groups that routes may require (`cognito:groups`).
   *
   * @default - none
   */
  readonly groups?: string[];
}

class JwtRouteAuthorization extends RouteAuthorization {
  constructor(private readonly authorizer: JwtAuthorizer, private readonly requirement: JwtRouteRequirement) {
    super();
  }

  public get description(): string {
    const parts = [
      ...(this.requirement.scopes?.length ? [`scopes: ${this.requirement.scopes.join(' | ')}`] : []),
      ...(this.requirement.groups?.length ? [`groups: ${this.requirement.groups.join(' | ')}`] : []),
    ];
    return `JWT ${this.authorizer.node.id}${parts.length ? ` (${parts.join('; ')})` : ' (any valid token)'}`;
  }

  public bind(scope: IConstruct, route: RouteDescription): RouteAuthorizationConfig {
    return this.authorizer._bindRoute(scope, route, this.requirement);
  }
}

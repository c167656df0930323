import { Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
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
  JwtRouteSettings,
} from '../../lambda/shared/constants';
import { BundledHandlerFunction } from '../private/bundled-handler';
import { ValidationError } from '../private/validation-error';
import { DEFAULT_AUTHORIZER_CACHE_TTL, describe, validateAuthorizerCacheTtl, validateDuration, validateOneOf } from '../private/validators';
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
   * @default - `<issuer>/.well-known/jwks.json` (Cognito, Auth0)
   */
  readonly jwksUri?: string;

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
/** The largest header API Gateway passes on. */
const MAX_HEADER_SIZE = Size.kibibytes(10);

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
    return {
      issuer: `https://cognito-idp.${directory.userPool.env.region}.${Stack.of(directory.userPool).urlSuffix}/${directory.userPool.userPoolId}`,
      audience: options.clients.map((client) => client.userPoolClientId),
      audienceClaim: AudienceClaim.CLIENT_ID,
      scopeClaims: [ScopeClaim.SCOPE],
      groupClaims: [GroupClaim.COGNITO_GROUPS],
      scopes: [...directory.scopeNames],
      groups: options.groups,
    };
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

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);
    this.api = validateSecureRestApi(this, props?.api, 'the API whose routes the authorizer guards');
    this.type = props.type ?? JwtAuthorizerType.TOKEN;
    validateOneOf(this, 'type', this.type, Object.values(JwtAuthorizerType));
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
    const jwksRetryInterval = props.jwksRetryInterval ?? Duration.seconds(10);
    validateDuration(this, 'jwksRetryInterval', jwksRetryInterval, { min: Duration.seconds(1), max: Duration.minutes(5), unit: 'seconds' });
    const maxTokenSize = props.maxTokenSize ?? Size.kibibytes(8);
    this.validateTokenSize(maxTokenSize);

    const settings = (): JwtAuthorizerSettings => ({
      issuers: this.issuers,
      routes: this.routeSettings(),
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
      timeout: Duration.seconds(5),
      environment: { [ENV.serviceName]: JWT_AUTHORIZER_SERVICE },
      // Written into the function's asset at synth, once every route of the API is known.
      settings,
    });
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
    return this.api.accessMatrix.map(({ routeKey }): JwtRouteSettings => {
      const [method, routePath] = routeKey.split(' ');
      const requirement = this.requirements.get(routeKey);
      return requirement ? [method, routePath, requirement.scopes, requirement.groups] : [method, routePath];
    });
  }

  private validateSynth(): string[] {
    if (this.requirements.size === 0) {
      return [`\`${this.node.path}\` guards no route: use authorize() in a route's \`authorization\`, or remove it`];
    }
    return [];
  }

  private validateIssuers(issuers: JwtIssuer[]): JwtIssuerSettings[] {
    if (!Array.isArray(issuers) || issuers.length === 0) {
      throw new ValidationError(`\`issuers\` must name at least one issuer, got ${describe(issuers)}: such as { issuer: 'https://login.example.com/', audience: ['https://api.example.com'] }`, this);
    }
    const seen = new Map<string, number>();
    return issuers.map((issuer, index): JwtIssuerSettings => {
      const prop = `issuers[${index}]`;
      this.validateHttpsUrl(`${prop}.issuer`, issuer.issuer);
      if (seen.has(issuer.issuer)) {
        throw new ValidationError(`\`${prop}.issuer\` ${describe(issuer.issuer)} repeats \`issuers[${seen.get(issuer.issuer)}]\`: list each issuer once, with all its audiences`, this);
      }
      seen.set(issuer.issuer, index);
      if (!Array.isArray(issuer.audience) || issuer.audience.length === 0 || issuer.audience.some((aud) => typeof aud !== 'string' || (!Token.isUnresolved(aud) && aud.trim() === ''))) {
        throw new ValidationError(`\`${prop}.audience\` must list at least one non-empty audience, got ${describe(issuer.audience)}: without one, a token issued for any other application of the issuer would be accepted`, this);
      }
      const audienceClaim = issuer.audienceClaim ?? AudienceClaim.AUD;
      validateOneOf(this, `${prop}.audienceClaim`, audienceClaim, Object.values(AudienceClaim));
      const jwksUri = issuer.jwksUri ?? `${String(issuer.issuer).replace(/\/+$/, '')}/.well-known/jwks.json`;
      this.validateHttpsUrl(`${prop}.jwksUri`, jwksUri);
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
        jwksUri,
        scopeClaims,
        groupClaims,
        scopes: this.validateNames(prop, 'scopes', issuer.scopes),
        groups,
        requireAccessTokenType: issuer.requireAccessTokenType ?? false,
      };
    });
  }

  private validateHttpsUrl(prop: string, value: string): void {
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:' || url.username || url.password || url.search || url.hash || !value.startsWith('https://')) {
      throw new ValidationError(`\`${prop}\` must be an https:// URL without credentials, query or fragment, got ${describe(value)}: keys fetched or tokens issued over plain HTTP could be forged`, this);
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

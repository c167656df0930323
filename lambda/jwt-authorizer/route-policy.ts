import { INVOKE_ACTION, JwtRouteSettings } from '../shared/constants';
import { Route as ApiRoute, RouteKeyError, RouteSet, parseRoute as parseApiRoute } from '../shared/routes';
import type { Permissions } from './claims';
import { SettingsError, UnauthorizedError } from './errors';

/**
 * The IAM policy an authorizer returns, and how it stays correct under API Gateway's result cache.
 *
 * API Gateway caches the policy per token and applies it to every later request with that token,
 * whatever route it calls. So the policy allows every route of this authorizer that the caller's
 * scopes and groups permit (not only the route of the first call, which would make later calls
 * fail) and no other (not `*`, which would let a read-only token write until the cache expires).
 *
 * In an execute-api ARN a path parameter is `*`, and IAM's `*` also matches `/`: the ARN
 * `GET/pets/*` allowed for `GET /pets/{petId}` also matches a request to `GET /pets/{petId}/admin`.
 * For every route the caller may not call that an allowed ARN reaches, the policy adds a Deny,
 * which wins over any Allow. Whether an ARN reaches a route is decided with API Gateway's own
 * route choice (static segments before `{param}` before `{param+}`, a method before `ANY`), so a
 * Deny for `GET /users/{id}` is not added just because `GET /users/me` is allowed.
 *
 * A route's own ARN pattern can be too wide for its Deny: for a catch-all `ANY /{proxy+}` it is
 * `*` + `/*`, which would refuse every route. Then the Deny is narrowed to what the allowed pattern
 * over-reaches with (`GET/pets/*` + `/*` for the catch-all requests under `/pets/{id}`), provided
 * that still covers every over-reaching request and refuses no allowed route. When no Deny can
 * avoid an allowed route, the Deny wins (fail closed) and the route is reported as shadowed.
 */

/** `arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/`, the part shared by every route. */
const METHOD_ARN_PREFIX = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+\/)[A-Z*]+\//;

/** A route of the API, and what this authorizer requires on it. */
export interface Route extends ApiRoute {
  /** Whether this authorizer guards the route. */
  readonly guarded: boolean;
  readonly scopes: readonly string[];
  readonly groups: readonly string[];
}

/** The policy for one caller, and what it decided. */
export interface CallerPolicy {
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: ReadonlyArray<{ readonly Action: typeof INVOKE_ACTION; readonly Effect: 'Allow' | 'Deny'; readonly Resource: string[] }>;
  };
  /** Keys of the routes the caller may call. */
  readonly allowed: readonly string[];
  /**
   * Keys of routes the caller may call but that a Deny for another route also matches, so API
   * Gateway refuses them. Only route tables with overlapping wildcards produce these.
   */
  readonly shadowed: readonly string[];
}

/** The API's routes, with which route's ARN pattern reaches requests of which other route. */
export class RouteTable {
  public readonly routes: readonly Route[];
  private readonly set: RouteSet<Route>;
  private readonly policyCache = new Map<string, Omit<CallerPolicy, 'policyDocument'> & { readonly allow: string[]; readonly deny: string[] }>();

  constructor(settings: readonly JwtRouteSettings[]) {
    this.set = new RouteSet(settings.map(parseRoute));
    this.routes = this.set.routes;
  }

  /** Whether the caller's permissions satisfy the route's requirements. */
  public static permits(route: Route, permissions: Permissions): boolean {
    return (route.scopes.length === 0 || route.scopes.some((scope) => permissions.scopes.has(scope)))
      && (route.groups.length === 0 || route.groups.some((group) => permissions.groups.has(group)));
  }

  /**
   * The policy for a caller with `permissions`, for the API and stage of `methodArn`.
   * Throws an {@link UnauthorizedError} if `methodArn` is not an execute-api method ARN.
   */
  public policyFor(methodArn: string, permissions: Permissions): CallerPolicy {
    const prefix = METHOD_ARN_PREFIX.exec(methodArn)?.[1];
    if (!prefix) {
      throw new UnauthorizedError('bad-method-arn', 'the methodArn is not an execute-api method ARN');
    }
    const guarded = this.routes.filter((route) => route.guarded);
    const allowed = guarded.filter((route) => RouteTable.permits(route, permissions));
    const signature = allowed.map((route) => route.key).join('\n');
    let decision = this.policyCache.get(signature);
    if (!decision) {
      decision = this.decide(guarded, allowed);
      this.policyCache.set(signature, decision);
    }
    const statement = (effect: 'Allow' | 'Deny', patterns: string[]) =>
      ({ Action: INVOKE_ACTION as typeof INVOKE_ACTION, Effect: effect, Resource: patterns.map((pattern) => `${prefix}${pattern}`) });
    const statements = decision.allow.length === 0
      ? [statement('Deny', ['*'])]
      : [statement('Allow', decision.allow), ...(decision.deny.length > 0 ? [statement('Deny', decision.deny)] : [])];
    return { policyDocument: { Version: '2012-10-17', Statement: statements }, allowed: decision.allowed, shadowed: decision.shadowed };
  }

  /**
   * Whether the ARN pattern of `from` matches a request that API Gateway routes to `to`. Errs
   * towards `true` when the question is too large to answer exactly.
   */
  public reaches(from: Route, to: Route): boolean {
    return from === to || this.set.reaches(from.arnPattern, to);
  }

  private decide(guarded: readonly Route[], allowed: readonly Route[]) {
    const deny: string[] = [];
    for (const route of guarded.filter((candidate) => !allowed.includes(candidate))) {
      const reachers = allowed.filter((allow) => this.reaches(allow, route));
      if (reachers.length > 0) {
        deny.push(...this.denyPatterns(route, reachers, allowed));
      }
    }
    // A Deny that ends in a path segment also covers the same path with a trailing slash, which an
    // allowed pattern ending in `*` matches.
    const denied = unique(deny.flatMap(withTrailingSlash));
    const shadowed = allowed.filter((allow) => denied.some((pattern) => this.set.reaches(pattern, allow, true)));
    return {
      allowed: allowed.map((route) => route.key),
      shadowed: shadowed.map((route) => route.key),
      allow: unique(allowed.map((route) => route.arnPattern)),
      deny: denied,
    };
  }

  /**
   * The Deny patterns that keep `reachers` (allowed) from reaching `route` (not allowed): the
   * route's own pattern if it refuses no allowed route; else, for each reacher, the first of its
   * narrowed patterns (see {@link narrowings}) that covers every request it over-reaches with and
   * refuses no allowed route; else (fail closed) the route's own pattern.
   */
  private denyPatterns(route: Route, reachers: readonly Route[], allowed: readonly Route[]): string[] {
    const refusesNoAllowed = (pattern: string) => !allowed.some((allow) => this.set.reaches(pattern, allow, true));
    if (refusesNoAllowed(route.arnPattern)) {
      return [route.arnPattern];
    }
    const narrowed: string[] = [];
    for (const reacher of reachers) {
      const fit = narrowings(reacher.arnPattern).find((patterns) => patterns.every(refusesNoAllowed)
        && !this.set.witness(reacher.arnPattern, route, { notMatching: patterns }));
      if (!fit) {
        return [route.arnPattern];
      }
      narrowed.push(...fit);
    }
    return narrowed;
  }

}

function parseRoute(setting: JwtRouteSettings): Route {
  const [method, path] = setting;
  let route: ApiRoute;
  try {
    route = parseApiRoute(method, path);
  } catch (error) {
    if (error instanceof RouteKeyError) {
      throw new SettingsError(`the route ${JSON.stringify(`${method} ${path}`)} is not a route key: ${error.problem}`);
    }
    throw error;
  }
  return {
    ...route,
    guarded: setting.length === 4,
    scopes: setting.length === 4 ? setting[2] : [],
    groups: setting.length === 4 ? setting[3] : [],
  };
}

/**
 * Narrower Deny patterns for what an allowed pattern over-reaches with, in the order they are
 * tried: deeper paths (`GET/pets/*` + `/*`), the trailing slash of a parameter route (`GET/pets/`),
 * or both.
 */
function narrowings(pattern: string): string[][] {
  const deeper = pattern.endsWith('/') ? `${pattern}*` : `${pattern}/*`;
  if (!pattern.endsWith('/*')) {
    return [[deeper]];
  }
  const bare = pattern.slice(0, -1);
  return [[deeper], [bare], [deeper, bare]];
}

/** A pattern, and its form with a trailing slash when a request can add one that it does not match. */
function withTrailingSlash(pattern: string): string[] {
  return pattern.endsWith('*') || pattern.endsWith('/') ? [pattern] : [pattern, `${pattern}/`];
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

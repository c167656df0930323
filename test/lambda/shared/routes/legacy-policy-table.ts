/**
 * The JWT authorizer's policy builder as it was before it was split into a compiler (at synth) and
 * a planner (in the handler), kept unchanged as the reference the split is checked against
 * (policy-plan.test.ts): the same policies, for the same route tables and callers.
 */
import { INVOKE_ACTION, JwtRouteSettings } from '../../../../lambda/shared/constants';
import { Route as ApiRoute, RouteMethod, buildRoute } from '../../../../lambda/shared/routes/route';
import { RouteSet } from '../../../../lambda/shared/routes/route-set';

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
 *
 * The policy also fails closed for routes deployed while it is cached: below every allowed route
 * whose path ends in `{param}` (`GET/orders/*`), every path is denied (`GET/orders/*` + `/*`)
 * unless the caller may call a route there. IAM has no wildcard for "one or more characters", so
 * that Deny also refuses the trailing-slash form `GET /orders/7/` of the allowed route: requests
 * with a trailing slash are served as well as a Deny allows, never more than their route permits.
 *
 * What each route's pattern reaches is worked out once, when the table is built (cold start); a
 * policy is then assembled per permission signature (the caller's scopes and groups that some
 * route names) and cached.
 */

/** What a caller holds: whole values, compared case-sensitively. */
export interface Permissions {
  readonly scopes: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/** A route of the API, and what the authorizer requires on it. */
export interface PolicyRoute extends ApiRoute {
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

/** What a policy decided for one permission signature, before the ARN prefix is added. */
interface Decision {
  readonly allowed: readonly string[];
  readonly shadowed: readonly string[];
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** The policy documents built so far, by ARN prefix (one per API stage, in practice one). */
  readonly documents: Map<string, CallerPolicy>;
}

/** A pattern that may stand for several allowed routes of one method: `GET/orders/*`. */
interface GroupCandidate {
  readonly pattern: string;
  /** How many path segments its prefix has: shallower groups are tried first. */
  readonly depth: number;
  /** Indexes (in `guarded`) of the routes below its prefix with its method: those whose own pattern it contains. */
  readonly members: readonly number[];
}

/** Most permission signatures whose policies are kept; past it, the cache starts again. */
const MAX_CACHED_SIGNATURES = 1_000;

/**
 * The API's routes, with what each route's pattern reaches, worked out once when the table is
 * built (at cold start); a policy is then assembled from these per permission signature, and cached.
 */
export class LegacyPolicyTable {
  /** Whether the caller's permissions satisfy the route's requirements. */
  public static permits(route: PolicyRoute, permissions: Permissions): boolean {
    return (route.scopes.length === 0 || route.scopes.some((scope) => permissions.scopes.has(scope)))
      && (route.groups.length === 0 || route.groups.some((group) => permissions.groups.has(group)));
  }

  public readonly routes: readonly PolicyRoute[];
  readonly #set: RouteSet<PolicyRoute>;
  /** The routes this authorizer guards, in table order; below, routes are named by their index here. */
  readonly #guarded: readonly PolicyRoute[];
  /** For each guarded route, the other guarded routes whose own pattern reaches it. */
  readonly #reachers: readonly number[][];
  /** For each guarded route, the guarded routes (itself left out) that a Deny of its own pattern refuses. */
  readonly #ownDenyHits: readonly number[][];
  /** For each guarded route whose path ends in `{param}`: the Deny of the paths below it, and the guarded routes it refuses. */
  readonly #belowDeny: ReadonlyArray<{ readonly pattern: string; readonly hits: readonly number[] } | undefined>;
  readonly #groups: readonly GroupCandidate[];
  /** What each group candidate reaches: computed when first needed, then kept. */
  readonly #groupReach = new Map<string, { readonly guarded: readonly number[]; readonly unguarded: boolean }>();
  /** The scopes and groups some guarded route names: no others change a decision. */
  readonly #knownScopes: ReadonlySet<string>;
  readonly #knownGroups: ReadonlySet<string>;
  readonly #decisions = new Map<string, Decision>();
  readonly #index: ReadonlyMap<PolicyRoute, number>;

  constructor(settings: readonly JwtRouteSettings[]) {
    this.#set = new RouteSet(settings.map(parseRoute));
    this.routes = this.#set.routes;
    this.#guarded = this.routes.filter((route) => route.guarded);
    this.#knownScopes = new Set(this.#guarded.flatMap((route) => route.scopes));
    this.#knownGroups = new Set(this.#guarded.flatMap((route) => route.groups));
    this.#index = new Map(this.#guarded.map((route, i) => [route, i]));
    const reachers: number[][] = this.#guarded.map(() => []);
    this.#guarded.forEach((route, j) => this.#reached([route.arnPattern]).forEach((i) => {
      if (i !== j) {
        reachers[i].push(j);
      }
    }));
    this.#reachers = reachers;
    this.#ownDenyHits = this.#guarded.map((route, i) => this.#reached(withTrailingSlash(route.arnPattern), true).filter((j) => j !== i));
    this.#belowDeny = this.#guarded.map((route) => {
      if (route.segments[route.segments.length - 1]?.kind !== 'param') {
        return undefined;
      }
      const pattern = `${route.arnPattern}/*`;
      return { pattern, hits: this.#reached([pattern], true) };
    });
    this.#groups = this.#groupCandidates();
  }

  /**
   * The policy for a caller with `permissions`, its resources under `prefix`: the execute-api ARN
   * of the API's stage up to the method, `arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/`.
   */
  public policyForPrefix(prefix: string, permissions: Permissions): CallerPolicy {
    const signature = this.#signatureOf(permissions);
    let decision = this.#decisions.get(signature);
    if (!decision) {
      if (this.#decisions.size >= MAX_CACHED_SIGNATURES) {
        this.#decisions.clear();
      }
      decision = this.#decide(this.#guarded.map((route) => LegacyPolicyTable.permits(route, permissions)));
      this.#decisions.set(signature, decision);
    }
    let policy = decision.documents.get(prefix);
    if (!policy) {
      const statement = (effect: 'Allow' | 'Deny', patterns: readonly string[]) =>
        ({ Action: INVOKE_ACTION as typeof INVOKE_ACTION, Effect: effect, Resource: patterns.map((pattern) => `${prefix}${pattern}`) });
      const statements = decision.allow.length === 0
        ? [statement('Deny', ['*'])]
        : [statement('Allow', decision.allow), ...(decision.deny.length > 0 ? [statement('Deny', decision.deny)] : [])];
      policy = { policyDocument: { Version: '2012-10-17', Statement: statements }, allowed: decision.allowed, shadowed: decision.shadowed };
      decision.documents.set(prefix, policy);
    }
    return policy;
  }

  /**
   * Whether the ARN pattern of `from` matches a request that API Gateway routes to `to`. Errs
   * towards `true` when the question is too large to answer exactly.
   */
  public reaches(from: PolicyRoute, to: PolicyRoute): boolean {
    return from === to || this.#set.reaches(from.arnPattern, to);
  }

  /** The caller's scopes and groups that some route names, sorted: callers with the same one get the same policy. */
  #signatureOf(permissions: Permissions): string {
    const known = (held: ReadonlySet<string>, names: ReadonlySet<string>) => [...held].filter((name) => names.has(name)).sort();
    return JSON.stringify([known(permissions.scopes, this.#knownScopes), known(permissions.groups, this.#knownGroups)]);
  }

  /** The guarded routes (their indexes) whose requests one of `patterns` matches; with `canonicalOnly`, requests without a trailing slash only. */
  #reached(patterns: readonly string[], canonicalOnly = false): number[] {
    const hits = new Set(patterns.flatMap((pattern) => this.#set.reachedBy(pattern, canonicalOnly, this.#guarded)));
    return [...hits].map((route) => this.#index.get(route)!).sort((a, b) => a - b);
  }

  #decide(permitted: readonly boolean[]): Decision {
    const allowed = this.#guarded.map((_route, i) => i).filter((i) => permitted[i]);
    const deny: string[] = [];
    const shadowed = new Set<number>();
    for (let i = 0; i < this.#guarded.length; i++) {
      const reachers = permitted[i] ? [] : this.#reachers[i].filter((j) => permitted[j]);
      if (reachers.length > 0) {
        deny.push(...this.#denyPatterns(i, reachers, permitted, shadowed));
      }
    }
    // Fail closed below parameterised routes: `GET/orders/*` also matches `GET/orders/7/admin`, a
    // route that may be added later while this policy is cached. Unless the caller may call a
    // route below, the paths below are denied (with them, `GET/orders/7/`: see the class comment).
    for (const i of allowed) {
      const below = this.#belowDeny[i];
      if (below && !below.hits.some((j) => permitted[j])) {
        deny.push(below.pattern);
      }
    }
    return {
      allowed: allowed.map((i) => this.#guarded[i].key),
      shadowed: allowed.filter((i) => shadowed.has(i)).map((i) => this.#guarded[i].key),
      allow: withoutContained(this.#group(allowed, permitted)),
      deny: withoutContained(unique(deny.flatMap(withTrailingSlash))),
      documents: new Map(),
    };
  }

  /**
   * The Deny patterns that keep `reachers` (allowed) from reaching route `i` (not allowed): the
   * route's own pattern if it refuses no allowed route; else, for each reacher, the first of its
   * narrowed patterns (see {@link narrowings}) that covers every request it over-reaches with and
   * refuses no allowed route; else (fail closed) the route's own pattern, and the allowed routes it
   * refuses are shadowed.
   */
  #denyPatterns(i: number, reachers: readonly number[], permitted: readonly boolean[], shadowed: Set<number>): string[] {
    const route = this.#guarded[i];
    const hits = this.#ownDenyHits[i].filter((j) => permitted[j]);
    if (hits.length === 0) {
      return [route.arnPattern];
    }
    const refusesNoAllowed = (pattern: string) => !this.#reached([pattern], true).some((j) => permitted[j]);
    const narrowed: string[] = [];
    for (const j of reachers) {
      const reacher = this.#guarded[j];
      const fit = narrowings(reacher.arnPattern).find((patterns) => patterns.every(refusesNoAllowed)
        && !this.#set.witness(reacher.arnPattern, route, { notMatching: patterns }));
      if (!fit) {
        hits.forEach((hit) => shadowed.add(hit));
        return [route.arnPattern];
      }
      narrowed.push(...fit);
    }
    return narrowed;
  }

  /**
   * The Allow patterns: each allowed route's own pattern, less those another allowed pattern
   * contains, and where possible several of them replaced by one group pattern of one method
   * (`GET/orders/*` for the subtree below `/orders`) that reaches, in any form, no route but ones
   * the caller may call. Shallower groups are tried first; a group is used when it stands for at
   * least two routes. Never at the root (`GET/*` would stand for every GET route added later).
   *
   * Decisions, each for a route that is added or changed later while a policy stays cached:
   * - A group never reaches a route of another authorization (IAM, API key, another authorizer,
   *   public), although API Gateway applies this policy only to the methods this authorizer
   *   guards: a route's authorization can change in a later deployment, and a group must not open
   *   it in the meantime. (A route's own pattern may reach one, as before: it cannot be avoided.)
   * - No group across methods (`*` + `/orders/*`): it would stand for methods that have no route
   *   yet, and its leading `*` also spans path segments (`GET/shops/1/orders/2`).
   * - Like every pattern ending in `*`, a group covers routes added later below its prefix with its
   *   method, for as long as the policy is cached; it is used only where the caller may call every
   *   route there today.
   */
  #group(allowed: readonly number[], permitted: readonly boolean[]): string[] {
    const standsFor = new Map<number, string>();
    for (const group of this.#groups) {
      const fresh = group.members.filter((i) => !standsFor.has(i));
      if (fresh.length < 2 || !group.members.every((i) => permitted[i])) {
        continue;
      }
      const reach = this.#reachOf(group.pattern);
      if (reach.unguarded || !reach.guarded.every((i) => permitted[i])) {
        continue;
      }
      fresh.forEach((i) => standsFor.set(i, group.pattern));
    }
    return unique(allowed.map((i) => standsFor.get(i) ?? this.#guarded[i].arnPattern));
  }

  /** The routes a pattern reaches, in any form: those this authorizer guards, and whether any other. */
  #reachOf(pattern: string): { readonly guarded: readonly number[]; readonly unguarded: boolean } {
    let reach = this.#groupReach.get(pattern);
    if (!reach) {
      reach = {
        guarded: this.#reached([pattern]),
        unguarded: this.#set.reachedBy(pattern, false, this.routes.filter((route) => !route.guarded)).length > 0,
      };
      this.#groupReach.set(pattern, reach);
    }
    return reach;
  }

  /**
   * The group patterns worth trying: for every path prefix (one segment or more) of a route, its
   * parameters as `*`, `<method>/<prefix>/*` for each method below it.
   */
  #groupCandidates(): GroupCandidate[] {
    const byPattern = new Map<string, { depth: number; members: number[]; coversUnguarded: boolean }>();
    const index = this.#index;
    const add = (pattern: string, depth: number, route: PolicyRoute) => {
      let candidate = byPattern.get(pattern);
      if (!candidate) {
        candidate = { depth, members: [], coversUnguarded: false };
        byPattern.set(pattern, candidate);
      }
      const i = index.get(route);
      if (i === undefined) {
        candidate.coversUnguarded = true;
      } else {
        candidate.members.push(i);
      }
    };
    for (const route of this.routes) {
      const parts = route.arnPattern.split('/').slice(1);
      // Not at the root: `GET/*` would stand for every GET route added to the API later.
      for (let depth = 1; depth < route.segments.length; depth++) {
        const prefix = parts.slice(0, depth).map((part) => `/${part}`).join('');
        add(`${route.arnPattern.slice(0, route.arnPattern.indexOf('/'))}${prefix}/*`, depth, route);
      }
    }
    return [...byPattern.entries()]
      .filter(([, candidate]) => candidate.members.length >= 2 && !candidate.coversUnguarded)
      .map(([pattern, { depth, members }]) => ({ pattern, depth, members }))
      .sort((a, b) => a.depth - b.depth);
  }
}

/** A route of the settings, which the construct wrote from routes it parsed. */
function parseRoute(setting: JwtRouteSettings): PolicyRoute {
  const guarded = setting.length === 4;
  return { ...buildRoute(setting[0] as RouteMethod, setting[1]), guarded, scopes: guarded ? setting[2] : [], groups: guarded ? setting[3] : [] };
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

/**
 * `patterns` less those another of them contains: a pattern `<base>*` contains every pattern that
 * starts with `<base>` (`GET/pets/*` + `/*` contains `GET/pets/*` + `/admin`), and `*` + `<path>*`
 * every method's pattern whose path starts with `<path>`.
 */
function withoutContained(patterns: readonly string[]): string[] {
  const wide = patterns.filter((pattern) => pattern.endsWith('/*'));
  const contains = (outer: string, inner: string): boolean => {
    const base = outer.slice(0, -1);
    return outer.startsWith('*/') ? inner.slice(inner.indexOf('/')).startsWith(base.slice(1)) : inner.startsWith(base);
  };
  return patterns.filter((pattern) => !wide.some((outer) => outer !== pattern && contains(outer, pattern)));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

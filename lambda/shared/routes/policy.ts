import { JwtPlanGroup, JwtPlanNarrowing, JwtPolicyPlan, JwtRouteSettings } from '../constants';
import { CallerPolicy, Permissions, PolicyPlanner, narrowingsOf, withTrailingSlash } from './planner';
import { Route as ApiRoute, RouteMethod, buildRoute } from './route';
import { RouteSet } from './route-set';

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
 * What each route's pattern reaches depends on the route table alone: it is worked out at synth by
 * {@link compilePolicyPlan}, into a {@link JwtPolicyPlan} that the construct writes into the
 * authorizer's settings file. The handler assembles a policy from the plan per permission signature
 * (the caller's scopes and groups that some route names) and caches it ({@link PolicyPlanner},
 * planner.ts), without the route model's search.
 */

export type { CallerPolicy, Permissions };

/** A route of the API, and what the authorizer requires on it. */
export interface PolicyRoute extends ApiRoute {
  /** Whether this authorizer guards the route. */
  readonly guarded: boolean;
  readonly scopes: readonly string[];
  readonly groups: readonly string[];
}

/**
 * The plan of the policy builder for a route table (every route of the API, as the construct
 * writes them): what each guarded route's pattern reaches, worked out with the route model.
 */
export function compilePolicyPlan(routes: readonly JwtRouteSettings[]): JwtPolicyPlan {
  return new PolicyCompiler(new RouteSet(routes.map(parseRoute))).plan;
}

/**
 * The compiler and the planner together, on one route table: what the construct runs at synth
 * (the policy-size check aside, which uses the plan it writes), and what the route model's tests
 * check, with the routes and their reach for the checks.
 */
export class PolicyTable extends PolicyPlanner {
  /** Whether the caller's permissions satisfy the route's requirements. */
  public static permits(route: PolicyRoute, permissions: Permissions): boolean {
    return (route.scopes.length === 0 || route.scopes.some((scope) => permissions.scopes.has(scope)))
      && (route.groups.length === 0 || route.groups.some((group) => permissions.groups.has(group)));
  }

  public readonly routes: readonly PolicyRoute[];
  /** The plan the handler would be given. */
  public readonly plan: JwtPolicyPlan;
  readonly #set: RouteSet<PolicyRoute>;

  constructor(settings: readonly JwtRouteSettings[]) {
    const set = new RouteSet(settings.map(parseRoute));
    const plan = new PolicyCompiler(set).plan;
    super(plan);
    this.#set = set;
    this.routes = set.routes;
    this.plan = plan;
  }

  /**
   * Whether the ARN pattern of `from` matches a request that API Gateway routes to `to`. Errs
   * towards `true` when the question is too large to answer exactly.
   */
  public reaches(from: PolicyRoute, to: PolicyRoute): boolean {
    return from === to || this.#set.reaches(from.arnPattern, to);
  }
}

/** Works out a {@link JwtPolicyPlan} from the routes of an API. */
class PolicyCompiler {
  public readonly plan: JwtPolicyPlan;
  readonly #set: RouteSet<PolicyRoute>;
  /** The routes this authorizer guards, in table order; below, routes are named by their index here. */
  readonly #guarded: readonly PolicyRoute[];
  readonly #index: ReadonlyMap<PolicyRoute, number>;

  constructor(set: RouteSet<PolicyRoute>) {
    this.#set = set;
    this.#guarded = set.routes.filter((route) => route.guarded);
    this.#index = new Map(this.#guarded.map((route, i) => [route, i]));
    const scopes = unique(this.#guarded.flatMap((route) => route.scopes));
    const groups = unique(this.#guarded.flatMap((route) => route.groups));
    const reachers: number[][] = this.#guarded.map(() => []);
    this.#guarded.forEach((route, j) => this.#reached([route.arnPattern]).forEach((i) => {
      if (i !== j) {
        reachers[i].push(j);
      }
    }));
    const ownDenyHits = this.#guarded.map((route, i) => this.#reached(withTrailingSlash(route.arnPattern), true).filter((j) => j !== i));
    this.plan = {
      scopes,
      groups,
      routes: this.#guarded.map((route) => [
        route.path,
        route.arnPattern,
        route.scopes.map((name) => scopes.indexOf(name)),
        route.groups.map((name) => groups.indexOf(name)),
      ]),
      reachers,
      ownDenyHits,
      belowDenyHits: this.#guarded.map((route) => (route.segments[route.segments.length - 1]?.kind === 'param'
        ? this.#reached([`${route.arnPattern}/*`], true)
        : null)),
      // Only a route whose own Deny would refuse another route may need narrowed Denies.
      narrowings: this.#guarded.map((route, i) => (ownDenyHits[i].length === 0 ? [] : reachers[i].map((j) => this.#narrowings(route, j)))),
      groupCandidates: this.#groupCandidates(),
    };
  }

  /** The guarded routes (their indexes) whose requests one of `patterns` matches; with `canonicalOnly`, requests without a trailing slash only. */
  #reached(patterns: readonly string[], canonicalOnly = false): number[] {
    const hits = new Set(patterns.flatMap((pattern) => this.#set.reachedBy(pattern, canonicalOnly, this.#guarded)));
    return [...hits].map((route) => this.#index.get(route)!).sort((a, b) => a - b);
  }

  /**
   * The narrowed Denies that keep reacher `j` from route `route` while it is allowed and the route
   * is not: those of its narrowings that cover every request it over-reaches to the route with, in
   * the order they are tried, each with the routes it refuses (it is used only when it refuses no
   * allowed route).
   */
  #narrowings(route: PolicyRoute, j: number): JwtPlanNarrowing[] {
    const reacher = this.#guarded[j];
    return narrowingsOf(reacher.arnPattern)
      .map((patterns, k): [number, string[]] => [k, patterns])
      .filter(([, patterns]) => !this.#set.witness(reacher.arnPattern, route, { notMatching: patterns }))
      .map(([k, patterns]) => [k, this.#reached(patterns, true)]);
  }

  /**
   * The group patterns worth trying, for the planner's Allow patterns: for every path prefix (one segment or more) of a route, its parameters as `*`,
   * `<method>/<prefix>/*` for each method below it; those that stand for two routes or more and
   * reach, in any form, only routes this authorizer guards, with what they reach.
   *
   * Decisions, each for a route that is added or changed later while a policy stays cached:
   * - A group never reaches a route of another authorization (IAM, API key, another authorizer,
   *   public), although API Gateway applies this policy only to the methods this authorizer
   *   guards: a route's authorization can change in a later deployment, and a group must not open
   *   it in the meantime. (A route's own pattern may reach one, as before: it cannot be avoided.)
   * - No group across methods (`*` + `/orders/*`): it would stand for methods that have no route
   *   yet, and its leading `*` also spans path segments (`GET/shops/1/orders/2`).
   * - Never at the root: `GET/*` would stand for every GET route added to the API later.
   * - Like every pattern ending in `*`, a group covers routes added later below its prefix with its
   *   method, for as long as the policy is cached; the planner uses it only where the caller may
   *   call every route it reaches today, and it stands for at least two routes.
   */
  #groupCandidates(): JwtPlanGroup[] {
    const byPattern = new Map<string, { depth: number; members: number[]; coversUnguarded: boolean }>();
    const add = (pattern: string, depth: number, route: PolicyRoute) => {
      let candidate = byPattern.get(pattern);
      if (!candidate) {
        candidate = { depth, members: [], coversUnguarded: false };
        byPattern.set(pattern, candidate);
      }
      const i = this.#index.get(route);
      if (i === undefined) {
        candidate.coversUnguarded = true;
      } else {
        candidate.members.push(i);
      }
    };
    for (const route of this.#set.routes) {
      const parts = route.arnPattern.split('/').slice(1);
      for (let depth = 1; depth < route.segments.length; depth++) {
        const prefix = parts.slice(0, depth).map((part) => `/${part}`).join('');
        add(`${route.arnPattern.slice(0, route.arnPattern.indexOf('/'))}${prefix}/*`, depth, route);
      }
    }
    const unguarded = this.#set.routes.filter((route) => !route.guarded);
    return [...byPattern.entries()]
      .filter(([, candidate]) => candidate.members.length >= 2 && !candidate.coversUnguarded)
      .sort(([, a], [, b]) => a.depth - b.depth)
      .filter(([pattern]) => this.#set.reachedBy(pattern, false, unguarded).length === 0)
      .map(([pattern, { depth, members }]): JwtPlanGroup => [depth, members, this.#reached([pattern])]);
  }
}

/** A route of the settings, which the construct wrote from routes it parsed. */
function parseRoute(setting: JwtRouteSettings): PolicyRoute {
  const guarded = setting.length === 4;
  return { ...buildRoute(setting[0] as RouteMethod, setting[1]), guarded, scopes: guarded ? setting[2] : [], groups: guarded ? setting[3] : [] };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

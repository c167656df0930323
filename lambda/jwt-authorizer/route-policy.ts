import { HTTP_METHODS, INVOKE_ACTION, JwtRouteSettings } from '../shared/constants';
import type { Permissions } from './claims';
import { UnauthorizedError } from './errors';

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

/** The HTTP methods of requests; `ANY` routes receive each of them. */
const REQUEST_METHODS: readonly string[] = HTTP_METHODS.filter((method) => method !== 'ANY');

/** A path parameter's value that equals no static segment of any route. */
const FRESH = '~';

/** Past this many candidate requests, two routes are assumed to overlap: more Deny, never less. */
const MAX_CANDIDATES = 20_000;

/** `arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/`, the part shared by every route. */
const METHOD_ARN_PREFIX = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+\/)[A-Z*]+\//;

type Segment =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'param' }
  | { readonly kind: 'greedy' };

/** Static segments are chosen over `{param}`, and `{param}` over `{param+}`. */
const SEGMENT_RANK = { static: 0, param: 1, greedy: 2 } as const;

/** A route of the API. */
export interface Route {
  readonly key: string;
  readonly method: string;
  readonly segments: readonly Segment[];
  /** The route's pattern in execute-api ARNs, after the stage: `GET/pets/*`. */
  readonly arnPattern: string;
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
  private readonly reachCache = new Map<string, boolean>();
  /** The most segments any route has. */
  private readonly maxSegments: number;
  private readonly policyCache = new Map<string, Omit<CallerPolicy, 'policyDocument'> & { readonly allow: string[]; readonly deny: string[] }>();

  constructor(settings: readonly JwtRouteSettings[]) {
    this.routes = settings.map(parseRoute);
    this.maxSegments = Math.max(0, ...this.routes.map((route) => route.segments.length));
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
    return from === to || this.patternReaches(from.arnPattern, to);
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
    const denied = unique(deny.flatMap((pattern) => (pattern.endsWith('*') || pattern.endsWith('/') ? [pattern] : [pattern, `${pattern}/`])));
    const shadowed = allowed.filter((allow) => denied.some((pattern) => this.patternReaches(pattern, allow, true)));
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
    const refusesNoAllowed = (pattern: string) => !allowed.some((allow) => this.patternReaches(pattern, allow, true));
    if (refusesNoAllowed(route.arnPattern)) {
      return [route.arnPattern];
    }
    const narrowed: string[] = [];
    for (const reacher of reachers) {
      const fit = narrowings(reacher.arnPattern).find((patterns) => patterns.every(refusesNoAllowed)
        && !this.someRequestOf(route, reacher.arnPattern, patterns));
      if (!fit) {
        return [route.arnPattern];
      }
      narrowed.push(...fit);
    }
    return narrowed;
  }

  /**
   * Whether the ARN pattern matches a request that API Gateway routes to `to`. With `canonicalOnly`,
   * requests with a trailing slash are left out: a Deny may refuse that form of an allowed route
   * (failing closed on an unusual request), but an Allow must never reach any form of another route.
   */
  private patternReaches(pattern: string, to: Route, canonicalOnly = false): boolean {
    const key = `${pattern}\n${to.key}\n${canonicalOnly}`;
    let result = this.reachCache.get(key);
    if (result === undefined) {
      result = this.someRequestOf(to, pattern, [], canonicalOnly);
      this.reachCache.set(key, result);
    }
    return result;
  }

  /**
   * Whether some request that API Gateway routes to `to` matches the ARN pattern `matching` and not
   * `notMatching`. Requests are built segment by segment from the route's shape, abandoning a
   * prefix as soon as `matching` can no longer match; parameter values are drawn from every static
   * segment that could change the answer (those of the routes at the same depth and of the two
   * patterns) and one value that equals none. Errs towards `true` when there are too many to try.
   */
  private someRequestOf(to: Route, matching: string, notMatching: readonly string[] = [], canonicalOnly = false): boolean {
    const glob = new GlobMatcher(matching);
    const patterns = [matching, ...notMatching];
    const patternMethods = patterns.map((pattern) => pattern.slice(0, pattern.indexOf('/')));
    const methods = to.method !== 'ANY' ? [to.method] : patternMethods.includes('*') ? REQUEST_METHODS : unique(patternMethods);
    const patternStatics = patterns.flatMap((pattern) => pattern.split('/').slice(1).filter((part) => part !== '*' && part !== ''));
    let budget = MAX_CANDIDATES;

    const excluded = notMatching.map((pattern) => new GlobMatcher(pattern));
    // A request's ARN may end with the path (`GET/pets/1/admin`) or with a trailing slash, which
    // API Gateway routes to the same resource (`GET/pets/1/admin/`): both forms are tried.
    const isWitness = (method: string, path: readonly string[], states: GlobStates): boolean =>
      (path.length === 0 ? ['/'] : canonicalOnly ? [''] : ['', '/']).some((end) => glob.accepts(glob.step(states, end))
        && !excluded.some((pattern) => pattern.matches(`${method}/${path.join('/')}${path.length === 0 ? '' : end}`)))
      && this.routeOf(method, path) === to;
    // Extends `path` with the segment at `index`; a greedy parameter (always last) may take more.
    const visit = (method: string, path: readonly string[], states: GlobStates, index: number): boolean => {
      const segment = to.segments[index];
      if (segment === undefined) {
        return isWitness(method, path, states);
      }
      const values = segment.kind === 'static' ? [segment.value] : unique([...this.staticsAtDepth(path.length), ...patternStatics, FRESH]);
      for (const value of values) {
        if (--budget < 0) {
          return true;
        }
        const next = glob.step(states, `/${value}`);
        const longer = [...path, value];
        if (next.size > 0 && (segment.kind === 'greedy'
          // One or more segments, up to one more than the deepest route.
          ? isWitness(method, longer, next) || (longer.length <= this.maxSegments && visit(method, longer, next, index))
          : visit(method, longer, next, index + 1))) {
          return true;
        }
      }
      return false;
    };
    return methods.some((method) => {
      const states = glob.step(glob.start(), method);
      return states.size > 0 && visit(method, [], states, 0);
    });
  }

  /** The route API Gateway sends a request to, or undefined. */
  private routeOf(method: string, path: readonly string[]): Route | undefined {
    let best: Route | undefined;
    for (const route of this.routes) {
      if ((route.method === method || route.method === 'ANY') && matches(route.segments, path) && (!best || moreSpecific(route, best))) {
        best = route;
      }
    }
    return best;
  }

  private staticsAtDepth(depth: number): string[] {
    return this.routes.flatMap((route) => {
      const segment = route.segments[depth];
      return segment?.kind === 'static' ? [segment.value] : [];
    });
  }
}

function parseRoute(setting: JwtRouteSettings): Route {
  const [method, path] = setting;
  const segments: Segment[] = path === '/' ? [] : path.slice(1).split('/').map((part): Segment =>
    (/^\{.+\+\}$/.test(part) ? { kind: 'greedy' } : /^\{.+\}$/.test(part) ? { kind: 'param' } : { kind: 'static', value: part }));
  const arnPath = segments.map((segment) => (segment.kind === 'static' ? segment.value : '*')).join('/');
  return {
    key: `${method} ${path}`,
    method,
    segments,
    arnPattern: `${method === 'ANY' ? '*' : method}/${arnPath}`,
    guarded: setting.length === 4,
    scopes: setting.length === 4 ? setting[2] : [],
    groups: setting.length === 4 ? setting[3] : [],
  };
}

function matches(segments: readonly Segment[], path: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === 'greedy') {
      return path.length > i;
    }
    if (i >= path.length || (segment.kind === 'static' && segment.value !== path[i])) {
      return false;
    }
  }
  return segments.length === path.length;
}

/** Whether API Gateway prefers `a` over `b` when both match a request. */
function moreSpecific(a: Route, b: Route): boolean {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const diff = SEGMENT_RANK[a.segments[i].kind] - SEGMENT_RANK[b.segments[i].kind];
    if (diff !== 0) {
      return diff < 0;
    }
  }
  return a.method !== 'ANY' && b.method === 'ANY';
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

/** The positions an ARN pattern can be at after some input. */
type GlobStates = ReadonlySet<number>;

/**
 * IAM's ARN matching (`*` matches any characters, `/` included), fed a piece at a time, so a
 * request that can no longer match is abandoned before it is complete.
 */
class GlobMatcher {
  constructor(private readonly pattern: string) {}

  public start(): GlobStates {
    return this.closure([0]);
  }

  public step(states: GlobStates, text: string): GlobStates {
    let current = states;
    for (const char of text) {
      const next: number[] = [];
      for (const position of current) {
        if (this.pattern[position] === '*') {
          next.push(position);
        } else if (this.pattern[position] === char) {
          next.push(position + 1);
        }
      }
      current = this.closure(next);
      if (current.size === 0) {
        break;
      }
    }
    return current;
  }

  public accepts(states: GlobStates): boolean {
    return states.has(this.pattern.length);
  }

  public matches(text: string): boolean {
    return this.accepts(this.step(this.start(), text));
  }

  /** A `*` may also match nothing. */
  private closure(positions: readonly number[]): Set<number> {
    const result = new Set(positions);
    for (const position of result) {
      if (this.pattern[position] === '*') {
        result.add(position + 1);
      }
    }
    return result;
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

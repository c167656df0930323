import { GlobMatcher, GlobStates } from './glob';
import { REQUEST_METHODS, Route, Segment, requestArn } from './route';

/**
 * The routes of one API as a whole: which route API Gateway sends a request to, and which requests
 * of a route an ARN pattern (an IAM grant, an authorizer's Allow or Deny) matches.
 *
 * API Gateway's precedence, as this model has it: of the routes whose method is the request's (or
 * `ANY`) and whose path matches, the one whose segments, compared from the left, are more specific
 * first (a static segment before `{param}` before `{param+}`), then a method before `ANY`. A
 * request path with a trailing slash (`/pets/7/`) is routed like the path without it, but its
 * execute-api ARN keeps the slash (`GET/pets/7/`), which a pattern such as `GET/pets/*` matches.
 */

/** A concrete request: its method, path segments and whether it ends with `/`. */
export interface RouteRequest {
  readonly method: string;
  readonly path: readonly string[];
  readonly trailingSlash: boolean;
}

/** What a {@link RouteSet.witness} search may use. */
export interface WitnessOptions {
  /** Requests whose ARN matches any of these patterns do not count. @default - none */
  readonly notMatching?: readonly string[];
  /** Leave out requests with a trailing slash. @default false */
  readonly canonicalOnly?: boolean;
}

/** A parameter's value that equals no static segment of any route. */
export const FRESH_SEGMENT = '~';

/** Past this many candidate requests, a search assumes a match: more Deny and more refusals, never less. */
const MAX_CANDIDATES = 20_000;

/** Static segments are chosen over `{param}`, and `{param}` over `{param+}`. */
const SEGMENT_RANK = { static: 0, param: 1, greedy: 2 } as const;

/** Whether a request path (its segments) has the shape of a route's segments. */
export function shapeMatches(segments: readonly Segment[], path: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === 'greedy') {
      return path.length > i;
    }
    if (i >= path.length || (segment.kind === 'static' && segment.name !== path[i])) {
      return false;
    }
  }
  return segments.length === path.length;
}

/** Whether API Gateway prefers `a` over `b` when both match a request. */
export function moreSpecific(a: Route, b: Route): boolean {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const diff = SEGMENT_RANK[a.segments[i].kind] - SEGMENT_RANK[b.segments[i].kind];
    if (diff !== 0) {
      return diff < 0;
    }
  }
  return a.method !== 'ANY' && b.method === 'ANY';
}

/** The routes of an API; see the module's comment. */
export class RouteSet<R extends Route = Route> {
  readonly #list: R[] = [];
  readonly #byKey = new Map<string, R>();
  readonly #reachCache = new Map<string, boolean>();
  /** Routes without a greedy parameter, by `<segments>|<first static segment, or * for a parameter>`. */
  readonly #buckets = new Map<string, R[]>();
  readonly #greedyRoutes: R[] = [];
  readonly #staticsByDepth: Array<Set<string>> = [];
  #deepest = 0;

  constructor(routes: readonly R[] = []) {
    routes.forEach((route) => this.add(route));
  }

  /** The routes, in the order they were added. */
  public get routes(): readonly R[] {
    return this.#list;
  }

  /** The most segments any route has. */
  public get maxSegments(): number {
    return this.#deepest;
  }

  /** The route with this canonical key. */
  public get(key: string): R | undefined {
    return this.#byKey.get(key);
  }

  /** Adds a route. Check it first with a {@link RouteConflicts}: API Gateway would refuse a conflicting one. */
  public add(route: R): void {
    this.#list.push(route);
    this.#byKey.set(route.key, route);
    this.#reachCache.clear();
    this.#deepest = Math.max(this.#deepest, route.segments.length);
    route.segments.forEach((segment, depth) => {
      if (segment.kind === 'static') {
        (this.#staticsByDepth[depth] ??= new Set()).add(segment.name);
      }
    });
    if (route.segments.some((segment) => segment.kind === 'greedy')) {
      this.#greedyRoutes.push(route);
    } else {
      const first = route.segments[0];
      const bucket = `${route.segments.length}|${first?.kind === 'static' ? first.name : '*'}`;
      let routes = this.#buckets.get(bucket);
      if (!routes) {
        routes = [];
        this.#buckets.set(bucket, routes);
      }
      routes.push(route);
    }
  }

  /** The route API Gateway sends a request to (its path without a trailing slash), or undefined. */
  public routeOf(method: string, path: readonly string[]): R | undefined {
    let best: R | undefined;
    const consider = (routes: readonly R[] | undefined) => {
      for (const route of routes ?? []) {
        if ((route.method === method || route.method === 'ANY') && shapeMatches(route.segments, path) && (!best || moreSpecific(route, best))) {
          best = route;
        }
      }
    };
    consider(this.#buckets.get(`${path.length}|${path[0] ?? '*'}`));
    if (path.length > 0) {
      consider(this.#buckets.get(`${path.length}|*`));
    }
    consider(this.#greedyRoutes);
    return best;
  }

  /**
   * Whether the ARN pattern matches a request that API Gateway sends to `to`. With `canonicalOnly`,
   * requests with a trailing slash are left out. Errs towards `true` when the question is too
   * large to answer exactly.
   */
  public reaches(pattern: string, to: R, canonicalOnly = false): boolean {
    const key = `${pattern}\n${to.key}\n${canonicalOnly}`;
    let result = this.#reachCache.get(key);
    if (result === undefined) {
      result = this.witness(pattern, to, { canonicalOnly }) !== undefined;
      this.#reachCache.set(key, result);
    }
    return result;
  }

  /**
   * The routes (of `among`, by default all) whose requests the ARN pattern matches: see
   * {@link reaches}. Routes the pattern's leading literal segments rule out are not searched.
   */
  public reachedBy(pattern: string, canonicalOnly = false, among: readonly R[] = this.#list): R[] {
    const slash = pattern.indexOf('/');
    const method = pattern.slice(0, slash);
    // A leading `*` spans path segments too: nothing can be ruled out by position.
    const literals: string[] = [];
    if (!method.includes('*')) {
      for (const part of pattern.slice(slash + 1).split('/')) {
        if (part === '' || part.includes('*')) {
          break;
        }
        literals.push(part);
      }
    }
    return among.filter((route) => (method.includes('*') || route.method === 'ANY' || route.method === method)
      && literals.every((literal, i) => {
        const segment = route.segments[Math.min(i, route.segments.length - 1)];
        return segment !== undefined && (i < route.segments.length ? segment.kind !== 'static' || segment.name === literal : segment.kind === 'greedy');
      })
      && this.reaches(pattern, route, canonicalOnly));
  }

  /**
   * A request that API Gateway sends to `to` and whose ARN matches `pattern` (and none of
   * `notMatching`), or undefined if there is none.
   *
   * Requests are built segment by segment from the route's shape, abandoning a prefix as soon as
   * `pattern` can no longer match. A parameter's value is drawn from every static segment that
   * could change the answer (those of the routes at the same depth and those of the patterns) and
   * one value that equals none, {@link FRESH_SEGMENT}; a greedy parameter takes up to one segment
   * more than the deepest route. Past {@link MAX_CANDIDATES} candidates, the search gives up and
   * answers with the route's own shape, as if it matched (errs towards reaching).
   */
  public witness(pattern: string, to: R, options: WitnessOptions = {}): RouteRequest | undefined {
    const notMatching = options.notMatching ?? [];
    const glob = new GlobMatcher(pattern);
    const excluded = notMatching.map((other) => new GlobMatcher(other));
    const patterns = [pattern, ...notMatching];
    const patternMethods = patterns.map((p) => p.slice(0, p.indexOf('/')));
    const methods: readonly string[] = to.method !== 'ANY' ? [to.method]
      : patternMethods.some((method) => method.includes('*')) ? REQUEST_METHODS : unique(patternMethods);
    const patternStatics = unique(patterns.flatMap((p) => p.split('/').slice(1).filter((part) => part !== '*' && part !== '' && !part.includes('*'))));
    const ends = options.canonicalOnly ? [false] : [false, true];
    let budget = MAX_CANDIDATES;
    let exhausted = false;

    const isWitness = (method: string, path: readonly string[], states: GlobStates): RouteRequest | undefined => {
      if (this.routeOf(method, path) !== to) {
        return undefined;
      }
      for (const trailingSlash of path.length === 0 ? [false] : ends) {
        const arn = requestArn(method, path, trailingSlash);
        // The root's ARN is `GET/`: its `/` is not a trailing slash.
        const end = trailingSlash || path.length === 0 ? '/' : '';
        if (glob.accepts(end ? glob.step(states, end) : states) && !excluded.some((other) => other.matches(arn))) {
          return { method, path, trailingSlash };
        }
      }
      return undefined;
    };
    // Extends `path` with the segment at `index`; a greedy parameter (always last) may take more.
    const visit = (method: string, path: readonly string[], states: GlobStates, index: number): RouteRequest | undefined => {
      const segment = to.segments[index];
      if (segment === undefined) {
        return isWitness(method, path, states);
      }
      const values = segment.kind === 'static' ? [segment.name] : unique([FRESH_SEGMENT, ...(this.#staticsByDepth[path.length] ?? []), ...patternStatics]);
      for (const value of values) {
        if (--budget < 0) {
          exhausted = true;
          return undefined;
        }
        const next = glob.step(states, `/${value}`);
        if (next.size === 0) {
          continue;
        }
        const longer = [...path, value];
        const found = segment.kind === 'greedy'
          // One or more segments, up to one more than the deepest route.
          ? isWitness(method, longer, next) ?? (longer.length <= this.#deepest ? visit(method, longer, next, index) : undefined)
          : visit(method, longer, next, index + 1);
        if (found || exhausted) {
          return found;
        }
      }
      return undefined;
    };
    for (const method of methods) {
      const states = glob.step(glob.start(), method);
      const found = states.size > 0 ? visit(method, [], states, 0) : undefined;
      if (found) {
        return found;
      }
      if (exhausted) {
        return { method, path: to.segments.map((segment) => (segment.kind === 'static' ? segment.name : FRESH_SEGMENT)), trailingSlash: false };
      }
    }
    return undefined;
  }
}

/** `request` as it appears after the stage in an execute-api ARN: `GET/pets/7/`. */
export function arnOfRequest(request: RouteRequest): string {
  return requestArn(request.method, request.path, request.trailingSlash);
}

/** A request as a client writes it: `GET /pets/7/`. */
export function describeRequest(request: RouteRequest): string {
  return `${request.method} /${request.path.join('/')}${request.trailingSlash ? '/' : ''}`;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

import type { JwtRouteSettings } from '../shared/constants';
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
 */

/** The HTTP methods of requests; `ANY` routes receive each of them. */
const REQUEST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

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
    readonly Statement: ReadonlyArray<{ readonly Action: 'execute-api:Invoke'; readonly Effect: 'Allow' | 'Deny'; readonly Resource: string[] }>;
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
  private readonly policyCache = new Map<string, Omit<CallerPolicy, 'policyDocument'> & { readonly allow: string[]; readonly deny: string[] }>();

  constructor(settings: readonly JwtRouteSettings[]) {
    this.routes = settings.map(parseRoute);
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
      ({ Action: 'execute-api:Invoke' as const, Effect: effect, Resource: patterns.map((pattern) => `${prefix}${pattern}`) });
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
    const key = `${from.key}\n${to.key}`;
    let result = this.reachCache.get(key);
    if (result === undefined) {
      result = from === to || this.computeReaches(from, to);
      this.reachCache.set(key, result);
    }
    return result;
  }

  private decide(guarded: readonly Route[], allowed: readonly Route[]) {
    const denied = guarded.filter((route) => !allowed.includes(route) && allowed.some((allow) => this.reaches(allow, route)));
    const shadowed = allowed.filter((allow) => denied.some((deny) => this.reaches(deny, allow)));
    return {
      allowed: allowed.map((route) => route.key),
      shadowed: shadowed.map((route) => route.key),
      allow: unique(allowed.map((route) => route.arnPattern)),
      deny: unique(denied.map((route) => route.arnPattern)),
    };
  }

  private computeReaches(from: Route, to: Route): boolean {
    const pattern = globToRegExp(from.arnPattern);
    const methods = to.method !== 'ANY' ? [to.method] : from.method !== 'ANY' ? [from.method] : REQUEST_METHODS;
    const fromStatics = staticValues(from.segments);
    const choices = to.segments.map((segment, depth) => {
      if (segment.kind === 'static') {
        return [[segment.value]];
      }
      const values = unique([...this.staticsAtDepth(depth), ...fromStatics, FRESH]);
      if (segment.kind === 'param') {
        return values.map((value) => [value]);
      }
      // A greedy parameter takes one or more segments; more than the other pattern has cannot matter.
      return sequences(values, from.segments.length + 1);
    });
    const total = choices.reduce((n, options) => n * options.length, methods.length);
    if (total > MAX_CANDIDATES) {
      return true;
    }
    for (const path of product(choices)) {
      for (const method of methods) {
        if (pattern.test(`${method}/${path.join('/')}`) && this.routeOf(method, path) === to) {
          return true;
        }
      }
    }
    return false;
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

/** IAM's ARN matching: `*` matches any characters, `/` included. */
function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function staticValues(segments: readonly Segment[]): string[] {
  return segments.flatMap((segment) => (segment.kind === 'static' ? [segment.value] : []));
}

/** Every sequence of 1 to `maxLength` values. */
function sequences(values: readonly string[], maxLength: number): string[][] {
  const result: string[][] = [];
  let layer: string[][] = [[]];
  for (let length = 1; length <= maxLength && result.length <= MAX_CANDIDATES; length++) {
    layer = layer.flatMap((prefix) => values.map((value) => [...prefix, value]));
    result.push(...layer);
  }
  return result;
}

/** Every path made by choosing one option per segment (each option is one or more segments). */
function* product(choices: readonly string[][][]): Generator<string[]> {
  if (choices.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = choices;
  for (const option of first) {
    for (const tail of product(rest)) {
      yield [...option, ...tail];
    }
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

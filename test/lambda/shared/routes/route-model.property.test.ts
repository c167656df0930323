/**
 * The route model (`lambda/shared/routes`) checked, for all of its users at once, against an
 * independent brute-force evaluator: random route tables (static, `{param}` and `{param+}`
 * segments, `ANY` and specific methods, routes of IAM, of the JWT authorizer and of other
 * authorizations), every concrete request over a small alphabet (each static segment of the model,
 * and one that is none), with and without a trailing slash, routed by an independently written
 * API Gateway precedence, and ARNs matched with a regex-based IAM matcher. It checks:
 *  - `grantInvoke`'s check: a grant is refused exactly when its ARN matches a request that is
 *    routed to an IAM route that was not granted;
 *  - the JWT authorizer's policy: no request routed to a route it guards that the caller may not
 *    call is allowed, in either form; and every request without a trailing slash routed to a route
 *    the caller may call is allowed, unless the policy reports the route shadowed. A request with a
 *    trailing slash to a route the caller may call may be refused (fail closed): IAM has no
 *    wildcard for one or more characters, so a Deny of the paths below `GET /pets/{id}`
 *    (`GET/pets/*\/*`) also matches `GET/pets/7/`;
 *  - the firewall's per-route path regex: it matches exactly the paths of the route's shape, with
 *    or without a trailing slash, so every request API Gateway routes to the route is counted.
 */
import fc from 'fast-check';
import { CompiledRouteTable as PolicyTable } from '../../jwt-authorizer/compiled-table';
import type { JwtRouteSettings } from '../../../../lambda/shared/constants';
import { Route, RouteConflictError, RouteConflicts, RouteSet, parseRoute } from '../../../../lambda/shared/routes';
import { grantOverreach } from '../../../../lib/private/grants';
import { routePathRegex } from '../../../../lib/private/waf-statements';
import { arnMatches, policyAllows } from '../../jwt-authorizer/policy-oracle';

const ALPHABET = ['a', 'b', 'c'];
/** A path segment that is no route's static segment. */
const OTHER = 'z';
const METHODS = ['GET', 'POST', 'ANY'] as const;
/** Methods of requests: DELETE has no route of its own, so only ANY routes get it. */
const REQUEST_METHODS = ['GET', 'POST', 'DELETE'];
const SCOPES = ['s1', 's2'];
const GROUPS = ['g1'];
const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1';
const STAGE_PREFIX = '/v1';

type Authorization = { readonly kind: 'iam' } | { readonly kind: 'other' } | { readonly kind: 'jwt'; readonly scopes: string[]; readonly groups: string[] };

interface TableRoute {
  readonly route: Route;
  readonly authorization: Authorization;
}

interface Request {
  readonly method: string;
  readonly path: readonly string[];
  readonly trailingSlash: boolean;
}

// ---------------------------------------------------------------------------------------------
// The independent evaluator: no code of the route model below this line.

const shapes = new Map<string, RegExp>();

/** A regex for the paths of a route's shape, from its path text. */
function shapeRegex(path: string): RegExp {
  let regex = shapes.get(path);
  if (!regex) {
    regex = compileShape(path);
    shapes.set(path, regex);
  }
  return regex;
}

function compileShape(path: string): RegExp {
  const body = path === '/' ? '' : path.split('/').slice(1).map((part) => {
    if (/^\{.*\+\}$/.test(part)) {
      return '(?:/[^/]+)+';
    }
    return part.startsWith('{') ? '/[^/]+' : `/${part}`;
  }).join('');
  return new RegExp(`^${body}$`);
}

/** The ranks of a path's segments: 0 static, 1 parameter, 2 greedy. */
function ranks(path: string): number[] {
  return path === '/' ? [] : path.split('/').slice(1).map((part) => (/^\{.*\+\}$/.test(part) ? 2 : part.startsWith('{') ? 1 : 0));
}

/**
 * API Gateway's choice: among routes of the request's method or ANY whose shape matches the path
 * (a trailing slash ignored), the lowest ranks compared left to right, then a method over ANY.
 */
function route(table: readonly TableRoute[], request: Request): TableRoute | undefined {
  const text = request.path.map((segment) => `/${segment}`).join('');
  const candidates = table.filter(({ route: r }) => (r.method === request.method || r.method === 'ANY') && shapeRegex(r.path).test(text));
  const better = (x: TableRoute, y: TableRoute): boolean => {
    const rx = ranks(x.route.path);
    const ry = ranks(y.route.path);
    for (let i = 0; i < Math.min(rx.length, ry.length); i++) {
      if (rx[i] !== ry[i]) {
        return rx[i] < ry[i];
      }
    }
    return x.route.method !== 'ANY' && y.route.method === 'ANY';
  };
  return candidates.reduce<TableRoute | undefined>((best, candidate) => (best === undefined || better(candidate, best) ? candidate : best), undefined);
}

function arnOf(request: Request): string {
  return `${request.method}/${request.path.join('/')}${request.trailingSlash ? '/' : ''}`;
}

const requestLists = new Map<number, Request[]>();

/** Every request over the alphabet, one segment deeper than the deepest route. */
function requests(depth: number): Request[] {
  let list = requestLists.get(depth);
  if (!list) {
    list = allRequests(depth);
    requestLists.set(depth, list);
  }
  return list;
}

/** Each request with the route the evaluator sends it to. */
function routed(table: readonly TableRoute[], depth: number): Array<{ readonly request: Request; readonly target: TableRoute | undefined }> {
  return requests(depth).map((request) => ({ request, target: route(table, request) }));
}

function allRequests(depth: number): Request[] {
  const paths: string[][] = [[]];
  for (let frontier: string[][] = [[]], d = 0; d < depth; d++) {
    frontier = frontier.flatMap((path) => [...ALPHABET, OTHER].map((segment) => [...path, segment]));
    paths.push(...frontier);
  }
  return REQUEST_METHODS.flatMap((method) => paths.flatMap((path) => (path.length === 0
    ? [{ method, path, trailingSlash: false }]
    : [{ method, path, trailingSlash: false }, { method, path, trailingSlash: true }])));
}

function permits(authorization: Authorization, scopes: ReadonlySet<string>, groups: ReadonlySet<string>): boolean {
  return authorization.kind === 'jwt'
    && (authorization.scopes.length === 0 || authorization.scopes.some((scope) => scopes.has(scope)))
    && (authorization.groups.length === 0 || authorization.groups.some((group) => groups.has(group)));
}

// ---------------------------------------------------------------------------------------------
// Random tables.

const segmentArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ALPHABET).map((name) => ({ kind: 'static' as const, name })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'param' as const, name: '' }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'greedy' as const, name: '' }) },
);

const authorizationArb: fc.Arbitrary<Authorization> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'iam' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'other' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('jwt' as const), scopes: fc.subarray(SCOPES), groups: fc.subarray(GROUPS) }) },
);

const routeArb = fc.record({
  method: fc.constantFrom(...METHODS),
  segments: fc.array(segmentArb, { maxLength: 3 }),
  authorization: authorizationArb,
});

/** A route table API Gateway would accept: each parameter named after its depth, conflicts dropped. */
const tableArb = fc.array(routeArb, { minLength: 1, maxLength: 7 }).map((drafts) => {
  const set = new RouteSet();
  const conflicts = new RouteConflicts();
  const table: TableRoute[] = [];
  for (const draft of drafts) {
    // A greedy parameter only at the end.
    const greedyAt = draft.segments.findIndex((segment) => segment.kind === 'greedy');
    const segments = greedyAt >= 0 ? draft.segments.slice(0, greedyAt + 1) : draft.segments;
    const path = `/${segments.map((segment, depth) => (segment.kind === 'static' ? segment.name : segment.kind === 'param' ? `{p${depth}}` : `{p${depth}+}`)).join('/')}`;
    const parsed = parseRoute(draft.method, path);
    try {
      conflicts.add(parsed);
    } catch (error) {
      if (error instanceof RouteConflictError) {
        continue;
      }
      throw error;
    }
    set.add(parsed);
    table.push({ route: parsed, authorization: draft.authorization });
  }
  return { set, table };
});

const RUNS = { seed: 20261203, numRuns: 300 } as const;

// ---------------------------------------------------------------------------------------------

test('grantInvoke\'s check refuses a grant exactly when its ARN matches a request routed to an IAM route that was not granted', () => {
  fc.assert(fc.property(tableArb, fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), ({ set, table }, mask) => {
    const iam = table.filter(({ authorization }) => authorization.kind === 'iam');
    const granted = iam.filter((_route, i) => mask[i]);
    const all = routed(table, set.maxSegments + 1);
    const expected = new Set<string>();
    for (const g of granted) {
      for (const other of iam.filter((candidate) => !granted.includes(candidate))) {
        if (all.some(({ request, target }) => target === other && arnMatches(g.route.arnPattern, arnOf(request)))) {
          expected.add(`${g.route.key} -> ${other.route.key}`);
        }
      }
    }
    const found = grantOverreach(set, granted.map(({ route: r }) => r), iam.map(({ route: r }) => r));
    expect(new Set(found.map(({ granted: g, reached }) => `${g.key} -> ${reached.key}`))).toEqual(expected);
    // The request each refusal names is one the evaluator routes to the reached route, and the grant matches.
    for (const { granted: g, reached, request } of found) {
      const [method, text] = request.split(' ');
      const path = text.split('/').filter((segment) => segment !== '');
      const concrete = { method, path, trailingSlash: text.length > 1 && text.endsWith('/') };
      expect(route(table, concrete)?.route.key).toBe(reached.key);
      expect(arnMatches(g.arnPattern, arnOf(concrete))).toBe(true);
    }
  }), RUNS);
});

test('the JWT authorizer\'s policy never allows a request routed to a guarded route the caller may not call, and allows the others unless reported shadowed', () => {
  fc.assert(fc.property(tableArb, fc.subarray(SCOPES), fc.subarray(GROUPS), ({ set, table }, scopes, groups) => {
    const settings = table.map(({ route: r, authorization }): JwtRouteSettings =>
      (authorization.kind === 'jwt' ? [r.method, r.path, authorization.scopes, authorization.groups] : [r.method, r.path]));
    const held = { scopes: new Set(scopes), groups: new Set(groups) };
    const policy = new PolicyTable(settings).policyFor(`${ARN}/GET/`, held);
    const wrong: object[] = [];
    for (const { request, target } of routed(table, set.maxSegments + 1)) {
      if (target?.authorization.kind !== 'jwt') {
        continue;
      }
      const allowed = policyAllows(policy.policyDocument, `${ARN}/${arnOf(request)}`);
      const permitted = permits(target.authorization, held.scopes, held.groups);
      const decision = { request: arnOf(request), route: target.route.key, allowed };
      if (permitted ? !allowed && !request.trailingSlash && !policy.shadowed.includes(target.route.key) : allowed) {
        wrong.push(decision);
      }
    }
    // Expectations are collected, not asserted one by one: jest's expect is slow in a hot loop.
    expect(wrong).toEqual([]);
    // Shadowing is reported only for routes the caller may call.
    for (const key of policy.shadowed) {
      expect(permits(table.find(({ route: r }) => r.key === key)!.authorization, held.scopes, held.groups)).toBe(true);
    }
  }), RUNS);
});

test('the firewall\'s per-route path regex matches exactly the paths of the route\'s shape, a trailing slash included', () => {
  fc.assert(fc.property(tableArb, ({ set, table }) => {
    const all = requests(set.maxSegments + 1).filter((request) => request.method === 'GET');
    const wrong: object[] = [];
    for (const { route: r } of table) {
      const regex = new RegExp(routePathRegex(r, [STAGE_PREFIX]));
      const shape = shapeRegex(r.path);
      for (const request of all) {
        const text = request.path.map((segment) => `/${segment}`).join('');
        const sent = `${STAGE_PREFIX}${text}${request.trailingSlash || request.path.length === 0 ? '/' : ''}`;
        if (regex.test(sent) !== shape.test(text) || (request.path.length === 0 && regex.test(STAGE_PREFIX) !== shape.test(''))) {
          wrong.push({ route: r.key, sent });
        }
      }
      // So every request API Gateway routes to the route is counted, in either form.
      for (const { request } of routed(table, set.maxSegments + 1).filter(({ target }) => target?.route === r)) {
        const sent = `${STAGE_PREFIX}${request.path.map((segment) => `/${segment}`).join('')}${request.trailingSlash ? '/' : ''}`;
        if (!regex.test(sent)) {
          wrong.push({ route: r.key, sent, routed: true });
        }
      }
    }
    expect(wrong).toEqual([]);
  }), RUNS);
});

/**
 * The policy builder split into a compiler (at synth) and a planner (in the handler) gives the same
 * policies as the builder before the split (legacy-policy-table.ts), for the same route tables and
 * callers: the 61-route table of the bench, generated tables of 100 and 1,000 routes, and random
 * tables. The planner is given the plan as the handler is: through JSON, checked by `parsePlan`.
 */
import fc from 'fast-check';
import { parsePlan } from '../../../../lambda/jwt-authorizer/settings';
import type { JwtRouteSettings } from '../../../../lambda/shared/constants';
import { Permissions, PolicyPlanner, RouteConflictError, RouteConflicts, compilePolicyPlan, parseRoute } from '../../../../lambda/shared/routes';
import { LegacyPolicyTable } from './legacy-policy-table';
import { generatedRoutes, table61 } from '../../../support/route-tables';

const PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/';

function permissions(scopes: readonly string[] = [], groups: readonly string[] = []): Permissions {
  return { scopes: new Set(scopes), groups: new Set(groups) };
}

/** The planner on the compiled plan, read back as the handler reads it from its settings file. */
function planned(routes: readonly JwtRouteSettings[]): PolicyPlanner {
  return new PolicyPlanner(parsePlan(JSON.parse(JSON.stringify(compilePolicyPlan(routes)))));
}

/** The policies of both builders for each caller, in the same order: the planner's twice, to check its cache. */
function policies(routes: readonly JwtRouteSettings[], callers: readonly Permissions[]): { before: unknown[]; after: unknown[]; cached: unknown[] } {
  const legacy = new LegacyPolicyTable(routes);
  const planner = planned(routes);
  return {
    before: callers.map((held) => legacy.policyForPrefix(PREFIX, held)),
    after: callers.map((held) => planner.policyForPrefix(PREFIX, held)),
    cached: callers.map((held) => planner.policyForPrefix(PREFIX, held)),
  };
}

/** Each scope and group alone, nothing, everything, and a few mixes. */
function callersOf(routes: readonly JwtRouteSettings[]): Permissions[] {
  const scopes = [...new Set(routes.flatMap((route) => (route.length === 4 ? route[2] : [])))];
  const groups = [...new Set(routes.flatMap((route) => (route.length === 4 ? route[3] : [])))];
  return [
    permissions(),
    permissions(scopes, groups),
    ...scopes.map((scope) => permissions([scope])),
    ...groups.map((group) => permissions([], [group])),
    ...scopes.map((_scope, i) => permissions(scopes.filter((_other, j) => j % 3 === i % 3 || j === i), i % 2 === 0 ? groups : [])),
    permissions(['not-a-scope-of-any-route'], ['nor-a-group']),
  ];
}

test('the 61-route table: the same policy for every caller', () => {
  const routes = table61();
  const { before, after, cached } = policies(routes, callersOf(routes));
  expect(after).toEqual(before);
  expect(cached).toEqual(before);
});

test.each([100, 1000])('a generated table of %i routes: the same policy for every caller', (count) => {
  const routes = generatedRoutes(count);
  const callers = callersOf(routes).slice(0, 40);
  const { before, after } = policies(routes, callers);
  expect(after).toEqual(before);
}, 120_000);

test('tables with a catch-all, ANY routes, greedy routes and shadowed routes: the same policy for every caller', () => {
  const tables: JwtRouteSettings[][] = [
    [['ANY', '/{proxy+}', [], ['admins']], ['GET', '/files', ['files/read'], []], ['GET', '/files/{path+}', ['files/read'], []], ['ANY', '/files/{path+}', ['files/write'], []]],
    [['GET', '/pets/{id}', ['pets/read'], []], ['GET', '/pets/{id}/admin', [], ['admins']], ['GET', '/pets/{id}/{sub}/admin', ['pets/read'], []]],
    [['GET', '/', ['root'], []], ['POST', '/', [], ['admins']], ['ANY', '/{proxy+}', ['all'], []], ['GET', '/status']],
    [['ANY', '/orders', ['orders/admin'], []], ['GET', '/orders', ['orders/read'], []], ['ANY', '/orders/{orderId}', ['orders/admin'], []], ['GET', '/shops/{shopId}/orders', ['shops/read'], []]],
    [['GET', '/reports', ['reports'], []], ['GET', '/reports/daily', ['reports'], []], ['GET', '/reports/weekly', ['reports'], []], ['GET', '/reports/public']],
  ];
  for (const routes of tables) {
    const { before, after } = policies(routes, callersOf(routes));
    expect(after).toEqual(before);
  }
});

const ALPHABET = ['a', 'b', 'c'];
const SCOPES = ['s1', 's2', 's3'];
const GROUPS = ['g1', 'g2'];

const routeArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'ANY'),
  segments: fc.array(fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ALPHABET) },
    { weight: 2, arbitrary: fc.constant('{param}') },
    { weight: 1, arbitrary: fc.constant('{greedy+}') },
  ), { maxLength: 4 }),
  guarded: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.tuple(fc.subarray(SCOPES), fc.subarray(GROUPS)) }),
});

/** Route tables API Gateway would accept: parameters named after their depth, conflicts dropped. */
const tableArb = fc.array(routeArb, { minLength: 1, maxLength: 10 }).map((drafts) => {
  const conflicts = new RouteConflicts();
  const routes: JwtRouteSettings[] = [];
  for (const { method, segments, guarded } of drafts) {
    const greedyAt = segments.findIndex((segment) => segment.endsWith('+}'));
    const kept = greedyAt >= 0 ? segments.slice(0, greedyAt + 1) : segments;
    const path = `/${kept.map((segment, depth) => segment.replace(/^\{(param|greedy)/, `{p${depth}`)).join('/')}`;
    try {
      conflicts.add(parseRoute(method, path));
    } catch (error) {
      if (error instanceof RouteConflictError) {
        continue;
      }
      throw error;
    }
    routes.push(guarded ? [method, path, guarded[0], guarded[1]] : [method, path]);
  }
  return routes;
});

test('random route tables: the same policy for every caller', () => {
  fc.assert(fc.property(tableArb, fc.array(fc.tuple(fc.subarray(SCOPES), fc.subarray(GROUPS)), { minLength: 1, maxLength: 6 }), (routes, held) => {
    const { before, after, cached } = policies(routes, held.map(([scopes, groups]) => permissions(scopes, groups)));
    expect(after).toEqual(before);
    expect(cached).toEqual(before);
  }), { seed: 20261203, numRuns: 400 });
});

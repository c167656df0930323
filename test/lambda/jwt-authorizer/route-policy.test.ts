/**
 * The policy an authorizer returns for a caller, checked against an independent IAM evaluator
 * (`policyAllows`) on concrete requests worked out by hand with API Gateway's route precedence:
 * static segments before `{param}` before `{param+}`, a method before `ANY`.
 *
 * The hand-listed requests avoid the two cases whose routing in a REST API is not certain (a request
 * whose most specific resource lacks its method, and a request that only a route outside the most
 * specific branch of the resource tree matches), except where a test says otherwise.
 */
import type { JwtRouteSettings } from '../../../lambda/shared/constants';
import type { Permissions } from '../../../lambda/jwt-authorizer/claims';
import { UnauthorizedError } from '../../../lambda/jwt-authorizer/errors';
import type { CallerPolicy } from '../../../lambda/jwt-authorizer/route-policy';
import type { PolicyRoute as Route } from '../../../lambda/shared/routes';
import { CompiledRouteTable as RouteTable } from './compiled-table';
import { errorOf } from '../../helpers/errors';
import { policyAllows } from './policy-oracle';
import { table61 } from '../../support/route-tables';

const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1';

/** The methodArn of a request written `GET /pets/7`. */
function arnOf(request: string, prefix = ARN): string {
  const [method, path] = request.split(' ');
  return `${prefix}/${method}${path}`;
}

function permissions(scopes: readonly string[] = [], groups: readonly string[] = []): Permissions {
  return { scopes: new Set(scopes), groups: new Set(groups) };
}

function allows(policy: CallerPolicy, request: string, prefix = ARN): boolean {
  return policyAllows(policy.policyDocument, arnOf(request, prefix));
}

/** The resources of a policy's statements of one effect, without the shared prefix. */
function resources(policy: CallerPolicy, effect: 'Allow' | 'Deny', prefix = ARN): string[] {
  return policy.policyDocument.Statement
    .filter((statement) => statement.Effect === effect)
    .flatMap((statement) => statement.Resource)
    .map((resource) => {
      expect(resource.startsWith(`${prefix}/`)).toBe(true);
      return resource.slice(prefix.length + 1);
    });
}

function routeOf(table: RouteTable, key: string): Route {
  const route = table.routes.find((candidate) => candidate.key === key);
  if (!route) {
    throw new Error(`no route ${key}`);
  }
  return route;
}

/** Every combination of the scopes and groups the table's guarded routes name, the empty one included. */
function permissionSets(settings: readonly JwtRouteSettings[]): Array<{ readonly label: string; readonly permissions: Permissions }> {
  const scopes = [...new Set(settings.flatMap((setting) => (setting.length === 4 ? setting[2] : [])))];
  const groups = [...new Set(settings.flatMap((setting) => (setting.length === 4 ? setting[3] : [])))];
  const names = [...scopes.map((name) => ({ kind: 'scope', name })), ...groups.map((name) => ({ kind: 'group', name }))];
  return Array.from({ length: 2 ** names.length }, (_, mask) => {
    const held = names.filter((_name, i) => (mask >> i) & 1);
    return {
      label: held.map(({ kind, name }) => `${kind} ${name}`).join(', ') || 'nothing',
      permissions: permissions(held.filter(({ kind }) => kind === 'scope').map(({ name }) => name), held.filter(({ kind }) => kind === 'group').map(({ name }) => name)),
    };
  });
}

interface TableCase {
  readonly name: string;
  readonly routes: readonly JwtRouteSettings[];
  /** For every guarded route, concrete requests API Gateway sends to it. */
  readonly requests: Readonly<Record<string, readonly string[]>>;
}

/**
 * Route tables where no Deny overlaps an allowed route, so for every caller and every request of a
 * guarded route the policy allows the request exactly when the caller may call the route.
 */
const TABLES: readonly TableCase[] = [
  {
    name: 'the pets API (reads, writes, an admin route under a read path)',
    routes: [
      ['GET', '/health'],
      ['GET', '/pets', ['pets/read'], []],
      ['GET', '/pets/{petId}', ['pets/read'], []],
      ['POST', '/pets', ['pets/write'], []],
      ['GET', '/pets/{petId}/admin', [], ['admins']],
      ['DELETE', '/pets/{petId}', ['pets/write'], ['admins']],
      ['GET', '/me', [], []],
    ],
    requests: {
      'GET /pets': ['GET /pets'],
      'GET /pets/{petId}': ['GET /pets/7', 'GET /pets/admin', 'GET /pets/pets', 'GET /pets/me'],
      'POST /pets': ['POST /pets'],
      'GET /pets/{petId}/admin': ['GET /pets/7/admin', 'GET /pets/admin/admin'],
      'DELETE /pets/{petId}': ['DELETE /pets/7', 'DELETE /pets/admin'],
      'GET /me': ['GET /me'],
    },
  },
  {
    name: 'static and parameter siblings (/users/me next to /users/{userId})',
    routes: [
      ['GET', '/users/me', ['profile'], []],
      ['GET', '/users/{userId}', ['users/read'], []],
      ['PUT', '/users/{userId}', ['users/write'], []],
      ['GET', '/users/{userId}/settings', ['profile'], []],
      ['GET', '/users/me/avatar', ['users/read'], []],
    ],
    requests: {
      'GET /users/me': ['GET /users/me'],
      'GET /users/{userId}': ['GET /users/42', 'GET /users/settings', 'GET /users/users', 'GET /users/me2'],
      'PUT /users/{userId}': ['PUT /users/42', 'PUT /users/settings'],
      'GET /users/{userId}/settings': ['GET /users/42/settings', 'GET /users/settings/settings', 'GET /users/you/settings'],
      'GET /users/me/avatar': ['GET /users/me/avatar'],
    },
  },
  {
    name: 'nested admin routes under a parameter',
    routes: [
      ['GET', '/pets/{id}', ['pets/read'], []],
      ['GET', '/pets/{id}/admin', [], ['admins']],
      ['POST', '/pets/{id}/admin', [], ['admins']],
      ['GET', '/pets/{id}/photos', ['pets/read'], []],
      ['GET', '/pets/{id}/admin/audit', ['audit'], ['admins']],
    ],
    requests: {
      'GET /pets/{id}': ['GET /pets/7', 'GET /pets/admin', 'GET /pets/photos'],
      'GET /pets/{id}/admin': ['GET /pets/7/admin', 'GET /pets/photos/admin'],
      'POST /pets/{id}/admin': ['POST /pets/7/admin'],
      'GET /pets/{id}/photos': ['GET /pets/7/photos', 'GET /pets/admin/photos'],
      'GET /pets/{id}/admin/audit': ['GET /pets/7/admin/audit', 'GET /pets/admin/admin/audit'],
    },
  },
  {
    name: 'ANY routes next to specific methods on the same paths',
    routes: [
      ['ANY', '/orders', ['orders/admin'], []],
      ['GET', '/orders', ['orders/read'], []],
      ['POST', '/orders', ['orders/write'], []],
      ['ANY', '/orders/{orderId}', ['orders/admin'], []],
      ['GET', '/orders/{orderId}', ['orders/read'], []],
    ],
    requests: {
      'ANY /orders': ['PUT /orders', 'DELETE /orders', 'PATCH /orders', 'HEAD /orders', 'OPTIONS /orders'],
      'GET /orders': ['GET /orders'],
      'POST /orders': ['POST /orders'],
      'ANY /orders/{orderId}': ['POST /orders/1', 'PUT /orders/1', 'DELETE /orders/1', 'PATCH /orders/1', 'HEAD /orders/1', 'OPTIONS /orders/orders'],
      'GET /orders/{orderId}': ['GET /orders/1', 'GET /orders/orders'],
    },
  },
  {
    name: 'greedy {proxy+} routes, with a catch-all',
    routes: [
      ['ANY', '/{proxy+}', [], ['admins']],
      ['GET', '/files', ['files/read'], []],
      ['GET', '/files/{path+}', ['files/read'], []],
      ['PUT', '/files/{path+}', ['files/write'], []],
      ['ANY', '/public/{proxy+}'],
    ],
    requests: {
      'ANY /{proxy+}': ['GET /other', 'GET /a/b/c/d', 'PATCH /x/y', 'GET /filesx', 'DELETE /file/s', 'POST /x/files', 'GET /x/files/y'],
      'GET /files': ['GET /files'],
      'GET /files/{path+}': ['GET /files/a', 'GET /files/a/b/c', 'GET /files/files/files'],
      'PUT /files/{path+}': ['PUT /files/a', 'PUT /files/a/b/c/d/e'],
    },
  },
  {
    name: 'the root / next to a catch-all',
    routes: [
      ['GET', '/', ['root'], []],
      ['POST', '/', [], ['admins']],
      ['ANY', '/{proxy+}', ['all'], []],
      ['GET', '/status'],
    ],
    requests: {
      'GET /': ['GET /'],
      'POST /': ['POST /'],
      'ANY /{proxy+}': ['GET /x', 'DELETE /a/b', 'GET /statusx', 'POST /x/y/z'],
    },
  },
  {
    name: 'routes of other authorizations mixed in',
    routes: [
      ['GET', '/health'],
      ['GET', '/pets'],
      ['POST', '/pets', ['pets/write'], []],
      ['GET', '/pets/{id}', ['pets/read'], []],
      ['GET', '/pets/{id}/public'],
      ['DELETE', '/pets/{id}', [], ['admins']],
      ['ANY', '/internal/{proxy+}'],
    ],
    requests: {
      'POST /pets': ['POST /pets'],
      'GET /pets/{id}': ['GET /pets/7', 'GET /pets/public', 'GET /pets/internal'],
      'DELETE /pets/{id}': ['DELETE /pets/7'],
    },
  },
];

describe('RouteTable.policyFor: the policy allows exactly the routes the caller may call', () => {
  describe.each(TABLES)('$name', ({ routes, requests }) => {
    const table = new RouteTable(routes);
    const guarded = table.routes.filter((route) => route.guarded);

    test('the test lists requests for every guarded route and only for those', () => {
      expect(Object.keys(requests).sort()).toEqual(guarded.map((route) => route.key).sort());
    });

    test.each(permissionSets(routes))('a caller holding $label', ({ permissions: held }) => {
      const policy = table.policyFor(arnOf('GET /'), held);
      expect(policy.shadowed).toEqual([]);
      expect(policy.allowed).toEqual(guarded.filter((route) => RouteTable.permits(route, held)).map((route) => route.key));
      const decisions = Object.entries(requests).flatMap(([key, concrete]) =>
        concrete.map((request) => ({ request, route: key, allowed: allows(policy, request) })));
      const expected = Object.entries(requests).flatMap(([key, concrete]) =>
        concrete.map((request) => ({ request, route: key, allowed: RouteTable.permits(routeOf(table, key), held) })));
      expect(decisions).toEqual(expected);
      // API Gateway routes `GET /pets/7/` like `GET /pets/7`: that form never gets more than its route allows.
      const overPermitted = Object.entries(requests).flatMap(([key, concrete]) => concrete
        .filter((request) => !request.endsWith('/') && allows(policy, `${request}/`) && !RouteTable.permits(routeOf(table, key), held))
        .map((request) => `${request}/`));
      expect(overPermitted).toEqual([]);
    });

    test('routes of other authorizations are never in the policy', () => {
      const unguarded = table.routes.filter((route) => !route.guarded).map((route) => route.arnPattern);
      for (const { permissions: held } of permissionSets(routes)) {
        const patterns = [...resources(table.policyFor(arnOf('GET /'), held), 'Allow'), ...resources(table.policyFor(arnOf('GET /'), held), 'Deny')];
        for (const pattern of unguarded) {
          expect(patterns).not.toContain(pattern);
        }
      }
    });
  });
});

describe('RouteTable.policyFor: statements', () => {
  const pets = new RouteTable(TABLES[0].routes);

  test('a reader gets an Allow for the routes it may call and a Deny for the admin route an allowed ARN reaches', () => {
    const policy = pets.policyFor(arnOf('GET /pets'), permissions(['pets/read']));
    expect(policy.policyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${ARN}/GET/pets`, `${ARN}/GET/pets/*`, `${ARN}/GET/me`] },
        // Every path below GET /pets/{petId} (the admin route, and any route added there later while
        // this policy is cached): nothing below it is a route the reader may call.
        { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${ARN}/GET/pets/*/*`] },
      ],
    });
    expect(policy.allowed).toEqual(['GET /pets', 'GET /pets/{petId}', 'GET /me']);
    expect(allows(policy, 'GET /pets/1/admin/')).toBe(false);
  });

  test('a caller who may call every route: `GET/pets/*` contains the admin route\'s pattern, and a Deny only below DELETE /pets/{petId}', () => {
    const policy = pets.policyFor(arnOf('GET /pets'), permissions(['pets/read', 'pets/write'], ['admins']));
    expect(resources(policy, 'Allow')).toEqual(['GET/pets', 'GET/pets/*', 'POST/pets', 'DELETE/pets/*', 'GET/me']);
    expect(resources(policy, 'Deny')).toEqual(['DELETE/pets/*/*']);
  });

  test('routes sharing an ARN pattern are listed once', () => {
    const table = new RouteTable([['GET', '/a/{x}', ['s'], []], ['GET', '/a/{x}/b', ['s'], []], ['GET', '/a/{x}/c', [], ['g']], ['GET', '/b/{x}/c', [], ['g']]]);
    const policy = table.policyFor(arnOf('GET /a/1'), permissions(['s']));
    // `GET/a/*` contains `GET/a/*/b`.
    expect(resources(policy, 'Allow')).toEqual(['GET/a/*']);
    expect(resources(policy, 'Deny')).toEqual(['GET/a/*/c', 'GET/a/*/c/']);
  });

  test('the policy is the same whichever route the methodArn names (API Gateway caches it per token)', () => {
    const held = permissions(['pets/read']);
    const fromList = pets.policyFor(arnOf('GET /pets'), held);
    for (const request of ['GET /pets/7', 'POST /pets', 'DELETE /pets/7', 'GET /pets/7/admin', 'GET /nowhere/at/all', 'GET /']) {
      expect(pets.policyFor(arnOf(request), held)).toEqual(fromList);
    }
  });

  test('a second RouteTable built from the same settings gives the same policy as the first (no state leaks between callers)', () => {
    const table = new RouteTable(TABLES[0].routes);
    for (const { permissions: held } of permissionSets(TABLES[0].routes)) {
      expect(table.policyFor(arnOf('GET /'), held)).toEqual(pets.policyFor(arnOf('GET /'), held));
    }
  });
});

describe('grouping: one pattern for a subtree the caller may call entirely', () => {
  const REPORTS: JwtRouteSettings[] = [
    ['GET', '/reports', ['reports'], []],
    ['GET', '/reports/daily', ['reports'], []],
    ['GET', '/reports/weekly', ['reports'], []],
    ['GET', '/reports/monthly', ['reports'], []],
  ];

  test('GET/reports/* stands for the three routes below /reports', () => {
    const policy = new RouteTable(REPORTS).policyFor(arnOf('GET /reports'), permissions(['reports']));
    expect(policy.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${ARN}/GET/reports`, `${ARN}/GET/reports/*`] }]);
    expect(policy.allowed).toHaveLength(4);
  });

  test.each([
    ['a stricter route below', ['GET', '/reports/audit', [], ['auditors']] as JwtRouteSettings],
    ['a route of another authorization below (its authorization may change while the policy is cached)', ['GET', '/reports/public'] as JwtRouteSettings],
    ['a parent route the caller may not call, which `GET/reports/` reaches', ['GET', '/reports', ['admin'], []] as JwtRouteSettings],
  ])('no group with %s', (_name, extra) => {
    const routes = [...REPORTS.filter(([, path]) => path !== extra[1]), extra];
    const policy = new RouteTable(routes).policyFor(arnOf('GET /reports'), permissions(['reports']));
    expect(resources(policy, 'Allow')).not.toContain('GET/reports/*');
    expect(resources(policy, 'Allow')).toEqual(expect.arrayContaining(['GET/reports/daily', 'GET/reports/weekly', 'GET/reports/monthly']));
  });

  test('no group of one method stands for another method\'s routes', () => {
    const policy = new RouteTable([...REPORTS, ['DELETE', '/reports/daily', ['reports'], []]]).policyFor(arnOf('GET /reports'), permissions(['reports']));
    expect(resources(policy, 'Allow')).toEqual(['GET/reports', 'GET/reports/*', 'DELETE/reports/daily']);
  });
});

// Issue 14, item 2: API Gateway caches a policy per token until its TTL ends, and applies it to
// routes deployed meanwhile. `GET/orders/*` alone would let a reader into a stricter route added
// later below GET /orders/{id}.
describe('fail closed below parameterised routes', () => {
  const READER = permissions(['orders:read']);

  test('a reader of GET /orders/{id} gets a Deny for every path below it, so a route added there later is refused by the cached policy', () => {
    const policy = new RouteTable([['GET', '/orders/{id}', ['orders:read'], []]]).policyFor(arnOf('GET /orders/1'), READER);
    expect(resources(policy, 'Allow')).toEqual(['GET/orders/*']);
    expect(resources(policy, 'Deny')).toEqual(['GET/orders/*/*']);
    expect(allows(policy, 'GET /orders/7')).toBe(true);
    // GET /orders/{id}/admin, added after the policy was cached.
    expect(allows(policy, 'GET /orders/7/admin')).toBe(false);
    expect(allows(policy, 'GET /orders/7/a/b')).toBe(false);
  });

  test('no Deny below a route when the caller may call a route there: the Deny would refuse it', () => {
    const table = new RouteTable([['GET', '/orders/{id}', ['orders:read'], []], ['GET', '/orders/{id}/items', ['orders:read'], []], ['GET', '/orders/{id}/admin', [], ['admins']]]);
    const policy = table.policyFor(arnOf('GET /orders/1'), READER);
    expect(resources(policy, 'Deny')).toEqual(['GET/orders/*/admin', 'GET/orders/*/admin/']);
    expect(['GET /orders/7', 'GET /orders/7/items', 'GET /orders/7/admin'].map((request) => allows(policy, request))).toEqual([true, true, false]);
    // Below a route that ends in a static segment there is no such Deny: a route added later at
    // GET /orders/{id}/items/{itemId} would be reached by `GET/orders/*` until the policy expires.
    expect(allows(policy, 'GET /orders/7/items/x')).toBe(true);
  });

  test('a greedy route covers the paths below it by design: no Deny', () => {
    const policy = new RouteTable([['GET', '/files/{path+}', ['files:read'], []]]).policyFor(arnOf('GET /files/a'), permissions(['files:read']));
    expect(policy.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${ARN}/GET/files/*`] }]);
  });
});

describe('static and parameter siblings', () => {
  const table = new RouteTable(TABLES[1].routes);

  test('GET /users/me allowed and GET /users/{userId} denied: the narrow Allow reaches no sibling, so no Deny', () => {
    const policy = table.policyFor(arnOf('GET /users/me'), permissions(['profile']));
    expect(allows(policy, 'GET /users/me')).toBe(true);
    expect(allows(policy, 'GET /users/42')).toBe(false);
    expect(resources(policy, 'Allow')).toEqual(['GET/users/me', 'GET/users/*/settings']);
    expect(resources(policy, 'Deny')).toEqual([]);
  });

  test('GET /users/{userId} allowed and GET /users/me denied: the Allow for users/* needs a Deny for users/me', () => {
    const policy = table.policyFor(arnOf('GET /users/42'), permissions(['users/read']));
    expect(allows(policy, 'GET /users/42')).toBe(true);
    expect(allows(policy, 'GET /users/me')).toBe(false);
    // `GET/users/*` contains `GET/users/me/avatar`.
    expect(resources(policy, 'Allow')).toEqual(['GET/users/*']);
    // `GET/users/*` also matches `GET/users/42/settings`, which needs profile.
    expect(resources(policy, 'Deny')).toEqual(['GET/users/me', 'GET/users/me/', 'GET/users/*/settings', 'GET/users/*/settings/']);
    expect(allows(policy, 'GET /users/42/settings')).toBe(false);
    expect(allows(policy, 'GET /users/me/avatar')).toBe(true);
  });

  test('a Deny is not added for a sibling only a static Allow could reach', () => {
    const policy = new RouteTable([['GET', '/users/me', ['profile'], []], ['GET', '/users/{userId}', ['users/read'], []]])
      .policyFor(arnOf('GET /users/me'), permissions(['profile']));
    expect(policy.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${ARN}/GET/users/me`] }]);
  });
});

describe('ANY routes', () => {
  const table = new RouteTable(TABLES[3].routes);

  test('an ANY route allowed and the GET route on the same path denied: Deny for the GET pattern only', () => {
    const policy = table.policyFor(arnOf('PUT /orders'), permissions(['orders/admin']));
    expect(resources(policy, 'Allow')).toEqual(['*/orders', '*/orders/*']);
    // `GET/orders/*` contains `GET/orders/`; below ANY /orders/{orderId} nothing is a route.
    expect(resources(policy, 'Deny')).toEqual(['GET/orders', 'POST/orders', 'POST/orders/', 'GET/orders/*', '*/orders/*/*']);
    expect(allows(policy, 'DELETE /orders/9')).toBe(true);
    expect(allows(policy, 'GET /orders/9')).toBe(false);
  });

  test('the GET route allowed and the ANY route on the same path denied: other methods are refused without a Deny', () => {
    const policy = table.policyFor(arnOf('GET /orders'), permissions(['orders/read']));
    expect(policy.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${ARN}/GET/orders`, `${ARN}/GET/orders/*`] },
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${ARN}/GET/orders/*/*`] },
    ]);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
      expect(allows(policy, `${method} /orders/1`)).toBe(false);
    }
  });

  test('an ANY pattern\'s leading * spans path segments: `*/orders` matches `GET /shops/1/orders`, so a route there is denied', () => {
    const policy = new RouteTable([['ANY', '/orders', ['orders/admin'], []], ['GET', '/shops/{shopId}/orders', ['shops/read'], []]])
      .policyFor(arnOf('GET /orders'), permissions(['orders/admin']));
    expect(resources(policy, 'Deny')).toEqual(['GET/shops/*/orders', 'GET/shops/*/orders/']);
    expect(allows(policy, 'GET /shops/1/orders')).toBe(false);
    expect(allows(policy, 'POST /orders')).toBe(true);
  });
});

describe('greedy routes and the root', () => {
  test('a catch-all allowed: the routes it overlaps are denied, by method', () => {
    const table = new RouteTable(TABLES[4].routes);
    const policy = table.policyFor(arnOf('GET /x'), permissions([], ['admins']));
    expect(resources(policy, 'Allow')).toEqual(['*/*']);
    expect(resources(policy, 'Deny')).toEqual(['GET/files', 'GET/files/*', 'PUT/files/*']);
    expect(allows(policy, 'GET /files/a/b')).toBe(false);
    expect(allows(policy, 'PUT /files/a')).toBe(false);
    expect(allows(policy, 'GET /anything/else')).toBe(true);
  });

  test('the root is `METHOD/` in ARNs and a catch-all Allow reaches it', () => {
    const table = new RouteTable(TABLES[5].routes);
    const policy = table.policyFor(arnOf('GET /x'), permissions(['all']));
    expect(resources(policy, 'Allow')).toEqual(['*/*']);
    expect(resources(policy, 'Deny')).toEqual(['GET/', 'POST/']);
    expect(allows(policy, 'GET /')).toBe(false);
    expect(allows(policy, 'GET /x')).toBe(true);
  });

  test('an Allow for the root alone reaches nothing else', () => {
    const table = new RouteTable(TABLES[5].routes);
    const policy = table.policyFor(arnOf('GET /'), permissions(['root']));
    expect(policy.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${ARN}/GET/`] }]);
  });
});

describe('callers with no permissions', () => {
  const DENY_ALL = [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${ARN}/*`] }];

  test('a caller who may call no route gets an explicit Deny of every route of the stage', () => {
    const table = new RouteTable([['GET', '/pets', ['pets/read'], []], ['POST', '/pets', [], ['admins']], ['GET', '/health']]);
    const policy = table.policyFor(arnOf('GET /pets'), permissions());
    expect(policy.policyDocument.Statement).toEqual(DENY_ALL);
    expect(policy.allowed).toEqual([]);
    expect(allows(policy, 'GET /pets')).toBe(false);
  });

  test('scopes and groups that no route names change nothing', () => {
    const table = new RouteTable([['GET', '/pets', ['pets/read'], []]]);
    expect(table.policyFor(arnOf('GET /pets'), permissions(['pets/write', 'Pets/Read'], ['pets/read'])).policyDocument.Statement).toEqual(DENY_ALL);
  });

  test('a table without routes of this authorizer, and an empty table, deny everything', () => {
    expect(new RouteTable([['GET', '/health']]).policyFor(arnOf('GET /health'), permissions(['x'])).policyDocument.Statement).toEqual(DENY_ALL);
    expect(new RouteTable([]).policyFor(arnOf('GET /'), permissions()).policyDocument.Statement).toEqual(DENY_ALL);
  });

  test('a caller with no permissions still gets the routes that require none', () => {
    const policy = new RouteTable(TABLES[0].routes).policyFor(arnOf('GET /me'), permissions());
    expect(policy.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${ARN}/GET/me`] }]);
  });

  test('a route needs one of its scopes and one of its groups', () => {
    const route = new RouteTable([['GET', '/x', ['a', 'b'], ['g', 'h']]]).routes[0];
    expect(RouteTable.permits(route, permissions(['b'], ['h']))).toBe(true);
    expect(RouteTable.permits(route, permissions(['a', 'b'], []))).toBe(false);
    expect(RouteTable.permits(route, permissions([], ['g']))).toBe(false);
    expect(RouteTable.permits(route, permissions(['A'], ['G']))).toBe(false);
  });
});

describe('the methodArn', () => {
  const table = new RouteTable(TABLES[0].routes);

  test.each([
    ['another account, region, API and stage', 'arn:aws:execute-api:us-east-1:999999999999:zz9xy8/prod'],
    ['the China partition', 'arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/v1'],
    ['the GovCloud partition and a stage with _ and -', 'arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:abc123/my_stage-2'],
  ])('the prefix of every statement comes from the event: %s', (_name, prefix) => {
    const policy = table.policyFor(`${prefix}/DELETE/pets/7`, permissions(['pets/read']));
    const all = policy.policyDocument.Statement.flatMap((statement) => statement.Resource);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((resource) => resource.startsWith(`${prefix}/`))).toBe(true);
    expect(allows(policy, 'GET /pets/7', prefix)).toBe(true);
    expect(allows(policy, 'GET /pets/7')).toBe(false);
  });

  test('the prefix of the Deny-all statement comes from the event too', () => {
    const prefix = 'arn:aws:execute-api:ap-southeast-2:111122223333:q1w2e3/stage';
    expect(new RouteTable([['GET', '/pets', ['pets/read'], []]]).policyFor(`${prefix}/GET/pets`, permissions()).policyDocument.Statement)
      .toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${prefix}/*`] }]);
  });

  test.each([
    ['empty', ''],
    ['undefined, as String(undefined)', 'undefined'],
    ['not execute-api', 'arn:aws:s3:::bucket/GET/pets'],
    ['no method part', ARN],
    ['no slash after the method', `${ARN}/GET`],
    ['a lower-case method', `${ARN}/get/pets`],
    ['an account id that is not 12 digits', 'arn:aws:execute-api:eu-west-1:12345:abc123/v1/GET/pets'],
    ['a wildcard region', 'arn:aws:execute-api:*:123456789012:abc123/v1/GET/pets'],
    ['a wildcard account', 'arn:aws:execute-api:eu-west-1:*:abc123/v1/GET/pets'],
    ['a wildcard API id', 'arn:aws:execute-api:eu-west-1:123456789012:*/v1/GET/pets'],
    ['a wildcard stage', 'arn:aws:execute-api:eu-west-1:123456789012:abc123/*/GET/pets'],
    ['leading text', ` ${ARN}/GET/pets`],
    ['another partition name', 'arn:gcp:execute-api:eu-west-1:123456789012:abc123/v1/GET/pets'],
  ])('a methodArn that is %s is refused with reason bad-method-arn', (_name, methodArn) => {
    const error = errorOf(UnauthorizedError, () => table.policyFor(methodArn, permissions(['pets/read'])));
    expect(error.reason).toBe('bad-method-arn');
    expect(error.message).toBe('the methodArn is not an execute-api method ARN');
  });
});

describe('shadowed routes: a Deny that must stay also refuses an allowed route (fail closed)', () => {
  test('allowed GET /pets/{id} and GET /pets/{id}/{sub}/admin, denied GET /pets/{id}/admin: the Deny `GET/pets/*/admin` shadows the deeper admin route', () => {
    const table = new RouteTable([
      ['GET', '/pets/{id}', ['pets/read'], []],
      ['GET', '/pets/{id}/admin', [], ['admins']],
      ['GET', '/pets/{id}/{sub}/admin', ['pets/read'], []],
    ]);
    const policy = table.policyFor(arnOf('GET /pets/7'), permissions(['pets/read']));
    expect(policy.allowed).toEqual(['GET /pets/{id}', 'GET /pets/{id}/{sub}/admin']);
    expect(policy.shadowed).toEqual(['GET /pets/{id}/{sub}/admin']);
    expect(resources(policy, 'Allow')).toEqual(['GET/pets/*']);
    expect(resources(policy, 'Deny')).toEqual(['GET/pets/*/admin', 'GET/pets/*/admin/']);
    expect(allows(policy, 'GET /pets/7')).toBe(true);
    expect(allows(policy, 'GET /pets/7/admin')).toBe(false);
    // Permitted by the route's requirements, refused by the Deny: deny wins.
    expect(RouteTable.permits(table.routes[2], permissions(['pets/read']))).toBe(true);
    expect(allows(policy, 'GET /pets/7/x/admin')).toBe(false);
  });

  test('the same table: an admin who may call every route has nothing shadowed, an admin without reads gets a Deny that shadows nothing', () => {
    const table = new RouteTable([
      ['GET', '/pets/{id}', ['pets/read'], []],
      ['GET', '/pets/{id}/admin', [], ['admins']],
      ['GET', '/pets/{id}/{sub}/admin', ['pets/read'], []],
    ]);
    const both = table.policyFor(arnOf('GET /pets/7'), permissions(['pets/read'], ['admins']));
    expect(both.shadowed).toEqual([]);
    expect(['GET /pets/7', 'GET /pets/7/admin', 'GET /pets/7/x/admin'].map((request) => allows(both, request))).toEqual([true, true, true]);
    const adminOnly = table.policyFor(arnOf('GET /pets/7'), permissions([], ['admins']));
    expect(adminOnly.shadowed).toEqual([]);
    expect(resources(adminOnly, 'Deny')).toEqual(['GET/pets/*/*/admin', 'GET/pets/*/*/admin/']);
    expect(['GET /pets/7', 'GET /pets/7/admin', 'GET /pets/7/x/admin'].map((request) => allows(adminOnly, request))).toEqual([false, true, false]);
  });

  test('a photo named "admin": the Deny for GET /pets/{id}/admin also matches GET /pets/7/photos/admin', () => {
    const table = new RouteTable([
      ['GET', '/pets/{id}', ['pets/read'], []],
      ['GET', '/pets/{id}/admin', [], ['admins']],
      ['GET', '/pets/{id}/photos/{photoId}', ['photos/read'], []],
    ]);
    const policy = table.policyFor(arnOf('GET /pets/7'), permissions(['pets/read', 'photos/read']));
    expect(policy.shadowed).toEqual(['GET /pets/{id}/photos/{photoId}']);
    expect(allows(policy, 'GET /pets/7/photos/1')).toBe(true);
    expect(allows(policy, 'GET /pets/7/photos/admin')).toBe(false);
    // Without pets/read nothing reaches the admin route, so nothing is shadowed.
    const photosOnly = table.policyFor(arnOf('GET /pets/7'), permissions(['photos/read']));
    expect(photosOnly.shadowed).toEqual([]);
    expect(allows(photosOnly, 'GET /pets/7/photos/admin')).toBe(true);
  });

  test('GET /users/me/settings allowed, GET /users/{userId}/settings denied: the Deny the reader\'s `GET/users/*` needs also matches the static route', () => {
    const table = new RouteTable([
      ['GET', '/users/{userId}', ['users/read'], []],
      ['GET', '/users/{userId}/settings', ['profile'], []],
      ['GET', '/users/me/settings', ['users/read'], []],
    ]);
    const policy = table.policyFor(arnOf('GET /users/42'), permissions(['users/read']));
    expect(resources(policy, 'Deny')).toEqual(['GET/users/*/settings', 'GET/users/*/settings/']);
    expect(policy.shadowed).toEqual(['GET /users/me/settings']);
    expect(allows(policy, 'GET /users/me/settings')).toBe(false);
    expect(allows(policy, 'GET /users/42/settings')).toBe(false);
    expect(allows(policy, 'GET /users/42')).toBe(true);
  });

  // In the module's routing model a request no route of its branch takes falls back to a catch-all
  // at the root (GET /pets/7/x goes to ANY /{proxy+}), so `GET/pets/*` reaches the catch-all. Its
  // own Deny `*/*` would refuse every route; the Deny is narrowed to `GET/pets/*/*` instead.
  test('a catch-all for admins next to a parameter route: a reader who is not an admin keeps its routes, and not the catch-all', () => {
    const table = new RouteTable([
      ['ANY', '/{proxy+}', [], ['admins']],
      ['GET', '/pets', ['pets/read'], []],
      ['GET', '/pets/{id}', ['pets/read'], []],
    ]);
    const policy = table.policyFor(arnOf('GET /pets'), permissions(['pets/read']));
    expect(resources(policy, 'Allow')).toEqual(['GET/pets', 'GET/pets/*']);
    expect(resources(policy, 'Deny')).toEqual(['GET/pets/*/*']);
    expect(policy.shadowed).toEqual([]);
    expect(allows(policy, 'GET /pets')).toBe(true);
    expect(allows(policy, 'GET /pets/7')).toBe(true);
    expect(allows(policy, 'GET /pets/7/x')).toBe(false);
    expect(allows(policy, 'DELETE /pets/7')).toBe(false);
    // Without a parameter route, nothing the reader may call reaches the catch-all.
    const staticOnly = new RouteTable([['ANY', '/{proxy+}', [], ['admins']], ['GET', '/pets', ['pets/read'], []]])
      .policyFor(arnOf('GET /pets'), permissions(['pets/read']));
    expect(staticOnly.shadowed).toEqual([]);
    expect(allows(staticOnly, 'GET /pets')).toBe(true);
  });

  // Fail closed, but at a cost: an ANY route's pattern starts with `*`, which also spans path
  // segments, so `*/files/*` reaches `GET /x/files/y` of the catch-all, whose Deny `*/*` then
  // refuses every route. A writer without the admin group is locked out of the whole API.
  test('an ANY route under a catch-all: a writer who is not an admin is refused everywhere, and every allowed route is reported shadowed', () => {
    const table = new RouteTable([
      ['ANY', '/{proxy+}', [], ['admins']],
      ['GET', '/files', ['files/read'], []],
      ['GET', '/files/{path+}', ['files/read'], []],
      ['ANY', '/files/{path+}', ['files/write'], []],
    ]);
    const policy = table.policyFor(arnOf('PUT /files/a'), permissions(['files/read', 'files/write']));
    expect(resources(policy, 'Allow')).toEqual(['GET/files', '*/files/*']);
    expect(resources(policy, 'Deny')).toEqual(['*/*']);
    expect(policy.shadowed).toEqual(['GET /files', 'GET /files/{path+}', 'ANY /files/{path+}']);
    for (const request of ['GET /files', 'GET /files/a', 'PUT /files/a', 'DELETE /files/a/b']) {
      expect(allows(policy, request)).toBe(false);
    }
    // Never over-permitting: the catch-all itself stays refused.
    expect(allows(policy, 'GET /x/files/y')).toBe(false);
  });

  test('an ANY route under a catch-all: an admin and reader without write cannot GET /files/a', () => {
    const table = new RouteTable([
      ['ANY', '/{proxy+}', [], ['admins']],
      ['GET', '/files', ['files/read'], []],
      ['GET', '/files/{path+}', ['files/read'], []],
      ['ANY', '/files/{path+}', ['files/write'], []],
    ]);
    const policy = table.policyFor(arnOf('GET /files'), permissions(['files/read'], ['admins']));
    expect(resources(policy, 'Deny')).toEqual(['*/files/*']);
    expect(policy.shadowed).toEqual(['ANY /{proxy+}', 'GET /files/{path+}']);
    expect(allows(policy, 'GET /files/a')).toBe(false);
    expect(allows(policy, 'GET /x/files/y')).toBe(false);
    expect(allows(policy, 'GET /files')).toBe(true);
    expect(allows(policy, 'GET /other')).toBe(true);
    expect(allows(policy, 'PUT /files/a')).toBe(false);
  });
});

describe('RouteTable.reaches', () => {
  const table = new RouteTable([
    ['GET', '/pets/{id}', ['r'], []],
    ['GET', '/pets/{id}/admin', [], ['a']],
    ['GET', '/pets/me'],
    ['ANY', '/{proxy+}', [], ['a']],
  ]);
  const [byId, admin, me, proxy] = table.routes;

  test('a parameter pattern reaches a deeper route under it and, through `*`, a static sibling; a static pattern reaches no parameter sibling', () => {
    expect(table.reaches(byId, admin)).toBe(true);
    // `GET/pets/*` matches `GET/pets/me`, which API Gateway routes to GET /pets/me.
    expect(table.reaches(byId, me)).toBe(true);
    expect(table.reaches(me, byId)).toBe(false);
    expect(table.reaches(admin, byId)).toBe(false);
  });

  test('a route reaches itself, and the catch-all reaches everything it could take', () => {
    expect(table.reaches(byId, byId)).toBe(true);
    expect(table.reaches(proxy, byId)).toBe(true);
    expect(table.reaches(byId, proxy)).toBe(true); // GET /pets/7/x/y
  });
});

// A greedy parameter is tried up to one segment deeper than the deepest route: when a route of
// another authorization takes every shorter request, the ones API Gateway sends to the greedy route
// are longer (`GET /pets/7/a/b` goes to `ANY /{proxy+}`, admins only), and must still be found.
test('a reader does not reach an admin catch-all through a deep path when another route takes every shorter path', () => {
  const table = new RouteTable([
    ['GET', '/pets/{petId}', ['pets/read'], []],
    ['GET', '/pets/{petId}/{photo}'],
    ['ANY', '/{proxy+}', [], ['admins']],
  ]);
  const policy = table.policyFor(arnOf('GET /pets/7'), permissions(['pets/read']));
  expect(allows(policy, 'GET /pets/7')).toBe(true);
  // GET /pets/7/a/b matches neither /pets/{petId} nor /pets/{petId}/{photo}: it goes to ANY /{proxy+}.
  expect(RouteTable.permits(table.routes[2], permissions(['pets/read']))).toBe(false);
  expect(allows(policy, 'GET /pets/7/a/b')).toBe(false);
});

// Its timing is a bench figure (bench/authorizer.ts, figure e), not an assertion: wall-clock limits fail under load.
test('a table of 61 routes gives 8 callers policies that never over-permit', () => {
  const routes = table61();
  const requests: Array<[request: string, route: string]> = [['GET /elsewhere', 'ANY /{proxy+}'], ['PATCH /x/y/z', 'ANY /{proxy+}']];
  for (let i = 0; i < 10; i++) {
    requests.push(
      [`GET /r${i}`, `GET /r${i}`], [`POST /r${i}`, `POST /r${i}`], [`GET /r${i}/1`, `GET /r${i}/{id}`],
      [`PUT /r${i}/1`, `PUT /r${i}/{id}`], [`DELETE /r${i}/1`, `DELETE /r${i}/{id}`], [`GET /r${i}/1/admin`, `GET /r${i}/{id}/admin`],
    );
  }
  expect(routes).toHaveLength(61);
  const callers = [
    permissions(), permissions(['r0/read']), permissions(['r1/read', 'r1/write']), permissions([], ['admins']),
    permissions(['r0/write', 'r1/write', 'r2/write', 'r3/write', 'r4/write']), permissions(['r9/write'], ['admins']),
    permissions(Array.from({ length: 10 }, (_, i) => `r${i}/read`)), permissions(Array.from({ length: 10 }, (_, i) => [`r${i}/read`, `r${i}/write`]).flat(), ['admins']),
  ];
  const table = new RouteTable(routes);
  const policies = callers.map((held) => table.policyFor(arnOf('GET /r0'), held));
  callers.forEach((held, i) => {
    for (const [request, key] of requests) {
      const permitted = RouteTable.permits(routeOf(table, key), held);
      const allowed = allows(policies[i], request);
      // Never more than the route permits; exactly that unless the route is reported shadowed.
      expect({ request, allowed: allowed && !permitted }).toEqual({ request, allowed: false });
      if (permitted && !policies[i].shadowed.includes(key)) {
        expect({ request, allowed }).toEqual({ request, allowed: true });
      }
    }
  });
  // `PUT/r3/*` reaches the catch-all (PUT /r3/1/x): the Deny is narrowed to `PUT/r3/*/*`, so a
  // writer who is not an admin keeps every route it may call and still cannot reach the catch-all.
  expect(policies[4].shadowed).toEqual([]);
  expect(allows(policies[4], 'PUT /r3/1')).toBe(true);
  expect(allows(policies[4], 'PUT /r3/1/x')).toBe(false);
  // The admin may call the catch-all, whose Allow `*/*` needs a Deny for every read route, and
  // `GET/rN/*` also matches `GET /rN/1/admin` and `GET /rN/1/x/y` (the catch-all): both are shadowed.
  expect(policies[3].shadowed).toEqual(['ANY /{proxy+}', ...Array.from({ length: 10 }, (_, i) => `GET /r${i}/{id}/admin`)]);
  expect(allows(policies[3], 'GET /elsewhere')).toBe(true);
  expect(allows(policies[3], 'GET /r5/1/admin')).toBe(false);
});

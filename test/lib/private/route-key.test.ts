import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { HTTP_METHODS } from '../../../lambda/shared/constants';
import { HttpMethod } from '../../../lib';
import { BODY_METHODS, ParsedRoute, ROUTE_METHODS, RouteTable, parseRouteKey } from '../../../lib/private/route-key';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf, newScope } from '../../helpers/errors';

const validationErrorOf = (fn: () => unknown) => errorOf(ValidationError, fn);

describe('parseRouteKey', () => {
  describe('valid keys', () => {
    test('parses a literal path into method, path and segments', () => {
      expect(parseRouteKey(newScope(), 'GET /pets')).toEqual({
        key: 'GET /pets',
        method: 'GET',
        path: '/pets',
        segments: [{ kind: 'static', name: 'pets', text: 'pets' }],
        pathParameters: [],
        arnPattern: 'GET/pets',
      });
    });

    test('parses the root path with no segments', () => {
      expect(parseRouteKey(newScope(), 'GET /')).toEqual({ key: 'GET /', method: 'GET', path: '/', segments: [], pathParameters: [], arnPattern: 'GET/' });
    });

    test('collects the names of path parameters without braces', () => {
      const route = parseRouteKey(newScope(), 'PUT /pets/{petId}/toys/{toy_id2}');
      expect(route.segments.map((segment) => [segment.kind, segment.text])).toEqual([['static', 'pets'], ['param', '{petId}'], ['static', 'toys'], ['param', '{toy_id2}']]);
      expect(route.arnPattern).toBe('PUT/pets/*/toys/*');
      expect(route.pathParameters).toEqual(['petId', 'toy_id2']);
    });

    test('accepts a greedy parameter as the last segment and drops the "+" from its name', () => {
      const route = parseRouteKey(newScope(), 'ANY /files/{proxy+}');
      expect(route.method).toBe('ANY');
      expect(route.segments.map((segment) => [segment.kind, segment.name])).toEqual([['static', 'files'], ['greedy', 'proxy']]);
      expect(route.arnPattern).toBe('*/files/*');
      expect(route.pathParameters).toEqual(['proxy']);
    });

    test('accepts a greedy parameter directly under the root', () => {
      expect(parseRouteKey(newScope(), 'ANY /{proxy+}').pathParameters).toEqual(['proxy']);
    });

    test('accepts every literal character API Gateway allows: letters, digits and . _ - : $', () => {
      expect(parseRouteKey(newScope(), 'GET /v1.0/a_b-c/x:y/$metadata').segments.map((segment) => segment.name)).toEqual(['v1.0', 'a_b-c', 'x:y', '$metadata']);
    });

    test('accepts a parameter name that starts with "_"', () => {
      expect(parseRouteKey(newScope(), 'GET /{_id}').pathParameters).toEqual(['_id']);
    });

    test.each(Object.values(HttpMethod))('accepts the method %s', (method) => {
      expect(parseRouteKey(newScope(), `${method} /pets`).method).toBe(method);
    });

    test('keeps the key as given', () => {
      expect(parseRouteKey(newScope(), 'DELETE /pets/{petId}').key).toBe('DELETE /pets/{petId}');
    });
  });

  describe('errors', () => {
    test('rejects a key with no method, and records the construct path', () => {
      const error = validationErrorOf(() => parseRouteKey(newScope(), '/pets'));
      expect(error.message).toBe("`routeKey` '/pets' must be a method, one space and a path, such as 'GET /pets/{petId}' (at TestStack/Api)");
      expect(error.constructPath).toBe('TestStack/Api');
      expect(error.name).toBe('ValidationError');
    });

    test.each(['GET  /pets', 'GET\t/pets', ' GET /pets', 'GET /pets ', 'GET', '', 'GET /pets extra'])('rejects %p, which is not a method, one space and a path', (key) => {
      expect(() => parseRouteKey(newScope(), key)).toThrow(/must be a method, one space and a path, such as 'GET \/pets\/\{petId\}'/);
    });

    test('rejects a lower-case method and asks for upper case', () => {
      expect(() => parseRouteKey(newScope(), 'get /pets')).toThrow(
        "`routeKey` 'get /pets' has the method 'get'; use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY (upper case) (at TestStack/Api)",
      );
    });

    test('rejects an unknown method', () => {
      expect(() => parseRouteKey(newScope(), 'FETCH /pets')).toThrow(
        "`routeKey` 'FETCH /pets' has the method 'FETCH'; use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY (upper case)",
      );
    });

    test('rejects a path without a leading "/" and shows the fix', () => {
      expect(() => parseRouteKey(newScope(), 'GET pets/{petId}')).toThrow(
        "`routeKey` 'GET pets/{petId}' has a path that does not start with '/': write '/pets/{petId}' (at TestStack/Api)",
      );
    });

    test('rejects a trailing "/" and shows the path without it', () => {
      expect(() => parseRouteKey(newScope(), 'GET /pets/')).toThrow(
        "`routeKey` 'GET /pets/' has a path that ends with '/': remove it, as in '/pets' (at TestStack/Api)",
      );
    });

    test('removes every trailing "/" in the suggested fix', () => {
      expect(() => parseRouteKey(newScope(), 'GET /pets//')).toThrow(/remove it, as in '\/pets'/);
    });

    test('suggests the root path "/" as the fix for the path "//"', () => {
      expect(() => parseRouteKey(newScope(), 'GET //')).toThrow("`routeKey` 'GET //' has a path that ends with '/': remove it, as in '/'");
    });

    test('rejects an empty segment ("//") and shows the path with single slashes', () => {
      expect(() => parseRouteKey(newScope(), 'GET /pets//{petId}')).toThrow(
        "`routeKey` 'GET /pets//{petId}' has an empty path segment ('//'): remove the extra '/', as in '/pets/{petId}' (at TestStack/Api)",
      );
    });

    test('rejects a leading "//"', () => {
      expect(() => parseRouteKey(newScope(), 'GET //pets')).toThrow(/has an empty path segment \('\/\/'\): remove the extra '\/', as in '\/pets'/);
    });

    test.each([
      ['GET /pets/a*b', 'a*b'],
      ['GET /pets?limit=1', 'pets?limit=1'],
      ['GET /pets/caf\u00e9', 'caf\u00e9'],
      ['GET /pets/%20', '%20'],
      ['GET /pets/a+b', 'a+b'],
    ])('rejects %p for the segment %p with characters API Gateway does not allow', (key, segment) => {
      expect(() => parseRouteKey(newScope(), key)).toThrow(
        `\`routeKey\` '${key}' has the path segment '${segment}' with characters API Gateway does not allow: use letters, digits and . _ - : $ (at TestStack/Api)`,
      );
    });

    test.each([
      ['GET /pets/{petId', '{petId'],
      ['GET /pets/petId}', 'petId}'],
      ['GET /pets/pet{Id}', 'pet{Id}'],
      ['GET /pets/{petId}.json', '{petId}.json'],
      ['GET /pets/{}', '{}'],
      ['GET /pets/{1pet}', '{1pet}'],
      ['GET /pets/{pet-id}', '{pet-id}'],
      ['GET /pets/{+}', '{+}'],
      ['GET /pets/{{petId}}', '{{petId}}'],
      ['GET /pets/{petId++}', '{petId++}'],
    ])('rejects %p for the malformed parameter %p', (key, segment) => {
      expect(() => parseRouteKey(newScope(), key)).toThrow(
        `\`routeKey\` '${key}' has the path segment '${segment}', which is not a parameter: a parameter is a whole segment of the form {name} or {name+}, with a name of letters, digits and '_' that does not start with a digit (at TestStack/Api)`,
      );
    });

    test('rejects a greedy parameter before the end of the path', () => {
      expect(() => parseRouteKey(newScope(), 'GET /{proxy+}/pets')).toThrow(
        "`routeKey` 'GET /{proxy+}/pets' has the greedy parameter '{proxy+}' before the end of the path: {proxy+} must be the last segment (at TestStack/Api)",
      );
    });

    test('rejects two parameters of the same name', () => {
      expect(() => parseRouteKey(newScope(), 'GET /pets/{id}/toys/{id}')).toThrow(
        "`routeKey` 'GET /pets/{id}/toys/{id}' names the path parameter 'id' twice: give each parameter its own name (at TestStack/Api)",
      );
    });

    test('treats a greedy parameter as the same name as a plain one', () => {
      expect(() => parseRouteKey(newScope(), 'GET /{path}/{path+}')).toThrow(/names the path parameter 'path' twice/);
    });

    test('rejects a key that is not a string', () => {
      expect(() => parseRouteKey(newScope(), 42 as unknown as string)).toThrow("`routeKey` 42 must be a string such as 'GET /pets/{petId}' (at TestStack/Api)");
    });
  });
});

describe('ROUTE_METHODS', () => {
  test('are the methods of the HttpMethod enum, and exactly those the JWT authorizer reads in its settings', () => {
    expect(ROUTE_METHODS).toEqual(Object.values(HttpMethod));
    expect(ROUTE_METHODS).toEqual(HTTP_METHODS);
  });
});

describe('BODY_METHODS', () => {
  test('are the methods whose requests carry a body, and ANY', () => {
    expect([...BODY_METHODS].sort()).toEqual(['ANY', 'PATCH', 'POST', 'PUT']);
  });
});

describe('RouteTable', () => {
  function add(table: RouteTable, scope: Construct, key: string): ParsedRoute {
    const route = parseRouteKey(scope, key);
    table.add(scope, route);
    return route;
  }

  test('starts empty', () => {
    const table = new RouteTable();
    expect(table.all).toEqual([]);
    expect(table.has(HttpMethod.GET, '/')).toBe(false);
  });

  test('lists the routes in the order they were added', () => {
    const scope = newScope();
    const table = new RouteTable();
    const routes = ['GET /pets', 'POST /pets', 'GET /pets/{petId}', 'GET /'].map((key) => add(table, scope, key));
    expect(table.all).toEqual(routes);
    expect(table.all.map((route) => route.key)).toEqual(['GET /pets', 'POST /pets', 'GET /pets/{petId}', 'GET /']);
  });

  test('returns a copy from `all`, so callers cannot change the table', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets');
    (table.all as ParsedRoute[]).length = 0;
    expect(table.all).toHaveLength(1);
  });

  test('`has` matches on method and path', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets/{petId}');
    expect(table.has(HttpMethod.GET, '/pets/{petId}')).toBe(true);
    expect(table.has(HttpMethod.POST, '/pets/{petId}')).toBe(false);
    expect(table.has(HttpMethod.ANY, '/pets/{petId}')).toBe(false);
    expect(table.has(HttpMethod.GET, '/pets')).toBe(false);
    expect(table.has(HttpMethod.GET, '/pets/{id}')).toBe(false);
  });

  test('allows the same path with different methods, including ANY beside GET', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets');
    add(table, scope, 'POST /pets');
    add(table, scope, 'ANY /pets');
    expect(table.all).toHaveLength(3);
  });

  test('rejects the same method and path twice and records the construct path', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets');
    const error = validationErrorOf(() => add(table, scope, 'GET /pets'));
    expect(error.message).toBe("`routeKey` 'GET /pets' is already a route of this API: each method and path may be added once (at TestStack/Api)");
    expect(error.constructPath).toBe('TestStack/Api');
    expect(table.all).toHaveLength(1);
  });

  test('allows the same parameter name under the same parent on many routes', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets/{petId}');
    add(table, scope, 'DELETE /pets/{petId}');
    add(table, scope, 'GET /pets/{petId}/toys/{toyId}');
    expect(table.all).toHaveLength(3);
  });

  test('allows different parameter names under different parents', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets/{petId}');
    add(table, scope, 'GET /owners/{ownerId}');
    expect(table.all).toHaveLength(2);
  });

  test('rejects a second parameter name under the same parent and suggests the existing one', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets/{petId}');
    expect(() => add(table, scope, 'DELETE /pets/{id}')).toThrow(
      "`routeKey` 'DELETE /pets/{id}' puts '{id}' under '/pets', where '{petId}' already is: API Gateway allows one parameter name at one place in the path, so use '{petId}' (at TestStack/Api)",
    );
  });

  test('names the root as "/" when two parameters conflict directly under it', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /{id}');
    expect(() => add(table, scope, 'GET /{name}')).toThrow("puts '{name}' under '/', where '{id}' already is");
  });

  test('rejects a conflicting parameter name nested under a parameter', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets/{petId}/toys/{toyId}');
    expect(() => add(table, scope, 'DELETE /pets/{petId}/toys/{id}')).toThrow(
      "`routeKey` 'DELETE /pets/{petId}/toys/{id}' puts '{id}' under '/pets/{petId}/toys', where '{toyId}' already is: API Gateway allows one parameter name at one place in the path, so use '{toyId}'",
    );
  });

  test('rejects a conflict introduced by a parent segment of a deeper route', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets/{petId}');
    expect(() => add(table, scope, 'GET /pets/{id}/toys')).toThrow("puts '{id}' under '/pets', where '{petId}' already is");
  });

  test('remembers parameters seen only in the middle of an earlier route', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets/{petId}/toys');
    expect(() => add(table, scope, 'GET /pets/{id}')).toThrow("puts '{id}' under '/pets', where '{petId}' already is");
  });

  test('treats a greedy and a plain parameter under the same parent as a conflict', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /files/{path}');
    expect(() => add(table, scope, 'GET /files/{proxy+}')).toThrow("puts '{proxy+}' under '/files', where '{path}' already is");
  });

  test('allows a literal segment beside a parameter under the same parent', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets/{petId}');
    add(table, scope, 'GET /pets/search');
    expect(table.has(HttpMethod.GET, '/pets/search')).toBe(true);
  });

  test('leaves the table unchanged when a route is rejected', () => {
    const scope = newScope();
    const table = new RouteTable();
    add(table, scope, 'GET /pets/{petId}');
    expect(() => add(table, scope, 'GET /pets/{id}/toys/{toyId}')).toThrow(ValidationError);
    expect(table.has(HttpMethod.GET, '/pets/{id}/toys/{toyId}')).toBe(false);
    expect(table.all).toHaveLength(1);
    // The rejected route's deeper parameter was not recorded, so another name is still free there.
    add(table, scope, 'GET /pets/{petId}/toys/{toy}');
    expect(table.all).toHaveLength(2);
  });

  test('records the path of the scope passed to `add`', () => {
    const stack = new Stack(new App(), 'Other');
    const scope = new Construct(new Construct(stack, 'Outer'), 'Inner');
    const table = new RouteTable();
    add(table, scope, 'GET /pets');
    expect(validationErrorOf(() => add(table, scope, 'GET /pets')).constructPath).toBe('Other/Outer/Inner');
  });
});

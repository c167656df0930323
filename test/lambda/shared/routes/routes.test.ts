import {
  GlobMatcher,
  RouteConflictError,
  RouteConflictProblem,
  RouteConflicts,
  RouteKeyError,
  RouteKeyProblem,
  RouteSet,
  describeRequest,
  globMatches,
  parseRoute,
  parseRouteKey,
  pathRegex,
} from '../../../../lambda/shared/routes';
import { errorOf } from '../../../helpers/errors';

describe('parseRouteKey', () => {
  test('gives the canonical key, the typed segments, the parameters and the ARN pattern', () => {
    const route = parseRouteKey('GET /pets/{petId}/files/{path+}');
    expect(route).toMatchObject({ key: 'GET /pets/{petId}/files/{path+}', method: 'GET', path: '/pets/{petId}/files/{path+}', pathParameters: ['petId', 'path'], arnPattern: 'GET/pets/*/files/*' });
    expect(route.segments.map((segment) => segment.kind)).toEqual(['static', 'param', 'static', 'greedy']);
  });

  test('ANY is `*` in the ARN pattern, and the root is `METHOD/`', () => {
    expect(parseRoute('ANY', '/pets').arnPattern).toBe('*/pets');
    expect(parseRoute('GET', '/').arnPattern).toBe('GET/');
  });

  test.each([
    [42, RouteKeyProblem.NOT_A_STRING, ''],
    ['GET', RouteKeyProblem.NOT_METHOD_AND_PATH, ''],
    ['get /pets', RouteKeyProblem.UNKNOWN_METHOD, 'get'],
    ['GET pets', RouteKeyProblem.NO_LEADING_SLASH, ''],
    ['GET /pets/', RouteKeyProblem.TRAILING_SLASH, ''],
    ['GET /pets//x', RouteKeyProblem.EMPTY_SEGMENT, ''],
    ['GET /pets/{a-b}', RouteKeyProblem.MALFORMED_PARAMETER, '{a-b}'],
    ['GET /{p+}/x', RouteKeyProblem.GREEDY_NOT_LAST, '{p+}'],
    ['GET /{p}/{p}', RouteKeyProblem.DUPLICATE_PARAMETER, 'p'],
    ['GET /a*b', RouteKeyProblem.BAD_LITERAL, 'a*b'],
  ])('%p is refused with a typed error: %s', (key, problem, detail) => {
    const error = errorOf(RouteKeyError, () => parseRouteKey(key as string));
    expect([error.problem, error.detail, error.key]).toEqual([problem, detail, key]);
  });
});

describe('pathRegex', () => {
  test('a parameter is one segment, a greedy parameter the rest, and one trailing slash is allowed', () => {
    const regex = (key: string) => new RegExp(`^${pathRegex(parseRouteKey(key), (text) => text.replace(/[.$]/g, '\\$&'))}$`);
    expect(['/pets/1', '/pets/1/', '/pets', '/pets/1/x'].map((path) => regex('GET /pets/{id}').test(path))).toEqual([true, true, false, false]);
    expect(['/f/a', '/f/a/b/', '/f', '/f/'].map((path) => regex('GET /f/{p+}').test(path))).toEqual([true, true, false, false]);
    expect(['', '/', '/x'].map((path) => regex('GET /').test(path))).toEqual([true, true, false]);
  });
});

describe('IAM glob', () => {
  test('`*` matches any characters, `/` and nothing included; other characters match themselves', () => {
    expect(globMatches('GET/pets/*', 'GET/pets/1/admin')).toBe(true);
    expect(globMatches('GET/pets/*', 'GET/pets/')).toBe(true);
    expect(globMatches('GET/pets/*', 'GET/pets')).toBe(false);
    expect(globMatches('*/pets', 'GET/shops/1/pets')).toBe(true);
    expect(globMatches('GET/pets', 'GET/pets/')).toBe(false);
  });

  test('a prefix that can no longer match leaves no state', () => {
    const glob = new GlobMatcher('GET/a/*');
    expect(glob.step(glob.start(), 'POST').size).toBe(0);
    expect(glob.accepts(glob.step(glob.start(), 'GET/a/'))).toBe(true);
  });
});

describe('RouteSet', () => {
  const set = (...keys: string[]) => new RouteSet(keys.map((key) => parseRouteKey(key)));

  test('RouteConflicts refuses a route twice, and a second parameter name at one place', () => {
    const routes = new RouteConflicts();
    routes.add(parseRouteKey('GET /pets/{id}'));
    expect(errorOf(RouteConflictError, () => routes.add(parseRouteKey('GET /pets/{id}'))).problem).toBe(RouteConflictProblem.DUPLICATE);
    const conflict = errorOf(RouteConflictError, () => routes.add(parseRouteKey('GET /pets/{petId}/x')));
    expect([conflict.problem, conflict.conflict]).toEqual([RouteConflictProblem.PARAMETER_NAME, { segment: '{petId}', parent: '/pets', existing: '{id}' }]);
  });

  test('routes a request by API Gateway\'s precedence: static, then parameter, then greedy; a method before ANY', () => {
    const routes = set('GET /pets/{id}', 'GET /pets/me', 'ANY /{proxy+}', 'ANY /pets/me');
    expect(routes.routeOf('GET', ['pets', 'me'])?.key).toBe('GET /pets/me');
    expect(routes.routeOf('POST', ['pets', 'me'])?.key).toBe('ANY /pets/me');
    expect(routes.routeOf('GET', ['pets', '7'])?.key).toBe('GET /pets/{id}');
    expect(routes.routeOf('POST', ['pets', '7'])?.key).toBe('ANY /{proxy+}');
    expect(routes.routeOf('GET', [])).toBeUndefined();
  });

  test('finds a request an ARN pattern reaches, trailing slashes included', () => {
    const routes = set('GET /pets', 'GET /pets/{id}', 'GET /pets/{id}/admin');
    const [list, byId, admin] = routes.routes;
    expect(describeRequest(routes.witness(byId.arnPattern, list)!)).toBe('GET /pets/');
    expect(routes.witness(byId.arnPattern, list, { canonicalOnly: true })).toBeUndefined();
    expect(describeRequest(routes.witness(byId.arnPattern, admin)!)).toBe('GET /pets/~/admin');
    expect(routes.witness(byId.arnPattern, admin, { notMatching: ['GET/pets/*/admin', 'GET/pets/*/admin/'] })).toBeUndefined();
    expect(routes.reaches(list.arnPattern, byId)).toBe(false);
  });
});

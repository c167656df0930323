import { Token } from 'aws-cdk-lib';
import { parseRouteKey } from '../../../lib/private/route-key';
import { escapeRegex, routePathRegex, routeRuleName, routeScopeDown } from '../../../lib/private/waf-statements';
import { newScope } from '../../helpers/errors';

const route = (key: string) => parseRouteKey(newScope(), key);

/** Whether the WAF pattern for `key` under `prefixes` matches `path` (JavaScript's regex agrees with PCRE on these). */
function matches(key: string, path: string, prefixes = ['/v1']): boolean {
  return new RegExp(routePathRegex(route(key), prefixes)).test(path);
}

describe('escapeRegex', () => {
  test('escapes every metacharacter, and nothing else', () => {
    expect(escapeRegex('a.b$c*d+e?f^g(h)i[j]k{l}m|n\\o-p:q_r/s')).toBe('a\\.b\\$c\\*d\\+e\\?f\\^g\\(h\\)i\\[j\\]k\\{l\\}m\\|n\\\\o-p:q_r/s');
  });
});

describe('routePathRegex', () => {
  test.each([
    ['POST /login', ['/v1'], '^(?:/v1)/login/?$'],
    ['GET /', ['/v1'], '^(?:/v1)/?$'],
    ['GET /pets/{petId}', ['/v1'], '^(?:/v1)/pets/[^/]+/?$'],
    ['GET /files/{path+}', ['/v1'], '^(?:/v1)/files/.+/?$'],
    ['GET /v1.0/$info', ['/prod'], '^(?:/prod)/v1\\.0/\\$info/?$'],
    ['POST /login', ['/v1', '/v10', ''], '^(?:/v10|/v1|)/login/?$'],
  ])('%s under %p is %s', (key, prefixes, pattern) => {
    expect(routePathRegex(route(key), prefixes)).toBe(pattern);
  });

  test.each([
    ['POST /login', '/v1/login', true],
    ['POST /login', '/v1/login/', true],
    ['POST /login', '/v1/login//', false],
    ['POST /login', '/v1/logins', false],
    ['POST /login', '/v1/login/x', false],
    ['POST /login', '/v2/login', false],
    ['POST /login', '/login', false],
    ['POST /login', '/x/v1/login', false],
    ['GET /', '/v1', true],
    ['GET /', '/v1/', true],
    ['GET /', '/v1/x', false],
    ['GET /pets/{petId}', '/v1/pets/42', true],
    ['GET /pets/{petId}', '/v1/pets/42/', true],
    ['GET /pets/{petId}', '/v1/pets/', false],
    ['GET /pets/{petId}', '/v1/pets/42/toys', false],
    ['GET /pets/{petId}/toys', '/v1/pets/a-b.c/toys', true],
    ['GET /files/{path+}', '/v1/files/a/b/c', true],
    ['GET /files/{path+}', '/v1/files/', false],
    ['GET /v1.0/info', '/v1/v1x0/info', false],
  ])('the pattern of %s matches %s: %s', (key, path, expected) => {
    expect(matches(key, path)).toBe(expected);
  });

  test('a longer prefix is not cut short by a shorter one', () => {
    expect(matches('POST /login', '/v10/login', ['/v1', '/v10'])).toBe(true);
    expect(matches('POST /login', '/v1/login', ['/v1', '/v10'])).toBe(true);
  });

  test('an empty prefix matches the path at the root of a custom domain', () => {
    expect(matches('POST /login', '/login', ['', '/v1'])).toBe(true);
    expect(matches('POST /login', '/v1/login', ['', '/v1'])).toBe(true);
  });

  test('a token prefix (a stage name from a parameter) is left as it is', () => {
    const prefix = `/${Token.asString({ Ref: 'Stage' })}`;
    expect(routePathRegex(route('POST /login'), [prefix])).toBe(`^(?:${prefix})/login/?$`);
  });
});

describe('routeScopeDown', () => {
  test('matches the method exactly and the path as sent, percent-decoded, normalised, or percent-decoded then normalised', () => {
    const pattern = '^(?:/v1)/login/?$';
    expect(routeScopeDown(route('POST /login'), ['/v1'])).toEqual({
      andStatement: {
        statements: [
          { byteMatchStatement: { fieldToMatch: { method: {} }, positionalConstraint: 'EXACTLY', searchString: 'POST', textTransformations: [{ priority: 0, type: 'NONE' }] } },
          {
            orStatement: {
              statements: [
                { regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: pattern, textTransformations: [{ priority: 0, type: 'NONE' }] } },
                { regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: pattern, textTransformations: [{ priority: 0, type: 'URL_DECODE' }] } },
                { regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: pattern, textTransformations: [{ priority: 0, type: 'NORMALIZE_PATH' }] } },
                {
                  regexMatchStatement: {
                    fieldToMatch: { uriPath: {} },
                    regexString: pattern,
                    textTransformations: [{ priority: 0, type: 'URL_DECODE' }, { priority: 1, type: 'NORMALIZE_PATH' }],
                  },
                },
              ],
            },
          },
        ],
      },
    });
  });

  test('an ANY route matches the path alone', () => {
    const scopeDown = routeScopeDown(route('ANY /login'), ['/v1']) as any;
    expect(scopeDown.andStatement).toBeUndefined();
    expect(scopeDown.orStatement.statements).toHaveLength(4);
  });
});

describe('routeRuleName', () => {
  test.each([
    ['POST /login', undefined, 'RateLimit-POST-login'],
    ['GET /', undefined, 'RateLimit-GET-root'],
    ['GET /pets/{petId}', undefined, 'RateLimit-GET-pets-petId'],
    ['GET /files/{path+}', undefined, 'RateLimit-GET-files-path'],
    ['GET /v1.0/$info', undefined, 'RateLimit-GET-v10-info'],
    ['POST /login', 'x-api-key', 'RateLimit-POST-login-by-x-api-key'],
    ['ANY /orders', 'X-Tenant.Id', 'RateLimit-ANY-orders-by-X-TenantId'],
  ])('%s (header %p) is %s', (key, header, name) => {
    expect(routeRuleName(route(key), header)).toBe(name);
  });
});

import { Duration } from 'aws-cdk-lib';
import {
  allowMethodsHeader,
  corsStageVariables,
  DEFAULT_CORS_ALLOW_HEADERS,
  gatewayResponseCorsHeaders,
  originProblem,
  preflightHeaders,
  validateCors,
} from '../../../lib/private/cors';
import { ValidationError } from '../../../lib/private/validation-error';
import { HttpMethod } from '../../../lib/auth/route-authorization';
import { CorsOptions } from '../../../lib/traffic/cors-options';
import { errorOf, newScope } from '../../helpers/errors';

const AT = ' (at TestStack/Api)';
const APP = 'https://app.example.com';

function messageOf(cors: CorsOptions): string {
  return errorOf(ValidationError, () => validateCors(newScope(), cors)).message;
}

describe('validateCors', () => {
  test('refuses more origins (or exposed headers) than the 512-character stage variable that carries them holds', () => {
    const origins = Array.from({ length: 30 }, (_, i) => `https://app-${i}.example.com`);
    expect(messageOf({ allowOrigins: origins })).toBe(`\`cors.allowOrigins\` lists 30 origins of ${origins.join(',').length} characters in all (with commas), but the stage variable that carries them to the backends holds at most 512: list fewer origins${AT}`);
    expect(validateCors(newScope(), { allowOrigins: origins.slice(0, 15) }).origins).toHaveLength(15);
    const headers = Array.from({ length: 40 }, (_, i) => `X-Custom-Header-${i}`);
    expect(messageOf({ allowOrigins: [APP], exposeHeaders: headers })).toContain('`cors.exposeHeaders` makes');
  });

  test('defaults: the usual request headers, no credentials, no exposed headers, 10 minutes', () => {
    expect(validateCors(newScope(), { allowOrigins: [APP] })).toEqual({
      origins: [APP],
      anyOrigin: false,
      allowHeaders: ['Content-Type', 'Authorization', 'X-Api-Key', 'X-Amz-Date', 'X-Amz-Security-Token'],
      exposeHeaders: [],
      allowCredentials: false,
      maxAgeSeconds: 600,
    });
    expect(DEFAULT_CORS_ALLOW_HEADERS).toContain('Authorization');
  });

  test('accepts ports, IP addresses, and http:// with allowInsecureOrigins', () => {
    expect(validateCors(newScope(), {
      allowOrigins: ['https://app.example.com:8443', 'https://10.0.0.1', 'http://localhost:3000'],
      allowInsecureOrigins: true,
      maxAge: Duration.hours(2),
    }).maxAgeSeconds).toBe(7200);
  });

  test('an origin with a path', () => {
    expect(messageOf({ allowOrigins: [APP, 'https://admin.example.com/app'] })).toBe(
      "`cors.allowOrigins[1]` must be an origin (scheme://host[:port]) without a path, query, fragment or trailing slash, got 'https://admin.example.com/app': browsers send the origin without them, so use 'https://admin.example.com'" + AT);
  });

  test.each([
    ['a trailing slash', 'https://app.example.com/'],
    ['a query', 'https://app.example.com?x=1'],
    ['a fragment', 'https://app.example.com#top'],
  ])('an origin with %s', (_, origin) => {
    expect(messageOf({ allowOrigins: [origin] })).toContain("without a path, query, fragment or trailing slash, got '" + origin + "': browsers send the origin without them, so use 'https://app.example.com'");
  });

  test('an http:// origin without allowInsecureOrigins', () => {
    expect(messageOf({ allowOrigins: ['http://localhost:3000'] })).toBe(
      "`cors.allowOrigins[0]` is an http:// origin, got 'http://localhost:3000': anyone on that page's network can impersonate it. Use https://, or, for a development environment only, set `cors.allowInsecureOrigins` to true" + AT);
  });

  test("'*' with credentials", () => {
    expect(messageOf({ allowOrigins: ['*'], allowHeaders: ['Content-Type'], allowCredentials: true })).toBe(
      "`cors.allowOrigins[0]` is '*' and `cors.allowCredentials` is true: a page of any site could then act with your users' cookies (and browsers refuse credentials with '*'); list the origins that may send credentials" + AT);
  });

  test("'*' with the Authorization header, given or by default, in any case", () => {
    expect(messageOf({ allowOrigins: ['*'], allowHeaders: ['Content-Type', 'authorization'] })).toBe(
      "`cors.allowOrigins[0]` is '*' and `cors.allowHeaders[1]` is 'authorization': a page of any site could then send your users' tokens; list the origins, or give `cors.allowHeaders` without Authorization" + AT);
    expect(messageOf({ allowOrigins: ['*'] })).toBe(
      "`cors.allowOrigins[0]` is '*' and `cors.allowHeaders` (by default) holds 'Authorization': a page of any site could then send your users' tokens; list the origins, or give `cors.allowHeaders` without Authorization" + AT);
  });

  test("'*' without credentials or Authorization is accepted, alone only", () => {
    expect(validateCors(newScope(), { allowOrigins: ['*'], allowHeaders: ['Content-Type'] }).anyOrigin).toBe(true);
    expect(messageOf({ allowOrigins: [APP, '*'], allowHeaders: ['Content-Type'] })).toBe(
      "`cors.allowOrigins[1]` is '*', which must be the only origin, got 2 origins: list the origins, or give ['*'] alone" + AT);
  });

  test('duplicates', () => {
    expect(messageOf({ allowOrigins: [APP, 'https://admin.example.com', APP] })).toBe(
      "`cors.allowOrigins[2]` repeats `cors.allowOrigins[0]` ('https://app.example.com'): list each origin once" + AT);
    expect(messageOf({ allowOrigins: [APP], allowHeaders: ['Content-Type', 'content-type'] })).toBe(
      "`cors.allowHeaders[1]` repeats `cors.allowHeaders[0]` ('Content-Type'); header names compare without case: list each header once" + AT);
  });

  test.each([
    [Duration.hours(3), '3 hours'],
    [Duration.millis(1500), '1 second 500 millis'],
  ])('maxAge of %s', (maxAge, shown) => {
    expect(messageOf({ allowOrigins: [APP], maxAge })).toBe(
      `\`cors.maxAge\` must be a whole number of seconds from 0 seconds to 2 hours, got ${shown}: browsers cache a preflight at most 2 hours (Chromium's cap), so use Duration.hours(2) or less` + AT);
  });

  test('no origins', () => {
    expect(messageOf({ allowOrigins: [] })).toBe("`cors.allowOrigins` must list at least one origin, such as ['https://app.example.com'], got []" + AT);
  });

  test('a header name that is not a token', () => {
    expect(messageOf({ allowOrigins: [APP], exposeHeaders: ['X-Id', "X'Id"] })).toBe(
      "`cors.exposeHeaders[1]` must be a header name of letters, digits, '-', '_' and '.', got 'X'Id'" + AT);
  });
});

describe('originProblem', () => {
  test.each([
    ['https://APP.example.com', "must be in lower case, got 'https://APP.example.com': browsers send the scheme and host in lower case, so use 'https://app.example.com'"],
    ['HTTPS://app.example.com', "must be in lower case, got 'HTTPS://app.example.com': browsers send the scheme and host in lower case, so use 'https://app.example.com'"],
    ['https://user:pw@app.example.com', "must not hold a user name or password, got 'https://user:pw@app.example.com': use scheme://host[:port], such as 'https://app.example.com'"],
    ['https://*.example.com', "has a wildcard in its host, got 'https://*.example.com': CORS compares origins exactly, so list each origin"],
    ['https://app.example.com:443', "names the default port 443 of https://, got 'https://app.example.com:443': browsers send the origin without it, so use 'https://app.example.com'"],
    ['https://app.example.com:99999', "has the port '99999', which is not a number from 1 to 65535, got 'https://app.example.com:99999'"],
    ['app.example.com', "must be scheme://host[:port], such as 'https://app.example.com', got 'app.example.com'"],
    ['ftp://app.example.com', "must be an https:// origin, got 'ftp://app.example.com'"],
    ['https://app_1.example.com', "has the host 'app_1.example.com', which is not a DNS name or IPv4 address, got 'https://app_1.example.com': use an origin such as 'https://app.example.com'"],
    ['https://[::1]:8443', "has the host '[::1]', which is not a DNS name or IPv4 address, got 'https://[::1]:8443': use an origin such as 'https://app.example.com'"],
    ['null', "must be scheme://host[:port], such as 'https://app.example.com', got 'null'"],
  ])('%s', (origin, problem) => {
    expect(originProblem(origin, true)).toBe(problem);
  });

  test('an exact origin has no problem', () => {
    expect(originProblem(APP, false)).toBeUndefined();
    expect(originProblem('http://localhost:3000', true)).toBeUndefined();
  });
});

describe('headers', () => {
  test('Access-Control-Allow-Methods: the routes\' methods and OPTIONS, in a fixed order; every method for ANY', () => {
    expect(allowMethodsHeader([HttpMethod.DELETE, HttpMethod.GET])).toBe('GET,DELETE,OPTIONS');
    expect(allowMethodsHeader([HttpMethod.ANY])).toBe('GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS');
  });

  test('a preflight with several origins has no static Access-Control-Allow-Origin', () => {
    const config = validateCors(newScope(), { allowOrigins: [APP, 'https://admin.example.com'], allowHeaders: [] });
    expect(preflightHeaders(config, 'GET,OPTIONS')).toEqual({
      'Vary': 'Origin',
      'Access-Control-Allow-Methods': 'GET,OPTIONS',
      'Access-Control-Max-Age': '600',
    });
  });

  test('gateway responses: one origin is static with credentials; several are reflected, never with credentials', () => {
    const one = validateCors(newScope(), { allowOrigins: [APP], allowCredentials: true });
    expect(gatewayResponseCorsHeaders(one)).toEqual({
      'Access-Control-Allow-Origin': `'${APP}'`,
      'Access-Control-Allow-Credentials': "'true'",
      'Vary': "'Origin'",
    });
    const several = validateCors(newScope(), { allowOrigins: [APP, 'https://admin.example.com'], allowCredentials: true, exposeHeaders: ['X-Request-Id'] });
    expect(gatewayResponseCorsHeaders(several)).toEqual({
      'Access-Control-Allow-Origin': 'method.request.header.origin',
      'Vary': "'Origin'",
      'Access-Control-Expose-Headers': "'X-Request-Id'",
    });
  });

  test('stage variables', () => {
    expect(corsStageVariables(validateCors(newScope(), { allowOrigins: ['*'], allowHeaders: [] }))).toEqual({
      secureApiCorsOrigins: 'any',
      secureApiCorsCredentials: 'false',
    });
  });
});

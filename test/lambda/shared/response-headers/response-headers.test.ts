import { CORS_STAGE_VARIABLES, DEPRECATION_STAGE_VARIABLES } from '../../../../lambda/shared/constants';
import { deprecationHeaders, withApiResponseHeaders } from '../../../../lambda/shared/response-headers';

const VARIABLES = {
  [DEPRECATION_STAGE_VARIABLES.deprecatedAt]: '1780272000',
  [DEPRECATION_STAGE_VARIABLES.sunsetAt]: '4102401600',
  [DEPRECATION_STAGE_VARIABLES.link]: 'https://example.com/docs/migrate-to-v2',
};
const HEADERS = {
  Deprecation: '@1780272000',
  Sunset: 'Thu, 31 Dec 2099 12:00:00 GMT',
  Link: '<https://example.com/docs/migrate-to-v2>; rel="deprecation"; type="text/html"',
};

describe('deprecationHeaders', () => {
  test('Deprecation as an RFC 9745 structured date, Sunset as an RFC 8594 HTTP-date (IMF-fixdate), and Link', () => {
    expect(deprecationHeaders(VARIABLES)).toEqual(HEADERS);
  });

  test.each([
    ['no stage variables', null],
    ['undefined', undefined],
    ['a version that is not deprecated', { other: 'x' }],
    ['a missing link', { ...VARIABLES, [DEPRECATION_STAGE_VARIABLES.link]: undefined }],
    ['a date that is not Unix seconds', { ...VARIABLES, [DEPRECATION_STAGE_VARIABLES.sunsetAt]: '2099-12-31' }],
    ['a negative date', { ...VARIABLES, [DEPRECATION_STAGE_VARIABLES.deprecatedAt]: '-1' }],
    ['an http link', { ...VARIABLES, [DEPRECATION_STAGE_VARIABLES.link]: 'http://example.com' }],
    ['a link that would break the header', { ...VARIABLES, [DEPRECATION_STAGE_VARIABLES.link]: 'https://example.com/>; rel="x"' }],
    ['a variable that is not a string', { ...VARIABLES, [DEPRECATION_STAGE_VARIABLES.sunsetAt]: 4102401600 as unknown as string }],
    ['a value that is not an object', 'x' as unknown as Record<string, string>],
  ])('returns no headers (and does not throw) for %s', (_case, variables) => {
    expect(deprecationHeaders(variables)).toEqual({});
  });

  test('reads only the object\'s own variables, never its prototype\'s', () => {
    const inherited = Object.create(VARIABLES) as Record<string, string>;
    expect(deprecationHeaders(inherited)).toEqual({});
  });
});

describe('withApiResponseHeaders', () => {
  const result = { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' };

  test('adds the deprecation headers to the handler\'s', () => {
    expect(withApiResponseHeaders({ stageVariables: VARIABLES }, result)).toEqual({ ...result, headers: { 'Content-Type': 'application/json', ...HEADERS } });
  });

  test('keeps a header the handler set, in any letter case', () => {
    const own = { ...result, headers: { link: '<https://example.com/other>; rel="next"' } };
    expect(withApiResponseHeaders({ stageVariables: VARIABLES }, own).headers).toEqual({ link: '<https://example.com/other>; rel="next"', Deprecation: HEADERS.Deprecation, Sunset: HEADERS.Sunset });
  });

  test('returns the result itself when there is nothing to add, and handles a result without headers', () => {
    expect(withApiResponseHeaders({ stageVariables: null }, result)).toBe(result);
    expect(withApiResponseHeaders({}, result)).toBe(result);
    expect(withApiResponseHeaders({ stageVariables: VARIABLES }, { statusCode: 204, body: '' })).toEqual({ statusCode: 204, body: '', headers: HEADERS });
  });
});

describe('withApiResponseHeaders with CORS', () => {
  const result = { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' };
  const cors = { [CORS_STAGE_VARIABLES.origins]: 'https://app.example.com,https://admin.example.com', [CORS_STAGE_VARIABLES.credentials]: 'false' };

  test('adds CORS headers for an allowed origin, whatever the Origin header\'s letter case, next to the deprecation headers', () => {
    expect(withApiResponseHeaders({ stageVariables: { ...cors, ...VARIABLES }, headers: { origin: 'https://admin.example.com' } }, result).headers).toEqual({
      'Content-Type': 'application/json',
      'Access-Control-Allow-Origin': 'https://admin.example.com',
      'Vary': 'Origin',
      ...HEADERS,
    });
    expect(withApiResponseHeaders({ stageVariables: cors, headers: { ORIGIN: 'https://app.example.com' } }, result).headers)
      .toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com' });
  });

  test('a refused or missing origin gets no Access-Control-Allow-Origin, and malformed headers add nothing', () => {
    expect(withApiResponseHeaders({ stageVariables: cors, headers: { Origin: 'https://evil.example.com' } }, result).headers).not.toHaveProperty('Access-Control-Allow-Origin');
    expect(withApiResponseHeaders({ stageVariables: cors, headers: null }, result).headers).not.toHaveProperty('Access-Control-Allow-Origin');
    expect(withApiResponseHeaders({ stageVariables: cors, headers: 'x' as never }, result).headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });
});

describe('withApiResponseHeaders on odd results', () => {
  test('a header the handler set in multiValueHeaders is not added again', () => {
    const result: { statusCode: number; body: string; headers?: Record<string, string>; multiValueHeaders: Record<string, string[]> } = { statusCode: 200, multiValueHeaders: { 'access-control-allow-origin': ['https://app.example.com'] }, body: '' };
    const event = { headers: { Origin: 'https://app.example.com' }, stageVariables: { [CORS_STAGE_VARIABLES.origins]: 'https://app.example.com' } };
    expect(withApiResponseHeaders(event, result).headers).toEqual({ Vary: 'Origin' });
  });

  test('a missing result is returned as it is, never an error', () => {
    expect(withApiResponseHeaders({ stageVariables: VARIABLES }, undefined as never)).toBeUndefined();
    expect(withApiResponseHeaders({ stageVariables: VARIABLES }, null as never)).toBeNull();
  });
});

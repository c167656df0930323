import { CORS_STAGE_VARIABLES } from '../../../../lambda/shared/constants';
import { corsHeaders } from '../../../../lambda/shared/response-headers/cors';
import { corsStageVariables, validateCors } from '../../../../lib/private/cors';
import { newScope } from '../../../helpers/errors';

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';

/** The stage variables the API writes for these options: the same module, so the two sides agree. */
function stageVariablesFor(options: Parameters<typeof validateCors>[1]): Record<string, string> {
  return corsStageVariables(validateCors(newScope(), options));
}

describe('corsHeaders', () => {
  test('an allowed origin gets itself back, with Vary: Origin', () => {
    expect(corsHeaders(ADMIN, stageVariablesFor({ allowOrigins: [APP, ADMIN] }))).toEqual({
      'Access-Control-Allow-Origin': ADMIN,
      'Vary': 'Origin',
    });
  });

  test('credentials and exposed headers go with an allowed origin', () => {
    expect(corsHeaders(APP, stageVariablesFor({ allowOrigins: [APP], allowCredentials: true, exposeHeaders: ['X-Request-Id', 'ETag'] }))).toEqual({
      'Access-Control-Allow-Origin': APP,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'X-Request-Id,ETag',
      'Vary': 'Origin',
    });
  });

  test.each([
    ['another origin', 'https://evil.example.com'],
    ['a prefix of an allowed one', 'https://app.example.co'],
    ['an allowed one with more after it', 'https://app.example.com.evil.example'],
    ['another case', 'https://APP.example.com'],
    ['a trailing slash', `${APP}/`],
    ['the list itself', `${APP},${ADMIN}`],
    ['null (a sandboxed page)', 'null'],
    ['empty', ''],
    ['missing', undefined],
    ['not a string', ['https://app.example.com']],
  ])('%s gets Vary: Origin and no other CORS header', (_, origin) => {
    expect(corsHeaders(origin, stageVariablesFor({ allowOrigins: [APP, ADMIN], allowCredentials: true }))).toEqual({ Vary: 'Origin' });
  });

  test('any origin: *, never with credentials, without Vary', () => {
    const variables = stageVariablesFor({ allowOrigins: ['*'], allowHeaders: ['Content-Type'] });
    expect(corsHeaders('https://anyone.example', variables)).toEqual({ 'Access-Control-Allow-Origin': '*' });
    expect(corsHeaders(undefined, { ...variables, [CORS_STAGE_VARIABLES.credentials]: 'true' })).toEqual({ 'Access-Control-Allow-Origin': '*' });
  });

  test.each([
    ['no stage variables', null],
    ['undefined', undefined],
    ['not an object', 'secureApiCorsOrigins=https://app.example.com'],
    ['no CORS variable', { other: 'x' }],
    ['an empty origins variable', { [CORS_STAGE_VARIABLES.origins]: '' }],
    ['an origins variable that is not a string', { [CORS_STAGE_VARIABLES.origins]: [APP] }],
    ['an inherited origins variable', Object.create({ [CORS_STAGE_VARIABLES.origins]: APP })],
  ])('%s: no CORS headers, no error', (_, variables) => {
    expect(corsHeaders(APP, variables)).toEqual({});
  });

  test('credentials only when the variable is exactly true', () => {
    for (const value of ['false', 'TRUE', '1', '']) {
      expect(corsHeaders(APP, { [CORS_STAGE_VARIABLES.origins]: APP, [CORS_STAGE_VARIABLES.credentials]: value })).toEqual({
        'Access-Control-Allow-Origin': APP,
        'Vary': 'Origin',
      });
    }
  });
});

import { authorizationValue, parseBearer } from '../../../lambda/jwt-authorizer/bearer';
import { BadCredentialsError, UnauthorizedError } from '../../../lambda/jwt-authorizer/errors';
import { errorOf } from '../../helpers/errors';

const MAX = 8192;
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const NOT_BEARER = 'Authorization header is not "Bearer <token>"';

const credentialsErrorOf = (fn: () => unknown) => errorOf(BadCredentialsError, fn);

describe('parseBearer', () => {
  test('returns the token of `Bearer <token>`', () => {
    expect(parseBearer(`Bearer ${TOKEN}`, MAX)).toBe(TOKEN);
  });

  test.each(['bearer', 'BEARER', 'bEaReR'])('accepts the scheme in any case: %s', (scheme) => {
    expect(parseBearer(`${scheme} ${TOKEN}`, MAX)).toBe(TOKEN);
  });

  test('accepts more than one space after the scheme', () => {
    expect(parseBearer(`Bearer   ${TOKEN}`, MAX)).toBe(TOKEN);
  });

  test('accepts every RFC 6750 b64token character and trailing = padding', () => {
    const token = 'AZaz09-._~+/abc==';
    expect(parseBearer(`Bearer ${token}`, MAX)).toBe(token);
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { value: `Bearer ${TOKEN}` }],
    ['an array of one value', [`Bearer ${TOKEN}`]],
    ['the empty string', ''],
  ])('refuses %s as a missing header', (_name, value) => {
    expect(credentialsErrorOf(() => parseBearer(value, MAX)).message).toBe('no Authorization header');
  });

  test.each([
    ['a token without a scheme', TOKEN],
    ['another scheme', `Basic ${TOKEN}`],
    ['a scheme that only starts with Bearer', `Bearerx ${TOKEN}`],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['no space after the scheme', `Bearer${TOKEN}`],
    ['a leading space', ` Bearer ${TOKEN}`],
    ['a trailing space', `Bearer ${TOKEN} `],
    ['a trailing newline', `Bearer ${TOKEN}\n`],
    ['a newline inside', `Bearer ${TOKEN}\nBearer other`],
    ['a tab after the scheme', `Bearer\t${TOKEN}`],
    ['a non-breaking space after the scheme', `Bearer\u00a0${TOKEN}`],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['two comma-separated credentials', `Bearer ${TOKEN}, Bearer other`],
    ['a quoted token', `Bearer "${TOKEN}"`],
    ['= inside the token', 'Bearer abc=def'],
    ['a token of padding only', 'Bearer =='],
    ['a character outside b64token', `Bearer ${TOKEN}!`],
    ['a non-ASCII character', `Bearer ${TOKEN}é`],
  ])('refuses %s', (_name, value) => {
    const error = credentialsErrorOf(() => parseBearer(value, MAX));
    expect(error.message).toBe(NOT_BEARER);
    expect(error.reason).toBe('bad-credentials');
  });

  test('accepts a header of exactly maxBytes bytes and refuses one byte more', () => {
    const exact = `Bearer ${'a'.repeat(MAX - 'Bearer '.length)}`;
    expect(parseBearer(exact, MAX)).toHaveLength(MAX - 'Bearer '.length);
    expect(credentialsErrorOf(() => parseBearer(`${exact}a`, MAX)).message).toBe(`Authorization header over ${MAX} bytes`);
  });

  test('counts UTF-8 bytes, not characters, and checks the size before the form', () => {
    const value = `Bearer ${'é'.repeat(60)}`; // 67 characters, 127 bytes
    expect(value.length).toBeLessThanOrEqual(100);
    expect(credentialsErrorOf(() => parseBearer(value, 100)).message).toBe('Authorization header over 100 bytes');
  });

  test('refuses an oversized header without running the pattern on it', () => {
    const huge = `Bearer ${'a'.repeat(5_000_000)} `;
    const started = Date.now();
    expect(credentialsErrorOf(() => parseBearer(huge, MAX)).message).toBe(`Authorization header over ${MAX} bytes`);
    expect(Date.now() - started).toBeLessThan(200);
  });

  test('errors are BadCredentialsErrors, which are UnauthorizedErrors with reason bad-credentials', () => {
    const error = credentialsErrorOf(() => parseBearer(undefined, MAX));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.reason).toBe('bad-credentials');
  });
});

describe('authorizationValue', () => {
  const value = `Bearer ${TOKEN}`;

  describe('TOKEN events', () => {
    test('returns authorizationToken as it is', () => {
      expect(authorizationValue({ authorizationToken: value })).toBe(value);
    });

    test('returns a non-string authorizationToken unchanged, for parseBearer to refuse', () => {
      expect(authorizationValue({ authorizationToken: 42 })).toBe(42);
      expect(authorizationValue({ authorizationToken: null })).toBeNull();
    });

    test('authorizationToken wins over headers', () => {
      expect(authorizationValue({ authorizationToken: value, headers: { Authorization: 'Bearer other' } })).toBe(value);
    });
  });

  describe('REQUEST events', () => {
    test.each(['Authorization', 'authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn'])('reads the header named %s', (name) => {
      expect(authorizationValue({ headers: { [name]: value } })).toBe(value);
    });

    test('reads multiValueHeaders when headers lack the header', () => {
      expect(authorizationValue({ multiValueHeaders: { Authorization: [value] } })).toBe(value);
      expect(authorizationValue({ headers: null, multiValueHeaders: { authorization: [value] } })).toBe(value);
    });

    test('accepts the same value in headers and multiValueHeaders, as API Gateway sends it', () => {
      expect(authorizationValue({ headers: { Authorization: value }, multiValueHeaders: { Authorization: [value] } })).toBe(value);
    });

    test('a multiValueHeaders entry that is not an array counts as one value', () => {
      expect(authorizationValue({ multiValueHeaders: { Authorization: value } })).toBe(value);
    });

    test('an empty multiValueHeaders entry adds no value', () => {
      expect(authorizationValue({ headers: { Authorization: value }, multiValueHeaders: { Authorization: [] } })).toBe(value);
    });

    test.each([
      ['two names differing in case', { headers: { Authorization: value, authorization: value } }],
      ['two names differing in case, different values', { headers: { Authorization: value, authorization: 'Bearer other' } }],
      ['several values of one header', { multiValueHeaders: { Authorization: [value, 'Bearer other'] } }],
      ['the same value twice', { multiValueHeaders: { Authorization: [value, value] } }],
      ['several names in multiValueHeaders', { multiValueHeaders: { Authorization: [value], AUTHORIZATION: [value] } }],
      ['headers and multiValueHeaders that disagree', { headers: { Authorization: value }, multiValueHeaders: { Authorization: ['Bearer other'] } }],
      ['headers with one value, multiValueHeaders with two', { headers: { Authorization: value }, multiValueHeaders: { Authorization: [value, 'Bearer other'] } }],
    ])('refuses a header that appears more than once: %s', (_name, event) => {
      expect(credentialsErrorOf(() => authorizationValue(event)).message).toBe('more than one Authorization header');
    });

    test.each([
      ['no headers', {}],
      ['null headers', { headers: null, multiValueHeaders: null }],
      ['headers that are a string', { headers: 'Authorization: Bearer x' }],
      ['headers that are an array', { headers: [value] }],
      ['only other headers', { headers: { 'X-Authorization': value, 'Proxy-Authorization': value, Authorization2: value } }],
      ['an inherited authorization property', { headers: Object.create({ authorization: value }) }],
    ])('returns undefined for %s', (_name, event) => {
      expect(authorizationValue(event)).toBeUndefined();
    });
  });
});

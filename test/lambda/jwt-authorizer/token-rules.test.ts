import { generateKeyPairSync } from 'node:crypto';
import { TokenPolicyError, UnauthorizedError } from '../../../lambda/jwt-authorizer/errors';
import { MIN_RSA_MODULUS_BITS, VerifiedToken, checkTokenRules } from '../../../lambda/jwt-authorizer/token-rules';
import type { JwtIssuerSettings, JwtLimitSettings } from '../../../lambda/shared/constants';
import { errorOf } from '../../helpers/errors';

const NOW = 1_700_000_000;

const LIMITS: JwtLimitSettings = {
  maxTokenBytes: 8192,
  maxLifetimeSeconds: 3600,
  clockSkewSeconds: 60,
  jwksMaxAgeSeconds: 3600,
  jwksTimeoutMs: 3000,
  jwksRetrySeconds: 10,
};

const ISSUER: JwtIssuerSettings = {
  issuer: 'https://issuer.example.com',
  audience: ['https://api.example.com'],
  audienceClaim: 'aud',
  jwksUri: 'https://issuer.example.com/jwks.json',
  scopeClaims: ['scope'],
  groupClaims: [],
  scopes: [],
  groups: [],
  requireAccessTokenType: false,
  discovery: false,
  tokenType: 'access',
  requiredClaims: {},
};

function rsaJwk(modulusLength: number): Record<string, unknown> {
  return { ...generateKeyPairSync('rsa', { modulusLength }).publicKey.export({ format: 'jwk' }), kid: `rsa-${modulusLength}`, alg: 'RS256', use: 'sig' };
}

const RSA_2048 = rsaJwk(2048);

function token(change: { header?: Record<string, unknown>; payload?: Record<string, unknown>; jwk?: Record<string, unknown> } = {}): VerifiedToken {
  return {
    header: { alg: 'RS256', kid: 'rsa-2048', ...change.header },
    payload: { sub: 'alice', aud: 'https://api.example.com', iat: NOW - 10, exp: NOW + 290, ...change.payload },
    jwk: change.jwk ?? RSA_2048,
  };
}

function check(value: VerifiedToken, issuer: Partial<JwtIssuerSettings> = {}, limits: Partial<JwtLimitSettings> = {}): void {
  checkTokenRules(value, { ...ISSUER, ...issuer }, { ...LIMITS, ...limits }, NOW);
}

function refusal(value: VerifiedToken, issuer: Partial<JwtIssuerSettings> = {}, limits: Partial<JwtLimitSettings> = {}): string {
  const error = errorOf(TokenPolicyError, () => check(value, issuer, limits));
  expect(error).toBeInstanceOf(UnauthorizedError);
  expect(error.reason).toBe('token-policy');
  return error.message;
}

test('a well-formed access token passes every rule', () => {
  expect(() => check(token())).not.toThrow();
});

describe('the header', () => {
  test.each([['a list', ['exp']], ['an empty list', []], ['null', null]])('a crit parameter (%s) is refused', (_name, crit) => {
    expect(refusal(token({ header: { crit } }))).toBe('the token header has a crit parameter');
  });

  test.each(['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT'])('typ %s passes when the issuer requires access-token typ', (typ) => {
    expect(() => check(token({ header: { typ } }), { requireAccessTokenType: true })).not.toThrow();
  });

  test.each([['JWT', 'JWT'], ['absent', undefined], ['a prefix', 'at+jwt2'], ['a number', 7]])('typ %s is refused when the issuer requires access-token typ', (_name, typ) => {
    expect(refusal(token({ header: { typ } }), { requireAccessTokenType: true })).toBe('the token header typ is not at+jwt');
  });

  test('typ is not checked when the issuer does not require it', () => {
    expect(() => check(token({ header: { typ: 'JWT' } }))).not.toThrow();
    expect(() => check(token({ header: { typ: undefined } }))).not.toThrow();
  });
});

describe('the lifetime', () => {
  test.each([['absent', undefined], ['a string', String(NOW + 60)], ['null', null]])('exp %s is refused', (_name, exp) => {
    expect(refusal(token({ payload: { exp } }))).toBe('the token has no exp claim');
  });

  test('exp up to maxLifetimeSeconds + clockSkewSeconds from now passes, one second more is refused', () => {
    const noIat = { iat: undefined };
    expect(() => check(token({ payload: { ...noIat, exp: NOW + 3600 + 60 } }))).not.toThrow();
    expect(refusal(token({ payload: { ...noIat, exp: NOW + 3600 + 61 } }))).toBe('the token expires more than 3600 s from now');
  });

  test('iat is optional', () => {
    expect(() => check(token({ payload: { iat: undefined } }))).not.toThrow();
  });

  test.each([['a string', String(NOW)], ['null', null], ['a boolean', true]])('iat that is %s is refused', (_name, iat) => {
    expect(refusal(token({ payload: { iat } }))).toBe('the token iat claim is not a number');
  });

  test('iat up to clockSkewSeconds in the future passes, one second more is refused', () => {
    expect(() => check(token({ payload: { iat: NOW + 60, exp: NOW + 600 } }))).not.toThrow();
    expect(refusal(token({ payload: { iat: NOW + 61, exp: NOW + 600 } }))).toBe('the token was issued in the future');
  });

  test('a lifetime (exp - iat) of maxLifetimeSeconds passes, one second more is refused', () => {
    expect(() => check(token({ payload: { iat: NOW - 100, exp: NOW - 100 + 3600 } }))).not.toThrow();
    expect(refusal(token({ payload: { iat: NOW - 100, exp: NOW - 100 + 3601 } }))).toBe('the token lives longer than 3600 s');
  });

  test('a clock skew of 0 allows no skew', () => {
    expect(refusal(token({ payload: { iat: NOW + 1, exp: NOW + 60 } }), {}, { clockSkewSeconds: 0 })).toBe('the token was issued in the future');
    expect(refusal(token({ payload: { iat: undefined, exp: NOW + 3601 } }), {}, { clockSkewSeconds: 0 })).toBe('the token expires more than 3600 s from now');
  });
});

describe('access tokens only', () => {
  test('token_use access passes, and so does a token without token_use', () => {
    expect(() => check(token({ payload: { token_use: 'access' } }))).not.toThrow();
    expect(() => check(token({ payload: { token_use: undefined } }))).not.toThrow();
  });

  test.each(['id', 'refresh', 'Access', ''])('token_use %j is refused', (tokenUse) => {
    expect(refusal(token({ payload: { token_use: tokenUse } }))).toBe('the token is not an access token (token_use)');
  });

  test.each(['nonce', 'at_hash', 'c_hash'])('a token carrying %s, a claim of ID tokens, is refused', (claim) => {
    expect(refusal(token({ payload: { [claim]: 'x' } }))).toBe(`the token carries ${claim}, a claim of ID tokens`);
  });

  test('an ID-token claim is refused even when it is empty or null', () => {
    expect(refusal(token({ payload: { nonce: '' } }))).toBe('the token carries nonce, a claim of ID tokens');
    expect(refusal(token({ payload: { at_hash: null } }))).toBe('the token carries at_hash, a claim of ID tokens');
  });
});

describe('client_id as the audience (Cognito access tokens)', () => {
  const cognito: Partial<JwtIssuerSettings> = { audienceClaim: 'client_id', audience: ['app-1', 'app-2'] };

  test('a client_id among the audiences passes', () => {
    expect(() => check(token({ payload: { aud: undefined, client_id: 'app-2' } }), cognito)).not.toThrow();
  });

  test.each([['another client', 'app-3'], ['absent', undefined], ['an array', ['app-1']], ['a prefix', 'app-']])('client_id %s is refused', (_name, clientId) => {
    expect(refusal(token({ payload: { aud: undefined, client_id: clientId } }), cognito)).toBe('the token client_id is not an allowed audience');
  });

  test('client_id is not checked when the audience is in aud', () => {
    expect(() => check(token({ payload: { client_id: 'anything' } }))).not.toThrow();
  });
});

describe('the signing key', () => {
  test('the minimum is 2048 bits', () => {
    expect(MIN_RSA_MODULUS_BITS).toBe(2048);
  });

  test('an RSA key of 2048 bits passes', () => {
    expect(() => check(token())).not.toThrow();
  });

  test('an RSA key of 3072 bits passes', () => {
    expect(() => check(token({ jwk: rsaJwk(3072) }))).not.toThrow();
  });

  test('an RSA key of 2047 bits is refused, though its modulus is 256 bytes like a 2048-bit one', () => {
    const jwk = rsaJwk(2047);
    expect(Buffer.from(jwk.n as string, 'base64url')).toHaveLength(256);
    expect(refusal(token({ jwk }))).toBe('the signing key is RSA with 2047 bits, under 2048');
  });

  test('an RSA key of 1024 bits is refused', () => {
    expect(refusal(token({ jwk: rsaJwk(1024) }))).toBe('the signing key is RSA with 1024 bits, under 2048');
  });

  test('leading zero bytes in the modulus do not count', () => {
    const n = Buffer.concat([Buffer.alloc(2), Buffer.from(RSA_2048.n as string, 'base64url')]).toString('base64url');
    expect(() => check(token({ jwk: { ...RSA_2048, n } }))).not.toThrow();
    const weak = rsaJwk(1024);
    const padded = Buffer.concat([Buffer.alloc(200), Buffer.from(weak.n as string, 'base64url')]).toString('base64url');
    expect(refusal(token({ jwk: { ...weak, n: padded } }))).toBe('the signing key is RSA with 1024 bits, under 2048');
  });

  test.each([['absent', undefined], ['not a string', 12345], ['empty', ''], ['all zeros', Buffer.alloc(256).toString('base64url')]])('an RSA key whose modulus is %s counts as 0 bits', (_name, n) => {
    expect(refusal(token({ jwk: { kty: 'RSA', e: 'AQAB', n } }))).toBe('the signing key is RSA with 0 bits, under 2048');
  });

  test.each([
    ['P-256', { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) }],
    ['P-384', { ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) }],
    ['Ed25519', { ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) }],
  ])('an %s key passes: the size rule is for RSA only', (_name, jwk) => {
    expect(() => check(token({ header: { alg: 'ES256' }, jwk }))).not.toThrow();
  });
});

describe('the order of the rules', () => {
  test('the first rule broken is reported: header, then lifetime, then access token, then key', () => {
    const everything = token({ header: { crit: ['x'] }, payload: { exp: undefined, nonce: 'n' }, jwk: rsaJwk(1024) });
    expect(refusal(everything)).toBe('the token header has a crit parameter');
    expect(refusal({ ...everything, header: { alg: 'RS256' } })).toBe('the token has no exp claim');
    expect(refusal({ ...everything, header: { alg: 'RS256' }, payload: { exp: NOW + 60, nonce: 'n' } })).toBe('the token carries nonce, a claim of ID tokens');
    expect(refusal({ ...everything, header: { alg: 'RS256' }, payload: { exp: NOW + 60 } })).toBe('the signing key is RSA with 1024 bits, under 2048');
  });
});

describe('token types of the identity-provider presets', () => {
  test('cognito-access requires token_use access: a token without it is refused', () => {
    expect(() => check(token({ payload: { token_use: 'access' } }), { tokenType: 'cognito-access' })).not.toThrow();
    expect(refusal(token(), { tokenType: 'cognito-access' })).toBe('the token is not an access token (token_use)');
    expect(refusal(token({ payload: { token_use: 'id' } }), { tokenType: 'cognito-access' })).toBe('the token is not an access token (token_use)');
    // The generic check lets a token without token_use through: other issuers do not set it.
    expect(() => check(token())).not.toThrow();
  });

  test('keycloak-access requires the typ claim Bearer: Keycloak ID tokens say ID', () => {
    expect(() => check(token({ payload: { typ: 'Bearer' } }), { tokenType: 'keycloak-access' })).not.toThrow();
    expect(refusal(token({ payload: { typ: 'ID' } }), { tokenType: 'keycloak-access' })).toBe('the token is not an access token (typ)');
    expect(refusal(token(), { tokenType: 'keycloak-access' })).toBe('the token is not an access token (typ)');
  });

  test('google-id accepts an ID token (nonce, at_hash) whose email is verified, and nothing else', () => {
    const idToken = { nonce: 'n', at_hash: 'h', email: 'alice@example.com', email_verified: true };
    expect(() => check(token({ payload: idToken }), { tokenType: 'google-id' })).not.toThrow();
    expect(refusal(token({ payload: { ...idToken, email_verified: false } }), { tokenType: 'google-id' })).toBe('the token email_verified claim is not true');
    expect(refusal(token({ payload: { ...idToken, email_verified: 'true' } }), { tokenType: 'google-id' })).toBe('the token email_verified claim is not true');
    // The same token is an ID token to every other token type.
    expect(refusal(token({ payload: idToken }))).toBe('the token carries nonce, a claim of ID tokens');
  });

  test('required claims must be present with exactly their value', () => {
    const issuer = { requiredClaims: { hd: 'example.com', tid: 'tenant-1' } };
    expect(() => check(token({ payload: { hd: 'example.com', tid: 'tenant-1' } }), issuer)).not.toThrow();
    expect(refusal(token({ payload: { hd: 'example.org', tid: 'tenant-1' } }), issuer)).toBe('the token hd claim is not the required value');
    expect(refusal(token({ payload: { hd: 'example.com' } }), issuer)).toBe('the token tid claim is not the required value');
    expect(refusal(token({ payload: { hd: ['example.com'], tid: 'tenant-1' } }), issuer)).toBe('the token hd claim is not the required value');
  });
});

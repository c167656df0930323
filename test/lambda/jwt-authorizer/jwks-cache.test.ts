/**
 * The JWKS cache with a fake issuer (a `Fetcher` that counts calls, and can fail, answer garbage or
 * hold its answer) and a fake clock. The library's penalty box waits with `setTimeout`, so the
 * back-off period runs on jest's fake timers.
 */
import { IssuerKeyLocator } from '../../../lambda/jwt-authorizer/discovery';
import { KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import {
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { DecomposedJwt, decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { ExpiringJwksCache } from '../../../lambda/jwt-authorizer/jwks-cache';
import { createTokenVerifier } from '../../../lambda/jwt-authorizer/verifier';
import type { JwtAuthorizerSettings } from '../../../lambda/shared/constants';

const URI = 'https://issuer.example.com/.well-known/jwks.json';
const OTHER_URI = 'https://other.example.com/.well-known/jwks.json';
const MAX_AGE_SECONDS = 600;
const RETRY_SECONDS = 10;

const K1_PAIR = generateKeyPairSync('rsa', { modulusLength: 2048 });

function publicJwk(kid: string, publicKey: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey): JwkWithKid {
  return { ...publicKey.export({ format: 'jwk' }), kty: 'RSA', kid, alg: 'RS256', use: 'sig' } as JwkWithKid;
}

const K1 = publicJwk('k1', K1_PAIR.publicKey);
const K2 = publicJwk('k2');

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unverified token whose header names `kid` (or no kid); the signature is never checked here. */
function jwt(kid?: string): DecomposedJwt {
  return decomposeUnverifiedJwt(`${b64url({ alg: 'RS256', kid })}.${b64url({ iss: 'https://issuer.example.com', sub: 'x' })}.sig`);
}

const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

/** A fake key set endpoint. */
class FakeIssuer implements Fetcher {
  public readonly calls: string[] = [];
  public keys: JwkWithKid[] = [K1];
  public mode: 'ok' | 'fail' | 'not-json' | 'not-jwks' = 'ok';
  public readonly failure = new Error('connect ECONNREFUSED');
  private gate?: Promise<void>;

  /** Holds every answer until the returned function is called. */
  public hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => { release = resolve; });
    return () => {
      this.gate = undefined;
      release();
    };
  }

  public readonly fetch = async (uri: string): Promise<ArrayBuffer> => {
    this.calls.push(uri);
    await this.gate;
    switch (this.mode) {
      case 'fail':
        throw this.failure;
      case 'not-json':
        return bytes('<html>502 Bad Gateway</html>');
      case 'not-jwks':
        return bytes(JSON.stringify({ key: [] }));
      default:
        return bytes(JSON.stringify({ keys: this.keys }));
    }
  };
}

let issuer: FakeIssuer;
let nowMs: number;
let cache: ExpiringJwksCache;

beforeEach(() => {
  jest.useFakeTimers();
  issuer = new FakeIssuer();
  nowMs = 1_700_000_000_000;
  cache = new ExpiringJwksCache({ maxAgeSeconds: MAX_AGE_SECONDS, retrySeconds: RETRY_SECONDS, fetcher: issuer, now: () => nowMs });
});

afterEach(() => {
  jest.useRealTimers();
});

/** Lets the back-off period (or `ms` of it) pass. */
function wait(ms = RETRY_SECONDS * 1000): void {
  jest.advanceTimersByTime(ms);
}

describe('the first fetch', () => {
  test('concurrent first requests share one fetch', async () => {
    const release = issuer.hold();
    const pending = Array.from({ length: 20 }, () => cache.getJwk(URI, jwt('k1')));
    await Promise.resolve();
    release();
    const jwks = await Promise.all(pending);
    expect(jwks.every((jwk) => jwk.kid === 'k1' && jwk.n === K1.n)).toBe(true);
    expect(issuer.calls).toEqual([URI]);
  });

  test('later requests are served from the cache', async () => {
    await cache.getJwk(URI, jwt('k1'));
    await cache.getJwk(URI, jwt('k1'));
    expect(cache.getCachedJwk(URI, jwt('k1')).kid).toBe('k1');
    expect(issuer.calls).toHaveLength(1);
  });

  test('each key set URI is fetched and cached on its own', async () => {
    await Promise.all([cache.getJwk(URI, jwt('k1')), cache.getJwk(OTHER_URI, jwt('k1')), cache.getJwk(URI, jwt('k1'))]);
    expect(issuer.calls.sort()).toEqual([URI, OTHER_URI].sort());
  });

  test('getJwks fetches the key set, and getJwk then needs no fetch', async () => {
    expect(await cache.getJwks(URI)).toEqual({ keys: [K1] });
    await cache.getJwk(URI, jwt('k1'));
    expect(issuer.calls).toHaveLength(1);
  });

  test('getCachedJwk before any fetch: the library\'s JwksNotAvailableInCacheError', () => {
    expect(() => cache.getCachedJwk(URI, jwt('k1'))).toThrow(JwksNotAvailableInCacheError);
  });
});

describe('failed fetches back off', () => {
  test('the fetcher\'s error propagates, and no fetch happens for retrySeconds; then one is allowed', async () => {
    issuer.mode = 'fail';
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toBe(issuer.failure);
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toThrow(WaitPeriodNotYetEndedJwkError);
    await expect(cache.getJwk(URI, jwt('k2'))).rejects.toThrow(WaitPeriodNotYetEndedJwkError);
    wait(RETRY_SECONDS * 1000 - 1);
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toThrow(WaitPeriodNotYetEndedJwkError);
    expect(issuer.calls).toHaveLength(1);
    wait(1);
    issuer.mode = 'ok';
    expect((await cache.getJwk(URI, jwt('k1'))).kid).toBe('k1');
    expect(issuer.calls).toHaveLength(2);
  });

  test('a fetch that fails again after the back-off starts a new back-off', async () => {
    issuer.mode = 'fail';
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toBe(issuer.failure);
    wait();
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toBe(issuer.failure);
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toThrow(WaitPeriodNotYetEndedJwkError);
    expect(issuer.calls).toHaveLength(2);
  });

  test('concurrent requests during a slow fetch that fails share it, all fail, and the next one backs off', async () => {
    const release = issuer.hold();
    const pending = Array.from({ length: 20 }, () => cache.getJwk(URI, jwt('k1')));
    issuer.mode = 'fail';
    release();
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason === issuer.failure)).toBe(true);
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toThrow(WaitPeriodNotYetEndedJwkError);
    expect(issuer.calls).toHaveLength(1);
  });

  test.each([
    ['not JSON', 'not-json' as const],
    ['JSON but not a key set', 'not-jwks' as const],
  ])('an answer that is %s: the library\'s JwksValidationError, then back-off', async (_name, mode) => {
    issuer.mode = mode;
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toThrow(JwksValidationError);
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toThrow(WaitPeriodNotYetEndedJwkError);
    expect(issuer.calls).toHaveLength(1);
  });

  test('a failing key set URI does not hold back another', async () => {
    issuer.mode = 'fail';
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toBe(issuer.failure);
    issuer.mode = 'ok';
    expect((await cache.getJwk(OTHER_URI, jwt('k1'))).kid).toBe('k1');
  });

  test('a key that is already cached is served while its URI backs off', async () => {
    await cache.getJwk(URI, jwt('k1'));
    issuer.mode = 'fail';
    await expect(cache.getJwk(URI, jwt('k2'))).rejects.toBe(issuer.failure);
    expect((await cache.getJwk(URI, jwt('k1'))).kid).toBe('k1');
    expect(issuer.calls).toHaveLength(2);
  });
});

describe('unknown kids', () => {
  test('an unknown kid causes one refetch, then back-off; known kids are still served', async () => {
    await cache.getJwk(URI, jwt('k1'));
    await expect(cache.getJwk(URI, jwt('unknown-1'))).rejects.toThrow(KidNotFoundInJwksError);
    expect(issuer.calls).toHaveLength(2);
    await expect(cache.getJwk(URI, jwt('unknown-2'))).rejects.toThrow(WaitPeriodNotYetEndedJwkError);
    expect((await cache.getJwk(URI, jwt('k1'))).kid).toBe('k1');
    expect(issuer.calls).toHaveLength(2);
    wait();
    await expect(cache.getJwk(URI, jwt('unknown-3'))).rejects.toThrow(KidNotFoundInJwksError);
    expect(issuer.calls).toHaveLength(3);
  });

  test('a flood of 50 unknown kids at once causes at most one fetch', async () => {
    await cache.getJwk(URI, jwt('k1'));
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => cache.getJwk(URI, jwt(`unknown-${i}`))));
    expect(outcomes.every((outcome) => outcome.status === 'rejected'
      && (outcome.reason instanceof KidNotFoundInJwksError || outcome.reason instanceof WaitPeriodNotYetEndedJwkError))).toBe(true);
    expect(issuer.calls.length).toBeLessThanOrEqual(2);
    await expect(cache.getJwk(URI, jwt('unknown-x'))).rejects.toThrow(WaitPeriodNotYetEndedJwkError);
    expect(issuer.calls.length).toBeLessThanOrEqual(2);
  });

  test('a key the issuer rotated in is found by the refetch', async () => {
    await cache.getJwk(URI, jwt('k1'));
    issuer.keys = [K1, K2];
    expect((await cache.getJwk(URI, jwt('k2'))).n).toBe(K2.n);
    expect(issuer.calls).toHaveLength(2);
  });
});

describe('the maximum age', () => {
  test('the key set is fetched again once maxAgeSeconds have passed, not before', async () => {
    await cache.getJwk(URI, jwt('k1'));
    nowMs += MAX_AGE_SECONDS * 1000 - 1;
    await cache.getJwk(URI, jwt('k1'));
    expect(issuer.calls).toHaveLength(1);
    nowMs += 1;
    await cache.getJwk(URI, jwt('k1'));
    expect(issuer.calls).toHaveLength(2);
    await cache.getJwk(URI, jwt('k1'));
    expect(issuer.calls).toHaveLength(2);
  });

  test('a key the issuer removed is trusted until the key set is too old, then no more', async () => {
    issuer.keys = [K1, K2];
    await cache.getJwk(URI, jwt('k1'));
    issuer.keys = [K2];
    nowMs += MAX_AGE_SECONDS * 1000 - 1;
    expect((await cache.getJwk(URI, jwt('k1'))).kid).toBe('k1');
    nowMs += 1;
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toThrow(KidNotFoundInJwksError);
    expect(issuer.calls).toHaveLength(2);
    expect((await cache.getJwk(URI, jwt('k2'))).kid).toBe('k2');
    expect(issuer.calls).toHaveLength(2);
  });

  test('while the refetch of a key set that is too old fails, even a key that was cached is refused', async () => {
    await cache.getJwk(URI, jwt('k1'));
    issuer.mode = 'fail';
    nowMs += MAX_AGE_SECONDS * 1000;
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toBe(issuer.failure);
    await expect(cache.getJwk(URI, jwt('k1'))).rejects.toThrow(WaitPeriodNotYetEndedJwkError);
    expect(() => cache.getCachedJwk(URI, jwt('k1'))).toThrow(JwksNotAvailableInCacheError);
    issuer.mode = 'ok';
    wait();
    expect((await cache.getJwk(URI, jwt('k1'))).kid).toBe('k1');
    expect(issuer.calls).toHaveLength(3);
  });

  test('the age counts from the first fetch of a key set, not from refetches for unknown kids', async () => {
    await cache.getJwk(URI, jwt('k1'));
    nowMs += (MAX_AGE_SECONDS * 1000) / 2;
    await expect(cache.getJwk(URI, jwt('unknown'))).rejects.toThrow(KidNotFoundInJwksError);
    expect(issuer.calls).toHaveLength(2);
    wait();
    nowMs += (MAX_AGE_SECONDS * 1000) / 2;
    await cache.getJwk(URI, jwt('k1'));
    expect(issuer.calls).toHaveLength(3);
  });

  test('a key set added with addJwks is served without a fetch, and ages out like a fetched one', async () => {
    cache.addJwks(URI, { keys: [K2] });
    expect((await cache.getJwk(URI, jwt('k2'))).kid).toBe('k2');
    expect(cache.getCachedJwk(URI, jwt('k2')).kid).toBe('k2');
    expect(issuer.calls).toHaveLength(0);
    nowMs += MAX_AGE_SECONDS * 1000;
    await expect(cache.getJwk(URI, jwt('k2'))).rejects.toThrow(KidNotFoundInJwksError);
    expect(issuer.calls).toEqual([URI]);
  });
});

describe('the library\'s own errors', () => {
  test('a token without a kid: JwtWithoutValidKidError, and no fetch', async () => {
    await expect(cache.getJwk(URI, jwt())).rejects.toThrow(JwtWithoutValidKidError);
    expect(() => cache.getCachedJwk(URI, jwt())).toThrow(JwtWithoutValidKidError);
    expect(issuer.calls).toHaveLength(0);
  });

  // Only a failed fetch starts a back-off. A token with no `kid` is refused before any fetch; if it
  // started one, anyone could send such tokens (unsigned, with a configured `iss`) to keep the
  // issuer's key set from being fetched, and every legitimate token whose key is not cached yet
  // (a cold start, a key set past its maximum age, a rotated key) would be refused.
  test('a token without a kid does not make the next legitimate token back off', async () => {
    await expect(cache.getJwk(URI, jwt())).rejects.toThrow(JwtWithoutValidKidError);
    expect((await cache.getJwk(URI, jwt('k1'))).kid).toBe('k1');
    expect(issuer.calls).toEqual([URI]);
  });

  // The impact it would have: one token without a kid a second would keep the refetch of a key set
  // past its maximum age from ever happening.
  test('a flood of tokens without a kid does not stop the refetch of a key set past its maximum age', async () => {
    await cache.getJwk(URI, jwt('k1'));
    nowMs += MAX_AGE_SECONDS * 1000;
    for (let second = 0; second < 3 * RETRY_SECONDS; second++) {
      await expect(cache.getJwk(URI, jwt())).rejects.toThrow(JwtWithoutValidKidError);
      wait(1000);
    }
    await expect(cache.getJwk(URI, jwt())).rejects.toThrow(JwtWithoutValidKidError);
    expect((await cache.getJwk(URI, jwt('k1'))).kid).toBe('k1');
    expect(issuer.calls).toHaveLength(2);
  });
});

describe('the refresh after the maximum age', () => {
  test('is not held back by a back-off that tokens with unknown kids keep armed', async () => {
    await cache.getJwk(URI, jwt('k1'));
    await expect(cache.getJwk(URI, jwt('forged'))).rejects.toThrow(KidNotFoundInJwksError);
    nowMs += MAX_AGE_SECONDS * 1000;
    // The attacker's back-off (RETRY_SECONDS) is still running, but the refresh is due.
    expect((await cache.getJwk(URI, jwt('k1'))).kid).toBe('k1');
    expect(issuer.calls).toHaveLength(3);
  });
});

describe('through the verifier', () => {
  const ISSUER = 'https://issuer.example.com';
  const settings: JwtAuthorizerSettings = {
    issuers: [{ issuer: ISSUER, audience: ['https://api.example.com'], audienceClaim: 'aud', jwksUri: URI, scopeClaims: ['scope'], groupClaims: [], scopes: [], groups: [], requireAccessTokenType: false, discovery: false, tokenType: 'access', requiredClaims: {} }],
    plan: { scopes: [], groups: [], routes: [], reachers: [], ownDenyHits: [], belowDenyHits: [], narrowings: [], groupCandidates: [] },
    limits: { maxTokenBytes: 8192, maxLifetimeSeconds: 3600, clockSkewSeconds: 60, jwksMaxAgeSeconds: MAX_AGE_SECONDS, jwksTimeoutMs: 1000, jwksRetrySeconds: RETRY_SECONDS },
    metricsNamespace: 'SecureApi/Test',
  };

  /** A token signed with k1's private key; `kid: undefined` leaves the kid out. */
  function signed(header: Record<string, unknown> = { kid: 'k1' }, privateKey: KeyObject = K1_PAIR.privateKey): string {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64url({ alg: 'RS256', ...header })}.${b64url({ iss: ISSUER, aud: 'https://api.example.com', sub: 'alice', iat: now, exp: now + 300 })}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  }

  test('a valid token verifies with one fetch', async () => {
    const verify = createTokenVerifier(settings, cache, new IssuerKeyLocator({ fetcher: issuer, retrySeconds: RETRY_SECONDS }));
    expect((await verify(signed())).payload.sub).toBe('alice');
    expect(issuer.calls).toEqual([URI]);
  });

  test('a key replaced under the same kid stops verifying once the key set is past its maximum age', async () => {
    const verify = createTokenVerifier(settings, cache, new IssuerKeyLocator({ fetcher: issuer, retrySeconds: RETRY_SECONDS }));
    expect((await verify(signed())).payload.sub).toBe('alice');
    const replacement = generateKeyPairSync('rsa', { modulusLength: 2048 });
    issuer.keys = [publicJwk('k1', replacement.publicKey)];
    nowMs += MAX_AGE_SECONDS * 1000;
    // Signed with the removed key: refused, although its kid is still published.
    await expect(verify(signed())).rejects.toThrow('Invalid signature');
    expect((await verify(signed({ kid: 'k1' }, replacement.privateKey))).payload.sub).toBe('alice');
    expect(issuer.calls).toHaveLength(2);
  });

  // The same, through the verifier: the token without a kid needs no valid signature.
  test('an unsigned token without a kid, sent first, does not get the next valid token refused', async () => {
    const verify = createTokenVerifier(settings, cache, new IssuerKeyLocator({ fetcher: issuer, retrySeconds: RETRY_SECONDS }));
    await expect(verify(`${b64url({ alg: 'RS256' })}.${b64url({ iss: ISSUER, sub: 'mallory' })}.c2ln`)).rejects.toThrow(JwtWithoutValidKidError);
    expect((await verify(signed())).payload.sub).toBe('alice');
  });
});

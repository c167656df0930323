import type { Fetcher } from 'aws-jwt-verify/https';
import { FetchError } from 'aws-jwt-verify/error';
import { IssuerKeyLocator } from '../../../lambda/jwt-authorizer/discovery';
import type { JwtIssuerSettings } from '../../../lambda/shared/constants';

const ISSUER = 'https://login.example.com/tenant';
const DOCUMENT_URI = `${ISSUER}/.well-known/openid-configuration`;
const RETRY_SECONDS = 10;

const settings = (change: Partial<JwtIssuerSettings> = {}): JwtIssuerSettings => ({
  issuer: ISSUER,
  audience: ['https://api.example.com'],
  audienceClaim: 'aud',
  discovery: true,
  tokenType: 'access',
  requiredClaims: {},
  scopeClaims: ['scope'],
  groupClaims: [],
  scopes: [],
  groups: [],
  requireAccessTokenType: false,
  ...change,
});

/** An issuer that serves `document` (as JSON, or as it is when a string) and counts the fetches. */
class FakeIssuer implements Fetcher {
  public calls: string[] = [];
  constructor(public document: unknown) {}
  public async fetch(uri: string): Promise<ArrayBuffer> {
    this.calls.push(uri);
    if (this.document instanceof Error) {
      throw this.document;
    }
    const body = Buffer.from(typeof this.document === 'string' ? this.document : JSON.stringify(this.document));
    return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  }
}

let nowMs: number;
const locator = (issuer: FakeIssuer) => new IssuerKeyLocator({ fetcher: issuer, retrySeconds: RETRY_SECONDS, now: () => nowMs });

beforeEach(() => {
  nowMs = 1_700_000_000_000;
});

describe('IssuerKeyLocator', () => {
  test('a configured jwksUri is used as it is, without a fetch', async () => {
    const issuer = new FakeIssuer({});
    await expect(locator(issuer).jwksUri(settings({ discovery: false, jwksUri: 'https://keys.example.com/jwks' }))).resolves.toBe('https://keys.example.com/jwks');
    expect(issuer.calls).toEqual([]);
  });

  test('discovery reads jwks_uri from <issuer>/.well-known/openid-configuration once, concurrent first tokens sharing the fetch', async () => {
    const issuer = new FakeIssuer({ issuer: ISSUER, jwks_uri: 'https://login.example.com/keys' });
    const keys = locator(issuer);
    const found = await Promise.all([keys.jwksUri(settings()), keys.jwksUri(settings()), keys.jwksUri(settings())]);
    expect(found).toEqual(Array(3).fill('https://login.example.com/keys'));
    nowMs += 86_400_000;
    await keys.jwksUri(settings());
    expect(issuer.calls).toEqual([DOCUMENT_URI]);
  });

  test('a trailing slash of the issuer is not doubled in the document URI', async () => {
    const issuer = new FakeIssuer({ issuer: `${ISSUER}/`, jwks_uri: 'https://login.example.com/keys' });
    await locator(issuer).jwksUri(settings({ issuer: `${ISSUER}/` }));
    expect(issuer.calls).toEqual([DOCUMENT_URI]);
  });

  test.each([
    ['names another issuer', { issuer: 'https://evil.example.com', jwks_uri: 'https://evil.example.com/keys' }, 'the discovery document names another issuer'],
    ['has a plain-HTTP key set', { issuer: ISSUER, jwks_uri: 'http://login.example.com/keys' }, 'the discovery document has no https:// jwks_uri'],
    ['has no key set', { issuer: ISSUER }, 'the discovery document has no https:// jwks_uri'],
    ['is not JSON', '<html>', 'the discovery document is not JSON'],
    ['is JSON null', 'null', 'the discovery document names another issuer'],
  ])('a document that %s is refused (a FetchError: the token is refused, not a fault)', async (_, document, message) => {
    const promise = locator(new FakeIssuer(document)).jwksUri(settings());
    await expect(promise).rejects.toThrow(message);
    await expect(promise).rejects.toBeInstanceOf(FetchError);
  });

  test('after a failure, no fetch for retrySeconds; then one more attempt', async () => {
    const issuer = new FakeIssuer(new FetchError(DOCUMENT_URI, 'down'));
    const keys = locator(issuer);
    await expect(keys.jwksUri(settings())).rejects.toThrow('down');
    nowMs += RETRY_SECONDS * 1000 - 1;
    await expect(keys.jwksUri(settings())).rejects.toThrow('down');
    expect(issuer.calls).toHaveLength(1);
    issuer.document = { issuer: ISSUER, jwks_uri: 'https://login.example.com/keys' };
    nowMs += 1;
    await expect(keys.jwksUri(settings())).resolves.toBe('https://login.example.com/keys');
    expect(issuer.calls).toHaveLength(2);
  });
});

import type { Fetcher } from 'aws-jwt-verify/https';
import { JwksCache, Jwks, JwkWithKid, PenaltyBox, SimpleJwksCache, SimplePenaltyBox } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';

/** How the {@link ExpiringJwksCache} fetches and keeps key sets. */
export interface JwksCacheOptions {
  /** Key sets older than this are fetched again, so keys the issuer removed stop being trusted. */
  readonly maxAgeSeconds: number;
  /** After a failed fetch or an unknown `kid`, no fetch of the same URI for this long. */
  readonly retrySeconds: number;
  /** Fetches a key set: one attempt, bounded in time and size (see `issuerFetcher`). */
  readonly fetcher: Fetcher;
  /** The clock, in milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** aws-jwt-verify's own key-set parser (UTF-8, safe JSON, JWKS shape), which it does not export. */
const parseJwks = new SimpleJwksCache().jwksParser;

interface Generation {
  readonly cache: SimpleJwksCache;
  fetchedAt?: number;
}

/**
 * A JWKS cache for aws-jwt-verify that adds what its `SimpleJwksCache` leaves out:
 * - a maximum age: a key set is fetched again once it is older (a pending back-off does not delay
 *   that fetch), and while it fails no token verifies (removed keys are not trusted on the strength
 *   of a stale copy);
 * - back-off after *failed fetches* too (the library backs off only after unknown `kid`s), so a
 *   flood of tokens while the issuer is down or slow does not become a flood of fetches;
 * - one attempt per fetch, bounded in time and size (the fetcher's limits).
 *
 * Concurrent requests for a key set that is not cached share one fetch (the library's own
 * de-duplication). Key sets are fetched only from the URIs the authorizer was configured with:
 * aws-jwt-verify never follows `jku` or `x5u` headers.
 */
export class ExpiringJwksCache implements JwksCache {
  private readonly generations = new Map<string, Generation>();
  private readonly penaltyBox: PenaltyBox;
  private readonly fetcher: Fetcher;
  private readonly now: () => number;

  constructor(private readonly options: JwksCacheOptions) {
    this.penaltyBox = new SimplePenaltyBox({ waitSeconds: options.retrySeconds });
    this.fetcher = options.fetcher;
    this.now = options.now ?? Date.now;
  }

  public getJwk(jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    return this.current(jwksUri).cache.getJwk(jwksUri, decomposedJwt);
  }

  public getCachedJwk(jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    return this.current(jwksUri).cache.getCachedJwk(jwksUri, decomposedJwt);
  }

  public addJwks(jwksUri: string, jwks: Jwks): void {
    const generation = this.current(jwksUri);
    generation.cache.addJwks(jwksUri, jwks);
    generation.fetchedAt ??= this.now();
  }

  public getJwks(jwksUri: string): Promise<Jwks> {
    return this.current(jwksUri).cache.getJwks(jwksUri);
  }

  /** The URI's generation of cached keys, replaced by an empty one once it is too old. */
  private current(jwksUri: string): Generation {
    const existing = this.generations.get(jwksUri);
    if (existing && (existing.fetchedAt === undefined || this.now() - existing.fetchedAt < this.options.maxAgeSeconds * 1000)) {
      return existing;
    }
    if (existing) {
      // The key set expired: its refresh is due now. A back-off that tokens with unknown `kid`s keep
      // armed must not hold it back, or every caller would be refused until the back-off ends.
      this.penaltyBox.registerSuccessfulAttempt(jwksUri, '');
    }
    // Only a fetch that fails, or brings no valid key set, starts a back-off: a token without a
    // `kid`, or with a malformed header, is refused before any fetch and must not block the next one.
    const failed = (error: unknown): never => {
      this.penaltyBox.registerFailedAttempt(jwksUri, '');
      throw error;
    };
    const generation: Generation = {
      cache: new SimpleJwksCache({
        penaltyBox: this.penaltyBox,
        fetcher: { fetch: (uri, requestOptions, data) => this.fetcher.fetch(uri, requestOptions, data).catch(failed) },
        jwksParser: (body) => {
          let jwks: Jwks;
          try {
            jwks = parseJwks(body);
          } catch (error) {
            return failed(error);
          }
          // The maximum age counts from the first key set that parsed.
          generation.fetchedAt ??= this.now();
          return jwks;
        },
      }),
    };
    this.generations.set(jwksUri, generation);
    return generation;
  }
}

import type { Fetcher } from 'aws-jwt-verify/https';
import { FetchError } from 'aws-jwt-verify/error';
import { safeJsonParse } from 'aws-jwt-verify/safe-json-parse';
import { JwtIssuerSettings, OIDC_DISCOVERY_PATH } from '../shared/constants';

/** How the {@link IssuerKeyLocator} fetches discovery documents. */
export interface DiscoveryOptions {
  readonly fetcher: Fetcher;
  /** After a failed discovery, no new attempt for the same issuer for this long. */
  readonly retrySeconds: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly now?: () => number;
}

/**
 * Where each issuer's signing keys are: its configured `jwksUri`, or, for an issuer with
 * `discovery`, the `jwks_uri` of its OpenID Connect discovery document. The document is fetched
 * once, at the first token of the issuer after a cold start (concurrent first tokens share the
 * fetch), from `<issuer>/.well-known/openid-configuration` only; it must name the same issuer (OIDC
 * Discovery 1.0, section 4.3) and an `https://` key set. After a failure, tokens of the issuer are
 * refused without a fetch for `retrySeconds`.
 */
export class IssuerKeyLocator {
  private readonly found = new Map<string, { readonly uri: Promise<string>; failedAt?: number }>();
  private readonly now: () => number;

  constructor(private readonly options: DiscoveryOptions) {
    this.now = options.now ?? Date.now;
  }

  public jwksUri(issuer: JwtIssuerSettings): Promise<string> {
    if (issuer.jwksUri !== undefined) {
      return Promise.resolve(issuer.jwksUri);
    }
    const cached = this.found.get(issuer.issuer);
    if (cached && (cached.failedAt === undefined || this.now() - cached.failedAt < this.options.retrySeconds * 1000)) {
      return cached.uri;
    }
    const entry: { uri: Promise<string>; failedAt?: number } = { uri: this.discover(issuer.issuer) };
    entry.uri.catch(() => {
      entry.failedAt = this.now();
    });
    this.found.set(issuer.issuer, entry);
    return entry.uri;
  }

  private async discover(issuer: string): Promise<string> {
    const location = `${issuer.replace(/\/$/, '')}${OIDC_DISCOVERY_PATH}`;
    const body = await this.options.fetcher.fetch(location);
    let document: unknown;
    try {
      document = safeJsonParse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      throw new FetchError(location, 'the discovery document is not JSON');
    }
    const { issuer: named, jwks_uri: jwksUri } = (document ?? {}) as Record<string, unknown>;
    if (named !== issuer) {
      throw new FetchError(location, 'the discovery document names another issuer');
    }
    if (typeof jwksUri !== 'string' || !jwksUri.startsWith('https://')) {
      throw new FetchError(location, 'the discovery document has no https:// jwks_uri');
    }
    return jwksUri;
  }
}

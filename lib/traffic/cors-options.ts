import { Duration } from 'aws-cdk-lib';

/**
 * Cross-origin resource sharing (CORS) for the browser pages of other origins that call a
 * `SecureRestApi`.
 *
 * The API answers preflights (`OPTIONS`) itself, on every path that has a route, with 204 whatever
 * the origin (a refused origin gets no `Access-Control-Allow-Origin`), and puts the CORS headers on
 * its gateway responses (401, 403, 429, 5xx), so a page can read those. With one allowed origin it
 * is written as it is; with several, a preflight names the request's origin only when it is one of
 * them, and a gateway response reflects the request's origin without
 * `Access-Control-Allow-Credentials` (its body is a fixed, generic message). An `ApiFirewall`'s own
 * 403 and 429 carry the origin when there is one.
 *
 * Responses of Lambda proxy integrations carry only the headers the function returns: the settings
 * reach the function as the stage variables `secureApiCorsOrigins`, `secureApiCorsCredentials` and
 * `secureApiCorsExposeHeaders`, which `corsHeaders()` of `lambda/shared/response-headers/cors.ts`
 * turns into the headers.
 */
export interface CorsOptions {
  /**
   * The origins whose pages may call the API: each exactly `https://host` or `https://host:port`
   * (lower case, no path, no trailing slash, no default port; DNS names or IPv4 addresses), or
   * `['*']` alone for any origin, which is refused with `allowCredentials` or with the
   * `Authorization` header in `allowHeaders` (which holds it by default).
   */
  readonly allowOrigins: string[];

  /**
   * The request headers a page may send.
   *
   * @default ['Content-Type', 'Authorization', 'X-Api-Key', 'X-Amz-Date', 'X-Amz-Security-Token']
   */
  readonly allowHeaders?: string[];

  /**
   * The response headers, beyond the CORS-safelisted ones, that a page may read.
   *
   * @default - none
   */
  readonly exposeHeaders?: string[];

  /**
   * Whether browsers may send credentials (cookies, TLS client certificates) and let the page read
   * the response. Refused with the origin `*`.
   *
   * @default false
   */
  readonly allowCredentials?: boolean;

  /**
   * How long a browser may cache a preflight's answer: from 0 seconds to 2 hours, the most
   * Chromium keeps one.
   *
   * @default Duration.minutes(10)
   */
  readonly maxAge?: Duration;

  /**
   * Whether `http://` origins, such as `http://localhost:3000` of a development environment, are
   * accepted. An `http://` page can be impersonated by anyone on its network, so this is an
   * explicit choice, for development environments only.
   *
   * @default false
   */
  readonly allowInsecureOrigins?: boolean;
}

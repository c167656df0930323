/**
 * The CORS headers of a Lambda proxy response. API Gateway cannot add headers to a proxy
 * integration's response, so a backend behind a `SecureRestApi` with `cors` adds them itself, from
 * the settings the API puts in its stage variables (`CORS_STAGE_VARIABLES`):
 *
 * ```ts
 * const headers = { ...jsonHeaders, ...corsHeaders(event.headers?.origin ?? event.headers?.Origin, event.stageVariables) };
 * ```
 *
 * Pure and total: missing or malformed input gives no CORS headers (the browser then refuses the
 * response to the page), never an error.
 */
import { CORS_ANY_ORIGIN, CORS_HEADERS, CORS_STAGE_VARIABLES, ORIGIN_HEADER } from '../constants';

/** The most origins read from the stage variable (it holds at most 512 characters). */
const MAX_ORIGINS = 256;

/**
 * The CORS headers for a request from `requestOrigin` (its `Origin` header):
 * - `Access-Control-Allow-Origin` only when the origin is exactly one of the allowed ones (or `*`
 *   when any origin is allowed), with `Access-Control-Allow-Credentials` and
 *   `Access-Control-Expose-Headers` when the API sets them;
 * - `Vary: Origin` whenever the answer depends on the origin, even for an origin that is refused,
 *   so a cache does not serve one origin's response to another.
 *
 * @param requestOrigin the request's `Origin` header, if any
 * @param stageVariables the event's `stageVariables`
 */
export function corsHeaders(requestOrigin: unknown, stageVariables: unknown): Record<string, string> {
  if (stageVariables === null || typeof stageVariables !== 'object') {
    return {};
  }
  const variables = stageVariables as Record<string, unknown>;
  const origins = stringVariable(variables, CORS_STAGE_VARIABLES.origins);
  if (origins === undefined) {
    return {};
  }
  const exposeHeaders = stringVariable(variables, CORS_STAGE_VARIABLES.exposeHeaders);
  const expose: Record<string, string> = exposeHeaders ? { [CORS_HEADERS.exposeHeaders]: exposeHeaders } : {};
  if (origins === CORS_ANY_ORIGIN) {
    // The API refuses credentials with any origin, so none are allowed here either.
    return { [CORS_HEADERS.allowOrigin]: '*', ...expose };
  }
  const vary = { [CORS_HEADERS.vary]: ORIGIN_HEADER };
  const allowed = origins.split(',', MAX_ORIGINS);
  if (typeof requestOrigin !== 'string' || requestOrigin === '' || !allowed.includes(requestOrigin)) {
    return vary;
  }
  const credentials: Record<string, string> = stringVariable(variables, CORS_STAGE_VARIABLES.credentials) === 'true'
    ? { [CORS_HEADERS.allowCredentials]: 'true' } : {};
  return { [CORS_HEADERS.allowOrigin]: requestOrigin, ...credentials, ...expose, ...vary };
}

/** A stage variable that is a non-empty string, read as an own property only. */
function stringVariable(variables: Record<string, unknown>, name: string): string | undefined {
  const value = Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

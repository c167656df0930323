import { corsHeaders } from './cors';
import { StageVariables, deprecationHeaders } from './deprecation';

export { corsHeaders } from './cors';
export { deprecationHeaders } from './deprecation';
export type { StageVariables } from './deprecation';

/** What a response needs for its headers to be merged: API Gateway's proxy result shape. */
export interface ResultWithHeaders {
  readonly statusCode: number;
  readonly headers?: { readonly [name: string]: string | number | boolean };
  readonly multiValueHeaders?: { readonly [name: string]: ReadonlyArray<string | number | boolean> };
}

/** What of the request the headers depend on: API Gateway's proxy event shape. */
export interface RequestWithStageVariables {
  readonly stageVariables?: StageVariables | null;
  readonly headers?: { readonly [name: string]: string | undefined } | null;
}

/**
 * The headers the API adds to a handler's response, merged into `result`: the CORS headers for the
 * request's `Origin` (when the API has `cors`) and a deprecated version's `Deprecation`, `Sunset`
 * and `Link`. API Gateway cannot add headers to a proxy integration's response, so the API passes
 * its settings in stage variables and the handler adds them with this. A header the handler set
 * itself, in any letter case, is kept. Never throws: malformed input adds nothing.
 */
export function withApiResponseHeaders<T extends ResultWithHeaders>(event: RequestWithStageVariables, result: T): T {
  if (result === null || typeof result !== 'object') {
    return result;
  }
  const added = { ...corsHeaders(originOf(event?.headers), event?.stageVariables), ...deprecationHeaders(event?.stageVariables) };
  const given = result.headers ?? {};
  // A header set in either map, in any letter case, is the handler's: API Gateway would send both.
  const taken = new Set([...Object.keys(given), ...Object.keys(result.multiValueHeaders ?? {})].map((name) => name.toLowerCase()));
  const missing = Object.entries(added).filter(([name]) => !taken.has(name.toLowerCase()));
  if (missing.length === 0) {
    return result;
  }
  return { ...result, headers: { ...given, ...Object.fromEntries(missing) } };
}

/** The request's `Origin` header, in any letter case (API Gateway keeps the client's case). */
function originOf(headers: RequestWithStageVariables['headers']): string | undefined {
  if (headers === null || typeof headers !== 'object') {
    return undefined;
  }
  const name = Object.keys(headers).find((header) => header.toLowerCase() === 'origin');
  return name === undefined ? undefined : headers[name];
}

import { StageVariables, deprecationHeaders } from './deprecation';

export { deprecationHeaders } from './deprecation';
export type { StageVariables } from './deprecation';

/** What a response needs for its headers to be merged: API Gateway's proxy result shape. */
export interface ResultWithHeaders {
  readonly statusCode: number;
  readonly headers?: { readonly [name: string]: string | number | boolean };
}

/**
 * The headers the API adds to a handler's response (a deprecated version's `Deprecation`, `Sunset`
 * and `Link`), merged into `result`. A header the handler set itself, in any letter case, is kept.
 * Never throws: malformed stage variables add nothing.
 */
export function withApiResponseHeaders<T extends ResultWithHeaders>(event: { readonly stageVariables?: StageVariables }, result: T): T {
  const added = deprecationHeaders(event?.stageVariables);
  const given = result.headers ?? {};
  const taken = new Set(Object.keys(given).map((name) => name.toLowerCase()));
  const missing = Object.entries(added).filter(([name]) => !taken.has(name.toLowerCase()));
  if (missing.length === 0) {
    return result;
  }
  return { ...result, headers: { ...given, ...Object.fromEntries(missing) } };
}

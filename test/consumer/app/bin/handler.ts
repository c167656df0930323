/**
 * A user's Lambda proxy backend behind a `SecureRestApi` with `cors` or `deprecation`: API Gateway
 * cannot add headers to a proxy response, so the handler adds the API's (from its stage variables)
 * with the package's `secure-api-gateway/response-headers`, which has no dependencies.
 */
import { withApiResponseHeaders } from 'secure-api-gateway/response-headers';

/** The part of API Gateway's proxy event the headers depend on. */
export interface ProxyEvent {
  readonly stageVariables?: Record<string, string> | null;
  readonly headers?: Record<string, string | undefined> | null;
}

export async function handler(event: ProxyEvent) {
  return withApiResponseHeaders(event, { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"orders":[]}' });
}

import { SECURITY_HEADERS } from './constants';

/** A response in the shape API Gateway's Lambda proxy integration expects. */
export interface ProxyResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A JSON response with the library's security headers. */
export function jsonResponse(statusCode: number, body: unknown): ProxyResponse {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...SECURITY_HEADERS },
    body: JSON.stringify(body),
  };
}

/** The largest request body a handler parses; API Gateway's own limit is 10 MB. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Why a body could not be parsed. */
export class BodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * Parses an untrusted JSON body: bounded in size, and with `__proto__`, `constructor` and
 * `prototype` keys dropped so the result cannot pollute prototypes when merged into other objects.
 */
export function parseJsonBody(body: string | null | undefined, isBase64Encoded = false): unknown {
  if (body === null || body === undefined || body === '') {
    throw new BodyError('the request has no body');
  }
  // Bound the encoded size first, so an oversized body is never decoded.
  if (isBase64Encoded && body.length > Math.ceil(MAX_BODY_BYTES / 3) * 4) {
    throw new BodyError(`the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new BodyError(`the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(text, (key, value) => (key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : value));
  } catch {
    throw new BodyError('the body is not valid JSON');
  }
}

import { request } from 'node:https';
import { FetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';

/** Limits on a fetch from an issuer. */
export interface IssuerFetchLimits {
  /** The whole exchange takes at most this long. */
  readonly timeoutMs: number;
  /** A larger response fails, and is not read further. */
  readonly maxBytes: number;
  /** Certificate authorities to trust instead of Node.js's. @default - Node.js's (and NODE_EXTRA_CA_CERTS) */
  readonly ca?: string;
}

/**
 * Fetches issuer documents (key sets, discovery documents) over HTTPS only, in one attempt, with a
 * time limit on the whole exchange and a size limit checked as the body arrives, so a hostile or
 * broken endpoint can neither hold the function nor fill its memory (aws-jwt-verify's own fetch has
 * no size limit).
 */
export function issuerFetcher(limits: IssuerFetchLimits): Fetcher {
  return {
    fetch: (uri) => new Promise<ArrayBuffer>((resolve, reject) => {
      if (!uri.startsWith('https://')) {
        throw new FetchError(uri, 'Not an https:// URL');
      }
      const fail = (why: string): void => {
        clearTimeout(timer);
        req.destroy();
        reject(new FetchError(uri, why));
      };
      const chunks: Buffer[] = [];
      let bytes = 0;
      const req = request(uri, { ca: limits.ca }, (response) => {
        if (response.statusCode !== 200) {
          return fail(`Status code is ${response.statusCode}, expected 200`);
        }
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if ((bytes += chunk.length) > limits.maxBytes) {
            fail(`Response over ${limits.maxBytes} bytes`);
          }
        });
        // A connection closed before the body ended fails now, not at the time limit.
        response.on('aborted', () => fail('Response aborted'));
        response.on('error', (error) => fail(error.message));
        response.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks);
          resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
        });
      });
      const timer = setTimeout(() => fail(`Response time-out (after ${limits.timeoutMs} ms.)`), limits.timeoutMs);
      req.on('error', (error) => fail(error.message));
      req.end();
    }),
  };
}

/**
 * SigV4 signing for the prober, with @smithy/signature-v4 (the signer the AWS SDK uses) on
 * Node.js's own SHA-256 and HMAC.
 */
import { createHash, createHmac, Hash, Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, SourceData } from '@smithy/types';

/** SHA-256 for the signer, on Node.js's crypto (HMAC-SHA-256 when given a secret). */
export class Sha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  public update(data: Uint8Array): void {
    this.hash.update(toBuffer(data));
  }

  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  public reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
}

/** What a request to sign is made of; the path is signed exactly as it will be sent. */
export interface RequestToSign {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/**
 * The headers of `request` signed with SigV4 for `service` in `region`, without `host` (which
 * fetch sets itself, to the value signed).
 */
export async function signedHeaders(request: RequestToSign, service: string, region: string, credentials: AwsCredentialIdentity, signingDate?: Date): Promise<Record<string, string>> {
  // No x-amz-content-sha256 header: only S3 wants it (the SDK leaves it out for other services too).
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    path: request.url.pathname,
    query: Object.fromEntries(request.url.searchParams),
    headers: { ...request.headers, host: request.url.host },
    body: request.body,
  }, { signingDate });
  const { host: _host, ...headers } = signed.headers;
  return headers;
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') {
    return Buffer.from(data, 'utf8');
  }
  if (ArrayBuffer.isView(data)) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  return Buffer.from(data);
}

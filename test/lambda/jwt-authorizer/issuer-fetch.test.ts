import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { FetchError } from 'aws-jwt-verify/error';
import { generate } from 'selfsigned';
import { issuerFetcher } from '../../../lambda/jwt-authorizer/issuer-fetch';

/** A local HTTPS server with a self-signed certificate that answers each path as `routes` says. */
let server: Server;
let base: string;
let ca: string;
const routes: Record<string, (res: import('node:http').ServerResponse) => void> = {
  '/small': (res) => res.end('{"keys":[]}'),
  '/large': (res) => res.end('x'.repeat(2000)),
  '/stream': (res) => {
    // No content-length: the size limit must hold while the body arrives.
    res.write('x'.repeat(600));
    setTimeout(() => res.end('x'.repeat(600)), 20);
  },
  '/slow': () => { /* never answers */ },
  '/cut': (res) => {
    // Announces more than it sends, then drops the connection.
    res.writeHead(200, { 'content-length': '500' });
    res.write('x'.repeat(100));
    setTimeout(() => res.socket?.destroy(), 20);
  },
  '/missing': (res) => { res.statusCode = 404; res.end('no'); },
};

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
  ca = pems.cert;
  server = createServer({ cert: pems.cert, key: pems.private }, (req, res) => routes[req.url ?? '']?.(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const fetcher = (limits: { timeoutMs?: number; maxBytes?: number } = {}) => issuerFetcher({ timeoutMs: 1000, maxBytes: 1024, ca, ...limits });
const text = (body: ArrayBuffer) => Buffer.from(body).toString('utf8');

describe('issuerFetcher', () => {
  test('reads a document within the limits', async () => {
    expect(text(await fetcher().fetch(`${base}/small`))).toBe('{"keys":[]}');
  });

  test('refuses a document over the size limit, announced or streamed', async () => {
    await expect(fetcher().fetch(`${base}/large`)).rejects.toThrow('Response over 1024 bytes');
    await expect(fetcher().fetch(`${base}/stream`)).rejects.toThrow('Response over 1024 bytes');
    expect(text(await fetcher({ maxBytes: 2000 }).fetch(`${base}/stream`))).toHaveLength(1200);
  });

  test('a connection cut mid-body fails for that reason, not at the time limit', async () => {
    const error = await fetcher({ timeoutMs: 5000 }).fetch(`${base}/cut`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchError);
    expect(String(error)).not.toContain('time-out');
  });

  test('gives up after the time limit', async () => {
    await expect(fetcher({ timeoutMs: 100 }).fetch(`${base}/slow`)).rejects.toThrow('Response time-out (after 100 ms.)');
  });

  test('refuses a status other than 200, plain HTTP, and a certificate it does not trust', async () => {
    await expect(fetcher().fetch(`${base}/missing`)).rejects.toThrow('Status code is 404, expected 200');
    await expect(fetcher().fetch(base.replace('https:', 'http:'))).rejects.toThrow('Not an https:// URL');
    await expect(issuerFetcher({ timeoutMs: 1000, maxBytes: 1024 }).fetch(`${base}/small`)).rejects.toThrow(FetchError);
  });

  test('every failure is a FetchError, which the authorizer counts as a refusal, not a fault', async () => {
    await expect(fetcher().fetch(`${base}/large`)).rejects.toBeInstanceOf(FetchError);
    await expect(fetcher().fetch('http://localhost/')).rejects.toBeInstanceOf(FetchError);
  });
});

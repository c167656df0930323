/**
 * The prober's logic, against a local HTTP server and real access-log lines of the library's format.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { accessLogTemplate } from '../../../lib/private/access-log-format';
import { ACCESS_LOG_KEYS } from '../../../lambda/shared/constants';
import { Http, burst, clientCredentialsToken, offendUnlessBlocked, reached, statuses, summariseAccessLog } from './probes';

/** A server that answers each request with the status its path names (`/401` → 401), counting the requests. */
let server: http.Server;
let base: string;
const seen: Array<{ url: string; method: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      seen.push({ url: request.url!, method: request.method!, headers: request.headers, body });
      if (request.url === '/token') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'token-value', token_type: 'Bearer' }));
        return;
      }
      response.writeHead(Number(/^\/(\d{3})/.exec(request.url!)?.[1] ?? 404)).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

const fetchHttp: Http = async ({ url, method, headers, body }) => {
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, body: await response.text() };
};

test('statuses reports each labelled request\'s status, and reached lists the 2xx labels', async () => {
  const result = await statuses(fetchHttp, [
    { label: 'ok', url: `${base}/200` },
    { label: 'refused', url: `${base}/401` },
    { label: 'created', url: `${base}/201`, method: 'POST', body: 'x' },
  ]);
  expect(result).toEqual({ ok: 200, refused: 401, created: 201 });
  expect(reached(result)).toEqual(['created', 'ok']);
  expect(seen.find((request) => request.url === '/201')).toMatchObject({ method: 'POST', body: 'x' });
});

test('burst sends the requests at once and counts each status', async () => {
  let answered = 0;
  const alternating: Http = async (request) => ({ status: answered++ % 3 === 0 ? 429 : (await fetchHttp(request)).status, body: '' });
  const report = await burst(alternating, { url: `${base}/200` }, 6);
  expect(report).toEqual({ counts: { 200: 4, 429: 2 }, distinct: [200, 429] });
});

test('offendUnlessBlocked fails the logins while the public route answers 200', async () => {
  const report = await offendUnlessBlocked(fetchHttp, { url: `${base}/401`, headers: { authorization: 'Bearer abc.def.ghi' } }, 3, { url: `${base}/200` });
  expect(report).toEqual({ before: 200, offences: [401, 401, 401] });
  expect(seen.map((request) => request.url)).toEqual(['/200', '/401', '/401', '/401']);
  expect(seen[1].headers.authorization).toBe('Bearer abc.def.ghi');
});

test('offendUnlessBlocked sends no login once the public route is blocked', async () => {
  const report = await offendUnlessBlocked(fetchHttp, { url: `${base}/401` }, 3, { url: `${base}/403` });
  expect(report).toEqual({ before: 403, offences: [] });
  expect(seen.map((request) => request.url)).toEqual(['/403']);
});

test('clientCredentialsToken posts the client credentials grant with HTTP Basic authentication', async () => {
  const token = await clientCredentialsToken(fetchHttp, `${base}/token`, 'client-id', 'client-secret', 'probes/read');
  expect(token).toBe('token-value');
  const [request] = seen;
  expect(request.method).toBe('POST');
  expect(request.headers.authorization).toBe(`Basic ${Buffer.from('client-id:client-secret').toString('base64')}`);
  expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
  expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({ grant_type: 'client_credentials', scope: 'probes/read' });
});

test('clientCredentialsToken throws when the token endpoint refuses, without the secret in the message', async () => {
  await expect(clientCredentialsToken(fetchHttp, `${base}/400`, 'client-id', 'client-secret', 'probes/read')).rejects.toThrow(/^the token endpoint answered 400$/);
});

/** An access-log line as API Gateway would write it from the library's template, with `values` for the variables. */
function logLine(values: Record<string, string>): string {
  return accessLogTemplate().replace(/\$context\.[A-Za-z.]+/g, (variable) => values[variable] ?? '-');
}

const CLEAN = {
  '$context.identity.userAgent': 'secure-api-probe-escape say \\"hi\\"',
  '$context.tlsVersion': 'TLSv1.3',
  '$context.identity.sourceIp': '192.0.2.10',
  '$context.status': '200',
  '$context.requestTimeEpoch': '1767225600000',
  '$context.responseLatency': '12',
  '$context.error.messageString': '"-"',
};

test('summariseAccessLog: lines that parse are counted, their TLS versions listed, and none is unparsable or malformed', () => {
  const events = [{ timestamp: 1, message: logLine(CLEAN) }, { timestamp: 2, message: logLine({ ...CLEAN, '$context.tlsVersion': 'TLSv1.2' }) }];
  expect(summariseAccessLog(events, 2, ACCESS_LOG_KEYS.tlsVersion)).toEqual({
    lines: 2,
    complete: true,
    unparsable: [],
    malformed: 0,
    tlsVersions: ['TLSv1.2', 'TLSv1.3'],
    samples: events.map((event) => event.message),
  });
});

test('summariseAccessLog: a user agent that breaks the JSON makes the line unparsable, but its end stays readable', () => {
  const broken = logLine({ ...CLEAN, '$context.identity.userAgent': 'say "hi"' });
  const report = summariseAccessLog([{ timestamp: 1, message: broken }], 2, ACCESS_LOG_KEYS.tlsVersion);
  expect(report).toMatchObject({ lines: 1, complete: false, unparsable: [broken], malformed: 0, tlsVersions: [] });
});

test('summariseAccessLog: a line whose end was shaped by a client is malformed for the abuse blocker', () => {
  const truncated = logLine(CLEAN).replace(/"status":200}$/, '"status":"200"}');
  expect(summariseAccessLog([{ timestamp: 1, message: truncated }], 1, ACCESS_LOG_KEYS.tlsVersion).malformed).toBe(1);
});

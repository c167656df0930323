/**
 * Decoding CloudWatch Logs subscription deliveries and picking offences out of access-log lines.
 * Payloads are built as CloudWatch Logs builds them: the JSON message, gzipped, in base64.
 */
import { gzipSync } from 'node:zlib';
import {
  decodeSubscription,
  LAMBDA_ASYNC_PAYLOAD_LIMIT_BYTES,
  LINE_TAIL_CHARS,
  MAX_DECODED_BYTES,
  MAX_EVENT_JSON_BYTES,
  parseOffences,
} from '../../../lambda/abuse-blocker/log-events';
import { accessLogTemplate } from '../../../lib/private/access-log-format';
import { accessLog, gzipped, logEvent, subscriptionData, unescapedLine } from './fakes';

const OFFENCES = new Set([401, 403, 429]);
const T = 1_700_000_000_123;

/** A delivery as CloudWatch Logs sends it. */
function delivery(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: 'API-Gateway-Execution-Logs/access',
    logStream: 'stream-1',
    subscriptionFilters: ['abuse-blocker'],
    logEvents: [logEvent(accessLog(), T, 'e1'), logEvent(accessLog({ status: 200 }), T + 1, 'e2')],
    ...overrides,
  };
}

describe('decodeSubscription', () => {
  test('decodes a DATA_MESSAGE to its type, log group and events, dropping the other fields', async () => {
    const message = delivery();
    expect(await decodeSubscription(subscriptionData(message))).toEqual({
      messageType: 'DATA_MESSAGE',
      logGroup: 'API-Gateway-Execution-Logs/access',
      logEvents: message.logEvents,
    });
  });

  test('decodes the CONTROL_MESSAGE CloudWatch Logs sends to check the destination', async () => {
    const control = {
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [{ id: '', timestamp: 1_700_000_000_000, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
    };
    expect(await decodeSubscription(subscriptionData(control))).toEqual({ messageType: 'CONTROL_MESSAGE', logGroup: '', logEvents: control.logEvents });
  });

  test('passes the log events on as they are: they are checked one by one later', async () => {
    const logEvents = [null, 'text', 42, { timestamp: T, message: 'not json' }];
    expect((await decodeSubscription(subscriptionData(delivery({ logEvents }))))?.logEvents).toEqual(logEvents);
  });

  test('decodes an empty list of events', async () => {
    expect((await decodeSubscription(subscriptionData(delivery({ logEvents: [] }))))?.logEvents).toEqual([]);
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { data: subscriptionData(delivery()) }],
    ['a Buffer', gzipSync(JSON.stringify(delivery()))],
    ['the empty string', ''],
    ['garbage that is not base64', '!!! not base64 at all ???'],
    ['base64 of text that is not gzip', Buffer.from(JSON.stringify(delivery())).toString('base64')],
    ['truncated gzip', subscriptionData(delivery()).slice(0, 40)],
    ['gzip of text that is not JSON', gzipped('{"messageType": "DATA_MESSAGE",')],
    ['gzip of nothing', gzipped('')],
  ])('refuses %s', async (_case, data) => {
    expect(await decodeSubscription(data)).toBeUndefined();
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['a number', 42],
    ['a string', 'DATA_MESSAGE'],
    ['true', true],
    ['an array', [delivery()]],
  ])('refuses JSON that is not an object: %s', async (_case, message) => {
    expect(await decodeSubscription(subscriptionData(message))).toBeUndefined();
  });

  test.each<[string, Record<string, unknown>]>([
    ['no messageType', { messageType: undefined }],
    ['another messageType', { messageType: 'DATA' }],
    ['a messageType in lower case', { messageType: 'data_message' }],
    ['no logGroup', { logGroup: undefined }],
    ['a logGroup that is not a string', { logGroup: 7 }],
    ['no logEvents', { logEvents: undefined }],
    ['logEvents that are an object', { logEvents: { 0: logEvent(accessLog()) } }],
    ['logEvents that are a string', { logEvents: '[]' }],
  ])('refuses a message with %s', async (_case, overrides) => {
    expect(await decodeSubscription(subscriptionData(delivery(overrides)))).toBeUndefined();
  });

  test('the decode limit is what 1 MB of base64 can inflate to at deflate\'s 1032:1, so no delivery reaches it', () => {
    // Lambda API reference, Invoke: "For asynchronous invocations, the maximum payload size is 1 MB."
    expect(LAMBDA_ASYNC_PAYLOAD_LIMIT_BYTES).toBe(1_048_576);
    // zlib technical details (https://www.zlib.net/zlib_tech.html): "the limit is 1032:1".
    expect(MAX_DECODED_BYTES).toBe(786_432 * 1032);
  });

  test('refuses data longer than Lambda\'s payload limit, without decoding it', async () => {
    expect(await decodeSubscription('A'.repeat(LAMBDA_ASYNC_PAYLOAD_LIMIT_BYTES + 1))).toBeUndefined();
  });

  test('refuses a message that decompresses past the limit, and stops reading it', async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify(delivery({ padding: 'a'.repeat(8 * 1024 * 1024) }))));
    expect(bomb.length).toBeLessThan(100_000);
    expect(await decodeSubscription(bomb.toString('base64'), { maxDecodedBytes: 1024 * 1024 })).toBeUndefined();
    expect((await decodeSubscription(bomb.toString('base64'), { maxDecodedBytes: 9 * 1024 * 1024 }))?.messageType).toBe('DATA_MESSAGE');
  });

  test('skips a top-level field too large to parse (8 MiB), and keeps the events', async () => {
    const message = delivery({ padding: 'a'.repeat(8 * 1024 * 1024) });
    expect(await decodeSubscription(subscriptionData(message))).toEqual({
      messageType: 'DATA_MESSAGE',
      logGroup: 'API-Gateway-Execution-Logs/access',
      logEvents: message.logEvents,
    });
  });

  test('refuses a message whose logGroup is too large to be a log group name', async () => {
    expect(await decodeSubscription(subscriptionData(delivery({ logGroup: 'g'.repeat(100_000) })))).toBeUndefined();
  });

  test.each<[string, string]>([
    ['a second object after the first', '{"messageType":"DATA_MESSAGE","logGroup":"g","logEvents":[]} {}'],
    ['a trailing comma', '{"messageType":"DATA_MESSAGE","logGroup":"g","logEvents":[],}'],
    ['a key that is not a string', '{messageType:"DATA_MESSAGE","logGroup":"g","logEvents":[]}'],
    ['a key without a value', '{"messageType":"DATA_MESSAGE","logGroup":"g","logEvents":[],"x":}'],
    ['a truncated object', '{"messageType":"DATA_MESSAGE","logGroup":"g","logEvents":[{"timestamp":1'],
  ])('refuses JSON with %s', async (_case, text) => {
    expect(await decodeSubscription(gzipped(text))).toBeUndefined();
  });

  test('reads the fields and events in any order, with white space between them', async () => {
    const text = ' { "logEvents" : [ {"timestamp":1,"message":"m"} , {"timestamp":2,"message":"n"} ] , "logGroup" : "g" , "messageType" : "DATA_MESSAGE" } ';
    expect(await decodeSubscription(gzipped(text))).toEqual({
      messageType: 'DATA_MESSAGE',
      logGroup: 'g',
      logEvents: [{ timestamp: 1, message: 'm' }, { timestamp: 2, message: 'n' }],
    });
  });

  test('reads a delivery whose 1,000 lines carry 9 KB user agents (past the old 8 MiB cap): every offence counted', async () => {
    const userAgent = 'Mozilla/5.0 '.padEnd(9 * 1024, 'x');
    const logEvents = Array.from({ length: 1000 }, (_, i) => logEvent(accessLog({ userAgent, sourceIp: `198.51.100.${i % 250}` }), T + i, `e${i}`));
    const data = subscriptionData(delivery({ logEvents }));
    expect(Buffer.from(JSON.stringify(delivery({ logEvents }))).length).toBeGreaterThan(8 * 1024 * 1024);
    expect(data.length).toBeLessThan(LAMBDA_ASYNC_PAYLOAD_LIMIT_BYTES);
    const message = await decodeSubscription(data);
    expect(message?.logEvents).toHaveLength(1000);
    expect(parseOffences(message!.logEvents, OFFENCES)).toMatchObject({ malformed: 0, ignored: 0 });
    expect(parseOffences(message!.logEvents, OFFENCES).offences).toHaveLength(1000);
  });

  test('keeps only the end of each long message, where the status and address are', async () => {
    const userAgent = 'x'.repeat(9 * 1024);
    const message = await decodeSubscription(subscriptionData(delivery({ logEvents: [logEvent(accessLog({ userAgent }), T)] })));
    const kept = (message!.logEvents[0] as { message: string }).message;
    expect(kept).toHaveLength(LINE_TAIL_CHARS);
    expect(JSON.stringify(accessLog({ userAgent })).endsWith(kept)).toBe(true);
  });

  test('a batch mixing good, oversized and broken lines: the good lines are counted, the others are malformed', async () => {
    const good = (i: number) => logEvent(accessLog({ sourceIp: `203.0.113.${i}` }), T + i, `g${i}`);
    const oversized = logEvent(accessLog({ userAgent: 'x'.repeat(MAX_EVENT_JSON_BYTES) }), T, 'big');
    const broken = { id: 'b', timestamp: T, message: '{"status":403,"sourceIp":"203.0.113.9"' };
    const logEvents = [good(1), oversized, good(2), broken, null, good(3)];
    const message = await decodeSubscription(subscriptionData(delivery({ logEvents })));
    expect(message?.logEvents).toHaveLength(6);
    expect(message?.logEvents[1]).toBeNull();
    const parsed = parseOffences(message!.logEvents, OFFENCES);
    expect(parsed.offences.map((o) => o.timestamp)).toEqual([T + 1, T + 2, T + 3]);
    expect(parsed.malformed).toBe(3);
  });
});

describe('parseOffences', () => {
  const parse = (...fields: Array<Record<string, unknown>>) => parseOffences(fields.map((f, i) => logEvent(f, T + i)), OFFENCES);

  test('an offence is the sourceIp of a response with an offending status, at the event\'s timestamp', () => {
    expect(parseOffences([logEvent(accessLog(), T)], OFFENCES)).toEqual({
      offences: [{ address: { cidr: '203.0.113.7/32', version: 4 }, timestamp: T }],
      malformed: 0,
      ignored: 0,
    });
  });

  test('takes the time from the log event, not from the line', () => {
    const parsed = parseOffences([logEvent(accessLog({ requestTimeEpoch: 1 }), T)], OFFENCES);
    expect(parsed.offences[0].timestamp).toBe(T);
  });

  test.each([401, 403, 429])('status %d is an offence', (status) => {
    expect(parse(accessLog({ status })).offences).toHaveLength(1);
  });

  test.each([200, 201, 204, 301, 400, 404, 500, 502, 503])('status %d is ignored, not malformed', (status) => {
    expect(parse(accessLog({ status }))).toEqual({ offences: [], malformed: 0, ignored: 1 });
  });

  describe('CORS preflights', () => {
    // API Gateway answers a preflight with 204 whatever its origin (a refused origin only misses
    // Access-Control-Allow-Origin), so a browser's preflights are never offences, however many.
    test('OPTIONS answered 204 is ignored, from any origin and in any number', () => {
      const preflights = Array.from({ length: 50 }, () => accessLog({ httpMethod: 'OPTIONS', path: '/v1/pets/401', status: 204 }));
      expect(parse(...preflights)).toEqual({ offences: [], malformed: 0, ignored: 50 });
    });

    test('OPTIONS on a path without routes (no preflight there) is answered 403 and stays an offence', () => {
      expect(parse(accessLog({ httpMethod: 'OPTIONS', path: '/v1/wp-admin', status: 403 })).offences).toHaveLength(1);
    });

    test('OPTIONS throttled (429) stays an offence: preflights share the stage throttle', () => {
      expect(parse(accessLog({ httpMethod: 'OPTIONS', path: '/v1/pets', status: 429 })).offences).toHaveLength(1);
    });
  });

  test('only the statuses given are offences', () => {
    const fields = [accessLog({ status: 404 }), accessLog({ status: 401 })];
    expect(parseOffences(fields.map((f) => logEvent(f, T)), new Set([404])).offences).toHaveLength(1);
    expect(parseOffences(fields.map((f) => logEvent(f, T)), new Set([404])).ignored).toBe(1);
  });

  test('a response AWS WAF blocked is ignored, whatever its status: the firewall already stopped it', () => {
    expect(parse(accessLog({ status: 403, wafResponseCode: 'WAF_BLOCK' }))).toEqual({ offences: [], malformed: 0, ignored: 1 });
  });

  test.each([
    ['WAF_ALLOW', 'WAF_ALLOW'],
    ['WAF_CAPTCHA', 'WAF_CAPTCHA'],
    ['the dash of an API without a web ACL', '-'],
    ['an empty wafResponseCode', ''],
    ['waf_block in lower case', 'waf_block'],
  ])('a response with %s counts', (_case, wafResponseCode) => {
    expect(parse(accessLog({ wafResponseCode })).offences).toHaveLength(1);
  });

  test.each<[string, unknown]>([
    ['missing', undefined],
    ['null', null],
    ['a number', 1],
    ['a value with an escaped quote', 'WAF_"BLOCK'],
    ['a value with a backslash', 'WAF\\BLOCK'],
  ])('a line whose wafResponseCode is %s is malformed', (_case, wafResponseCode) => {
    expect(parse(accessLog({ wafResponseCode }))).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test.each<[string, unknown]>([
    ['a string', '401'],
    ['a string that is not a number', 'Unauthorized'],
    ['null', null],
    ['an array', [401]],
    ['missing', undefined],
    ['two digits', 40],
    ['four digits', 4010],
    ['a fraction', 401.5],
    ['negative', -401],
  ])('a line whose status is %s is malformed', (_case, status) => {
    expect(parse(accessLog({ status }))).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test.each([
    ['4e2', '4e2'],
    ['401.0', '401.0'],
    ['a leading zero', '0401'],
    ['a plus sign', '+401'],
    ['a space before the brace', '401 '],
  ])('a line whose status is written %s is malformed: the status is exactly three digits', (_case, written) => {
    const message = `{"userAgent":"x","wafResponseCode":"-","sourceIp":"203.0.113.7","status":${written}}`;
    expect(parseOffences([{ timestamp: T, message }], OFFENCES)).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test.each<[string, unknown]>([
    ['missing', undefined],
    ['null', null],
    ['the dash of an unset variable', '-'],
    ['empty', ''],
    ['a number', 3405803783],
    ['an X-Forwarded-For list', '203.0.113.7, 198.51.100.1'],
    ['two addresses', '1.2.3.4, 5.6.7.8'],
    ['a header value with a port', '203.0.113.7:51234'],
    ['a forwarded header', 'for=203.0.113.7'],
    ['padded with spaces', ' 203.0.113.7 '],
    ['an address with leading zeros', '203.000.113.007'],
    ['an IPv6 address with a zone', 'fe80::1%eth0'],
    ['a host name', 'attacker.example.com'],
  ])('a line whose sourceIp is %s is malformed', (_case, sourceIp) => {
    expect(parse(accessLog({ sourceIp }))).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test('a line that is not an offence but has a bad sourceIp is malformed, not ignored', () => {
    expect(parse(accessLog({ status: 200, sourceIp: '-' }))).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test('the address is only ever sourceIp: X-Forwarded-For in the line is ignored', () => {
    const parsed = parse(accessLog({
      sourceIp: '203.0.113.7',
      'X-Forwarded-For': '198.51.100.1',
      xForwardedFor: '198.51.100.2',
      forwardedFor: '198.51.100.3',
      clientIp: '198.51.100.4',
    }));
    expect(parsed.offences.map((offence) => offence.address.cidr)).toEqual(['203.0.113.7/32']);
  });

  test('a line with X-Forwarded-For but no sourceIp is malformed: the header is never used instead', () => {
    const fields = accessLog({ 'X-Forwarded-For': '198.51.100.1', xForwardedFor: '198.51.100.1' });
    delete fields.sourceIp;
    expect(parse(fields)).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test('a key name inside an escaped value is not a repeat', () => {
    const message = JSON.stringify(accessLog({ userAgent: 'evil", "sourceIp":"192.0.2.1', sourceIp: '198.51.100.1' }));
    expect(parseOffences([{ timestamp: T, message }], OFFENCES).offences.map((o) => o.address.cidr)).toEqual(['198.51.100.1/32']);
  });

  test('IPv4-mapped IPv6 addresses count as the IPv4 address they map', () => {
    const parsed = parse(accessLog({ sourceIp: '::ffff:203.0.113.7' }), accessLog({ sourceIp: '203.0.113.7' }));
    expect(parsed.offences.map((offence) => offence.address)).toEqual(Array(2).fill({ cidr: '203.0.113.7/32', version: 4 }));
  });

  test('IPv6 addresses in any form give the same canonical address', () => {
    const parsed = parse(
      accessLog({ sourceIp: '2001:db8::7' }),
      accessLog({ sourceIp: '2001:DB8::7' }),
      accessLog({ sourceIp: '2001:0db8:0000:0000:0000:0000:0000:0007' }),
    );
    expect(parsed.offences.map((offence) => offence.address)).toEqual(Array(3).fill({ cidr: '2001:db8::7/128', version: 6 }));
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', '{"sourceIp":"203.0.113.7","status":401}'],
    ['a number', 42],
    ['true', true],
    ['an array', [T, JSON.stringify(accessLog())]],
    ['an empty object', {}],
  ])('a log event that is %s is malformed', (_case, event) => {
    expect(parseOffences([event], OFFENCES)).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test.each<[string, unknown]>([
    ['missing', undefined],
    ['a string', String(T)],
    ['negative', -1],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('a log event whose timestamp is %s is malformed', (_case, timestamp) => {
    expect(parseOffences([{ timestamp, message: JSON.stringify(accessLog()) }], OFFENCES).malformed).toBe(1);
  });

  test('a timestamp of 0 is accepted', () => {
    expect(parseOffences([{ timestamp: 0, message: JSON.stringify(accessLog()) }], OFFENCES).offences).toEqual([
      { address: { cidr: '203.0.113.7/32', version: 4 }, timestamp: 0 },
    ]);
  });

  test.each<[string, unknown]>([
    ['missing', undefined],
    ['an object, not a string', accessLog()],
    ['text, not JSON', '203.0.113.7 - - [14/Nov/2023] "GET /pets" 401'],
    ['truncated JSON', JSON.stringify(accessLog()).slice(0, -5)],
    ['the empty string', ''],
    ['JSON null', 'null'],
    ['a JSON number', '401'],
    ['a JSON string', '"203.0.113.7"'],
    ['a JSON array', JSON.stringify([accessLog()])],
  ])('a log event whose message is %s is malformed', (_case, message) => {
    expect(parseOffences([{ timestamp: T, message }], OFFENCES)).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test('a mixed batch: each event is offence, ignored or malformed, and the offences keep their order', () => {
    const events = [
      logEvent(accessLog({ sourceIp: '203.0.113.1' }), T),
      logEvent(accessLog({ status: 200 }), T),
      null,
      logEvent(accessLog({ sourceIp: '2001:db8::1', status: 429 }), T + 5),
      logEvent(accessLog({ status: 403, wafResponseCode: 'WAF_BLOCK' }), T),
      { timestamp: T, message: 'not json' },
      logEvent(accessLog({ sourceIp: '203.0.113.1', status: 403 }), T + 9),
    ];
    expect(parseOffences(events, OFFENCES)).toEqual({
      offences: [
        { address: { cidr: '203.0.113.1/32', version: 4 }, timestamp: T },
        { address: { cidr: '2001:db8::1/128', version: 6 }, timestamp: T + 5 },
        { address: { cidr: '203.0.113.1/32', version: 4 }, timestamp: T + 9 },
      ],
      malformed: 2,
      ignored: 2,
    });
  });

  test('no events give nothing', () => {
    expect(parseOffences([], OFFENCES)).toEqual({ offences: [], malformed: 0, ignored: 0 });
  });
});

/**
 * The blocker never parses a line: it reads the line's end, which API Gateway writes itself, so
 * nothing a client puts earlier in the line (API Gateway does not escape every quote and backslash
 * in the user agent or the path) changes what is counted.
 */
describe('parseOffences: the end of the line decides', () => {
  const read = (message: string) => parseOffences([{ timestamp: T, message }], OFFENCES);
  /** A line as API Gateway writes it, values unescaped, with `fields` before the line's end. */
  const line = (fields: Record<string, string | number>, end: { wafResponseCode?: string; sourceIp?: string; status?: number } = {}) =>
    unescapedLine({
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      userAgent: 'curl/8.5.0',
      httpMethod: 'GET',
      path: '/pets',
      ...fields,
      wafResponseCode: end.wafResponseCode ?? '-',
      sourceIp: end.sourceIp ?? '203.0.113.7',
      status: end.status ?? 401,
    });
  const offence = (cidr = '203.0.113.7/32') => ({ offences: [{ address: { cidr, version: 4 }, timestamp: T }], malformed: 0, ignored: 0 });

  test('a line rendered from the construct\'s own access-log template is read', () => {
    const message = renderTemplate({ sourceIp: '203.0.113.7', status: '401', wafResponseCode: 'WAF_ALLOW' });
    expect(JSON.parse(message)).toMatchObject({ sourceIp: '203.0.113.7', status: 401, wafResponseCode: 'WAF_ALLOW' });
    expect(read(message)).toEqual(offence());
  });

  test('a line from the construct\'s template whose user agent breaks the JSON is still read', () => {
    const message = renderTemplate({ sourceIp: '203.0.113.7', status: '403', wafResponseCode: '-', userAgent: 'x"y\\' });
    expect(() => JSON.parse(message)).toThrow();
    expect(read(message)).toEqual(offence());
  });

  test.each([
    ['an unescaped quote in the user agent', { userAgent: 'Mozilla "evil' }],
    ['a trailing backslash in the user agent, which escapes its closing quote', { userAgent: 'evil\\' }],
    ['an unescaped quote in the path', { path: '/pets/"1' }],
    ['a trailing backslash in the path', { path: '/pets\\' }],
    ['a quote and a backslash in both', { userAgent: '\\"', path: '"\\' }],
  ])('a line whose JSON is broken earlier (%s) is still counted from its end', (_case, fields) => {
    const message = line(fields);
    expect(() => JSON.parse(message)).toThrow();
    expect(read(message)).toEqual(offence());
  });

  test('a broken line that is not an offence is still ignored, not malformed', () => {
    expect(read(line({ userAgent: 'evil\\' }, { status: 200 }))).toEqual({ offences: [], malformed: 0, ignored: 1 });
    expect(read(line({ userAgent: 'evil"' }, { wafResponseCode: 'WAF_BLOCK' }))).toEqual({ offences: [], malformed: 0, ignored: 1 });
  });

  test.each([
    ['a sourceIp', { userAgent: 'x","sourceIp":"198.51.100.1' }],
    ['a sourceIp in the path', { path: '/","sourceIp":"198.51.100.1' }],
    ['a status', { userAgent: 'x","status":200,"y":"' }],
    ['a wafResponseCode of WAF_BLOCK', { userAgent: 'x","wafResponseCode":"WAF_BLOCK' }],
    ['a whole line end', { userAgent: 'x","wafResponseCode":"WAF_BLOCK","sourceIp":"198.51.100.1","status":200}' }],
    ['a whole line end and a newline', { userAgent: 'x","wafResponseCode":"-","sourceIp":"198.51.100.1","status":401}\n' }],
  ])('%s smuggled earlier in the line does not change the result', (_case, fields) => {
    expect(read(line(fields))).toEqual(offence());
  });

  test('a repeated key in valid JSON: the line\'s end counts, whichever value a JSON parser would keep', () => {
    // A parser would keep the last sourceIp here too; in the next line it would keep the first status's
    // offence away, but the line's end is what counts.
    expect(read('{"sourceIp":"198.51.100.1","userAgent":"x","wafResponseCode":"-","sourceIp":"203.0.113.7","status":401}')).toEqual(offence());
    expect(read('{"status":401,"userAgent":"x","wafResponseCode":"-","sourceIp":"203.0.113.7","status":200}')).toEqual({ offences: [], malformed: 0, ignored: 1 });
    expect(read('{"wafResponseCode":"-","userAgent":"x","wafResponseCode":"WAF_BLOCK","sourceIp":"203.0.113.7","status":401}')).toEqual({ offences: [], malformed: 0, ignored: 1 });
    expect(read('{"wafResponseCode":"WAF_BLOCK","userAgent":"x","wafResponseCode":"-","sourceIp":"203.0.113.7","status":401}')).toEqual(offence());
  });

  test.each([
    ['sourceIp before wafResponseCode', { sourceIp: '203.0.113.7', wafResponseCode: '-', status: 401 }],
    ['status first', { status: 401, wafResponseCode: '-', sourceIp: '203.0.113.7' }],
    ['status before sourceIp', { wafResponseCode: '-', status: 401, sourceIp: '203.0.113.7' }],
    ['another key after status', { wafResponseCode: '-', sourceIp: '203.0.113.7', status: 401, path: '/pets' }],
    ['another key between them', { wafResponseCode: '-', sourceIp: '203.0.113.7', path: '/pets', status: 401 }],
  ])('valid JSON with the keys in another order (%s) is malformed', (_case, fields) => {
    const message = JSON.stringify(fields);
    expect(JSON.parse(message)).toEqual(fields);
    expect(read(message)).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test('valid JSON with spaces between keys and values is not the format\'s line: malformed', () => {
    expect(read(JSON.stringify(accessLog(), null, 1))).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test.each([
    ['a newline', '\n'],
    ['a carriage return and a newline', '\r\n'],
    ['spaces and tabs', '  \t '],
  ])('trailing whitespace (%s) after the line is accepted', (_case, whitespace) => {
    expect(read(JSON.stringify(accessLog()) + whitespace)).toEqual(offence());
  });

  test.each([
    ['text after the line', `${JSON.stringify(accessLog())} x`],
    ['a second line end after a newline', `${JSON.stringify(accessLog())}\n{"x":"y"}`],
    ['a space before the closing brace', JSON.stringify(accessLog()).replace(/\}$/, ' }')],
    ['the line end without its closing brace', JSON.stringify(accessLog()).slice(0, -1)],
  ])('%s is malformed: the line end must be the end of the message', (_case, message) => {
    expect(read(message)).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test('a sourceIp holding an escaped quote or a backslash is malformed', () => {
    expect(read('{"wafResponseCode":"-","sourceIp":"203.0.113.7\\"","status":401}')).toEqual({ offences: [], malformed: 1, ignored: 0 });
    expect(read('{"wafResponseCode":"-","sourceIp":"203.0.113.7\\\\","status":401}')).toEqual({ offences: [], malformed: 1, ignored: 0 });
  });

  test('reads a long line quickly: a user agent of many fake line ends costs no backtracking blow-up', () => {
    const fake = '","wafResponseCode":"-","sourceIp":"198.51.100.1","status":401} \t'.repeat(4000);
    const started = performance.now();
    expect(read(line({ userAgent: fake }))).toEqual(offence());
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

/**
 * A line as API Gateway writes the construct's access-log template: each `$context` variable
 * replaced by its value as it is (unescaped), `-` for those not given.
 */
function renderTemplate(values: { sourceIp: string; status: string; wafResponseCode: string; userAgent?: string }): string {
  const variables: Record<string, string> = {
    '$context.identity.sourceIp': values.sourceIp,
    '$context.status': values.status,
    '$context.wafResponseCode': values.wafResponseCode,
    '$context.waf.responseCode': values.wafResponseCode,
    '$context.identity.userAgent': values.userAgent ?? 'curl/8.5.0',
    '$context.requestTimeEpoch': '1700000000123',
    '$context.responseLatency': '12',
    // Written by API Gateway as a quoted, escaped JSON string.
    '$context.error.messageString': '"Unauthorized"',
  };
  const template = accessLogTemplate();
  expect(template).toContain('$context.identity.sourceIp');
  return template.replace(/\$context\.[A-Za-z.]+/g, (variable) => variables[variable] ?? '-');
}

/**
 * The blocker's orchestration, with the real planning, IP-set and allow-list code over fakes: an
 * in-memory state table (`FakeStore`), AWS WAF behind `mockClient(WAFV2Client)` (`FakeWaf`), and
 * recorders for metrics and logs.
 */
import { UpdateIPSetCommand, WAFInternalErrorException, WAFOptimisticLockException, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { AllowList } from '../../../lambda/abuse-blocker/allow-list';
import { BlockerDeps, processLogBatch, RunOutcome, sweepBlockLists } from '../../../lambda/abuse-blocker/blocker';
import { IpSets } from '../../../lambda/abuse-blocker/ip-sets';
import type { SubscriptionMessage } from '../../../lambda/abuse-blocker/log-events';
import { ABUSE_BLOCKER_METRICS as METRICS, AbuseBlockerSettings } from '../../../lambda/shared/constants';
import {
  accessLog,
  ALLOW_V4,
  ALLOW_V6,
  blockerSettings,
  FakeStore,
  FakeWaf,
  IPV4_SET,
  IPV6_SET,
  logEvent,
  RecordingLog,
  RecordingMetrics,
  unescapedLine,
} from './fakes';

/** 30 s into a 60 s window, in milliseconds. */
const W = 1_700_000_100;
const T = (W + 30) * 1000;
const BLOCK = 3600;
const RETRY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 };

const wafMock = mockClient(WAFV2Client);
let waf: FakeWaf;
let store: FakeStore;
let metrics: RecordingMetrics;
let log: RecordingLog;
let nowMs: number;
let settings: AbuseBlockerSettings;

beforeEach(() => {
  wafMock.reset();
  waf = new FakeWaf(wafMock)
    .create(IPV4_SET, 4, [], 'auto v4')
    .create(IPV6_SET, 6, [], 'auto v6')
    .create(ALLOW_V4, 4, ['192.0.2.0/24'])
    .create(ALLOW_V6, 6, ['2001:db8:a11::/48']);
  store = new FakeStore();
  metrics = new RecordingMetrics();
  log = new RecordingLog();
  nowMs = T;
  settings = blockerSettings({ threshold: 5, windowSeconds: 60, blockSeconds: BLOCK, maxAddressesPerSet: 10, exemptCidrs: ['198.51.100.64/26'] });
});

afterAll(() => wafMock.restore());

function deps(overrides: Partial<BlockerDeps> = {}): BlockerDeps {
  const ipSets = new IpSets(new WAFV2Client({ region: 'eu-west-1' }), { retry: RETRY, sleep: async () => {}, random: () => 0.5 });
  return {
    settings,
    store,
    ipSets,
    allowList: new AllowList(settings.allowListSets, settings.exemptCidrs, (set) => ipSets.addresses(set)),
    metrics,
    log,
    now: () => nowMs,
    ...overrides,
  };
}

/** A delivery of `events`. */
const batch = (...events: unknown[]): SubscriptionMessage => ({ messageType: 'DATA_MESSAGE', logGroup: 'api-access', logEvents: events });

/** `count` offending (401) lines from `sourceIp`, logged at `atMs`. */
const offences = (sourceIp: string, count: number, atMs = T, fields: Record<string, unknown> = {}) =>
  Array.from({ length: count }, (_, i) => logEvent(accessLog({ sourceIp, status: 401, ...fields }), atMs, `${sourceIp}-${i}`));

const updateCalls = () => wafMock.commandCalls(UpdateIPSetCommand);

/** The metrics of a run in which nothing happened, plus `values`. */
const quiet = (values: Record<string, number> = {}) => ({
  [METRICS.addressesBlocked]: 0,
  [METRICS.addressesUnblocked]: 0,
  [METRICS.addressesEvicted]: 0,
  [METRICS.exemptOffenders]: 0,
  [METRICS.ipSetUpdateRetries]: 0,
  [METRICS.errors]: 0,
  ...values,
});

describe('processLogBatch: counting and blocking', () => {
  test('a CONTROL_MESSAGE does nothing, and reports a quiet run', async () => {
    const outcome = await processLogBatch({ messageType: 'CONTROL_MESSAGE', logGroup: '', logEvents: offences('203.0.113.7', 50) }, deps());
    expect(outcome).toEqual({ blocked: [], unblocked: [], evicted: [], exempt: [], errors: 0 });
    expect(store.calls).toEqual([]);
    expect(wafMock.calls()).toHaveLength(0);
    expect(metrics.values()).toEqual(quiet());
  });

  test('a batch without offences writes nothing', async () => {
    await processLogBatch(batch(logEvent(accessLog({ status: 200 })), logEvent(accessLog({ status: 404 }))), deps());
    expect(store.calls).toEqual([]);
    expect(wafMock.calls()).toHaveLength(0);
    expect(metrics.values()).toEqual(quiet({ [METRICS.malformedEvents]: 0, [METRICS.offencesCounted]: 0 }));
  });

  test('offences under the threshold are counted, and nobody is blocked (the allow list is not even read)', async () => {
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 4)), deps());
    expect(store.counters.get('203.0.113.7/32')).toEqual(new Map([[W, 4]]));
    expect(store.calls).toEqual(['countOffences']);
    expect(outcome.blocked).toEqual([]);
    expect(wafMock.calls()).toHaveLength(0);
    expect(metrics.values()).toEqual(quiet({ [METRICS.malformedEvents]: 0, [METRICS.offencesCounted]: 4 }));
  });

  test('an address reaching the threshold is recorded as blocked, then added to its block list', async () => {
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 5)), deps());

    expect(outcome).toEqual({ blocked: ['203.0.113.7/32'], unblocked: [], evicted: [], exempt: [], errors: 0 });
    expect(store.calls).toEqual(['countOffences', 'recordBlocks']);
    // A first block: one strike, the 5 offences that reached the threshold.
    expect(store.blocks).toEqual(new Map([['203.0.113.7/32', { version: 4, blockedUntil: W + 30 + BLOCK, forgetAt: W + 30 + BLOCK + 86_400, strikes: 1, offences: 5, firstBlockedAt: W + 30 }]]));
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.7/32']);
    expect(waf.description(IPV4_SET)).toBe('auto v4');
    expect(updateCalls()).toHaveLength(1);
    expect(waf.writesTo(IPV6_SET)).toHaveLength(0);
    expect(metrics.values()).toEqual(quiet({
      [METRICS.malformedEvents]: 0,
      [METRICS.offencesCounted]: 5,
      [METRICS.addressesBlocked]: 1,
      [METRICS.blockListFill]: 10,
    }));
    expect(metrics.entries.find((entry) => entry.name === METRICS.blockListFill)?.unit).toBe('percent');
    expect(log.entries.filter((entry) => entry.level === 'info')).toEqual([
      { level: 'info', message: 'Updated the automatic block lists', extra: [{ blocked: ['203.0.113.7/32'], unblocked: [] }] },
    ]);
  });

  test('the block ends blockSeconds after now, rounded up to a whole second', async () => {
    nowMs = T + 1;
    await processLogBatch(batch(...offences('203.0.113.7', 5)), deps());
    expect(store.blocks.get('203.0.113.7/32')?.blockedUntil).toBe(W + 31 + BLOCK);
  });

  test('offences add up across batches: the batch that reaches the threshold blocks', async () => {
    await processLogBatch(batch(...offences('203.0.113.7', 3)), deps());
    expect(updateCalls()).toHaveLength(0);
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 2, T + 1000)), deps());
    expect(outcome.blocked).toEqual(['203.0.113.7/32']);
  });

  test.each([
    // previous window's offences, seconds into the current window, blocked?
    [6, 30, true], // 3 + 6 × 0.5 = 6
    [4, 30, true], // 3 + 4 × 0.5 = 5: at the threshold
    [3, 30, false], // 3 + 1.5
    [6, 55, false], // 3 + 6 × 5/60 = 3.5
  ])('the previous window counts by its overlap with the sliding window: %d before, 3 now, %d s in: blocked %s', async (previous, seconds, blocked) => {
    store.counters.set('203.0.113.7/32', new Map([[W - 60, previous]]));
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 3, (W + seconds) * 1000)), deps());
    expect(outcome.blocked).toEqual(blocked ? ['203.0.113.7/32'] : []);
  });

  test('with ipv6PrefixLength 64, IPv6 offences count per /64: a client rotating through its addresses is blocked as the network', async () => {
    settings = { ...settings, ipv6PrefixLength: 64 };
    const outcome = await processLogBatch(batch(...['2001:db8::1', '2001:db8::2', '2001:db8:0:0:ffff::3'].flatMap((address) => offences(address, 2))), deps());
    expect(outcome.blocked).toEqual(['2001:db8::/64']);
    expect(store.counters.size).toBe(1);
    expect(waf.addresses(IPV6_SET)).toEqual(['2001:db8::/64']);
    expect([...store.blocks.keys()]).toEqual(['2001:db8::/64']);
  });

  test('with ipv6PrefixLength 64, a network holding an allow-listed address is never blocked, though the address itself did not offend', async () => {
    settings = { ...settings, ipv6PrefixLength: 64, exemptCidrs: ['2001:db8:5:5::1/128'] };
    const outcome = await processLogBatch(batch(...offences('2001:db8:5:5::99', 9), ...offences('2001:db8:5:6::99', 9)), deps());
    expect(outcome).toMatchObject({ blocked: ['2001:db8:5:6::/64'], exempt: ['2001:db8:5:5::/64'] });
  });

  test('the sweep keeps a /64 block unless the network has become allow-listed', async () => {
    settings = { ...settings, ipv6PrefixLength: 64 };
    await processLogBatch(batch(...offences('2001:db8:7:7::1', 9), ...offences('2001:db8:a11:0::1', 1)), deps());
    expect(waf.addresses(IPV6_SET)).toEqual(['2001:db8:7:7::/64']);
    waf.create(ALLOW_V6, 6, ['2001:db8:7:7::42/128']);
    nowMs += 120_000;
    const outcome = await sweepBlockLists(deps());
    expect(outcome.unblocked).toEqual(['2001:db8:7:7::/64']);
    expect(waf.addresses(IPV6_SET)).toEqual([]);
  });

  test('an IPv6 address AWS WAF returns in another form is the same entry: no duplicate, no write', async () => {
    waf.create(IPV6_SET, 6, ['2001:DB8:0:0:0:0:0:7/128'], 'auto v6');
    await store.recordBlocks([{ address: { cidr: '2001:db8::7/128', version: 6 }, blockedUntil: T / 1000 + BLOCK, strikes: 1, offences: 9 }], T / 1000);
    const outcome = await processLogBatch(batch(...offences('2001:db8::7', 9)), deps());
    expect(outcome.blocked).toEqual([]);
    expect(updateCalls()).toHaveLength(0);
  });

  test('an IPv4-mapped client and its IPv4 form are one address: their offences add up, and it is blocked in the IPv4 list', async () => {
    const outcome = await processLogBatch(batch(...offences('::ffff:203.0.113.7', 3), ...offences('::FFFF:CB00:7107', 1), ...offences('203.0.113.7', 1)), deps());
    expect(outcome.blocked).toEqual(['203.0.113.7/32']);
    expect(store.counters).toEqual(new Map([['203.0.113.7/32', new Map([[W, 5]])]]));
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.7/32']);
    expect(waf.writesTo(IPV6_SET)).toHaveLength(0);
  });

  test('with ipv6PrefixLength 64, an IPv4-mapped client is still its IPv4 address, not the IPv6 network ::/64', async () => {
    settings = { ...settings, ipv6PrefixLength: 64 };
    const outcome = await processLogBatch(batch(...offences('::ffff:203.0.113.7', 3), ...offences('::ffff:203.0.113.8', 3)), deps());
    expect(outcome.blocked).toEqual([]);
    expect([...store.counters.keys()]).toEqual(['203.0.113.7/32', '203.0.113.8/32']);
  });

  test('a burst split across a window boundary in one batch blocks: the previous window\'s offences of the same batch count', async () => {
    // 4 offences in the last second of one window, 2 in the first second of the next: neither window
    // reaches 5, but the sliding window does (2 + 4 × 59/60).
    nowMs = (W + 1) * 1000;
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 4, (W - 1) * 1000), ...offences('203.0.113.7', 2, (W + 1) * 1000)), deps());
    expect(store.counted).toEqual([[{ address: { cidr: '203.0.113.7/32', version: 4 }, windows: new Map([[W - 60, 4], [W, 2]]), latestWindow: W, lastSeen: W + 1 }]]);
    expect(outcome.blocked).toEqual(['203.0.113.7/32']);
  });

  test('a burst across the boundary is judged at its latest offence: late in the new window the previous one weighs less', async () => {
    nowMs = (W + 50) * 1000;
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 4, (W - 1) * 1000), ...offences('203.0.113.7', 2, (W + 50) * 1000)), deps());
    // 2 + 4 × 10/60 ≈ 2.7
    expect(outcome.blocked).toEqual([]);
  });

  test('a line whose user agent breaks its JSON is still counted from its end', async () => {
    const broken = (i: number) => ({
      timestamp: T,
      message: unescapedLine({ requestId: `r${i}`, userAgent: 'evil"\\', path: '/pets"', wafResponseCode: '-', sourceIp: '203.0.113.7', status: 401 }),
    });
    const outcome = await processLogBatch(batch(...[1, 2, 3, 4, 5].map(broken)), deps());
    expect(outcome.blocked).toEqual(['203.0.113.7/32']);
    expect(metrics.values()).toMatchObject({ [METRICS.malformedEvents]: 0, [METRICS.offencesCounted]: 5 });
  });

  test('a flood\'s log line lists at most 100 addresses, with the count', async () => {
    settings = { ...settings, threshold: 1, maxAddressesPerSet: 1000 };
    const addresses = Array.from({ length: 150 }, (_, i) => `203.0.${i >> 8}.${i & 255}`);
    const outcome = await processLogBatch(batch(...addresses.flatMap((address) => offences(address, 1))), deps());
    expect(outcome.blocked).toHaveLength(150);
    const entry = log.entries.find((e) => e.message === 'Updated the automatic block lists')!;
    const logged = (entry.extra[0] as { blocked: { count: number; first: string[] } }).blocked;
    expect(logged.count).toBe(150);
    expect(logged.first).toHaveLength(100);
    expect(logged.first.every((cidr) => outcome.blocked.includes(cidr))).toBe(true);
  });

  test('IPv6 offences count per /128: addresses of one /64 are counted apart', async () => {
    const outcome = await processLogBatch(batch(...['2001:db8::1', '2001:db8::2', '2001:db8::3'].flatMap((address) => offences(address, 4))), deps());
    expect(outcome.blocked).toEqual([]);
    expect(store.counters.size).toBe(3);
  });

  test('offences only count for the address that made them', async () => {
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 3), ...offences('203.0.113.8', 3)), deps());
    expect(outcome.blocked).toEqual([]);
  });

  test('IPv4 and IPv6 offenders go to their own list, with one UpdateIPSet per list', async () => {
    const outcome = await processLogBatch(batch(
      ...offences('203.0.113.7', 5),
      ...offences('203.0.113.9', 6),
      ...offences('2001:db8::7', 2),
      ...offences('2001:DB8:0:0:0:0:0:7', 3),
    ), deps());
    expect(outcome.blocked.sort()).toEqual(['2001:db8::7/128', '203.0.113.7/32', '203.0.113.9/32']);
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.7/32', '203.0.113.9/32']);
    expect(waf.addresses(IPV6_SET)).toEqual(['2001:db8::7/128']);
    expect(waf.writesTo(IPV4_SET)).toHaveLength(1);
    expect(waf.writesTo(IPV6_SET)).toHaveLength(1);
    expect(updateCalls()).toHaveLength(2);
  });

  test('keeps the addresses already in the list', async () => {
    waf.edit(IPV4_SET, ['192.0.2.200/32', '203.0.113.1/32']);
    await processLogBatch(batch(...offences('203.0.113.7', 5)), deps());
    expect(waf.addresses(IPV4_SET)).toEqual(['192.0.2.200/32', '203.0.113.1/32', '203.0.113.7/32']);
  });

  test('an address already in the list is not written again, but its block is extended', async () => {
    waf.edit(IPV4_SET, ['203.0.113.7/32']);
    store.block('203.0.113.7/32', W);
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 5)), deps());
    expect(updateCalls()).toHaveLength(0);
    expect(outcome.blocked).toEqual([]);
    expect(store.blocks.get('203.0.113.7/32')?.blockedUntil).toBe(W + 30 + BLOCK);
    expect(metrics.values()[METRICS.blockListFill]).toBe(10);
  });

  test('responses AWS WAF blocked are not offences', async () => {
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 20, T, { wafResponseCode: 'WAF_BLOCK' })), deps());
    expect(outcome.blocked).toEqual([]);
    expect(store.calls).toEqual([]);
    expect(metrics.values()[METRICS.offencesCounted]).toBe(0);
  });

  test('the address is sourceIp, never X-Forwarded-For', async () => {
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 5, T, { 'X-Forwarded-For': '198.51.100.1', xForwardedFor: '198.51.100.1' })), deps());
    expect(outcome.blocked).toEqual(['203.0.113.7/32']);
    expect(store.counters.has('198.51.100.1/32')).toBe(false);
  });

  test('malformed events are counted and logged, and the rest of the batch still counts', async () => {
    const outcome = await processLogBatch(batch(
      null,
      'text',
      { timestamp: T, message: 'not json' },
      logEvent(accessLog({ sourceIp: '203.0.113.7, 198.51.100.1' })),
      logEvent(accessLog({ status: '401' })),
      ...offences('203.0.113.7', 5),
    ), deps());
    expect(outcome.blocked).toEqual(['203.0.113.7/32']);
    expect(metrics.values()).toMatchObject({ [METRICS.malformedEvents]: 5, [METRICS.offencesCounted]: 5 });
    expect(log.entries).toContainEqual({ level: 'warn', message: 'Skipped malformed log events', extra: [{ malformed: 5, logGroup: 'api-access' }] });
  });

  test('a batch of malformed events only is counted, and writes nothing', async () => {
    await processLogBatch(batch(null, 42, {}), deps());
    expect(metrics.values()).toEqual(quiet({ [METRICS.malformedEvents]: 3, [METRICS.offencesCounted]: 0 }));
    expect(store.calls).toEqual([]);
  });
});

describe('processLogBatch: never blocks an allow-listed or exempt address', () => {
  test.each([
    ['in the IPv4 allow list', '192.0.2.77', '192.0.2.77/32'],
    ['in the IPv6 allow list', '2001:db8:a11::5', '2001:db8:a11::5/128'],
    ['in the exempt blocks', '198.51.100.100', '198.51.100.100/32'],
    ['the IPv4-mapped IPv6 form of an allow-listed address', '::ffff:192.0.2.77', '192.0.2.77/32'],
  ])('an address %s reaching the threshold is not blocked, and is counted as an exempt offender', async (_case, address, exempt) => {
    const outcome = await processLogBatch(batch(...offences(address, 50)), deps());
    expect(outcome.blocked).toEqual([]);
    expect(outcome.exempt).toEqual([exempt]);
    expect(store.calls).toEqual(['countOffences']);
    expect(store.blocks.size).toBe(0);
    expect(updateCalls()).toHaveLength(0);
    expect(metrics.values()).toMatchObject({ [METRICS.exemptOffenders]: 1, [METRICS.addressesBlocked]: 0, [METRICS.errors]: 0 });
    expect(log.entries).toContainEqual({ level: 'warn', message: 'Allow-listed or exempt addresses reached the threshold and were not blocked', extra: [{ addresses: outcome.exempt }] });
  });

  test('an IPv4-mapped client is exempt by the IPv4 allow list through the IPv4 path: counted as its IPv4 address', async () => {
    // The IPv6 allow list holds nothing that covers ::ffff:192.0.2.77, so only the IPv4 list can exempt it.
    waf.edit(ALLOW_V6, ['2001:db8:a11::/48']);
    const outcome = await processLogBatch(batch(...offences('::ffff:192.0.2.77', 3), ...offences('192.0.2.77', 3)), deps());
    expect(outcome.exempt).toEqual(['192.0.2.77/32']);
    expect([...store.counters.keys()]).toEqual(['192.0.2.77/32']);
    expect(store.counted).toEqual([[expect.objectContaining({ address: { cidr: '192.0.2.77/32', version: 4 } })]]);

    // Without the IPv4 allow list it is blocked, in the IPv4 list.
    waf.edit(ALLOW_V4, []);
    const blocked = await processLogBatch(batch(...offences('::ffff:192.0.2.77', 1, T + 1000)), deps());
    expect(blocked.blocked).toEqual(['192.0.2.77/32']);
    expect(waf.addresses(IPV4_SET)).toEqual(['192.0.2.77/32']);
    expect(waf.writesTo(IPV6_SET)).toHaveLength(0);
  });

  test('the others in the same batch are still blocked', async () => {
    const outcome = await processLogBatch(batch(...offences('192.0.2.77', 9), ...offences('203.0.113.7', 9)), deps());
    expect(outcome).toMatchObject({ blocked: ['203.0.113.7/32'], exempt: ['192.0.2.77/32'] });
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.7/32']);
    expect([...store.blocks.keys()]).toEqual(['203.0.113.7/32']);
  });

  test('an operator\'s edit of the allow list counts on the next read, without a deploy', async () => {
    const shared = deps();
    waf.edit(ALLOW_V4, ['203.0.113.0/24']);
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), shared);
    expect(outcome.exempt).toEqual(['203.0.113.7/32']);
  });

  test('if the allow list cannot be read, nobody is blocked and the error is counted', async () => {
    waf.readFailures.set(ALLOW_V6.id, new WAFInternalErrorException({ message: 'internal', $metadata: {} }));
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(outcome).toEqual({ blocked: [], unblocked: [], evicted: [], exempt: [], errors: 1 });
    expect(store.calls).toEqual(['countOffences']);
    expect(updateCalls()).toHaveLength(0);
    expect(metrics.values()[METRICS.errors]).toBe(1);
    expect(log.entries).toContainEqual({ level: 'error', message: 'Failed to read the allow list', extra: [{ error: 'WAFInternalErrorException: internal' }] });
  });
});

describe('processLogBatch: failures are counted, never thrown', () => {
  test('a failed count stops the run before the allow list is read', async () => {
    store.failures.count = new Error('throttled');
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(outcome.errors).toBe(1);
    expect(wafMock.calls()).toHaveLength(0);
    expect(log.messages('error')).toEqual(['Failed to count offences']);
    expect(metrics.values()).toMatchObject({ [METRICS.errors]: 1, [METRICS.offencesCounted]: 9 });
  });

  test('a store that throws synchronously is a failed step too', async () => {
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps({
      store: { ...store, countOffences: () => { throw new TypeError('boom'); }, recordBlocks: store.recordBlocks, liveBlocks: store.liveBlocks },
    }));
    expect(outcome.errors).toBe(1);
  });

  test('if the block cannot be recorded, it is not written to the IP set: the sweep could not undo it', async () => {
    store.failures.record = new Error('throttled');
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(outcome).toEqual({ blocked: [], unblocked: [], evicted: [], exempt: [], errors: 1 });
    expect(updateCalls()).toHaveLength(0);
    expect(log.messages('error')).toEqual(['Failed to record blocks']);
  });

  test('a failed IP-set write is counted and logged, and the other list is still written', async () => {
    waf.updateFailures.push(new WAFInternalErrorException({ message: 'internal', $metadata: {} }));
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9), ...offences('2001:db8::7', 9)), deps());
    expect(outcome).toMatchObject({ blocked: ['2001:db8::7/128'], errors: 1 });
    expect(waf.addresses(IPV4_SET)).toEqual([]);
    expect(store.blocks.has('203.0.113.7/32')).toBe(true);
    expect(log.entries).toContainEqual({
      level: 'error',
      message: `Failed to update the IPv4 block list ${IPV4_SET.name}`,
      extra: [{ error: 'WAFInternalErrorException: internal' }],
    });
    expect(metrics.values()).toMatchObject({ [METRICS.errors]: 1, [METRICS.addressesBlocked]: 1 });
  });

  test('a conflict is retried, and the retries are counted', async () => {
    waf.beforeUpdate = () => {
      waf.beforeUpdate = undefined;
      waf.edit(IPV4_SET, ['192.0.2.250/32']);
    };
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(outcome).toMatchObject({ blocked: ['203.0.113.7/32'], errors: 0 });
    expect(waf.addresses(IPV4_SET)).toEqual(['192.0.2.250/32', '203.0.113.7/32']);
    expect(metrics.values()[METRICS.ipSetUpdateRetries]).toBe(1);
  });

  test('conflicts on every attempt: an error, with every retry counted', async () => {
    for (let i = 0; i < RETRY.maxAttempts; i++) {
      waf.updateFailures.push(new WAFOptimisticLockException({ message: 'changed', $metadata: {} }));
    }
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(outcome).toMatchObject({ blocked: [], errors: 1 });
    expect(metrics.values()).toMatchObject({ [METRICS.errors]: 1, [METRICS.ipSetUpdateRetries]: RETRY.maxAttempts - 1 });
    expect(log.messages('error')).toEqual([`Failed to update the IPv4 block list ${IPV4_SET.name}`]);
  });

  test('an error that cannot be printed is still logged', async () => {
    const unprintable = { toString: () => { throw new Error('no'); } };
    store.failures.count = unprintable as unknown as Error;
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(outcome.errors).toBe(1);
    expect(log.entries).toContainEqual({ level: 'error', message: 'Failed to count offences', extra: [{ error: 'unprintable error' }] });
  });
});

describe('processLogBatch: a full block list', () => {
  beforeEach(() => {
    settings = { ...settings, maxAddressesPerSet: 3 };
  });

  test('evicts the lowest-ranked block (fewest offences here), so a heavier new block gets in', async () => {
    waf.edit(IPV4_SET, ['203.0.113.1/32', '203.0.113.2/32', '203.0.113.3/32']);
    store.block('203.0.113.1/32', W + 300, { offences: 30 });
    store.block('203.0.113.2/32', W + 900, { offences: 6 });
    store.block('203.0.113.3/32', W + 200, { offences: 30 });

    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());

    expect(outcome).toMatchObject({ blocked: ['203.0.113.7/32'], evicted: ['203.0.113.2/32'], errors: 0 });
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.1/32', '203.0.113.3/32', '203.0.113.7/32']);
    expect(store.calls).toEqual(['countOffences', 'recordBlocks', 'liveBlocks v4']);
    expect(metrics.values()).toMatchObject({ [METRICS.addressesEvicted]: 1, [METRICS.blockListFill]: 100 });
    expect(log.entries).toContainEqual({
      level: 'warn',
      message: 'An automatic block list is full: dropped the lowest-ranked blocks (fewest strikes, then fewest offences, then latest first block)',
      extra: [{ evicted: ['203.0.113.2/32'] }],
    });
  });

  test('a new first offender no heavier than the blocks held is kept out: they stay', async () => {
    waf.edit(IPV4_SET, ['203.0.113.1/32', '203.0.113.2/32', '203.0.113.3/32']);
    for (const address of waf.addresses(IPV4_SET)) {
      store.block(address, W + 100, { offences: 9, firstBlockedAt: W - 600 });
    }
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(outcome).toMatchObject({ blocked: [], evicted: ['203.0.113.7/32'] });
    expect(updateCalls()).toHaveLength(0);
    expect(store.blocks.get('203.0.113.7/32')).toMatchObject({ strikes: 1, offences: 9 });
  });

  test('an evicted address that offends again is a repeat offender, and gets back in over heavier first offenders', async () => {
    settings = { ...settings, maxAddressesPerSet: 2 };
    await processLogBatch(batch(...offences('203.0.113.7', 5)), deps());
    nowMs += 1000;
    await processLogBatch(batch(...offences('203.0.113.1', 50), ...offences('203.0.113.2', 50)), deps());
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.1/32', '203.0.113.2/32']);

    // Two windows later its count has fallen under the threshold; it comes back.
    nowMs += 120_000;
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 5, nowMs)), deps());

    expect(store.blocks.get('203.0.113.7/32')).toMatchObject({ strikes: 2, offences: 10 });
    // The two first offenders tie (50 offences, same first block): the later address goes.
    expect(outcome).toMatchObject({ blocked: ['203.0.113.7/32'], evicted: ['203.0.113.2/32'] });
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.1/32', '203.0.113.7/32']);
  });

  test('an address kept out that stays over the threshold adds its offences in each batch until it outranks a block', async () => {
    settings = { ...settings, maxAddressesPerSet: 1 };
    store.block('203.0.113.1/32', W + 3000, { offences: 12, firstBlockedAt: W - 600 });
    waf.edit(IPV4_SET, ['203.0.113.1/32']);
    expect((await processLogBatch(batch(...offences('203.0.113.7', 6)), deps())).blocked).toEqual([]);
    nowMs += 1000;
    expect((await processLogBatch(batch(...offences('203.0.113.7', 6, nowMs)), deps())).blocked).toEqual([]);
    expect(store.blocks.get('203.0.113.7/32')).toMatchObject({ strikes: 1, offences: 12 });
    nowMs += 1000;
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 1, nowMs)), deps());
    expect(outcome).toMatchObject({ blocked: ['203.0.113.7/32'], evicted: ['203.0.113.1/32'] });
  });

  test('an address in the list without a live block is evicted first', async () => {
    waf.edit(IPV4_SET, ['203.0.113.1/32', '203.0.113.2/32', '203.0.113.3/32']);
    store.block('203.0.113.1/32', W + 300);
    store.block('203.0.113.2/32', W, { strikes: 9, offences: 999 }); // ended
    store.block('203.0.113.3/32', W + 200);
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(outcome.evicted).toEqual(['203.0.113.2/32']);
  });

  test('reads the blocks from the table only when the list would overflow', async () => {
    waf.edit(IPV4_SET, ['203.0.113.1/32', '203.0.113.2/32']);
    await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(store.calls).toEqual(['countOffences', 'recordBlocks']);
    expect(waf.addresses(IPV4_SET)).toHaveLength(3);
  });

  test('at AWS WAF\'s limit of 10,000 addresses, a new block still gets in and the write stays within the limit', async () => {
    settings = { ...settings, maxAddressesPerSet: 10_000 };
    const full = Array.from({ length: 10_000 }, (_, i) => `10.${i >> 8}.${i & 255}.1/32`);
    waf.edit(IPV4_SET, full);
    full.forEach((address, i) => store.block(address, W + 1000 + i, { offences: i === 0 ? 8 : 9 }));

    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());

    expect(outcome).toMatchObject({ blocked: ['203.0.113.7/32'], evicted: [full[0]], errors: 0 });
    const written = updateCalls()[0].args[0].input.Addresses!;
    expect(written).toHaveLength(10_000);
    expect(written).toContain('203.0.113.7/32');
    expect(written).not.toContain(full[0]);
  });

  test('if the table cannot be read to evict, nothing is written and the error is counted', async () => {
    waf.edit(IPV4_SET, ['203.0.113.1/32', '203.0.113.2/32', '203.0.113.3/32']);
    store.failures.live = new Error('throttled');
    const outcome = await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(outcome.errors).toBe(1);
    expect(updateCalls()).toHaveLength(0);
  });
});

describe('sweepBlockLists', () => {
  const NOW_S = W + 30;

  test('rebuilds each list from the live blocks: removes expired ones, keeps live ones', async () => {
    waf.edit(IPV4_SET, ['203.0.113.1/32', '203.0.113.2/32']);
    waf.edit(IPV6_SET, ['2001:db8::1/128']);
    store.block('203.0.113.1/32', NOW_S - 1);
    store.block('203.0.113.2/32', NOW_S + 100);
    store.block('2001:db8::1/128', NOW_S);

    const outcome = await sweepBlockLists(deps());

    expect(outcome).toEqual({ blocked: [], unblocked: ['203.0.113.1/32', '2001:db8::1/128'], evicted: [], exempt: [], errors: 0 });
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.2/32']);
    expect(waf.addresses(IPV6_SET)).toEqual([]);
    expect(waf.description(IPV4_SET)).toBe('auto v4');
    expect(waf.description(IPV6_SET)).toBe('auto v6');
    expect(metrics.values()).toEqual(quiet({ [METRICS.addressesUnblocked]: 2, [METRICS.blockListFill]: 10 }));
    expect(log.entries).toContainEqual({ level: 'info', message: 'Updated the automatic block lists', extra: [{ blocked: [], unblocked: ['203.0.113.1/32', '2001:db8::1/128'] }] });
  });

  test('restores live blocks missing from a list (a run that recorded them but failed to write)', async () => {
    store.block('203.0.113.5/32', NOW_S + 100);
    store.block('2001:db8::5/128', NOW_S + 100);
    const outcome = await sweepBlockLists(deps());
    expect(outcome.blocked).toEqual(['203.0.113.5/32', '2001:db8::5/128']);
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.5/32']);
    expect(waf.addresses(IPV6_SET)).toEqual(['2001:db8::5/128']);
  });

  test('removes addresses that have no block (added by hand): the blocker owns its lists', async () => {
    waf.edit(IPV4_SET, ['203.0.113.9/32']);
    const outcome = await sweepBlockLists(deps());
    expect(outcome.unblocked).toEqual(['203.0.113.9/32']);
    expect(waf.addresses(IPV4_SET)).toEqual([]);
  });

  test('removes blocked addresses that have since been allow-listed or exempted', async () => {
    waf.edit(IPV4_SET, ['192.0.2.9/32', '198.51.100.70/32', '203.0.113.2/32']);
    waf.edit(IPV6_SET, ['2001:db8:a11::9/128']);
    for (const address of ['192.0.2.9/32', '198.51.100.70/32', '203.0.113.2/32', '2001:db8:a11::9/128']) {
      store.block(address, NOW_S + 100);
    }
    await sweepBlockLists(deps());
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.2/32']);
    expect(waf.addresses(IPV6_SET)).toEqual([]);
  });

  test('does not write a list that is already right', async () => {
    waf.edit(IPV4_SET, ['203.0.113.2/32']);
    store.block('203.0.113.2/32', NOW_S + 100);
    const outcome = await sweepBlockLists(deps());
    expect(updateCalls()).toHaveLength(0);
    expect(outcome).toEqual({ blocked: [], unblocked: [], evicted: [], exempt: [], errors: 0 });
    expect(metrics.values()).toEqual(quiet({ [METRICS.blockListFill]: 10 }));
  });

  test('over the maximum, keeps the highest-ranked blocks', async () => {
    settings = { ...settings, maxAddressesPerSet: 2 };
    store.block('203.0.113.1/32', NOW_S + 100, { strikes: 2, offences: 5 });
    store.block('203.0.113.2/32', NOW_S + 900, { offences: 20, firstBlockedAt: NOW_S });
    store.block('203.0.113.3/32', NOW_S + 200, { offences: 20, firstBlockedAt: NOW_S - 60 });
    // The list holds all three (filled under a larger maximum).
    waf.create(IPV4_SET, 4, ['203.0.113.1/32', '203.0.113.2/32', '203.0.113.3/32'], 'auto v4');
    const outcome = await sweepBlockLists(deps());
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.1/32', '203.0.113.3/32']);
    expect(outcome.evicted).toEqual(['203.0.113.2/32']);
    expect(metrics.values()).toMatchObject({ [METRICS.addressesEvicted]: 1, [METRICS.blockListFill]: 100 });
  });

  test('a block left out of a full list is not counted as evicted again on every sweep', async () => {
    settings = { ...settings, maxAddressesPerSet: 2 };
    store.block('203.0.113.1/32', NOW_S + 300, { offences: 30 });
    store.block('203.0.113.2/32', NOW_S + 100);
    store.block('203.0.113.3/32', NOW_S + 200, { offences: 30 });
    waf.create(IPV4_SET, 4, ['203.0.113.1/32', '203.0.113.3/32'], 'auto v4');
    const outcome = await sweepBlockLists(deps());
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.1/32', '203.0.113.3/32']);
    expect(updateCalls()).toHaveLength(0);
    expect(outcome.evicted).toEqual([]);
    expect(metrics.values()).toMatchObject({ [METRICS.addressesEvicted]: 0, [METRICS.blockListFill]: 100 });
  });

  test('the fill metric is that of the fuller list', async () => {
    for (let i = 1; i <= 3; i++) {
      store.block(`203.0.113.${i}/32`, NOW_S + 100);
    }
    store.block('2001:db8::1/128', NOW_S + 100);
    await sweepBlockLists(deps());
    expect(metrics.entries.filter((entry) => entry.name === METRICS.blockListFill)).toEqual([{ unit: 'percent', name: METRICS.blockListFill, value: 30 }]);
  });

  test('if the allow list cannot be read, still removes expired blocks but adds none, and counts the error', async () => {
    waf.edit(IPV4_SET, ['203.0.113.1/32', '203.0.113.2/32']);
    waf.edit(IPV6_SET, ['2001:db8::1/128']);
    store.block('203.0.113.1/32', NOW_S - 1); // expired: removed
    store.block('203.0.113.2/32', NOW_S + 100); // live and in the list: kept
    store.block('203.0.113.5/32', NOW_S + 100); // live but missing from the list: not restored
    store.block('2001:db8::1/128', NOW_S + 100);
    store.block('2001:db8::5/128', NOW_S + 100);
    waf.readFailures.set(ALLOW_V4.id, new Error('AccessDenied'));

    const outcome = await sweepBlockLists(deps());

    expect(outcome).toEqual({ blocked: [], unblocked: ['203.0.113.1/32'], evicted: [], exempt: [], errors: 1 });
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.2/32']);
    expect(waf.addresses(IPV6_SET)).toEqual(['2001:db8::1/128']);
    expect(waf.writesTo(IPV4_SET)).toHaveLength(1);
    expect(waf.writesTo(IPV6_SET)).toHaveLength(0);
    expect(store.calls).toEqual(['liveBlocks v4', 'liveBlocks v6']);
    expect(metrics.values()).toEqual(quiet({ [METRICS.errors]: 1, [METRICS.addressesUnblocked]: 1, [METRICS.blockListFill]: 10 }));
    expect(log.entries).toContainEqual({ level: 'error', message: 'Failed to read the allow list', extra: [{ error: 'Error: AccessDenied' }] });
  });

  test('if the allow list cannot be read, a live block already in the list is kept, even one that may since be allow-listed', async () => {
    waf.edit(IPV4_SET, ['192.0.2.9/32']);
    store.block('192.0.2.9/32', NOW_S + 100);
    waf.readFailures.set(ALLOW_V6.id, new Error('AccessDenied'));
    const outcome = await sweepBlockLists(deps());
    expect(outcome).toEqual({ blocked: [], unblocked: [], evicted: [], exempt: [], errors: 1 });
    expect(updateCalls()).toHaveLength(0);
  });

  test('if the allow list cannot be read, addresses without a block (added by hand) are still removed', async () => {
    waf.edit(IPV4_SET, ['203.0.113.9/32']);
    waf.readFailures.set(ALLOW_V4.id, new Error('AccessDenied'));
    const outcome = await sweepBlockLists(deps());
    expect(outcome).toMatchObject({ blocked: [], unblocked: ['203.0.113.9/32'], errors: 1 });
    expect(waf.addresses(IPV4_SET)).toEqual([]);
  });

  test('if the allow list cannot be read, an IPv6 entry AWS WAF returns in another form is matched to its live block and kept', async () => {
    waf.edit(IPV6_SET, ['2001:DB8:0:0:0:0:0:5/128']);
    store.block('2001:db8::5/128', NOW_S + 100);
    waf.readFailures.set(ALLOW_V4.id, new Error('AccessDenied'));
    const outcome = await sweepBlockLists(deps());
    expect(outcome).toMatchObject({ blocked: [], unblocked: [], errors: 1 });
    expect(waf.writesTo(IPV6_SET)).toHaveLength(0);
  });

  test('if the table cannot be read, changes nothing and counts an error per list', async () => {
    waf.edit(IPV4_SET, ['203.0.113.1/32']);
    store.failures.live = new Error('throttled');
    const outcome = await sweepBlockLists(deps());
    expect(outcome.errors).toBe(2);
    expect(updateCalls()).toHaveLength(0);
    expect(metrics.values()[METRICS.errors]).toBe(2);
    expect(metrics.values()).not.toHaveProperty(METRICS.blockListFill);
  });

  test('one list failing does not stop the other', async () => {
    waf.updateFailures.push(new WAFInternalErrorException({ message: 'internal', $metadata: {} }));
    store.block('203.0.113.5/32', NOW_S + 100);
    store.block('2001:db8::5/128', NOW_S + 100);
    const outcome = await sweepBlockLists(deps());
    expect(outcome).toMatchObject({ blocked: ['2001:db8::5/128'], errors: 1 });
  });

  test('the sweep repairs what a failed run left: recorded but unwritten blocks are written', async () => {
    waf.updateFailures.push(new WAFInternalErrorException({ message: 'internal', $metadata: {} }));
    await processLogBatch(batch(...offences('203.0.113.7', 9)), deps());
    expect(waf.addresses(IPV4_SET)).toEqual([]);

    nowMs = T + 60_000;
    const outcome = await sweepBlockLists(deps());
    expect(outcome.blocked).toEqual(['203.0.113.7/32']);
    expect(waf.addresses(IPV4_SET)).toEqual(['203.0.113.7/32']);

    nowMs = T + (BLOCK + 1) * 1000;
    expect((await sweepBlockLists(deps())).unblocked).toEqual(['203.0.113.7/32']);
    expect(waf.addresses(IPV4_SET)).toEqual([]);
  });
});

describe('the issue\'s scenarios (issue 14, item 7), at full scale', () => {
  const WINDOW = 300;

  beforeEach(() => {
    settings = { ...settings, threshold: 20, windowSeconds: WINDOW, maxAddressesPerSet: 10_000 };
  });

  /** `addresses` with `each` offences apiece, delivered in batches of at most 10,000 events. */
  async function flood(addresses: readonly string[], each: number, atMs: number): Promise<RunOutcome[]> {
    const perBatch = Math.floor(10_000 / each);
    const outcomes: RunOutcome[] = [];
    for (let i = 0; i < addresses.length; i += perBatch) {
      outcomes.push(await processLogBatch(batch(...addresses.slice(i, i + perBatch).flatMap((address) => offences(address, each, atMs))), deps()));
    }
    return outcomes;
  }

  const fresh = Array.from({ length: 10_000 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
  const ATTACKER = '203.0.113.66';

  test('an attacker blocked, then 10,000 fresh addresses with 20 offences each: the attacker stays blocked, and the sweep keeps it', async () => {
    await processLogBatch(batch(...offences(ATTACKER, 20)), deps());
    expect(waf.addresses(IPV4_SET)).toEqual([`${ATTACKER}/32`]);

    nowMs = T + 60_000;
    const outcomes = await flood(fresh, 20, nowMs);

    const list = waf.addresses(IPV4_SET);
    expect(list).toHaveLength(10_000);
    expect(list).toContain(`${ATTACKER}/32`);
    // The one fresh address that did not fit is the last of the equals in code-unit order.
    const evicted = outcomes.flatMap((outcome) => outcome.evicted);
    expect(evicted).toEqual(['10.0.9.99/32']);
    expect(metrics.entries.filter((entry) => entry.name === METRICS.addressesEvicted).map((entry) => entry.value).reduce((a, b) => a + b)).toBe(1);

    nowMs = T + 300_000;
    const sweep = await sweepBlockLists(deps());
    expect(sweep).toMatchObject({ unblocked: [], evicted: [], errors: 0 });
    expect(waf.addresses(IPV4_SET)).toContain(`${ATTACKER}/32`);
  });

  test('an attacker pushed out of a full list (as the earliest-expiry rule did) comes back at the next sweep while its block is live', async () => {
    await processLogBatch(batch(...offences(ATTACKER, 20)), deps());
    nowMs = T + 60_000;
    await flood(fresh, 20, nowMs);
    // What the old rule left: the 10,000 fresh blocks, the attacker out.
    waf.edit(IPV4_SET, fresh.map((address) => `${address}/32`));

    nowMs = T + 300_000;
    const outcome = await sweepBlockLists(deps());

    expect(outcome.blocked).toEqual([`${ATTACKER}/32`]);
    expect(outcome.evicted).toEqual(['10.0.9.99/32']);
    expect(waf.addresses(IPV4_SET)).toHaveLength(10_000);
    expect(waf.addresses(IPV4_SET)).toContain(`${ATTACKER}/32`);
  });

  describe('IPv6 spread over many /64s of one /48', () => {
    beforeEach(() => {
      // The construct's defaults: /64 clients, /56 at 5 × and /48 at 20 × the threshold.
      settings = { ...settings, ipv6PrefixLength: 64, ipv6Networks: [{ prefixLength: 56, threshold: 100 }, { prefixLength: 48, threshold: 400 }] };
    });

    /** 2,000 /64s of 2001:db8:77::/48, spread over all of its /56s. */
    const spread = Array.from({ length: 2_000 }, (_, i) => `2001:db8:77:${((i % 256) << 8 | (i >> 8)).toString(16)}::1`);

    test('38,000 failures over 2,000 /64s of one /48 (19 each, under the threshold) block the /48, and no /64', async () => {
      const outcomes = await flood(spread, 19, T);
      const blocked = outcomes.flatMap((outcome) => outcome.blocked);
      expect(blocked).toContain('2001:db8:77::/48');
      expect(blocked.filter((cidr) => cidr.endsWith('/64'))).toEqual([]);
      expect(waf.addresses(IPV6_SET)).toContain('2001:db8:77::/48');
      // Its /56s reach 100 too (about 148 failures each): blocked as networks of their own.
      expect(blocked.filter((cidr) => cidr.endsWith('/56')).length).toBeGreaterThan(0);
      expect(store.blocks.get('2001:db8:77::/48')).toMatchObject({ version: 6, strikes: 1 });
      // The /48 is one entry of the list (with its /56s, at most 257 in all).
      expect(waf.addresses(IPV6_SET).length).toBeLessThanOrEqual(257);
    });

    test('a /48 that holds an exempt address is not blocked; its /56s without one still are, and so are its /64s over the threshold', async () => {
      settings = { ...settings, exemptCidrs: ['2001:db8:77:5::1/128'] };
      // 250 /64s in each of two /56s, 19 failures each: 4,750 for each /56, 9,500 for the /48.
      const two56s = Array.from({ length: 500 }, (_, i) => `2001:db8:77:${((i >> 8) << 8 | (i & 255)).toString(16)}::1`).filter((address) => !/:(5|6)::1$/.test(address));
      const outcomes = await flood([...two56s, '2001:db8:77:5::9', '2001:db8:77:6::9'], 19, T);
      await processLogBatch(batch(...offences('2001:db8:77:6::9', 1), ...offences('2001:db8:77:5::9', 1)), deps());
      const blocked = outcomes.flatMap((outcome) => outcome.blocked);
      const exempt = outcomes.flatMap((outcome) => outcome.exempt);
      expect(exempt).toContain('2001:db8:77::/48');
      expect(exempt).toContain('2001:db8:77::/56');
      expect(blocked).not.toContain('2001:db8:77::/48');
      expect(blocked).toContain('2001:db8:77:100::/56');
      const list = waf.addresses(IPV6_SET);
      expect(list).not.toContain('2001:db8:77::/48');
      expect(list).not.toContain('2001:db8:77::/56');
      expect(list).not.toContain('2001:db8:77:5::/64');
      // 20 offences: the /64 beside the exempt address is blocked on its own.
      expect(list).toContain('2001:db8:77:6::/64');
    });

    test('the wider networks are not counted when ipv6PrefixLength is not longer (a /48 client is counted once)', async () => {
      settings = { ...settings, ipv6PrefixLength: 48, ipv6Networks: [{ prefixLength: 56, threshold: 100 }, { prefixLength: 48, threshold: 400 }] };
      await processLogBatch(batch(...offences('2001:db8:77:1::1', 19)), deps());
      expect([...store.counters.keys()]).toEqual(['2001:db8:77::/48']);
    });

    test('a batch counts each /64, /56 and /48 once: one counter write per network, not per offence', async () => {
      await processLogBatch(batch(...offences('2001:db8:77:101::1', 3), ...offences('2001:db8:77:102::1', 3), ...offences('2001:db8:78::1', 3)), deps());
      expect(store.counted[0].map((count) => count.address.cidr).sort()).toEqual([
        '2001:db8:77:100::/56', '2001:db8:77:101::/64', '2001:db8:77:102::/64', '2001:db8:77::/48',
        '2001:db8:78::/48', '2001:db8:78::/56', '2001:db8:78::/64',
      ]);
    });
  });
});

/**
 * Reading and writing AWS WAF IP sets under their lock tokens, against a stateful fake of AWS WAF
 * behind `mockClient(WAFV2Client)` (see `FakeWaf`): a write with a stale token fails with
 * `WAFOptimisticLockException`, as the real API's does.
 */
import {
  GetIPSetCommand,
  UpdateIPSetCommand,
  WAFInternalErrorException,
  WAFLimitsExceededException,
  WAFOptimisticLockException,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { RetryOptions } from '../../../lambda/abuse-blocker/backoff';
import { BlockListPlan, planBlockList } from '../../../lambda/abuse-blocker/block-list';
import { DEFAULT_RETRY, IpSetConflictError, IpSets } from '../../../lambda/abuse-blocker/ip-sets';
import { FakeWaf, IPV4_SET, IPV6_SET, rejectionOf, seededRandom } from './fakes';

const DESCRIPTION = 'Addresses blocked by the abuse blocker';
const RETRY: RetryOptions = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300 };

const wafMock = mockClient(WAFV2Client);
let waf: FakeWaf;
let slept: number[];

/** IpSets whose back-off is recorded, not waited for. */
function ipSets(retry: RetryOptions = RETRY, random: () => number = () => 0.5): IpSets {
  return new IpSets(new WAFV2Client({ region: 'eu-west-1' }), {
    retry,
    random,
    sleep: async (ms) => { slept.push(ms); },
  });
}

/** A planner that adds `addresses` to the set, as a batch does. */
const adding = (...addresses: string[]) => (current: readonly string[]): BlockListPlan =>
  planBlockList({ current, wanted: addresses, keepCurrent: true, max: 10_000 });

const lockConflict = () => new WAFOptimisticLockException({ message: 'someone changed the set', $metadata: {} });

beforeEach(() => {
  wafMock.reset();
  waf = new FakeWaf(wafMock).create(IPV4_SET, 4, ['198.51.100.1/32'], DESCRIPTION).create(IPV6_SET, 6, [], DESCRIPTION);
  slept = [];
});

afterAll(() => wafMock.restore());

describe('IpSets.addresses', () => {
  test('reads the set with GetIPSet, by name, id and scope', async () => {
    expect(await ipSets().addresses(IPV4_SET)).toEqual(['198.51.100.1/32']);
    expect(wafMock.commandCalls(GetIPSetCommand).map((call) => call.args[0].input)).toEqual([{ Name: IPV4_SET.name, Id: IPV4_SET.id, Scope: 'REGIONAL' }]);
  });

  test('a set without Addresses is empty', async () => {
    wafMock.reset();
    wafMock.on(GetIPSetCommand).resolves({ IPSet: { Name: 'x', Id: 'y', ARN: 'z', IPAddressVersion: 'IPV4', Addresses: undefined as unknown as string[] }, LockToken: 't' });
    expect(await ipSets().addresses(IPV4_SET)).toEqual([]);
  });

  test.each([
    ['no IP set', { LockToken: 't' }],
    ['no lock token', { IPSet: { Name: 'x', Id: 'y', ARN: 'z', IPAddressVersion: 'IPV4' as const, Addresses: [] } }],
  ])('a GetIPSet answer with %s is an error', async (_case, answer) => {
    wafMock.reset();
    wafMock.on(GetIPSetCommand).resolves(answer);
    await expect(ipSets().addresses(IPV4_SET)).rejects.toThrow(`GetIPSet returned no IP set or lock token for ${IPV4_SET.name}`);
  });

  test('a failed GetIPSet rejects', async () => {
    waf.readFailures.set(IPV4_SET.id, new WAFInternalErrorException({ message: 'internal', $metadata: {} }));
    await expect(ipSets().addresses(IPV4_SET)).rejects.toThrow('internal');
  });
});

describe('IpSets.update', () => {
  test('reads the set, plans from its addresses, and writes the plan once, under the lock token it read', async () => {
    const token = waf.lockToken(IPV4_SET);
    const planner = jest.fn(adding('203.0.113.7/32'));

    const update = await ipSets().update(IPV4_SET, planner);

    expect(planner.mock.calls).toEqual([[['198.51.100.1/32']]]);
    expect(update).toEqual({ plan: planner.mock.results[0].value, retries: 0, written: true });
    expect(wafMock.commandCalls(GetIPSetCommand)).toHaveLength(1);
    expect(wafMock.commandCalls(UpdateIPSetCommand).map((call) => call.args[0].input)).toEqual([{
      Name: IPV4_SET.name,
      Id: IPV4_SET.id,
      Scope: 'REGIONAL',
      Description: DESCRIPTION,
      Addresses: ['198.51.100.1/32', '203.0.113.7/32'],
      LockToken: token,
    }]);
    expect(waf.addresses(IPV4_SET)).toEqual(['198.51.100.1/32', '203.0.113.7/32']);
    expect(slept).toEqual([]);
  });

  test('keeps the set\'s description: UpdateIPSet would otherwise clear it', async () => {
    await ipSets().update(IPV4_SET, adding('203.0.113.7/32'));
    expect(waf.description(IPV4_SET)).toBe(DESCRIPTION);
  });

  test('a set without a description is written without one', async () => {
    waf.create(IPV4_SET, 4, []);
    await ipSets().update(IPV4_SET, adding('203.0.113.7/32'));
    expect(wafMock.commandCalls(UpdateIPSetCommand)[0].args[0].input.Description).toBeUndefined();
  });

  test('does not write when the plan does not change the set', async () => {
    const update = await ipSets().update(IPV4_SET, adding('198.51.100.1/32'));
    expect(update).toMatchObject({ retries: 0, written: false, plan: { changed: false, addresses: ['198.51.100.1/32'] } });
    expect(wafMock.commandCalls(UpdateIPSetCommand)).toHaveLength(0);
  });

  test('accepts a planner that returns a promise', async () => {
    const update = await ipSets().update(IPV6_SET, async (current) => adding('2001:db8::7/128')(current));
    expect(update.written).toBe(true);
    expect(waf.addresses(IPV6_SET)).toEqual(['2001:db8::7/128']);
  });

  test('after a conflict, reads again and plans from the new addresses, so another writer\'s address is kept', async () => {
    waf.beforeUpdate = () => {
      waf.beforeUpdate = undefined;
      waf.edit(IPV4_SET, [...waf.addresses(IPV4_SET), '192.0.2.9/32']);
    };
    const planner = jest.fn(adding('203.0.113.7/32'));

    const update = await ipSets().update(IPV4_SET, planner);

    expect(update.retries).toBe(1);
    expect(update.written).toBe(true);
    expect(waf.conflicts).toBe(1);
    expect(planner.mock.calls.map(([current]) => current)).toEqual([['198.51.100.1/32'], ['198.51.100.1/32', '192.0.2.9/32']]);
    expect(waf.addresses(IPV4_SET)).toEqual(['192.0.2.9/32', '198.51.100.1/32', '203.0.113.7/32']);
    expect(wafMock.commandCalls(GetIPSetCommand)).toHaveLength(2);
    expect(slept).toEqual([50]);
  });

  test('after a conflict, stops without writing if the other writer already made the change', async () => {
    waf.beforeUpdate = () => {
      waf.beforeUpdate = undefined;
      waf.edit(IPV4_SET, ['198.51.100.1/32', '203.0.113.7/32']);
    };
    const update = await ipSets().update(IPV4_SET, adding('203.0.113.7/32'));
    expect(update).toMatchObject({ retries: 1, written: false });
    expect(waf.writes).toHaveLength(0);
  });

  test('gives up after maxAttempts with IpSetConflictError, which carries the retries', async () => {
    waf.beforeUpdate = () => waf.edit(IPV4_SET, waf.addresses(IPV4_SET));
    const error = await rejectionOf(IpSetConflictError, ipSets().update(IPV4_SET, adding('203.0.113.7/32')));
    expect(error.name).toBe('IpSetConflictError');
    expect(error.retries).toBe(RETRY.maxAttempts - 1);
    expect(error.message).toBe(`IP set ${IPV4_SET.name} kept changing under ${RETRY.maxAttempts} attempts to update it`);
    expect(wafMock.commandCalls(UpdateIPSetCommand)).toHaveLength(RETRY.maxAttempts);
    expect(wafMock.commandCalls(GetIPSetCommand)).toHaveLength(RETRY.maxAttempts);
    expect(waf.conflicts).toBe(RETRY.maxAttempts);
    expect(slept).toHaveLength(RETRY.maxAttempts - 1);
  });

  test('one attempt in all: no retry, no back-off', async () => {
    wafMock.reset();
    waf = new FakeWaf(wafMock).create(IPV4_SET, 4);
    waf.updateFailures.push(lockConflict());
    const error = await rejectionOf(IpSetConflictError, ipSets({ ...RETRY, maxAttempts: 1 }).update(IPV4_SET, adding('203.0.113.7/32')));
    expect(error.retries).toBe(0);
    expect(slept).toEqual([]);
  });

  test('backs off between attempts with bounded, growing, full-jitter delays', async () => {
    waf.beforeUpdate = () => waf.edit(IPV4_SET, waf.addresses(IPV4_SET));
    await rejectionOf(IpSetConflictError, ipSets(RETRY, () => 0.999).update(IPV4_SET, adding('203.0.113.7/32')));
    // Bounds 100, 200, 300 (the cap), 300.
    expect(slept).toEqual([99, 199, 299, 299]);
  });

  test('the delays are random within their bounds', async () => {
    waf.beforeUpdate = () => waf.edit(IPV4_SET, waf.addresses(IPV4_SET));
    const retry = { maxAttempts: 40, baseDelayMs: 100, maxDelayMs: 300 };
    await rejectionOf(IpSetConflictError, ipSets(retry, seededRandom(3)).update(IPV4_SET, adding('203.0.113.7/32')));
    expect(slept).toHaveLength(39);
    slept.forEach((ms, retryIndex) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(Math.min(300, 100 * 2 ** retryIndex));
    });
    expect(new Set(slept).size).toBeGreaterThan(30);
  });

  test('by default waits with a real timer', async () => {
    waf.updateFailures.push(lockConflict());
    jest.useFakeTimers();
    try {
      const pending = new IpSets(new WAFV2Client({ region: 'eu-west-1' }), { retry: RETRY, random: () => 0.5 }).update(IPV4_SET, adding('203.0.113.7/32'));
      await jest.advanceTimersByTimeAsync(49);
      expect(waf.writes).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      await expect(pending).resolves.toMatchObject({ retries: 1, written: true });
    } finally {
      jest.useRealTimers();
    }
  });

  test('retries 10 times by default, backing off from 50 ms up to 2 s', () => {
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 2000 });
  });

  test.each([
    ['an internal error', new WAFInternalErrorException({ message: 'internal', $metadata: {} })],
    ['a full IP set', new WAFLimitsExceededException({ message: 'too many addresses', $metadata: {} })],
    ['a network failure', new Error('socket hang up')],
  ])('does not retry any other error: %s', async (_case, error) => {
    waf.updateFailures.push(error);
    await expect(ipSets().update(IPV4_SET, adding('203.0.113.7/32'))).rejects.toBe(error);
    expect(wafMock.commandCalls(UpdateIPSetCommand)).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  test('a planner that fails stops the update before any write', async () => {
    await expect(ipSets().update(IPV4_SET, () => { throw new Error('table unavailable'); })).rejects.toThrow('table unavailable');
    expect(wafMock.commandCalls(UpdateIPSetCommand)).toHaveLength(0);
  });

  test('a failed GetIPSet stops the update before planning', async () => {
    waf.readFailures.set(IPV4_SET.id, new Error('AccessDenied'));
    const planner = jest.fn(adding('203.0.113.7/32'));
    await expect(ipSets().update(IPV4_SET, planner)).rejects.toThrow('AccessDenied');
    expect(planner).not.toHaveBeenCalled();
  });
});

describe('IpSets.update: concurrent writers', () => {
  /** Back-off that really waits (briefly), so writers spread out. */
  const concurrent = (random: () => number) => new IpSets(new WAFV2Client({ region: 'eu-west-1' }), {
    retry: { maxAttempts: 200, baseDelayMs: 2, maxDelayMs: 20 },
    random,
  });

  test('20 writers each adding a different address at once lose no address', async () => {
    waf.maxDelayMs = 4;
    const sets = concurrent(seededRandom(11));
    const addresses = Array.from({ length: 20 }, (_, i) => `203.0.113.${i + 10}/32`);

    const updates = await Promise.all(addresses.map((address) => sets.update(IPV4_SET, adding(address))));

    expect(waf.addresses(IPV4_SET).sort()).toEqual(['198.51.100.1/32', ...addresses].sort());
    expect(waf.writes).toHaveLength(20);
    const retries = updates.reduce((sum, update) => sum + update.retries, 0);
    expect(retries).toBeGreaterThan(0);
    expect(retries).toBe(waf.conflicts);
    expect(updates.every((update) => update.written)).toBe(true);
    expect(waf.description(IPV4_SET)).toBe(DESCRIPTION);
  });

  // The defaults at a tenth of the time: AWS WAF answering in up to 10 ms (about 100 ms for real)
  // against back-off from 5 ms to 200 ms (50 ms to 2 s), the same 10 attempts.
  test.each([1, 2, 3, 4, 5])('20 writers at once within the default 10 attempts, scaled to a tenth of the time, lose no address (seed %d)', async (seed) => {
    waf.maxDelayMs = 10;
    const sets = new IpSets(new WAFV2Client({ region: 'eu-west-1' }), {
      retry: { maxAttempts: DEFAULT_RETRY.maxAttempts, baseDelayMs: DEFAULT_RETRY.baseDelayMs / 10, maxDelayMs: DEFAULT_RETRY.maxDelayMs / 10 },
      random: seededRandom(seed),
    });
    const addresses = Array.from({ length: 20 }, (_, i) => `203.0.113.${i + 10}/32`);
    const updates = await Promise.all(addresses.map((address) => sets.update(IPV4_SET, adding(address))));
    expect(waf.addresses(IPV4_SET).sort()).toEqual(['198.51.100.1/32', ...addresses].sort());
    expect(updates.every((update) => update.written)).toBe(true);
    expect(Math.max(...updates.map((update) => update.retries))).toBeLessThan(DEFAULT_RETRY.maxAttempts);
  });

  test('writers of different sets do not conflict with each other', async () => {
    waf.maxDelayMs = 2;
    const sets = concurrent(seededRandom(5));
    const updates = await Promise.all([
      sets.update(IPV4_SET, adding('203.0.113.7/32')),
      sets.update(IPV6_SET, adding('2001:db8::7/128')),
    ]);
    expect(updates.map((update) => update.retries)).toEqual([0, 0]);
    expect(waf.conflicts).toBe(0);
    expect(waf.writesTo(IPV4_SET)).toHaveLength(1);
    expect(waf.writesTo(IPV6_SET)).toHaveLength(1);
  });

  test('a writer recomputing the set (the sweep) and writers adding at once: the adders\' addresses survive', async () => {
    waf.maxDelayMs = 4;
    const sets = concurrent(seededRandom(23));
    const added = Array.from({ length: 10 }, (_, i) => `203.0.113.${i + 100}/32`);
    // The sweep's table view includes every recorded block, as the blocker records before it writes.
    const sweep = (current: readonly string[]) => planBlockList({ current, wanted: added, keepCurrent: false, max: 10_000 });

    await Promise.all([sets.update(IPV4_SET, sweep), ...added.map((address) => sets.update(IPV4_SET, adding(address)))]);

    expect(waf.addresses(IPV4_SET).sort()).toEqual(added.sort());
  });
});

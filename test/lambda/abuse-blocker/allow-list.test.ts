import { hostAddress } from '../../../lambda/abuse-blocker/addresses';
import { AllowList } from '../../../lambda/abuse-blocker/allow-list';
import type { IpSetReference } from '../../../lambda/shared/constants';
import { ALLOW_V4, ALLOW_V6 } from './fakes';

const T = 1_700_000_000_000;
const at = (address: string) => hostAddress(address)!;

/** A fake `ReadIpSet` over editable contents, that records each read and can fail. */
function sets(contents: Record<string, string[]>) {
  const reads: string[] = [];
  let failure: Error | undefined;
  return {
    reads,
    contents,
    fail: (error: Error | undefined) => { failure = error; },
    read: async (set: IpSetReference) => {
      reads.push(set.name);
      if (failure) {
        throw failure;
      }
      return contents[set.name];
    },
  };
}

describe('AllowList', () => {
  test('is the addresses of every allow-list set plus the exempt blocks', async () => {
    const fake = sets({ [ALLOW_V4.name]: ['198.51.100.0/24'], [ALLOW_V6.name]: ['2001:db8:1::/48'] });
    const ranges = await new AllowList([ALLOW_V4, ALLOW_V6], ['192.0.2.7/32'], fake.read).ranges(T);
    expect(fake.reads.sort()).toEqual([ALLOW_V4.name, ALLOW_V6.name]);
    expect(ranges.contains(at('198.51.100.9'))).toBe(true);
    expect(ranges.contains(at('2001:db8:1::9'))).toBe(true);
    expect(ranges.contains(at('192.0.2.7'))).toBe(true);
    expect(ranges.contains(at('192.0.2.8'))).toBe(false);
    expect(ranges.contains(at('2001:db8:2::9'))).toBe(false);
  });

  test('with no allow-list sets, reads nothing and holds the exempt blocks', async () => {
    const fake = sets({});
    const ranges = await new AllowList([], ['192.0.2.0/24'], fake.read).ranges(T);
    expect(fake.reads).toEqual([]);
    expect(ranges.contains(at('192.0.2.1'))).toBe(true);
  });

  test('an entry it cannot read is ignored and the others still count', async () => {
    const fake = sets({ [ALLOW_V4.name]: ['garbage', '198.51.100.0/24'] });
    const ranges = await new AllowList([ALLOW_V4], [], fake.read).ranges(T);
    expect(ranges.invalid).toEqual(['garbage']);
    expect(ranges.contains(at('198.51.100.1'))).toBe(true);
  });

  test('reads the sets at the same time', async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const pending = new AllowList([ALLOW_V4, ALLOW_V6], [], async (set) => {
      started.push(set.name);
      await gate;
      return [];
    }).ranges(T);
    await Promise.resolve();
    expect(started).toEqual([ALLOW_V4.name, ALLOW_V6.name]);
    release();
    await pending;
  });

  test('keeps what it read for maxAgeMs, then reads again, so an operator\'s edit counts without a deploy', async () => {
    const fake = sets({ [ALLOW_V4.name]: ['198.51.100.0/24'] });
    const allowList = new AllowList([ALLOW_V4], [], fake.read, 10_000);
    const first = await allowList.ranges(T);
    fake.contents[ALLOW_V4.name] = ['203.0.113.0/24'];

    expect(await allowList.ranges(T + 9_999)).toBe(first);
    expect(fake.reads).toHaveLength(1);

    const second = await allowList.ranges(T + 10_000);
    expect(fake.reads).toHaveLength(2);
    expect(second.contains(at('203.0.113.1'))).toBe(true);
    expect(second.contains(at('198.51.100.1'))).toBe(false);
  });

  test('keeps what it read for a minute by default', async () => {
    const fake = sets({ [ALLOW_V4.name]: [] });
    const allowList = new AllowList([ALLOW_V4], [], fake.read);
    await allowList.ranges(T);
    await allowList.ranges(T + 59_999);
    expect(fake.reads).toHaveLength(1);
    await allowList.ranges(T + 60_000);
    expect(fake.reads).toHaveLength(2);
  });

  test('a failed read rejects, so the caller blocks nobody, and is not kept: the next call reads again', async () => {
    const fake = sets({ [ALLOW_V4.name]: ['198.51.100.0/24'] });
    const allowList = new AllowList([ALLOW_V4], [], fake.read);
    const failure = new Error('WAFInternalErrorException');
    fake.fail(failure);
    await expect(allowList.ranges(T)).rejects.toBe(failure);
    fake.fail(undefined);
    const ranges = await allowList.ranges(T + 1);
    expect(fake.reads).toHaveLength(2);
    expect(ranges.contains(at('198.51.100.1'))).toBe(true);
  });

  test('once expired, a failed read is not answered from the old list', async () => {
    const fake = sets({ [ALLOW_V4.name]: ['198.51.100.0/24'] });
    const allowList = new AllowList([ALLOW_V4], [], fake.read, 1000);
    await allowList.ranges(T);
    fake.fail(new Error('throttled'));
    await expect(allowList.ranges(T + 1000)).rejects.toThrow('throttled');
  });

  test('one failed set fails the whole list: a partial allow list is never used', async () => {
    const allowList = new AllowList([ALLOW_V4, ALLOW_V6], ['192.0.2.0/24'], async (set) => {
      if (set === ALLOW_V6) {
        throw new Error('AccessDenied');
      }
      return ['198.51.100.0/24'];
    });
    await expect(allowList.ranges(T)).rejects.toThrow('AccessDenied');
  });
});

import { hostAddress } from '../../../lambda/abuse-blocker/addresses';
import { countByAddress, slidingCount } from '../../../lambda/abuse-blocker/counting';
import type { Offence } from '../../../lambda/abuse-blocker/log-events';

const A = hostAddress('203.0.113.7')!;
const B = hostAddress('2001:db8::7')!;
/** A window start: a multiple of 60 and of 300, in seconds. */
const W = 1_700_000_100;

const offence = (address = A, seconds = W): Offence => ({ address, timestamp: seconds * 1000 });

describe('countByAddress', () => {
  test('groups offences by address, and each address\'s by fixed window, with the latest window and offence', () => {
    const offences = [offence(A, W + 1), offence(B, W + 2), offence(A, W + 30.5), offence(A, W + 10), offence(B, W + 61)];
    expect(countByAddress(offences, 60)).toEqual([
      { address: A, windows: new Map([[W, 3]]), latestWindow: W, lastSeen: W + 30.5 },
      { address: B, windows: new Map([[W, 1], [W + 60, 1]]), latestWindow: W + 60, lastSeen: W + 61 },
    ]);
  });

  test('one entry per address, in the order the addresses first appear', () => {
    const offences = [offence(B, W + 70), offence(A, W + 5), offence(B, W + 1), offence(A, W + 65)];
    expect(countByAddress(offences, 60).map((count) => count.address)).toEqual([B, A]);
  });

  test('keeps milliseconds in lastSeen, in seconds', () => {
    expect(countByAddress([{ address: A, timestamp: W * 1000 + 999 }], 60)[0].lastSeen).toBe(W + 0.999);
  });

  test('the latest window and lastSeen are the latest even when events come out of order', () => {
    expect(countByAddress([offence(A, W + 50), offence(A, W + 65), offence(A, W + 5), offence(A, W + 20)], 60)).toEqual([
      { address: A, windows: new Map([[W, 3], [W + 60, 1]]), latestWindow: W + 60, lastSeen: W + 65 },
    ]);
  });

  test('keeps every window of the batch, also those older than the window before the latest', () => {
    const [count] = countByAddress([offence(A, W + 300), offence(A, W + 1), offence(A, W + 2), offence(A, W + 240)], 60);
    expect(count.windows).toEqual(new Map([[W + 300, 1], [W, 2], [W + 240, 1]]));
    expect(count.latestWindow).toBe(W + 300);
  });

  test.each([
    ['the first millisecond of a window', W * 1000, W],
    ['the last millisecond of a window', (W + 60) * 1000 - 1, W],
    ['the first millisecond of the next window', (W + 60) * 1000, W + 60],
    ['the last millisecond of the previous window', W * 1000 - 1, W - 60],
  ])('an offence at %s belongs to the window it starts', (_case, timestamp, windowStart) => {
    const [count] = countByAddress([{ address: A, timestamp }], 60);
    expect(count.windows).toEqual(new Map([[windowStart, 1]]));
    expect(count.latestWindow).toBe(windowStart);
  });

  test('windows start at multiples of their length, since the epoch', () => {
    const [count] = countByAddress([offence(A, W + 299)], 300);
    expect(count.latestWindow).toBe(W);
    expect(count.latestWindow % 300).toBe(0);
    expect(countByAddress([offence(A, W + 300)], 300)[0].latestWindow).toBe(W + 300);
  });

  test('groups by canonical address: HostAddress objects that are equal but not the same object share an entry', () => {
    const offences = [offence(hostAddress('2001:DB8::7')!), offence(hostAddress('2001:db8:0:0:0:0:0:7')!)];
    expect(countByAddress(offences, 60)).toEqual([{ address: B, windows: new Map([[W, 2]]), latestWindow: W, lastSeen: W }]);
  });

  test('no offences give no entries', () => {
    expect(countByAddress([], 60)).toEqual([]);
  });
});

describe('slidingCount', () => {
  test.each([
    // current, previous, seconds into the window, estimate
    [4, 10, 0, 14],
    [4, 10, 15, 11.5],
    [4, 10, 30, 9],
    [4, 10, 45, 6.5],
    [4, 10, 60, 4],
    [0, 10, 30, 5],
    [7, 0, 30, 7],
    [0, 0, 30, 0],
  ])('current %d, previous %d, %d s into a 60 s window: %d', (current, previous, elapsed, estimate) => {
    expect(slidingCount(current, previous, W, 60, W + elapsed)).toBeCloseTo(estimate, 10);
  });

  test('clamps a time after the window to the window\'s end: the previous window no longer counts', () => {
    expect(slidingCount(4, 10, W, 60, W + 600)).toBe(4);
  });

  test('clamps a time before the window to its start: the previous window counts in full, never more', () => {
    expect(slidingCount(4, 10, W, 60, W - 30)).toBe(14);
  });

  test('a burst split across the boundary of two fixed windows is still seen', () => {
    // 9 offences in the last second of one window and 1 in the first second of the next: neither
    // fixed window reaches 10, but the sliding window does. Both windows are in the address's one entry.
    const offences = [...Array(9).fill(offence(A, W + 59)), offence(A, W + 60)];
    const [count] = countByAddress(offences, 60);
    expect(count.windows).toEqual(new Map([[W, 9], [W + 60, 1]]));
    const current = count.windows.get(count.latestWindow)!;
    const previous = count.windows.get(count.latestWindow - 60)!;
    expect(slidingCount(current, previous, count.latestWindow, 60, count.lastSeen)).toBe(10);
  });
});

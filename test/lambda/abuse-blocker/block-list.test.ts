import { BlockListInput, planBlockList } from '../../../lambda/abuse-blocker/block-list';
import { seededRandom } from './fakes';

const a = '198.51.100.1/32';
const b = '198.51.100.2/32';
const c = '198.51.100.3/32';
const d = '198.51.100.4/32';
const e = '198.51.100.5/32';

const wanted = (...entries: Array<[string, number]>) => new Map(entries);

describe('planBlockList: adding (keepCurrent)', () => {
  test('merges the wanted addresses into the current ones, sorted, and lists what was added', () => {
    expect(planBlockList({ current: [c, a], wanted: wanted([b, 100], [d, 100]), keepCurrent: true, max: 10 })).toEqual({
      addresses: [a, b, c, d],
      added: [b, d],
      removed: [],
      evicted: [],
      changed: true,
    });
  });

  test('never drops a current address that is not wanted: another writer may have added it', () => {
    const plan = planBlockList({ current: [a, b, c], wanted: wanted([d, 100]), keepCurrent: true, max: 10 });
    expect(plan.addresses).toEqual(expect.arrayContaining([a, b, c]));
    expect(plan.removed).toEqual([]);
  });

  test('does not change when every wanted address is already there', () => {
    expect(planBlockList({ current: [b, a], wanted: wanted([a, 100]), keepCurrent: true, max: 10 })).toEqual({
      addresses: [a, b],
      added: [],
      removed: [],
      evicted: [],
      changed: false,
    });
  });

  test('does not change when nothing is wanted', () => {
    expect(planBlockList({ current: [a], wanted: wanted(), keepCurrent: true, max: 10 }).changed).toBe(false);
  });

  test('an empty list and nothing wanted: no change', () => {
    expect(planBlockList({ current: [], wanted: wanted(), keepCurrent: true, max: 10 })).toEqual({ addresses: [], added: [], removed: [], evicted: [], changed: false });
  });

  test('duplicates in the current list are written once, and alone are not a change', () => {
    const plan = planBlockList({ current: [a, a, b], wanted: wanted([a, 100]), keepCurrent: true, max: 10 });
    expect(plan.addresses).toEqual([a, b]);
    expect(plan.changed).toBe(false);
  });

  test('fills the list to exactly the maximum without evicting', () => {
    const plan = planBlockList({ current: [a, b], wanted: wanted([c, 100]), keepCurrent: true, max: 3 });
    expect(plan.addresses).toEqual([a, b, c]);
    expect(plan.evicted).toEqual([]);
  });

  test('a full list evicts the address whose block expires first, so the new block gets in', () => {
    const plan = planBlockList({
      current: [a, b, c],
      wanted: wanted([d, 500]),
      keepCurrent: true,
      expiries: new Map([[a, 300], [b, 100], [c, 200]]),
      max: 3,
    });
    expect(plan).toEqual({ addresses: [a, c, d], added: [d], removed: [], evicted: [b], changed: true });
  });

  test('an address whose expiry is unknown (not in the table, or added by hand) is evicted first', () => {
    const plan = planBlockList({
      current: [a, b, c],
      wanted: wanted([d, 500]),
      keepCurrent: true,
      expiries: new Map([[a, 300], [c, 200]]),
      max: 3,
    });
    expect(plan.evicted).toEqual([b]);
    expect(plan.addresses).toEqual([a, c, d]);
  });

  test('without expiries every current address counts as unknown, and the new block still gets in', () => {
    const plan = planBlockList({ current: [a, b, c], wanted: wanted([d, 500]), keepCurrent: true, max: 3 });
    expect(plan.evicted).toEqual([a]);
    expect(plan.addresses).toEqual([b, c, d]);
  });

  test('evicts as many as needed to make room for several new blocks', () => {
    const plan = planBlockList({
      current: [a, b, c],
      wanted: wanted([d, 500], [e, 500]),
      keepCurrent: true,
      expiries: new Map([[a, 300], [b, 100], [c, 200]]),
      max: 3,
    });
    expect(plan).toEqual({ addresses: [a, d, e], added: [d, e], removed: [], evicted: [b, c], changed: true });
  });

  test('a list already over the maximum is cut down to it', () => {
    const plan = planBlockList({ current: [a, b, c, d], wanted: wanted(), keepCurrent: true, expiries: new Map([[a, 4], [b, 3], [c, 2], [d, 1]]), max: 2 });
    expect(plan).toEqual({ addresses: [a, b], added: [], removed: [], evicted: [c, d], changed: true });
  });

  test('the expiry of a wanted address wins over the one in expiries', () => {
    const plan = planBlockList({
      current: [a, b],
      wanted: wanted([a, 900], [c, 500]),
      keepCurrent: true,
      expiries: new Map([[a, 1], [b, 100]]),
      max: 2,
    });
    expect(plan.evicted).toEqual([b]);
    expect(plan.addresses).toEqual([a, c]);
  });

  test('a new block that expires before every current one is not let in, and the list does not change', () => {
    const plan = planBlockList({ current: [a, b], wanted: wanted([c, 50]), keepCurrent: true, expiries: new Map([[a, 100], [b, 200]]), max: 2 });
    expect(plan).toEqual({ addresses: [a, b], added: [], removed: [], evicted: [c], changed: false });
  });

  test('ties in expiry are broken by address, whatever order the addresses come in', () => {
    const expiries = new Map([[a, 100], [b, 100], [c, 100]]);
    const plans = [[a, b, c], [c, b, a], [b, c, a]].map((current) => planBlockList({ current, wanted: wanted([d, 500]), keepCurrent: true, expiries, max: 3 }));
    for (const plan of plans) {
      expect(plan.evicted).toEqual([a]);
      expect(plan.addresses).toEqual([b, c, d]);
    }
  });

  test('ties compare the address strings (so 10.x sorts before 9.x), not the numbers', () => {
    const plan = planBlockList({ current: ['9.0.0.1/32', '10.0.0.1/32'], wanted: wanted(), keepCurrent: true, max: 1 });
    expect(plan.evicted).toEqual(['10.0.0.1/32']);
    expect(plan.addresses).toEqual(['9.0.0.1/32']);
  });

  test('the evicted addresses are listed sorted by address', () => {
    const plan = planBlockList({ current: [a, b, c], wanted: wanted([e, 500]), keepCurrent: true, expiries: new Map([[a, 200], [b, 300], [c, 100]]), max: 2 });
    expect(plan.evicted).toEqual([a, c]);
  });
});

describe('planBlockList: recomputing (keepCurrent false)', () => {
  test('the list becomes the wanted addresses: the others are removed, the missing ones added', () => {
    expect(planBlockList({ current: [a, b, c], wanted: wanted([b, 100], [d, 100]), keepCurrent: false, max: 10 })).toEqual({
      addresses: [b, d],
      added: [d],
      removed: [a, c],
      evicted: [],
      changed: true,
    });
  });

  test('does not change when the list already is the wanted addresses', () => {
    expect(planBlockList({ current: [b, a], wanted: wanted([a, 1], [b, 2]), keepCurrent: false, max: 10 }).changed).toBe(false);
  });

  test('nothing wanted empties the list', () => {
    expect(planBlockList({ current: [a, b], wanted: wanted(), keepCurrent: false, max: 10 })).toEqual({ addresses: [], added: [], removed: [a, b], evicted: [], changed: true });
  });

  test('more wanted addresses than the maximum: the latest expiries are kept', () => {
    const plan = planBlockList({ current: [a, b, c], wanted: wanted([a, 100], [b, 300], [c, 200], [d, 400]), keepCurrent: false, max: 2 });
    expect(plan).toEqual({ addresses: [b, d], added: [d], removed: [], evicted: [a, c], changed: true });
  });

  test('ignores expiries of addresses that are not wanted', () => {
    const plan = planBlockList({ current: [a, b], wanted: wanted([b, 100]), keepCurrent: false, expiries: new Map([[a, 999]]), max: 10 });
    expect(plan.addresses).toEqual([b]);
    expect(plan.removed).toEqual([a]);
  });
});

describe('planBlockList: invariants over random inputs', () => {
  const pool = Array.from({ length: 40 }, (_, i) => `10.0.0.${i}/32`);

  test.each([true, false])('keepCurrent %s: the plan is consistent', (keepCurrent) => {
    const random = seededRandom(keepCurrent ? 7 : 8);
    const pick = () => pool.filter(() => random() < 0.3);
    for (let trial = 0; trial < 300; trial++) {
      const current = pick();
      const want = new Map(pick().map((address) => [address, Math.floor(random() * 5)] as [string, number]));
      const expiries = new Map(pick().map((address) => [address, Math.floor(random() * 5)] as [string, number]));
      const max = 1 + Math.floor(random() * 15);
      const input: BlockListInput = { current, wanted: want, keepCurrent, expiries, max };
      const plan = planBlockList(input);
      const expiry = (address: string) => want.get(address) ?? expiries.get(address) ?? 0;
      const candidates = new Set(keepCurrent ? [...current, ...want.keys()] : want.keys());

      expect(plan.addresses.length).toBeLessThanOrEqual(max);
      expect(plan.addresses).toEqual([...plan.addresses].sort());
      expect(new Set(plan.addresses).size).toBe(plan.addresses.length);
      // Every candidate is written or left out, never both; only candidates are written.
      const leftOut = [...candidates].filter((address) => !plan.addresses.includes(address));
      expect(plan.addresses.every((address) => candidates.has(address))).toBe(true);
      // Nothing is left out unless the candidates do not fit.
      expect(leftOut.length).toBe(Math.max(candidates.size - max, 0));
      // Evicted: all left out when adding; when rebuilding, only those the list held.
      expect(plan.evicted).toEqual(leftOut.filter((address) => keepCurrent || current.includes(address)).sort());
      // Eviction takes the earliest expiries.
      if (leftOut.length > 0 && plan.addresses.length > 0) {
        expect(Math.max(...leftOut.map(expiry))).toBeLessThanOrEqual(Math.min(...plan.addresses.map(expiry)));
      }
      if (keepCurrent) {
        // Adding never drops a current address except to make room.
        expect(plan.removed).toEqual([]);
        for (const address of current) {
          expect(plan.addresses.includes(address) || plan.evicted.includes(address)).toBe(true);
        }
      }
      expect(plan.added).toEqual(plan.addresses.filter((address) => !current.includes(address)));
      expect(plan.changed).toBe([...new Set(current)].sort().join() !== plan.addresses.join());
    }
  });
});

import { BlockListInput, BlockStanding, compareStandings, planBlockList } from '../../../lambda/abuse-blocker/block-list';
import { seededRandom } from './fakes';

const a = '198.51.100.1/32';
const b = '198.51.100.2/32';
const c = '198.51.100.3/32';
const d = '198.51.100.4/32';
const e = '198.51.100.5/32';

/** A live block with `strikes` and `offences`, first blocked at `firstBlockedAt`. */
const at = (strikes: number, offences: number, firstBlockedAt = 100): BlockStanding => ({ blockedUntil: 5000, strikes, offences, firstBlockedAt });
const standings = (...entries: Array<[string, BlockStanding]>) => new Map(entries);

describe('planBlockList: adding (keepCurrent)', () => {
  test('merges the wanted addresses into the current ones, sorted, and lists what was added', () => {
    expect(planBlockList({ current: [c, a], wanted: [b, d], keepCurrent: true, max: 10 })).toEqual({
      addresses: [a, b, c, d],
      added: [b, d],
      removed: [],
      evicted: [],
      changed: true,
    });
  });

  test('never drops a current address that is not wanted: another writer may have added it', () => {
    const plan = planBlockList({ current: [a, b, c], wanted: [d], keepCurrent: true, max: 10 });
    expect(plan.addresses).toEqual(expect.arrayContaining([a, b, c]));
    expect(plan.removed).toEqual([]);
  });

  test('does not change when every wanted address is already there', () => {
    expect(planBlockList({ current: [b, a], wanted: [a], keepCurrent: true, max: 10 })).toEqual({
      addresses: [a, b],
      added: [],
      removed: [],
      evicted: [],
      changed: false,
    });
  });

  test('does not change when nothing is wanted', () => {
    expect(planBlockList({ current: [a], wanted: [], keepCurrent: true, max: 10 }).changed).toBe(false);
  });

  test('an empty list and nothing wanted: no change', () => {
    expect(planBlockList({ current: [], wanted: [], keepCurrent: true, max: 10 })).toEqual({ addresses: [], added: [], removed: [], evicted: [], changed: false });
  });

  test('duplicates in the current list are written once, and alone are not a change', () => {
    const plan = planBlockList({ current: [a, a, b], wanted: [a], keepCurrent: true, max: 10 });
    expect(plan.addresses).toEqual([a, b]);
    expect(plan.changed).toBe(false);
  });

  test('fills the list to exactly the maximum without evicting', () => {
    const plan = planBlockList({ current: [a, b], wanted: [c], keepCurrent: true, max: 3 });
    expect(plan.addresses).toEqual([a, b, c]);
    expect(plan.evicted).toEqual([]);
  });

  test('a full list evicts the lowest-ranked block, so a stronger new block gets in', () => {
    const plan = planBlockList({
      current: [a, b, c],
      wanted: [d],
      keepCurrent: true,
      standings: standings([a, at(1, 30)], [b, at(1, 20)], [c, at(1, 25)], [d, at(1, 40)]),
      max: 3,
    });
    expect(plan).toEqual({ addresses: [a, c, d], added: [d], removed: [], evicted: [b], changed: true });
  });

  test('an address without a live block (not in the table, or added by hand) is evicted first', () => {
    const plan = planBlockList({
      current: [a, b, c],
      wanted: [d],
      keepCurrent: true,
      standings: standings([a, at(1, 20)], [c, at(1, 20)], [d, at(1, 20)]),
      max: 3,
    });
    expect(plan.evicted).toEqual([b]);
    expect(plan.addresses).toEqual([a, c, d]);
  });

  test('without standings every address ranks the same, and ties go by address', () => {
    const plan = planBlockList({ current: [a, b, c], wanted: [d], keepCurrent: true, max: 3 });
    expect(plan.evicted).toEqual([d]);
    expect(plan.addresses).toEqual([a, b, c]);
  });

  test('evicts as many as needed to make room for several new blocks', () => {
    const plan = planBlockList({
      current: [a, b, c],
      wanted: [d, e],
      keepCurrent: true,
      standings: standings([a, at(2, 1)], [b, at(1, 20)], [c, at(1, 21)], [d, at(1, 50)], [e, at(1, 50)]),
      max: 3,
    });
    expect(plan).toEqual({ addresses: [a, d, e], added: [d, e], removed: [], evicted: [b, c], changed: true });
  });

  test('a list already over the maximum is cut down to it', () => {
    const plan = planBlockList({ current: [a, b, c, d], wanted: [], keepCurrent: true, standings: standings([a, at(1, 4)], [b, at(1, 3)], [c, at(1, 2)], [d, at(1, 1)]), max: 2 });
    expect(plan).toEqual({ addresses: [a, b], added: [], removed: [], evicted: [c, d], changed: true });
  });

  test('a new block that ranks below every current one is not let in, and the list does not change', () => {
    const plan = planBlockList({ current: [a, b], wanted: [c], keepCurrent: true, standings: standings([a, at(1, 30)], [b, at(1, 30)], [c, at(1, 20)]), max: 2 });
    expect(plan).toEqual({ addresses: [a, b], added: [], removed: [], evicted: [c], changed: false });
  });

  test('the evicted addresses are listed sorted by address', () => {
    const plan = planBlockList({ current: [a, b, c], wanted: [e], keepCurrent: true, standings: standings([a, at(1, 2)], [b, at(1, 3)], [c, at(1, 1)], [e, at(1, 9)]), max: 2 });
    expect(plan.evicted).toEqual([a, c]);
  });
});

describe('compareStandings: the order a full list keeps blocks in', () => {
  const order = (entries: Array<[string, BlockStanding | undefined]>) => {
    const map = new Map(entries.filter((entry): entry is [string, BlockStanding] => entry[1] !== undefined));
    return entries.map(([address]) => address).sort(compareStandings(map));
  };

  test('a repeat offender before a heavier first offender', () => {
    expect(order([[a, at(1, 1000)], [b, at(2, 20)]])).toEqual([b, a]);
  });

  test('with as many strikes, the heavier first', () => {
    expect(order([[a, at(2, 20)], [b, at(2, 21)]])).toEqual([b, a]);
  });

  test('as many strikes and offences: the earlier first block first (the block held stays)', () => {
    expect(order([[a, at(1, 20, 500)], [b, at(1, 20, 100)]])).toEqual([b, a]);
  });

  test('all equal: by address, in code-unit order (10.x before 9.x), whatever the input order', () => {
    const x = '9.0.0.1/32';
    const y = '10.0.0.1/32';
    expect(order([[x, at(1, 20)], [y, at(1, 20)]])).toEqual([y, x]);
    expect(order([[y, at(1, 20)], [x, at(1, 20)]])).toEqual([y, x]);
  });

  test('an address without a live block after every address with one, then by address', () => {
    expect(order([[c, undefined], [b, at(1, 1, 9e9)], [a, undefined]])).toEqual([b, a, c]);
  });

  test('the block\'s end plays no part: a later expiry does not outrank an earlier block', () => {
    expect(order([[a, { ...at(1, 20, 100), blockedUntil: 1 }], [b, { ...at(1, 20, 200), blockedUntil: 9e9 }]])).toEqual([a, b]);
  });
});

describe('planBlockList: recomputing (keepCurrent false)', () => {
  test('the list becomes the wanted addresses: the others are removed, the missing ones added', () => {
    expect(planBlockList({ current: [a, b, c], wanted: [b, d], keepCurrent: false, max: 10 })).toEqual({
      addresses: [b, d],
      added: [d],
      removed: [a, c],
      evicted: [],
      changed: true,
    });
  });

  test('does not change when the list already is the wanted addresses', () => {
    expect(planBlockList({ current: [b, a], wanted: [a, b], keepCurrent: false, max: 10 }).changed).toBe(false);
  });

  test('nothing wanted empties the list', () => {
    expect(planBlockList({ current: [a, b], wanted: [], keepCurrent: false, max: 10 })).toEqual({ addresses: [], added: [], removed: [a, b], evicted: [], changed: true });
  });

  test('more wanted addresses than the maximum: the highest-ranked are kept', () => {
    const plan = planBlockList({ current: [a, b, c], wanted: [a, b, c, d], keepCurrent: false, standings: standings([a, at(1, 1)], [b, at(1, 3)], [c, at(1, 2)], [d, at(1, 4)]), max: 2 });
    expect(plan).toEqual({ addresses: [b, d], added: [d], removed: [], evicted: [a, c], changed: true });
  });

  test('ignores standings of addresses that are not wanted', () => {
    const plan = planBlockList({ current: [a, b], wanted: [b], keepCurrent: false, standings: standings([a, at(9, 999)]), max: 10 });
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
      const want = pick();
      const ranked = new Map(pick().map((address) => [address, at(1 + Math.floor(random() * 3), Math.floor(random() * 3), Math.floor(random() * 3))] as [string, BlockStanding]));
      const max = 1 + Math.floor(random() * 15);
      const input: BlockListInput = { current, wanted: want, keepCurrent, standings: ranked, max };
      const plan = planBlockList(input);
      const candidates = new Set(keepCurrent ? [...current, ...want] : want);
      const better = compareStandings(ranked);

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
      // Every address kept ranks above every address left out.
      for (const out of leftOut) {
        expect(plan.addresses.every((address) => better(address, out) < 0)).toBe(true);
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

import { mapWithConcurrency } from '../../../lambda/abuse-blocker/concurrency';

/** Resolves after `ms` of real time. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapWithConcurrency', () => {
  test('returns the results in the order of the items, whatever order the calls finish in', async () => {
    const items = [5, 1, 4, 0, 3, 2];
    const results = await mapWithConcurrency(items, 3, async (ms) => {
      await sleep(ms);
      return ms * 10;
    });
    expect(results).toEqual([50, 10, 40, 0, 30, 20]);
  });

  test('calls the function once for each item', async () => {
    const seen: number[] = [];
    await mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 2, async (item) => {
      seen.push(item);
      await sleep(0);
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test.each([1, 2, 4, 16])('never runs more than %d calls at once, and reaches that many', async (limit) => {
    let running = 0;
    let most = 0;
    await mapWithConcurrency(Array.from({ length: 40 }, (_, i) => i), limit, async (i) => {
      running++;
      most = Math.max(most, running);
      await sleep(i % 3);
      running--;
    });
    expect(most).toBe(limit);
  });

  test('starts no more calls than there are items', async () => {
    let running = 0;
    let most = 0;
    const results = await mapWithConcurrency(['a', 'b'], 16, async (item) => {
      running++;
      most = Math.max(most, running);
      await sleep(1);
      running--;
      return item.toUpperCase();
    });
    expect(results).toEqual(['A', 'B']);
    expect(most).toBe(2);
  });

  test('no items: no calls, and an empty result', async () => {
    const fn = jest.fn(async () => 1);
    await expect(mapWithConcurrency([], 4, fn)).resolves.toEqual([]);
    expect(fn).not.toHaveBeenCalled();
  });

  test('rejects with the first failure', async () => {
    const failure = new Error('throttled');
    await expect(mapWithConcurrency([1, 2, 3], 2, async (item) => {
      if (item === 2) {
        throw failure;
      }
      return item;
    })).rejects.toBe(failure);
  });
});

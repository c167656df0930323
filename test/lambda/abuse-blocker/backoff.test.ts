import { jitteredDelay, RetryOptions } from '../../../lambda/abuse-blocker/backoff';
import { DEFAULT_RETRY } from '../../../lambda/abuse-blocker/ip-sets';
import { seededRandom } from './fakes';

const OPTIONS: RetryOptions = { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 2000 };
/** The largest value Math.random can return. */
const ALMOST_ONE = 1 - Number.EPSILON / 2;

describe('jitteredDelay', () => {
  test.each([
    [0, 50],
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1600],
    [6, 2000],
    [7, 2000],
    [50, 2000],
    [2000, 2000],
  ])('retry %d: the bound is %d ms, and the delay stays under it', (retry, bound) => {
    expect(jitteredDelay(retry, OPTIONS, () => ALMOST_ONE)).toBe(bound - 1);
    expect(jitteredDelay(retry, OPTIONS, () => 0)).toBe(0);
    expect(jitteredDelay(retry, OPTIONS, () => 0.5)).toBe(bound / 2);
  });

  test('the delay is a whole number of milliseconds, rounded down', () => {
    expect(jitteredDelay(0, OPTIONS, () => 0.333)).toBe(16);
  });

  test('is full jitter: uniform over [0, bound), not clustered at the bound', () => {
    const random = seededRandom(42);
    const delays = Array.from({ length: 2000 }, () => jitteredDelay(6, OPTIONS, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(2000);
    expect(Math.min(...delays)).toBeLessThan(100);
    expect(Math.max(...delays)).toBeGreaterThan(1900);
    const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
    expect(mean).toBeGreaterThan(900);
    expect(mean).toBeLessThan(1100);
    expect(new Set(delays).size).toBeGreaterThan(500);
  });

  test('uses Math.random by default', () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.25);
    try {
      expect(jitteredDelay(2, OPTIONS)).toBe(50);
      expect(random).toHaveBeenCalledTimes(1);
    } finally {
      random.mockRestore();
    }
  });

  test('the default retries back off for at most about 10 s in all, well inside the function\'s timeout', () => {
    const worst = Array.from({ length: DEFAULT_RETRY.maxAttempts - 1 }, (_, retry) => jitteredDelay(retry, DEFAULT_RETRY, () => ALMOST_ONE));
    expect(worst).toEqual([49, 99, 199, 399, 799, 1599, 1999, 1999, 1999]);
    expect(worst.reduce((sum, delay) => sum + delay, 0)).toBeLessThanOrEqual(10_000);
  });
});

/** How a conflicting write is retried. */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** The back-off before the first retry is at most this long. */
  readonly baseDelayMs: number;
  /** No back-off is longer than this. */
  readonly maxDelayMs: number;
}

/**
 * The back-off before retry number `retry` (0 for the first): "full jitter", a uniformly random
 * delay up to an exponentially growing, capped bound, so writers that collided spread out.
 */
export function jitteredDelay(retry: number, options: RetryOptions, random: () => number = Math.random): number {
  const bound = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.floor(random() * bound);
}

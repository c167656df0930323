/**
 * Request throttling: a token bucket that refills at `rateLimit` requests a second and holds at
 * most `burstLimit` requests.
 */
export interface ThrottleSettings {
  /**
   * Steady-state requests a second.
   *
   * @default - the enclosing level's rate (stage, then account)
   */
  readonly rateLimit?: number;

  /**
   * Most requests served at once above the steady rate. Needs `rateLimit`.
   *
   * @default - the enclosing level's burst (stage, then account)
   */
  readonly burstLimit?: number;
}

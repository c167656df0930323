/**
 * What the state table knows of a live block, to rank it against others when a list is full.
 * Times are seconds since the epoch.
 */
export interface BlockStanding {
  /** When the block ends. */
  readonly blockedUntil: number;
  /**
   * How many times the address reached the threshold from below while the table remembered it
   * (1 for a first block): a repeat offender has 2 or more.
   */
  readonly strikes: number;
  /** Offences that got it blocked, plus those counted while it stayed over the threshold. */
  readonly offences: number;
  /** When the table first recorded a block of it (remembered for a day after each block). */
  readonly firstBlockedAt: number;
}

/** What a block list should become, and how it differs from what it is. */
export interface BlockListPlan {
  /** The addresses to write, sorted. */
  readonly addresses: string[];
  /** Addresses that were not in the list. */
  readonly added: string[];
  /** Addresses taken out because they are no longer wanted (their block expired). */
  readonly removed: string[];
  /**
   * Addresses taken out because the list was full (the lowest-ranked), sorted; when adding, also
   * new blocks kept out. When rebuilding, a block the list did not hold is not counted: it was
   * left out before, and would otherwise be counted again on every sweep.
   */
  readonly evicted: string[];
  /** Whether the list changes: if not, it need not be written. */
  readonly changed: boolean;
}

export interface BlockListInput {
  /** The addresses in the IP set now. */
  readonly current: readonly string[];
  /** Addresses that must be blocked. */
  readonly wanted: Iterable<string>;
  /**
   * Whether addresses in `current` that are not `wanted` stay: true when adding (another writer
   * may have added them), false when recomputing the list from the blocker's state.
   */
  readonly keepCurrent: boolean;
  /**
   * The live blocks, by address, to rank the candidates when they are more than `max`; needed
   * only then. An address without one ranks below every address with one.
   */
  readonly standings?: ReadonlyMap<string, BlockStanding>;
  /** The most addresses the list may hold. */
  readonly max: number;
}

/**
 * The order in which a full list keeps blocks, best first; the last ones are evicted:
 * 1. an address with a live block before one without (added by hand, or whose block expired);
 * 2. more strikes first: a repeat offender before a first offender;
 * 3. more offences first: the heaviest;
 * 4. the earlier first block first: among equals, the block already held stays, so a flood of
 *    fresh addresses that are no worse cannot push it out;
 * 5. the address, in code-unit order, so the result never depends on the order of the input.
 */
export function compareStandings(standings: ReadonlyMap<string, BlockStanding> | undefined): (a: string, b: string) => number {
  return (a, b) => {
    const [x, y] = [standings?.get(a), standings?.get(b)];
    if (x === undefined || y === undefined) {
      return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0) || compare(a, b);
    }
    return y.strikes - x.strikes || y.offences - x.offences || x.firstBlockedAt - y.firstBlockedAt || compare(a, b);
  };
}

/**
 * Plans a block list: `current` merged with `wanted` (or `wanted` alone), cut to `max` addresses
 * by {@link compareStandings}. Pure: the caller writes the result under the IP set's lock token.
 */
export function planBlockList(input: BlockListInput): BlockListPlan {
  const current = new Set(input.current);
  const candidates = new Set(input.keepCurrent ? [...current, ...input.wanted] : input.wanted);
  const overflow = Math.max(candidates.size - input.max, 0);
  let kept = [...candidates];
  let evicted: string[] = [];
  if (overflow > 0) {
    const ranked = kept.sort(compareStandings(input.standings));
    kept = ranked.slice(0, input.max);
    evicted = ranked.slice(input.max).filter((address) => input.keepCurrent || current.has(address));
  }
  const addresses = kept.sort(compare);
  const added = addresses.filter((address) => !current.has(address));
  const removed = [...current].filter((address) => !candidates.has(address)).sort(compare);
  return { addresses, added, removed, evicted: evicted.sort(compare), changed: added.length + removed.length + evicted.filter((address) => current.has(address)).length > 0 };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

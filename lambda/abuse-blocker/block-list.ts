/** What a block list should become, and how it differs from what it is. */
export interface BlockListPlan {
  /** The addresses to write, sorted. */
  readonly addresses: string[];
  /** Addresses that were not in the list. */
  readonly added: string[];
  /** Addresses taken out because they are no longer wanted (their block expired). */
  readonly removed: string[];
  /**
   * Addresses taken out because the list was full (those that expire first), sorted; when adding,
   * also new blocks kept out. When rebuilding, a block the list did not hold is not counted: it was
   * left out before, and would otherwise be counted again on every sweep.
   */
  readonly evicted: string[];
  /** Whether the list changes: if not, it need not be written. */
  readonly changed: boolean;
}

export interface BlockListInput {
  /** The addresses in the IP set now. */
  readonly current: readonly string[];
  /** Addresses that must be blocked, with their expiry (seconds since the epoch). */
  readonly wanted: ReadonlyMap<string, number>;
  /**
   * Whether addresses in `current` that are not `wanted` stay: true when adding (another writer
   * may have added them), false when recomputing the list from the blocker's state.
   */
  readonly keepCurrent: boolean;
  /** The expiry of other addresses, for eviction; an address with none is evicted first. */
  readonly expiries?: ReadonlyMap<string, number>;
  /** The most addresses the list may hold. */
  readonly max: number;
}

/**
 * Plans a block list: `current` merged with `wanted` (or `wanted` alone), cut to `max` addresses by
 * evicting those whose block expires first, so the newest blocks always get in. Pure: the caller
 * writes the result under the IP set's lock token.
 */
export function planBlockList(input: BlockListInput): BlockListPlan {
  const current = new Set(input.current);
  const candidates = new Set(input.keepCurrent ? [...current, ...input.wanted.keys()] : input.wanted.keys());
  const expiry = (address: string) => input.wanted.get(address) ?? input.expiries?.get(address) ?? 0;
  const byExpiry = [...candidates].sort((a, b) => expiry(a) - expiry(b) || compare(a, b));
  const overflow = Math.max(byExpiry.length - input.max, 0);
  const evicted = byExpiry.slice(0, overflow).filter((address) => input.keepCurrent || current.has(address));
  const kept = new Set(byExpiry.slice(overflow));

  const addresses = [...kept].sort(compare);
  const added = addresses.filter((address) => !current.has(address));
  const removed = [...current].filter((address) => !candidates.has(address)).sort(compare);
  return { addresses, added, removed, evicted: evicted.sort(compare), changed: added.length + removed.length + evicted.filter((address) => current.has(address)).length > 0 };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

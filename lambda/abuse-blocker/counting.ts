import { HostAddress } from './addresses';
import { Offence } from './log-events';

/** One address's offences in a batch, by fixed window. */
export interface AddressCount {
  readonly address: HostAddress;
  /** Offences by window start (seconds since the epoch, a multiple of the window's length). */
  readonly windows: ReadonlyMap<number, number>;
  /** The start of the latest window with an offence. */
  readonly latestWindow: number;
  /** The latest offence, in seconds since the epoch (inside `latestWindow`). */
  readonly lastSeen: number;
}

/**
 * Groups offences by address, and each address's by fixed window, so each address is stored with
 * one write: its windows then add up in one step, and a burst across a window boundary is never
 * split over two writes that could land in either order.
 */
export function countByAddress(offences: readonly Offence[], windowSeconds: number): AddressCount[] {
  const groups = new Map<string, { address: HostAddress; windows: Map<number, number>; latestWindow: number; lastSeen: number }>();
  for (const { address, timestamp } of offences) {
    const seconds = timestamp / 1000;
    const windowStart = Math.floor(seconds / windowSeconds) * windowSeconds;
    let group = groups.get(address.cidr);
    if (group === undefined) {
      group = { address, windows: new Map(), latestWindow: windowStart, lastSeen: seconds };
      groups.set(address.cidr, group);
    }
    group.windows.set(windowStart, (group.windows.get(windowStart) ?? 0) + 1);
    group.latestWindow = Math.max(group.latestWindow, windowStart);
    group.lastSeen = Math.max(group.lastSeen, seconds);
  }
  return [...groups.values()];
}

/**
 * The offences of the last `windowSeconds` before `atSeconds`, estimated from the current fixed
 * window's count and the previous one's, weighted by how much of the previous window the sliding
 * window still covers. A client cannot stay under the threshold by splitting a burst across the
 * boundary of two fixed windows.
 */
export function slidingCount(current: number, previous: number, windowStart: number, windowSeconds: number, atSeconds: number): number {
  const elapsed = Math.min(Math.max(atSeconds - windowStart, 0), windowSeconds);
  return current + previous * (1 - elapsed / windowSeconds);
}

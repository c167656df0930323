import type { Logger } from '@aws-lambda-powertools/logger';
import { ABUSE_BLOCKER_METRICS as METRICS, AbuseBlockerSettings, IpSetReference } from '../shared/constants';
import { canonicalCidr, HostAddress, ipv6Networks, IpVersion } from './addresses';
import { AllowList } from './allow-list';
import { planBlockList } from './block-list';
import { countByAddress, slidingCount } from './counting';
import { IpSetConflictError, IpSetPlanner, IpSets } from './ip-sets';
import { parseOffences, SubscriptionMessage } from './log-events';
import { Block, StateStore } from './state-store';

/** Where the blocker's metrics go (Powertools in the function, a recorder in tests). */
export interface MetricsSink {
  count(name: string, value: number): void;
  percent(name: string, value: number): void;
}

/** The blocker's log: Powertools' `Logger`. */
export type BlockerLog = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface BlockerDeps {
  readonly settings: AbuseBlockerSettings;
  readonly store: Pick<StateStore, 'countOffences' | 'recordBlocks' | 'liveBlocks'>;
  readonly ipSets: Pick<IpSets, 'update'>;
  readonly allowList: Pick<AllowList, 'ranges'>;
  readonly metrics: MetricsSink;
  readonly log: BlockerLog;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/** What one run did, by address; also logged. */
export interface RunOutcome {
  /** Addresses added to a block list. */
  readonly blocked: string[];
  /** Addresses removed from a block list because their block expired. */
  readonly unblocked: string[];
  /** Addresses dropped from a full block list. */
  readonly evicted: string[];
  /** Addresses over the threshold that are allow-listed or exempt. */
  readonly exempt: string[];
  /** Steps that failed. */
  readonly errors: number;
}

const VERSIONS: readonly IpVersion[] = [4, 6];

/** What a failed step gives (a step's own result may be `undefined`). */
const FAILED = Symbol('failed');

/** The most addresses one log line lists: a flood's batch must not write megabytes of log. */
const LOGGED_ADDRESSES = 100;

/** A list for the log: all of it, or its first {@link LOGGED_ADDRESSES} and how many there are. */
function sample(addresses: readonly string[]): readonly string[] | { readonly count: number; readonly first: readonly string[] } {
  return addresses.length <= LOGGED_ADDRESSES ? addresses : { count: addresses.length, first: addresses.slice(0, LOGGED_ADDRESSES) };
}

/**
 * Handles one delivery of access-log events: counts each client's offences in the table (an IPv4
 * address; for IPv6 its network of `ipv6PrefixLength` bits and each wider network of
 * `ipv6Networks`), and blocks each address or network whose count over the sliding window reaches
 * its threshold, unless it is allow-listed or exempt or holds such an address. A block is recorded
 * in the table before it is written to the IP set, so the sweep can always rebuild the set from the
 * table. Never throws: a failed step is counted and logged, and the next run repairs what it left undone.
 */
export async function processLogBatch(message: SubscriptionMessage, deps: BlockerDeps): Promise<RunOutcome> {
  const run = new Run(deps);
  if (message.messageType === 'CONTROL_MESSAGE') {
    return run.outcome();
  }
  const { settings, metrics } = deps;
  const parsed = parseOffences(message.logEvents, new Set(settings.statusCodes));
  metrics.count(METRICS.malformedEvents, parsed.malformed);
  metrics.count(METRICS.offencesCounted, parsed.offences.length);
  if (parsed.malformed > 0) {
    deps.log.warn('Skipped malformed log events', { malformed: parsed.malformed, logGroup: message.logGroup });
  }
  if (parsed.offences.length === 0) {
    return run.outcome();
  }

  const thresholds = countedNetworks(settings);
  const prefixes = [...thresholds.keys()];
  const counted = parsed.offences.flatMap((offence) => (offence.address.version === 4
    ? [offence]
    : ipv6Networks(offence.address, prefixes).map((address) => ({ ...offence, address }))));
  const nowSeconds = deps.now() / 1000;
  const { windowSeconds } = settings;
  const counts = await run.step('count offences', () => deps.store.countOffences(countByAddress(counted, windowSeconds), windowSeconds, nowSeconds));
  if (counts === FAILED) {
    return run.outcome();
  }
  const blockedUntil = Math.ceil(nowSeconds) + settings.blockSeconds;
  const offenders: Block[] = [];
  for (const { count, current, previous } of counts) {
    const threshold = count.address.version === 4 ? settings.threshold : thresholds.get(prefixLength(count.address))!;
    const after = slidingCount(current, previous, count.latestWindow, windowSeconds, count.lastSeen);
    if (after < threshold) {
      continue;
    }
    // The batch's own offences in the two windows that count; without them, was it under the threshold?
    const [ownCurrent, ownPrevious] = [count.windows.get(count.latestWindow) ?? 0, count.windows.get(count.latestWindow - windowSeconds) ?? 0];
    const crossed = slidingCount(current - ownCurrent, previous - ownPrevious, count.latestWindow, windowSeconds, count.lastSeen) < threshold;
    // A strike the first time over the threshold, with every offence that led to it; after that, the batch's.
    offenders.push({ address: count.address, blockedUntil, strikes: crossed ? 1 : 0, offences: crossed ? Math.round(after) : ownCurrent + ownPrevious });
  }
  if (offenders.length === 0) {
    return run.outcome();
  }

  // Without the allow list, nobody is blocked: an allow-listed address must never be.
  const ranges = await run.step('read the allow list', () => deps.allowList.ranges(deps.now()));
  if (ranges === FAILED) {
    return run.outcome();
  }
  // A network that holds an allow-listed or exempt address is not blocked at all (its narrower
  // networks and addresses are counted, and blocked, on their own).
  const blocks: Block[] = [];
  for (const block of offenders) {
    if (ranges.overlaps(block.address)) {
      run.exempt.push(block.address.cidr);
    } else {
      blocks.push(block);
    }
  }
  if (run.exempt.length > 0) {
    deps.log.warn('Allow-listed or exempt addresses reached the threshold and were not blocked', { addresses: sample(run.exempt) });
  }
  if (blocks.length === 0 || await run.step('record blocks', () => deps.store.recordBlocks(blocks, nowSeconds)) === FAILED) {
    return run.outcome();
  }

  for (const version of VERSIONS) {
    const wanted = blocks.filter((block) => block.address.version === version).map((block) => block.address.cidr);
    if (wanted.length === 0) {
      continue;
    }
    await run.updateSet(version, async (current) => {
      const max = settings.maxAddressesPerSet;
      // Standings are needed only to evict; the table has them for every block, the new ones included.
      const entries = current.map(canonicalCidr);
      const full = new Set([...entries, ...wanted]).size > max;
      const standings = full ? await deps.store.liveBlocks(version, nowSeconds) : undefined;
      return planBlockList({ current: entries, wanted, keepCurrent: true, standings, max });
    });
  }
  return run.outcome();
}

/**
 * Rebuilds each automatic block list from the table: the blocks that have not ended and are not
 * allow-listed or exempt, at most the maximum, ranked by `compareStandings` (repeat offenders,
 * then the heaviest, then the earliest). Removes ended blocks, and restores live blocks the list
 * does not hold whenever they rank in: blocks a failed run recorded but did not write, and blocks
 * a full list left out. If the allow list cannot be read, it only removes. Never throws.
 */
export async function sweepBlockLists(deps: BlockerDeps): Promise<RunOutcome> {
  const run = new Run(deps);
  // Without the allow list the sweep still takes expired blocks off, but puts nothing on.
  const ranges = await run.step('read the allow list', () => deps.allowList.ranges(deps.now()));
  const nowSeconds = deps.now() / 1000;
  for (const version of VERSIONS) {
    await run.updateSet(version, async (current) => {
      const entries = current.map(canonicalCidr);
      const listed = new Set(entries);
      const standings = await deps.store.liveBlocks(version, nowSeconds);
      const wanted = [...standings.keys()].filter((address) => (ranges === FAILED ? listed.has(address) : !ranges.overlaps({ cidr: address, version })));
      return planBlockList({ current: entries, wanted, keepCurrent: false, standings, max: deps.settings.maxAddressesPerSet });
    }, true);
  }
  return run.outcome();
}

/**
 * The threshold of each IPv6 prefix length the blocker counts: `ipv6PrefixLength` at `threshold`,
 * and each wider network of `ipv6Networks` at its own (narrower or equal ones are ignored).
 */
function countedNetworks(settings: AbuseBlockerSettings): Map<number, number> {
  const thresholds = new Map([[settings.ipv6PrefixLength, settings.threshold]]);
  for (const { prefixLength, threshold } of settings.ipv6Networks) {
    if (prefixLength < settings.ipv6PrefixLength) {
      thresholds.set(prefixLength, threshold);
    }
  }
  return thresholds;
}

function prefixLength(address: HostAddress): number {
  return Number(address.cidr.slice(address.cidr.lastIndexOf('/') + 1));
}

/** One invocation's bookkeeping: outcome, metrics, failed steps. */
class Run {
  public readonly blocked: string[] = [];
  public readonly unblocked: string[] = [];
  public readonly evicted: string[] = [];
  public readonly exempt: string[] = [];
  private errors = 0;
  private retries = 0;
  private readonly fill = new Map<IpVersion, number>();

  constructor(private readonly deps: BlockerDeps) {}

  /** Runs a step; a failure is counted and logged, and gives {@link FAILED}. */
  public async step<T>(name: string, fn: () => Promise<T>): Promise<T | typeof FAILED> {
    try {
      return await fn();
    } catch (error) {
      this.errors++;
      if (error instanceof IpSetConflictError) {
        this.retries += error.retries;
      }
      this.deps.log.error(`Failed to ${name}`, { error: describeError(error) });
      return FAILED;
    }
  }

  /**
   * Updates the block list of `version` with `planner`, which runs again after each conflict.
   * `sweep`: the removed addresses were unblocked (their block expired).
   */
  public async updateSet(version: IpVersion, planner: IpSetPlanner, sweep = false): Promise<void> {
    const ipSet: IpSetReference = version === 4 ? this.deps.settings.ipv4Set : this.deps.settings.ipv6Set;
    const update = await this.step(`update the IPv${version} block list ${ipSet.name}`, () => this.deps.ipSets.update(ipSet, planner));
    if (update === FAILED) {
      return;
    }
    this.retries += update.retries;
    const { plan: done } = update;
    this.blocked.push(...done.added);
    this.unblocked.push(...(sweep ? done.removed : []));
    this.evicted.push(...done.evicted);
    this.fill.set(version, (100 * done.addresses.length) / this.deps.settings.maxAddressesPerSet);
  }

  public outcome(): RunOutcome {
    const { metrics, log } = this.deps;
    metrics.count(METRICS.addressesBlocked, this.blocked.length);
    metrics.count(METRICS.addressesUnblocked, this.unblocked.length);
    metrics.count(METRICS.addressesEvicted, this.evicted.length);
    metrics.count(METRICS.exemptOffenders, this.exempt.length);
    metrics.count(METRICS.ipSetUpdateRetries, this.retries);
    metrics.count(METRICS.errors, this.errors);
    if (this.fill.size > 0) {
      metrics.percent(METRICS.blockListFill, Math.max(...this.fill.values()));
    }
    if (this.blocked.length > 0 || this.unblocked.length > 0) {
      log.info('Updated the automatic block lists', { blocked: sample(this.blocked), unblocked: sample(this.unblocked) });
    }
    if (this.evicted.length > 0) {
      log.warn('An automatic block list is full: dropped the lowest-ranked blocks (fewest strikes, then fewest offences, then latest first block)', { evicted: sample(this.evicted) });
    }
    return { blocked: this.blocked, unblocked: this.unblocked, evicted: this.evicted, exempt: this.exempt, errors: this.errors };
  }
}

function describeError(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error).slice(0, 300);
  } catch {
    return 'unprintable error';
  }
}

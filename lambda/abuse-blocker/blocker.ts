import type { Logger } from '@aws-lambda-powertools/logger';
import { ABUSE_BLOCKER_METRICS as METRICS, AbuseBlockerSettings, IpSetReference } from '../shared/constants';
import { blockUnit, canonicalCidr, HostAddress, IpVersion } from './addresses';
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
 * Handles one delivery of access-log events: counts each address's offences in the table, and
 * blocks the addresses whose count over the sliding window reaches the threshold, unless they are
 * allow-listed or exempt. A block is recorded in the table before it is written to the IP set,
 * so the sweep can always rebuild the set from the table. Never throws: a failed step is counted
 * and logged, and the next run repairs what it left undone.
 */
export async function processLogBatch(message: SubscriptionMessage, deps: BlockerDeps): Promise<RunOutcome> {
  const run = new Run(deps);
  if (message.messageType === 'CONTROL_MESSAGE') {
    return run.outcome();
  }
  const { settings, metrics } = deps;
  const parsed = parseOffences(message.logEvents, new Set(settings.statusCodes));
  const offences = parsed.offences.map((offence) => ({ ...offence, address: blockUnit(offence.address, settings.ipv6PrefixLength) }));
  metrics.count(METRICS.malformedEvents, parsed.malformed);
  metrics.count(METRICS.offencesCounted, parsed.offences.length);
  if (parsed.malformed > 0) {
    deps.log.warn('Skipped malformed log events', { malformed: parsed.malformed, logGroup: message.logGroup });
  }
  if (parsed.offences.length === 0) {
    return run.outcome();
  }

  const nowSeconds = deps.now() / 1000;
  const counts = await run.step('count offences', () => deps.store.countOffences(countByAddress(offences, settings.windowSeconds), settings.windowSeconds, nowSeconds));
  if (counts === FAILED) {
    return run.outcome();
  }
  const offenders = new Map<string, HostAddress>();
  for (const { count, current, previous } of counts) {
    if (slidingCount(current, previous, count.latestWindow, settings.windowSeconds, count.lastSeen) >= settings.threshold) {
      offenders.set(count.address.cidr, count.address);
    }
  }
  if (offenders.size === 0) {
    return run.outcome();
  }

  // Without the allow list, nobody is blocked: an allow-listed address must never be.
  const ranges = await run.step('read the allow list', () => deps.allowList.ranges(deps.now()));
  if (ranges === FAILED) {
    return run.outcome();
  }
  const expiresAt = Math.ceil(nowSeconds) + settings.blockSeconds;
  const blocks: Block[] = [];
  for (const address of offenders.values()) {
    // An IPv6 network that holds an allow-listed or exempt address is not blocked at all.
    if (ranges.overlaps(address)) {
      run.exempt.push(address.cidr);
    } else {
      blocks.push({ address, expiresAt });
    }
  }
  if (run.exempt.length > 0) {
    deps.log.warn('Allow-listed or exempt addresses reached the threshold and were not blocked', { addresses: sample(run.exempt) });
  }
  if (blocks.length === 0 || await run.step('record blocks', () => deps.store.recordBlocks(blocks)) === FAILED) {
    return run.outcome();
  }

  for (const version of VERSIONS) {
    const wanted = new Map(blocks.filter((block) => block.address.version === version).map((block) => [block.address.cidr, block.expiresAt]));
    if (wanted.size === 0) {
      continue;
    }
    await run.updateSet(version, async (current) => {
      const max = settings.maxAddressesPerSet;
      // Expiries are needed only to evict; the table has them for every address the set holds.
      const entries = current.map(canonicalCidr);
      const full = new Set([...entries, ...wanted.keys()]).size > max;
      const expiries = full ? await deps.store.liveBlocks(version, nowSeconds) : undefined;
      return planBlockList({ current: entries, wanted, keepCurrent: true, expiries, max });
    });
  }
  return run.outcome();
}

/**
 * Rebuilds each automatic block list from the table: the blocks that have not expired and are not
 * allow-listed or exempt, at most the maximum (latest expiries kept). Removes expired blocks, and
 * restores blocks that a failed run recorded but did not write. If the allow list cannot be read,
 * it only removes. Never throws.
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
      const wanted = await deps.store.liveBlocks(version, nowSeconds);
      for (const address of wanted.keys()) {
        if (ranges === FAILED ? !listed.has(address) : ranges.overlaps({ cidr: address, version })) {
          wanted.delete(address);
        }
      }
      return planBlockList({ current: entries, wanted, keepCurrent: false, max: deps.settings.maxAddressesPerSet });
    }, true);
  }
  return run.outcome();
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
      log.warn('An automatic block list is full: dropped the blocks that expire first', { evicted: sample(this.evicted) });
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

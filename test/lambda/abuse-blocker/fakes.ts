/**
 * Fakes shared by the abuse blocker's tests: subscription payloads built the way CloudWatch Logs
 * builds them (gzip, then base64), a stateful AWS WAF that enforces lock tokens, an in-memory
 * state table, and recorders for metrics and logs.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  GetIPSetCommand,
  GetIPSetCommandInput,
  GetIPSetCommandOutput,
  UpdateIPSetCommand,
  UpdateIPSetCommandInput,
  UpdateIPSetCommandOutput,
  WAFLimitsExceededException,
  WAFNonexistentItemException,
  WAFOptimisticLockException,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { IpVersion } from '../../../lambda/abuse-blocker/addresses';
import type { MetricsSink } from '../../../lambda/abuse-blocker/blocker';
import type { AddressCount } from '../../../lambda/abuse-blocker/counting';
import type { BlockStanding } from '../../../lambda/abuse-blocker/block-list';
import { BLOCK_MEMORY_SECONDS, type Block, type StoredCount } from '../../../lambda/abuse-blocker/state-store';
import type { AbuseBlockerSettings, IpSetReference } from '../../../lambda/shared/constants';

/** `awslogs.data` for `message`: base64 of its gzipped JSON. */
export function subscriptionData(message: unknown): string {
  return gzipped(JSON.stringify(message));
}

/** Base64 of gzipped `text`. */
export function gzipped(text: string): string {
  return gzipSync(Buffer.from(text, 'utf8')).toString('base64');
}

/** A log event as a subscription delivers it, whose message is `fields` as one JSON line. */
export function logEvent(fields: Record<string, unknown>, timestamp = 1_700_000_000_000, id = '1'): { id: string; timestamp: number; message: string } {
  return { id, timestamp, message: JSON.stringify(fields) };
}

/**
 * The keys the access-log format writes last, in this order (see
 * `lib/observability/access-log-format.ts`): the blocker reads them from the end of the line.
 */
export const LINE_END_KEYS = ['wafResponseCode', 'sourceIp', 'status'] as const;

/**
 * An access-log line's fields in the order the construct's format writes them (status a number,
 * the rest strings): the client-shaped fields and any extra field of `overrides` first, then
 * `wafResponseCode`, `sourceIp` and `status` last. An override of `undefined` leaves its key out
 * of the JSON line.
 */
export function accessLog(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    requestTimeEpoch: 1_700_000_000_000,
    userAgent: 'curl/8.5.0',
    httpMethod: 'GET',
    path: '/pets',
    wafResponseCode: 'WAF_ALLOW',
    sourceIp: '203.0.113.7',
    status: 401,
    ...overrides,
  };
  const end = Object.fromEntries(LINE_END_KEYS.map((key) => [key, fields[key]]));
  for (const key of LINE_END_KEYS) {
    delete fields[key];
  }
  return { ...fields, ...end };
}

/**
 * `fields` written as API Gateway writes its access-log template: each value put between the
 * template's quotes as it is, without escaping (numbers bare). A client-shaped value with a quote
 * or a backslash then breaks the line's JSON, as it can in the real log.
 */
export function unescapedLine(fields: Record<string, string | number>): string {
  return `{${Object.entries(fields).map(([key, value]) => (typeof value === 'number' ? `"${key}":${value}` : `"${key}":"${value}"`)).join(',')}}`;
}

/** A deterministic pseudo-random generator (mulberry32) giving numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const IPV4_SET: IpSetReference = { name: 'auto-block-ipv4', id: 'id-v4', scope: 'REGIONAL' };
export const IPV6_SET: IpSetReference = { name: 'auto-block-ipv6', id: 'id-v6', scope: 'REGIONAL' };
export const ALLOW_V4: IpSetReference = { name: 'allow-ipv4', id: 'id-allow-v4', scope: 'REGIONAL' };
export const ALLOW_V6: IpSetReference = { name: 'allow-ipv6', id: 'id-allow-v6', scope: 'REGIONAL' };

/** Settings as the construct writes them, with `overrides`. */
export function blockerSettings(overrides: Partial<AbuseBlockerSettings> = {}): AbuseBlockerSettings {
  return {
    tableName: 'abuse-blocker-state',
    threshold: 5,
    windowSeconds: 60,
    blockSeconds: 3600,
    // Most tests count IPv6 hosts one by one; the /64 default has tests of its own.
    ipv6PrefixLength: 128,
    // Likewise the wider networks (/56 and /48 by the construct's defaults).
    ipv6Networks: [],
    statusCodes: [401, 403, 429],
    ipv4Set: IPV4_SET,
    ipv6Set: IPV6_SET,
    allowListSets: [ALLOW_V4, ALLOW_V6],
    exemptCidrs: [],
    maxAddressesPerSet: 10,
    metricsNamespace: 'SecureApi/AbuseBlocker',
    ...overrides,
  };
}

interface FakeIpSet {
  readonly name: string;
  readonly version: IpVersion;
  description?: string;
  addresses: string[];
  lockToken: string;
}

/**
 * AWS WAF's IP sets behind `mockClient(WAFV2Client)`, with WAF's optimistic locking: `GetIPSet`
 * returns the addresses and the set's current lock token; a successful `UpdateIPSet` replaces the
 * addresses and the description (as the real API does) and issues a new token, and an
 * `UpdateIPSet` with any other token fails with `WAFOptimisticLockException`. Each answer can come
 * after a random delay of up to `maxDelayMs`, so concurrent callers interleave.
 */
export class FakeWaf {
  /** The inputs of the `UpdateIPSet` calls that succeeded, in order. */
  public readonly writes: UpdateIPSetCommandInput[] = [];
  /** `UpdateIPSet` calls refused for a stale lock token. */
  public conflicts = 0;
  /** `GetIPSet` calls answered, by set id. */
  public readonly reads = new Map<string, number>();
  /** The longest delay before an answer, in milliseconds (0: answer on the next microtask). */
  public maxDelayMs = 0;
  /** Errors the next `UpdateIPSet` calls throw instead of answering, in order. */
  public readonly updateFailures: unknown[] = [];
  /** Errors every `GetIPSet` of a set throws, by set id. */
  public readonly readFailures = new Map<string, unknown>();
  /** Runs before an `UpdateIPSet` is decided: lets a test act as another writer. */
  public beforeUpdate?: (input: UpdateIPSetCommandInput) => void;
  private readonly sets = new Map<string, FakeIpSet>();

  constructor(mock: AwsClientStub<WAFV2Client>, private readonly random: () => number = seededRandom(1)) {
    mock.on(GetIPSetCommand).callsFake((input: GetIPSetCommandInput) => this.get(input));
    mock.on(UpdateIPSetCommand).callsFake((input: UpdateIPSetCommandInput) => this.update(input));
  }

  public create(ref: IpSetReference, version: IpVersion, addresses: readonly string[] = [], description?: string): this {
    this.sets.set(ref.id, { name: ref.name, version, description, addresses: [...addresses], lockToken: randomUUID() });
    return this;
  }

  public addresses(ref: IpSetReference): string[] {
    return [...this.set(ref.id, ref.name).addresses];
  }

  public lockToken(ref: IpSetReference): string {
    return this.set(ref.id, ref.name).lockToken;
  }

  public description(ref: IpSetReference): string | undefined {
    return this.set(ref.id, ref.name).description;
  }

  /** Changes a set as another writer (an operator, another invocation) would: its token changes. */
  public edit(ref: IpSetReference, addresses: readonly string[]): void {
    const set = this.set(ref.id, ref.name);
    set.addresses = [...addresses];
    set.lockToken = randomUUID();
  }

  /** The successful writes to one set. */
  public writesTo(ref: IpSetReference): UpdateIPSetCommandInput[] {
    return this.writes.filter((write) => write.Id === ref.id);
  }

  private async get(input: GetIPSetCommandInput): Promise<GetIPSetCommandOutput> {
    await this.delay();
    const failure = this.readFailures.get(input.Id ?? '');
    if (failure !== undefined) {
      throw failure;
    }
    const set = this.set(input.Id, input.Name, input.Scope);
    this.reads.set(input.Id!, (this.reads.get(input.Id!) ?? 0) + 1);
    return {
      $metadata: {},
      IPSet: {
        Name: set.name,
        Id: input.Id!,
        ARN: `arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/${set.name}/${input.Id}`,
        IPAddressVersion: set.version === 4 ? 'IPV4' : 'IPV6',
        Addresses: [...set.addresses],
        Description: set.description,
      },
      LockToken: set.lockToken,
    };
  }

  private async update(input: UpdateIPSetCommandInput): Promise<UpdateIPSetCommandOutput> {
    await this.delay();
    const failure = this.updateFailures.shift();
    if (failure !== undefined) {
      throw failure;
    }
    this.beforeUpdate?.(input);
    const set = this.set(input.Id, input.Name, input.Scope);
    if (input.LockToken !== set.lockToken) {
      this.conflicts++;
      throw new WAFOptimisticLockException({ message: 'AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it.', $metadata: {} });
    }
    if ((input.Addresses ?? []).length > 10_000) {
      throw new WAFLimitsExceededException({ message: 'IP set address limit exceeded', $metadata: {} });
    }
    set.addresses = [...(input.Addresses ?? [])];
    set.description = input.Description;
    set.lockToken = randomUUID();
    this.writes.push(input);
    return { $metadata: {}, NextLockToken: set.lockToken };
  }

  private set(id: string | undefined, name: string | undefined, scope: string | undefined = 'REGIONAL'): FakeIpSet {
    const set = this.sets.get(id ?? '');
    if (!set || set.name !== name || scope !== 'REGIONAL') {
      throw new WAFNonexistentItemException({ message: `no IP set ${name} ${id}`, $metadata: {} });
    }
    return set;
  }

  private async delay(): Promise<void> {
    if (this.maxDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * this.maxDelayMs)));
    } else {
      await Promise.resolve();
    }
  }
}

/** A block as the fake table holds it. */
export interface FakeBlock extends BlockStanding {
  readonly version: IpVersion;
  /** The item's TTL: when the table forgets it. */
  readonly forgetAt: number;
}

/**
 * The state table in memory, with the semantics the blocker relies on: counters per address and
 * window; blocks that add up their strikes and offences while remembered, keep a longer block, and
 * start over once forgotten; live blocks filtered by their end. A step can be made to fail.
 */
export class FakeStore {
  /** Offences per address and window start. */
  public readonly counters = new Map<string, Map<number, number>>();
  /** Blocks by address. */
  public readonly blocks = new Map<string, FakeBlock>();
  public readonly calls: string[] = [];
  public readonly failures: { count?: Error; record?: Error; live?: Error } = {};

  /** The counts each `countOffences` call was given, in order. */
  public readonly counted: Array<readonly AddressCount[]> = [];

  /** Adds all of an address's windows in one step, as the real store's single UpdateItem does. */
  public async countOffences(counts: readonly AddressCount[], windowSeconds: number, _nowSeconds: number): Promise<StoredCount[]> {
    this.calls.push('countOffences');
    this.counted.push(counts);
    if (this.failures.count) {
      throw this.failures.count;
    }
    return counts.map((count) => {
      const windows = this.counters.get(count.address.cidr) ?? new Map<number, number>();
      this.counters.set(count.address.cidr, windows);
      for (const [windowStart, offences] of count.windows) {
        windows.set(windowStart, (windows.get(windowStart) ?? 0) + offences);
      }
      return { count, current: windows.get(count.latestWindow) ?? 0, previous: windows.get(count.latestWindow - windowSeconds) ?? 0 };
    });
  }

  public async recordBlocks(blocks: readonly Block[], nowSeconds: number): Promise<void> {
    this.calls.push('recordBlocks');
    if (this.failures.record) {
      throw this.failures.record;
    }
    const now = Math.floor(nowSeconds);
    for (const { address, blockedUntil, strikes, offences } of blocks) {
      const existing = this.blocks.get(address.cidr);
      const remembered = existing !== undefined && existing.forgetAt > now;
      if (remembered && existing.blockedUntil > blockedUntil) {
        continue;
      }
      this.blocks.set(address.cidr, {
        version: address.version,
        blockedUntil,
        forgetAt: blockedUntil + BLOCK_MEMORY_SECONDS,
        firstBlockedAt: remembered ? existing.firstBlockedAt : now,
        strikes: (remembered ? existing.strikes : 0) + strikes,
        offences: (remembered ? existing.offences : 0) + offences,
      });
    }
  }

  public async liveBlocks(version: IpVersion, nowSeconds: number): Promise<Map<string, BlockStanding>> {
    this.calls.push(`liveBlocks v${version}`);
    if (this.failures.live) {
      throw this.failures.live;
    }
    return new Map([...this.blocks]
      .filter(([, block]) => block.version === version && block.blockedUntil > nowSeconds)
      .map(([address, { blockedUntil, strikes, offences, firstBlockedAt }]) => [address, { blockedUntil, strikes: Math.max(1, strikes), offences, firstBlockedAt }]));
  }

  /** Records a block directly, as an earlier run would have: one strike and `threshold` offences unless told. */
  public block(cidr: string, blockedUntil: number, standing: Partial<BlockStanding> = {}): void {
    this.blocks.set(cidr, {
      version: cidr.includes(':') ? 6 : 4,
      blockedUntil,
      forgetAt: blockedUntil + BLOCK_MEMORY_SECONDS,
      strikes: 1,
      offences: 20,
      firstBlockedAt: 0,
      ...standing,
    });
  }
}

/** A `MetricsSink` that records every metric. */
export class RecordingMetrics implements MetricsSink {
  public readonly entries: Array<{ unit: 'count' | 'percent'; name: string; value: number }> = [];

  public count(name: string, value: number): void {
    this.entries.push({ unit: 'count', name, value });
  }

  public percent(name: string, value: number): void {
    this.entries.push({ unit: 'percent', name, value });
  }

  /** Each metric's value, by name (a metric emitted twice fails the test). */
  public values(): Record<string, number> {
    const values: Record<string, number> = {};
    for (const { name, value } of this.entries) {
      expect(values).not.toHaveProperty(name);
      values[name] = value;
    }
    return values;
  }
}

/** A log that records what it is given. */
export class RecordingLog {
  public readonly entries: Array<{ level: 'info' | 'warn' | 'error'; message: string; extra: unknown[] }> = [];
  public readonly info = (message: unknown, ...extra: unknown[]) => this.add('info', message, extra);
  public readonly warn = (message: unknown, ...extra: unknown[]) => this.add('warn', message, extra);
  public readonly error = (message: unknown, ...extra: unknown[]) => this.add('error', message, extra);

  public messages(level: 'info' | 'warn' | 'error'): string[] {
    return this.entries.filter((entry) => entry.level === level).map((entry) => entry.message);
  }

  private add(level: 'info' | 'warn' | 'error', message: unknown, extra: unknown[]): void {
    this.entries.push({ level, message: String(message), extra });
  }
}

/** Awaits `promise`, which must reject with an instance of `type`, and returns the error. */
export async function rejectionOf<T extends Error>(type: new (...args: never[]) => T, promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error(`expected a ${type.name}, but the promise resolved`);
}

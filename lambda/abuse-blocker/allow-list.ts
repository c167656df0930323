import { IpSetReference } from '../shared/constants';
import { AddressRanges } from './addresses';

/** Reads the addresses of an IP set. */
export type ReadIpSet = (ipSet: IpSetReference) => Promise<readonly string[]>;

/**
 * The ranges the blocker never blocks: the firewall's allow-list IP sets, read from AWS WAF (so an
 * operator's edit counts without a deploy), plus the exempt CIDR blocks. Kept for `maxAgeMs`; a
 * failed read is not kept, and the caller must then not block anyone.
 */
export class AllowList {
  private cached?: { ranges: AddressRanges; at: number };

  constructor(
    private readonly sets: readonly IpSetReference[],
    private readonly exemptCidrs: readonly string[],
    private readonly readIpSet: ReadIpSet,
    private readonly maxAgeMs = 60_000,
    /** Told about entries that are not CIDR blocks (ignored), once per read. */
    private readonly warnInvalid: (entries: string[]) => void = () => undefined,
  ) {}

  public async ranges(nowMs: number): Promise<AddressRanges> {
    if (this.cached && nowMs - this.cached.at < this.maxAgeMs) {
      return this.cached.ranges;
    }
    const lists = await Promise.all(this.sets.map((set) => this.readIpSet(set)));
    const ranges = new AddressRanges([...this.exemptCidrs, ...lists.flat()]);
    if (ranges.invalid.length > 0) {
      this.warnInvalid(ranges.invalid);
    }
    this.cached = { ranges, at: nowMs };
    return ranges;
  }
}

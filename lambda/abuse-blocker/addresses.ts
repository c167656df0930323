import { BlockList, isIP } from 'node:net';

/** The IP version of an address, and of the automatic block list it goes to. */
export type IpVersion = 4 | 6;

/** A client address as an AWS WAF IP set holds it: one host, in canonical form. */
export interface HostAddress {
  /** `203.0.113.7/32` or `2001:db8::7/128`, canonical (lower case, zeros compressed). */
  readonly cidr: string;
  readonly version: IpVersion;
}

/**
 * The host CIDR of an address as API Gateway logs it (`$context.identity.sourceIp`), or `undefined`
 * if it is not a plain IPv4 or IPv6 address. IPv6 is written canonically (RFC 5952), so the same
 * client always gives the same entry whatever form it arrived in; an IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`) is the IPv4 address it maps; a zone (`fe80::1%eth0`) is refused.
 */
export function hostAddress(value: unknown): HostAddress | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const version = isIP(value);
  if (version === 4) {
    return { cidr: `${value}/32`, version: 4 };
  }
  if (version !== 6 || value.includes('%')) {
    return undefined;
  }
  const canonical = canonicalIpv6(value);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
    return { cidr: `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}/32`, version: 4 };
  }
  return { cidr: `${canonical}/128`, version: 6 };
}

/** The address and prefix length of a CIDR block, or `undefined` if it is not one. */
function splitCidr(cidr: string): { address: string; prefix: number; version: IpVersion } | undefined {
  const [address, prefixText, ...rest] = cidr.split('/');
  const version = isIP(address);
  if (rest.length > 0 || version === 0 || address.includes('%') || !/^\d{1,3}$/.test(prefixText ?? '')) {
    return undefined;
  }
  const prefix = Number(prefixText);
  return prefix <= (version === 4 ? 32 : 128) ? { address, prefix, version: version as IpVersion } : undefined;
}

/** An IPv6 address in RFC 5952 form (lower case, zeros compressed, embedded IPv4 as hex). */
function canonicalIpv6(address: string): string {
  return new URL(`http://[${address}]`).hostname.slice(1, -1);
}

/** An IPv6 address as a 128-bit number. */
function ipv6Value(address: string): bigint {
  const [head, tail] = canonicalIpv6(address).split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const written = [...groups(head), ...(tail === undefined ? [] : Array(8 - groups(head).length - groups(tail).length).fill('0')), ...groups(tail)];
  return written.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/**
 * The canonical IPv6 address of a 128-bit number (RFC 5952: lower case, no leading zeros, the
 * longest run of two or more zero groups, the first of equal runs, written `::`). Written out
 * rather than parsed back through `URL`: the blocker calls it for every IPv6 offence and network.
 */
function ipv6Text(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(16 * (7 - i))) & 0xffffn));
  let [runStart, runLength] = [-1, 1];
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) {
      j++;
    }
    if (j - i > runLength) {
      [runStart, runLength] = [i, j - i];
    }
    i = Math.max(i, j);
  }
  const hex = (part: number[]) => part.map((group) => group.toString(16)).join(':');
  return runStart < 0 ? hex(groups) : `${hex(groups.slice(0, runStart))}::${hex(groups.slice(runStart + runLength))}`;
}

/** `value` with all but its first `prefix` bits cleared. */
function maskIpv6(value: bigint, prefix: number): bigint {
  const hostBits = BigInt(128 - prefix);
  return (value >> hostBits) << hostBits;
}

/**
 * What the blocker counts and blocks for a client address: an IPv4 address alone, and for IPv6 the
 * network of the first `ipv6PrefixLength` bits (64 by default: a client usually holds a whole /64
 * and could otherwise rotate through its addresses without ever reaching the threshold).
 */
export function blockUnit(address: HostAddress, ipv6PrefixLength: number): HostAddress {
  return ipv6Networks(address, [ipv6PrefixLength])[0] ?? address;
}

/**
 * The IPv6 networks of the first `prefixLengths` bits that hold a host `address`, in the order of
 * `prefixLengths` (a /128 is the host itself); none for an IPv4 address.
 */
export function ipv6Networks(address: HostAddress, prefixLengths: readonly number[]): HostAddress[] {
  if (address.version === 4) {
    return [];
  }
  const value = ipv6Value(address.cidr.split('/')[0]);
  return prefixLengths.map((prefix) => (prefix === 128 ? address : { cidr: `${ipv6Text(maskIpv6(value, prefix))}/${prefix}`, version: 6 }));
}

/**
 * A CIDR block as the blocker writes it (IPv6 in canonical form), so an IP set's entries compare
 * with the blocker's whatever form AWS WAF returns them in. Anything else is returned as it is.
 */
export function canonicalCidr(cidr: string): string {
  const parsed = splitCidr(cidr);
  return parsed?.version === 6 ? `${canonicalIpv6(parsed.address)}/${parsed.prefix}` : cidr;
}

/**
 * Address ranges the blocker must never block: the firewall's allow lists and the exempt blocks.
 * IPv4 ranges apply to IPv4 addresses, IPv6 ranges to IPv6 (so `::/0` exempts no IPv4 client).
 */
export class AddressRanges {
  private readonly ipv4 = new BlockList();
  private readonly ipv6 = new BlockList();
  private readonly ipv6Networks: Array<{ value: bigint; prefix: number }> = [];
  /** Entries that were not CIDR blocks, ignored. */
  public readonly invalid: string[] = [];

  constructor(cidrs: Iterable<string>) {
    for (const cidr of cidrs) {
      const parsed = splitCidr(cidr);
      if (parsed?.version === 4) {
        this.ipv4.addSubnet(parsed.address, parsed.prefix, 'ipv4');
      } else if (parsed?.version === 6) {
        this.ipv6.addSubnet(parsed.address, parsed.prefix, 'ipv6');
        this.ipv6Networks.push({ value: maskIpv6(ipv6Value(parsed.address), parsed.prefix), prefix: parsed.prefix });
      } else {
        this.invalid.push(cidr);
      }
    }
  }

  /** Whether the host `address` is inside one of the ranges. */
  public contains(address: HostAddress): boolean {
    const host = address.cidr.split('/')[0];
    return address.version === 4 ? this.ipv4.check(host, 'ipv4') : this.ipv6.check(host, 'ipv6');
  }

  /**
   * Whether any address of `unit` (a host, or an IPv6 network from {@link blockUnit}) is inside one
   * of the ranges: blocking it would then block an address that must never be blocked.
   */
  public overlaps(unit: HostAddress): boolean {
    const [address, prefixText] = unit.cidr.split('/');
    const prefix = Number(prefixText);
    if (unit.version === 4 || prefix === 128) {
      return this.contains(unit);
    }
    const value = ipv6Value(address);
    return this.ipv6Networks.some((range) => {
      const common = Math.min(range.prefix, prefix);
      return maskIpv6(range.value, common) === maskIpv6(value, common);
    });
  }
}

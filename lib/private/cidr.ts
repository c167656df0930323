import { isIPv4, isIPv6 } from 'node:net';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ValidationError } from './validation-error';
import { describe } from './validators';

/** The IP version of a CIDR block. */
export type IpVersion = 4 | 6;

/** A CIDR block that parsed. */
export interface ParsedCidr {
  readonly version: IpVersion;
  readonly address: string;
  readonly prefixLength: number;
}

const MAX_PREFIX: Record<IpVersion, number> = { 4: 32, 6: 128 };
const EXAMPLE: Record<IpVersion, string> = { 4: '203.0.113.0/24', 6: '2001:db8::/32' };

/**
 * Parses `text` as an IPv4 or IPv6 CIDR block.
 *
 * @returns the parsed block, or a sentence saying why `text` is not one
 */
export function parseCidr(text: string): ParsedCidr | string {
  if (typeof text !== 'string') {
    return 'it is not a string';
  }
  if (text.trim() === '') {
    return text === '' ? 'it is empty' : 'it is blank';
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    return 'the prefix length is missing (write /32 or /128 for a single address)';
  }
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  // Node accepts an IPv6 zone index ('fe80::1%eth0'), which is no part of a CIDR block.
  const version: IpVersion | undefined = address.includes('%') ? undefined : isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (version === undefined) {
    return `'${address}' is not an IPv4 or IPv6 address`;
  }
  if (!/^(0|[1-9]\d{0,2})$/.test(prefix) || Number(prefix) > MAX_PREFIX[version]) {
    return `the prefix length of an IPv${version} CIDR is 0 to ${MAX_PREFIX[version]}`;
  }
  const prefixLength = Number(prefix);
  const network = networkAddress(version, address, prefixLength);
  if (network !== undefined) {
    // AWS WAF refuses such a block, and elsewhere it usually means a typo in the address or the length.
    return `'${address}' has bits set after the first ${prefixLength}: write the network address, ${network}/${prefixLength}`;
  }
  return { version, address, prefixLength };
}

/** The network address of `address`/`prefixLength`, or undefined if `address` is that already. */
function networkAddress(version: IpVersion, address: string, prefixLength: number): string | undefined {
  const bits = BigInt(MAX_PREFIX[version]);
  const value = version === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostBits = bits - BigInt(prefixLength);
  const network = (value >> hostBits) << hostBits;
  if (network === value) {
    return undefined;
  }
  return version === 4 ? bigIntToIpv4(network) : bigIntToIpv6(network);
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((value, part) => (value << 8n) + BigInt(Number(part)), 0n);
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** An IPv6 address (already checked by `isIPv6`) as a number: `::` expanded, a dotted IPv4 tail converted. */
function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4ToBigInt(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) + BigInt(parseInt(group, 16)), 0n);
}

/** An IPv6 address in its short form: the longest run of zero groups written `::`. */
function bigIntToIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) {
      j++;
    }
    if (j - i > best.length && j - i > 1) {
      best = { start: i, length: j - i };
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.start < 0) {
    return hex.join(':');
  }
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/**
 * Throws unless every entry of `cidrs` is a CIDR block, of `version` when one is given.
 * Unresolved tokens are skipped.
 */
export function validateCidrs(scope: IConstruct, prop: string, cidrs: readonly string[], version?: IpVersion): ParsedCidr[] {
  const parsed: ParsedCidr[] = [];
  cidrs.forEach((cidr, index) => {
    if (Token.isUnresolved(cidr)) {
      return;
    }
    const kind = version === undefined ? 'an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32' : `an IPv${version} CIDR block such as ${EXAMPLE[version]}`;
    const result = parseCidr(cidr);
    if (typeof result === 'string') {
      throw new ValidationError(`\`${prop}[${index}]\` must be ${kind}, got ${describe(cidr)}: ${result}`, scope);
    }
    if (version !== undefined && result.version !== version) {
      throw new ValidationError(`\`${prop}[${index}]\` must be ${kind}, got the IPv${result.version} block ${describe(cidr)}: move it to the IPv${result.version} list`, scope);
    }
    parsed.push(result);
  });
  return parsed;
}

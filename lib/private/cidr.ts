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
  return { version, address, prefixLength: Number(prefix) };
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

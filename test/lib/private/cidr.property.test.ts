/**
 * Properties of the CIDR parser and validator, over generated input: every network address with
 * every prefix length is accepted; a block with host bits set is refused with a suggestion that is
 * itself accepted and stable (normalising is idempotent); and any string at all is either accepted
 * or refused with a `ValidationError`, never another error.
 */
import fc from 'fast-check';
import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { parseCidr, validateCidrs } from '../../../lib/private/cidr';
import { ValidationError } from '../../../lib/private/validation-error';
import { thrownBy } from '../../helpers/errors';

const RUNS = { seed: 20261203, numRuns: 300 } as const;
const scope = new Construct(new Stack(new App(), 'TestStack'), 'Api');

/** `address` with every bit after the first `prefix` cleared: an independent IPv4 implementation. */
function ipv4Network(address: string, prefix: number): string {
  const value = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(value / size) * size;
  return [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
}

const ipv4Block = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 }));
const ipv6Block = fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 }));

/** The network address the refusal suggests, or the text itself when it is accepted. */
function normalise(text: string): string {
  const result = parseCidr(text);
  if (typeof result !== 'string') {
    return text;
  }
  const suggestion = /write the network address, (\S+)$/.exec(result);
  if (!suggestion) {
    throw new Error(`${text} was refused without a suggestion: ${result}`);
  }
  return suggestion[1];
}

test('every IPv4 network address is accepted with every prefix length 0 to 32, in the IPv4 list and the mixed one', () => {
  fc.assert(fc.property(ipv4Block, ([address, prefix]) => {
    const network = ipv4Network(address, prefix);
    const text = `${network}/${prefix}`;
    expect(parseCidr(text)).toEqual({ version: 4, address: network, prefixLength: prefix });
    expect(validateCidrs(scope, 'ipv4Cidrs', [text], 4)).toEqual([{ version: 4, address: network, prefixLength: prefix }]);
    expect(() => validateCidrs(scope, 'allowedCidrs', [text])).not.toThrow();
    // The other version's list refuses it.
    expect(thrownBy(() => validateCidrs(scope, 'ipv6Cidrs', [text], 6))).toBeInstanceOf(ValidationError);
  }), RUNS);
});

test('an IPv4 block with host bits set is refused, and its suggestion is the independent network address', () => {
  fc.assert(fc.property(ipv4Block, ([address, prefix]) => {
    const text = `${address}/${prefix}`;
    const network = ipv4Network(address, prefix);
    expect(normalise(text)).toBe(`${network}/${prefix}`);
    expect(typeof parseCidr(text) === 'string').toBe(network !== address);
  }), RUNS);
});

test('normalising any IPv4 or IPv6 block is idempotent, and its result is accepted', () => {
  fc.assert(fc.property(fc.oneof(ipv4Block, ipv6Block), ([address, prefix]) => {
    const once = normalise(`${address}/${prefix}`);
    expect(typeof parseCidr(once)).toBe('object');
    expect(normalise(once)).toBe(once);
    expect(() => validateCidrs(scope, 'allowedCidrs', [once])).not.toThrow();
  }), RUNS);
});

test('a prefix length beyond the version\'s is refused', () => {
  fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 33, max: 999 }), (address, prefix) => {
    expect(parseCidr(`${address}/${prefix}`)).toBe('the prefix length of an IPv4 CIDR is 0 to 32');
  }), RUNS);
  fc.assert(fc.property(fc.ipV6(), fc.integer({ min: 129, max: 999 }), (address, prefix) => {
    expect(parseCidr(`${address}/${prefix}`)).toBe('the prefix length of an IPv6 CIDR is 0 to 128');
  }), RUNS);
});

test('a string with a character no CIDR block has is refused with a ValidationError', () => {
  const outside = fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }).filter((s) => /[^0-9A-Fa-f:./]/.test(s));
  fc.assert(fc.property(fc.oneof(ipv4Block, ipv6Block), outside, fc.nat(), ([address, prefix], extra, at) => {
    const text = `${address}/${prefix}`;
    const index = at % (text.length + 1);
    const broken = `${text.slice(0, index)}${extra}${text.slice(index)}`;
    const error = thrownBy(() => validateCidrs(scope, 'allowedCidrs', [broken]));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message.startsWith('`allowedCidrs[0]` must be an IPv4 or IPv6 CIDR block')).toBe(true);
  }), RUNS);
});

test('any string is accepted or refused with a ValidationError, never another error', () => {
  const anything = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:./% '.split('')), maxLength: 50 }),
  );
  fc.assert(fc.property(anything, (text) => {
    const error = thrownBy(() => validateCidrs(scope, 'allowedCidrs', [text]));
    if (error !== undefined) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(typeof parseCidr(text)).toBe('string');
    } else {
      expect(typeof parseCidr(text)).toBe('object');
    }
  }), { ...RUNS, numRuns: 1000 });
});

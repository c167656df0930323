import { Lazy, Token } from 'aws-cdk-lib';
import { parseCidr, validateCidrs } from '../../../lib/private/cidr';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf, newScope } from '../../helpers/errors';

const validationErrorOf = (fn: () => unknown) => errorOf(ValidationError, fn);

describe('parseCidr', () => {
  test.each([
    ['203.0.113.0/24', 4, '203.0.113.0', 24],
    ['10.0.0.0/8', 4, '10.0.0.0', 8],
    ['0.0.0.0/0', 4, '0.0.0.0', 0],
    ['198.51.100.7/32', 4, '198.51.100.7', 32],
    ['2001:db8::/32', 6, '2001:db8::', 32],
    ['::/0', 6, '::', 0],
    ['2001:db8::1/128', 6, '2001:db8::1', 128],
    ['2001:0db8:0000:0000:0000:0000:0000:0000/64', 6, '2001:0db8:0000:0000:0000:0000:0000:0000', 64],
    ['::ffff:192.0.2.1/128', 6, '::ffff:192.0.2.1', 128],
  ])('parses %s as an IPv%i block of address %s and prefix length %i', (text, version, address, prefixLength) => {
    expect(parseCidr(text)).toEqual({ version, address, prefixLength });
  });

  test('rejects an IPv4 prefix length above 32', () => {
    expect(parseCidr('10.0.0.0/33')).toBe('the prefix length of an IPv4 CIDR is 0 to 32');
  });

  test('rejects an IPv6 prefix length above 128', () => {
    expect(parseCidr('2001:db8::/129')).toBe('the prefix length of an IPv6 CIDR is 0 to 128');
  });

  test('accepts a prefix length of 33 to 128 for IPv6, which would be too long for IPv4', () => {
    expect(parseCidr('2001:db8::/33')).toEqual({ version: 6, address: '2001:db8::', prefixLength: 33 });
  });

  test.each(['10.0.0.1', '2001:db8::1'])('asks for a prefix length when %p has no "/"', (text) => {
    expect(parseCidr(text)).toBe('the prefix length is missing (write /32 or /128 for a single address)');
  });

  test('says an empty or blank text is empty, not that its prefix length is missing', () => {
    expect(parseCidr('')).toBe('it is empty');
    expect(parseCidr(' \t')).toBe('it is blank');
  });

  test.each([
    ['10.0.0.256/8', '10.0.0.256'],
    ['2001:db8:::/32', '2001:db8:::'],
    ['10.0.0/8', '10.0.0'],
    [' 10.0.0.0/8', ' 10.0.0.0'],
    ['example.com/8', 'example.com'],
    ['/8', ''],
  ])('rejects %p because %p is not an address', (text, address) => {
    expect(parseCidr(text)).toBe(`'${address}' is not an IPv4 or IPv6 address`);
  });

  test.each(['10.0.0.0/ 8', '10.0.0.0/8 ', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/+8', '10.0.0.0/8.0', '10.0.0.0/1000', '10.0.0.0/8/8', '10.0.0.0/x'])(
    'rejects the malformed IPv4 prefix in %p',
    (text) => {
      expect(parseCidr(text)).toBe('the prefix length of an IPv4 CIDR is 0 to 32');
    },
  );

  test.each(['2001:db8::/ 32', '2001:db8::/', '2001:db8::/1280'])('rejects the malformed IPv6 prefix in %p', (text) => {
    expect(parseCidr(text)).toBe('the prefix length of an IPv6 CIDR is 0 to 128');
  });

  // aws:SourceIp takes CIDR blocks only; node:net's isIPv6 accepts a zone index ('%eth0'), which is
  // meaningful only on one host and is not part of a CIDR block.
  test.each(['fe80::1%eth0/128', 'fe80::%1/64'])('rejects the IPv6 address with a zone index in %p', (text) => {
    expect(typeof parseCidr(text)).toBe('string');
  });

  test('rejects a value that is not a string', () => {
    expect(parseCidr(42 as unknown as string)).toBe('it is not a string');
    expect(parseCidr(undefined as unknown as string)).toBe('it is not a string');
  });
});

describe('validateCidrs', () => {
  test('returns the parsed blocks of a valid mixed list when no version is required', () => {
    const scope = newScope();
    expect(validateCidrs(scope, 'allowedCidrs', ['203.0.113.0/24', '2001:db8::/32'])).toEqual([
      { version: 4, address: '203.0.113.0', prefixLength: 24 },
      { version: 6, address: '2001:db8::', prefixLength: 32 },
    ]);
  });

  test('returns an empty array for an empty list', () => {
    expect(validateCidrs(newScope(), 'allowedCidrs', [], 4)).toEqual([]);
  });

  test('names the prop, index, value and reason when an entry is not a CIDR block', () => {
    const error = validationErrorOf(() => validateCidrs(newScope(), 'allowedCidrs', ['203.0.113.0/24', '10.0.0.256/8']));
    expect(error.message).toBe(
      "`allowedCidrs[1]` must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32, got '10.0.0.256/8': '10.0.0.256' is not an IPv4 or IPv6 address (at TestStack/Api)",
    );
    expect(error.constructPath).toBe('TestStack/Api');
  });

  test('reports an empty entry as empty', () => {
    expect(() => validateCidrs(newScope(), 'allowedCidrs', ['203.0.113.0/24', ''])).toThrow(
      "`allowedCidrs[1]` must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32, got '': it is empty (at TestStack/Api)",
    );
  });

  test('reports a missing prefix length', () => {
    expect(() => validateCidrs(newScope(), 'allowedCidrs', ['203.0.113.7'])).toThrow(
      "`allowedCidrs[0]` must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32, got '203.0.113.7': the prefix length is missing (write /32 or /128 for a single address)",
    );
  });

  test('reports an IPv4 prefix of /33 against the IPv4 list', () => {
    expect(() => validateCidrs(newScope(), 'ipv4Cidrs', ['10.0.0.0/33'], 4)).toThrow(
      "`ipv4Cidrs[0]` must be an IPv4 CIDR block such as 203.0.113.0/24, got '10.0.0.0/33': the prefix length of an IPv4 CIDR is 0 to 32 (at TestStack/Api)",
    );
  });

  test('reports an IPv6 prefix of /129 against the IPv6 list', () => {
    expect(() => validateCidrs(newScope(), 'ipv6Cidrs', ['2001:db8::/129'], 6)).toThrow(
      "`ipv6Cidrs[0]` must be an IPv6 CIDR block such as 2001:db8::/32, got '2001:db8::/129': the prefix length of an IPv6 CIDR is 0 to 128 (at TestStack/Api)",
    );
  });

  test('reports a space after the slash', () => {
    expect(() => validateCidrs(newScope(), 'ipv4Cidrs', ['10.0.0.0/ 8'], 4)).toThrow(
      "`ipv4Cidrs[0]` must be an IPv4 CIDR block such as 203.0.113.0/24, got '10.0.0.0/ 8': the prefix length of an IPv4 CIDR is 0 to 32",
    );
  });

  test('reports an IPv6 typo with three colons', () => {
    expect(() => validateCidrs(newScope(), 'ipv6Cidrs', ['2001:db8:::/32'], 6)).toThrow(
      "`ipv6Cidrs[0]` must be an IPv6 CIDR block such as 2001:db8::/32, got '2001:db8:::/32': '2001:db8:::' is not an IPv4 or IPv6 address",
    );
  });

  test('tells the user to move an IPv4 block out of the IPv6 list', () => {
    const error = validationErrorOf(() => validateCidrs(newScope(), 'ipv6Cidrs', ['2001:db8::/32', '203.0.113.0/24'], 6));
    expect(error.message).toBe(
      "`ipv6Cidrs[1]` must be an IPv6 CIDR block such as 2001:db8::/32, got the IPv4 block '203.0.113.0/24': move it to the IPv4 list (at TestStack/Api)",
    );
    expect(error.constructPath).toBe('TestStack/Api');
  });

  test('tells the user to move an IPv6 block out of the IPv4 list', () => {
    expect(() => validateCidrs(newScope(), 'ipv4Cidrs', ['2001:db8::/32'], 4)).toThrow(
      "`ipv4Cidrs[0]` must be an IPv4 CIDR block such as 203.0.113.0/24, got the IPv6 block '2001:db8::/32': move it to the IPv6 list (at TestStack/Api)",
    );
  });

  test('reports the first invalid entry only', () => {
    expect(() => validateCidrs(newScope(), 'ipv4Cidrs', ['10.0.0.0/8', '10.0.0.0/40', 'nonsense'], 4)).toThrow(/^`ipv4Cidrs\[1\]` .* got '10\.0\.0\.0\/40'/);
  });

  test('skips an unresolved Lazy.string token and keeps the index of later entries', () => {
    const token = Lazy.string({ produce: () => 'not a cidr' });
    expect(Token.isUnresolved(token)).toBe(true);
    const scope = newScope();
    expect(validateCidrs(scope, 'ipv4Cidrs', [token, '10.0.0.0/8'], 4)).toEqual([{ version: 4, address: '10.0.0.0', prefixLength: 8 }]);
    expect(() => validateCidrs(scope, 'ipv4Cidrs', [token, '10.0.0.0/99'], 4)).toThrow(/^`ipv4Cidrs\[1\]`/);
  });

  test('skips a token made with Token.asString, and a string with a token inside it', () => {
    const token = Token.asString({ resolve: () => 'anything' });
    expect(Token.isUnresolved(token)).toBe(true);
    expect(validateCidrs(newScope(), 'allowedCidrs', [token, `${token}/32`])).toEqual([]);
  });
});

describe('host bits', () => {
  test.each([
    ['195.178.188.66/29', "'195.178.188.66' has bits set after the first 29: write the network address, 195.178.188.64/29"],
    ['10.1.2.3/8', "'10.1.2.3' has bits set after the first 8: write the network address, 10.0.0.0/8"],
    ['2001:db8::1/32', "'2001:db8::1' has bits set after the first 32: write the network address, 2001:db8::/32"],
    ['2001:db8:0:0:1:0:0:1/64', "'2001:db8:0:0:1:0:0:1' has bits set after the first 64: write the network address, 2001:db8::/64"],
    ['::ffff:10.1.2.3/104', "'::ffff:10.1.2.3' has bits set after the first 104: write the network address, ::ffff:a00:0/104"],
  ])('%s is refused (AWS WAF refuses it too), naming the network address', (cidr, message) => {
    expect(parseCidr(cidr)).toBe(message);
  });

  test.each(['198.51.100.7/32', '203.0.113.0/24', '0.0.0.0/0', '2001:db8::1/128', '2001:db8::/32', '::/0', '::ffff:10.0.0.0/104'])('%s, a network address, is accepted', (cidr) => {
    expect(typeof parseCidr(cidr)).toBe('object');
  });
});

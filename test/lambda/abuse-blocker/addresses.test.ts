import { AddressRanges, blockUnit, canonicalCidr, hostAddress, ipv6Networks } from '../../../lambda/abuse-blocker/addresses';
import { seededRandom } from './fakes';

describe('hostAddress', () => {
  test.each(['203.0.113.7', '0.0.0.0', '255.255.255.255', '10.0.0.1'])('makes the IPv4 address %s a /32', (address) => {
    expect(hostAddress(address)).toEqual({ cidr: `${address}/32`, version: 4 });
  });

  test.each([
    ['lower case, compressed', '2001:db8::7'],
    ['upper case', '2001:DB8::7'],
    ['uncompressed, with leading zeros', '2001:0db8:0000:0000:0000:0000:0000:0007'],
    ['uncompressed, without leading zeros', '2001:db8:0:0:0:0:0:7'],
    ['partly compressed', '2001:db8:0::0:7'],
    ['mixed case and uncompressed', '2001:0DB8:0:0:0:0:0:0007'],
  ])('writes an IPv6 address %s as the same canonical /128', (_form, address) => {
    expect(hostAddress(address)).toEqual({ cidr: '2001:db8::7/128', version: 6 });
  });

  test.each([
    ['the unspecified address', '0:0:0:0:0:0:0:0', '::/128'],
    ['the loopback address', '0:0:0:0:0:0:0:1', '::1/128'],
    ['the longest run of zeros, the first of two equal runs', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1/128'],
    ['the longest run of zeros, not the first one', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1/128'],
    ['a single zero group, which is not compressed', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1/128'],
    ['a network address', '2001:DB8:0:0:0:0:0:0', '2001:db8::/128'],
  ])('compresses zeros as RFC 5952 does: %s', (_case, address, cidr) => {
    expect(hostAddress(address)).toEqual({ cidr, version: 6 });
  });

  test.each([
    ['dotted', '::ffff:203.0.113.7'],
    ['in hexadecimal, upper case', '::FFFF:CB00:7107'],
    ['uncompressed', '0:0:0:0:0:ffff:cb00:7107'],
    ['uncompressed, with leading zeros and dotted', '0000:0000:0000:0000:0000:FFFF:203.0.113.7'],
  ])('an IPv4-mapped IPv6 address (%s) is the IPv4 address it maps, for the IPv4 list', (_form, address) => {
    expect(hostAddress(address)).toEqual({ cidr: '203.0.113.7/32', version: 4 });
  });

  test.each([
    ['the first mapped address', '::ffff:0.0.0.0', '0.0.0.0/32'],
    ['the last mapped address', '::ffff:255.255.255.255', '255.255.255.255/32'],
    ['a mapped address with small groups', '::ffff:1:2', '0.1.0.2/32'],
  ])('maps every byte of an IPv4-mapped address: %s', (_case, address, cidr) => {
    expect(hostAddress(address)).toEqual({ cidr, version: 4 });
  });

  test.each([
    ['an IPv4-compatible address (deprecated, not mapped)', '::203.0.113.7', '::cb00:7107/128'],
    ['an IPv4-translated address (::ffff:0:0/96)', '::ffff:0:203.0.113.7', '::ffff:0:cb00:7107/128'],
    ['a NAT64 address', '64:ff9b::203.0.113.7', '64:ff9b::cb00:7107/128'],
    ['an address ending in ffff and two groups, but not mapped', '1::ffff:cb00:7107', '1::ffff:cb00:7107/128'],
  ])('other IPv6 addresses that embed an IPv4 address stay IPv6: %s', (_case, address, cidr) => {
    expect(hostAddress(address)).toEqual({ cidr, version: 6 });
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 3405803783],
    ['an array', ['203.0.113.7']],
    ['an object', { sourceIp: '203.0.113.7' }],
    ['the empty string', ''],
    ['the dash API Gateway logs for an unset variable', '-'],
    ['a host name', 'localhost'],
    ['an X-Forwarded-For list', '203.0.113.7, 198.51.100.1'],
    ['an X-Forwarded-For list without spaces', '203.0.113.7,198.51.100.1'],
    ['a leading space', ' 203.0.113.7'],
    ['a trailing space', '203.0.113.7 '],
    ['a trailing newline', '203.0.113.7\n'],
    ['an address and port', '203.0.113.7:443'],
    ['a CIDR block', '203.0.113.7/32'],
    ['a leading zero (octal in some parsers)', '010.0.0.1'],
    ['a leading zero in the last part', '203.0.113.07'],
    ['a part over 255', '256.0.0.1'],
    ['three parts', '203.0.113'],
    ['a hexadecimal part', '0x7f.0.0.1'],
    ['a single number', '2130706433'],
    ['an IPv6 address with a zone', 'fe80::1%eth0'],
    ['an IPv6 address with a numeric zone', 'fe80::1%1'],
    ['an IPv6 address with an encoded zone', 'fe80::1%25eth0'],
    ['an IPv6 address in brackets', '[2001:db8::7]'],
    ['an IPv6 address with a port', '[2001:db8::7]:443'],
    ['an IPv6 CIDR block', '2001:db8::7/128'],
    ['two double colons', '2001::db8::7'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
  ])('refuses %s', (_case, value) => {
    expect(hostAddress(value)).toBeUndefined();
  });
});

describe('AddressRanges', () => {
  const v4 = (address: string) => hostAddress(address)!;

  test.each([
    ['the first address of the range', '198.51.100.0', true],
    ['an address inside the range', '198.51.100.77', true],
    ['the last address of the range', '198.51.100.255', true],
    ['the address before the range', '198.51.99.255', false],
    ['the address after the range', '198.51.101.0', false],
  ])('an IPv4 /24 contains %s: %s', (_case, address, inside) => {
    expect(new AddressRanges(['198.51.100.0/24']).contains(v4(address))).toBe(inside);
  });

  test('a /32 contains its address only', () => {
    const ranges = new AddressRanges(['203.0.113.7/32']);
    expect(ranges.contains(v4('203.0.113.7'))).toBe(true);
    expect(ranges.contains(v4('203.0.113.6'))).toBe(false);
    expect(ranges.contains(v4('203.0.113.8'))).toBe(false);
  });

  test('a range with host bits set covers its whole network, as WAF reads it', () => {
    const ranges = new AddressRanges(['10.1.2.3/8']);
    expect(ranges.contains(v4('10.200.0.1'))).toBe(true);
    expect(ranges.contains(v4('11.0.0.0'))).toBe(false);
  });

  test('0.0.0.0/0 contains every IPv4 address', () => {
    const ranges = new AddressRanges(['0.0.0.0/0']);
    expect(ranges.contains(v4('1.1.1.1'))).toBe(true);
    expect(ranges.contains(v4('255.255.255.255'))).toBe(true);
  });

  test('an IPv6 range contains the addresses inside it, compared numerically', () => {
    const ranges = new AddressRanges(['2001:DB8:0:0::/64']);
    expect(ranges.contains(hostAddress('2001:db8::7')!)).toBe(true);
    expect(ranges.contains(hostAddress('2001:db8:0:0:ffff:ffff:ffff:ffff')!)).toBe(true);
    expect(ranges.contains(hostAddress('2001:db8:0:1::')!)).toBe(false);
  });

  test('the ranges are all the entries together, IPv4 and IPv6 mixed', () => {
    const ranges = new AddressRanges(['192.0.2.0/24', '2001:db8::/32', '198.51.100.10/32']);
    expect(ranges.contains(v4('192.0.2.200'))).toBe(true);
    expect(ranges.contains(v4('198.51.100.10'))).toBe(true);
    expect(ranges.contains(hostAddress('2001:db8:ffff::1')!)).toBe(true);
    expect(ranges.contains(v4('198.51.100.11'))).toBe(false);
    expect(ranges.contains(hostAddress('2001:db9::1')!)).toBe(false);
  });

  test('no ranges contain nothing', () => {
    const ranges = new AddressRanges([]);
    expect(ranges.contains(v4('203.0.113.7'))).toBe(false);
    expect(ranges.contains(hostAddress('::1')!)).toBe(false);
    expect(ranges.invalid).toEqual([]);
  });

  test('an IPv4 range does not contain an ordinary IPv6 address, nor an IPv6 range an ordinary IPv4 one', () => {
    expect(new AddressRanges(['0.0.0.0/0']).contains(hostAddress('2001:db8::7')!)).toBe(false);
    expect(new AddressRanges(['2001:db8::/32']).contains(v4('203.0.113.7'))).toBe(false);
  });

  test('an IPv4 range contains the IPv4-mapped IPv6 form of its addresses, which is the IPv4 address', () => {
    const ranges = new AddressRanges(['203.0.113.0/24']);
    expect(ranges.contains(hostAddress('::ffff:203.0.113.7')!)).toBe(true);
    expect(ranges.contains(hostAddress('::ffff:cb00:7107')!)).toBe(true);
    expect(ranges.contains(hostAddress('::ffff:198.51.100.7')!)).toBe(false);
    expect(ranges.contains(hostAddress('::ffff:203.0.114.7')!)).toBe(false);
  });

  test('IPv6 ranges apply to IPv6 addresses only: an IPv4-mapped range or ::/0 exempts no IPv4 address', () => {
    expect(new AddressRanges(['::ffff:203.0.113.0/120']).contains(v4('203.0.113.7'))).toBe(false);
    expect(new AddressRanges(['::/0']).contains(v4('8.8.8.8'))).toBe(false);
    expect(new AddressRanges(['::/0']).contains(hostAddress('2001:db8::1')!)).toBe(true);
  });

  test('an IPv4-mapped IPv6 client is checked as IPv4: an IPv4-mapped IPv6 range does not exempt it', () => {
    expect(new AddressRanges(['::ffff:203.0.113.0/120']).contains(hostAddress('::ffff:203.0.113.7')!)).toBe(false);
  });

  // hostAddress never gives an IPv4-mapped IPv6 host any more; a HostAddress built by hand shows
  // that an IPv6 address is checked against the IPv6 ranges alone (net.BlockList would otherwise
  // match it against IPv4 ranges too).
  test('an IPv6 address is checked against the IPv6 ranges only, even in the IPv4-mapped space', () => {
    const mapped = { cidr: '::ffff:cb00:7107/128', version: 6 } as const;
    expect(new AddressRanges(['203.0.113.0/24', '0.0.0.0/0']).contains(mapped)).toBe(false);
    expect(new AddressRanges(['::ffff:203.0.113.0/120']).contains(mapped)).toBe(true);
  });

  test.each([
    ['an address without a prefix', '203.0.113.7'],
    ['an IPv4 prefix over 32', '203.0.113.0/33'],
    ['an IPv6 prefix over 128', '2001:db8::/129'],
    ['a negative prefix', '203.0.113.0/-1'],
    ['an empty prefix', '203.0.113.0/'],
    ['a prefix with a space', '203.0.113.0/ 24'],
    ['a prefix of four digits', '203.0.113.0/0024'],
    ['two prefixes', '203.0.113.0/24/8'],
    ['a host name', 'example.com/24'],
    ['an address with leading zeros', '203.0.113.07/32'],
    ['the empty string', ''],
  ])('ignores %s and lists it as invalid, without throwing', (_case, cidr) => {
    const ranges = new AddressRanges(['198.51.100.0/24', cidr]);
    expect(ranges.invalid).toEqual([cidr]);
    expect(ranges.contains(v4('198.51.100.1'))).toBe(true);
    expect(ranges.contains(v4('203.0.113.7'))).toBe(false);
  });

  test('refuses an IPv6 range with a zone (AWS WAF never holds one) as invalid', () => {
    const ranges = new AddressRanges(['fe80::1%eth0/128']);
    expect(ranges.invalid).toEqual(['fe80::1%eth0/128']);
    expect(ranges.contains(hostAddress('fe80::1')!)).toBe(false);
  });

  test('accepts a prefix with a leading zero (the number is what counts)', () => {
    const ranges = new AddressRanges(['203.0.113.0/024']);
    expect(ranges.invalid).toEqual([]);
    expect(ranges.contains(v4('203.0.113.200'))).toBe(true);
  });
});

describe('blockUnit', () => {
  test.each([
    ['2001:db8:1:2:3:4:5:6', 64, '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', 64, '2001:db8:1:2::/64'],
    ['2001:db8:1:2:3:4:5:6', 48, '2001:db8:1::/48'],
    ['2001:db8:1:2:3:4:5:6', 56, '2001:db8:1::/56'],
    ['2001:db8:1:2ff:3:4:5:6', 56, '2001:db8:1:200::/56'],
    ['::1', 64, '::/64'],
    ['2001:db8::7', 128, '2001:db8::7/128'],
  ])('%s with a /%d prefix is the network %s', (address, prefix, unit) => {
    expect(blockUnit(hostAddress(address)!, prefix)).toEqual({ cidr: unit, version: 6 });
  });

  test('every address of a /64 gives the same unit, so a client cannot rotate out of its count', () => {
    const units = ['2001:db8:0:7::1', '2001:db8:0:7:abcd::9', '2001:DB8:0:7:FFFF:FFFF:FFFF:FFFE'].map((a) => blockUnit(hostAddress(a)!, 64).cidr);
    expect(new Set(units)).toEqual(new Set(['2001:db8:0:7::/64']));
  });

  test('an IPv4 address is its own unit whatever the IPv6 prefix', () => {
    expect(blockUnit(hostAddress('203.0.113.7')!, 64)).toEqual({ cidr: '203.0.113.7/32', version: 4 });
  });
});

describe('ipv6Networks', () => {
  test('the /64, /56 and /48 of one host, in the order asked, each canonical', () => {
    expect(ipv6Networks(hostAddress('2001:DB8:1:2ff:3:4:5:6')!, [64, 56, 48])).toEqual([
      { cidr: '2001:db8:1:2ff::/64', version: 6 },
      { cidr: '2001:db8:1:200::/56', version: 6 },
      { cidr: '2001:db8:1::/48', version: 6 },
    ]);
  });

  test('none for an IPv4 address (or an IPv4-mapped one, which is IPv4)', () => {
    expect(ipv6Networks(hostAddress('203.0.113.7')!, [64, 48])).toEqual([]);
    expect(ipv6Networks(hostAddress('::ffff:203.0.113.7')!, [64, 48])).toEqual([]);
  });

  test('writes every network as RFC 5952 does (checked against the URL parser), for addresses full of zero runs', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 2000; i++) {
      // Half the groups zero, so runs of every length and position occur.
      const groups = Array.from({ length: 8 }, () => (random() < 0.5 ? 0 : Math.floor(random() * 0x10000)).toString(16));
      const host = hostAddress(groups.join(':'))!;
      const prefix = 1 + Math.floor(random() * 128);
      const [network] = ipv6Networks(host, [prefix]);
      expect(canonicalCidr(network.cidr)).toBe(network.cidr);
      expect(new AddressRanges([network.cidr]).contains(host)).toBe(true);
    }
  });
});

describe('AddressRanges.overlaps', () => {
  const unit = (address: string, prefix = 64) => blockUnit(hostAddress(address)!, prefix);

  test('a /64 holding a single allow-listed address overlaps, so the network is not blocked', () => {
    const ranges = new AddressRanges(['2001:db8:1:2::5/128']);
    expect(ranges.overlaps(unit('2001:db8:1:2::9'))).toBe(true);
    expect(ranges.overlaps(unit('2001:db8:1:3::9'))).toBe(false);
  });

  test('a /64 inside a larger allowed range overlaps; one beside it does not', () => {
    const ranges = new AddressRanges(['2001:db8::/32']);
    expect(ranges.overlaps(unit('2001:db8:ffff:1::9'))).toBe(true);
    expect(ranges.overlaps(unit('2001:db9::9'))).toBe(false);
  });

  test('for hosts it is containment', () => {
    const ranges = new AddressRanges(['198.51.100.0/24', '2001:db8::/64']);
    expect(ranges.overlaps(hostAddress('198.51.100.9')!)).toBe(true);
    expect(ranges.overlaps(hostAddress('198.51.101.9')!)).toBe(false);
    expect(ranges.overlaps(hostAddress('2001:db8::9')!)).toBe(true);
    expect(ranges.overlaps(hostAddress('2001:db8:0:1::9')!)).toBe(false);
  });

  test('IPv4 ranges never overlap an IPv6 network, even one that holds the IPv4-mapped space', () => {
    const everyIpv4 = new AddressRanges(['0.0.0.0/1', '128.0.0.0/1']);
    // ::/64 holds ::ffff:0:0/96, every IPv4-mapped address.
    expect(everyIpv4.overlaps(unit('::1'))).toBe(false);
    expect(everyIpv4.overlaps({ cidr: '::ffff:0:0/96', version: 6 })).toBe(false);
    expect(everyIpv4.overlaps({ cidr: '::ffff:cb00:7107/128', version: 6 })).toBe(false);
  });

  test('the unit of an IPv4-mapped client is its IPv4 address, which IPv4 ranges overlap', () => {
    const mapped = unit('::ffff:203.0.113.7');
    expect(mapped).toEqual({ cidr: '203.0.113.7/32', version: 4 });
    expect(new AddressRanges(['203.0.113.0/24']).overlaps(mapped)).toBe(true);
    expect(new AddressRanges(['::/0']).overlaps(mapped)).toBe(false);
  });
});

describe('canonicalCidr', () => {
  test.each([
    ['2001:DB8:0:0:0:0:0:7/128', '2001:db8::7/128'],
    ['2001:db8:0001::/64', '2001:db8:1::/64'],
    ['203.0.113.7/32', '203.0.113.7/32'],
    ['not a cidr', 'not a cidr'],
    ['2001:db8::/129', '2001:db8::/129'],
  ])('%s is written %s', (cidr, canonical) => {
    expect(canonicalCidr(cidr)).toBe(canonical);
  });
});

import { readSettings, SettingsError } from '../../../lambda/abuse-blocker/settings';
import { errorOf, settingsErrorMessage } from '../../helpers/errors';
import { settingsFileWith } from '../../helpers/settings-files';

/** Reads settings as the handler does at cold start: from a settings file holding `json` (none when undefined). */
const parseSettings = (json: string | undefined, env: Record<string, string> = {}) => readSettings(settingsFileWith(json), env);

const PREFIX = 'Invalid abuse blocker settings: ';
const MAX = Number.MAX_SAFE_INTEGER;

/** Settings as the construct writes them. */
function valid(): Record<string, any> {
  return {
    tableName: 'abuse-blocker-state',
    threshold: 20,
    windowSeconds: 300,
    blockSeconds: 3600,
    statusCodes: [401, 403, 429],
    ipv6PrefixLength: 64,
    ipv6Networks: [{ prefixLength: 56, threshold: 100 }, { prefixLength: 48, threshold: 400 }],
    ipv4Set: { name: 'auto-block-ipv4', id: 'a1b2c3d4-v4', scope: 'REGIONAL' },
    ipv6Set: { name: 'auto-block-ipv6', id: 'a1b2c3d4-v6', scope: 'REGIONAL' },
    allowListSets: [
      { name: 'allow-ipv4', id: 'e5f6-v4', scope: 'REGIONAL' },
      { name: 'allow-ipv6', id: 'e5f6-v6', scope: 'REGIONAL' },
    ],
    exemptCidrs: ['192.0.2.0/24', '2001:db8::/32'],
    maxAddressesPerSet: 10_000,
    metricsNamespace: 'SecureApi/AbuseBlocker',
  };
}

/** The message of the SettingsError for the valid settings after `change`, without the prefix. */
function messageFor(change: (settings: Record<string, any>) => void): string {
  return settingsErrorMessage(SettingsError, parseSettings, PREFIX, valid(), change);
}

describe('parseSettings: valid settings', () => {
  test('returns the settings the construct wrote', () => {
    expect(parseSettings(JSON.stringify(valid()))).toEqual(valid());
  });

  test('drops keys it does not know, at the top and in IP sets', () => {
    const settings = valid();
    settings.extra = 'x';
    settings.ipv4Set.arn = 'arn:aws:wafv2:...';
    expect(parseSettings(JSON.stringify(settings))).toEqual(valid());
  });

  test.each([
    ['the smallest threshold, 1', { threshold: 1 }],
    ['the shortest window, 60 s', { windowSeconds: 60 }],
    ['the shortest block, 60 s', { blockSeconds: 60 }],
    ['one address per set', { maxAddressesPerSet: 1 }],
    // AWS WAF quotas (https://docs.aws.amazon.com/waf/latest/developerguide/limits.html): 10,000 addresses per IP set.
    ['AWS WAF\'s limit of addresses per set', { maxAddressesPerSet: 10_000 }],
    ['the lowest and highest status codes', { statusCodes: [400, 599] }],
    ['no allow lists and no exempt blocks', { allowListSets: [], exemptCidrs: [] }],
    ['no wider IPv6 networks', { ipv6Networks: [] }],
    // WAF takes every IPv6 prefix but /0 (IPSet, AWS WAFV2 API reference).
    ['the widest and narrowest IPv6 networks', { ipv6Networks: [{ prefixLength: 1, threshold: 1 }, { prefixLength: 127, threshold: 1 }] }],
  ])('accepts %s', (_case, overrides) => {
    expect(parseSettings(JSON.stringify({ ...valid(), ...overrides }))).toMatchObject(overrides);
  });

  // The construct checks each block's form (lib/private/cidr.ts); the handler ignores one it cannot read.
  test('checks only that exempt blocks are strings', () => {
    expect(parseSettings(JSON.stringify({ ...valid(), exemptCidrs: ['not a block'] })).exemptCidrs).toEqual(['not a block']);
  });
});

describe('parseSettings: invalid settings', () => {
  test.each<[string, string | undefined, (file: string) => string]>([
    ['a missing file', undefined, (file) => `the settings file ${file} cannot be read as JSON: Error: ENOENT: no such file or directory, open '${file}'`],
    ['an empty file', '', (file) => `the settings file ${file} cannot be read as JSON: SyntaxError: Unexpected end of JSON input`],
    ['JSON null', 'null', () => '`settings` must be an object'],
    ['a JSON array', '[]', () => '`settings` must be an object'],
    ['a JSON string', '"settings"', () => '`settings` must be an object'],
  ])('refuses %s', (_case, json, message) => {
    const file = settingsFileWith(json);
    const error = errorOf(SettingsError, () => readSettings(file, {}));
    expect(error.message).toBe(PREFIX + message(file));
  });

  test('the table and the IP sets, known only at deploy time, come from the environment variables their references name', () => {
    const settings = { ...valid(), tableName: { $env: 'SECURE_API_SETTING_3' }, ipv4Set: { ...valid().ipv4Set, id: { $env: 'SECURE_API_SETTING_1' } } };
    expect(parseSettings(JSON.stringify(settings), { SECURE_API_SETTING_1: 'a1b2c3d4-v4', SECURE_API_SETTING_3: 'abuse-blocker-state' })).toEqual(valid());
    expect(errorOf(SettingsError, () => parseSettings(JSON.stringify(settings), { SECURE_API_SETTING_1: 'a1b2c3d4-v4' })).message)
      .toBe(`${PREFIX}the environment variable SECURE_API_SETTING_3 is not set`);
  });

  test.each<[string, (s: Record<string, any>) => void, string]>([
    ['no table name', (s) => delete s.tableName, '`tableName` must be a non-empty string'],
    ['an empty table name', (s) => { s.tableName = ''; }, '`tableName` must be a non-empty string'],
    ['a threshold of 0', (s) => { s.threshold = 0; }, '`threshold` must be a whole number from 1 to ' + MAX],
    ['an IPv6 prefix of 0', (s) => { s.ipv6PrefixLength = 0; }, '`ipv6PrefixLength` must be a whole number from 1 to 128'],
    ['an IPv6 prefix over 128', (s) => { s.ipv6PrefixLength = 129; }, '`ipv6PrefixLength` must be a whole number from 1 to 128'],
    ['no IPv6 prefix', (s) => delete s.ipv6PrefixLength, '`ipv6PrefixLength` must be a whole number from 1 to 128'],
    ['no wider IPv6 networks', (s) => delete s.ipv6Networks, '`ipv6Networks` must be an array'],
    ['an IPv6 network that is a number', (s) => { s.ipv6Networks = [48]; }, '`ipv6Networks[0]` must be an object'],
    ['an IPv6 network of /0', (s) => { s.ipv6Networks[1].prefixLength = 0; }, '`ipv6Networks[1].prefixLength` must be a whole number from 1 to 127'],
    ['an IPv6 network of /128', (s) => { s.ipv6Networks[0].prefixLength = 128; }, '`ipv6Networks[0].prefixLength` must be a whole number from 1 to 127'],
    ['an IPv6 network without a threshold', (s) => delete s.ipv6Networks[0].threshold, '`ipv6Networks[0].threshold` must be a whole number from 1 to ' + MAX],
    ['a fractional threshold', (s) => { s.threshold = 2.5; }, '`threshold` must be a whole number from 1 to ' + MAX],
    ['a threshold as a string', (s) => { s.threshold = '20'; }, '`threshold` must be a whole number from 1 to ' + MAX],
    ['a window under 60 s', (s) => { s.windowSeconds = 59; }, '`windowSeconds` must be a whole number from 60 to ' + MAX],
    ['no window', (s) => delete s.windowSeconds, '`windowSeconds` must be a whole number from 60 to ' + MAX],
    ['a block under 60 s', (s) => { s.blockSeconds = 59; }, '`blockSeconds` must be a whole number from 60 to ' + MAX],
    ['no status codes', (s) => { s.statusCodes = []; }, '`statusCodes` is empty'],
    ['status codes that are not an array', (s) => { s.statusCodes = 401; }, '`statusCodes` must be an array'],
    ['a status code under 400', (s) => { s.statusCodes = [401, 399]; }, '`statusCodes[1]` must be a whole number from 400 to 599'],
    ['a status code over 599', (s) => { s.statusCodes = [600]; }, '`statusCodes[0]` must be a whole number from 400 to 599'],
    ['a status code as a string', (s) => { s.statusCodes = ['401']; }, '`statusCodes[0]` must be a whole number from 400 to 599'],
    ['no IPv4 set', (s) => delete s.ipv4Set, '`ipv4Set` must be an object'],
    ['an IPv6 set that is an array', (s) => { s.ipv6Set = []; }, '`ipv6Set` must be an object'],
    ['an IP set without a name', (s) => delete s.ipv4Set.name, '`ipv4Set.name` must be a non-empty string'],
    ['an IP set with an empty id', (s) => { s.ipv6Set.id = ''; }, '`ipv6Set.id` must be a non-empty string'],
    ['a CloudFront IP set', (s) => { s.ipv4Set.scope = 'CLOUDFRONT'; }, '`ipv4Set.scope` must be one of REGIONAL'],
    ['an IP set without a scope', (s) => delete s.ipv6Set.scope, '`ipv6Set.scope` must be one of REGIONAL'],
    ['allow lists that are not an array', (s) => { s.allowListSets = s.allowListSets[0]; }, '`allowListSets` must be an array'],
    ['an allow list without an id', (s) => delete s.allowListSets[1].id, '`allowListSets[1].id` must be a non-empty string'],
    ['an allow list that is a string', (s) => { s.allowListSets = ['allow-ipv4']; }, '`allowListSets[0]` must be an object'],
    ['no exempt blocks', (s) => delete s.exemptCidrs, '`exemptCidrs` must be an array'],
    ['an exempt block that is not a string', (s) => { s.exemptCidrs = ['192.0.2.0/24', 3232235520]; }, '`exemptCidrs[1]` must be a non-empty string'],
    ['an empty exempt block', (s) => { s.exemptCidrs = ['']; }, '`exemptCidrs[0]` must be a non-empty string'],
    ['no more than 0 addresses per set', (s) => { s.maxAddressesPerSet = 0; }, '`maxAddressesPerSet` must be a whole number from 1 to 10000'],
    ['more addresses per set than AWS WAF holds', (s) => { s.maxAddressesPerSet = 10_001; }, '`maxAddressesPerSet` must be a whole number from 1 to 10000'],
    ['no metrics namespace', (s) => delete s.metricsNamespace, '`metricsNamespace` must be a non-empty string'],
  ])('refuses %s', (_case, change, message) => {
    expect(messageFor(change)).toBe(message);
  });
});

import { AbuseBlockerSettings, IpSetReference, Ipv6NetworkThreshold, WAF_IP_SET_LIMIT } from '../shared/constants';
import { SettingsReader } from '../shared/settings-reader';

/** The blocker's settings are invalid: thrown at cold start, so the function never runs on them. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(`Invalid abuse blocker settings: ${message}`);
    this.name = 'SettingsError';
  }
}

const read = new SettingsReader((message) => new SettingsError(message));

/**
 * Reads and checks the settings file the construct wrote next to the handler, with each deploy-time
 * value (the table's name, the IP sets' ids) taken from the environment variable its reference
 * names. Called once at cold start.
 */
export function readSettings(file: string, env: Readonly<Record<string, string | undefined>>): AbuseBlockerSettings {
  return parseSettings(read.file(file, env));
}

/** Checks the settings, as read from the settings file. */
export function parseSettings(value: unknown): AbuseBlockerSettings {
  const settings = read.record(value, 'settings');
  const statusCodes = read.array(settings.statusCodes, 'statusCodes').map((code, i) => read.wholeNumber(code, `statusCodes[${i}]`, 400, 599));
  if (statusCodes.length === 0) {
    throw new SettingsError('`statusCodes` is empty');
  }
  return {
    tableName: read.string(settings.tableName, 'tableName'),
    threshold: read.wholeNumber(settings.threshold, 'threshold', 1),
    windowSeconds: read.wholeNumber(settings.windowSeconds, 'windowSeconds', 60),
    blockSeconds: read.wholeNumber(settings.blockSeconds, 'blockSeconds', 60),
    statusCodes,
    ipv6PrefixLength: read.wholeNumber(settings.ipv6PrefixLength, 'ipv6PrefixLength', 1, 128),
    ipv6Networks: read.array(settings.ipv6Networks, 'ipv6Networks').map((network, i) => ipv6Network(network, `ipv6Networks[${i}]`)),
    ipv4Set: ipSet(settings.ipv4Set, 'ipv4Set'),
    ipv6Set: ipSet(settings.ipv6Set, 'ipv6Set'),
    allowListSets: read.array(settings.allowListSets, 'allowListSets').map((set, i) => ipSet(set, `allowListSets[${i}]`)),
    exemptCidrs: read.strings(settings.exemptCidrs, 'exemptCidrs'),
    maxAddressesPerSet: read.wholeNumber(settings.maxAddressesPerSet, 'maxAddressesPerSet', 1, WAF_IP_SET_LIMIT),
    metricsNamespace: read.string(settings.metricsNamespace, 'metricsNamespace'),
    // Absent from the settings of a blocker without replication (and of every older one).
    ...(settings.counterRegion === undefined ? {} : { counterRegion: read.string(settings.counterRegion, 'counterRegion') }),
  };
}

function ipSet(value: unknown, at: string): IpSetReference {
  const set = read.record(value, at);
  return {
    name: read.string(set.name, `${at}.name`),
    id: read.string(set.id, `${at}.id`),
    scope: read.oneOf(set.scope, ['REGIONAL'] as const, `${at}.scope`),
  };
}

function ipv6Network(value: unknown, at: string): Ipv6NetworkThreshold {
  const network = read.record(value, at);
  return {
    // AWS WAF takes every IPv6 prefix length but /0 in an IP set.
    prefixLength: read.wholeNumber(network.prefixLength, `${at}.prefixLength`, 1, 127),
    threshold: read.wholeNumber(network.threshold, `${at}.threshold`, 1),
  };
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { FirewallMode, ThrottleSettings } from 'secure-api-gateway';

/** API Gateway's rule for stage names. */
const STAGE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Every finite retention CloudWatch Logs offers: the example's logs always expire. */
const FINITE_RETENTIONS: readonly logs.RetentionDays[] = Object.values(logs.RetentionDays)
  .filter((v): v is logs.RetentionDays => typeof v === 'number' && v !== logs.RetentionDays.INFINITE);

/** A loose check of an email address (the library checks alarm emails again at synth). */
function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && /^[^\s@"(),:;<>[\]\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(value);
}

/** The cdk.json context key that holds the environments. */
export const ENVIRONMENTS_CONTEXT_KEY = 'secure-api:environments';

/** The context key that narrows synth to one environment: `cdk synth -c env=prod`. */
export const ENVIRONMENT_SELECTOR_CONTEXT_KEY = 'env';

/**
 * How strict an environment is. `dev` may destroy data on delete and gets looser alarms and MFA;
 * `prod` retains logs and keys. Whether the firewall blocks is a setting of its own
 * (`firewallMode`), so a prod-profile staging can try new rules in COUNT mode.
 */
export const PROFILES = ['dev', 'prod'] as const;
export type Profile = typeof PROFILES[number];

/** How DNS spreads clients over an environment's regions: `failover` (the first region serves, the second takes over) or `latency`. */
export const ROUTINGS = ['failover', 'latency'] as const;
export type RoutingName = typeof ROUTINGS[number];

/** Whether the firewall's rules block (`block`) or only count matches (`count`). */
export const FIREWALL_MODES = ['block', 'count'] as const;

/** What happens to stateful resources (keys, log groups) when they leave the stack. */
export const REMOVAL_POLICIES = ['destroy', 'retain'] as const;
export type RemovalPolicyName = typeof REMOVAL_POLICIES[number];

/** One environment's settings, validated. */
export interface EnvironmentConfig {
  /** The environment's name, the key in `secure-api:environments`. */
  readonly name: string;
  /** How strict the environment is. */
  readonly profile: Profile;
  /** The 12-digit AWS account to deploy to. */
  readonly account: string;
  /** The AWS region to deploy to, such as `eu-west-1`: the first of `regions`. */
  readonly region: string;
  /**
   * Every region the API is deployed to, the primary first. cdk.json gives either `region` (one)
   * or `regions` (a list); with two or more, the environment needs a `domain`.
   */
  readonly regions: readonly string[];
  /** How DNS spreads clients over the regions. Optional in cdk.json, `failover` when left out; only used with two or more regions. */
  readonly routing: RoutingName;
  /** The API's custom domain. Optional in cdk.json: without it the API is reached on its execute-api URL. */
  readonly domain?: DomainSettings;
  /** The browser origins that may call the API (CORS). Optional in cdk.json, none when left out. */
  readonly corsOrigins: readonly string[];
  /** The API's stage name. */
  readonly stageName: string;
  /** Stage-wide throttling. */
  readonly throttle: Required<ThrottleSettings>;
  /** How long to keep logs. */
  readonly logRetention: logs.RetentionDays;
  /** What happens to keys and log groups when they leave the stack. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Whether this environment's stack sets the account-wide API Gateway logging role. True for
   * exactly one stack per account and region whose setting is not managed elsewhere.
   */
  readonly createAccountLoggingRole: boolean;
  /**
   * Whether the environment's user pool turns on Cognito threat protection (the Plus feature plan,
   * billed per monthly active user). Optional in cdk.json, false when left out.
   */
  readonly cognitoThreatProtection: boolean;
  /** Email addresses that receive the API's alarms. Optional in cdk.json, none when left out. */
  readonly alarmEmails: readonly string[];
  /** Whether the firewall blocks or only counts. Optional in cdk.json (`"block"` or `"count"`), blocking when left out. */
  readonly firewallMode: FirewallMode;
  /**
   * When the abuse blocker blocks a client address, and for how long. Optional in cdk.json
   * (`{ "threshold": <n>, "blockMinutes": <n> }`): 20 offences in 5 minutes, for 60 minutes, when left out.
   */
  readonly abuseBlocking: AbuseBlockingSettings;
}

/**
 * An environment's custom domain. The hosted zone and certificates are referenced by their
 * attributes, so the app synthesizes without an AWS account (no lookups).
 */
export interface DomainSettings {
  /** The API's host name, such as `api.example.com`. */
  readonly name: string;
  /** The Route 53 hosted zone that holds the name. */
  readonly hostedZoneId: string;
  /** The hosted zone's name, such as `example.com`. */
  readonly zoneName: string;
  /**
   * The ACM certificate of each region, keyed by region. Each covers `name` and the region's own
   * name `<region>.<name>` (the name health checks call), and lives in that region.
   */
  readonly certificateArns: Readonly<Record<string, string>>;
}

/** An environment's abuse-blocker settings. */
export interface AbuseBlockingSettings {
  /** Offending responses (401, 403) from one address within 5 minutes that get it blocked. */
  readonly threshold: number;
  /** How long the address stays blocked. */
  readonly blockPeriod: Duration;
}

/** The error for a missing, unknown or invalid setting. Its message names the setting and the fix. */
export class EnvironmentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentConfigError';
  }
}

const SETTINGS = ['profile', 'account', 'region', 'regions', 'routing', 'domain', 'corsOrigins', 'stageName', 'throttle', 'logRetentionDays', 'removalPolicy', 'createAccountLoggingRole', 'cognitoThreatProtection', 'alarmEmails', 'firewallMode', 'abuseBlocking'] as const;
const THROTTLE_SETTINGS = ['rateLimit', 'burstLimit'] as const;
const ABUSE_BLOCKING_SETTINGS = ['threshold', 'blockMinutes'] as const;
const DOMAIN_SETTINGS = ['name', 'hostedZoneId', 'zoneName', 'certificateArns'] as const;
/** Every region aws-cdk-lib knows, so a made-up region such as `eu-middle-9` is refused. */
const KNOWN_REGIONS: readonly string[] = RegionInfo.regions.map((region) => region.name);
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;

/**
 * Parses the `secure-api:environments` context value: an object of environments keyed by name.
 * Throws an {@link EnvironmentConfigError} for the first invalid setting.
 */
export function parseEnvironmentConfigs(raw: unknown): EnvironmentConfig[] {
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    throw new EnvironmentConfigError(`context \`${ENVIRONMENTS_CONTEXT_KEY}\` must be an object of environments keyed by name, such as { "dev": { ... } }, got ${show(raw)}: add it to cdk.json`);
  }
  return Object.entries(raw).map(([name, settings]) => parseEnvironmentConfig(name, settings));
}

/** Parses one environment's settings. */
export function parseEnvironmentConfig(name: string, raw: unknown): EnvironmentConfig {
  const at = (setting: string) => `\`${ENVIRONMENTS_CONTEXT_KEY}.${name}.${setting}\``;
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) {
    throw new EnvironmentConfigError(`environment name ${show(name)} must start with a letter and hold only letters, digits and '-', as it becomes part of the stack name`);
  }
  if (!isRecord(raw)) {
    throw new EnvironmentConfigError(`\`${ENVIRONMENTS_CONTEXT_KEY}.${name}\` must be an object of settings, got ${show(raw)}`);
  }
  rejectUnknown(raw, SETTINGS, (key) => at(key));
  const profile = oneOf(raw.profile, PROFILES, at('profile'));
  const account = matching(raw.account, /^\d{12}$/, at('account'), 'a 12-digit AWS account id in quotes, such as "111111111111"');
  const regions = parseRegions(raw, at);
  const domain = raw.domain === undefined ? undefined : parseDomain(raw.domain, regions, account, at);
  if (regions.length > 1 && !domain) {
    throw new EnvironmentConfigError(`${at('regions')} lists ${regions.length} regions, but ${at('domain')} is missing: clients reach a multi-region API through one domain name whose DNS records fail over, so add a domain`);
  }
  if (raw.routing !== undefined && regions.length < 2) {
    throw new EnvironmentConfigError(`${at('routing')} is set, but the environment has one region: list two or more in ${at('regions')}, or remove ${at('routing')}`);
  }
  const routing = oneOf(raw.routing ?? 'failover', ROUTINGS, at('routing'));
  if (routing === 'failover' && regions.length > 2) {
    throw new EnvironmentConfigError(`${at('routing')} "failover" takes exactly two regions (a primary and a secondary), got ${regions.length} in ${at('regions')}: use "latency" for more`);
  }
  const stageName = matching(raw.stageName ?? 'v1', STAGE_NAME_PATTERN, at('stageName'), "1 to 128 letters, digits, '-' or '_'");
  if (!isRecord(raw.throttle)) {
    throw new EnvironmentConfigError(`${at('throttle')} must be an object { "rateLimit": <n>, "burstLimit": <n> }, got ${show(raw.throttle)}`);
  }
  rejectUnknown(raw.throttle, THROTTLE_SETTINGS, (key) => at(`throttle.${key}`));
  const throttle = {
    rateLimit: wholeNumber(raw.throttle.rateLimit, at('throttle.rateLimit')),
    burstLimit: wholeNumber(raw.throttle.burstLimit, at('throttle.burstLimit')),
  };
  const logRetention = oneOf(raw.logRetentionDays, FINITE_RETENTIONS, at('logRetentionDays'));
  const removalPolicy = oneOf(raw.removalPolicy, REMOVAL_POLICIES, at('removalPolicy'));
  if (profile === 'prod' && removalPolicy !== 'retain') {
    throw new EnvironmentConfigError(`${at('removalPolicy')} must be "retain" in the prod profile, got ${show(removalPolicy)}: a prod stack keeps its keys and logs`);
  }
  const createAccountLoggingRole = raw.createAccountLoggingRole;
  if (typeof createAccountLoggingRole !== 'boolean') {
    throw new EnvironmentConfigError(`${at('createAccountLoggingRole')} must be true or false, got ${show(createAccountLoggingRole)}: true if this stack sets the account's API Gateway logging role, false if it is set elsewhere`);
  }
  const cognitoThreatProtection = raw.cognitoThreatProtection ?? false;
  if (typeof cognitoThreatProtection !== 'boolean') {
    throw new EnvironmentConfigError(`${at('cognitoThreatProtection')} must be true or false, got ${show(cognitoThreatProtection)}: true turns on Cognito threat protection, the paid Plus feature plan`);
  }
  const alarmEmails = raw.alarmEmails ?? [];
  if (!Array.isArray(alarmEmails) || !alarmEmails.every(isEmailAddress) || new Set(alarmEmails).size !== alarmEmails.length) {
    throw new EnvironmentConfigError(`${at('alarmEmails')} must be a list of distinct email addresses such as ["oncall@example.com"], got ${show(alarmEmails)}`);
  }
  return {
    name,
    profile,
    account,
    region: regions[0],
    regions,
    routing,
    ...(domain ? { domain } : {}),
    corsOrigins: parseCorsOrigins(raw.corsOrigins, profile, at),
    stageName,
    throttle,
    logRetention,
    removalPolicy: removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    createAccountLoggingRole,
    cognitoThreatProtection,
    alarmEmails,
    firewallMode: oneOf(raw.firewallMode ?? 'block', FIREWALL_MODES, at('firewallMode')) === 'count' ? FirewallMode.COUNT : FirewallMode.BLOCK,
    abuseBlocking: parseAbuseBlocking(raw.abuseBlocking, at),
  };
}

function parseRegions(raw: Record<string, unknown>, at: (setting: string) => string): string[] {
  if ((raw.region === undefined) === (raw.regions === undefined)) {
    throw new EnvironmentConfigError(`give exactly one of ${at('region')} (one region, such as "eu-west-1") and ${at('regions')} (a list, the primary first), got ${raw.region === undefined ? 'neither' : 'both'}`);
  }
  if (raw.region !== undefined) {
    return [knownRegion(raw.region, at('region'))];
  }
  if (!Array.isArray(raw.regions) || raw.regions.length === 0) {
    throw new EnvironmentConfigError(`${at('regions')} must be a list of AWS regions, the primary first, such as ["eu-west-1", "eu-central-1"], got ${show(raw.regions)}`);
  }
  const regions = raw.regions.map((region, i) => knownRegion(region, at(`regions[${i}]`)));
  const twice = regions.find((region, i) => regions.indexOf(region) !== i);
  if (twice) {
    throw new EnvironmentConfigError(`${at('regions')} lists ${show(twice)} twice: list each region once`);
  }
  return regions;
}

function knownRegion(value: unknown, at: string): string {
  if (typeof value !== 'string' || !KNOWN_REGIONS.includes(value)) {
    throw new EnvironmentConfigError(`${at} must be an AWS region such as "eu-west-1", got ${show(value)}${typeof value === 'string' ? ', which is not a region aws-cdk-lib knows' : ''}`);
  }
  return value;
}

function parseDomain(raw: unknown, regions: readonly string[], account: string, at: (setting: string) => string): DomainSettings {
  if (!isRecord(raw)) {
    throw new EnvironmentConfigError(`${at('domain')} must be an object { "name", "hostedZoneId", "zoneName", "certificateArns" }, got ${show(raw)}`);
  }
  rejectUnknown(raw, DOMAIN_SETTINGS, (key) => at(`domain.${key}`));
  const name = matching(raw.name, DNS_NAME, at('domain.name'), 'a lowercase DNS name such as "api.example.com"');
  const zoneName = matching(raw.zoneName, DNS_NAME, at('domain.zoneName'), 'the hosted zone\'s lowercase name, such as "example.com"');
  if (!name.endsWith(`.${zoneName}`)) {
    throw new EnvironmentConfigError(`${at('domain.name')} ${show(name)} is not inside the hosted zone ${show(zoneName)} of ${at('domain.zoneName')}: use a name under the zone`);
  }
  const hostedZoneId = matching(raw.hostedZoneId, HOSTED_ZONE_ID, at('domain.hostedZoneId'), 'a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ"');
  const arns = raw.certificateArns;
  if (!isRecord(arns)) {
    throw new EnvironmentConfigError(`${at('domain.certificateArns')} must be an object of certificate ARNs keyed by region, such as { "eu-west-1": "arn:aws:acm:eu-west-1:..." }, got ${show(arns)}`);
  }
  for (const [region, arn] of Object.entries(arns)) {
    const match = typeof arn === 'string' ? CERTIFICATE_ARN.exec(arn) : null;
    if (!regions.includes(region)) {
      throw new EnvironmentConfigError(`${at(`domain.certificateArns.${region}`)} is for a region the environment does not deploy to: use one of ${regions.map(show).join(', ')}`);
    }
    if (!match) {
      throw new EnvironmentConfigError(`${at(`domain.certificateArns.${region}`)} must be an ACM certificate ARN such as "arn:aws:acm:${region}:${account}:certificate/<uuid>", got ${show(arn)}`);
    }
    if (match[1] !== region) {
      throw new EnvironmentConfigError(`${at(`domain.certificateArns.${region}`)} is a certificate in ${match[1]}, but a regional API in ${region} needs a certificate in its own region: request or import it in ${region}`);
    }
  }
  const missing = regions.filter((region) => arns[region] === undefined);
  if (missing.length > 0) {
    throw new EnvironmentConfigError(`${at('domain.certificateArns')} has no certificate for ${missing.map(show).join(', ')}: each region needs its own certificate covering ${show(name)}${regions.length > 1 ? ` and ${show(`<region>.${name}`)}` : ''}`);
  }
  return { name, hostedZoneId, zoneName, certificateArns: arns as Record<string, string> };
}

/**
 * The browser origins allowed to call the API. Only a dev profile may list a plain-http origin
 * (a developer's `http://localhost:3000`); the library checks the origins' form again at synth.
 */
function parseCorsOrigins(raw: unknown, profile: Profile, at: (setting: string) => string): string[] {
  const origins = raw ?? [];
  if (!Array.isArray(origins) || !origins.every((origin) => typeof origin === 'string') || new Set(origins).size !== origins.length) {
    throw new EnvironmentConfigError(`${at('corsOrigins')} must be a list of distinct origins such as ["https://app.example.com"], got ${show(origins)}`);
  }
  const insecure = origins.find((origin) => origin.startsWith('http://'));
  if (insecure && profile !== 'dev') {
    throw new EnvironmentConfigError(`${at('corsOrigins')} lists the plain-http origin ${show(insecure)}, which only a dev profile may allow: serve the web app over https`);
  }
  return origins;
}

function parseAbuseBlocking(raw: unknown, at: (setting: string) => string): AbuseBlockingSettings {
  if (raw === undefined) {
    return { threshold: 20, blockPeriod: Duration.minutes(60) };
  }
  if (!isRecord(raw)) {
    throw new EnvironmentConfigError(`${at('abuseBlocking')} must be an object { "threshold": <n>, "blockMinutes": <n> }, got ${show(raw)}`);
  }
  rejectUnknown(raw, ABUSE_BLOCKING_SETTINGS, (key) => at(`abuseBlocking.${key}`));
  const positive = (key: typeof ABUSE_BLOCKING_SETTINGS[number]): number => {
    const value = wholeNumber(raw[key], at(`abuseBlocking.${key}`));
    if (value === 0) {
      throw new EnvironmentConfigError(`${at(`abuseBlocking.${key}`)} must be at least 1, got 0`);
    }
    return value;
  };
  return { threshold: positive('threshold'), blockPeriod: Duration.minutes(positive('blockMinutes')) };
}

/**
 * The environments to synthesize: all of them, or the one named by `selected` (`-c env=<name>`).
 */
export function selectEnvironments(configs: readonly EnvironmentConfig[], selected: unknown): EnvironmentConfig[] {
  if (selected === undefined) {
    return [...configs];
  }
  const match = configs.find((config) => config.name === selected);
  if (!match) {
    throw new EnvironmentConfigError(`context \`${ENVIRONMENT_SELECTOR_CONTEXT_KEY}\` names the unknown environment ${show(selected)}: use one of ${configs.map((c) => `"${c.name}"`).join(', ')}`);
  }
  return [match];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknown(raw: Record<string, unknown>, known: readonly string[], at: (key: string) => string): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      throw new EnvironmentConfigError(`${at(key)} is not a setting: use one of ${known.join(', ')}`);
    }
  }
}

function oneOf<T>(value: unknown, allowed: readonly T[], at: string): T {
  if (!allowed.includes(value as T)) {
    throw new EnvironmentConfigError(`${at} must be one of ${allowed.map(show).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

function matching(value: unknown, pattern: RegExp, at: string, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new EnvironmentConfigError(`${at} must be ${expected}, got ${show(value)}`);
  }
  return value;
}

function wholeNumber(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new EnvironmentConfigError(`${at} must be a whole number >= 0, got ${show(value)}`);
  }
  return value;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

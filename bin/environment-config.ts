import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
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
  /** The AWS region to deploy to, such as `eu-west-1`. */
  readonly region: string;
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

const SETTINGS = ['profile', 'account', 'region', 'stageName', 'throttle', 'logRetentionDays', 'removalPolicy', 'createAccountLoggingRole', 'cognitoThreatProtection', 'alarmEmails', 'firewallMode', 'abuseBlocking'] as const;
const THROTTLE_SETTINGS = ['rateLimit', 'burstLimit'] as const;
const ABUSE_BLOCKING_SETTINGS = ['threshold', 'blockMinutes'] as const;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

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
  const region = matching(raw.region, REGION, at('region'), 'an AWS region such as "eu-west-1"');
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
    region,
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

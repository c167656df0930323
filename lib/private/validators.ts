import { Duration, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { ValidationError } from './validation-error';

/** API Gateway's rule for stage names. */
export const STAGE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Every finite retention CloudWatch Logs offers: logs always expire. */
export const FINITE_RETENTIONS: readonly logs.RetentionDays[] = Object.values(logs.RetentionDays)
  .filter((v): v is logs.RetentionDays => typeof v === 'number' && v !== logs.RetentionDays.INFINITE);

/** Throws unless `retention` is a finite CloudWatch Logs retention. */
export function validateRetention(scope: IConstruct, prop: string, retention: logs.RetentionDays | undefined): void {
  if (retention !== undefined && !Token.isUnresolved(retention) && !FINITE_RETENTIONS.includes(retention)) {
    const fix = retention === logs.RetentionDays.INFINITE ? 'logs must expire; choose a finite retention such as RetentionDays.TEN_YEARS' : 'use a logs.RetentionDays value such as RetentionDays.ONE_YEAR';
    throw new ValidationError(`\`${prop}\` must be a finite CloudWatch Logs retention in days (${FINITE_RETENTIONS.join(', ')}), got ${describe(retention)}: ${fix}`, scope);
  }
}

/** Bounds for {@link validateWholeNumber}. */
export interface NumberBounds {
  /** Smallest value allowed (inclusive). */
  readonly min: number;
  /** Largest value allowed (inclusive). @default - no upper bound */
  readonly max?: number;
}

/**
 * Throws unless `value` is a whole number within `bounds`. Unresolved tokens are skipped: they are
 * checked by CloudFormation, not here.
 */
export function validateWholeNumber(scope: IConstruct, prop: string, value: number | undefined, bounds: NumberBounds): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  const range = bounds.max === undefined ? `>= ${bounds.min}` : `between ${bounds.min} and ${bounds.max}`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || (bounds.max !== undefined && value > bounds.max)) {
    throw new ValidationError(`\`${prop}\` must be a whole number ${range}, got ${describe(value)}`, scope);
  }
}

/** Throws unless `value` is a string with at least one non-blank character; a missing value is said to be missing. */
export function validateNonBlank(scope: IConstruct, prop: string, value: string | undefined, fix: string): void {
  if (value !== undefined && Token.isUnresolved(value)) {
    return;
  }
  if (value === undefined || value === null) {
    throw new ValidationError(`\`${prop}\` is missing: ${fix}`, scope);
  }
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new ValidationError(`\`${prop}\` must not be empty, got ${describe(value)}: ${fix}`, scope);
  }
}

/** Throws unless `value` is one of `allowed`. */
export function validateOneOf<T>(scope: IConstruct, prop: string, value: T, allowed: readonly T[]): void {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    return;
  }
  if (!allowed.includes(value)) {
    throw new ValidationError(`\`${prop}\` must be one of ${allowed.map(describe).join(', ')}, got ${describe(value)}`, scope);
  }
}

/** Renders a received value for an error message: strings quoted, everything else as JSON. */
export function describe(value: unknown): string {
  if (value === undefined) {
    return 'undefined';
  }
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Bounds for {@link validateDuration}. */
export interface DurationBounds {
  /** Shortest duration allowed (inclusive). */
  readonly min: Duration;
  /** Longest duration allowed (inclusive). */
  readonly max: Duration;
  /** The service's unit: the duration must be a whole number of it. */
  readonly unit: 'milliseconds' | 'seconds' | 'minutes';
  /**
   * The fix, appended to the message after a colon.
   *
   * @default - none
   */
  readonly fix?: string;
}

const UNIT_MILLISECONDS: Record<DurationBounds['unit'], number> = { milliseconds: 1, seconds: 1000, minutes: 60_000 };

/** Throws unless `value` is a whole number of `bounds.unit` within `bounds`. Unresolved durations are skipped. */
export function validateDuration(scope: IConstruct, prop: string, value: Duration | undefined, bounds: DurationBounds): void {
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  // Not integral: aws-cdk-lib's own conversion would throw for a fraction of a millisecond (or NaN)
  // without naming the prop.
  const millis = value.toMilliseconds({ integral: false });
  const whole = Number.isFinite(millis) && millis % UNIT_MILLISECONDS[bounds.unit] === 0;
  if (!whole || millis < bounds.min.toMilliseconds() || millis > bounds.max.toMilliseconds()) {
    const fix = bounds.fix === undefined ? '' : `: ${bounds.fix}`;
    const received = Number.isFinite(millis) ? value.toHumanString() : value.toString();
    throw new ValidationError(`\`${prop}\` must be a whole number of ${bounds.unit} from ${bounds.min.toHumanString()} to ${bounds.max.toHumanString()}, got ${received}${fix}`, scope);
  }
}

/** How long API Gateway caches an authorizer's verdict unless told otherwise: its own default. */
export const DEFAULT_AUTHORIZER_CACHE_TTL = Duration.minutes(5);

/** The longest API Gateway caches an authorizer's verdict. */
const MAX_AUTHORIZER_CACHE_TTL = Duration.hours(1);

/** Throws unless `ttl` is a result-cache TTL API Gateway accepts: whole seconds, at most one hour. */
export function validateAuthorizerCacheTtl(scope: IConstruct, prop: string, ttl: Duration | undefined): void {
  validateDuration(scope, prop, ttl, {
    min: Duration.seconds(0),
    max: MAX_AUTHORIZER_CACHE_TTL,
    unit: 'seconds',
    fix: 'API Gateway caches a verdict for at most an hour; 0 turns caching off',
  });
}

/** A loose check of an email address: what SNS would refuse, or never deliver to. */
const EMAIL_ADDRESS = /^[^\s@"(),:;<>[\]\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** Whether `value` looks like an email address SNS can deliver to. */
export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL_ADDRESS.test(value);
}

/**
 * Checks a list of alarm email addresses: each looks like an address SNS can deliver to, and none
 * is listed twice. Unresolved tokens are skipped.
 */
export function validateEmailAddresses(scope: IConstruct, prop: string, emails: string[] | undefined): void {
  emails?.forEach((email, index) => {
    if (typeof email === 'string' && Token.isUnresolved(email)) {
      return;
    }
    if (!isEmailAddress(email)) {
      throw new ValidationError(`\`${prop}[${index}]\` must be an email address such as 'oncall@example.com', got ${describe(email)}`, scope);
    }
    const first = emails.indexOf(email);
    if (first !== index) {
      throw new ValidationError(`\`${prop}[${index}]\` repeats \`${prop}[${first}]\` (${describe(email)}): list each address once`, scope);
    }
  });
}

/** The regions aws-cdk-lib knows (its region-info facts), as names. */
export function knownAwsRegions(): string[] {
  return RegionInfo.regions.map((region) => region.name);
}

/**
 * Throws unless `value` is the name of an AWS region aws-cdk-lib knows, such as 'eu-west-1'
 * (`RegionInfo.regions`). Unresolved tokens are skipped.
 */
export function validateAwsRegion(scope: IConstruct, prop: string, value: string | undefined): void {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !knownAwsRegions().includes(value)) {
    throw new ValidationError(`\`${prop}\` must be an AWS region such as 'eu-west-1', got ${describe(value)}: use a region name (not an availability zone or a display name) from aws-cdk-lib's RegionInfo.regions`, scope);
  }
}

/** A DNS label: letters, digits and hyphens, 1 to 63 characters, no hyphen at either end. */
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * Throws unless `value` is a fully qualified domain name Route 53 can hold a record of: two or more
 * labels of letters, digits and hyphens, at most 253 characters, without a trailing dot or a
 * wildcard. Unresolved tokens are skipped.
 */
export function validateDomainName(scope: IConstruct, prop: string, value: string | undefined): void {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    return;
  }
  const labels = typeof value === 'string' ? value.split('.') : [];
  if (typeof value !== 'string' || value.length > 253 || labels.length < 2 || !labels.every((label) => DNS_LABEL.test(label))) {
    throw new ValidationError(`\`${prop}\` must be a domain name such as 'api.example.com' (labels of letters, digits and hyphens, no trailing dot, at most 253 characters), got ${describe(value)}`, scope);
  }
}

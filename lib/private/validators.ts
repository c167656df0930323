import { Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
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

/** Throws unless `value` is a string with at least one non-blank character. */
export function validateNonBlank(scope: IConstruct, prop: string, value: string | undefined, fix: string): void {
  if (value !== undefined && Token.isUnresolved(value)) {
    return;
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

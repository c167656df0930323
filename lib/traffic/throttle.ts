import { IConstruct } from 'constructs';
import { ValidationError } from '../private/validation-error';
import { validateWholeNumber } from '../private/validators';

/**
 * Request throttling: a token bucket that refills at `rateLimit` requests a second and holds at
 * most `burstLimit` requests.
 */
export interface ThrottleSettings {
  /**
   * Steady-state requests a second.
   *
   * @default - the enclosing level's rate (stage, then account)
   */
  readonly rateLimit?: number;

  /**
   * Most requests served at once above the steady rate. Needs `rateLimit`.
   *
   * @default - the enclosing level's burst (stage, then account)
   */
  readonly burstLimit?: number;
}

/** The stage throttle of a `SecureRestApi` when none is given. */
export const DEFAULT_STAGE_THROTTLE: Required<ThrottleSettings> = { rateLimit: 100, burstLimit: 200 };

/**
 * Throws unless `throttle` holds whole, non-negative numbers, with a rate wherever a burst is
 * given. (API Gateway caps both at the account's quota, 10,000 and 5,000 unless raised.)
 *
 * @param prop the prop's name in messages, such as `throttle` or `routes['GET /pets'].throttle`
 */
export function validateThrottle(scope: IConstruct, prop: string, throttle: ThrottleSettings | undefined): void {
  if (throttle === undefined) {
    return;
  }
  validateWholeNumber(scope, `${prop}.rateLimit`, throttle.rateLimit, { min: 0 });
  validateWholeNumber(scope, `${prop}.burstLimit`, throttle.burstLimit, { min: 0 });
  if (throttle.burstLimit !== undefined && throttle.rateLimit === undefined) {
    throw new ValidationError(`\`${prop}.burstLimit\` needs \`${prop}.rateLimit\`: the burst only bounds a steady rate, so set both`, scope);
  }
}

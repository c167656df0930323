import { IConstruct } from 'constructs';
import { ThrottleSettings } from '../traffic/throttle';
import { ValidationError } from './validation-error';
import { validateWholeNumber } from './validators';

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

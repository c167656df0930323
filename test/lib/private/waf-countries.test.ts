import { Lazy } from 'aws-cdk-lib';
import { ISO_3166_ALPHA2, countryCodeProblem, validateCountryCodes } from '../../../lib/private/waf-countries';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf, newScope } from '../../helpers/errors';

const validationErrorOf = (fn: () => unknown) => errorOf(ValidationError, fn);

describe('ISO_3166_ALPHA2', () => {
  test('holds the 249 officially assigned codes and XK (as WAF\'s CountryCode does), each two upper-case letters', () => {
    expect(ISO_3166_ALPHA2.size).toBe(250);
    for (const code of ISO_3166_ALPHA2) {
      expect(code).toMatch(/^[A-Z]{2}$/);
    }
  });

  test.each(['US', 'GB', 'DE', 'FR', 'JP', 'CN', 'RU', 'KP', 'IR', 'BR', 'IN', 'AX', 'SS', 'BQ', 'CW', 'SX', 'XK'])('includes %s', (code) => {
    expect(ISO_3166_ALPHA2.has(code)).toBe(true);
  });

  test.each(['UK', 'EL', 'EU', 'AN', 'YU', 'ZZ'])('excludes %s, which WAF does not accept', (code) => {
    expect(ISO_3166_ALPHA2.has(code)).toBe(false);
  });
});

describe('countryCodeProblem', () => {
  test('is undefined for an assigned code', () => {
    expect(countryCodeProblem('GB')).toBeUndefined();
  });

  test.each([
    ['UK', "UK is not the ISO 3166-1 code of that country: use 'GB'"],
    ['uk', "UK is not the ISO 3166-1 code of that country: use 'GB'"],
    ['EL', "EL is not the ISO 3166-1 code of that country: use 'GR'"],
    ['us', "codes are upper case: use 'US'"],
    ['De', "codes are upper case: use 'DE'"],
    ['USA', "that is an alpha-3 code: use the two-letter alpha-2 code, such as 'US' for 'USA'"],
    ['ZZ', "it is not an assigned two-letter code, such as 'US' or 'GB'"],
    ['', "it is not an assigned two-letter code, such as 'US' or 'GB'"],
    [' US', "it is not an assigned two-letter code, such as 'US' or 'GB'"],
    [42, 'it is not a string'],
  ])('explains %p: %s', (code, problem) => {
    expect(countryCodeProblem(code)).toBe(problem);
  });
});

describe('validateCountryCodes', () => {
  test('accepts assigned codes and skips tokens', () => {
    expect(() => validateCountryCodes(newScope(), 'blockedCountries', ['KP', Lazy.string({ produce: () => 'xx' }), 'IR'])).not.toThrow();
  });

  test('names the prop, the index, the value and the fix', () => {
    expect(validationErrorOf(() => validateCountryCodes(newScope(), 'blockedCountries', ['KP', 'UK'])).message)
      .toBe("`blockedCountries[1]` must be an ISO 3166-1 alpha-2 country code, got 'UK': UK is not the ISO 3166-1 code of that country: use 'GB' (at TestStack/Api)");
  });

  test('refuses lower case', () => {
    expect(validationErrorOf(() => validateCountryCodes(newScope(), 'blockedCountries', ['kp'])).message)
      .toBe("`blockedCountries[0]` must be an ISO 3166-1 alpha-2 country code, got 'kp': codes are upper case: use 'KP' (at TestStack/Api)");
  });

  test('refuses a code listed twice', () => {
    expect(validationErrorOf(() => validateCountryCodes(newScope(), 'blockedCountries', ['KP', 'IR', 'KP'])).message)
      .toBe("`blockedCountries[2]` repeats `blockedCountries[0]` ('KP'): list each country once (at TestStack/Api)");
  });
});

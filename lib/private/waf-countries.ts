import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ValidationError } from './validation-error';
import { describe } from './validators';

/**
 * The country codes AWS WAF's `CountryCode` enumeration lists for a geo match statement: the
 * officially assigned ISO 3166-1 alpha-2 codes, plus `XK` (Kosovo, user-assigned).
 */
export const ISO_3166_ALPHA2: ReadonlySet<string> = new Set([
  'XK',
  'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ',
  'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS',
  'BT', 'BV', 'BW', 'BY', 'BZ', 'CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN',
  'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ', 'DE', 'DJ', 'DK', 'DM', 'DO', 'DZ', 'EC', 'EE',
  'EG', 'EH', 'ER', 'ES', 'ET', 'FI', 'FJ', 'FK', 'FM', 'FO', 'FR', 'GA', 'GB', 'GD', 'GE', 'GF',
  'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY', 'HK', 'HM',
  'HN', 'HR', 'HT', 'HU', 'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT', 'JE', 'JM',
  'JO', 'JP', 'KE', 'KG', 'KH', 'KI', 'KM', 'KN', 'KP', 'KR', 'KW', 'KY', 'KZ', 'LA', 'LB', 'LC',
  'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY', 'MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK',
  'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ', 'NA',
  'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ', 'OM', 'PA', 'PE', 'PF', 'PG',
  'PH', 'PK', 'PL', 'PM', 'PN', 'PR', 'PS', 'PT', 'PW', 'PY', 'QA', 'RE', 'RO', 'RS', 'RU', 'RW',
  'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS',
  'ST', 'SV', 'SX', 'SY', 'SZ', 'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO',
  'TR', 'TT', 'TV', 'TW', 'TZ', 'UA', 'UG', 'UM', 'US', 'UY', 'UZ', 'VA', 'VC', 'VE', 'VG', 'VI',
  'VN', 'VU', 'WF', 'WS', 'YE', 'YT', 'ZA', 'ZM', 'ZW',
]);

/**
 * Codes people write for a country that ISO 3166-1 codes otherwise: `UK` (reserved, not
 * assigned) is `GB`; `EL`, the European Union's code for Greece, is `GR`.
 */
const COMMON_MISTAKES: Readonly<Record<string, string>> = {
  UK: 'GB',
  EL: 'GR',
};

/** Why `code` is not an ISO 3166-1 alpha-2 code, and how to fix it; `undefined` when it is one. */
export function countryCodeProblem(code: unknown): string | undefined {
  if (typeof code !== 'string') {
    return 'it is not a string';
  }
  if (ISO_3166_ALPHA2.has(code)) {
    return undefined;
  }
  const upper = code.toUpperCase();
  const fix = COMMON_MISTAKES[upper];
  if (fix !== undefined) {
    return `${upper} is not the ISO 3166-1 code of that country: use '${fix}'`;
  }
  if (ISO_3166_ALPHA2.has(upper)) {
    return `codes are upper case: use '${upper}'`;
  }
  if (/^[A-Za-z]{3}$/.test(code)) {
    return 'that is an alpha-3 code: use the two-letter alpha-2 code, such as \'US\' for \'USA\'';
  }
  return 'it is not an assigned two-letter code, such as \'US\' or \'GB\'';
}

/**
 * Throws unless every entry of `codes` is an ISO 3166-1 alpha-2 country code, upper case, listed
 * once. Unresolved tokens are skipped.
 */
export function validateCountryCodes(scope: IConstruct, prop: string, codes: readonly string[]): void {
  codes.forEach((code, index) => {
    if (typeof code === 'string' && Token.isUnresolved(code)) {
      return;
    }
    const problem = countryCodeProblem(code);
    if (problem !== undefined) {
      throw new ValidationError(`\`${prop}[${index}]\` must be an ISO 3166-1 alpha-2 country code, got ${describe(code)}: ${problem}`, scope);
    }
    const first = codes.indexOf(code);
    if (first !== index) {
      throw new ValidationError(`\`${prop}[${index}]\` repeats \`${prop}[${first}]\` (${describe(code)}): list each country once`, scope);
    }
  });
}

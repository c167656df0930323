/**
 * Properties of the shared validators, over generated input: the whole-number validator accepts
 * exactly the integers in range; names and domain names are accepted when well formed and refused
 * with a `ValidationError` (never another error) when they hold a character outside the allowed set;
 * stage names follow API Gateway's rule.
 */
import fc from 'fast-check';
import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ValidationError } from '../../../lib/private/validation-error';
import { STAGE_NAME_PATTERN, validateDomainName, validateNonBlank, validateWholeNumber } from '../../../lib/private/validators';
import { thrownBy } from '../../helpers/errors';

const RUNS = { seed: 20261203, numRuns: 300 } as const;
const scope = new Construct(new Stack(new App(), 'TestStack'), 'Api');

describe('validateWholeNumber', () => {
  const bounds = fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }))
    .map(([min, span]) => ({ min, max: span === undefined ? undefined : min + span }));
  const value = fc.oneof(
    fc.integer({ min: -3000, max: 3000 }),
    fc.double({ min: -3000, max: 3000 }),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5),
  );

  test('accepts exactly the integers in range, and refuses everything else with a ValidationError naming prop and value', () => {
    fc.assert(fc.property(bounds, value, (b, v) => {
      const inRange = Number.isInteger(v) && v >= b.min && (b.max === undefined || v <= b.max);
      const error = thrownBy(() => validateWholeNumber(scope, 'throttle.burstLimit', v, b));
      if (inRange) {
        expect(error).toBeUndefined();
      } else {
        expect(error).toBeInstanceOf(ValidationError);
        const range = b.max === undefined ? `>= ${b.min}` : `between ${b.min} and ${b.max}`;
        expect((error as Error).message.startsWith(`\`throttle.burstLimit\` must be a whole number ${range}, got `)).toBe(true);
      }
    }), RUNS);
  });

  test('refuses any value that is not a number with a ValidationError', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.object()), (v) => {
      expect(thrownBy(() => validateWholeNumber(scope, 'n', v as unknown as number, { min: 0 }))).toBeInstanceOf(ValidationError);
    }), RUNS);
  });
});

describe('validateNonBlank', () => {
  test('accepts a string with a non-blank character and refuses a blank one, with a ValidationError', () => {
    const blank = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003'), maxLength: 10 });
    // Text with at least one visible character, whatever blanks surround or fill it.
    const visible = fc.string({ unit: fc.constantFrom(...'aZ09-_.é名😀', ' ', '\t'), maxLength: 8 })
      .chain((around) => fc.constantFrom(...'aZ09-_.é名😀').map((mark) => `${around}${mark}${around}`));
    fc.assert(fc.property(blank, visible, (spaces, text) => {
      expect(thrownBy(() => validateNonBlank(scope, 'name', `${spaces}${text}${spaces}`, 'give a name'))).toBeUndefined();
      expect(thrownBy(() => validateNonBlank(scope, 'name', spaces, 'give a name'))).toBeInstanceOf(ValidationError);
    }), RUNS);
  });
});

describe('validateDomainName', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const domain = fc.array(label, { minLength: 2, maxLength: 5 }).map((labels) => labels.join('.'));

  test('accepts every domain name of two or more well-formed labels', () => {
    fc.assert(fc.property(domain, (name) => {
      expect(() => validateDomainName(scope, 'domainName', name)).not.toThrow();
    }), RUNS);
  });

  test('refuses a domain name with a character outside letters, digits, hyphens and dots, with a ValidationError', () => {
    const bad = fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }).filter((s) => /[^A-Za-z0-9.-]/.test(s));
    fc.assert(fc.property(domain, bad, fc.nat(), (name, extra, at) => {
      const index = at % (name.length + 1);
      const broken = `${name.slice(0, index)}${extra}${name.slice(index)}`;
      const error = thrownBy(() => validateDomainName(scope, 'domainName', broken));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message.startsWith('`domainName` must be a domain name such as \'api.example.com\'')).toBe(true);
    }), RUNS);
  });

  test('any string is accepted or refused with a ValidationError, never another error', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.constantFrom('a', '-', '.', '0'), maxLength: 20 })), (text) => {
      const error = thrownBy(() => validateDomainName(scope, 'domainName', text));
      if (error !== undefined) {
        expect(error).toBeInstanceOf(ValidationError);
      }
    }), { ...RUNS, numRuns: 1000 });
  });
});

describe('STAGE_NAME_PATTERN', () => {
  test('matches exactly 1 to 128 letters, digits, - and _', () => {
    const allowed = fc.string({ unit: fc.constantFrom(...'aZ09-_'.split('')), minLength: 1, maxLength: 128 });
    fc.assert(fc.property(allowed, (name) => {
      expect(STAGE_NAME_PATTERN.test(name)).toBe(true);
    }), RUNS);
    const bad = fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }).filter((s) => /[^A-Za-z0-9_-]/.test(s));
    fc.assert(fc.property(allowed, bad, (name, extra) => {
      expect(STAGE_NAME_PATTERN.test(`${name}${extra}`)).toBe(false);
    }), RUNS);
  });
});

/**
 * Properties of the scope-name validators, over generated input: every full scope name of allowed
 * characters is accepted; one with a character Cognito does not allow (whitespace, a quote, a
 * backslash, anything outside printable ASCII) is refused with a `ValidationError`, never another
 * error; and a scope list accepts exactly the scopes the directory defines.
 */
import fc from 'fast-check';
import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validateFullScopeNames, validateScopeList } from '../../../lib/private/cognito-authorization';
import { ValidationError } from '../../../lib/private/validation-error';
import { thrownBy } from '../../helpers/errors';

const RUNS = { seed: 20261203, numRuns: 300 } as const;
const scope = new Construct(new Stack(new App(), 'TestStack'), 'Api');

/** Printable ASCII but the space, '"' and '\\'. */
const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== '"' && c !== '\\');
const identifier = fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 1, maxLength: 12 });
const scopeName = fc.string({ unit: fc.constantFrom(...PRINTABLE.filter((c) => c !== '/')), minLength: 1, maxLength: 12 });
const fullName = fc.tuple(identifier, scopeName).map(([id, name]) => `${id}/${name}`);

test('every full scope name of allowed characters is accepted', () => {
  fc.assert(fc.property(fc.array(fullName, { minLength: 1, maxLength: 4 }), (names) => {
    expect(() => validateFullScopeNames(scope, 'scopes', names)).not.toThrow();
  }), RUNS);
});

test('a full scope name with a character Cognito does not allow is refused with a ValidationError naming the prop', () => {
  const bad = fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }).filter((s) => /[^\x21\x23-\x5B\x5D-\x7E]/.test(s));
  fc.assert(fc.property(fullName, bad, fc.nat(), (name, extra, at) => {
    const index = at % (name.length + 1);
    const broken = `${name.slice(0, index)}${extra}${name.slice(index)}`;
    const error = thrownBy(() => validateFullScopeNames(scope, 'scopes', ['pets/read', broken]));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message.startsWith("`scopes[1]` must be a full scope name, '<resource server identifier>/<scope name>' without whitespace, got ")).toBe(true);
  }), RUNS);
});

test('any string is accepted as a full scope name or refused with a ValidationError, never another error', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: fc.constantFrom('a', '/', ' ', '"'), maxLength: 10 })), (text) => {
    const error = thrownBy(() => validateFullScopeNames(scope, 'scopes', [text]));
    if (error !== undefined) {
      expect(error).toBeInstanceOf(ValidationError);
    }
  }), { ...RUNS, numRuns: 1000 });
});

test('a scope list accepts exactly the scopes the directory defines', () => {
  fc.assert(fc.property(fc.uniqueArray(fullName, { minLength: 1, maxLength: 5 }), fc.oneof(fullName, fc.string({ unit: 'binary', maxLength: 20 })), (defined, candidate) => {
    const rule = { prop: 'authorize().scopes', whyNotEmpty: 'name a scope', defined };
    const error = thrownBy(() => validateScopeList(scope, [candidate], rule));
    expect(error === undefined).toBe(defined.includes(candidate));
    if (error !== undefined) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message.startsWith('`authorize().scopes[0]` ')).toBe(true);
    }
  }), RUNS);
});

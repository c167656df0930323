import { App, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ValidationError } from '../../../lib/private/validation-error';
import { describe as describeValue, knownAwsRegions, validateAwsRegion, validateDomainName, validateDuration, validateNonBlank, validateOneOf, validateWholeNumber } from '../../../lib/private/validators';

function newScope(): Construct {
  const stack = new Stack(new App(), 'TestStack');
  return new Construct(stack, 'Api');
}

describe('ValidationError', () => {
  test('appends the construct path to the message and records it', () => {
    const error = new ValidationError('`foo` must be bar', newScope());
    expect(error.message).toBe('`foo` must be bar (at TestStack/Api)');
    expect(error.constructPath).toBe('TestStack/Api');
  });

  test('is an Error named ValidationError with a stack trace', () => {
    const error = new ValidationError('bad', newScope());
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.name).toBe('ValidationError');
    expect(String(error)).toBe('ValidationError: bad (at TestStack/Api)');
    expect(error.stack).toContain('ValidationError: bad');
  });

  test('records the full path of a deeply nested scope', () => {
    const stack = new Stack(new App(), 'Stack');
    const scope = new Construct(new Construct(stack, 'Api'), 'Route');
    expect(new ValidationError('bad', scope).constructPath).toBe('Stack/Api/Route');
  });

  test('records the stack path when the stack itself is the scope', () => {
    const stack = new Stack(new App(), 'OnlyStack');
    const error = new ValidationError('bad', stack);
    expect(error.constructPath).toBe('OnlyStack');
    expect(error.message).toBe('bad (at OnlyStack)');
  });
});

describe('describe (value rendering for messages)', () => {
  test.each<[unknown, string]>([
    [undefined, 'undefined'],
    [null, 'null'],
    ['abc', "'abc'"],
    ['', "''"],
    [-5, '-5'],
    [1.5, '1.5'],
    [0, '0'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [true, 'true'],
    [[1, 'a'], '[1,"a"]'],
    [{ rateLimit: 1 }, '{"rateLimit":1}'],
  ])('renders %p as %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  test('falls back to String() for values JSON cannot render', () => {
    expect(describeValue(Symbol('x'))).toBe('Symbol(x)');
  });
});

describe('validateWholeNumber', () => {
  test.each([0, 1, 10_000])('accepts %p against a minimum of 0', (value) => {
    expect(() => validateWholeNumber(newScope(), 'limit', value, { min: 0 })).not.toThrow();
  });

  test('accepts undefined: the prop is optional', () => {
    expect(() => validateWholeNumber(newScope(), 'limit', undefined, { min: 1 })).not.toThrow();
  });

  test('accepts both bounds, which are inclusive', () => {
    const scope = newScope();
    expect(() => validateWholeNumber(scope, 'limit', 1, { min: 1, max: 10 })).not.toThrow();
    expect(() => validateWholeNumber(scope, 'limit', 10, { min: 1, max: 10 })).not.toThrow();
  });

  test('rejects a number below the minimum, naming the prop, the bound and the value', () => {
    expect(() => validateWholeNumber(newScope(), 'throttle.burstLimit', -5, { min: 0 })).toThrow(
      '`throttle.burstLimit` must be a whole number >= 0, got -5 (at TestStack/Api)',
    );
  });

  test('states both bounds when there is a maximum', () => {
    expect(() => validateWholeNumber(newScope(), 'limit', 11, { min: 1, max: 10 })).toThrow('`limit` must be a whole number between 1 and 10, got 11');
    expect(() => validateWholeNumber(newScope(), 'limit', 0, { min: 1, max: 10 })).toThrow('`limit` must be a whole number between 1 and 10, got 0');
  });

  test.each<[number, string]>([
    [1.5, '1.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('rejects %p, which is not a whole number', (value, shown) => {
    expect(() => validateWholeNumber(newScope(), 'limit', value, { min: 0 })).toThrow(`\`limit\` must be a whole number >= 0, got ${shown}`);
  });

  test('rejects a string that looks like a number', () => {
    expect(() => validateWholeNumber(newScope(), 'limit', '5' as unknown as number, { min: 0 })).toThrow("`limit` must be a whole number >= 0, got '5'");
  });

  test('throws a ValidationError that records the construct path', () => {
    try {
      validateWholeNumber(newScope(), 'limit', -1, { min: 0 });
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).constructPath).toBe('TestStack/Api');
    }
  });

  test('skips an unresolved number token', () => {
    const token = Token.asNumber(Lazy.number({ produce: () => -1 }));
    expect(Token.isUnresolved(token)).toBe(true);
    expect(() => validateWholeNumber(newScope(), 'limit', token, { min: 0, max: 10 })).not.toThrow();
  });
});

describe('validateNonBlank', () => {
  test('accepts a string with a non-blank character', () => {
    expect(() => validateNonBlank(newScope(), 'reason', ' ok ', 'give a reason')).not.toThrow();
  });

  test.each<[string | undefined, string]>([
    ['', "''"],
    ['   ', "'   '"],
    ['\t\n', "'\t\n'"],
  ])('rejects %p, naming the prop, the value and the fix', (value, shown) => {
    expect(() => validateNonBlank(newScope(), 'reason', value, 'say why the route is public')).toThrow(
      `\`reason\` must not be empty, got ${shown}: say why the route is public (at TestStack/Api)`,
    );
  });

  test('rejects a value that is not a string', () => {
    expect(() => validateNonBlank(newScope(), 'reason', 7 as unknown as string, 'fix')).toThrow('`reason` must not be empty, got 7: fix');
  });

  test.each([undefined, null])('says %p is missing, not that it is empty', (value) => {
    expect(() => validateNonBlank(newScope(), 'reason', value as string | undefined, 'say why the route is public')).toThrow(
      '`reason` is missing: say why the route is public (at TestStack/Api)',
    );
  });

  test('skips an unresolved string token', () => {
    const token = Lazy.string({ produce: () => '' });
    expect(() => validateNonBlank(newScope(), 'reason', token, 'fix')).not.toThrow();
  });
});

describe('validateOneOf', () => {
  test('accepts an allowed value', () => {
    expect(() => validateOneOf(newScope(), 'endpointType', 'REGIONAL', ['REGIONAL', 'PRIVATE'])).not.toThrow();
  });

  test('rejects another value, listing the allowed values quoted', () => {
    expect(() => validateOneOf(newScope(), 'endpointType', 'EDGE', ['REGIONAL', 'PRIVATE'])).toThrow(
      "`endpointType` must be one of 'REGIONAL', 'PRIVATE', got 'EDGE' (at TestStack/Api)",
    );
  });

  test('compares case-sensitively', () => {
    expect(() => validateOneOf(newScope(), 'endpointType', 'regional', ['REGIONAL'])).toThrow("got 'regional'");
  });

  test('lists numbers unquoted', () => {
    expect(() => validateOneOf(newScope(), 'retentionDays', 15, [7, 14, 30])).toThrow('`retentionDays` must be one of 7, 14, 30, got 15');
  });

  test('rejects undefined when it is not allowed', () => {
    expect(() => validateOneOf<string | undefined>(newScope(), 'mode', undefined, ['a'])).toThrow("`mode` must be one of 'a', got undefined");
  });

  test('skips an unresolved string token', () => {
    const token = Lazy.string({ produce: () => 'EDGE' });
    expect(() => validateOneOf(newScope(), 'endpointType', token, ['REGIONAL', 'PRIVATE'])).not.toThrow();
  });
});

describe('validateAwsRegion', () => {
  test('accepts every region aws-cdk-lib knows, and skips tokens and nothing else', () => {
    const scope = newScope();
    expect(knownAwsRegions()).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'cn-north-1', 'us-gov-west-1']));
    for (const region of knownAwsRegions()) {
      expect(() => validateAwsRegion(scope, 'region', region)).not.toThrow();
    }
    expect(() => validateAwsRegion(scope, 'region', Stack.of(scope).region)).not.toThrow();
  });

  test.each(['eu-west-1a', 'Ireland', 'EU-WEST-1', 'eu-west-9', '', undefined])('refuses %p', (region) => {
    expect(() => validateAwsRegion(newScope(), 'replicaRegions[0].region', region)).toThrow(
      `\`replicaRegions[0].region\` must be an AWS region such as 'eu-west-1', got ${describeValue(region)}: use a region name (not an availability zone or a display name) from aws-cdk-lib's RegionInfo.regions (at TestStack/Api)`);
  });
});

describe('validateDomainName', () => {
  test.each(['api.example.com', 'eu-west-1.api.example.com', 'a.b', `${'a'.repeat(63)}.example.com`])('accepts %p', (name) => {
    expect(() => validateDomainName(newScope(), 'recordName', name)).not.toThrow();
  });

  test.each(['example', 'api.example.com.', '*.example.com', '-api.example.com', 'api-.example.com', 'api..example.com', 'api example.com', `${'a'.repeat(64)}.example.com`, `${'a.'.repeat(127)}com`, undefined])('refuses %p', (name) => {
    expect(() => validateDomainName(newScope(), 'recordName', name)).toThrow(
      `\`recordName\` must be a domain name such as 'api.example.com' (labels of letters, digits and hyphens, no trailing dot, at most 253 characters), got ${describeValue(name)} (at TestStack/Api)`);
  });

  test('skips a token', () => {
    expect(() => validateDomainName(newScope(), 'recordName', Lazy.string({ produce: () => 'x' }))).not.toThrow();
  });
});

describe('validateDuration', () => {
  const bounds = { min: Duration.seconds(1), max: Duration.minutes(5), unit: 'seconds' as const, fix: 'use whole seconds' };

  test('accepts a whole number of the unit within the bounds, and a token', () => {
    expect(() => validateDuration(newScope(), 'clockSkew', Duration.seconds(1), bounds)).not.toThrow();
    expect(() => validateDuration(newScope(), 'clockSkew', Duration.minutes(5), bounds)).not.toThrow();
    expect(() => validateDuration(newScope(), 'clockSkew', Duration.seconds(Lazy.number({ produce: () => -1 })), bounds)).not.toThrow();
  });

  test.each<[string, Duration, string]>([
    ['too long', Duration.minutes(6), '6 minutes'],
    ['not whole seconds', Duration.millis(1500), '1 second 500 millis'],
    // aws-cdk-lib's own conversion would throw for these without naming the prop.
    ['a fraction of a millisecond', Duration.millis(1000.5), '1 second 0.5 millis'],
    ['NaN', Duration.seconds(NaN), 'Duration.seconds(NaN)'],
  ])('names the prop for a duration %s', (_, value, shown) => {
    const error = (() => {
      try {
        validateDuration(newScope(), 'clockSkew', value, bounds);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(`\`clockSkew\` must be a whole number of seconds from 1 second to 5 minutes, got ${shown}: use whole seconds (at TestStack/Api)`);
  });

  test('a negative Duration is refused by aws-cdk-lib when it is made, before any prop receives it', () => {
    expect(() => Duration.minutes(-1)).toThrow('Duration amounts cannot be negative. Received: -1');
  });
});

import { App, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ValidationError } from '../../../lib/private/validation-error';
import { DEFAULT_STAGE_THROTTLE, validateThrottle } from '../../../lib/private/throttle';

function newScope(): Construct {
  const stack = new Stack(new App(), 'TestStack');
  return new Construct(stack, 'Api');
}

describe('DEFAULT_STAGE_THROTTLE', () => {
  test('is 100 requests a second with a burst of 200', () => {
    expect(DEFAULT_STAGE_THROTTLE).toEqual({ rateLimit: 100, burstLimit: 200 });
  });

  test('passes its own validation', () => {
    expect(() => validateThrottle(newScope(), 'throttle', DEFAULT_STAGE_THROTTLE)).not.toThrow();
  });
});

describe('validateThrottle', () => {
  describe('accepts', () => {
    test('no throttle at all', () => {
      expect(() => validateThrottle(newScope(), 'throttle', undefined)).not.toThrow();
    });

    test('an empty throttle', () => {
      expect(() => validateThrottle(newScope(), 'throttle', {})).not.toThrow();
    });

    test('a rate without a burst', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: 10 })).not.toThrow();
    });

    test('a rate and a burst', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: 10, burstLimit: 20 })).not.toThrow();
    });

    test('zero for both, which blocks all requests', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: 0, burstLimit: 0 })).not.toThrow();
    });

    test('a burst below the rate', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: 100, burstLimit: 1 })).not.toThrow();
    });

    test('unresolved tokens for both limits', () => {
      const rateLimit = Token.asNumber(Lazy.number({ produce: () => -1 }));
      const burstLimit = Token.asNumber(Lazy.number({ produce: () => 0.5 }));
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit, burstLimit })).not.toThrow();
    });

    test('a token rate with a literal burst', () => {
      const rateLimit = Token.asNumber(Lazy.number({ produce: () => 5 }));
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit, burstLimit: 10 })).not.toThrow();
    });
  });

  describe('rejects', () => {
    test('a negative rate, naming the prop and the value', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: -1, burstLimit: 10 })).toThrow(
        '`throttle.rateLimit` must be a whole number >= 0, got -1 (at TestStack/Api)',
      );
    });

    test('a negative burst', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: 10, burstLimit: -5 })).toThrow(
        '`throttle.burstLimit` must be a whole number >= 0, got -5 (at TestStack/Api)',
      );
    });

    test('a fractional rate', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: 0.5 })).toThrow('`throttle.rateLimit` must be a whole number >= 0, got 0.5');
    });

    test('a fractional burst', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: 1, burstLimit: 2.5 })).toThrow('`throttle.burstLimit` must be a whole number >= 0, got 2.5');
    });

    test('NaN', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: NaN })).toThrow('`throttle.rateLimit` must be a whole number >= 0, got NaN');
    });

    test('Infinity', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { rateLimit: 1, burstLimit: Infinity })).toThrow(
        '`throttle.burstLimit` must be a whole number >= 0, got Infinity',
      );
    });

    test('a burst without a rate, naming both props and the fix', () => {
      expect(() => validateThrottle(newScope(), 'throttle', { burstLimit: 10 })).toThrow(
        '`throttle.burstLimit` needs `throttle.rateLimit`: the burst only bounds a steady rate, so set both (at TestStack/Api)',
      );
    });

    test('a token burst without a rate', () => {
      const burstLimit = Token.asNumber(Lazy.number({ produce: () => 10 }));
      expect(() => validateThrottle(newScope(), 'throttle', { burstLimit })).toThrow('`throttle.burstLimit` needs `throttle.rateLimit`');
    });

    test('with the given prop name as the prefix of every message', () => {
      const prop = "routes['GET /pets'].throttle";
      expect(() => validateThrottle(newScope(), prop, { rateLimit: -1 })).toThrow("`routes['GET /pets'].throttle.rateLimit` must be a whole number >= 0, got -1");
      expect(() => validateThrottle(newScope(), prop, { burstLimit: 1 })).toThrow(
        "`routes['GET /pets'].throttle.burstLimit` needs `routes['GET /pets'].throttle.rateLimit`",
      );
    });

    test('with a ValidationError that records the construct path', () => {
      try {
        validateThrottle(newScope(), 'throttle', { burstLimit: 1 });
        throw new Error('expected a ValidationError');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).constructPath).toBe('TestStack/Api');
      }
    });
  });
});

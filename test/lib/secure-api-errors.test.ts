import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SecureApiErrors, SecureRestApi } from '../../lib';
import { ValidationError } from '../../lib/private/validation-error';

describe('SecureApiErrors.isValidationError', () => {
  test('recognizes the error a construct throws for invalid props', () => {
    const stack = new Stack(new App(), 'TestStack');
    let caught: unknown;
    try {
      new SecureRestApi(stack, 'Api', { stageName: 'not a stage' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(SecureApiErrors.isValidationError(caught)).toBe(true);
  });

  test('recognizes a ValidationError of another copy of the library, which instanceof misses', () => {
    // Another copy has its own class, but brands its errors with the same global symbol.
    const foreign = new Error('`foo` must be bar (at Stack/Api)');
    Object.defineProperty(foreign, Symbol.for('secure-api-gateway.ValidationError'), { value: true });
    expect(foreign).not.toBeInstanceOf(ValidationError);
    expect(SecureApiErrors.isValidationError(foreign)).toBe(true);
  });

  test.each([
    ['a plain Error', new Error('bad')],
    ['an Error named ValidationError', Object.assign(new Error('bad'), { name: 'ValidationError' })],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ValidationError'],
    ['an object', { constructPath: 'Stack/Api' }],
  ])('is false for %s', (_name, value) => {
    expect(SecureApiErrors.isValidationError(value)).toBe(false);
  });

  test('the brand is not enumerable, so copying or logging the error does not show it', () => {
    const brand = Symbol.for('secure-api-gateway.ValidationError');
    const error = new ValidationError('bad', new Construct(new Stack(new App(), 'TestStack'), 'Api'));
    expect(Object.getOwnPropertyDescriptor(error, brand)).toMatchObject({ value: true, enumerable: false });
    expect(Object.getOwnPropertySymbols({ ...error })).not.toContain(brand);
  });
});

import { ValidationError } from './private/validation-error';

/**
 * Checks on the errors this library throws, in the manner of aws-cdk-lib's `Errors`.
 *
 * Every construct of the library throws a `ValidationError` for invalid input, with a message that
 * names the prop, the constraint, the value received and the fix, followed by the path of the
 * construct that refused it. The class itself is not exported (jsii cannot publish a subclass of
 * `Error`); recognize it with {@link SecureApiErrors.isValidationError}, which also works across
 * copies of the library, where `instanceof` does not.
 */
export class SecureApiErrors {
  /**
   * Whether `x` is a validation error thrown by a construct of this library.
   *
   * @param x any value, such as the error caught around `new SecureRestApi(...)` or `app.synth()`
   */
  public static isValidationError(x: any): boolean {
    return ValidationError.isValidationError(x);
  }

  private constructor() {}
}

import { IConstruct } from 'constructs';

/**
 * Marks every `ValidationError`, so that `SecureApiErrors.isValidationError()` recognizes one thrown
 * by another copy of the library, where `instanceof` would not.
 */
const VALIDATION_ERROR_SYMBOL = Symbol.for('secure-api-gateway.ValidationError');

/**
 * The error every construct of this library throws for invalid input.
 *
 * It records the path of the construct that rejected the input, so a message from a large app
 * points at the right place: "`throttle.burstLimit` must be ... (at MyStack/Api)".
 *
 * Not part of the public API (jsii cannot publish a subclass of `Error`): callers recognize it with
 * `SecureApiErrors.isValidationError()`.
 */
export class ValidationError extends Error {
  /** Whether `x` is a `ValidationError` of any copy of this library. */
  public static isValidationError(x: unknown): x is ValidationError {
    return x !== null && typeof x === 'object' && VALIDATION_ERROR_SYMBOL in x;
  }

  /** The path of the construct that raised the error. */
  public readonly constructPath: string;

  constructor(message: string, scope: IConstruct) {
    super(`${message} (at ${scope.node.path || 'the app root'})`);
    Object.defineProperty(this, VALIDATION_ERROR_SYMBOL, { value: true });
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
  }
}

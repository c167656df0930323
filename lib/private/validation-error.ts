import { IConstruct } from 'constructs';

/**
 * The error every construct of this library throws for invalid input.
 *
 * It records the path of the construct that rejected the input, so a message from a large app
 * points at the right place: "`throttle.burstLimit` must be ... (at MyStack/Api)".
 */
export class ValidationError extends Error {
  /** The path of the construct that raised the error. */
  public readonly constructPath: string;

  constructor(message: string, scope: IConstruct) {
    super(`${message} (at ${scope.node.path || 'the app root'})`);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
  }
}

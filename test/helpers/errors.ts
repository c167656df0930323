import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** A construct at the path `TestStack/Api`, as the scope of validation helpers. */
export function newScope(): Construct {
  const stack = new Stack(new App(), 'TestStack');
  return new Construct(stack, 'Api');
}

/** Runs `fn`, which must throw an instance of `type`, and returns the error. */
export function errorOf<T extends Error>(type: new (...args: never[]) => T, fn: () => unknown): T {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}

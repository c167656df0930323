import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** A construct at the path `TestStack/Api`, as the scope of validation helpers. */
export function newScope(): Construct {
  const stack = new Stack(new App(), 'TestStack');
  return new Construct(stack, 'Api');
}

/** What `fn` throws, or undefined if it returns: for properties that accept any outcome but some errors. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
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

/**
 * For a handler's settings parser: applies `change` to `settings`, parses their JSON, which must
 * throw a `type` error named `SettingsError` whose message starts with `prefix`, and returns the
 * message without the prefix.
 */
export function settingsErrorMessage<S>(
  type: new (...args: never[]) => Error,
  parse: (json: string) => unknown,
  prefix: string,
  settings: S,
  change: (settings: S) => void,
): string {
  change(settings);
  const error = errorOf(type, () => parse(JSON.stringify(settings)));
  expect(error.message.startsWith(prefix)).toBe(true);
  expect(error.name).toBe('SettingsError');
  return error.message.slice(prefix.length);
}

/**
 * Reads the JSON settings a construct wrote into a handler's environment, checking each value's
 * shape. Every failure names where in the settings it is (`issuers[0].audience`); `fail` makes the
 * handler's own error, which stops the function at cold start instead of letting it guess.
 */
export class SettingsReader {
  constructor(private readonly fail: (message: string) => Error) {}

  /** Parses the variable's JSON. */
  public json(value: string | undefined): unknown {
    if (!value) {
      throw this.fail('the settings variable is missing or empty');
    }
    try {
      return JSON.parse(value);
    } catch {
      throw this.fail('the settings variable is not JSON');
    }
  }

  public record(value: unknown, at: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw this.fail(`\`${at}\` must be an object`);
    }
    return value as Record<string, unknown>;
  }

  public array(value: unknown, at: string): unknown[] {
    if (!Array.isArray(value)) {
      throw this.fail(`\`${at}\` must be an array`);
    }
    return value;
  }

  public string(value: unknown, at: string): string {
    if (typeof value !== 'string' || value.length === 0) {
      throw this.fail(`\`${at}\` must be a non-empty string`);
    }
    return value;
  }

  public strings(value: unknown, at: string): string[] {
    return this.array(value, at).map((item, i) => this.string(item, `${at}[${i}]`));
  }

  public boolean(value: unknown, at: string): boolean {
    if (typeof value !== 'boolean') {
      throw this.fail(`\`${at}\` must be true or false`);
    }
    return value;
  }

  public wholeNumber(value: unknown, at: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw this.fail(`\`${at}\` must be a whole number from ${min} to ${max}`);
    }
    return value;
  }

  public oneOf<T extends string>(value: unknown, allowed: readonly T[], at: string): T {
    if (!allowed.includes(value as T)) {
      throw this.fail(`\`${at}\` must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }
}

import { readFileSync } from 'node:fs';
import { SETTINGS_REFERENCE } from './constants';

/**
 * Reads the JSON settings file a construct wrote into a handler's asset, checking each value's
 * shape. Every failure names where in the settings it is (`issuers[0].audience`), or the variable a
 * reference names; `fail` makes the handler's own error, which stops the function at cold start
 * instead of letting it guess.
 */
export class SettingsReader {
  constructor(private readonly fail: (message: string) => Error) {}

  /**
   * Reads and parses the settings file, and puts in place of each `{ "$env": "<variable>" }`
   * reference the value CloudFormation gave that environment variable (a number for a reference of
   * `"$type": "number"`).
   */
  public file(file: string, env: Readonly<Record<string, string | undefined>>): unknown {
    let text: string;
    let parsed: unknown;
    try {
      text = readFileSync(file, 'utf8');
      parsed = JSON.parse(text);
    } catch (error) {
      throw this.fail(`the settings file ${file} cannot be read as JSON: ${error}`);
    }
    // In place, and only when the file may hold a reference: JSON.parse alone (without a reviver,
    // which is many times slower) is most of the cost of reading the settings of 1,000 routes. An own
    // `__proto__` key that JSON.parse made stays an own key: assigning it does not reach a prototype.
    const resolve = (value: unknown): unknown => {
      if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        const name = record[SETTINGS_REFERENCE.env] as string | undefined;
        if (name) {
          const deployed = env[name];
          const number = record[SETTINGS_REFERENCE.type] === 'number';
          if (!deployed || (number && !isFinite(+deployed))) {
            throw this.fail(`the environment variable ${name} is not ${number ? 'a number' : 'set'}`);
          }
          return number ? +deployed : deployed;
        }
        for (const key in record) {
          record[key] = resolve(record[key]);
        }
      }
      return value;
    };
    return text.includes(SETTINGS_REFERENCE.env) ? resolve(parsed) : parsed;
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

  /**
   * An array of non-empty strings; only a failing item is named: at cold start, naming every item
   * took most of the time to check the settings of 1,000 routes.
   */
  public strings(value: unknown, at: string): string[] {
    const items = this.array(value, at);
    const bad = items.findIndex((item) => typeof item !== 'string' || !item);
    return bad < 0 ? items as string[] : [this.string(items[bad], `${at}[${bad}]`)];
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

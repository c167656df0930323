import { readFileSync } from 'node:fs';
import { SETTINGS_REFERENCE } from './constants';

/** Keys never copied out of a settings file: they would reach an object's prototype. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Reads the JSON settings file a construct wrote into a handler's asset, checking each value's
 * shape. Every failure names where in the settings it is (`issuers[0].audience`); `fail` makes the
 * handler's own error, which stops the function at cold start instead of letting it guess.
 */
export class SettingsReader {
  constructor(private readonly fail: (message: string) => Error) {}

  /**
   * Reads and parses the settings file, and puts in place of each `{ "$env": "<variable>" }`
   * reference the value CloudFormation gave that environment variable.
   */
  public file(file: string, env: Readonly<Record<string, string | undefined>>): unknown {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw this.fail(`the settings file ${file} cannot be read (${(error as { code?: string }).code ?? String(error)}): deploy the function with the asset its construct wrote`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.fail(`the settings file ${file} is not JSON`);
    }
    return this.resolve(parsed, '', env);
  }

  /** `value` with each reference replaced by its variable's value, and prototype keys dropped. */
  private resolve(value: unknown, at: string, env: Readonly<Record<string, string | undefined>>): unknown {
    if (Array.isArray(value)) {
      return value.map((item, i) => this.resolve(item, `${at}[${i}]`, env));
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const record = value as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(record, SETTINGS_REFERENCE.env)) {
      return this.reference(record, at || 'settings', env);
    }
    const resolved: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      if (!PROTOTYPE_KEYS.has(key)) {
        resolved[key] = this.resolve(record[key], at ? `${at}.${key}` : key, env);
      }
    }
    return resolved;
  }

  private reference(record: Record<string, unknown>, at: string, env: Readonly<Record<string, string | undefined>>): string | number {
    const name = record[SETTINGS_REFERENCE.env];
    const type = record[SETTINGS_REFERENCE.type];
    if (typeof name !== 'string' || !name.startsWith(SETTINGS_REFERENCE.variablePrefix) || (type !== undefined && type !== 'number') || Object.keys(record).length !== (type === undefined ? 1 : 2)) {
      throw this.fail(`\`${at}\` must be a value or a reference { "${SETTINGS_REFERENCE.env}": "${SETTINGS_REFERENCE.variablePrefix}<n>" }`);
    }
    const value = env[name];
    if (value === undefined || value === '') {
      throw this.fail(`\`${at}\` refers to the environment variable ${name}, which is not set: deploy the function with the environment its construct set`);
    }
    if (type === 'number') {
      const number = Number(value);
      if (!Number.isFinite(number) || value.trim() === '') {
        throw this.fail(`\`${at}\` refers to the environment variable ${name}, which must hold a number`);
      }
      return number;
    }
    return value;
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

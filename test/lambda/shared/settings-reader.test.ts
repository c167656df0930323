import { SettingsReader } from '../../../lambda/shared/settings-reader';
import { errorOf } from '../../helpers/errors';
import { settingsFileWith } from '../../helpers/settings-files';

class TestSettingsError extends Error {}
const read = new SettingsReader((message) => new TestSettingsError(`Invalid test settings: ${message}`));
const readText = (text: string, env: Record<string, string> = {}) => read.file(settingsFileWith(text), env);
const messageOf = (text: string, env: Record<string, string> = {}) => errorOf(TestSettingsError, () => readText(text, env)).message;

describe('SettingsReader.file: references to environment variables', () => {
  test('a reference anywhere (top, nested, in an array) is replaced by its variable\'s value; other values stay as they are', () => {
    const text = JSON.stringify({ name: { $env: 'SECURE_API_SETTING_1' }, nested: { list: ['a', { $env: 'SECURE_API_SETTING_2' }, 3, true, null] } });
    expect(readText(text, { SECURE_API_SETTING_1: 'table-name', SECURE_API_SETTING_2: 'arn:aws:wafv2:x' }))
      .toEqual({ name: 'table-name', nested: { list: ['a', 'arn:aws:wafv2:x', 3, true, null] } });
  });

  test('a number reference gives a number', () => {
    expect(readText('{"threshold":{"$env":"SECURE_API_SETTING_1","$type":"number"}}', { SECURE_API_SETTING_1: '25' })).toEqual({ threshold: 25 });
  });

  test('the whole settings may be one reference, named `settings` in errors', () => {
    expect(messageOf('{"$env":"SECURE_API_SETTING_1"}')).toBe('Invalid test settings: `settings` refers to the environment variable SECURE_API_SETTING_1, which is not set: deploy the function with the environment its construct set');
  });

  test.each<[string, string, Record<string, string>, string]>([
    ['a variable that is not set', '{"a":[{"$env":"SECURE_API_SETTING_1"}]}', {}, '`a[0]` refers to the environment variable SECURE_API_SETTING_1, which is not set: deploy the function with the environment its construct set'],
    ['an empty variable', '{"a":{"b":{"$env":"SECURE_API_SETTING_1"}}}', { SECURE_API_SETTING_1: '' }, '`a.b` refers to the environment variable SECURE_API_SETTING_1, which is not set: deploy the function with the environment its construct set'],
    ['a number variable that is not a number', '{"n":{"$env":"SECURE_API_SETTING_1","$type":"number"}}', { SECURE_API_SETTING_1: 'twelve' }, '`n` refers to the environment variable SECURE_API_SETTING_1, which must hold a number'],
    ['a blank number variable', '{"n":{"$env":"SECURE_API_SETTING_1","$type":"number"}}', { SECURE_API_SETTING_1: ' ' }, '`n` refers to the environment variable SECURE_API_SETTING_1, which must hold a number'],
    ['a reference to another variable than the settings\'', '{"a":{"$env":"AWS_SECRET_ACCESS_KEY"}}', { AWS_SECRET_ACCESS_KEY: 'x' }, '`a` must be a value or a reference { "$env": "SECURE_API_SETTING_<n>" }'],
    ['a reference with another key', '{"a":{"$env":"SECURE_API_SETTING_1","default":"x"}}', { SECURE_API_SETTING_1: 'x' }, '`a` must be a value or a reference { "$env": "SECURE_API_SETTING_<n>" }'],
    ['a reference of an unknown type', '{"a":{"$env":"SECURE_API_SETTING_1","$type":"boolean"}}', { SECURE_API_SETTING_1: 'x' }, '`a` must be a value or a reference { "$env": "SECURE_API_SETTING_<n>" }'],
    ['a reference whose name is not a string', '{"a":{"$env":1}}', {}, '`a` must be a value or a reference { "$env": "SECURE_API_SETTING_<n>" }'],
  ])('refuses %s', (_case, text, env, message) => {
    expect(messageOf(text, env)).toBe(`Invalid test settings: ${message}`);
  });
});

describe('SettingsReader.file: untrusted keys', () => {
  test('keys that would reach a prototype are dropped', () => {
    const settings = readText('{"__proto__":{"polluted":true},"a":{"constructor":{"prototype":{"polluted":true}},"b":1}}') as Record<string, any>;
    expect(settings).toEqual({ a: { b: 1 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(settings)).toBe(Object.prototype);
  });
});

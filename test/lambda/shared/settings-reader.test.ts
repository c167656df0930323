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

  test('the whole settings may be one reference', () => {
    expect(readText('{"$env":"SECURE_API_SETTING_1","$type":"number"}', { SECURE_API_SETTING_1: '7' })).toBe(7);
  });

  test.each<[string, string, Record<string, string>, string]>([
    ['a variable that is not set', '{"a":[{"$env":"SECURE_API_SETTING_1"}]}', {}, 'the environment variable SECURE_API_SETTING_1 is not set'],
    ['an empty variable', '{"a":{"b":{"$env":"SECURE_API_SETTING_1"}}}', { SECURE_API_SETTING_1: '' }, 'the environment variable SECURE_API_SETTING_1 is not set'],
    ['a number variable that is not a number', '{"n":{"$env":"SECURE_API_SETTING_1","$type":"number"}}', { SECURE_API_SETTING_1: 'twelve' }, 'the environment variable SECURE_API_SETTING_1 is not a number'],
    ['a number variable that is not set', '{"n":{"$env":"SECURE_API_SETTING_2","$type":"number"}}', {}, 'the environment variable SECURE_API_SETTING_2 is not a number'],
  ])('refuses %s', (_case, text, env, message) => {
    expect(messageOf(text, env)).toBe(`Invalid test settings: ${message}`);
  });
});

describe('SettingsReader.file: the file', () => {
  test('a file that is missing or unreadable, naming it and why', () => {
    const file = settingsFileWith(undefined);
    expect(errorOf(TestSettingsError, () => read.file(file, {})).message).toBe(`Invalid test settings: the settings file ${file} cannot be read as JSON: Error: ENOENT: no such file or directory, open '${file}'`);
  });

  test.each(['', '{', '{"a":1,}', "{'a':1}"])('a file that is not JSON: %j', (text) => {
    expect(messageOf(text)).toMatch(/^Invalid test settings: the settings file .*settings\.json cannot be read as JSON: SyntaxError: /);
  });
});

describe('SettingsReader.file: keys', () => {
  test.each(['"x"', '{"$env":"SECURE_API_SETTING_1"}'])('a `__proto__` key stays an own key, at any depth, and reaches no prototype (beside %s)', (c) => {
    const settings = readText(`{"__proto__":{"polluted":true},"a":{"__proto__":{"polluted":true},"b":1},"c":${c}}`, { SECURE_API_SETTING_1: 'x' }) as Record<string, any>;
    expect(settings.c).toBe('x');
    expect(Object.keys(settings.a)).toEqual(['__proto__', 'b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(settings)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(settings.a)).toBe(Object.prototype);
    expect(settings.polluted).toBeUndefined();
  });

  test('a file without references is the file as parsed', () => {
    expect(readText('{"a":[1,{"b":"$env"}]}')).toEqual({ a: [1, { b: '$env' }] });
  });
});

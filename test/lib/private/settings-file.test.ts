import { Lazy, Stack, Token } from 'aws-cdk-lib';
import { environmentBytes, environmentLimitError, settingsFile } from '../../../lib/private/settings-file';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf, newScope } from '../../helpers/errors';

describe('settingsFile', () => {
  test('is canonical JSON: keys sorted at every level, arrays in order, undefined keys left out, no whitespace', () => {
    const scope = newScope();
    const a = settingsFile(scope, { b: [3, 1, { z: 1, y: null }], a: { d: true, c: 'x' }, e: undefined });
    const b = settingsFile(scope, { e: undefined, a: { c: 'x', d: true }, b: [3, 1, { y: null, z: 1 }] });
    expect(a.text).toBe('{"a":{"c":"x","d":true},"b":[3,1,{"y":null,"z":1}]}');
    expect(b).toEqual(a);
    expect(a.variables).toEqual({});
  });

  test('a value known only at deploy time is a reference, its value in a variable; the same token shares one variable', () => {
    const scope = newScope();
    const table = Lazy.string({ produce: () => 'table' });
    const count = Token.asNumber(Lazy.any({ produce: () => 5 }));
    const file = settingsFile(scope, { tableName: table, again: [table], count, url: `https://${table}.example.com` });
    expect(JSON.parse(file.text)).toEqual({
      again: [{ $env: 'SECURE_API_SETTING_1' }],
      count: { $env: 'SECURE_API_SETTING_2', $type: 'number' },
      tableName: { $env: 'SECURE_API_SETTING_1' },
      url: { $env: 'SECURE_API_SETTING_3' },
    });
    const stack = Stack.of(scope);
    expect(Object.keys(file.variables)).toEqual(['SECURE_API_SETTING_1', 'SECURE_API_SETTING_2', 'SECURE_API_SETTING_3']);
    expect(stack.resolve(file.variables.SECURE_API_SETTING_1)).toBe('table');
    expect(stack.resolve(file.variables.SECURE_API_SETTING_3)).toBe('https://table.example.com');
  });

  test.each<[string, unknown, string]>([
    ['NaN', { limits: { max: Number.NaN } }, 'the number NaN at `limits.max`'],
    ['Infinity in an array', { list: [1, Infinity] }, 'the number Infinity at `list[1]`'],
    ['a class instance', { when: new Date(0) }, 'a Date object at `when`'],
    ['a function', { produce: () => 1 }, 'a value of type function at `produce`'],
    ['an array at the top', [1], 'something other than an object at `the top`'],
    ['a key the reader takes for a reference', { claims: { $env: 'X' } }, 'the key "$env" at `claims`'],
  ])('refuses %s, naming where it is', (_case, settings, what) => {
    expect(errorOf(ValidationError, () => settingsFile(newScope(), settings)).message)
      .toBe(`The settings of \`TestStack/Api\` hold ${what}, which a JSON settings file cannot: this is a bug of the library, please report it (at TestStack/Api)`);
  });
});

test('settingsFile refuses a key that is a token: a file holds a key as it is written', () => {
  const key = Lazy.string({ produce: () => 'k' });
  expect(errorOf(ValidationError, () => settingsFile(newScope(), { claims: { [key]: 1 } })).message).toMatch(/^The settings of `TestStack\/Api` hold the key "\$\{Token\[TOKEN\.\d+\]\}" at `claims`, which a JSON settings file cannot/);
});

describe('environmentBytes: as Lambda counts the environment against its 4 KB', () => {
  test('the variables as a JSON object escaped as a JSON string: a quote counts twice', () => {
    // {"A":"b"} escaped is "{\"A\":\"b\"}": 9 characters, 4 quotes escaped, 2 quotes around.
    expect(environmentBytes({ A: 'b' })).toBe(9 + 4 + 2);
    expect(environmentBytes({ A: '"' })).toBe(environmentBytes({ A: 'x' }) + 3);
    expect(environmentBytes({ A: 'é' })).toBe(environmentBytes({ A: 'e' }) + 1);
  });

  test('deploy-time values at their longest: literal parts of a join as they are, pseudo parameters at their longest, other references at 255', () => {
    const base = environmentBytes({ A: '' });
    expect(environmentBytes({ A: { Ref: 'Table' } })).toBe(base + 255);
    expect(environmentBytes({ A: { 'Fn::GetAtt': ['Set', 'Id'] } })).toBe(base + 255);
    expect(environmentBytes({ A: { Ref: 'AWS::Region' } })).toBe(base + 20);
    expect(environmentBytes({ A: { 'Fn::Join': ['-', ['https://x', { Ref: 'AWS::URLSuffix' }, { Ref: 'Pool' }]] } })).toBe(base + 9 + 1 + 20 + 1 + 255);
  });

  test('environmentLimitError: none within 4096 bytes; past them, the bytes, the limit and the fix', () => {
    const scope = newScope();
    const fits = { NODE_OPTIONS: '--enable-source-maps', BIG: 'x'.repeat(4096 - environmentBytes({ NODE_OPTIONS: '--enable-source-maps', BIG: '' })) };
    expect(environmentBytes(fits)).toBe(4096);
    expect(environmentLimitError(scope, fits)).toBeUndefined();
    expect(environmentLimitError(scope, { ...fits, BIG: `${fits.BIG}x` })).toBe('The environment variables of `TestStack/Api` take 4097 bytes as Lambda counts them (as escaped JSON, '
      + 'values known only at deploy time at their longest), over Lambda\'s limit of 4096 bytes: its settings are in its asset\'s settings file, '
      + 'but 0 of their values are CloudFormation references, which only the environment can carry; pass such values (a user pool\'s issuer URL, '
      + 'app client ids, scope names) as literal strings, or add fewer variables with addEnvironment()');
  });
});

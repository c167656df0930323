import { SECURITY_HEADERS } from '../../../lambda/shared/constants';
import { BodyError, MAX_BODY_BYTES, jsonResponse, parseJsonBody } from '../../../lambda/shared/http';
import { errorOf } from '../../helpers/errors';

const bodyErrorOf = (fn: () => unknown) => errorOf(BodyError, fn);

/** A naive recursive merge, of the kind prototype pollution attacks target. */
function naiveMerge(target: Record<string, unknown>, source: unknown): Record<string, unknown> {
  for (const key in source as Record<string, unknown>) {
    const value = (source as Record<string, unknown>)[key];
    if (typeof value === 'object' && value !== null) {
      if (typeof target[key] !== 'object' || target[key] === null) {
        target[key] = {};
      }
      naiveMerge(target[key] as Record<string, unknown>, value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

afterEach(() => {
  // Undo any pollution a failing test caused, so it cannot leak into other tests.
  for (const key of ['polluted', 'isAdmin']) {
    delete (Object.prototype as Record<string, unknown>)[key];
  }
});

describe('jsonResponse', () => {
  test('returns the status code and the JSON-encoded body', () => {
    const response = jsonResponse(201, { id: 'pet-3', tags: ['a'] });
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toEqual({ id: 'pet-3', tags: ['a'] });
  });

  test('sets Content-Type to application/json', () => {
    expect(jsonResponse(200, {}).headers['Content-Type']).toBe('application/json');
  });

  test('sets every security header with its exact value', () => {
    const { headers } = jsonResponse(200, {});
    expect(headers).toEqual({
      'Content-Type': 'application/json',
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
    });
    expect(headers).toMatchObject(SECURITY_HEADERS);
  });

  test('sets the security headers on error responses too', () => {
    expect(jsonResponse(500, { message: 'Internal server error' }).headers).toMatchObject(SECURITY_HEADERS);
  });

  test('gives every response its own headers object', () => {
    const first = jsonResponse(200, {});
    first.headers['X-Frame-Options'] = 'SAMEORIGIN';
    expect(jsonResponse(200, {}).headers['X-Frame-Options']).toBe('DENY');
    expect(SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
  });

  test('encodes strings and null as JSON', () => {
    expect(jsonResponse(200, 'ok').body).toBe('"ok"');
    expect(jsonResponse(200, null).body).toBe('null');
  });
});

describe('parseJsonBody', () => {
  test('parses a JSON object', () => {
    expect(parseJsonBody('{"name":"Tom","species":"cat","age":3,"tags":["a"]}')).toEqual({ name: 'Tom', species: 'cat', age: 3, tags: ['a'] });
  });

  test('parses JSON values that are not objects', () => {
    expect(parseJsonBody('[1,2]')).toEqual([1, 2]);
    expect(parseJsonBody('"text"')).toBe('text');
    expect(parseJsonBody('null')).toBeNull();
  });

  test.each([null, undefined, ''])('rejects the missing body %p', (body) => {
    expect(bodyErrorOf(() => parseJsonBody(body)).message).toBe('the request has no body');
  });

  test('rejects an empty base64 body', () => {
    expect(bodyErrorOf(() => parseJsonBody('', true)).message).toBe('the request has no body');
  });

  test('throws an error named BodyError', () => {
    const error = bodyErrorOf(() => parseJsonBody(''));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('BodyError');
  });

  describe('size limit', () => {
    test('is 64 KiB', () => {
      expect(MAX_BODY_BYTES).toBe(65_536);
    });

    test('accepts a body of exactly the limit', () => {
      const body = JSON.stringify('x'.repeat(MAX_BODY_BYTES - 2));
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
      expect(parseJsonBody(body)).toHaveLength(MAX_BODY_BYTES - 2);
    });

    test('rejects a body one byte over the limit', () => {
      const body = JSON.stringify('x'.repeat(MAX_BODY_BYTES - 1));
      expect(bodyErrorOf(() => parseJsonBody(body)).message).toBe('the body is larger than 65536 bytes');
    });

    test('counts bytes, not characters', () => {
      // 'é' is two bytes in UTF-8: fewer characters than the limit, but more bytes.
      const body = JSON.stringify('\u00e9'.repeat(MAX_BODY_BYTES / 2));
      expect(body.length).toBeLessThan(MAX_BODY_BYTES);
      expect(bodyErrorOf(() => parseJsonBody(body)).message).toBe('the body is larger than 65536 bytes');
    });

    test('applies to the decoded size of a base64 body', () => {
      const body = JSON.stringify('x'.repeat(MAX_BODY_BYTES));
      expect(bodyErrorOf(() => parseJsonBody(Buffer.from(body).toString('base64'), true)).message).toBe('the body is larger than 65536 bytes');
    });

    test('lets through a base64 body whose encoding, but not content, is over the limit', () => {
      const body = JSON.stringify('x'.repeat(60_000));
      const encoded = Buffer.from(body).toString('base64');
      expect(encoded.length).toBeGreaterThan(MAX_BODY_BYTES);
      expect(parseJsonBody(encoded, true)).toHaveLength(60_000);
    });
  });

  describe('base64', () => {
    test('decodes a base64-encoded body before parsing', () => {
      const encoded = Buffer.from('{"name":"Tom"}').toString('base64');
      expect(parseJsonBody(encoded, true)).toEqual({ name: 'Tom' });
    });

    test('decodes UTF-8 text', () => {
      expect(parseJsonBody(Buffer.from('{"name":"Z\u00fcri"}').toString('base64'), true)).toEqual({ name: 'Z\u00fcri' });
    });

    test('does not decode a body that is not flagged as base64', () => {
      const encoded = Buffer.from('{"name":"Tom"}').toString('base64');
      expect(bodyErrorOf(() => parseJsonBody(encoded, false)).message).toBe('the body is not valid JSON');
    });

    test('rejects base64 that does not decode to JSON', () => {
      expect(bodyErrorOf(() => parseJsonBody(Buffer.from('not json').toString('base64'), true)).message).toBe('the body is not valid JSON');
    });
  });

  test.each(['{', '{"a":}', "{'a':1}", 'undefined', 'NaN', '{"a":1}x', '   '])('rejects the invalid JSON %p', (body) => {
    expect(bodyErrorOf(() => parseJsonBody(body)).message).toBe('the body is not valid JSON');
  });

  describe('prototype pollution', () => {
    test('drops a top-level "__proto__" key and does not pollute Object.prototype', () => {
      const result = parseJsonBody('{"__proto__":{"polluted":1},"name":"Tom"}') as Record<string, unknown>;
      expect(Object.prototype.hasOwnProperty.call(result, '__proto__')).toBe(false);
      expect(Object.keys(result)).toEqual(['name']);
      expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
      expect(result.polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    test('leaves nothing that pollutes Object.prototype when merged naively', () => {
      const result = parseJsonBody('{"__proto__":{"polluted":1}}');
      naiveMerge({}, result);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    test('control: without the reviver, the same naive merge would pollute', () => {
      naiveMerge({}, JSON.parse('{"__proto__":{"polluted":1}}'));
      expect(({} as Record<string, unknown>).polluted).toBe(1);
    });

    test('drops "constructor" and "prototype" keys', () => {
      const result = parseJsonBody('{"constructor":{"prototype":{"isAdmin":true}},"prototype":1,"name":"Tom"}');
      expect(result).toEqual({ name: 'Tom' });
      expect(Object.keys(result as object)).toEqual(['name']);
    });

    test('drops the keys at any depth, including inside arrays', () => {
      const result = parseJsonBody('{"a":{"b":{"constructor":{"prototype":{"isAdmin":true}},"c":1}},"list":[{"__proto__":{"polluted":1},"d":2}]}');
      expect(result).toEqual({ a: { b: { c: 1 } }, list: [{ d: 2 }] });
      const nested = (result as { list: Array<Record<string, unknown>> }).list[0];
      expect(Object.prototype.hasOwnProperty.call(nested, '__proto__')).toBe(false);
      naiveMerge({}, result);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    test('keeps the words as values: only keys are dropped', () => {
      expect(parseJsonBody('{"name":"constructor","tags":["__proto__","prototype"]}')).toEqual({ name: 'constructor', tags: ['__proto__', 'prototype'] });
    });
  });
});

/**
 * Properties of route-key parsing, over generated keys: every well-formed key is accepted and
 * parses back to its own method and path; a key with a character API Gateway does not allow in a
 * path is refused; and any string at all is accepted or refused with a `ValidationError`, never
 * another error.
 */
import fc from 'fast-check';
import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ROUTE_METHODS, parseRouteKey } from '../../../lib/private/route-key';
import { ValidationError } from '../../../lib/private/validation-error';
import { thrownBy } from '../../helpers/errors';

const RUNS = { seed: 20261203, numRuns: 300 } as const;
const scope = new Construct(new Stack(new App(), 'TestStack'), 'Api');

const LITERAL_CHARS = 'abcXYZ019:._$-'.split('');
const literal = fc.string({ unit: fc.constantFrom(...LITERAL_CHARS), minLength: 1, maxLength: 8 });
const parameterName = fc.tuple(fc.constantFrom('a', 'B', '_'), fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_'), maxLength: 6 })).map(([head, tail]) => head + tail);

type Part = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'param'; readonly name: string };
const part: fc.Arbitrary<Part> = fc.oneof(
  literal.map((text): Part => ({ kind: 'literal', text })),
  parameterName.map((name): Part => ({ kind: 'param', name })),
);

/** A well-formed route key: parameter names unique, a greedy parameter only at the end. */
const validKey = fc.record({
  method: fc.constantFrom(...ROUTE_METHODS),
  parts: fc.array(part, { maxLength: 6 }),
  greedy: fc.option(parameterName, { nil: undefined }),
}).map(({ method, parts, greedy }) => {
  const seen = new Set<string>();
  const segments = parts
    .filter((p) => p.kind === 'literal' || (!seen.has(p.name) && seen.add(p.name)))
    .map((p) => (p.kind === 'literal' ? p.text : `{${p.name}}`));
  if (greedy !== undefined && !seen.has(greedy)) {
    segments.push(`{${greedy}+}`);
  }
  return { method, path: `/${segments.join('/')}` };
});

test('every well-formed route key is accepted and parses to its own method and path', () => {
  fc.assert(fc.property(validKey, ({ method, path }) => {
    const route = parseRouteKey(scope, `${method} ${path}`);
    expect(route.method).toBe(method);
    expect(route.path).toBe(path);
    expect(route.key).toBe(`${method} ${path}`);
  }), RUNS);
});

test('a path segment with a character API Gateway does not allow is refused with a ValidationError naming the key', () => {
  const bad = fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }).filter((s) => /[^A-Za-z0-9:._$\-{}/]/.test(s));
  fc.assert(fc.property(validKey, literal, bad, ({ method, path }, text, extra) => {
    const key = `${method} ${path === '/' ? '' : path}/${text}${extra}`;
    const error = thrownBy(() => parseRouteKey(scope, key));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message.startsWith('`routeKey` ')).toBe(true);
  }), RUNS);
});

test('a method that is not an upper-case route method is refused', () => {
  fc.assert(fc.property(validKey, fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }).filter((m) => !/\s/.test(m) && !(ROUTE_METHODS as readonly string[]).includes(m)), ({ path }, method) => {
    const error = thrownBy(() => parseRouteKey(scope, `${method} ${path}`));
    expect(error).toBeInstanceOf(ValidationError);
  }), RUNS);
});

test('any string is accepted or refused with a ValidationError, never another error', () => {
  const anything = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom(...'GETPOS /{}+ab_1'.split('')), maxLength: 30 }),
    validKey.map(({ method, path }) => `${method} ${path}`),
  );
  fc.assert(fc.property(anything, (key) => {
    const error = thrownBy(() => parseRouteKey(scope, key));
    if (error !== undefined) {
      expect(error).toBeInstanceOf(ValidationError);
    }
  }), { ...RUNS, numRuns: 1000 });
});

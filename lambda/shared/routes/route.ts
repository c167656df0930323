import { HTTP_METHODS } from '../constants';

/**
 * One route of a REST API, `<METHOD> <path>` as in `GET /pets/{petId}`: how it is parsed, its
 * canonical key, and its pattern in execute-api ARNs. Pure: the constructs (lib/) and the handlers
 * (lambda/) both use it, so a route means the same thing to every part.
 */

/** A route's method: an HTTP method, or `ANY` for every method without a route of its own on the path. */
export type RouteMethod = typeof HTTP_METHODS[number];

/** The methods a request can have: those of {@link HTTP_METHODS} but `ANY`. */
export const REQUEST_METHODS: readonly RouteMethod[] = HTTP_METHODS.filter((method) => method !== 'ANY');

/** One segment of a route's path. */
export type Segment =
  /** A literal segment: `pets`. `name` is the literal. */
  | { readonly kind: 'static'; readonly name: string; readonly text: string }
  /** `{petId}`: any one non-empty segment. `name` is the parameter's name. */
  | { readonly kind: 'param'; readonly name: string; readonly text: string }
  /** `{proxy+}`, always last: one or more segments. `name` is the parameter's name, without `+`. */
  | { readonly kind: 'greedy'; readonly name: string; readonly text: string };

/** A route that parsed. */
export interface Route {
  /** The canonical route key, `<METHOD> <path>`: two keys name the same route exactly when they are equal. */
  readonly key: string;
  readonly method: RouteMethod;
  /** The resource path, `/` for the root. */
  readonly path: string;
  /** The path's segments, none for the root. */
  readonly segments: readonly Segment[];
  /** Names of the path's parameters, in order, without braces or `+`. */
  readonly pathParameters: readonly string[];
  /**
   * The route's pattern in execute-api ARNs, after the stage: `GET/pets/*` (a parameter is `*`,
   * `ANY` is `*`, the root is `GET/`). IAM's `*` matches any characters, `/` included.
   */
  readonly arnPattern: string;
}

/** Why a route key did not parse. */
export enum RouteKeyProblem {
  /** The key is not a string. */
  NOT_A_STRING = 'not-a-string',
  /** Not a method, one space and a path. */
  NOT_METHOD_AND_PATH = 'not-method-and-path',
  /** The method is not one of {@link HTTP_METHODS}; `detail` is the method. */
  UNKNOWN_METHOD = 'unknown-method',
  /** The path does not start with `/`. */
  NO_LEADING_SLASH = 'no-leading-slash',
  /** The path (not the root) ends with `/`. */
  TRAILING_SLASH = 'trailing-slash',
  /** The path has `//`. */
  EMPTY_SEGMENT = 'empty-segment',
  /** A segment with a brace is not `{name}` or `{name+}`; `detail` is the segment. */
  MALFORMED_PARAMETER = 'malformed-parameter',
  /** A greedy parameter is not the last segment; `detail` is the segment. */
  GREEDY_NOT_LAST = 'greedy-not-last',
  /** Two parameters have the same name; `detail` is the name. */
  DUPLICATE_PARAMETER = 'duplicate-parameter',
  /** A literal segment has characters API Gateway does not allow; `detail` is the segment. */
  BAD_LITERAL = 'bad-literal',
}

/** A route key that did not parse, with why. */
export class RouteKeyError extends Error {
  constructor(
    /** The key as given. */
    public readonly key: unknown,
    public readonly problem: RouteKeyProblem,
    /** The method, segment or parameter name at fault, where the problem names one. */
    public readonly detail = '',
  ) {
    super(`route key ${JSON.stringify(key)}: ${problem}${detail ? ` (${detail})` : ''}`);
    this.name = 'RouteKeyError';
  }
}

const LITERAL_SEGMENT = /^[A-Za-z0-9:._$-]+$/;
const PARAMETER_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/;

/**
 * Parses a route key of the form `<METHOD> <path>`, as in `GET /pets/{petId}`, or throws a
 * {@link RouteKeyError} saying what is wrong with it.
 */
export function parseRouteKey(key: string): Route {
  const fail = (problem: RouteKeyProblem, detail?: string): never => {
    throw new RouteKeyError(key, problem, detail);
  };
  if (typeof key !== 'string') {
    return fail(RouteKeyProblem.NOT_A_STRING);
  }
  const match = /^(\S+) (\S+)$/.exec(key);
  if (!match) {
    return fail(RouteKeyProblem.NOT_METHOD_AND_PATH);
  }
  const method = match[1] as RouteMethod;
  const path = match[2];
  if (!HTTP_METHODS.includes(method)) {
    return fail(RouteKeyProblem.UNKNOWN_METHOD, match[1]);
  }
  if (!path.startsWith('/')) {
    return fail(RouteKeyProblem.NO_LEADING_SLASH);
  }
  if (path === '/') {
    return buildRoute(method, path);
  }
  if (path.endsWith('/')) {
    return fail(RouteKeyProblem.TRAILING_SLASH);
  }
  const parts = path.slice(1).split('/');
  const names = new Set<string>();
  parts.forEach((part, index) => {
    if (part === '') {
      return fail(RouteKeyProblem.EMPTY_SEGMENT);
    }
    if (part.includes('{') || part.includes('}')) {
      const parameter = PARAMETER_SEGMENT.exec(part);
      if (!parameter) {
        return fail(RouteKeyProblem.MALFORMED_PARAMETER, part);
      }
      const [, name, greedy] = parameter;
      if (greedy && index !== parts.length - 1) {
        return fail(RouteKeyProblem.GREEDY_NOT_LAST, part);
      }
      if (names.has(name)) {
        return fail(RouteKeyProblem.DUPLICATE_PARAMETER, name);
      }
      names.add(name);
    } else if (!LITERAL_SEGMENT.test(part)) {
      fail(RouteKeyProblem.BAD_LITERAL, part);
    }
  });
  return buildRoute(method, path);
}

/** Parses a route given as its method and path; see {@link parseRouteKey}. */
export function parseRoute(method: string, path: string): Route {
  return parseRouteKey(`${method} ${path}`);
}

/** `ANY` is `*` in ARNs and in method settings. */
export function arnMethod(method: RouteMethod): string {
  return method === 'ANY' ? '*' : method;
}

/** The execute-api ARN, after the stage, of a request: `GET/pets/7`, with `/` at the end for a trailing slash. */
export function requestArn(method: string, path: readonly string[], trailingSlash = false): string {
  return `${method}/${path.join('/')}${trailingSlash && path.length > 0 ? '/' : ''}`;
}

/**
 * A regular expression (source, without anchors) for the URI paths of the route's shape after
 * the stage or base path: a `{param}` is one non-empty segment, a `{param+}` any non-empty rest,
 * and a trailing slash is allowed, as API Gateway routes `/pets/7/` like `/pets/7`. `escape`
 * escapes a literal segment.
 */
export function pathRegex(route: Route, escape: (literal: string) => string): string {
  const body = route.segments.map((segment) => {
    switch (segment.kind) {
      case 'greedy': return '/.+';
      case 'param': return '/[^/]+';
      default: return `/${escape(segment.name)}`;
    }
  }).join('');
  return `${body}/?`;
}

/**
 * The route of a method and path that were already checked (with {@link parseRouteKey}, at synth):
 * the authorizer builds its routes from its settings with this, without the checks.
 */
export function buildRoute(method: RouteMethod, path: string): Route {
  const segments = path === '/' ? [] : path.slice(1).split('/').map((text): Segment => {
    const name = text.replace(/^\{|\+?\}$/g, '');
    return { kind: !text.startsWith('{') ? 'static' : text.endsWith('+}') ? 'greedy' : 'param', name, text };
  });
  const arnPath = segments.map((segment) => (segment.kind === 'static' ? segment.name : '*')).join('/');
  return {
    key: `${method} ${path}`,
    method,
    path,
    segments,
    pathParameters: segments.filter((segment) => segment.kind !== 'static').map((segment) => segment.name),
    arnPattern: `${arnMethod(method)}/${arnPath}`,
  };
}

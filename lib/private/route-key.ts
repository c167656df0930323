import { IConstruct } from 'constructs';
import { HttpMethod } from '../auth/route-authorization';
import { ValidationError } from './validation-error';
import { describe } from './validators';

/**
 * The route methods, in the order messages list them: the same as the handlers' `HTTP_METHODS`,
 * which the JWT authorizer reads its route settings with (a test checks they agree).
 */
export const ROUTE_METHODS: readonly HttpMethod[] = Object.values(HttpMethod);

/** Methods whose requests carry a body worth validating. */
export const BODY_METHODS: readonly HttpMethod[] = [HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.ANY];

/** A route key that parsed: `GET /pets/{petId}`. */
export interface ParsedRoute {
  readonly key: string;
  readonly method: HttpMethod;
  /** The resource path, `/` for the root. */
  readonly path: string;
  /** The path's segments, none for the root. */
  readonly segments: readonly string[];
  /** Names of the path's `{parameters}`, without braces or `+`. */
  readonly pathParameters: readonly string[];
}

const LITERAL_SEGMENT = /^[A-Za-z0-9:._$-]+$/;
const PARAMETER_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/;
const EXAMPLE = "'GET /pets/{petId}'";

/**
 * Parses a route key of the form `<METHOD> <path>`, as in `GET /pets/{petId}`, and throws a
 * {@link ValidationError} naming what is wrong with it.
 */
export function parseRouteKey(scope: IConstruct, key: string): ParsedRoute {
  const fail = (why: string): never => {
    throw new ValidationError(`\`routeKey\` ${describe(key)} ${why}`, scope);
  };
  if (typeof key !== 'string') {
    return fail(`must be a string such as ${EXAMPLE}`);
  }
  const match = /^(\S+) (\S+)$/.exec(key);
  if (!match) {
    return fail(`must be a method, one space and a path, such as ${EXAMPLE}`);
  }
  const method = match[1] as HttpMethod;
  const path = match[2];
  if (!ROUTE_METHODS.includes(method)) {
    return fail(`has the method ${describe(match[1])}; use one of ${ROUTE_METHODS.join(', ')} (upper case)`);
  }
  if (!path.startsWith('/')) {
    return fail(`has a path that does not start with '/': write '/${path}'`);
  }
  if (path === '/') {
    return { key, method, path, segments: [], pathParameters: [] };
  }
  if (path.endsWith('/')) {
    return fail(`has a path that ends with '/': remove it, as in '${path.replace(/\/+$/, '') || '/'}'`);
  }
  const segments = path.slice(1).split('/');
  const pathParameters: string[] = [];
  segments.forEach((segment, index) => {
    if (segment === '') {
      fail(`has an empty path segment ('//'): remove the extra '/', as in '${path.replace(/\/{2,}/g, '/')}'`);
    }
    if (segment.includes('{') || segment.includes('}')) {
      const parameter = PARAMETER_SEGMENT.exec(segment);
      if (!parameter) {
        fail(`has the path segment '${segment}', which is not a parameter: a parameter is a whole segment of the form {name} or {name+}, with a name of letters, digits and '_' that does not start with a digit`);
      }
      const [, name, greedy] = parameter!;
      if (greedy && index !== segments.length - 1) {
        fail(`has the greedy parameter '${segment}' before the end of the path: {${name}+} must be the last segment`);
      }
      if (pathParameters.includes(name)) {
        fail(`names the path parameter '${name}' twice: give each parameter its own name`);
      }
      pathParameters.push(name);
    } else if (!LITERAL_SEGMENT.test(segment)) {
      fail(`has the path segment '${segment}' with characters API Gateway does not allow: use letters, digits and . _ - : $`);
    }
  });
  return { key, method, path, segments, pathParameters };
}

/**
 * The routes of one API, checked as a whole: no route twice, and at most one `{parameter}` name
 * under any one parent, which API Gateway requires (`/pets/{id}` and `/pets/{petId}` cannot both exist).
 */
export class RouteTable {
  private readonly routes = new Map<string, ParsedRoute>();
  private readonly variableChildren = new Map<string, string>();

  /** The routes added so far, in order. */
  public get all(): readonly ParsedRoute[] {
    return [...this.routes.values()];
  }

  /** Adds `route`, or throws a {@link ValidationError} naming the conflict. */
  public add(scope: IConstruct, route: ParsedRoute): void {
    const id = `${route.method} ${route.path}`;
    if (this.routes.has(id)) {
      throw new ValidationError(`\`routeKey\` ${describe(route.key)} is already a route of this API: each method and path may be added once`, scope);
    }
    let parent = '';
    for (const segment of route.segments) {
      if (segment.startsWith('{')) {
        const existing = this.variableChildren.get(parent);
        if (existing !== undefined && existing !== segment) {
          throw new ValidationError(`\`routeKey\` ${describe(route.key)} puts '${segment}' under '${parent || '/'}', where '${existing}' already is: API Gateway allows one parameter name at one place in the path, so use '${existing}'`, scope);
        }
      }
      parent = `${parent}/${segment}`;
    }
    parent = '';
    for (const segment of route.segments) {
      if (segment.startsWith('{')) {
        this.variableChildren.set(parent, segment);
      }
      parent = `${parent}/${segment}`;
    }
    this.routes.set(id, route);
  }

  /** Whether a route with this method and path exists. */
  public has(method: HttpMethod, path: string): boolean {
    return this.routes.has(`${method} ${path}`);
  }
}

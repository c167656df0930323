import { IConstruct } from 'constructs';
import {
  Route,
  RouteConflictError,
  RouteConflicts,
  RouteConflictProblem,
  RouteKeyError,
  RouteKeyProblem,
  RouteSet,
  parseRouteKey as parseRoute,
} from '../../lambda/shared/routes';
import { HttpMethod } from '../auth/route-authorization';
import { ValidationError } from './validation-error';
import { describe } from './validators';

/**
 * The constructs' side of the route model (`lambda/shared/routes`): its errors as the library's
 * `ValidationError`s, with the construct path and the fix.
 */

/**
 * The route methods, in the order messages list them: the same as the handlers' `HTTP_METHODS`,
 * which the JWT authorizer reads its route settings with (a test checks they agree).
 */
export const ROUTE_METHODS: readonly HttpMethod[] = Object.values(HttpMethod);

/** Methods whose requests carry a body worth validating. */
export const BODY_METHODS: readonly HttpMethod[] = [HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.ANY];

/** A route key that parsed: `GET /pets/{petId}`. */
export interface ParsedRoute extends Route {
  readonly method: HttpMethod;
}

const EXAMPLE = "'GET /pets/{petId}'";

/**
 * Parses a route key of the form `<METHOD> <path>`, as in `GET /pets/{petId}`, and throws a
 * {@link ValidationError} naming what is wrong with it.
 */
export function parseRouteKey(scope: IConstruct, key: string): ParsedRoute {
  try {
    return parseRoute(key) as ParsedRoute;
  } catch (error) {
    if (error instanceof RouteKeyError) {
      throw new ValidationError(`\`routeKey\` ${describe(key)} ${routeKeyProblem(key, error)}`, scope);
    }
    throw error;
  }
}

function routeKeyProblem(key: string, { problem, detail }: RouteKeyError): string {
  const path = typeof key === 'string' ? key.slice(key.indexOf(' ') + 1) : '';
  switch (problem) {
    case RouteKeyProblem.NOT_A_STRING:
      return `must be a string such as ${EXAMPLE}`;
    case RouteKeyProblem.NOT_METHOD_AND_PATH:
      return `must be a method, one space and a path, such as ${EXAMPLE}`;
    case RouteKeyProblem.UNKNOWN_METHOD:
      return `has the method ${describe(detail)}; use one of ${ROUTE_METHODS.join(', ')} (upper case)`;
    case RouteKeyProblem.NO_LEADING_SLASH:
      return `has a path that does not start with '/': write '/${path}'`;
    case RouteKeyProblem.TRAILING_SLASH:
      return `has a path that ends with '/': remove it, as in '${path.replace(/\/+$/, '') || '/'}'`;
    case RouteKeyProblem.EMPTY_SEGMENT:
      return `has an empty path segment ('//'): remove the extra '/', as in '${path.replace(/\/{2,}/g, '/')}'`;
    case RouteKeyProblem.MALFORMED_PARAMETER:
      return `has the path segment '${detail}', which is not a parameter: a parameter is a whole segment of the form {name} or {name+}, with a name of letters, digits and '_' that does not start with a digit`;
    case RouteKeyProblem.GREEDY_NOT_LAST:
      return `has the greedy parameter '${detail}' before the end of the path: ${detail} must be the last segment`;
    case RouteKeyProblem.DUPLICATE_PARAMETER:
      return `names the path parameter '${detail}' twice: give each parameter its own name`;
    case RouteKeyProblem.BAD_LITERAL:
      return `has the path segment '${detail}' with characters API Gateway does not allow: use letters, digits and . _ - : $`;
  }
}

/**
 * The routes of one API, checked as a whole: no route twice, and at most one `{parameter}` name
 * under any one parent, which API Gateway requires (`/pets/{id}` and `/pets/{petId}` cannot both exist).
 */
export class RouteTable {
  /** The route model of the routes added so far. */
  public readonly set = new RouteSet<ParsedRoute>();
  private readonly conflicts = new RouteConflicts();

  /** The routes added so far, in order. */
  public get all(): readonly ParsedRoute[] {
    return [...this.set.routes];
  }

  /** Adds `route`, or throws a {@link ValidationError} naming the conflict. */
  public add(scope: IConstruct, route: ParsedRoute): void {
    try {
      this.conflicts.add(route);
    } catch (error) {
      if (!(error instanceof RouteConflictError)) {
        throw error;
      }
      if (error.problem === RouteConflictProblem.DUPLICATE || !error.conflict) {
        throw new ValidationError(`\`routeKey\` ${describe(route.key)} is already a route of this API: each method and path may be added once`, scope);
      }
      const { segment, parent, existing } = error.conflict;
      throw new ValidationError(`\`routeKey\` ${describe(route.key)} puts '${segment}' under '${parent}', where '${existing}' already is: API Gateway allows one parameter name at one place in the path, so use '${existing}'`, scope);
    }
    this.set.add(route);
  }

  /** Whether a route with this method and path exists. */
  public has(method: HttpMethod, path: string): boolean {
    return this.set.get(`${method} ${path}`) !== undefined;
  }
}

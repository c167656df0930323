import type { Route } from './route';

/** Why a route cannot join a {@link RouteConflicts}. */
export enum RouteConflictProblem {
  /** The same method and path are already a route. */
  DUPLICATE = 'duplicate',
  /** Another parameter name is already at this place of the path; `detail` is that name's segment. */
  PARAMETER_NAME = 'parameter-name',
}

/** A route that conflicts with the routes already in a {@link RouteConflicts}. */
export class RouteConflictError extends Error {
  constructor(
    public readonly route: Route,
    public readonly problem: RouteConflictProblem,
    /** For {@link RouteConflictProblem.PARAMETER_NAME}: the segment of the new route, its parent path and the existing segment. */
    public readonly conflict?: { readonly segment: string; readonly parent: string; readonly existing: string },
  ) {
    super(`route ${route.key}: ${problem}`);
    this.name = 'RouteConflictError';
  }
}

/**
 * The checks API Gateway makes when a route is added to an API: a method and path may be added
 * once, and one parameter name at one place of the path (`/pets/{id}` and `/pets/{petId}` cannot
 * both exist). Kept apart from {@link RouteSet}, which the authorizer's policy compiler uses on
 * routes already checked.
 */
export class RouteConflicts {
  readonly #keys = new Set<string>();
  readonly #parameterChildren = new Map<string, string>();

  /** Adds a route, or throws a {@link RouteConflictError} and adds nothing. */
  public add(route: Route): void {
    if (this.#keys.has(route.key)) {
      throw new RouteConflictError(route, RouteConflictProblem.DUPLICATE);
    }
    const parents: string[] = [];
    let parent = '';
    for (const segment of route.segments) {
      if (segment.kind !== 'static') {
        const existing = this.#parameterChildren.get(parent);
        if (existing !== undefined && existing !== segment.text) {
          throw new RouteConflictError(route, RouteConflictProblem.PARAMETER_NAME, { segment: segment.text, parent: parent || '/', existing });
        }
        parents.push(parent);
      }
      parent = `${parent}/${segment.text}`;
    }
    route.segments.forEach((segment) => {
      if (segment.kind !== 'static') {
        this.#parameterChildren.set(parents.shift()!, segment.text);
      }
    });
    this.#keys.add(route.key);
  }
}

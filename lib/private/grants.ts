import { Route, RouteSet, describeRequest } from '../../lambda/shared/routes';

/** An IAM route that a grant of other routes reaches, and a request that shows it. */
export interface GrantOverreach {
  /** The granted route whose ARN reaches further. */
  readonly granted: Route;
  /** The IAM route it reaches, which was not granted. */
  readonly reached: Route;
  /** A request API Gateway sends to `reached` that the granted ARN matches, as a client writes it. */
  readonly request: string;
}

/**
 * The IAM routes that a grant of `granted` reaches without granting them: an `execute-api:Invoke`
 * grant is the routes' ARN patterns, whose `*` matches across `/` and whose pattern for a
 * `{parameter}` also matches the trailing slash of its parent (`GET/pets/*` matches `GET/pets/`,
 * which API Gateway sends to `GET /pets`). Only routes in `iamRoutes` matter: IAM policies decide
 * nothing on routes of other authorizations.
 */
export function grantOverreach(routes: RouteSet, granted: readonly Route[], iamRoutes: readonly Route[]): GrantOverreach[] {
  const grantedKeys = new Set(granted.map((route) => route.key));
  return granted.flatMap((route) => iamRoutes
    .filter((other) => !grantedKeys.has(other.key))
    .flatMap((other) => {
      const request = routes.witness(route.arnPattern, other);
      return request ? [{ granted: route, reached: other, request: describeRequest(request) }] : [];
    }));
}

import { RouteTable } from '../../../lambda/jwt-authorizer/route-policy';
import { parsePlan } from '../../../lambda/jwt-authorizer/settings';
import type { JwtRouteSettings } from '../../../lambda/shared/constants';
import { PolicyRoute, PolicyTable } from '../../../lambda/shared/routes';

/**
 * The handler's {@link RouteTable} on the plan the construct compiles for `settings`, carried
 * through JSON and checked as the handler reads it from its settings file; with the compiler's
 * routes and reach, for the tests' own checks.
 */
export class CompiledRouteTable extends RouteTable {
  /** Whether the caller's permissions satisfy the route's requirements. */
  public static readonly permits = PolicyTable.permits;

  public readonly routes: readonly PolicyRoute[];
  readonly #compiled: PolicyTable;

  constructor(settings: readonly JwtRouteSettings[]) {
    const compiled = new PolicyTable(settings);
    super(parsePlan(JSON.parse(JSON.stringify(compiled.plan))));
    this.#compiled = compiled;
    this.routes = compiled.routes;
  }

  /** Whether the ARN pattern of `from` matches a request that API Gateway routes to `to`. */
  public reaches(from: PolicyRoute, to: PolicyRoute): boolean {
    return this.#compiled.reaches(from, to);
  }
}

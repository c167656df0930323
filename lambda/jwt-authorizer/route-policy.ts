import { CallerPolicy, PolicyRoute, PolicyTable } from '../shared/routes';
import type { Permissions } from './claims';
import { UnauthorizedError } from './errors';

/**
 * The authorizer's route table: the route model's policy builder (`lambda/shared/routes/policy.ts`,
 * which the construct also runs at synth to check the policies' size), for the API and stage that
 * an event's `methodArn` names.
 */

export type { CallerPolicy };
/** A route of the API, and what this authorizer requires on it. */
export type Route = PolicyRoute;

/** `arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/`, the part shared by every route. */
const METHOD_ARN_PREFIX = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+\/)[A-Z*]+\//;

/** The API's routes, and the policy each caller gets. */
export class RouteTable extends PolicyTable {
  /**
   * The policy for a caller with `permissions`, for the API and stage of `methodArn`.
   * Throws an {@link UnauthorizedError} if `methodArn` is not an execute-api method ARN.
   */
  public policyFor(methodArn: string, permissions: Permissions): CallerPolicy {
    const prefix = METHOD_ARN_PREFIX.exec(methodArn)?.[1];
    if (!prefix) {
      throw new UnauthorizedError('bad-method-arn', 'the methodArn is not an execute-api method ARN');
    }
    return this.policyForPrefix(prefix, permissions);
  }
}

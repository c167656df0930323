import { CallerPolicy, PolicyPlanner } from '../shared/routes/planner';
import type { Permissions } from './claims';
import { UnauthorizedError } from './errors';

/**
 * The authorizer's route table: the policy planner of the route model
 * (`lambda/shared/routes/planner.ts`) on the plan the construct compiled at synth, for the API and
 * stage that an event's `methodArn` names. Imported from its own module, not the route model's
 * index, so the bundle holds no route parsing, glob matching or reach search.
 */

export type { CallerPolicy };

/** `arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/`, the part shared by every route. */
const METHOD_ARN_PREFIX = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+\/)[A-Z*]+\//;

/** The API's routes, and the policy each caller gets. */
export class RouteTable extends PolicyPlanner {
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

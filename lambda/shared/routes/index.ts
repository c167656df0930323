/**
 * The one route model of the library: parsing and canonical keys, ARN patterns, IAM's glob
 * matching, API Gateway's precedence, what an ARN pattern reaches, and the JWT authorizer's policy
 * (its plan compiled at synth, its policies planned at run time). Pure, without CDK: the constructs
 * and the handlers both import it, and nothing else matches routes. The JWT authorizer imports
 * `planner.ts` alone, so its bundle carries none of the rest.
 */
export * from './route';
export * from './glob';
export * from './route-set';
export * from './conflicts';
export * from './planner';
export * from './policy';

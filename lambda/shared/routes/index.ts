/**
 * The one route model of the library: parsing and canonical keys, ARN patterns, IAM's glob
 * matching, API Gateway's precedence, and what an ARN pattern reaches. Pure, without CDK: the
 * constructs and the handlers both import it, and nothing else matches routes.
 */
export * from './route';
export * from './glob';
export * from './route-set';
export * from './conflicts';
export * from './policy';

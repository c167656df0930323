import { Construct, IConstruct } from 'constructs';
import type { ISecureRestApi } from '../secure-rest-api';
import { ValidationError } from './validation-error';
import { describe } from './validators';

/**
 * Each member of `ISecureRestApi` the parts rely on, with what `typeof` gives for it. The type makes
 * the compiler list every member of the interface here (`alarms` is optional).
 */
const MEMBERS: { readonly [K in Exclude<keyof ISecureRestApi, keyof IConstruct | 'alarms'>]-?: 'object' | 'function' } = {
  api: 'object',
  stage: 'object',
  key: 'object',
  encryption: 'object',
  accessLogGroup: 'object',
  accessLogMetrics: 'object',
  accessMatrix: 'object',
  routes: 'object',
  methodFor: 'function',
  throttleFor: 'function',
  metricClientError: 'function',
  metricServerError: 'function',
  metricCount: 'function',
  metricLatency: 'function',
  metricFailedAuthentications: 'function',
  metricThrottledRequests: 'function',
  metricIntegrationErrors: 'function',
  metricAuthorizerFailures: 'function',
};

/**
 * Whether `x` is a construct that implements `ISecureRestApi`: a `SecureRestApi` of any copy of the
 * library, or another implementation. Checked by shape, not with `instanceof`, so that an app
 * holding two copies of the library (or of aws-cdk-lib) still works. For the parts' `api` props,
 * which callers in JavaScript or other languages can fill with anything, such as an `apigw.RestApi`.
 */
export function implementsSecureRestApi(x: unknown): x is ISecureRestApi {
  return Boolean(Construct.isConstruct(x)) && Object.entries(MEMBERS).every(([name, kind]) => typeof (x as unknown as Record<string, unknown>)[name] === kind);
}

/**
 * Returns `api` when it implements `ISecureRestApi`, else throws a `ValidationError` at `scope`
 * naming what was received and `purpose` (what the part needs the API for).
 */
export function validateSecureRestApi(scope: IConstruct, api: unknown, purpose: string): ISecureRestApi {
  if (!implementsSecureRestApi(api)) {
    const received = Construct.isConstruct(api) ? `the construct at '${api.node.path}'` : describe(api);
    throw new ValidationError(`\`api\` must be a SecureRestApi, got ${received}: pass ${purpose}`, scope);
  }
  return api;
}

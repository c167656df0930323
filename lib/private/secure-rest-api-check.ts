import { Construct, IConstruct } from 'constructs';
import type { ISecureRestApi } from '../secure-rest-api';

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
  _attachFirewall: 'function',
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

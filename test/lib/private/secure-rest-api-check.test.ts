import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { SecureRestApi } from '../../../lib';
import { implementsSecureRestApi } from '../../../lib/private/secure-rest-api-check';
import { newStack } from '../../helpers/stack';

describe('implementsSecureRestApi', () => {
  test('is true for a SecureRestApi', () => {
    expect(implementsSecureRestApi(new SecureRestApi(newStack(), 'Api'))).toBe(true);
  });

  test('is true for a construct of another class with the members of ISecureRestApi, such as a SecureRestApi of another copy of the library', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    const foreign = new Construct(stack, 'Foreign');
    for (const name of ['api', 'stage', 'key', 'encryption', 'accessLogGroup', 'accessLogMetrics', 'accessMatrix', 'routes']) {
      Object.defineProperty(foreign, name, { value: (api as never)[name] });
    }
    for (const name of ['methodFor', 'throttleFor', 'metricClientError', 'metricServerError', 'metricCount', 'metricLatency',
      'metricFailedAuthentications', 'metricThrottledRequests', 'metricIntegrationErrors', 'metricAuthorizerFailures', '_attachFirewall']) {
      Object.defineProperty(foreign, name, { value: () => undefined });
    }
    expect(foreign).not.toBeInstanceOf(SecureRestApi);
    expect(implementsSecureRestApi(foreign)).toBe(true);
  });

  test('is false for an apigw.RestApi, which lacks what the parts need', () => {
    const stack = newStack();
    expect(implementsSecureRestApi(new apigw.RestApi(stack, 'Plain'))).toBe(false);
  });

  test('is false for an object with the members that is not a construct', () => {
    const api = new SecureRestApi(newStack(), 'Api');
    expect(implementsSecureRestApi({ ...api, methodFor: api.methodFor, throttleFor: api.throttleFor })).toBe(false);
  });

  test.each([undefined, null, 'Api', 42, {}])('is false for %p', (value) => {
    expect(implementsSecureRestApi(value)).toBe(false);
  });
});

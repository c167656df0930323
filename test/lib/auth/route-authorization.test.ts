import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { HttpMethod, LambdaRouteIntegration, RouteAuthorization, RouteAuthorizationConfig, RouteDescription, SecureRestApi } from '../../../lib';
import { foreignInstance } from '../../helpers/brands';
import { inlineFunction, newStack } from '../../helpers/stack';

/** An authorization written by a user of the library, as a subclass in their own code. */
class CustomAuthorization extends RouteAuthorization {
  public readonly description = 'custom';

  public bind(): RouteAuthorizationConfig {
    return { authorizationType: apigw.AuthorizationType.IAM, apiKeyRequired: false };
  }
}

describe('RouteAuthorization.isRouteAuthorization', () => {
  test.each([
    ['iam()', RouteAuthorization.iam()],
    ['apiKey()', RouteAuthorization.apiKey()],
    ['publicAccess()', RouteAuthorization.publicAccess('health check')],
    ['a subclass of the user\'s', new CustomAuthorization()],
    ['one of another copy of the library', foreignInstance('RouteAuthorization')],
  ])('is true for %s', (_name, value) => {
    expect(RouteAuthorization.isRouteAuthorization(value)).toBe(true);
  });

  test.each([
    ['an object with the same members', { description: 'IAM', bind: () => ({ authorizationType: apigw.AuthorizationType.IAM, apiKeyRequired: false }) }],
    ['an authorization type', apigw.AuthorizationType.IAM],
    ['undefined', undefined],
    ['null', null],
  ])('is false for %s', (_name, value) => {
    expect(RouteAuthorization.isRouteAuthorization(value)).toBe(false);
  });

  test('addRoute takes an authorization of another copy of the library', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    const authorization = foreignInstance('RouteAuthorization', {
      description: 'IAM (another copy)',
      bind: (): RouteAuthorizationConfig => ({ authorizationType: apigw.AuthorizationType.IAM, apiKeyRequired: false }),
    }) as RouteAuthorization;
    api.addRoute('GET /pets', { authorization, integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    expect(api.accessMatrix).toEqual([{ routeKey: 'GET /pets', authorization: 'IAM (another copy)', apiKeyRequired: false }]);
  });

  test('binds with the route\'s method as an HttpMethod', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    const seen: unknown[] = [];
    class Recording extends RouteAuthorization {
      public readonly description = 'recording';

      public bind(_scope: IConstruct, route: RouteDescription): RouteAuthorizationConfig {
        seen.push(route.method);
        return { authorizationType: apigw.AuthorizationType.IAM, apiKeyRequired: false };
      }
    }
    api.addRoute('DELETE /pets/{petId}', { authorization: new Recording(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    expect(seen).toEqual([HttpMethod.DELETE]);
  });
});

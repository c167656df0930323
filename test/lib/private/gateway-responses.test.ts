import { Template } from 'aws-cdk-lib/assertions';
import { RouteAuthorization, SecureRestApi } from '../../../lib';
import { LambdaRouteIntegration } from '../../../lib/integrations/lambda-route-integration';
import { addGatewayResponseHeader } from '../../../lib/private/gateway-responses';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { inlineFunction, newStack } from '../../helpers/stack';

function apiWithARoute(stack: ReturnType<typeof newStack>): SecureRestApi {
  const api = new SecureRestApi(stack, 'Api');
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('a health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
  return api;
}

function deploymentIds(template: Template): string[] {
  return Object.keys(template.findResources('AWS::ApiGateway::Deployment'));
}

describe('headers other parts add to every gateway response', () => {
  test('are rendered at synth on every response, after the security headers, and change the deployment', () => {
    const before = newStack();
    apiWithARoute(before);
    const stack = newStack();
    const api = apiWithARoute(stack);
    addGatewayResponseHeader(api, 'Deprecation', "'@1767225600'", 'the deprecated version v1');
    const template = Template.fromStack(stack);
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses.length).toBeGreaterThanOrEqual(20);
    for (const response of responses) {
      expect(response.Properties.ResponseParameters['gatewayresponse.header.Deprecation']).toBe("'@1767225600'");
      expect(response.Properties.ResponseParameters['gatewayresponse.header.Strict-Transport-Security']).toBeDefined();
    }
    expect(deploymentIds(template)).not.toEqual(deploymentIds(Template.fromStack(before)));
  });

  test('the same value twice is accepted; another value for the same header, in any case, names both parts', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    addGatewayResponseHeader(api, 'Vary', "'Origin'", 'CORS');
    addGatewayResponseHeader(api, 'vary', "'Origin'", 'CORS');
    expect(errorOf(ValidationError, () => addGatewayResponseHeader(api, 'VARY', "'Accept'", 'the deprecated version v1')).message)
      .toContain("the deprecated version v1 sets the gateway-response header VARY to 'Accept', but CORS already set it to 'Origin': give it one value");
  });

  test('a security header cannot be replaced', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    expect(errorOf(ValidationError, () => addGatewayResponseHeader(api, 'strict-transport-security', "'max-age=0'", 'CORS')).message)
      .toContain("CORS cannot set the gateway-response header strict-transport-security: it is one of the API's security headers");
  });
});

/**
 * CORS on a SecureRestApi: the preflight routes API Gateway answers, the access matrix, the gateway
 * responses' headers, the stage variables for Lambda proxy backends, and the firewall still applying.
 */
import { Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ApiFirewall, JwtAuthorizer, LambdaRouteIntegration, RouteAuthorization, SecureRestApi, SecureRestApiProps } from '../../lib';
import { PREFLIGHT_REASON } from '../../lib/private/cors';
import { ValidationError } from '../../lib/private/validation-error';
import { errorOf } from '../helpers/errors';
import { inlineFunction, newStack } from '../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../helpers/template-validator';
import { matches } from '../helpers/waf-evaluator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';
const AT = ' (at TestStack/Api)';

function build(props: SecureRestApiProps = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api', { cors: { allowOrigins: [APP] }, ...props });
  const integration = new LambdaRouteIntegration(inlineFunction(stack));
  return { stack, api, integration };
}

/** An API with CORS and one route, ready to synth. */
function buildWithRoute(props: SecureRestApiProps = {}) {
  const built = build(props);
  built.api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: built.integration });
  return built;
}

/** The OPTIONS method of `path` in `template`, found by its resource's path part. */
function optionsMethods(template: Template): Record<string, any>[] {
  return Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } })).map((resource) => resource.Properties);
}

function header(name: string): string {
  return `method.response.header.${name}`;
}

describe('preflight routes', () => {
  test('every path with a route gets one OPTIONS route, with a MOCK integration, no authorization and no API key', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('POST /pets', { authorization: RouteAuthorization.apiKey(), integration, requestBodySchema: {} });
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    const template = Template.fromStack(stack);
    const methods = optionsMethods(template);
    expect(methods).toHaveLength(2);
    for (const method of methods) {
      expect(method).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: false, Integration: { Type: 'MOCK', RequestTemplates: { 'application/json': '{"statusCode": 204}' } } });
      expect(method.AuthorizerId).toBeUndefined();
    }
  });

  test('Access-Control-Allow-Methods lists the methods of the path, routes added after the preflight included', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('GET /orders', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('DELETE /pets', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('ANY /things', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: {} });
    const allowed = (path: string) => {
      const method = api.methodFor(`OPTIONS ${path}`);
      return Stack.of(method).resolve((method.node.defaultChild as apigw.CfnMethod).integration)
        .integrationResponses[0].responseParameters[header('Access-Control-Allow-Methods')];
    };
    Template.fromStack(stack);
    expect(allowed('/pets')).toBe("'GET,DELETE,OPTIONS'");
    expect(allowed('/orders')).toBe("'GET,OPTIONS'");
    expect(allowed('/things')).toBe("'GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS'");
  });

  test('one origin: every CORS header is static, in the integration response and declared in the method response', () => {
    const { stack, api, integration } = build({ cors: { allowOrigins: [APP], allowCredentials: true, maxAge: Duration.minutes(30) } });
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    const expected = {
      [header('Access-Control-Allow-Origin')]: `'${APP}'`,
      [header('Vary')]: "'Origin'",
      [header('Access-Control-Allow-Methods')]: "'GET,OPTIONS'",
      [header('Access-Control-Allow-Headers')]: "'Content-Type,Authorization,X-Api-Key,X-Amz-Date,X-Amz-Security-Token'",
      [header('Access-Control-Max-Age')]: "'1800'",
      [header('Access-Control-Allow-Credentials')]: "'true'",
    };
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: { IntegrationResponses: [{ StatusCode: '204', ResponseParameters: expected, ResponseTemplates: Match.absent() }] },
      MethodResponses: [{ StatusCode: '204', ResponseParameters: Object.fromEntries(Object.keys(expected).map((key) => [key, true])) }],
    });
  });

  test('several origins: the template sets Access-Control-Allow-Origin only for an exact match, and no static origin is sent', () => {
    const { stack, api, integration } = build({ cors: { allowOrigins: [APP, ADMIN] } });
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    const [method] = optionsMethods(Template.fromStack(stack));
    const response = method.Integration.IntegrationResponses[0];
    expect(response.StatusCode).toBe('204');
    expect(response.ResponseParameters[header('Access-Control-Allow-Origin')]).toBeUndefined();
    expect(response.ResponseParameters[header('Vary')]).toBe("'Origin'");
    expect(response.ResponseParameters[header('Access-Control-Allow-Credentials')]).toBeUndefined();
    expect(response.ResponseTemplates['application/json']).toBe([
      '#set($origin = $input.params().header.get("Origin"))',
      '#if("$!origin" == "")',
      '  #set($origin = $input.params().header.get("origin"))',
      '#end',
      `#if($origin == "${APP}" || $origin == "${ADMIN}")`,
      '  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
      '#end',
      '',
    ].join('\n'));
    expect(method.MethodResponses[0].ResponseParameters[header('Access-Control-Allow-Origin')]).toBe(true);
  });

  test('the preflights are in the access matrix and the routes, public with the reason, after the route that made them', () => {
    const { api, integration } = build();
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('DELETE /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    expect(api.accessMatrix).toEqual([
      { routeKey: 'GET /pets/{petId}', authorization: 'IAM', apiKeyRequired: false },
      { routeKey: 'OPTIONS /pets/{petId}', authorization: `public: ${PREFLIGHT_REASON}`, apiKeyRequired: false },
      { routeKey: 'DELETE /pets/{petId}', authorization: 'IAM', apiKeyRequired: false },
    ]);
    expect(api.routes[1]).toEqual({
      routeKey: 'OPTIONS /pets/{petId}',
      method: 'OPTIONS',
      path: '/pets/{petId}',
      pathParameters: ['petId'],
      authorizationType: apigw.AuthorizationType.NONE,
      authorization: `public: ${PREFLIGHT_REASON}`,
      apiKeyRequired: false,
    });
  });

  test('routes given in the props get their preflights too', () => {
    const stack = newStack();
    const integration = new LambdaRouteIntegration(inlineFunction(stack));
    const api = new SecureRestApi(stack, 'Api', { cors: { allowOrigins: [APP] }, routes: { 'GET /health': { authorization: RouteAuthorization.publicAccess('health check'), integration } } });
    expect(api.accessMatrix.map((entry) => entry.routeKey)).toEqual(['GET /health', 'OPTIONS /health']);
  });

  test('without cors there is no OPTIONS route, no CORS header and no CORS stage variable', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const template = Template.fromStack(stack);
    expect(optionsMethods(template)).toHaveLength(0);
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': Match.absent() } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { Variables: Match.absent() });
  });

  test('an OPTIONS route of the user\'s is refused, before or after the other routes of its path', () => {
    const { api, integration } = build();
    const message = "`routes['OPTIONS /pets']` is an OPTIONS route, but with `cors` the API answers OPTIONS (the CORS preflight) on every path that has a route: remove the route, or leave out `cors` and answer preflights yourself" + AT;
    expect(errorOf(ValidationError, () => api.addRoute('OPTIONS /pets', { authorization: RouteAuthorization.iam(), integration })).message).toBe(message);
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    expect(errorOf(ValidationError, () => api.addRoute('OPTIONS /pets', { authorization: RouteAuthorization.iam(), integration })).message).toBe(message);
  });

  test('without cors, an OPTIONS route of the user\'s is still accepted', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    api.addRoute('OPTIONS /pets', { authorization: RouteAuthorization.publicAccess('own preflight'), integration: new apigw.MockIntegration() });
    expect(api.accessMatrix.map((entry) => entry.routeKey)).toEqual(['OPTIONS /pets']);
  });

  test('an IAM grant of an ANY route does not count the public preflight on its path as overreach', () => {
    const { stack, api, integration } = build();
    api.addRoute('ANY /admin/{proxy+}', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: {} });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(role, 'ANY /admin/{proxy+}');
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(api.throttleFor('OPTIONS /admin/{proxy+}')).toEqual(api.throttleFor());
  });

  test('an ANY route\'s own throttle also applies to the preflight of its path, as API Gateway applies `*` method settings', () => {
    const { api, integration } = build();
    api.addRoute('ANY /upload', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: {}, throttle: { rateLimit: 5, burstLimit: 10 } });
    expect(api.throttleFor('OPTIONS /upload')).toEqual({ rateLimit: 5, burstLimit: 10 });
  });

  test('a JWT authorizer on the other routes of a path leaves its preflight alone', () => {
    const { stack, api, integration } = build();
    const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers: [{ issuer: 'https://login.example.com/', audience: ['https://pets.example.com'], scopes: ['pets:read'] }] });
    api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets:read'] }), integration });
    api.addRoute('ANY /pets/{petId}', { authorization: jwt.authorize({ scopes: ['pets:read'] }), integration, requestBodySchema: {} });
    const template = Template.fromStack(stack);
    expect(optionsMethods(template).map((method) => [method.AuthorizationType, method.AuthorizerId])).toEqual([['NONE', undefined], ['NONE', undefined]]);
    expect(api.routes.filter((route) => route.authorizationType === apigw.AuthorizationType.CUSTOM).map((route) => route.routeKey)).toEqual(['GET /pets', 'ANY /pets/{petId}']);
  });

  test('a preflight goes to the stack of its path\'s first route and counts toward no stack\'s routes', () => {
    const { stack, api, integration } = build({ routesInApiStack: 2, routesPerNestedStack: 2 });
    api.addRoute('GET /a', { authorization: RouteAuthorization.iam(), integration }); // route 0: API stack, with OPTIONS /a
    api.addRoute('POST /a', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: {} }); // route 1: API stack
    api.addRoute('GET /b', { authorization: RouteAuthorization.iam(), integration }); // route 2: Routes1, with OPTIONS /b
    api.addRoute('GET /a/c', { authorization: RouteAuthorization.iam(), integration }); // route 3: Routes1, with OPTIONS /a/c
    expect(optionsMethods(Template.fromStack(stack))).toHaveLength(1);
    const nested = api.node.children.filter((child): child is NestedStack => child instanceof NestedStack);
    expect(nested.map((child) => child.node.id)).toEqual(['Routes1']);
    expect(optionsMethods(Template.fromStack(nested[0]))).toHaveLength(2);
    for (const routeKey of ['OPTIONS /b', 'OPTIONS /a/c']) {
      expect(Stack.of(api.methodFor(routeKey))).toBe(nested[0]);
    }
    expect(optionsMethods(Template.fromStack(nested[0]))[0]).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
  });

  test('turning CORS on moves no route to another stack', () => {
    const stackOfEachRoute = (cors: boolean) => {
      const { api, integration } = build({ routesInApiStack: 3, routesPerNestedStack: 2, ...(cors ? {} : { cors: undefined }) });
      for (const path of ['/a', '/b', '/c', '/d', '/e', '/f', '/g']) {
        api.addRoute(`GET ${path}`, { authorization: RouteAuthorization.iam(), integration });
      }
      return api.routes.filter((route) => route.method !== 'OPTIONS').map((route) => [route.routeKey, Stack.of(api.methodFor(route.routeKey)).node.id]);
    };
    expect(stackOfEachRoute(true)).toEqual(stackOfEachRoute(false));
    expect(new Set(stackOfEachRoute(true).map(([, stack]) => stack))).toEqual(new Set(['TestStack', 'Routes1', 'Routes2']));
  });
});

describe('gateway responses', () => {
  const GR = (name: string) => `gatewayresponse.header.${name}`;

  test('one origin with credentials: the origin, Vary and Access-Control-Allow-Credentials are static, on every gateway response', () => {
    const { stack } = buildWithRoute({ cors: { allowOrigins: [APP], allowCredentials: true, exposeHeaders: ['X-Request-Id'] } });
    const template = Template.fromStack(stack);
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses.length).toBeGreaterThan(10);
    for (const response of responses) {
      expect(response.Properties.ResponseParameters).toMatchObject({
        [GR('Access-Control-Allow-Origin')]: `'${APP}'`,
        [GR('Vary')]: "'Origin'",
        [GR('Access-Control-Allow-Credentials')]: "'true'",
        [GR('Access-Control-Expose-Headers')]: "'X-Request-Id'",
        [GR('Strict-Transport-Security')]: "'max-age=63072000; includeSubDomains'",
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'UNAUTHORIZED', StatusCode: '401' });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'THROTTLED', StatusCode: '429' });
  });

  test('several origins: the request\'s Origin is reflected on the generic error, never with Access-Control-Allow-Credentials', () => {
    const { stack } = buildWithRoute({ cors: { allowOrigins: [APP, ADMIN], allowCredentials: true } });
    const template = Template.fromStack(stack);
    for (const response of Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'))) {
      const parameters = response.Properties.ResponseParameters;
      expect(parameters[GR('Access-Control-Allow-Origin')]).toBe('method.request.header.origin');
      expect(parameters[GR('Vary')]).toBe("'Origin'");
      expect(parameters[GR('Access-Control-Allow-Credentials')]).toBeUndefined();
      // What a reflected origin can read: the fixed message and the request id.
      expect(Object.values(response.Properties.ResponseTemplates)[0]).toMatch(/^\{"message":"[A-Za-z ]+","requestId":"\$context\.requestId"\}$/);
    }
    Annotations.fromStack(stack).hasWarning('/TestStack/Api', Match.stringLikeRegexp('allows credentials from several origins'));
  });

  test('several origins without credentials: no warning', () => {
    const { stack } = buildWithRoute({ cors: { allowOrigins: [APP, ADMIN] } });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cors-gateway-responses'))).toHaveLength(0);
  });

  test('any origin: a static *, without Vary', () => {
    const { stack } = buildWithRoute({ cors: { allowOrigins: ['*'], allowHeaders: ['Content-Type'] } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: Match.objectLike({ [GR('Access-Control-Allow-Origin')]: "'*'", [GR('Vary')]: Match.absent() }),
    });
  });
});

describe('stage variables for Lambda proxy backends', () => {
  test('the origins comma-joined, the credentials flag and the exposed headers', () => {
    const { stack } = buildWithRoute({ cors: { allowOrigins: [APP, 'http://localhost:3000'], allowInsecureOrigins: true, allowCredentials: true, exposeHeaders: ['X-Request-Id', 'ETag'] } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      Variables: {
        secureApiCorsOrigins: `${APP},http://localhost:3000`,
        secureApiCorsCredentials: 'true',
        secureApiCorsExposeHeaders: 'X-Request-Id,ETag',
      },
    });
  });

  test('defaults: no credentials, no exposed headers; * as the word any', () => {
    const { stack } = buildWithRoute({ cors: { allowOrigins: ['*'], allowHeaders: ['Content-Type'] } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      Variables: { secureApiCorsOrigins: 'any', secureApiCorsCredentials: 'false', secureApiCorsExposeHeaders: Match.absent() },
    });
  });
});

describe('validation through the API', () => {
  test('a bad origin names the prop and the construct', () => {
    const stack = newStack();
    expect(errorOf(ValidationError, () => new SecureRestApi(stack, 'Api', { cors: { allowOrigins: ['https://app.example.com/'] } })).message).toBe(
      "`cors.allowOrigins[0]` must be an origin (scheme://host[:port]) without a path, query, fragment or trailing slash, got 'https://app.example.com/': browsers send the origin without them, so use 'https://app.example.com'" + AT);
  });
});

describe('the firewall still applies to preflights', () => {
  type Rule = Record<string, any>;
  function withFirewall() {
    const { stack, api, integration } = build({ throttle: { rateLimit: 50, burstLimit: 100 } });
    api.addRoute('POST /login', { authorization: RouteAuthorization.publicAccess('sign-in'), integration, requestBodySchema: {} });
    new ApiFirewall(stack, 'Firewall', {
      api,
      routeRateLimits: [{ routeKey: 'POST /login', limit: 10 }, { routeKey: 'OPTIONS /login', limit: 100, ruleName: 'LoginPreflight' }],
    });
    const template = Template.fromStack(stack);
    const rules: Rule[] = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules;
    return { api, template, rule: (name: string) => rules.find((rule) => rule.Name === name)! };
  }

  test('the per-address rate rule has no scope-down, so it counts preflights with every other request', () => {
    const { rule } = withFirewall();
    const perIp = rule('RateLimitPerIp').Statement.RateBasedStatement;
    expect(perIp.AggregateKeyType).toBe('IP');
    expect(perIp.ScopeDownStatement).toBeUndefined();
  });

  test('a route rule counts its own method only: POST /login\'s does not count OPTIONS /login, which a rule of its own can limit', () => {
    const { rule } = withFirewall();
    const login = rule('RateLimit-POST-login');
    expect(matches(login.Statement.RateBasedStatement.ScopeDownStatement, { method: 'POST', uriPath: '/v1/login' })).toBe(true);
    expect(matches(login.Statement.RateBasedStatement.ScopeDownStatement, { method: 'OPTIONS', uriPath: '/v1/login' })).toBe(false);
    const preflight = rule('LoginPreflight');
    expect(matches(preflight.Statement.RateBasedStatement.ScopeDownStatement, { method: 'OPTIONS', uriPath: '/v1/login' })).toBe(true);
    expect(matches(preflight.Statement.RateBasedStatement.ScopeDownStatement, { method: 'OPTIONS', uriPath: '/v1//login' })).toBe(true);
  });

  test('the stage throttle applies to preflights: they have no method setting of their own', () => {
    const { api, template } = withFirewall();
    expect(api.throttleFor('OPTIONS /login')).toEqual({ rateLimit: 50, burstLimit: 100 });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
  });

  test('the firewall\'s own 403 and 429 carry the single allowed origin, so a page can read them', () => {
    const { rule } = withFirewall();
    expect(rule('RateLimitPerIp').Action.Block.CustomResponse).toEqual({
      ResponseCode: 429,
      CustomResponseBodyKey: 'TooManyRequests',
      ResponseHeaders: [
        { Name: 'Strict-Transport-Security', Value: 'max-age=63072000; includeSubDomains' },
        { Name: 'X-Content-Type-Options', Value: 'nosniff' },
        { Name: 'Cache-Control', Value: 'no-store' },
        { Name: 'X-Frame-Options', Value: 'DENY' },
        { Name: 'Access-Control-Allow-Origin', Value: APP },
        { Name: 'Vary', Value: 'Origin' },
      ],
    });
  });

  test('with several origins, the firewall\'s responses carry no CORS header: AWS WAF cannot reflect the Origin', () => {
    const { stack, api, integration } = build({ cors: { allowOrigins: [APP, ADMIN], allowCredentials: true } });
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    new ApiFirewall(stack, 'Firewall', { api });
    const rules: Rule[] = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules;
    const headers = rules.find((rule) => rule.Name === 'RateLimitPerIp')!.Action.Block.CustomResponse.ResponseHeaders;
    expect(headers.map((h: Rule) => h.Name)).toEqual(['Strict-Transport-Security', 'X-Content-Type-Options', 'Cache-Control', 'X-Frame-Options']);
  });
});

describe('CORS with a deprecated version', () => {
  test('exposes Deprecation, Sunset and Link to pages, after the headers given, once each', () => {
    const { stack } = buildWithRoute({
      cors: { allowOrigins: [APP], exposeHeaders: ['X-Request-Id', 'link'] },
      deprecation: { deprecatedOn: '2026-06-01', sunsetOn: '2099-12-31', link: 'https://example.com/migrate' },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { Variables: Match.objectLike({ secureApiCorsExposeHeaders: 'X-Request-Id,link,Deprecation,Sunset' }) });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Access-Control-Expose-Headers': "'X-Request-Id,link,Deprecation,Sunset'" }),
    });
  });
});

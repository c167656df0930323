import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  ApiEndpointType,
  HttpMethod,
  LambdaRouteIntegration,
  RouteAuthorization,
  SecureRestApi,
  SecureRestApiProps,
} from '../../lib';
import { ACCESS_LOG_KEYS, SECURITY_HEADERS } from '../../lambda/shared/constants';
import { foreignInstance } from '../helpers/brands';
import { inlineFunction, logicalId, newStack } from '../helpers/stack';
import { skipTemplateValidatorInThisFile, withTemplateValidator } from '../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

function build(props: SecureRestApiProps = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api', props);
  const fn = inlineFunction(stack);
  const integration = new LambdaRouteIntegration(fn);
  return { stack, api, fn, integration };
}

/** An API with one route: API Gateway refuses an API without methods. */
function buildWithRoute(props: SecureRestApiProps = {}) {
  const built = build(props);
  built.api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: built.integration });
  return built;
}

const PET_SCHEMA: apigw.JsonSchema = {
  type: apigw.JsonSchemaType.OBJECT,
  required: ['name'],
  properties: { name: { type: apigw.JsonSchemaType.STRING } },
};

describe('SecureRestApi.isSecureRestApi', () => {
  test('is true for a SecureRestApi, of this or another copy of the library', () => {
    expect(SecureRestApi.isSecureRestApi(new SecureRestApi(newStack(), 'Api'))).toBe(true);
    expect(SecureRestApi.isSecureRestApi(foreignInstance('SecureRestApi'))).toBe(true);
  });

  test('is false for a plain RestApi and other values', () => {
    const stack = newStack();
    expect(SecureRestApi.isSecureRestApi(new apigw.RestApi(stack, 'Plain'))).toBe(false);
    expect(SecureRestApi.isSecureRestApi(stack)).toBe(false);
    expect(SecureRestApi.isSecureRestApi(undefined)).toBe(false);
    expect(SecureRestApi.isSecureRestApi(null)).toBe(false);
  });

  test('finds the APIs of an app, as an aspect would', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    new apigw.RestApi(stack, 'Plain');
    expect(stack.node.findAll().filter(SecureRestApi.isSecureRestApi)).toEqual([api]);
  });
});

describe('SecureRestApi defaults', () => {
  const { stack, api, integration } = build();
  api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
  const template = Template.fromStack(stack);

  test('the endpoint is REGIONAL with TLS 1.2+ forward-secret ciphers and strict endpoint access', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
      FailOnWarnings: true,
      ApiKeySourceType: 'HEADER',
      Policy: Match.absent(),
    });
  });

  test('one stage, v1, with throttling, X-Ray, ERROR execution logs and no data tracing', () => {
    template.resourceCountIs('AWS::ApiGateway::Stage', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      MethodSettings: [{
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: true,
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
      }],
      CacheClusterEnabled: Match.absent(),
    });
  });

  test('the access log is rich JSON, written to the KMS-encrypted access log group', () => {
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format.replace(/\$context\.[A-Za-z.]+/g, '0'));
    expect(Object.keys(format).sort()).toEqual(Object.values(ACCESS_LOG_KEYS).sort());
    expect(stage.Properties.AccessLogSetting.Format).toContain('"sourceIp":"$context.identity.sourceIp"');
    expect(stage.Properties.AccessLogSetting.DestinationArn['Fn::Join'][1]).toContainEqual({ Ref: logicalId(stack, api.accessLogGroup) });
  });

  test('no account-wide API Gateway setting or CloudWatch role is created', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::IAM::Role', 1); // the test function's role only
  });

  test('a customer-managed key with rotation on is retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('access and execution log groups are encrypted, retained and kept one year', () => {
    const keyRef = { 'Fn::GetAtt': [logicalId(stack, api.key), 'Arn'] };
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: Match.stringLikeRegexp('^/aws/apigateway/.+/access$'), KmsKeyId: keyRef, RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: logicalId(stack, api.api) }, '/v1']] },
        KmsKeyId: keyRef,
        RetentionInDays: 365,
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the stage waits for the execution log group, so API Gateway never creates it unencrypted', () => {
    template.hasResource('AWS::ApiGateway::Stage', { DependsOn: Match.arrayWith([logicalId(stack, api.executionLogGroup)]) });
  });

  test('the key lets CloudWatch Logs use it for exactly the API\'s log groups', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowCloudWatchLogsForTheseLogGroupsOnly',
          Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          Resource: '*',
          Condition: {
            ArnEquals: {
              'kms:EncryptionContext:aws:logs:arn': [
                Match.stringLikeRegexp('^arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/.+/access$'),
                { 'Fn::Join': ['', ['arn:aws:logs:eu-west-1:123456789012:log-group:API-Gateway-Execution-Logs_', { Ref: logicalId(stack, api.api) }, '/v1']] },
              ],
            },
          },
        })]),
      },
    });
  });

  test('one request validator checks bodies and parameters', () => {
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 1);
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      RequestValidatorId: { Ref: logicalId(stack, api.requestValidator) },
    });
  });

  test('gateway responses carry security headers and a fixed message without internals', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses.length).toBeGreaterThanOrEqual(20);
    for (const response of responses) {
      const headers = response.Properties.ResponseParameters;
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(headers[`gatewayresponse.header.${name}`]).toBe(`'${value}'`);
      }
      const body = response.Properties.ResponseTemplates['application/json'];
      expect(body).toMatch(/^\{"message":"[A-Za-z ]+","requestId":"\$context\.requestId"\}$/);
      expect(body).not.toContain('$context.error');
    }
  });

  test('the defaults keep each error type\'s own status; named types keep theirs', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'DEFAULT_4XX', StatusCode: Match.absent() });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'THROTTLED', StatusCode: '429' });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'UNAUTHORIZED', StatusCode: '401' });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'MISSING_AUTHENTICATION_TOKEN', StatusCode: '403' });
  });

  test('exposes the underlying constructs', () => {
    expect(api.api).toBeInstanceOf(apigw.RestApi);
    expect(api.stage).toBe(api.api.deploymentStage);
    expect(api.accessLogGroup).toBeInstanceOf(logs.LogGroup);
    expect(api.endpointType).toBe(ApiEndpointType.REGIONAL);
    expect(stack.resolve(api.url)).toEqual(stack.resolve(api.api.url));
  });

  test('the default configuration matches the reviewed snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('SecureRestApi overrides', () => {
  test('stage name, throttle, retention, removal policy and tracing', () => {
    const { stack } = buildWithRoute({
      stageName: 'live',
      throttle: { rateLimit: 10, burstLimit: 20 },
      logRetention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      tracing: false,
      restApiName: 'pets',
      description: 'Pets',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'pets', Description: 'Pets' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'live',
      TracingEnabled: false,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })],
    });
    const logGroups = encryptedLogGroups(template);
    expect(logGroups).toHaveLength(2);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.RetentionInDays).toBe(30);
      expect(logGroup.DeletionPolicy).toBe('Delete');
    }
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ PendingWindowInDays: 30 }) });
  });

  test('a supplied key encrypts the logs and no key is created', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const api = new SecureRestApi(stack, 'Api', { encryptionKey: key });
    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const template = Template.fromStack(stack);
    expect(api.key).toBe(key);
    template.resourceCountIs('AWS::KMS::Key', 1);
    const logGroups = encryptedLogGroups(template);
    expect(logGroups.map((logGroup) => logGroup.Properties.KmsKeyId)).toEqual([
      { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] },
      { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] },
    ]);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsForTheseLogGroupsOnly' })]) },
    });
  });

  test('a key of another stack is not changed (that would be a cyclic reference); a warning says what to grant', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { account: '123456789012', region: 'eu-west-1' };
    const keyStack = new Stack(app, 'Keys', { env });
    const key = new kms.Key(keyStack, 'Shared', { enableKeyRotation: true });
    const stack = new Stack(app, 'ApiStack', { env });
    const api = new SecureRestApi(stack, 'Api', { encryptionKey: key });
    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(keyStack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.not(Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsForTheseLogGroupsOnly' })])) },
    });
    Annotations.fromStack(stack).hasWarning('/ApiStack/Api/EncryptionKey', Match.stringLikeRegexp('belongs to another stack'));
  });

  test('an imported key gets a warning that its policy must allow CloudWatch Logs', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const api = new SecureRestApi(stack, 'Api', { encryptionKey: key });
    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    Annotations.fromStack(stack).hasWarning('/TestStack/Api/EncryptionKey', Match.stringLikeRegexp("supplied key's policy cannot be changed"));
  });

  test('createAccountLoggingRole: true sets the account-wide role, retained', () => {
    const { stack } = buildWithRoute({ createAccountLoggingRole: true });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.hasResource('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] } },
      DeletionPolicy: 'Retain',
    });
  });

  test('another TLS policy', () => {
    const { stack } = buildWithRoute({ tlsSecurityPolicy: apigw.SecurityPolicy.TLS13_1_3_2025_09 });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      EndpointAccessMode: 'STRICT',
    });
  });

  test('legacy TLS 1.2 has no endpoint access mode', () => {
    const { stack } = buildWithRoute({ tlsSecurityPolicy: apigw.SecurityPolicy.TLS_1_2 });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', { SecurityPolicy: 'TLS_1_2', EndpointAccessMode: Match.absent() });
  });

  test('routes can be given in props', () => {
    const stack = newStack();
    const integration = new LambdaRouteIntegration(inlineFunction(stack));
    const api = new SecureRestApi(stack, 'Api', {
      routes: {
        'GET /a': { authorization: RouteAuthorization.iam(), integration },
        'GET /b': { authorization: RouteAuthorization.apiKey(), integration },
      },
    });
    expect(api.accessMatrix.map((row) => row.routeKey)).toEqual(['GET /a', 'GET /b']);
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Method', 2);
  });
});

describe('routes', () => {
  test('each authorization maps to the method', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /iam', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('GET /key', { authorization: RouteAuthorization.apiKey(), integration });
    api.addRoute('GET /open', { authorization: RouteAuthorization.publicAccess('health check'), integration });
    api.addRoute('GET /both', { authorization: RouteAuthorization.iam(), integration, apiKeyRequired: true });
    const template = Template.fromStack(stack);
    const method = (path: string) => Object.values(template.findResources('AWS::ApiGateway::Method'))
      .find((m) => m.Properties.ResourceId.Ref === logicalId(stack, api.api.root.getResource(path)!))!.Properties;
    expect(method('iam')).toMatchObject({ AuthorizationType: 'AWS_IAM', ApiKeyRequired: false });
    expect(method('key')).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: true });
    expect(method('open')).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: false });
    expect(method('both')).toMatchObject({ AuthorizationType: 'AWS_IAM', ApiKeyRequired: true });
    expect(api.accessMatrix).toEqual([
      { routeKey: 'GET /iam', authorization: 'IAM', apiKeyRequired: false },
      { routeKey: 'GET /key', authorization: 'API key', apiKeyRequired: true },
      { routeKey: 'GET /open', authorization: 'public: health check', apiKeyRequired: false },
      { routeKey: 'GET /both', authorization: 'IAM', apiKeyRequired: true },
    ]);
  });

  test('`routes` lists every route typed, in the order added, so the parts parse nothing', () => {
    const { api, integration } = build();
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('ANY /files/{path+}', { authorization: RouteAuthorization.apiKey(), integration, requestBodySchema: PET_SCHEMA });
    api.addRoute('GET /', { authorization: RouteAuthorization.publicAccess('health check'), integration });
    expect(api.routes).toEqual([
      { routeKey: 'GET /pets/{petId}', method: HttpMethod.GET, path: '/pets/{petId}', pathParameters: ['petId'], authorizationType: apigw.AuthorizationType.IAM, authorization: 'IAM', apiKeyRequired: false },
      { routeKey: 'ANY /files/{path+}', method: HttpMethod.ANY, path: '/files/{path+}', pathParameters: ['path'], authorizationType: apigw.AuthorizationType.NONE, authorization: 'API key', apiKeyRequired: true },
      { routeKey: 'GET /', method: HttpMethod.GET, path: '/', pathParameters: [], authorizationType: apigw.AuthorizationType.NONE, authorization: 'public: health check', apiKeyRequired: false },
    ]);
    // A copy: changing it changes nothing.
    api.routes[0].pathParameters.push('x');
    expect(api.routes[0].pathParameters).toEqual(['petId']);
  });

  test('a body schema API Gateway cannot use is refused, naming the route and the keyword', () => {
    const { api, integration } = build();
    expect(() => api.addRoute('POST /pets', {
      authorization: RouteAuthorization.iam(),
      integration,
      requestBodySchema: { type: apigw.JsonSchemaType.OBJECT, properties: { name: { type: apigw.JsonSchemaType.STRING, minLength: -1 } } },
    })).toThrow("`routes['POST /pets'].requestBodySchema.properties.name.minLength` must be a whole number >= 0, got -1 (at TestStack/Api)");
    expect(() => api.addRoute('PUT /pets', {
      authorization: RouteAuthorization.iam(),
      integration,
      requestBodySchema: { type: 'banana' as apigw.JsonSchemaType },
    })).toThrow("`routes['PUT /pets'].requestBodySchema.type` must be one of 'null', 'boolean', 'object', 'array', 'number', 'integer', 'string' (apigw.JsonSchemaType) or a non-empty array of them without repeats, got 'banana'");
    // Nothing of a refused route is added.
    expect(api.routes).toHaveLength(0);
  });

  test('a body schema is applied to JSON and to every other content type', () => {
    const { stack, api, integration } = build();
    api.addRoute('POST /pets', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: PET_SCHEMA });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['name'] },
    });
    const modelRef = { Ref: Object.keys(template.findResources('AWS::ApiGateway::Model'))[0] };
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestModels: { 'application/json': modelRef, $default: modelRef },
    });
  });

  test('path parameters, required query parameters and headers are required by the method', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets/{petId}', {
      authorization: RouteAuthorization.iam(),
      integration,
      requiredQueryParameters: ['fields'],
      requiredHeaders: ['x-request-id'],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      RequestParameters: {
        'method.request.path.petId': true,
        'method.request.querystring.fields': true,
        'method.request.header.x-request-id': true,
      },
    });
  });

  test('a route throttle becomes a method setting that keeps the stage\'s logging', () => {
    const { stack, api, integration } = build();
    api.addRoute('POST /pets/{petId}/photos', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: PET_SCHEMA, throttle: { rateLimit: 5, burstLimit: 10 } });
    api.addRoute('ANY /{proxy+}', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: PET_SCHEMA, throttle: { rateLimit: 1 } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*' }),
        { HttpMethod: 'POST', ResourcePath: '/~1pets~1{petId}~1photos', ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true },
        { HttpMethod: '*', ResourcePath: '/~1{proxy+}', ThrottlingRateLimit: 1, ThrottlingBurstLimit: 200, LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true },
      ],
    });
  });

  test('a throttle on the root route addresses the root as /', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /', { authorization: RouteAuthorization.iam(), integration, throttle: { rateLimit: 3, burstLimit: 3 } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ResourcePath: '/*' }), Match.objectLike({ HttpMethod: 'GET', ResourcePath: '/', ThrottlingRateLimit: 3 })],
    });
  });

  test('a body route without a schema gets a warning; a GET route does not', () => {
    const { stack, api, integration } = build();
    api.addRoute('POST /pets', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('requestBodySchema'));
    expect(warnings.map((w) => w.id)).toEqual(['/TestStack/Api/Resource/Default/pets/POST']);
  });

  test('routes to one function add one Lambda permission, scoped to the deployed stage', () => {
    const { stack, api, integration, fn } = build();
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('POST /pets', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: PET_SCHEMA });
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(fn) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(stack, fn), 'Arn'] },
      SourceArn: { 'Fn::Join': ['', ['arn:aws:execute-api:eu-west-1:123456789012:', { Ref: logicalId(stack, api.api) }, '/', { Ref: logicalId(stack, api.stage) }, '/*/*']] },
    });
  });

  test('a second function gets its own permission', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /a', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('GET /b', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack, 'Other')) });
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Permission', 2);
  });

  test('a route adds at most a method and a resource', () => {
    const count = (routes: string[]) => {
      const { stack, api, integration } = build();
      routes.forEach((key) => api.addRoute(key, { authorization: RouteAuthorization.iam(), integration }));
      return Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    };
    const base = count(['GET /pets']);
    expect(count(['GET /pets', 'DELETE /pets']) - base).toBe(1);
    expect(count(['GET /pets', 'GET /owners']) - base).toBe(2);
  });

  test('routes share resources along a common path', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('DELETE /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('GET /', { authorization: RouteAuthorization.publicAccess('index'), integration });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Resource', 2);
    template.resourceCountIs('AWS::ApiGateway::Method', 3);
  });
});

describe('synth-time guards', () => {
  test('a method added around addRoute() fails synth, naming it and the fix', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    api.api.root.addResource('admin').addMethod('DELETE', integration);
    expect(() => Template.fromStack(stack)).toThrow(/DELETE \/admin was added without `addRoute\(\)`, so its authorization was never stated: add it with addRoute\('DELETE \/admin'/);
  });

  test('a method of this API created elsewhere in the app fails synth too', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    new apigw.Method(stack, 'Sneaky', { resource: api.api.root.addResource('open'), httpMethod: 'GET', integration, options: { authorizationType: apigw.AuthorizationType.NONE } });
    expect(() => Template.fromStack(stack)).toThrow(/GET \/open was added without `addRoute\(\)`/);
  });

  test('a custom authorization that leaves a route open without a reason is refused', () => {
    class Open extends RouteAuthorization {
      public readonly description = 'open';
      public bind() {
        return { authorizationType: apigw.AuthorizationType.NONE, apiKeyRequired: false };
      }
    }
    const { api, integration } = build();
    expect(() => api.addRoute('GET /pets', { authorization: new Open(), integration }))
      .toThrow("`routes['GET /pets'].authorization` (open) leaves the route open without saying why: use RouteAuthorization.publicAccess('<reason>')");
  });

  test('a method added around addRoute() defaults to IAM, the closed choice', () => {
    const { api, integration } = build();
    const method = api.api.root.addMethod('GET', integration);
    expect((method.node.defaultChild as apigw.CfnMethod).authorizationType).toBe('AWS_IAM');
  });

  test.each([
    ['stageName', { stageName: 'my stage' }, "`stageName` must be 1 to 128 letters, digits, '-' or '_', got 'my stage': use a name such as 'v1'"],
    ['stageName length', { stageName: 'a'.repeat(129) }, '`stageName` must be 1 to 128 letters'],
    ['restApiName length', { restApiName: 'a'.repeat(256) }, "`restApiName` must be 1 to 255 printable ASCII characters, got '" + 'a'.repeat(256) + "': it is the `ApiName` dimension of the API's metrics, which CloudWatch limits so"],
    ['restApiName blank', { restApiName: ' ' }, "`restApiName` must be 1 to 255 printable ASCII characters, got ' ': it is the `ApiName` dimension of the API's metrics, which CloudWatch limits so"],
    ['restApiName not ASCII', { restApiName: 'pets-café' }, "`restApiName` must be 1 to 255 printable ASCII characters, got 'pets-café'"],
    ['restApiName with a control character', { restApiName: 'pets\tapi' }, "`restApiName` must be 1 to 255 printable ASCII characters, got 'pets\tapi'"],
    ['negative rate', { throttle: { rateLimit: -5, burstLimit: 10 } }, '`throttle.rateLimit` must be a whole number >= 0, got -5'],
    ['fractional burst', { throttle: { rateLimit: 5, burstLimit: 2.5 } }, '`throttle.burstLimit` must be a whole number >= 0, got 2.5'],
    ['burst without rate', { throttle: { burstLimit: 10 } }, '`throttle.burstLimit` needs `throttle.rateLimit`'],
    ['unknown retention', { logRetention: 42 as logs.RetentionDays }, '`logRetention` must be a finite CloudWatch Logs retention in days (1, 3, 5, 7, 14'],
    ['infinite retention', { logRetention: logs.RetentionDays.INFINITE }, 'got 9999: logs must expire; choose a finite retention such as RetentionDays.TEN_YEARS'],
    ['TLS 1.0', { tlsSecurityPolicy: apigw.SecurityPolicy.TLS_1_0 }, "`tlsSecurityPolicy` must be one of 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09'"],
    ['edge TLS policy', { tlsSecurityPolicy: apigw.SecurityPolicy.TLS13_2025_EDGE }, "`tlsSecurityPolicy` 'SecurityPolicy_TLS13_2025_EDGE' is a policy for EDGE endpoints, and this API is REGIONAL: use one of 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09', 'SecurityPolicy_TLS13_1_2_PQ_2025_09', 'SecurityPolicy_TLS13_1_3_2025_09', 'SecurityPolicy_TLS13_1_3_FIPS_2025_09', 'TLS_1_2'"],
    ['private without endpoints', { endpointType: ApiEndpointType.PRIVATE }, '`vpcEndpoints` must name at least one interface VPC endpoint'],
    ['unknown endpoint type', { endpointType: 'EDGE' as ApiEndpointType }, "`endpointType` must be one of 'REGIONAL', 'PRIVATE', got 'EDGE'"],
  ])('rejects %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new SecureRestApi(stack, 'Api', props as SecureRestApiProps)).toThrow(message);
  });

  test('errors record the construct path', () => {
    const stack = newStack();
    expect(() => new SecureRestApi(stack, 'Api', { stageName: '' })).toThrow(/\(at TestStack\/Api\)$/);
  });

  test.each([
    ['GET /a//b', "`routeKey` 'GET /a//b' has an empty path segment ('//'): remove the extra '/', as in '/a/b'"],
    ['GET a', "`routeKey` 'GET a' has a path that does not start with '/': write '/a'"],
    ['GET /pets/{pet id}', 'must be a method, one space and a path'],
    ['GET /pets/{pet-id}', "has the path segment '{pet-id}', which is not a parameter"],
    ['FETCH /pets', "has the method 'FETCH'; use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY"],
  ])('rejects the malformed route %s', (key, message) => {
    const { api, integration } = build();
    expect(() => api.addRoute(key, { authorization: RouteAuthorization.iam(), integration })).toThrow(message);
  });

  test('rejects a duplicate route', () => {
    const { api, integration } = build();
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    expect(() => api.addRoute('GET /pets', { authorization: RouteAuthorization.apiKey(), integration }))
      .toThrow("`routeKey` 'GET /pets' is already a route of this API: each method and path may be added once");
  });

  test('rejects a route without an authorization', () => {
    const { api, integration } = build();
    expect(() => api.addRoute('GET /pets', { integration } as never))
      .toThrow("`routes['GET /pets'].authorization` is missing: every route states who may call it");
  });

  test('rejects a route without an integration', () => {
    const { api } = build();
    expect(() => api.addRoute('GET /pets', { authorization: RouteAuthorization.iam() } as never))
      .toThrow("`routes['GET /pets'].integration` is missing");
  });

  test.each(['', '   '])('rejects a public route with the empty reason %j', (reason) => {
    const { api, integration } = build();
    expect(() => api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess(reason), integration }))
      .toThrow('`RouteAuthorization.publicAccess(reason)` of `GET /health` must not be empty');
  });

  test('rejects an invalid route throttle, naming the route', () => {
    const { api, integration } = build();
    expect(() => api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration, throttle: { rateLimit: 1.5 } }))
      .toThrow("`routes['GET /pets'].throttle.rateLimit` must be a whole number >= 0, got 1.5");
  });

  test('rejects an invalid required header name', () => {
    const { api, integration } = build();
    expect(() => api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration, requiredHeaders: ['bad header'] }))
      .toThrow("`routes['GET /pets'].requiredHeaders[0]` must be a parameter name of letters, digits and . _ ~ -, got 'bad header'");
  });
});

describe('metrics', () => {
  test.each([
    ['metricClientError', '4XXError', 'Sum'],
    ['metricServerError', '5XXError', 'Sum'],
    ['metricCount', 'Count', 'SampleCount'],
    ['metricLatency', 'Latency', 'Average'],
  ] as const)('%s is the stage\'s %s, %s over 5 minutes', (method, metricName, statistic) => {
    const { stack, api } = build();
    const metric = api[method]();
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toMinutes()).toBe(5);
    expect(stack.resolve(metric.dimensions)).toEqual({ ApiName: stack.resolve(api.api.restApiName), Stage: stack.resolve(api.stage.stageName) });
  });
});

describe('resource policy', () => {
  test('allowOnlyFrom denies other addresses, allows unsigned requests only, and denies other accounts', () => {
    const { stack, api } = buildWithRoute();
    api.allowOnlyFrom('203.0.113.0/24', '2001:db8::/32');
    api.allowOnlyFrom('198.51.100.7/32');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: [
          {
            Sid: 'AllowUnsignedInvokeSubjectToMethodAuthorization',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/*',
            // Signed requests are not allowed here: IAM routes keep needing an identity policy.
            Condition: { Null: { 'aws:PrincipalAccount': 'true' } },
          },
          {
            Sid: 'DenyPrincipalsOfOtherAccounts',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/*',
            Condition: { StringNotEquals: { 'aws:PrincipalAccount': '123456789012' }, Null: { 'aws:PrincipalAccount': 'false' } },
          },
          {
            Sid: 'DenyUnlessFromAllowedSourceCidrs',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/*',
            Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32'] } },
          },
        ],
      },
    });
  });

  test('denyFrom denies the listed addresses', () => {
    const { stack, api } = buildWithRoute();
    api.denyFrom('192.0.2.0/24');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyFromDeniedSourceCidrs', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24'] } } })]) },
    });
  });

  test('a policy change produces a new deployment', () => {
    const logicalIdOfDeployment = (restrict: boolean) => {
      const { stack, api, integration } = build();
      api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
      if (restrict) {
        api.denyFrom('192.0.2.0/24');
      }
      return Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'))[0];
    };
    expect(logicalIdOfDeployment(true)).not.toEqual(logicalIdOfDeployment(false));
  });

  test.each([
    ['10.0.0.0/33', "`allowOnlyFrom[0]` must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32, got '10.0.0.0/33': the prefix length of an IPv4 CIDR is 0 to 32"],
    ['2001:db8::/129', 'the prefix length of an IPv6 CIDR is 0 to 128'],
    ['10.0.0/8', "'10.0.0' is not an IPv4 or IPv6 address"],
    ['10.0.0.1', 'the prefix length is missing'],
  ])('rejects the CIDR %s', (cidr, message) => {
    const { api } = build();
    expect(() => api.allowOnlyFrom(cidr)).toThrow(message);
  });

  test('rejects an empty CIDR list', () => {
    const { api } = build();
    expect(() => api.denyFrom()).toThrow('`denyFrom` needs at least one CIDR block');
  });

  test('a PRIVATE API is reachable only through its VPC endpoints', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const endpoint = vpc.addInterfaceEndpoint('ExecuteApi', { service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY });
    const api = new SecureRestApi(stack, 'Api', { endpointType: ApiEndpointType.PRIVATE, vpcEndpoints: [endpoint] });
    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: [{ Ref: logicalId(stack, endpoint) }] },
      Policy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'DenyUnlessThroughAllowedVpcEndpoints',
          Effect: 'Deny',
          Condition: { StringNotEquals: { 'aws:SourceVpce': [{ Ref: logicalId(stack, endpoint) }] } },
        })]),
      },
    });
    expect(api.endpointType).toBe(ApiEndpointType.PRIVATE);
  });

  test('on a REGIONAL API, allowOnlyFrom and denyFrom test the caller\'s public address (aws:SourceIp)', () => {
    const { stack, api } = buildWithRoute();
    api.allowOnlyFrom('203.0.113.0/24');
    api.denyFrom('203.0.113.128/25');
    const policy = Template.fromStack(stack).findResources('AWS::ApiGateway::RestApi')[logicalId(stack, api.api)].Properties.Policy;
    expect(policy.Statement.slice(2)).toEqual([
      {
        Sid: 'DenyUnlessFromAllowedSourceCidrs',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
        Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } },
      },
      {
        Sid: 'DenyFromDeniedSourceCidrs',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
        Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.128/25'] } },
      },
    ]);
  });

  test('on a PRIVATE API, allowOnlyFrom and denyFrom test the caller\'s address inside its VPC (aws:VpcSourceIp), beside the endpoint restriction', () => {
    // Behind an execute-api VPC endpoint, aws:SourceIp is absent from the request context: a Deny
    // on IpAddress aws:SourceIp never matches (denyFrom failed open) and one on NotIpAddress always
    // does (allowOnlyFrom blocked every caller).
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const endpoint = vpc.addInterfaceEndpoint('ExecuteApi', { service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY });
    const api = new SecureRestApi(stack, 'Api', { endpointType: ApiEndpointType.PRIVATE, vpcEndpoints: [endpoint] });
    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    api.allowOnlyFrom('10.0.0.0/16');
    api.denyFrom('10.0.128.0/17');
    const invokeAll = { Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' };
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AllowUnsignedInvokeSubjectToMethodAuthorization', Effect: 'Allow', ...invokeAll, Condition: { Null: { 'aws:PrincipalAccount': 'true' } } },
          {
            Sid: 'DenyPrincipalsOfOtherAccounts',
            Effect: 'Deny',
            ...invokeAll,
            Condition: { StringNotEquals: { 'aws:PrincipalAccount': '123456789012' }, Null: { 'aws:PrincipalAccount': 'false' } },
          },
          // The VPC address is meaningful only together with the endpoint it came through.
          { Sid: 'DenyUnlessThroughAllowedVpcEndpoints', Effect: 'Deny', ...invokeAll, Condition: { StringNotEquals: { 'aws:SourceVpce': [{ Ref: logicalId(stack, endpoint) }] } } },
          { Sid: 'DenyUnlessFromAllowedSourceCidrs', Effect: 'Deny', ...invokeAll, Condition: { NotIpAddress: { 'aws:VpcSourceIp': ['10.0.0.0/16'] } } },
          { Sid: 'DenyFromDeniedSourceCidrs', Effect: 'Deny', ...invokeAll, Condition: { IpAddress: { 'aws:VpcSourceIp': ['10.0.128.0/17'] } } },
        ],
      },
    });
    const policy = Template.fromStack(stack).findResources('AWS::ApiGateway::RestApi')[logicalId(stack, api.api)].Properties.Policy;
    expect(JSON.stringify(policy)).not.toContain('aws:SourceIp');
  });

  test('VPC endpoints on a REGIONAL API are refused', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const endpoint = vpc.addInterfaceEndpoint('ExecuteApi', { service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY });
    expect(() => new SecureRestApi(stack, 'Api', { vpcEndpoints: [endpoint] }))
      .toThrow('`vpcEndpoints` applies only to `endpointType` PRIVATE, got REGIONAL');
    const api = new SecureRestApi(stack, 'Api2');
    expect(() => api.allowOnlyFromVpcEndpoints(endpoint)).toThrow('`allowOnlyFromVpcEndpoints` needs `endpointType` ApiEndpointType.PRIVATE, got REGIONAL');
  });
});

describe('grantInvoke', () => {
  test('grants execute-api:Invoke on exactly the named routes of the deployed stage', () => {
    const { stack, api, integration } = build();
    api.addRoute('POST /pets', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: PET_SCHEMA });
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(role, 'POST /pets', 'GET /pets/{petId}');
    const arn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:aws:execute-api:eu-west-1:123456789012:', { Ref: logicalId(stack, api.api) }, '/', { Ref: logicalId(stack, api.stage) }, suffix]] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [arn('/GET/pets/*'), arn('/POST/pets')] }] },
      Roles: [{ Ref: logicalId(stack, role) }],
    });
  });

  test('fails synth when a wildcard would also reach an IAM route that was not granted', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('GET /pets/{petId}/admin', { authorization: RouteAuthorization.iam(), integration });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(role, 'GET /pets/{petId}');
    expect(() => Template.fromStack(stack)).toThrow(/whose ARN 'GET\/pets\/\*' also matches 'GET \/pets\/\{petId\}\/admin', which was not granted/);
  });

  // By the authorizer's own route model: `GET/pets/*` matches the request `GET/pets/`, whose
  // trailing slash API Gateway ignores when it routes, so the grant also reaches GET /pets.
  test('fails synth when a parameter grant reaches its parent IAM route through a trailing slash', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(role, 'GET /pets/{petId}');
    expect(() => Template.fromStack(stack)).toThrow(
      /gives .* 'GET \/pets\/\{petId\}', whose ARN 'GET\/pets\/\*' also matches 'GET \/pets', which was not granted: API Gateway sends the request 'GET \/pets\/' to it\. Grant it too, or change the paths so that the grant does not reach it/,
    );
  });

  test('a parameter grant next to a parent route of another authorization passes: IAM decides nothing there', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets', { authorization: RouteAuthorization.apiKey(), integration });
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(role, 'GET /pets/{petId}');
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('an ANY grant is checked across methods too: its * also matches path segments', () => {
    const { stack, api, integration } = build();
    api.addRoute('ANY /pets', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: PET_SCHEMA });
    api.addRoute('GET /admin/pets', { authorization: RouteAuthorization.iam(), integration });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(role, 'ANY /pets');
    expect(() => Template.fromStack(stack)).toThrow(/whose ARN '\*\/pets' also matches 'GET \/admin\/pets'/);
  });

  test('a GET grant that reaches an ANY route below it fails synth: that route serves GET too', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('ANY /pets/{petId}/admin', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: PET_SCHEMA });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(role, 'GET /pets/{petId}');
    expect(() => Template.fromStack(stack)).toThrow(/whose ARN 'GET\/pets\/\*' also matches 'ANY \/pets\/\{petId\}\/admin'/);
  });

  test('granting both routes is fine', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('GET /pets/{petId}/admin', { authorization: RouteAuthorization.iam(), integration });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(role, 'GET /pets/{petId}', 'GET /pets/{petId}/admin');
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('refuses routes that are missing or not IAM-authorized, and an empty list', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /pets', { authorization: RouteAuthorization.apiKey(), integration });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => api.grantInvoke(role, 'GET /owners')).toThrow("`grantInvoke` names 'GET /owners', which is not a route of this API");
    expect(() => api.grantInvoke(role, 'GET /pets')).toThrow("`grantInvoke` names 'GET /pets', whose authorization is API key, not IAM");
    expect(() => api.grantInvoke(role)).toThrow('`grantInvoke(grantee, ...routeKeys)` needs at least one route key');
  });
});

test('the stack passes the CloudFormation rule engine built into aws-cdk-lib', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const stack = new Stack(app, 'Validated', { env: { account: '123456789012', region: 'eu-west-1' } });
  const api = new SecureRestApi(stack, 'Api');
  const integration = new LambdaRouteIntegration(inlineFunction(stack));
  api.addRoute('POST /pets/{petId}', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: PET_SCHEMA, throttle: { rateLimit: 1, burstLimit: 1 } });
  api.allowOnlyFrom('203.0.113.0/24');
  expect(() => withTemplateValidator(() => app.synth())).not.toThrow();
});

/** The log groups the API created: the ones encrypted with a KMS key. */
function encryptedLogGroups(template: Template) {
  return Object.values(template.findResources('AWS::Logs::LogGroup')).filter((logGroup) => logGroup.Properties.KmsKeyId !== undefined);
}


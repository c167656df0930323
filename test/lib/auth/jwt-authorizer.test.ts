import { App, CfnResource, Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AUDIENCE_CLAIMS, GROUP_CLAIMS, SCOPE_CLAIMS } from '../../../lambda/shared/constants';
import { compilePolicyPlan } from '../../../lambda/shared/routes';
import {
  AudienceClaim,
  CognitoUserDirectory,
  GroupClaim,
  JwtAuthorizer,
  JwtAuthorizerProps,
  JwtAuthorizerType,
  JwtIssuer,
  LambdaRouteIntegration,
  RouteAuthorization,
  ScopeClaim,
  SecureRestApi,
} from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { environmentOf, settingsOf, settingsTextOf } from '../../helpers/bundles';
import { errorOf } from '../../helpers/errors';
import { functionNameOf, houseStatements, roleOf } from '../../helpers/iam';
import { CDK_JSON_CONTEXT, inlineFunction, newStack, SKIP_BUNDLING } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const ISSUER: JwtIssuer = { issuer: 'https://login.example.com/', audience: ['https://pets.example.com'], scopes: ['pets:read', 'pets:write'], groups: ['admins'] };

function build(props: Partial<JwtAuthorizerProps> = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api');
  const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers: [ISSUER], ...props });
  const integration = new LambdaRouteIntegration(inlineFunction(stack));
  return { stack, api, jwt, integration };
}

/** The default test API: reads and writes by scope, an admin route by group, a public and an IAM route. */
function buildWithRoutes(props: Partial<JwtAuthorizerProps> = {}) {
  const built = build(props);
  const { api, jwt, integration } = built;
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('uptime checks'), integration });
  api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets:read'] }), integration });
  api.addRoute('POST /pets', { authorization: jwt.authorize({ scopes: ['pets:write'] }), integration, requestBodySchema: {} });
  api.addRoute('DELETE /pets/{petId}', { authorization: jwt.authorize({ groups: ['admins'] }), integration });
  api.addRoute('PUT /pets/{petId}', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: {} });
  return built;
}


function methodOf(template: Template, stack: Stack, api: SecureRestApi, routeKey: string) {
  const method = api.methodFor(routeKey);
  return template.toJSON().Resources[stack.getLogicalId(method.node.defaultChild as never)].Properties;
}

function expectError(fn: () => unknown, message: string): void {
  expect(errorOf(ValidationError, fn).message).toContain(message);
}

describe('JwtAuthorizer defaults', () => {
  const { stack, api, jwt } = buildWithRoutes();
  const template = Template.fromStack(stack);
  const authorizerId = stack.getLogicalId(jwt.authorizer.node.defaultChild as never);

  test('a TOKEN authorizer on the Authorization header, with a Bearer pre-check and a 5-minute cache', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: '^[Bb][Ee][Aa][Rr][Ee][Rr] +([-0-9A-Za-z._~+/]+=*)$',
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  test('the function runs the house defaults with a 5-second timeout, its settings in its asset, nothing else in its encrypted environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 5,
      TracingConfig: { Mode: 'Active' },
      KmsKeyArn: Match.anyValue(),
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'jwt-authorizer' } },
    });
  });

  test('the function\'s role has no managed policy, may write only to its own log group and decrypt only its own environment', () => {
    const role = roleOf(template, jwt.function);
    expect(role.managedPolicyArns).toBeUndefined();
    expect(functionNameOf(template, jwt.function)).toMatch(/^TestStack-Jwt-Function-[0-9A-F]{8}$/);
    expect(role.statements).toEqual(houseStatements({
      fn: jwt.function,
      functionName: functionNameOf(template, jwt.function),
      keyArn: { 'Fn::GetAtt': [stack.getLogicalId(api.key.node.defaultChild as never), 'Arn'] },
    }));
    expect(template.toJSON().Resources[role.statements[1].Resource['Fn::GetAtt'][0]].Properties.LogGroupName).toMatch(/^\/aws\/lambda\/TestStack-Jwt-[0-9A-F]{8}-Function$/);
  });

  test('API Gateway may invoke the function only as this API\'s authorizer', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [stack.getLogicalId(jwt.function.node.defaultChild as never), 'Arn'] },
      SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':execute-api:'), { Ref: authorizerId }])] }),
    });
  });

  test('the authorizer is attached to exactly the routes that name it', () => {
    for (const route of ['GET /pets', 'POST /pets', 'DELETE /pets/{petId}']) {
      expect(methodOf(template, stack, api, route)).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
    }
    expect(methodOf(template, stack, api, 'GET /health')).toMatchObject({ AuthorizationType: 'NONE' });
    expect(methodOf(template, stack, api, 'PUT /pets/{petId}')).toMatchObject({ AuthorizationType: 'AWS_IAM' });
    expect(methodOf(template, stack, api, 'GET /health').AuthorizerId).toBeUndefined();
    expect(methodOf(template, stack, api, 'PUT /pets/{petId}').AuthorizerId).toBeUndefined();
  });

  test('the settings carry the issuer with its defaults, the limits, and every route of the API', () => {
    expect(settingsOf(jwt.function)).toEqual({
      issuers: [{
        issuer: 'https://login.example.com/',
        audience: ['https://pets.example.com'],
        audienceClaim: 'aud',
        jwksUri: 'https://login.example.com/.well-known/jwks.json',
        discovery: false,
        tokenType: 'access',
        requiredClaims: {},
        scopeClaims: ['scope', 'scp'],
        groupClaims: ['cognito:groups', 'groups', 'roles'],
        scopes: ['pets:read', 'pets:write'],
        groups: ['admins'],
        requireAccessTokenType: false,
      }],
      plan: compilePolicyPlan([
        ['GET', '/health'],
        ['GET', '/pets', ['pets:read'], []],
        ['POST', '/pets', ['pets:write'], []],
        ['DELETE', '/pets/{petId}', [], ['admins']],
        ['PUT', '/pets/{petId}'],
      ]),
      limits: { maxTokenBytes: 8192, maxLifetimeSeconds: 86400, clockSkewSeconds: 30, jwksMaxAgeSeconds: 3600, jwksTimeoutMs: 2000, jwksRetrySeconds: 10 },
      metricsNamespace: api.accessLogMetrics.namespace,
    });
  });

  test('the access matrix names the authorizer and what each route requires', () => {
    expect(api.accessMatrix.map((entry) => `${entry.routeKey}: ${entry.authorization}`)).toEqual([
      'GET /health: public: uptime checks',
      'GET /pets: JWT Jwt (scopes: pets:read)',
      'POST /pets: JWT Jwt (scopes: pets:write)',
      'DELETE /pets/{petId}: JWT Jwt (groups: admins)',
      'PUT /pets/{petId}: IAM',
    ]);
  });

  test('metricErrors counts the function\'s Lambda errors (every refused token among them)', () => {
    expect(stack.resolve(jwt.metricErrors().toMetricConfig().metricStat)).toMatchObject({ metricName: 'Errors', namespace: 'AWS/Lambda', statistic: 'Sum' });
  });

  test('metricFaults counts the authorizer\'s faults in the API\'s namespace, per function: sum over 1 minute', () => {
    expect(stack.resolve(jwt.metricFaults().toMetricConfig().metricStat)).toMatchObject({
      metricName: 'AuthorizerFaults',
      namespace: api.accessLogMetrics.namespace,
      dimensions: [{ name: 'FunctionName', value: { Ref: stack.getLogicalId(jwt.function.node.defaultChild as CfnResource) } }, { name: 'service', value: 'jwt-authorizer' }],
      statistic: 'Sum',
    });
    expect(jwt.metricFaults().period.toMinutes()).toBe(1);
    expect(jwt.metricFaults({ period: Duration.minutes(5) }).period.toMinutes()).toBe(5);
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('claim enums', () => {
  // The enums' values are the claim names the authorizer function reads from its settings.
  test.each([
    ['AudienceClaim', AudienceClaim, AUDIENCE_CLAIMS],
    ['ScopeClaim', ScopeClaim, SCOPE_CLAIMS],
    ['GroupClaim', GroupClaim, GROUP_CLAIMS],
  ])('%s holds exactly the claims the handler accepts', (_name, claims, handlerClaims) => {
    expect(Object.values(claims)).toEqual([...handlerClaims]);
  });
});

describe('JwtAuthorizer options', () => {
  test('REQUEST: the whole request goes to the function, and the cache is keyed on the Authorization header', () => {
    const { stack } = buildWithRoutes({ type: JwtAuthorizerType.REQUEST, resultsCacheTtl: Duration.minutes(1) });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: Match.absent(),
      AuthorizerResultTtlInSeconds: 60,
    });
  });

  test('resultsCacheTtl 0 turns caching off', () => {
    const { stack } = buildWithRoutes({ resultsCacheTtl: Duration.seconds(0) });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
  });

  test('limits and issuer options reach the settings', () => {
    const { stack, jwt } = buildWithRoutes({
      issuers: [{
        ...ISSUER,
        jwksUri: 'https://login.example.com/oauth2/v1/keys',
        scopeClaims: [ScopeClaim.SCP],
        groupClaims: [GroupClaim.GROUPS],
        requireAccessTokenType: true,
      }],
      maxTokenLifetime: Duration.hours(1),
      clockSkew: Duration.seconds(5),
      maxTokenSize: Size.kibibytes(4),
      jwksMaxAge: Duration.minutes(10),
      jwksFetchTimeout: Duration.millis(800),
      jwksRetryInterval: Duration.seconds(30),
    });
    Template.fromStack(stack);
    const settings = settingsOf(jwt.function);
    expect(settings.issuers[0]).toMatchObject({ jwksUri: 'https://login.example.com/oauth2/v1/keys', scopeClaims: ['scp'], groupClaims: ['groups'], requireAccessTokenType: true });
    expect(settings.limits).toEqual({ maxTokenBytes: 4096, maxLifetimeSeconds: 3600, clockSkewSeconds: 5, jwksMaxAgeSeconds: 600, jwksTimeoutMs: 800, jwksRetrySeconds: 30 });
  });

  test('a route that requires nothing accepts any valid token of a trusted issuer', () => {
    const { stack, api, jwt, integration } = build();
    api.addRoute('GET /me', { authorization: jwt.authorize(), integration });
    Template.fromStack(stack);
    expect(settingsOf(jwt.function).plan).toEqual(compilePolicyPlan([['GET', '/me', [], []]]));
    expect(api.accessMatrix[0].authorization).toBe('JWT Jwt (any valid token)');
  });

  test('an API key can be required on top of the token', () => {
    const { stack, api, jwt, integration } = build();
    api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets:read'] }), integration, apiKeyRequired: true });
    expect(methodOf(Template.fromStack(stack), stack, api, 'GET /pets')).toMatchObject({ AuthorizationType: 'CUSTOM', ApiKeyRequired: true });
  });

  /** An authorizer trusting a Cognito user pool's access tokens, with one route, synthesized. */
  function buildCognito(groups?: string[]) {
    const stack = newStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    const client = pool.addClient('Client');
    const users = CognitoUserDirectory.fromUserPool(stack, 'Users', { userPool: pool, scopes: ['pets/read'] });
    const api = new SecureRestApi(stack, 'Api');
    const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers: [JwtAuthorizer.cognitoIssuer(users, { clients: [client], groups })] });
    api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets/read'] }), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    Template.fromStack(stack);
    return { stack, pool, client, jwt };
  }

  test('JwtAuthorizer.cognitoIssuer trusts a user pool\'s access tokens by client id, reading `scope` and `cognito:groups`', () => {
    const { stack, pool, client, jwt } = buildCognito(['admins']);
    const issuer = { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: stack.getLogicalId(pool.node.defaultChild as never) }]] };
    expect(settingsOf(jwt.function).issuers).toEqual([{
      issuer,
      audience: [{ Ref: stack.getLogicalId(client.node.defaultChild as never) }],
      audienceClaim: 'client_id',
      jwksUri: { 'Fn::Join': ['', [...issuer['Fn::Join'][1], '/.well-known/jwks.json']] },
      discovery: false,
      tokenType: 'cognito-access',
      requiredClaims: {},
      scopeClaims: ['scope'],
      groupClaims: ['cognito:groups'],
      scopes: ['pets/read'],
      groups: ['admins'],
      requireAccessTokenType: false,
    }]);
  });

  test('values known only at deploy time are references in the settings file, their values in environment variables', () => {
    const { stack, client, jwt } = buildCognito();
    const issuer = JSON.parse(settingsTextOf(jwt.function)).issuers[0];
    expect(issuer).toMatchObject({
      audience: [{ $env: 'SECURE_API_SETTING_1' }],
      issuer: { $env: 'SECURE_API_SETTING_2' },
      jwksUri: { $env: 'SECURE_API_SETTING_3' },
    });
    expect(Object.keys(environmentOf(jwt.function))).toEqual(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'SECURE_API_SETTING_1', 'SECURE_API_SETTING_2', 'SECURE_API_SETTING_3']);
    expect(environmentOf(jwt.function).SECURE_API_SETTING_1).toEqual({ Ref: stack.getLogicalId(client.node.defaultChild as never) });
  });

  test('the settings file is canonical JSON: keys sorted, no whitespace', () => {
    const { stack, jwt } = buildWithRoutes();
    Template.fromStack(stack);
    const text = settingsTextOf(jwt.function);
    expect(text.startsWith('{"issuers":[{"audience":["https://pets.example.com"],"audienceClaim":"aud","discovery":false,"groupClaims":')).toBe(true);
    expect(text).not.toMatch(/\s/);
  });
});

describe('JwtAuthorizer validation', () => {
  test.each([
    [{ issuers: [] }, '`issuers` must name at least one issuer, got []'],
    [{ api: undefined as never }, '`api` must be a SecureRestApi, got undefined: pass the API whose routes the authorizer guards'],
    [{ issuers: [{ ...ISSUER, issuer: 'http://login.example.com/' }] }, '`issuers[0].issuer` must be an https:// URL without credentials, query or fragment, got \'http://login.example.com/\': keys fetched or tokens issued over plain HTTP could be forged'],
    [{ issuers: [{ ...ISSUER, issuer: 'login.example.com' }] }, '`issuers[0].issuer` must be an https:// URL without credentials, query or fragment, got \'login.example.com\': it is not a URL; write it in full, such as \'https://login.example.com/\''],
    [{ issuers: [{ ...ISSUER, issuer: 'not a url' }] }, '`issuers[0].issuer` must be an https:// URL without credentials, query or fragment, got \'not a url\': it is not a URL; write it in full, such as \'https://login.example.com/\''],
    [{ issuers: [{ ...ISSUER, issuer: 'https://login.example.com/?tenant=1' }] }, '`issuers[0].issuer` must be an https:// URL without credentials, query or fragment, got \'https://login.example.com/?tenant=1\': remove the credentials, query or fragment; tokens name their issuer without them'],
    [{ issuers: [{ ...ISSUER, jwksUri: 'http://login.example.com/keys' }] }, '`issuers[0].jwksUri` must be an https:// URL'],
    [{ issuers: [ISSUER, { ...ISSUER }] }, '`issuers[1].issuer` \'https://login.example.com/\' repeats `issuers[0]`'],
    [{ issuers: [{ ...ISSUER, issuer: undefined as never }] }, '`issuers[0].issuer` is missing: give an https:// URL, such as \'https://login.example.com/\''],
    [{ issuers: [{ ...ISSUER, issuer: new URL('https://login.example.com/') as never }] }, '`issuers[0].issuer` must be an https:// URL as a string, got'],
    [{ issuers: [null as never] }, '`issuers[0]` must be an issuer, got null: such as { issuer: \'https://login.example.com/\''],
    [{ issuers: [{ ...ISSUER, audience: undefined as never }] }, '`issuers[0].audience` is missing: list the audiences of the API, such as [\'https://api.example.com\']; without one, a token issued for any other application of the issuer would be accepted'],
    [{ issuers: [{ ...ISSUER, audience: [] }] }, '`issuers[0].audience` must list at least one non-empty audience, got []'],
    [{ issuers: [{ ...ISSUER, audience: [' '] }] }, '`issuers[0].audience` must list at least one non-empty audience'],
    [{ issuers: [{ ...ISSUER, audienceClaim: 'azp' as never }] }, '`issuers[0].audienceClaim` must be one of \'aud\', \'client_id\', got \'azp\''],
    [{ issuers: [{ ...ISSUER, scopeClaims: ['scopes' as never] }] }, '`issuers[0].scopeClaims[0]` must be one of \'scope\', \'scp\', \'permissions\', got \'scopes\''],
    [{ issuers: [{ ...ISSUER, groupClaims: ['realm_access' as never] }] }, '`issuers[0].groupClaims[0]` must be one of'],
    [{ issuers: [{ ...ISSUER, scopes: ['pets read'] }] }, '`scopes[0]` of issuers[0] must be a name without whitespace, got \'pets read\''],
    [{ issuers: [{ ...ISSUER, groups: [' '] }] }, '`groups[0]` of issuers[0] must be a non-empty name, got \' \''],
    [{ issuers: [{ ...ISSUER, groupClaims: [] }] }, '`issuers[0].groups` declares groups, but `issuers[0].groupClaims` is empty, so no token of the issuer could carry them: name the claims that hold them, such as [GroupClaim.GROUPS]'],
    [{ resultsCacheTtl: Duration.seconds(3601) }, '`resultsCacheTtl` must be a whole number of seconds from 0 seconds to 1 hour, got 1 hour 1 second: API Gateway caches a verdict for at most an hour; 0 turns caching off'],
    [{ resultsCacheTtl: Duration.millis(1500) }, '`resultsCacheTtl` must be a whole number of seconds'],
    [{ maxTokenLifetime: Duration.days(8) }, '`maxTokenLifetime` must be a whole number of seconds from 1 minute to 7 days'],
    [{ clockSkew: Duration.minutes(10) }, '`clockSkew` must be a whole number of seconds from 0 seconds to 5 minutes'],
    [{ jwksMaxAge: Duration.days(2) }, '`jwksMaxAge` must be a whole number of seconds from 1 minute to 1 day'],
    [{ jwksFetchTimeout: Duration.seconds(10) }, '`jwksFetchTimeout` must be a whole number of milliseconds from 100 millis to 4 seconds, got 10 seconds'],
    [{ jwksRetryInterval: Duration.millis(10) }, '`jwksRetryInterval` must be a whole number of seconds'],
    [{ maxTokenSize: Size.kibibytes(16) }, '`maxTokenSize` must be between 1 KiB and 10 KiB (API Gateway\'s header limit), got 16384 bytes'],
    [{ type: 'COGNITO' as never }, '`type` must be one of \'TOKEN\', \'REQUEST\', got \'COGNITO\''],
  ] as Array<[Partial<JwtAuthorizerProps>, string]>)('%j', (props, message) => {
    expectError(() => build(props), message);
  });

  test('a route that requires a scope no issuer declares', () => {
    const { api, jwt, integration } = build();
    expectError(() => api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets:reed'] }), integration }),
      "`authorize({ scopes })` of GET /pets requires 'pets:reed', which no issuer declares in `issuers[].scopes` (declared: 'pets:read', 'pets:write'): fix the name, or declare it on the issuer that grants it");
  });

  test('a route scope or group with whitespace', () => {
    const { api, jwt, integration } = build();
    expectError(() => api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets:read pets:write'] }), integration }),
      "`scopes[0]` of GET /pets must be a name without whitespace, got 'pets:read pets:write'");
    expectError(() => api.addRoute('GET /pets/{petId}', { authorization: jwt.authorize({ groups: [''] }), integration }),
      "`groups[0]` of GET /pets/{petId} must be a non-empty name, got ''");
  });

  test('a route that requires a group no issuer declares; a group name may hold spaces', () => {
    const { api, jwt, integration } = build({ issuers: [{ ...ISSUER, groups: ['Pet Admins'] }] });
    expectError(() => api.addRoute('GET /pets', { authorization: jwt.authorize({ groups: ['admins'] }), integration }),
      "`authorize({ groups })` of GET /pets requires 'admins', which no issuer declares in `issuers[].groups` (declared: 'Pet Admins')");
    api.addRoute('GET /pets/{petId}', { authorization: jwt.authorize({ groups: ['Pet Admins'] }), integration });
  });

  test('a route of another API', () => {
    const { stack, jwt, integration } = build();
    const other = new SecureRestApi(stack, 'Other');
    expectError(() => other.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets:read'] }), integration }),
      '`TestStack/Jwt` guards the API `TestStack/Api`, not `TestStack/Other` (route GET /pets): create one JwtAuthorizer per API');
  });

  test('an authorizer in another stack than its API', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
    const api = new SecureRestApi(new Stack(app, 'ApiStack'), 'Api');
    expectError(() => new JwtAuthorizer(new Stack(app, 'AuthStack'), 'Jwt', { api, issuers: [ISSUER] }),
      '`JwtAuthorizer` must be in the stack of its `api`');
  });

  test('an authorizer that guards no route fails synth', () => {
    const { stack, api, integration } = build();
    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('uptime checks'), integration });
    expect(() => Template.fromStack(stack)).toThrow(/`TestStack\/Jwt` guards no route: use authorize\(\) in a route's `authorization`, or remove it/);
  });

  test('a caller\'s policy over 8 KB, built at synth with the authorizer\'s own code, is a warning that names the caller, the size and the fix', () => {
    const stack = newStack();
    // A long stage name makes each of the policy's ARNs long, so that a few routes fill 8 KB.
    const api = new SecureRestApi(stack, 'Api', { stageName: 's'.repeat(128) });
    const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers: [ISSUER] });
    const integration = new LambdaRouteIntegration(inlineFunction(stack));
    for (let i = 0; i < 45; i++) {
      api.addRoute(`GET /r${i}`, { authorization: jwt.authorize({ scopes: ['pets:read'] }), integration });
    }
    api.addRoute('GET /admin', { authorization: jwt.authorize({ groups: ['admins'] }), integration });
    Annotations.fromStack(stack).hasWarning('/TestStack/Jwt', Match.stringLikeRegexp(
      "^The policy `TestStack/Jwt` returns to a caller holding (the scope 'pets:read'|every scope and group) takes \\d+ bytes, over the 8192 bytes API Gateway documents for a Lambda authorizer's response \\(a WebSocket API quota; none is documented for REST APIs\\)\\. .*Give routes fewer distinct scope and group requirements, group routes of one requirement under a common path, or split the API\\. \\[ack: secure-api:authorizer-policy-size\\]$"));
  });

  test('no policy-size warning for an API whose largest policy is small', () => {
    const { stack } = buildWithRoutes();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('authorizer-policy-size'))).toEqual([]);
  });

  test('deploy-time values past Lambda\'s 4 KB environment fail synth, naming the limit and the fix', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    const issuers = Array.from({ length: 6 }, (_, i) => {
      const pool = new cognito.UserPool(stack, `Pool${i}`);
      const users = CognitoUserDirectory.fromUserPool(stack, `Users${i}`, { userPool: pool, scopes: ['pets/read'] });
      return JwtAuthorizer.cognitoIssuer(users, { clients: [pool.addClient('Client')] });
    });
    const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers });
    api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets/read'] }), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    expect(() => Template.fromStack(stack)).toThrow(/The environment variables of `TestStack\/Jwt\/Function` take \d+ bytes as Lambda counts them \(as escaped JSON, values known only at deploy time at their longest\), over Lambda's limit of 4096 bytes: its settings are in its asset's settings file, but 18 of their values are CloudFormation references, which only the environment can carry; pass such values \(a user pool's issuer URL, app client ids, scope names\) as literal strings, or add fewer variables with addEnvironment\(\)/);
  });
});

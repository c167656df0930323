import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { IConstruct } from 'constructs';
import {
  CognitoUserDirectory,
  CognitoUserDirectoryProps,
  ICognitoUserDirectory,
} from '../../../lib/auth/cognito-user-directory';
import { HttpMethod, RouteAuthorization } from '../../../lib/auth/route-authorization';
import { LambdaRouteIntegration } from '../../../lib/integrations/lambda-route-integration';
import { ValidationError } from '../../../lib/private/validation-error';
import { SecureRestApi } from '../../../lib/secure-rest-api';
import { errorOf } from '../../helpers/errors';
import { inlineFunction, logicalId, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const SCOPES = [
  { name: 'read', description: 'Read pets' },
  { name: 'write', description: 'Add and change pets' },
];
const POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEfGhI';

function build(props: Partial<CognitoUserDirectoryProps> = {}) {
  const stack = newStack();
  const directory = new CognitoUserDirectory(stack, 'Users', { resourceServerIdentifier: 'pets', scopes: SCOPES, ...props });
  return { stack, directory };
}

/** A SecureRestApi in `stack`, and an integration for its routes. */
function apiIn(stack: Stack, id = 'Api') {
  const api = new SecureRestApi(stack, id);
  const integration = new LambdaRouteIntegration(inlineFunction(stack, `${id}Handler`));
  return { api, integration };
}


/** How a client's OAuth scope of the resource server appears in the template. */
function resourceServerScope(stack: Stack, directory: CognitoUserDirectory, name: string) {
  return { 'Fn::Join': ['', [{ Ref: logicalId(stack, directory.resourceServer) }, `/${name}`]] };
}

/** The properties of the method of `path` (without its leading slash). */
function methodAt(template: Template, stack: Stack, api: SecureRestApi, path: string) {
  const resourceId = logicalId(stack, api.api.root.resourceForPath(path));
  return Object.values(template.findResources('AWS::ApiGateway::Method'))
    .find((method) => method.Properties.ResourceId.Ref === resourceId)!.Properties;
}

function expectError(fn: () => unknown, message: string): void {
  expect(errorOf(ValidationError, fn).message).toContain(message);
}

describe('CognitoUserDirectory defaults', () => {
  const { stack, directory } = build();
  const template = Template.fromStack(stack);

  test('administrators create users, who sign in with their email address in any case', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      AliasAttributes: Match.absent(),
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      Schema: [{ Name: 'email', Required: true, Mutable: true }],
    });
  });

  test('MFA is required, with TOTP apps only, and no SMS role', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      SmsConfiguration: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::Role', 0);
  });

  test('passwords are long, of every class, not reused; temporary passwords last a day', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          PasswordHistorySize: 24,
          TemporaryPasswordValidityDays: 1,
        },
      },
    });
  });

  test('accounts are recovered by email only', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  test('the Essentials plan, without (paid) threat protection', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      UserPoolAddOns: Match.absent(),
    });
  });

  test('the pool is retained, with deletion protection on', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('a resource server defines the API\'s scopes', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolResourceServer', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'pets',
      Name: 'pets',
      UserPoolId: { Ref: logicalId(stack, directory.userPool) },
      Scopes: [
        { ScopeName: 'read', ScopeDescription: 'Read pets' },
        { ScopeName: 'write', ScopeDescription: 'Add and change pets' },
      ],
    });
    expect(directory.scopeNames).toEqual(['pets/read', 'pets/write']);
  });

  test('no domain, no client, no output', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    expect(template.toJSON().Outputs).toBeUndefined();
  });

  test('no warnings', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('secure-api:'))).toEqual([]);
  });

  test('exposes the underlying constructs', () => {
    expect(directory.userPool).toBeInstanceOf(cognito.UserPool);
    expect(directory.resourceServer).toBeInstanceOf(cognito.UserPoolResourceServer);
    expect(directory.domain).toBeUndefined();
  });

  test('the default configuration matches the reviewed snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('CognitoUserDirectory overrides', () => {
  test('mfa: Mfa.OPTIONAL keeps TOTP only, with a warning', () => {
    const { stack } = build({ mfa: cognito.Mfa.OPTIONAL });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Users', Match.stringLikeRegexp('`mfa` is Mfa.OPTIONAL: users who do not set up a TOTP app sign in with a password alone'));
  });

  test('threatProtection: true selects the Plus plan with threat protection enforced', () => {
    const { stack } = build({ threatProtection: true });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  test('passwordMinLength', () => {
    const { stack } = build({ passwordMinLength: 20 });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 20 }) },
    });
  });

  test('token validities apply to user clients, and the access token\'s to machine clients', () => {
    const { stack, directory } = build({
      accessTokenValidity: Duration.minutes(10),
      idTokenValidity: Duration.minutes(30),
      refreshTokenValidity: Duration.days(1),
    });
    directory.addUserClient('Web', { callbackUrls: ['https://app.example.com/callback'], scopes: ['pets/read'] });
    directory.addMachineClient('Reporting', { scopes: ['pets/read'] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AccessTokenValidity: 10,
      IdTokenValidity: 30,
      RefreshTokenValidity: 1440,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AccessTokenValidity: 10,
      IdTokenValidity: Match.absent(),
      RefreshTokenValidity: Match.absent(),
    });
  });

  test('removalPolicy: DESTROY deletes the pool and turns deletion protection off', () => {
    const { stack } = build({ removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ DeletionProtection: 'INACTIVE' }),
      DeletionPolicy: 'Delete',
    });
  });

  test('removalPolicy: RETAIN_ON_UPDATE_OR_DELETE keeps deletion protection on', () => {
    const { stack } = build({ removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    Template.fromStack(stack).hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
      DeletionPolicy: 'RetainExceptOnCreate',
    });
  });

  test('domainPrefix adds a Cognito-hosted domain', () => {
    const { stack, directory } = build({ domainPrefix: 'pets-auth' });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'pets-auth',
      UserPoolId: { Ref: logicalId(stack, directory.userPool) },
      CustomDomainConfig: Match.absent(),
    });
    expect(directory.domain).toBeInstanceOf(cognito.UserPoolDomain);
  });

  test('email sends through SES', () => {
    const { stack } = build({ email: cognito.UserPoolEmail.withSES({ fromEmail: 'no-reply@example.com', sesRegion: 'eu-west-1' }) });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: Match.objectLike({ EmailSendingAccount: 'DEVELOPER', From: 'no-reply@example.com' }),
    });
  });

  test('authorizerCacheTtl sets the authorizer\'s result cache', () => {
    const { stack, directory } = build({ authorizerCacheTtl: Duration.seconds(0) });
    const { api, integration } = apiIn(stack);
    api.addRoute('GET /pets', { authorization: directory.authorize({ scopes: ['pets/read'] }), integration });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
  });
});

describe('addMachineClient', () => {
  test('client credentials only, with a secret, the given scopes and no user sign-in flow', () => {
    const { stack, directory } = build();
    const client = directory.addMachineClient('Reporting', { scopes: ['pets/read'] });
    const template = Template.fromStack(stack);
    expect(client).toBeInstanceOf(cognito.UserPoolClient);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: logicalId(stack, directory.userPool) },
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: [resourceServerScope(stack, directory, 'read')],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: 15,
      TokenValidityUnits: { AccessToken: 'minutes' },
      CallbackURLs: Match.absent(),
    });
  });

  test('the secret is neither output nor read back into the template', () => {
    const { stack, directory } = build();
    directory.addMachineClient('Reporting', { scopes: ['pets/read', 'pets/write'] });
    const template = Template.fromStack(stack);
    expect(template.toJSON().Outputs).toBeUndefined();
    template.resourceCountIs('Custom::DescribeCognitoUserPoolClient', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  test('its own access token validity', () => {
    const { stack, directory } = build();
    directory.addMachineClient('Reporting', { scopes: ['pets/read'], accessTokenValidity: Duration.hours(1) });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', { AccessTokenValidity: 60 });
  });
});

describe('addUserClient', () => {
  test('authorization code only, public (no secret), OpenID and API scopes, SRP sign-in only', () => {
    const { stack, directory } = build();
    directory.addUserClient('Web', {
      callbackUrls: ['https://app.example.com/callback'],
      logoutUrls: ['https://app.example.com/'],
      scopes: ['pets/read', 'pets/write'],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile', resourceServerScope(stack, directory, 'read'), resourceServerScope(stack, directory, 'write')],
      CallbackURLs: ['https://app.example.com/callback'],
      LogoutURLs: ['https://app.example.com/'],
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: 15,
      IdTokenValidity: 15,
      RefreshTokenValidity: 720,
    });
    expect(template.toJSON().Outputs).toBeUndefined();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('localhost'))).toEqual([]);
  });

  test('http://localhost is accepted for development, with a warning', () => {
    const { stack, directory } = build();
    directory.addUserClient('Dev', { callbackUrls: ['http://localhost:3000/callback'], scopes: ['pets/read'] });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: ['http://localhost:3000/callback'] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Users/Resource/Dev', Match.stringLikeRegexp("addUserClient\\('Dev'\\) accepts http://localhost redirects"));
  });
});

describe('routes', () => {
  test('only the routes that use the directory get its authorizer and scopes', () => {
    const { stack, directory } = build();
    const { api, integration } = apiIn(stack);
    api.addRoute('GET /pets', { authorization: directory.authorize({ scopes: ['pets/read'] }), integration });
    api.addRoute('GET /admin', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration });
    const template = Template.fromStack(stack);
    const authorizerId = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0];

    expect(methodAt(template, stack, api, 'pets')).toMatchObject({
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: { Ref: authorizerId },
      AuthorizationScopes: ['pets/read'],
      ApiKeyRequired: false,
    });
    for (const [path, type] of [['admin', 'AWS_IAM'], ['health', 'NONE']]) {
      const method = methodAt(template, stack, api, path);
      expect(method.AuthorizationType).toBe(type);
      expect(method.AuthorizerId).toBeUndefined();
      expect(method.AuthorizationScopes).toBeUndefined();
    }
  });

  test('the authorizer reads the Authorization header, checks the pool\'s tokens and caches for 5 minutes', () => {
    const { stack, directory } = build();
    const { api, integration } = apiIn(stack);
    api.addRoute('GET /pets', { authorization: directory.authorize({ scopes: ['pets/read'] }), integration });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [logicalId(stack, directory.userPool), 'Arn'] }],
      RestApiId: { Ref: logicalId(stack, api.api) },
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  test('several routes share one authorizer, created under the API', () => {
    const { stack, directory } = build();
    const { api, integration } = apiIn(stack);
    api.addRoute('GET /pets', { authorization: directory.authorize({ scopes: ['pets/read'] }), integration });
    api.addRoute('DELETE /pets/{petId}', { authorization: directory.authorize({ scopes: ['pets/write'] }), integration });
    api.addRoute('GET /pets/{petId}', { authorization: directory.authorize({ scopes: ['pets/read', 'pets/write'] }), integration });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    const authorizer = api.node.children.filter((child) => child.node.id.startsWith('CognitoAuthorizer'));
    expect(authorizer).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationScopes: ['pets/read', 'pets/write'] });
  });

  test('each API gets its own authorizer; each directory too', () => {
    const { stack, directory } = build();
    const other = new CognitoUserDirectory(stack, 'Partners', { resourceServerIdentifier: 'partners', scopes: [{ name: 'read', description: 'Read' }] });
    const first = apiIn(stack, 'First');
    const second = apiIn(stack, 'Second');
    first.api.addRoute('GET /pets', { authorization: directory.authorize({ scopes: ['pets/read'] }), integration: first.integration });
    first.api.addRoute('GET /partners', { authorization: other.authorize({ scopes: ['partners/read'] }), integration: first.integration });
    second.api.addRoute('GET /pets', { authorization: directory.authorize({ scopes: ['pets/read'] }), integration: second.integration });
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Authorizer', 3);
  });

  test('the access matrix names the scopes, any one of which admits a caller', () => {
    const { stack, directory } = build();
    const { api, integration } = apiIn(stack);
    api.addRoute('GET /pets', { authorization: directory.authorize({ scopes: ['pets/read'] }), integration });
    api.addRoute('PUT /pets', { authorization: directory.authorize({ scopes: ['pets/read', 'pets/write'] }), integration, requestBodySchema: {} });
    expect(api.accessMatrix.map((row) => row.authorization)).toEqual(['Cognito (pets/read)', 'Cognito (pets/read or pets/write)']);
  });

  test('fromUserPool authorizes routes with an existing pool\'s scopes', () => {
    const stack = newStack();
    const userPool = cognito.UserPool.fromUserPoolArn(stack, 'ImportedPool', POOL_ARN);
    const directory: ICognitoUserDirectory = CognitoUserDirectory.fromUserPool(stack, 'Users', {
      userPool,
      scopes: ['https://api.example.com/pets.read'],
      authorizerCacheTtl: Duration.minutes(1),
    });
    const { api, integration } = apiIn(stack);
    api.addRoute('GET /pets', { authorization: directory.authorize({ scopes: ['https://api.example.com/pets.read'] }), integration });
    const template = Template.fromStack(stack);
    expect(directory.userPool).toBe(userPool);
    expect(directory.scopeNames).toEqual(['https://api.example.com/pets.read']);
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [POOL_ARN],
      AuthorizerResultTtlInSeconds: 60,
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizationScopes: ['https://api.example.com/pets.read'],
    });
  });
});

describe('validation', () => {
  test.each<[string, Partial<CognitoUserDirectoryProps>, string]>([
    ['an empty identifier', { resourceServerIdentifier: ' ' }, "`resourceServerIdentifier` must not be empty, got ' ': name the API, such as 'pets'"],
    ['an identifier with whitespace', { resourceServerIdentifier: 'pet store' }, "`resourceServerIdentifier` must not contain whitespace, got 'pet store'"],
    ['an identifier with a quote', { resourceServerIdentifier: 'pets"' }, '`resourceServerIdentifier` must be 1 to 256 printable ASCII characters other than \'"\' and \'\\\', got \'pets"\''],
    ['no scopes', { scopes: [] }, "`scopes` must define at least one scope, got []: routes require scopes, such as [{ name: 'read', description: 'Read pets' }]"],
    ['an empty scope name', { scopes: [{ name: '', description: 'Read' }] }, "`scopes[0].name` must not be empty, got '': name the scope, such as 'read'"],
    ['a scope name with whitespace', { scopes: [SCOPES[0], { name: 'pets read', description: 'Read' }] }, "`scopes[1].name` must not contain whitespace, got 'pets read': use one word, such as 'read'"],
    ['a scope name with a slash', { scopes: [{ name: 'pets/read', description: 'Read' }] }, "`scopes[0].name` must be 1 to 256 printable ASCII characters other than '\"', '/' and '\\', got 'pets/read'"],
    ['an empty scope description', { scopes: [{ name: 'read', description: '' }] }, "`scopes[0].description` must not be empty, got '': say what the scope allows"],
    ['a long scope description', { scopes: [{ name: 'read', description: 'x'.repeat(257) }] }, '`scopes[0].description` must have at most 256 characters, got 257'],
    ['a duplicate scope', { scopes: [SCOPES[0], SCOPES[1], { name: 'read', description: 'Again' }] }, "`scopes[2].name` repeats 'read': give each scope its own name"],
    ['mfa OFF', { mfa: cognito.Mfa.OFF }, "`mfa` must be Mfa.REQUIRED or Mfa.OPTIONAL, got 'OFF': without MFA a stolen password is enough to sign in"],
    ['a short password', { passwordMinLength: 8 }, '`passwordMinLength` must be a whole number from 12 to 99, got 8: shorter passwords are too easy to guess; keep the default 14'],
    ['a password length Cognito refuses', { passwordMinLength: 100 }, '`passwordMinLength` must be a whole number from 12 to 99, got 100'],
    ['a fractional password length', { passwordMinLength: 12.5 }, 'got 12.5'],
    ['a short access token', { accessTokenValidity: Duration.minutes(2) }, '`accessTokenValidity` must be a whole number of minutes from 5 minutes to 1 day, got 2 minutes'],
    ['a long access token', { accessTokenValidity: Duration.days(2), refreshTokenValidity: Duration.days(30) }, '`accessTokenValidity` must be a whole number of minutes from 5 minutes to 1 day, got 2 days'],
    ['a fractional access token', { accessTokenValidity: Duration.seconds(330) }, '`accessTokenValidity` must be a whole number of minutes from 5 minutes to 1 day, got 5 minutes 30 seconds'],
    ['a long ID token', { idTokenValidity: Duration.hours(25) }, '`idTokenValidity` must be a whole number of minutes from 5 minutes to 1 day, got 1 day 1 hour'],
    ['a short refresh token', { refreshTokenValidity: Duration.minutes(30) }, '`refreshTokenValidity` must be a whole number of minutes from 1 hour to 3650 days, got 30 minutes'],
    ['a refresh token no longer than the access token', { accessTokenValidity: Duration.days(1), refreshTokenValidity: Duration.hours(1) },
      '`refreshTokenValidity` must be longer than `accessTokenValidity`, got 1 hour against 1 day: lengthen the refresh token or shorten the other'],
    ['a refresh token no longer than the ID token', { idTokenValidity: Duration.hours(2), refreshTokenValidity: Duration.hours(2) },
      '`refreshTokenValidity` must be longer than `idTokenValidity`, got 2 hours against 2 hours'],
    ['a long authorizer cache', { authorizerCacheTtl: Duration.hours(2) }, '`authorizerCacheTtl` must be a whole number of seconds from 0 seconds to 1 hour, got 2 hours: API Gateway caches a verdict for at most an hour; 0 turns caching off'],
    ['an upper-case domain prefix', { domainPrefix: 'Pets' }, "`domainPrefix` must be 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, got 'Pets': use a prefix such as 'pets-auth'"],
    ['a domain prefix starting with a hyphen', { domainPrefix: '-pets' }, "not starting or ending with a hyphen, got '-pets'"],
    ['a long domain prefix', { domainPrefix: 'p'.repeat(64) }, '`domainPrefix` must be 1 to 63 lowercase letters'],
    ['a domain prefix with a reserved word', { domainPrefix: 'pets-cognito' }, "`domainPrefix` must not contain 'cognito', which Cognito reserves, got 'pets-cognito'"],
    ['a domain prefix containing aws', { domainPrefix: 'lawsuit' }, "`domainPrefix` must not contain 'aws'"],
    ['a snapshot removal policy', { removalPolicy: RemovalPolicy.SNAPSHOT }, "`removalPolicy` must be one of 'retain', 'retain-on-update-or-delete', 'destroy', got 'snapshot'"],
  ])('rejects %s', (_name, props, message) => {
    expectError(() => build(props), message);
  });

  test('errors record the directory\'s path', () => {
    expect(() => build({ mfa: cognito.Mfa.OFF })).toThrow(/\(at TestStack\/Users\)$/);
  });

  describe('clients', () => {
    const { directory } = build();

    test.each<[string, () => unknown, string]>([
      ['a machine client without scopes', () => directory.addMachineClient('Reporting', { scopes: [] }),
        "`addMachineClient('Reporting').scopes` must list at least one scope, got []: the client's access tokens would reach no route"],
      ['a scope the directory does not define', () => directory.addMachineClient('Reporting', { scopes: ['pets/delete'] }),
        "`addMachineClient('Reporting').scopes[0]` names 'pets/delete', which the user directory does not define: use one of 'pets/read', 'pets/write'"],
      ['a short scope name', () => directory.addMachineClient('Reporting', { scopes: ['pets/read', 'write'] }),
        "`addMachineClient('Reporting').scopes[1]` names 'write', which the user directory does not define"],
      ['a short machine access token', () => directory.addMachineClient('Reporting', { scopes: ['pets/read'], accessTokenValidity: Duration.minutes(1) }),
        "`addMachineClient('Reporting').accessTokenValidity` must be a whole number of minutes from 5 minutes to 1 day, got 1 minute"],
      ['a user client without callback URLs', () => directory.addUserClient('Web', { callbackUrls: [], scopes: ['pets/read'] }),
        "`addUserClient('Web').callbackUrls` must list at least one URL, got []"],
      ['a plain-HTTP callback URL', () => directory.addUserClient('Web', { callbackUrls: ['http://app.example.com/callback'], scopes: ['pets/read'] }),
        "`addUserClient('Web').callbackUrls[0]` must be an https:// URL (http:// only for localhost, in development): serve the application over HTTPS, got 'http://app.example.com/callback'"],
      ['a callback URL with a fragment', () => directory.addUserClient('Web', { callbackUrls: ['https://app.example.com/#/callback'], scopes: ['pets/read'] }),
        "`addUserClient('Web').callbackUrls[0]` must not have a fragment (#...), which OAuth 2.0 forbids in redirect URLs: remove it, got 'https://app.example.com/#/callback'"],
      ['a relative callback URL', () => directory.addUserClient('Web', { callbackUrls: ['/callback'], scopes: ['pets/read'] }),
        "`addUserClient('Web').callbackUrls[0]` must be an absolute URL, such as 'https://app.example.com/callback', got '/callback'"],
      ['a plain-HTTP logout URL', () => directory.addUserClient('Web', { callbackUrls: ['https://app.example.com/callback'], logoutUrls: ['https://app.example.com/', 'http://127.0.0.1/'], scopes: ['pets/read'] }),
        "`addUserClient('Web').logoutUrls[1]` must be an https:// URL"],
      ['space-separated scopes', () => directory.addUserClient('Web', { callbackUrls: ['https://app.example.com/callback'], scopes: ['pets/read pets/write'] }),
        "`addUserClient('Web').scopes[0]` must be one scope name without whitespace, got 'pets/read pets/write': list each scope as its own string, such as 'pets/read'"],
    ])('rejects %s', (_name, fn, message) => {
      expectError(fn, message);
    });
  });

  describe('routes', () => {
    /** Adds `GET /pets` with `authorization` to a new API in `stack`. */
    function addPetsRoute(stack: Stack, authorization: RouteAuthorization): void {
      const { api, integration } = apiIn(stack);
      api.addRoute('GET /pets', { authorization, integration });
    }

    function addRouteWith(scopes: string[] | undefined): void {
      const { stack, directory } = build();
      addPetsRoute(stack, directory.authorize({ scopes } as never));
    }

    test('a route without scopes is refused: API Gateway would accept ID tokens', () => {
      expectError(() => addRouteWith([]),
        "`authorize().scopes` of `GET /pets` must list at least one scope, got []: without scopes API Gateway accepts ID tokens as well as access tokens, so any signed-in user reaches the route; list the scopes the route needs, such as 'pets/read'");
      expectError(() => addRouteWith(undefined),
        "`authorize().scopes` of `GET /pets` is missing: without scopes API Gateway accepts ID tokens as well as access tokens, so any signed-in user reaches the route; list the scopes the route needs, such as 'pets/read'");
    });

    test('a scope the directory does not define is refused, naming the route and the defined scopes', () => {
      expectError(() => addRouteWith(['pets/read', 'pets/delete']),
        "`authorize().scopes[1]` of `GET /pets` names 'pets/delete', which the user directory does not define: use one of 'pets/read', 'pets/write'");
    });

    test('a scope with whitespace is refused', () => {
      expectError(() => addRouteWith(['pets/read pets/write']), "`authorize().scopes[0]` of `GET /pets` must be one scope name without whitespace, got 'pets/read pets/write'");
    });

    test('the error records the API\'s path', () => {
      expect(() => addRouteWith([])).toThrow(/\(at TestStack\/Api\)$/);
    });

    test('an authorization bound to something other than a construct is refused', () => {
      const { stack, directory } = build();
      const notAConstruct = { node: apiIn(stack).api.node } as IConstruct;
      expectError(() => directory.authorize({ scopes: ['pets/read'] }).bind(notAConstruct, { method: HttpMethod.GET, path: '/pets' }),
        'a Cognito authorization must be bound to the API construct, which owns its authorizer (at TestStack/Users)');
    });

    test('a route of an existing pool must use one of the scopes given for it', () => {
      const stack = newStack();
      const userPool = cognito.UserPool.fromUserPoolArn(stack, 'ImportedPool', POOL_ARN);
      const directory = CognitoUserDirectory.fromUserPool(stack, 'Users', { userPool, scopes: ['pets/read'] });
      expectError(() => addPetsRoute(stack, directory.authorize({ scopes: ['pets/write'] })),
        "`authorize().scopes[0]` of `GET /pets` names 'pets/write', which the user directory does not define: use one of 'pets/read'");
    });
  });

  describe('fromUserPool', () => {
    function importWith(props: Partial<Parameters<typeof CognitoUserDirectory.fromUserPool>[2]>) {
      const stack = newStack();
      const userPool = cognito.UserPool.fromUserPoolArn(stack, 'ImportedPool', POOL_ARN);
      return CognitoUserDirectory.fromUserPool(stack, 'Users', { userPool, scopes: ['pets/read'], ...props });
    }

    test.each<[string, Partial<Parameters<typeof CognitoUserDirectory.fromUserPool>[2]>, string]>([
      ['no user pool', { userPool: undefined }, "`userPool` is missing: pass the pool, such as cognito.UserPool.fromUserPoolArn(this, 'Users', userPoolArn)"],
      ['no scopes', { scopes: [] }, "`scopes` must list at least one scope, got []: name the scopes the user pool's resource servers define, such as 'pets/read'"],
      ['a scope without its resource server', { scopes: ['pets/read', 'write'] }, "`scopes[1]` must be a full scope name, '<resource server identifier>/<scope name>' without whitespace, got 'write'"],
      ['a scope with whitespace', { scopes: ['pets/read all'] }, "`scopes[0]` must be a full scope name, '<resource server identifier>/<scope name>' without whitespace, got 'pets/read all'"],
      ['a long authorizer cache', { authorizerCacheTtl: Duration.minutes(61) }, '`authorizerCacheTtl` must be a whole number of seconds from 0 seconds to 1 hour, got 1 hour 1 minute'],
    ])('rejects %s', (_name, props, message) => {
      expectError(() => importWith(props), message);
    });
  });
});

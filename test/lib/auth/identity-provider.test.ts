import { Annotations as CdkAnnotations, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  AudienceClaim,
  CognitoUserDirectory,
  GroupClaim,
  IdentityProvider,
  JwtAuthorizer,
  JwtIssuer,
  LambdaRouteIntegration,
  ScopeClaim,
  SecureRestApi,
  TokenType,
} from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { inlineFunction, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

/** A stack with an API guarded by one route of a `JwtAuthorizer` that trusts `issuer`. */
function authorizerFor(issuer: JwtIssuer): { stack: Stack; jwt: JwtAuthorizer } {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api');
  const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers: [issuer] });
  api.addRoute('GET /pets', { authorization: jwt.authorize(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
  return { stack, jwt };
}

const libraryWarnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('secure-api:'));

function expectError(issuer: JwtIssuer, message: string): void {
  expect(errorOf(ValidationError, () => authorizerFor(issuer)).message).toContain(message);
}

describe('IdentityProvider presets', () => {
  test('Auth0: the tenant issuer with its trailing slash, keys at the default path, scopes from scope and permissions', () => {
    expect(IdentityProvider.auth0({ domain: 'example.eu.auth0.com', audience: ['https://pets.example.com'], scopes: ['read:pets'] })).toEqual({
      issuer: 'https://example.eu.auth0.com/',
      audience: ['https://pets.example.com'],
      scopeClaims: [ScopeClaim.SCOPE, ScopeClaim.PERMISSIONS],
      groupClaims: [],
      scopes: ['read:pets'],
      requireAccessTokenType: false,
    });
    expect(IdentityProvider.auth0({ domain: 'example.eu.auth0.com', audience: ['a'], rfc9068Profile: true }).requireAccessTokenType).toBe(true);
  });

  test('Okta: a custom authorization server (default unless named), keys at /v1/keys, scp and groups', () => {
    expect(IdentityProvider.okta({ domain: 'example.okta.com', audience: ['api://pets'], scopes: ['pets.read'], groups: ['Admins'] })).toEqual({
      issuer: 'https://example.okta.com/oauth2/default',
      audience: ['api://pets'],
      jwksUri: 'https://example.okta.com/oauth2/default/v1/keys',
      scopeClaims: [ScopeClaim.SCP],
      groupClaims: [GroupClaim.GROUPS],
      scopes: ['pets.read'],
      groups: ['Admins'],
    });
    expect(IdentityProvider.okta({ domain: 'id.example.com', authorizationServerId: 'aus1', audience: ['a'] }).jwksUri).toBe('https://id.example.com/oauth2/aus1/v1/keys');
  });

  test('Entra ID: the tenant\'s v2.0 issuer, keys at /discovery/v2.0/keys, scp and app roles', () => {
    expect(IdentityProvider.entraId({ tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: ['api://pets'], scopes: ['Pets.Read'], roles: ['Pets.Admin'] })).toEqual({
      issuer: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
      audience: ['api://pets'],
      jwksUri: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/v2.0/keys',
      scopeClaims: [ScopeClaim.SCP],
      groupClaims: [GroupClaim.ROLES],
      scopes: ['Pets.Read'],
      groups: ['Pets.Admin'],
    });
    expect(IdentityProvider.entraId({ tenantId: 't', audience: ['a'], loginHost: 'login.microsoftonline.us' }).issuer).toBe('https://login.microsoftonline.us/t/v2.0');
  });

  test('Keycloak: the realm issuer, keys at /protocol/openid-connect/certs, and Keycloak\'s access-token check', () => {
    expect(IdentityProvider.keycloak({ url: 'https://sso.example.com/', realm: 'pets', audience: ['pets-api'], groups: ['admins'] })).toEqual({
      issuer: 'https://sso.example.com/realms/pets',
      audience: ['pets-api'],
      jwksUri: 'https://sso.example.com/realms/pets/protocol/openid-connect/certs',
      scopeClaims: [ScopeClaim.SCOPE],
      groupClaims: [GroupClaim.GROUPS],
      scopes: undefined,
      groups: ['admins'],
      tokenType: TokenType.KEYCLOAK_ACCESS_TOKEN,
    });
  });

  test('Google: ID tokens of the API\'s own clients, keys at googleapis.com, the Workspace domain required as hd', () => {
    expect(IdentityProvider.google({ clientIds: ['123.apps.googleusercontent.com'], hostedDomain: 'example.com' })).toEqual({
      issuer: 'https://accounts.google.com',
      audience: ['123.apps.googleusercontent.com'],
      jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
      scopeClaims: [],
      groupClaims: [],
      tokenType: TokenType.GOOGLE_ID_TOKEN,
      requiredClaims: { hd: 'example.com' },
    });
  });

  test('Cognito: the pool\'s issuer, client_id as audience, cognito:groups, and token_use access; JwtAuthorizer.cognitoIssuer is the same', () => {
    const stack = newStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    const client = pool.addClient('Client');
    const users = CognitoUserDirectory.fromUserPool(stack, 'Users', { userPool: pool, scopes: ['pets/read'] });
    const issuer = IdentityProvider.cognito(users, { clients: [client], groups: ['admins'] });
    expect(issuer).toMatchObject({ audienceClaim: AudienceClaim.CLIENT_ID, groupClaims: [GroupClaim.COGNITO_GROUPS], tokenType: TokenType.COGNITO_ACCESS_TOKEN, groups: ['admins'] });
    expect(stack.resolve(issuer.issuer)).toEqual({ 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: stack.getLogicalId(pool.node.defaultChild as cognito.CfnUserPool) }]] });
    expect(JwtAuthorizer.cognitoIssuer(users, { clients: [client], groups: ['admins'] })).toEqual(issuer);
  });

  test.each([
    ['Auth0', IdentityProvider.auth0({ domain: 'example.eu.auth0.com', audience: ['a'] })],
    ['Okta', IdentityProvider.okta({ domain: 'example.okta.com', audience: ['a'] })],
    ['Entra ID', IdentityProvider.entraId({ tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: ['a'] })],
    ['Keycloak', IdentityProvider.keycloak({ url: 'https://sso.example.com', realm: 'pets', audience: ['a'] })],
    ['Google', IdentityProvider.google({ clientIds: ['a'], hostedDomain: 'example.com' })],
  ])('%s synthesizes without a warning', (_, issuer) => {
    expect(libraryWarnings(authorizerFor(issuer).stack)).toEqual([]);
  });
});

describe('issuers that would refuse every token fail synth', () => {
  test.each([
    ['Entra ID', 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0', 'IdentityProvider.entraId()'],
    ['Okta', 'https://example.okta.com/oauth2/default', 'IdentityProvider.okta()'],
    ['Keycloak', 'https://sso.example.com/realms/pets', 'IdentityProvider.keycloak()'],
  ])('%s without jwksUri: its keys are not at the default path', (name, issuer, preset) => {
    expectError({ issuer, audience: ['a'] }, `\`issuers[0].jwksUri\` is left out, but ${name} does not publish its keys at <issuer>/.well-known/jwks.json, so every token would be refused: use ${preset}, or set \`jwksUri\``);
  });

  test('Entra ID\'s multi-tenant endpoints: their tokens name each user\'s own tenant', () => {
    for (const tenant of ['common', 'organizations', 'consumers']) {
      expectError({ ...IdentityProvider.entraId({ tenantId: tenant, audience: ['a'] }) },
        `\`issuers[0].issuer\` 'https://login.microsoftonline.com/${tenant}/v2.0' is Entra ID's multi-tenant endpoint '${tenant}': tokens name their own tenant in \`iss\`, so none would match`);
    }
  });

  test('Okta\'s org authorization server: its tokens are for Okta\'s own APIs', () => {
    expectError({ issuer: 'https://example.okta.com', audience: ['a'], jwksUri: 'https://example.okta.com/oauth2/v1/keys' },
      '`issuers[0].issuer` \'https://example.okta.com\' is Okta\'s org authorization server, whose access tokens are meant for Okta\'s own APIs');
  });

  test('Google without the ID-token type, and the ID-token type for another issuer', () => {
    expectError({ issuer: 'https://accounts.google.com', audience: ['a'], jwksUri: 'https://www.googleapis.com/oauth2/v3/certs' },
      '`issuers[0].issuer` is Google\'s, which issues no JWT access tokens: use IdentityProvider.google()');
    expectError({ issuer: 'https://login.example.com', audience: ['a'], jwksUri: 'https://login.example.com/keys', tokenType: TokenType.GOOGLE_ID_TOKEN },
      '`issuers[0].tokenType` is GOOGLE_ID_TOKEN, but the issuer \'https://login.example.com\' is not Google\'s');
  });

  test('discovery and jwksUri together', () => {
    expectError({ issuer: 'https://login.example.com', audience: ['a'], jwksUri: 'https://login.example.com/keys', discovery: true },
      '`issuers[0].discovery` is true and `issuers[0].jwksUri` is set: the key set would come from two places; keep one');
  });

  test('required claims with names or values that cannot be checked', () => {
    expectError({ issuer: 'https://login.example.com', audience: ['a'], jwksUri: 'https://login.example.com/keys', requiredClaims: { '__proto__x y': 'v' } },
      '`issuers[0].requiredClaims` names the claim \'__proto__x y\': use a claim name of letters, digits and _ : . -');
    expectError({ issuer: 'https://login.example.com', audience: ['a'], jwksUri: 'https://login.example.com/keys', requiredClaims: { constructor: 'v' } },
      '`issuers[0].requiredClaims` names the claim \'constructor\'');
    expectError({ issuer: 'https://login.example.com', audience: ['a'], jwksUri: 'https://login.example.com/keys', requiredClaims: { tid: '' } },
      '`issuers[0].requiredClaims.tid` must be a non-empty string, got \'\'');
    expectError({ issuer: 'https://login.example.com', audience: ['a'], jwksUri: 'https://login.example.com/keys', requiredClaims: { tid: undefined as never } },
      '`issuers[0].requiredClaims.tid` is missing: give the value the claim must have');
  });
});

describe('preset inputs and discovery limits', () => {
  test('a preset domain given as a URL: the issuer would be a URL inside a URL', () => {
    expectError(IdentityProvider.okta({ domain: 'https://example.okta.com', audience: ['a'] }),
      '`issuers[0].issuer` \'https://https://example.okta.com/oauth2/default\' holds a URL inside a URL: give an IdentityProvider preset\'s `domain` (or `loginHost`) as a bare host name');
  });

  test('a preset domain that makes no URL is said not to be a URL, not to be plain HTTP', () => {
    expectError(IdentityProvider.okta({ domain: 'example okta com', audience: ['a'] }),
      '`issuers[0].issuer` must be an https:// URL without credentials, query or fragment, got \'https://example okta com/oauth2/default\': it is not a URL; write it in full, such as \'https://login.example.com/\'');
  });

  test('with discovery, jwksFetchTimeout must let both fetches fit in the function\'s 5 seconds', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    expect(errorOf(ValidationError, () => new JwtAuthorizer(stack, 'Jwt', {
      api,
      issuers: [{ issuer: 'https://login.example.com', audience: ['a'], jwksUri: 'https://login.example.com/keys' }, { issuer: 'https://id.example.net', audience: ['a'], discovery: true }],
      jwksFetchTimeout: Duration.seconds(3),
    })).message).toContain('`jwksFetchTimeout` must be at most 2 seconds when an issuer uses `discovery` (`issuers[1]`), got 3 seconds');
    expect(() => authorizerFor({ issuer: 'https://id.example.net', audience: ['a'], discovery: true })).not.toThrow();
  });
});

describe('warnings', () => {
  test('a custom issuer that relies on the default JWKS path is warned about; with jwksUri or discovery it is not', () => {
    const { stack } = authorizerFor({ issuer: 'https://login.example.com', audience: ['a'] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Jwt', Match.stringLikeRegexp('`issuers\\[0\\]` \\(https://login.example.com\\) relies on the default JWKS URI <issuer>/.well-known/jwks.json.*\\[ack: secure-api:jwt-default-jwks-uri\\]'));
    expect(libraryWarnings(authorizerFor({ issuer: 'https://login.example.com', audience: ['a'], jwksUri: 'https://login.example.com/keys' }).stack)).toEqual([]);
    expect(libraryWarnings(authorizerFor({ issuer: 'https://login.example.com', audience: ['a'], discovery: true }).stack)).toEqual([]);
  });

  test('Cognito and Auth0 issuers publish at the default path: no warning', () => {
    expect(libraryWarnings(authorizerFor({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', audience: ['a'] }).stack)).toEqual([]);
    expect(libraryWarnings(authorizerFor({ issuer: 'https://example.auth0.com/', audience: ['a'] }).stack)).toEqual([]);
  });

  test('Google without a Workspace domain accepts any account: warned until acknowledged', () => {
    const { stack, jwt } = authorizerFor(IdentityProvider.google({ clientIds: ['a'] }));
    Annotations.fromStack(stack).hasWarning('/TestStack/Jwt', Match.stringLikeRegexp('accepts the ID tokens of any Google account, personal ones included'));
    CdkAnnotations.of(jwt).acknowledgeWarning('secure-api:jwt-any-google-account', 'a consumer app: any Google user may sign in');
    expect(libraryWarnings(stack)).toEqual([]);
  });
});

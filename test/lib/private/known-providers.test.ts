import { knownProvider } from '../../../lib/private/known-providers';

describe('knownProvider', () => {
  test.each([
    ['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', 'Cognito', true],
    ['https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_abc', 'Cognito', true],
    ['https://example.eu.auth0.com/', 'Auth0', true],
    ['https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0', 'Entra ID', false],
    ['https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0', 'Entra ID', false],
    ['https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/', 'Entra ID', false],
    ['https://example.okta.com/oauth2/default', 'Okta', false],
    ['https://example.oktapreview.com/oauth2/aus1', 'Okta', false],
    ['https://accounts.google.com', 'Google', false],
    ['https://sso.example.com/realms/pets', 'Keycloak', false],
    ['https://sso.example.com/auth/realms/pets/', 'Keycloak', false],
  ])('%s is %s (keys at the default path: %s)', (issuer, name, defaultJwksPath) => {
    expect(knownProvider(issuer)).toMatchObject({ name, defaultJwksPath });
    expect(knownProvider(issuer)?.problem).toBeUndefined();
  });

  test.each([
    'https://login.example.com/',
    'https://id.example.com/oauth2/default', // an Okta custom domain cannot be told from its URL
    'https://auth0.com.example.net/',
    'https://example.com/realms',
    'not a url',
  ])('%s is not known', (issuer) => {
    expect(knownProvider(issuer)).toBeUndefined();
  });

  test('issuers whose tokens cannot work carry the reason', () => {
    expect(knownProvider('https://login.microsoftonline.com/Common/v2.0')?.problem).toMatch(/^is Entra ID's multi-tenant endpoint 'Common'/);
    expect(knownProvider('https://example.okta.com')?.problem).toMatch(/^is Okta's org authorization server/);
    expect(knownProvider('https://example.okta.com/oauth2/default/extra')?.problem).toMatch(/^is Okta's org authorization server/);
  });
});

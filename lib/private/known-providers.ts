/** What the library knows of an identity provider, from its issuer URL. */
export interface KnownProvider {
  readonly name: string;
  /** The `IdentityProvider` preset that configures it. */
  readonly preset: string;
  /** Whether it publishes its signing keys at `<issuer>/.well-known/jwks.json`. */
  readonly defaultJwksPath: boolean;
  /** Why tokens of this issuer URL cannot work as configured, if they cannot. */
  readonly problem?: string;
}

const ENTRA_MULTI_TENANT = ['common', 'organizations', 'consumers'];

/**
 * The provider an issuer URL belongs to, when the library knows it: Cognito, Auth0, Entra ID, Okta,
 * Google or Keycloak, recognized by host (or, for Keycloak, the `/realms/<realm>` path).
 */
export function knownProvider(issuer: string): KnownProvider | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  const parts = url.pathname.split('/').filter((part) => part !== '');
  if (/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host)) {
    return { name: 'Cognito', preset: 'IdentityProvider.cognito()', defaultJwksPath: true };
  }
  if (/\.auth0\.com$/.test(host)) {
    return { name: 'Auth0', preset: 'IdentityProvider.auth0()', defaultJwksPath: true };
  }
  if (/^login\.microsoftonline\.(com|us)$|^login\.partner\.microsoftonline\.cn$|^sts\.windows\.net$/.test(host)) {
    const entra = { name: 'Entra ID', preset: 'IdentityProvider.entraId()', defaultJwksPath: false };
    if (ENTRA_MULTI_TENANT.includes(parts[0]?.toLowerCase())) {
      return { ...entra, problem: `is Entra ID's multi-tenant endpoint '${parts[0]}': tokens name their own tenant in \`iss\`, so none would match. Name your tenant's ID, as IdentityProvider.entraId({ tenantId }) does` };
    }
    return entra;
  }
  if (/\.(okta|oktapreview|okta-emea|okta-gov)\.com$/.test(host)) {
    const okta = { name: 'Okta', preset: 'IdentityProvider.okta()', defaultJwksPath: false };
    if (parts[0] !== 'oauth2' || parts.length !== 2) {
      return { ...okta, problem: 'is Okta\'s org authorization server, whose access tokens are meant for Okta\'s own APIs and cannot be verified by yours: use a custom authorization server, such as \'https://<domain>/oauth2/default\' (IdentityProvider.okta())' };
    }
    return okta;
  }
  if (host === 'accounts.google.com') {
    return { name: 'Google', preset: 'IdentityProvider.google()', defaultJwksPath: false };
  }
  if (parts.length >= 2 && parts[parts.length - 2] === 'realms') {
    return { name: 'Keycloak', preset: 'IdentityProvider.keycloak()', defaultJwksPath: false };
  }
  return undefined;
}

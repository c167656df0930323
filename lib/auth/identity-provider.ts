import { Stack } from 'aws-cdk-lib';
import type { ICognitoUserDirectory } from './cognito-user-directory';
import { AudienceClaim, CognitoIssuerOptions, GroupClaim, JwtIssuer, ScopeClaim, TokenType } from './jwt-authorizer';

/** What every preset of an OAuth 2.0 authorization server takes. */
export interface AuthorizationServerOptions {
  /** The audiences a token must name (any one of them): the API's identifier at the provider. */
  readonly audience: string[];

  /**
   * The scopes routes may require.
   *
   * @default - none
   */
  readonly scopes?: string[];
}

/** Options of {@link IdentityProvider.auth0}. */
export interface Auth0Options extends AuthorizationServerOptions {
  /** The tenant's domain, as in its issuer: `example.eu.auth0.com`, or a custom domain. */
  readonly domain: string;

  /**
   * The API's token dialect is `rfc9068_profile` (or `rfc9068_profile_authz`), so its access
   * tokens carry the `typ` header `at+jwt`, which is then required: the surest way to refuse ID tokens.
   *
   * @default false
   */
  readonly rfc9068Profile?: boolean;
}

/** Options of {@link IdentityProvider.okta}. */
export interface OktaOptions extends AuthorizationServerOptions {
  /** The organisation's Okta domain: `example.okta.com`, or a custom domain. */
  readonly domain: string;

  /**
   * The custom authorization server. Tokens of Okta's org authorization server are meant for Okta's
   * own APIs and cannot be verified by yours.
   *
   * @default 'default'
   */
  readonly authorizationServerId?: string;

  /**
   * The groups routes may require, from the `groups` claim (add a groups claim to the
   * authorization server's access tokens).
   *
   * @default - none
   */
  readonly groups?: string[];
}

/** Options of {@link IdentityProvider.entraId}. */
export interface EntraIdOptions extends AuthorizationServerOptions {
  /**
   * The directory (tenant) ID. Multi-tenant endpoints (`common`, `organizations`, `consumers`) are
   * refused: their tokens name each user's own tenant.
   */
  readonly tenantId: string;

  /**
   * The app roles routes may require, from the `roles` claim.
   *
   * @default - none
   */
  readonly roles?: string[];

  /**
   * The national cloud's login host.
   *
   * @default 'login.microsoftonline.com'
   */
  readonly loginHost?: string;
}

/** Options of {@link IdentityProvider.keycloak}. */
export interface KeycloakOptions extends AuthorizationServerOptions {
  /** The server's URL, with `/auth` for Keycloak before version 17: `https://sso.example.com`. */
  readonly url: string;

  /** The realm. */
  readonly realm: string;

  /**
   * The groups routes may require, from the `groups` claim (add a group membership mapper to the
   * client's dedicated scope).
   *
   * @default - none
   */
  readonly groups?: string[];
}

/** Options of {@link IdentityProvider.google}. */
export interface GoogleOptions {
  /** The OAuth client IDs of the API's own Google clients: a token's audience must be one of them. */
  readonly clientIds: string[];

  /**
   * The Google Workspace domain callers must belong to (the `hd` claim).
   *
   * @default - any Google account, personal ones included, may call: synth warns
   * (`secure-api:jwt-any-google-account`) until the warning is acknowledged with
   * `Annotations.of(authorizer).acknowledgeWarning(...)`
   */
  readonly hostedDomain?: string;
}

/**
 * Issuer settings for the identity providers the library knows, for `JwtAuthorizer`'s `issuers`:
 * each sets the issuer URL, where the signing keys are, the claims that hold scopes and groups,
 * and how its access tokens are told from its ID tokens.
 *
 * @example
 * new JwtAuthorizer(this, 'Jwt', {
 *   api,
 *   issuers: [IdentityProvider.okta({ domain: 'example.okta.com', audience: ['api://pets'], scopes: ['pets:read'] })],
 * });
 */
export class IdentityProvider {
  /**
   * A Cognito user directory's access tokens: the audience is the app client (`client_id`), groups
   * come from `cognito:groups`, and `token_use` must be `access`.
   *
   * @param directory the user directory whose pool issues the tokens
   * @param options the app clients whose tokens are accepted, and the groups routes may require
   */
  public static cognito(directory: ICognitoUserDirectory, options: CognitoIssuerOptions): JwtIssuer {
    return {
      issuer: `https://cognito-idp.${directory.userPool.env.region}.${Stack.of(directory.userPool).urlSuffix}/${directory.userPool.userPoolId}`,
      audience: options.clients.map((client) => client.userPoolClientId),
      audienceClaim: AudienceClaim.CLIENT_ID,
      scopeClaims: [ScopeClaim.SCOPE],
      groupClaims: [GroupClaim.COGNITO_GROUPS],
      scopes: [...directory.scopeNames],
      groups: options.groups,
      tokenType: TokenType.COGNITO_ACCESS_TOKEN,
    };
  }

  /**
   * An Auth0 tenant's access tokens: keys at `/.well-known/jwks.json`, scopes from `scope` and,
   * with RBAC, `permissions`.
   */
  public static auth0(options: Auth0Options): JwtIssuer {
    return {
      issuer: `https://${options.domain}/`,
      audience: options.audience,
      scopeClaims: [ScopeClaim.SCOPE, ScopeClaim.PERMISSIONS],
      groupClaims: [],
      scopes: options.scopes,
      requireAccessTokenType: options.rfc9068Profile ?? false,
    };
  }

  /**
   * An Okta custom authorization server's access tokens: keys at `/v1/keys`, scopes from `scp`,
   * groups from `groups`.
   */
  public static okta(options: OktaOptions): JwtIssuer {
    const issuer = `https://${options.domain}/oauth2/${options.authorizationServerId ?? 'default'}`;
    return {
      issuer,
      audience: options.audience,
      jwksUri: `${issuer}/v1/keys`,
      scopeClaims: [ScopeClaim.SCP],
      groupClaims: [GroupClaim.GROUPS],
      scopes: options.scopes,
      groups: options.groups,
    };
  }

  /**
   * Microsoft Entra ID's v2.0 access tokens for one tenant: keys at `/discovery/v2.0/keys`, scopes
   * from `scp` (delegated), app roles from `roles`. Set `accessTokenAcceptedVersion` to 2 in the
   * API's app registration, or Entra ID issues v1.0 tokens with another issuer.
   */
  public static entraId(options: EntraIdOptions): JwtIssuer {
    const login = `https://${options.loginHost ?? 'login.microsoftonline.com'}/${options.tenantId}`;
    return {
      issuer: `${login}/v2.0`,
      audience: options.audience,
      jwksUri: `${login}/discovery/v2.0/keys`,
      scopeClaims: [ScopeClaim.SCP],
      groupClaims: [GroupClaim.ROLES],
      scopes: options.scopes,
      groups: options.roles,
    };
  }

  /**
   * A Keycloak realm's access tokens: keys at `/protocol/openid-connect/certs`, scopes from
   * `scope`, groups from `groups`, and the claim `typ` must be `Bearer`. Keycloak puts the API in
   * `aud` only with an audience mapper on the client.
   */
  public static keycloak(options: KeycloakOptions): JwtIssuer {
    const issuer = `${options.url.replace(/\/+$/, '')}/realms/${options.realm}`;
    return {
      issuer,
      audience: options.audience,
      jwksUri: `${issuer}/protocol/openid-connect/certs`,
      scopeClaims: [ScopeClaim.SCOPE],
      groupClaims: [GroupClaim.GROUPS],
      scopes: options.scopes,
      groups: options.groups,
      tokenType: TokenType.KEYCLOAK_ACCESS_TOKEN,
    };
  }

  /**
   * Google Sign-In ID tokens of the API's own clients (Google issues no JWT access tokens): keys at
   * `https://www.googleapis.com/oauth2/v3/certs`, the audience one of `clientIds`, `email_verified`
   * true, and the Workspace domain `hostedDomain` if given. Such tokens carry
   * no scopes or groups: use `authorize()` without requirements for these callers.
   */
  public static google(options: GoogleOptions): JwtIssuer {
    return {
      issuer: 'https://accounts.google.com',
      audience: options.clientIds,
      jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
      scopeClaims: [],
      groupClaims: [],
      tokenType: TokenType.GOOGLE_ID_TOKEN,
      requiredClaims: options.hostedDomain === undefined ? undefined : { hd: options.hostedDomain },
    };
  }
}

import { Annotations, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct, IConstruct } from 'constructs';
import { RouteAuthorization } from './route-authorization';
import {
  CognitoRouteAuthorization,
  validateFullScopeNames,
  validateScopeList,
} from '../private/cognito-authorization';
import { ValidationError } from '../private/validation-error';
import {
  DEFAULT_AUTHORIZER_CACHE_TTL,
  DurationBounds,
  describe,
  validateAuthorizerCacheTtl,
  validateDuration,
  validateNonBlank,
  validateOneOf,
} from '../private/validators';

/** MFA settings a directory accepts: a password alone never signs a user in by default. */
const ALLOWED_MFA: readonly cognito.Mfa[] = [cognito.Mfa.REQUIRED, cognito.Mfa.OPTIONAL];

/** Second factors: TOTP apps only. SMS codes can be intercepted (SIM swap) and cost money. */
const TOTP_ONLY: cognito.MfaSecondFactor = { sms: false, otp: true, email: false };

const DEFAULT_PASSWORD_MIN_LENGTH = 14;
/** The shortest minimum password length a directory accepts. */
const PASSWORD_MIN_LENGTH_FLOOR = 12;
/** The longest minimum password length Cognito accepts. */
const COGNITO_MAX_PASSWORD_MIN_LENGTH = 99;
/** Previous passwords a user may not reuse: Cognito's maximum (Essentials plan or higher). */
const PASSWORD_HISTORY_SIZE = 24;
/** How long the temporary password of an invited user lasts. Cognito counts whole days. */
const TEMPORARY_PASSWORD_VALIDITY = Duration.days(1);

const DEFAULT_ACCESS_TOKEN_VALIDITY = Duration.minutes(15);
const DEFAULT_ID_TOKEN_VALIDITY = Duration.minutes(15);
const DEFAULT_REFRESH_TOKEN_VALIDITY = Duration.hours(12);
/** What Cognito accepts for access and ID tokens. */
const TOKEN_VALIDITY_BOUNDS: DurationBounds = { min: Duration.minutes(5), max: Duration.days(1), unit: 'minutes' };
/** What Cognito accepts for refresh tokens. */
const REFRESH_TOKEN_VALIDITY_BOUNDS: DurationBounds = { min: Duration.minutes(60), max: Duration.days(3650), unit: 'minutes' };

/** Removal policies a user pool supports (it has no snapshots). */
const ALLOWED_REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, RemovalPolicy.DESTROY];

/** Cognito's rules for a resource server identifier and a scope name: printable ASCII, 1 to 256 characters. */
const RESOURCE_SERVER_IDENTIFIER_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
const SCOPE_NAME_PATTERN = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/;
const MAX_SCOPE_DESCRIPTION_LENGTH = 256;

/** Cognito's rule for the prefix of a Cognito-hosted domain, and the words it reserves. */
const DOMAIN_PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_DOMAIN_WORDS = ['aws', 'amazon', 'cognito'] as const;

/** User clients: SRP (the password never leaves the client) and refresh; never USER_PASSWORD_AUTH. */
const USER_CLIENT_AUTH_FLOWS: cognito.AuthFlow = { userSrp: true };
/**
 * Machine clients: no user flow at all. The flows are named (as `false`) because an empty `AuthFlow`
 * leaves ExplicitAuthFlows unset, and Cognito then allows SRP and custom auth. CDK still lists
 * ALLOW_REFRESH_TOKEN_AUTH, which is harmless: the client credentials grant issues no refresh token.
 */
const NO_USER_AUTH_FLOWS: cognito.AuthFlow = { userPassword: false, adminUserPassword: false, custom: false, userSrp: false, user: false };
/** The OpenID Connect scopes a user client may ask for besides the API's. */
const USER_CLIENT_OIDC_SCOPES: readonly cognito.OAuthScope[] = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE];
/** Clients sign users in with the pool itself, not with federated identity providers. */
const IDENTITY_PROVIDERS: readonly cognito.UserPoolClientIdentityProvider[] = [cognito.UserPoolClientIdentityProvider.COGNITO];

/** The one plain-HTTP host Cognito accepts in redirect URLs, for development. */
const LOCALHOST = 'localhost';

/** A scope of the directory's resource server: a permission an access token can carry. */
export interface CognitoScope {
  /**
   * The scope's name, such as `read`. Tokens carry it as `<resourceServerIdentifier>/<name>`.
   * Printable ASCII without whitespace, `"`, `/` or `\`.
   */
  readonly name: string;
  /** What the scope allows, for people reading the pool's configuration. */
  readonly description: string;
}

/** Options of {@link ICognitoUserDirectory.authorize}. */
export interface CognitoRouteOptions {
  /**
   * Full scope names, `<resourceServerIdentifier>/<name>` such as `pets/read`, that admit a caller.
   * API Gateway allows the request when the caller's access token holds ANY ONE of them, not all:
   * give a route that needs a stronger permission only that permission's scope.
   *
   * At least one is required: a Cognito route without scopes accepts ID tokens too.
   */
  readonly scopes: string[];
}

/** A Cognito user pool whose access tokens can authorize routes of a `SecureRestApi`. */
export interface ICognitoUserDirectory extends IConstruct {
  /** The user pool. */
  readonly userPool: cognito.IUserPool;
  /** The full names of the scopes routes may require, `<identifier>/<name>`. */
  readonly scopeNames: string[];

  /**
   * An authorization for a route: callers present an access token of the pool, in the
   * `Authorization` header, holding one of `options.scopes`. All routes of one API that use this
   * directory share one authorizer.
   */
  authorize(options: CognitoRouteOptions): RouteAuthorization;
}

/** Properties of {@link CognitoUserDirectory.fromUserPool}. */
export interface ExistingUserPoolProps {
  /** The user pool, such as `cognito.UserPool.fromUserPoolArn(...)`. */
  readonly userPool: cognito.IUserPool;

  /** The full names of the scopes the pool's resource servers define, such as `pets/read`. */
  readonly scopes: string[];

  /**
   * How long API Gateway caches the verdict on a token, at most one hour; `Duration.seconds(0)`
   * turns caching off.
   *
   * @default Duration.minutes(5)
   */
  readonly authorizerCacheTtl?: Duration;
}

/** Properties of a {@link CognitoUserDirectory}. */
export interface CognitoUserDirectoryProps {
  /**
   * The identifier of the API's resource server, such as `pets` or `https://api.example.com`. It
   * prefixes every scope name.
   */
  readonly resourceServerIdentifier: string;

  /** The API's scopes. At least one: routes require scopes, and clients are granted them. */
  readonly scopes: CognitoScope[];

  /**
   * Whether users need a second factor (a TOTP app) to sign in. `Mfa.OFF` is refused.
   *
   * @default cognito.Mfa.REQUIRED
   */
  readonly mfa?: cognito.Mfa;

  /**
   * The minimum password length, 12 to 99. Passwords also need lower and upper case letters,
   * digits and symbols, and may not repeat the user's last 24.
   *
   * @default 14
   */
  readonly passwordMinLength?: number;

  /**
   * Whether to turn on Cognito threat protection: the Plus feature plan, with standard threat
   * protection (adaptive authentication, compromised-credential checks) enforcing, not only
   * auditing. Cognito's default risk settings apply until a `cognito.CfnUserPoolRiskConfigurationAttachment`
   * sets others. The Plus plan is billed per monthly active user, so this is an explicit choice.
   *
   * @default false (the Essentials feature plan, no threat protection)
   */
  readonly threatProtection?: boolean;

  /**
   * How long access tokens last, 5 minutes to 1 day, for the user clients and, unless they set
   * their own, the machine clients. A revoked access token stays valid for verifiers that check
   * only its signature and expiry until it expires, so keep it short.
   *
   * @default Duration.minutes(15)
   */
  readonly accessTokenValidity?: Duration;

  /**
   * How long ID tokens last, 5 minutes to 1 day.
   *
   * @default Duration.minutes(15)
   */
  readonly idTokenValidity?: Duration;

  /**
   * How long refresh tokens of user clients last, 60 minutes to 10 years, and longer than access
   * and ID tokens. This bounds a session: a user signs in again when it ends.
   *
   * @default Duration.hours(12)
   */
  readonly refreshTokenValidity?: Duration;

  /**
   * How long API Gateway caches the verdict on a token, at most one hour; `Duration.seconds(0)`
   * turns caching off.
   *
   * @default Duration.minutes(5)
   */
  readonly authorizerCacheTtl?: Duration;

  /**
   * The prefix of a Cognito-hosted domain for the sign-in pages and the OAuth endpoints,
   * `https://<prefix>.auth.<region>.amazoncognito.com`: lowercase letters, digits and hyphens,
   * without `aws`, `amazon` or `cognito`. OAuth clients (`addUserClient`, `addMachineClient`) need a
   * domain to get tokens.
   *
   * @default - no domain
   */
  readonly domainPrefix?: string;

  /**
   * How the pool sends email (invitations, password reset codes).
   *
   * @default - Cognito's own sender, limited to a few messages a day: for development; use
   * `cognito.UserPoolEmail.withSES(...)` in production
   */
  readonly email?: cognito.UserPoolEmail;

  /**
   * What happens to the user pool, and its users, when it leaves the stack. Deletion protection
   * is on unless this is `RemovalPolicy.DESTROY`, so the pool cannot be deleted by hand either.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Options of {@link CognitoUserDirectory.addMachineClient}. */
export interface MachineClientOptions {
  /** The full scope names the client may ask for, such as `pets/read`. */
  readonly scopes: string[];

  /**
   * How long the client's access tokens last, 5 minutes to 1 day.
   *
   * @default - the directory's `accessTokenValidity`
   */
  readonly accessTokenValidity?: Duration;
}

/** Options of {@link CognitoUserDirectory.addUserClient}. */
export interface UserClientOptions {
  /**
   * Where Cognito may send users back with an authorization code: `https://` URLs without a
   * fragment (`http://localhost` for development). At least one.
   */
  readonly callbackUrls: string[];

  /**
   * Where Cognito may send users after signing out, with the same rules as `callbackUrls`.
   *
   * @default - none
   */
  readonly logoutUrls?: string[];

  /** The full scope names of the API the client may ask for, such as `pets/read`. */
  readonly scopes: string[];
}

/**
 * A Cognito user pool for the people and programs that call a `SecureRestApi`, with secure
 * defaults, and the API's scopes:
 *
 * - administrators create users (no self sign-up); users sign in with their email address, in any
 *   case; account recovery goes by email only;
 * - MFA with TOTP apps is required (never SMS); passwords have at least 14 characters of every
 *   class and may not repeat the last 24; temporary passwords last one day;
 * - app clients hide whether a user exists, can revoke tokens, and issue short-lived tokens;
 * - the pool is retained, with deletion protection on;
 * - threat protection (the paid Plus plan) is one prop away: `threatProtection: true`.
 *
 * Routes require scopes with `authorize({ scopes })`; clients get them from `addMachineClient`
 * (client credentials) and `addUserClient` (authorization code with PKCE). No client secret is put
 * in the template or in outputs: read a machine client's secret from Cognito
 * (`aws cognito-idp describe-user-pool-client`).
 */
export class CognitoUserDirectory extends Construct implements ICognitoUserDirectory {
  /**
   * A directory for a user pool defined elsewhere, to authorize routes with its scopes. The pool's
   * own settings are not changed or checked.
   */
  public static fromUserPool(scope: Construct, id: string, props: ExistingUserPoolProps): ICognitoUserDirectory {
    return new ExistingUserPoolDirectory(scope, id, props);
  }

  /**
   * The user pool. The `cognito.UserPool` construct itself, for what `IUserPool` lacks (such as
   * `addTrigger`), is this construct's `node.defaultChild`.
   */
  public readonly userPool: cognito.IUserPool;
  /** The API's resource server, which defines its scopes. */
  public readonly resourceServer: cognito.UserPoolResourceServer;
  /** The full names of the API's scopes, `<identifier>/<name>`, as tokens carry them. */
  public readonly scopeNames: string[];
  /**
   * The Cognito-hosted domain.
   *
   * @default - none, unless `domainPrefix` is set
   */
  public readonly domain?: cognito.UserPoolDomain;

  /** The resource server's scopes by full name, to grant them to clients. */
  private readonly scopesByName = new Map<string, cognito.ResourceServerScope>();
  private readonly accessTokenValidity: Duration;
  private readonly idTokenValidity: Duration;
  private readonly refreshTokenValidity: Duration;
  private readonly authorizerCacheTtl: Duration;

  constructor(scope: Construct, id: string, props: CognitoUserDirectoryProps) {
    super(scope, id);

    this.validateResourceServerIdentifier(props.resourceServerIdentifier);
    this.validateScopes(props.scopes);
    const mfa = props.mfa ?? cognito.Mfa.REQUIRED;
    this.validateMfa(mfa);
    const passwordMinLength = props.passwordMinLength ?? DEFAULT_PASSWORD_MIN_LENGTH;
    this.validatePasswordMinLength(passwordMinLength);
    this.accessTokenValidity = props.accessTokenValidity ?? DEFAULT_ACCESS_TOKEN_VALIDITY;
    this.idTokenValidity = props.idTokenValidity ?? DEFAULT_ID_TOKEN_VALIDITY;
    this.refreshTokenValidity = props.refreshTokenValidity ?? DEFAULT_REFRESH_TOKEN_VALIDITY;
    this.validateTokenValidities();
    this.authorizerCacheTtl = props.authorizerCacheTtl ?? DEFAULT_AUTHORIZER_CACHE_TTL;
    validateAuthorizerCacheTtl(this, 'authorizerCacheTtl', this.authorizerCacheTtl);
    this.validateDomainPrefix(props.domainPrefix);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    validateOneOf(this, 'removalPolicy', removalPolicy, ALLOWED_REMOVAL_POLICIES);

    this.userPool = new cognito.UserPool(this, 'Resource', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // A changed address takes effect only once verified, so a session cannot redirect recovery mail.
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa,
      mfaSecondFactor: TOTP_ONLY,
      passwordPolicy: {
        minLength: passwordMinLength,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        passwordHistorySize: PASSWORD_HISTORY_SIZE,
        tempPasswordValidity: TEMPORARY_PASSWORD_VALIDITY,
      },
      featurePlan: props.threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: props.threatProtection ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      email: props.email,
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy,
    });

    const scopes = props.scopes.map((s) => new cognito.ResourceServerScope({ scopeName: s.name, scopeDescription: s.description }));
    this.resourceServer = new cognito.UserPoolResourceServer(this, 'ResourceServer', {
      userPool: this.userPool,
      identifier: props.resourceServerIdentifier,
      scopes,
    });
    for (const resourceServerScope of scopes) {
      this.scopesByName.set(`${props.resourceServerIdentifier}/${resourceServerScope.scopeName}`, resourceServerScope);
    }
    this.scopeNames = [...this.scopesByName.keys()];

    if (props.domainPrefix !== undefined) {
      this.domain = new cognito.UserPoolDomain(this, 'Domain', {
        userPool: this.userPool,
        cognitoDomain: { domainPrefix: props.domainPrefix },
      });
    }

    if (mfa === cognito.Mfa.OPTIONAL) {
      Annotations.of(this).addWarningV2('secure-api:cognito-mfa-optional',
        '`mfa` is Mfa.OPTIONAL: users who do not set up a TOTP app sign in with a password alone. Prefer the default Mfa.REQUIRED.');
    }
  }

  /**
   * An authorization for a route: callers present an access token of the pool holding one of
   * `options.scopes`, the full names of scopes of this directory.
   */
  public authorize(options: CognitoRouteOptions): RouteAuthorization {
    return new CognitoRouteAuthorization(this, this.authorizerCacheTtl, options?.scopes);
  }

  /**
   * Adds an app client for a program that calls the API on its own behalf: the OAuth 2.0 client
   * credentials grant only, with a generated client secret and no user sign-in flow. The secret is
   * not exported: read it from Cognito and keep it in a secret store.
   *
   * @param id the client's construct id
   */
  public addMachineClient(id: string, options: MachineClientOptions): cognito.UserPoolClient {
    const prop = `addMachineClient('${id}')`;
    this.validateClientScopes(`${prop}.scopes`, options?.scopes);
    validateDuration(this, `${prop}.accessTokenValidity`, options.accessTokenValidity, TOKEN_VALIDITY_BOUNDS);

    return this.userPool.addClient(id, {
      generateSecret: true,
      authFlows: NO_USER_AUTH_FLOWS,
      oAuth: {
        flows: { clientCredentials: true },
        scopes: this.oAuthScopes(options.scopes),
      },
      supportedIdentityProviders: [...IDENTITY_PROVIDERS],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: options.accessTokenValidity ?? this.accessTokenValidity,
    });
  }

  /**
   * Adds an app client for an application that users sign in to: the OAuth 2.0 authorization code
   * grant only (no implicit grant), the OpenID Connect scopes `openid`, `email` and `profile` and
   * the given API scopes, and SRP as the only direct sign-in flow (the password never leaves the
   * client; USER_PASSWORD_AUTH is off).
   *
   * The client is public, without a secret, as a browser or mobile app cannot keep one: it must use
   * PKCE (`code_challenge` with S256) so a stolen authorization code is worthless. Cognito checks
   * PKCE whenever the authorization request carries a code challenge, but has no setting to refuse
   * requests without one, so the application must send it.
   *
   * @param id the client's construct id
   */
  public addUserClient(id: string, options: UserClientOptions): cognito.UserPoolClient {
    const prop = `addUserClient('${id}')`;
    this.validateClientScopes(`${prop}.scopes`, options?.scopes);
    this.validateRedirectUrls(`${prop}.callbackUrls`, options.callbackUrls, true);
    this.validateRedirectUrls(`${prop}.logoutUrls`, options.logoutUrls, false);

    const client = this.userPool.addClient(id, {
      generateSecret: false,
      authFlows: USER_CLIENT_AUTH_FLOWS,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [...USER_CLIENT_OIDC_SCOPES, ...this.oAuthScopes(options.scopes)],
        callbackUrls: options.callbackUrls,
        logoutUrls: options.logoutUrls,
      },
      supportedIdentityProviders: [...IDENTITY_PROVIDERS],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: this.accessTokenValidity,
      idTokenValidity: this.idTokenValidity,
      refreshTokenValidity: this.refreshTokenValidity,
    });
    if ([...options.callbackUrls, ...(options.logoutUrls ?? [])].some(isLocalhost)) {
      Annotations.of(client).addWarningV2('secure-api:cognito-localhost-redirect',
        `${prop} accepts http://localhost redirects, for development: give production clients https:// URLs only.`);
    }
    return client;
  }

  /** The resource server's scopes as OAuth scopes, so clients depend on the resource server. */
  private oAuthScopes(scopeNames: string[]): cognito.OAuthScope[] {
    return scopeNames.map((name) => cognito.OAuthScope.resourceServer(this.resourceServer, this.scopesByName.get(name)!));
  }

  private validateResourceServerIdentifier(identifier: string): void {
    validateNonBlank(this, 'resourceServerIdentifier', identifier, "name the API, such as 'pets' or 'https://api.example.com'");
    if (Token.isUnresolved(identifier)) {
      return;
    }
    if (/\s/.test(identifier)) {
      throw new ValidationError(`\`resourceServerIdentifier\` must not contain whitespace, got ${describe(identifier)}: use a name such as 'pets' or 'https://api.example.com'`, this);
    }
    if (!RESOURCE_SERVER_IDENTIFIER_PATTERN.test(identifier)) {
      throw new ValidationError(`\`resourceServerIdentifier\` must be 1 to 256 printable ASCII characters other than '"' and '\\', got ${describe(identifier)}`, this);
    }
  }

  private validateScopes(scopes: CognitoScope[]): void {
    if (!Array.isArray(scopes) || scopes.length === 0) {
      throw new ValidationError(`\`scopes\` must define at least one scope, got ${describe(scopes)}: routes require scopes, such as [{ name: 'read', description: 'Read pets' }]`, this);
    }
    const seen = new Set<string>();
    scopes.forEach((scope, index) => {
      this.validateScopeName(`scopes[${index}].name`, scope?.name);
      this.validateScopeDescription(`scopes[${index}].description`, scope?.description);
      if (seen.has(scope.name)) {
        throw new ValidationError(`\`scopes[${index}].name\` repeats ${describe(scope.name)}: give each scope its own name`, this);
      }
      seen.add(scope.name);
    });
  }

  private validateScopeName(prop: string, name: string | undefined): void {
    validateNonBlank(this, prop, name, "name the scope, such as 'read'");
    if (Token.isUnresolved(name)) {
      return;
    }
    if (/\s/.test(name!)) {
      throw new ValidationError(`\`${prop}\` must not contain whitespace, got ${describe(name)}: use one word, such as 'read'`, this);
    }
    if (!SCOPE_NAME_PATTERN.test(name!)) {
      throw new ValidationError(`\`${prop}\` must be 1 to 256 printable ASCII characters other than '"', '/' and '\\', got ${describe(name)}: tokens carry it as '<identifier>/<name>'`, this);
    }
  }

  private validateScopeDescription(prop: string, description: string | undefined): void {
    validateNonBlank(this, prop, description, "say what the scope allows, such as 'Read pets'");
    if (!Token.isUnresolved(description) && description!.length > MAX_SCOPE_DESCRIPTION_LENGTH) {
      throw new ValidationError(`\`${prop}\` must have at most ${MAX_SCOPE_DESCRIPTION_LENGTH} characters, got ${description!.length}`, this);
    }
  }

  private validateMfa(mfa: cognito.Mfa): void {
    if (!ALLOWED_MFA.includes(mfa)) {
      throw new ValidationError(`\`mfa\` must be Mfa.REQUIRED or Mfa.OPTIONAL, got ${describe(mfa)}: without MFA a stolen password is enough to sign in; keep the default Mfa.REQUIRED, or at least Mfa.OPTIONAL`, this);
    }
  }

  private validatePasswordMinLength(minLength: number): void {
    if (Token.isUnresolved(minLength)) {
      return;
    }
    if (!Number.isInteger(minLength) || minLength < PASSWORD_MIN_LENGTH_FLOOR || minLength > COGNITO_MAX_PASSWORD_MIN_LENGTH) {
      throw new ValidationError(`\`passwordMinLength\` must be a whole number from ${PASSWORD_MIN_LENGTH_FLOOR} to ${COGNITO_MAX_PASSWORD_MIN_LENGTH}, got ${describe(minLength)}: shorter passwords are too easy to guess; keep the default ${DEFAULT_PASSWORD_MIN_LENGTH}`, this);
    }
  }

  private validateTokenValidities(): void {
    validateDuration(this, 'accessTokenValidity', this.accessTokenValidity, TOKEN_VALIDITY_BOUNDS);
    validateDuration(this, 'idTokenValidity', this.idTokenValidity, TOKEN_VALIDITY_BOUNDS);
    validateDuration(this, 'refreshTokenValidity', this.refreshTokenValidity, REFRESH_TOKEN_VALIDITY_BOUNDS);
    this.validateRefreshOutlives('accessTokenValidity', this.accessTokenValidity);
    this.validateRefreshOutlives('idTokenValidity', this.idTokenValidity);
  }

  private validateRefreshOutlives(prop: string, validity: Duration): void {
    if (validity.isUnresolved() || this.refreshTokenValidity.isUnresolved()) {
      return;
    }
    if (this.refreshTokenValidity.toMilliseconds() <= validity.toMilliseconds()) {
      throw new ValidationError(`\`refreshTokenValidity\` must be longer than \`${prop}\`, got ${this.refreshTokenValidity.toHumanString()} against ${validity.toHumanString()}: lengthen the refresh token or shorten the other`, this);
    }
  }

  private validateDomainPrefix(prefix: string | undefined): void {
    if (prefix === undefined || Token.isUnresolved(prefix)) {
      return;
    }
    if (typeof prefix !== 'string' || !DOMAIN_PREFIX_PATTERN.test(prefix)) {
      throw new ValidationError(`\`domainPrefix\` must be 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, got ${describe(prefix)}: use a prefix such as 'pets-auth'`, this);
    }
    const reserved = RESERVED_DOMAIN_WORDS.find((word) => prefix.includes(word));
    if (reserved) {
      throw new ValidationError(`\`domainPrefix\` must not contain '${reserved}', which Cognito reserves, got ${describe(prefix)}: use a prefix such as 'pets-auth'`, this);
    }
  }

  private validateClientScopes(prop: string, scopes: string[] | undefined): void {
    validateScopeList(this, scopes, {
      prop,
      whyNotEmpty: "the client's access tokens would reach no route; grant the scopes it needs",
      defined: this.scopeNames,
    });
  }

  private validateRedirectUrls(prop: string, urls: string[] | undefined, required: boolean): void {
    if (urls === undefined && !required) {
      return;
    }
    if (!Array.isArray(urls) || (required && urls.length === 0)) {
      throw new ValidationError(`\`${prop}\` must list at least one URL, got ${describe(urls)}: give the URL of the application's sign-in callback, such as 'https://app.example.com/callback'`, this);
    }
    urls.forEach((url, index) => {
      const problem = redirectUrlProblem(url);
      if (problem !== undefined) {
        throw new ValidationError(`\`${prop}[${index}]\` ${problem}, got ${describe(url)}`, this);
      }
    });
  }
}

/** A directory for a user pool defined elsewhere: routes only, the pool is not changed. */
class ExistingUserPoolDirectory extends Construct implements ICognitoUserDirectory {
  public readonly userPool: cognito.IUserPool;
  public readonly scopeNames: string[];
  private readonly authorizerCacheTtl: Duration;

  constructor(scope: Construct, id: string, props: ExistingUserPoolProps) {
    super(scope, id);
    if (!props?.userPool) {
      throw new ValidationError('`userPool` is missing: pass the pool, such as cognito.UserPool.fromUserPoolArn(this, \'Users\', userPoolArn)', this);
    }
    validateFullScopeNames(this, 'scopes', props.scopes);
    validateAuthorizerCacheTtl(this, 'authorizerCacheTtl', props.authorizerCacheTtl);
    this.userPool = props.userPool;
    this.scopeNames = [...props.scopes];
    this.authorizerCacheTtl = props.authorizerCacheTtl ?? DEFAULT_AUTHORIZER_CACHE_TTL;
  }

  public authorize(options: CognitoRouteOptions): RouteAuthorization {
    return new CognitoRouteAuthorization(this, this.authorizerCacheTtl, options?.scopes);
  }
}

/**
 * Why Cognito, or OAuth 2.0, would refuse `url` as a redirect URL, or `undefined` if it is fine:
 * an absolute https:// URL (http:// only for localhost) without a fragment.
 */
function redirectUrlProblem(url: string): string | undefined {
  if (Token.isUnresolved(url)) {
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be an absolute URL, such as 'https://app.example.com/callback'";
  }
  if (url.includes('#')) {
    return 'must not have a fragment (#...), which OAuth 2.0 forbids in redirect URLs: remove it';
  }
  if (parsed.protocol !== 'https:' && !isLocalhost(url)) {
    return 'must be an https:// URL (http:// only for localhost, in development): serve the application over HTTPS';
  }
  return undefined;
}

/** Whether `url` is a plain-HTTP URL of localhost, which Cognito allows for development. */
function isLocalhost(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && parsed.hostname === LOCALHOST;
  } catch {
    return false;
  }
}

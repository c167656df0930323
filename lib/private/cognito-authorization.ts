/**
 * What `CognitoUserDirectory` and the directory of an existing user pool share: the route
 * authorization that puts a Cognito authorizer and scopes on a route, and the checks of scope lists
 * and durations both apply.
 */
import { Duration, Names, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct, IConstruct } from 'constructs';
import { AUTHORIZATION_HEADER } from '../../lambda/shared/constants';
import { RouteAuthorization, RouteAuthorizationConfig, RouteDescription } from '../auth/route-authorization';
import { ValidationError } from './validation-error';
import { describe } from './validators';

/** Prefix of the authorizer's construct id under the API; the directory's unique id follows it. */
const AUTHORIZER_ID_PREFIX = 'CognitoAuthorizer';

/** A full scope name as tokens carry it: `<resource server identifier>/<scope name>`, printable ASCII. */
const FULL_SCOPE_NAME_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+\/[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$/;

/** What a Cognito route authorization needs from the user directory it belongs to. */
export interface CognitoAuthorizerSource extends IConstruct {
  /** The pool whose tokens the authorizer accepts. */
  readonly userPool: cognito.IUserPool;
  /** The full scope names the pool's resource servers define. */
  readonly scopeNames: string[];
}

/**
 * A route that callers reach with an access token of a Cognito user pool holding one of the
 * route's scopes. The API gets one `CognitoUserPoolsAuthorizer` per user directory, shared by all
 * the routes the directory protects.
 */
export class CognitoRouteAuthorization extends RouteAuthorization {
  constructor(
    private readonly directory: CognitoAuthorizerSource,
    private readonly cacheTtl: Duration,
    private readonly scopes: string[],
  ) {
    super();
  }

  public get description(): string {
    return `Cognito (${Array.isArray(this.scopes) ? this.scopes.join(' or ') : 'no scopes'})`;
  }

  public bind(scope: IConstruct, route: RouteDescription): RouteAuthorizationConfig {
    validateScopeList(scope, this.scopes, {
      prop: 'authorize().scopes',
      where: ` of \`${route.method} ${route.path}\``,
      whyNotEmpty: 'without scopes API Gateway accepts ID tokens as well as access tokens, so any signed-in user reaches the route; '
        + `list the scopes the route needs, such as ${describe(this.directory.scopeNames[0])}`,
      defined: this.directory.scopeNames,
    });
    return {
      authorizationType: apigw.AuthorizationType.COGNITO,
      authorizer: this.authorizerOf(scope),
      authorizationScopes: [...this.scopes],
      apiKeyRequired: false,
    };
  }

  /** The directory's authorizer under `api`: created by the first route, shared by the others. */
  private authorizerOf(api: IConstruct): apigw.IAuthorizer {
    const id = `${AUTHORIZER_ID_PREFIX}${Names.nodeUniqueId(this.directory.node)}`;
    const existing = api.node.tryFindChild(id);
    if (existing) {
      return existing as apigw.CognitoUserPoolsAuthorizer;
    }
    if (!Construct.isConstruct(api)) {
      throw new ValidationError('a Cognito authorization must be bound to the API construct, which owns its authorizer', this.directory);
    }
    return new apigw.CognitoUserPoolsAuthorizer(api as Construct, id, {
      cognitoUserPools: [this.directory.userPool],
      identitySource: apigw.IdentitySource.header(AUTHORIZATION_HEADER),
      resultsCacheTtl: this.cacheTtl,
    });
  }
}

/** What {@link validateScopeList} checks a list against. */
export interface ScopeListRule {
  /** The prop as messages name it, such as `authorize().scopes`. */
  readonly prop: string;
  /**
   * Where the list was given, appended to the prop in messages, such as ' of `GET /pets`'.
   *
   * @default '' (nothing)
   */
  readonly where?: string;
  /** Why a list without scopes is refused: the fix in the message. */
  readonly whyNotEmpty: string;
  /** The full scope names the list may use. */
  readonly defined: readonly string[];
}

/**
 * Throws unless `scopes` lists at least one scope and each is one of `rule.defined`, without
 * whitespace (a space-separated string is not several scopes). Unresolved tokens are skipped.
 */
export function validateScopeList(scope: IConstruct, scopes: readonly string[] | undefined, rule: ScopeListRule): void {
  const where = rule.where ?? '';
  if (scopes === undefined || scopes === null) {
    throw new ValidationError(`\`${rule.prop}\`${where} is missing: ${rule.whyNotEmpty}`, scope);
  }
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new ValidationError(`\`${rule.prop}\`${where} must list at least one scope, got ${describe(scopes)}: ${rule.whyNotEmpty}`, scope);
  }
  scopes.forEach((name, index) => {
    const prop = `\`${rule.prop}[${index}]\`${where}`;
    if (Token.isUnresolved(name)) {
      return;
    }
    if (typeof name !== 'string' || /\s/.test(name)) {
      throw new ValidationError(`${prop} must be one scope name without whitespace, got ${describe(name)}: list each scope as its own string, such as ${describe(rule.defined[0])}`, scope);
    }
    if (!rule.defined.includes(name)) {
      throw new ValidationError(`${prop} names ${describe(name)}, which the user directory does not define: use one of ${rule.defined.map(describe).join(', ')}`, scope);
    }
  });
}

/**
 * Throws unless `scopes` lists at least one full scope name, `<resource server identifier>/<scope name>`,
 * as given for a user pool defined elsewhere. Unresolved tokens are skipped.
 */
export function validateFullScopeNames(scope: IConstruct, prop: string, scopes: readonly string[] | undefined): void {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new ValidationError(`\`${prop}\` must list at least one scope, got ${describe(scopes)}: name the scopes the user pool's resource servers define, such as 'pets/read'`, scope);
  }
  scopes.forEach((name, index) => {
    if (!Token.isUnresolved(name) && (typeof name !== 'string' || !FULL_SCOPE_NAME_PATTERN.test(name))) {
      throw new ValidationError(`\`${prop}[${index}]\` must be a full scope name, '<resource server identifier>/<scope name>' without whitespace, got ${describe(name)}: write it as tokens carry it, such as 'pets/read'`, scope);
    }
  });
}

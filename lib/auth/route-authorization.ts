import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { validateNonBlank } from '../private/validators';

/** The HTTP method of a route. */
export enum HttpMethod {
  GET = 'GET',
  POST = 'POST',
  PUT = 'PUT',
  PATCH = 'PATCH',
  DELETE = 'DELETE',
  HEAD = 'HEAD',
  OPTIONS = 'OPTIONS',
  /** Every method that has no route of its own on the same path. */
  ANY = 'ANY',
}

/** The route an authorization is bound to. */
export interface RouteDescription {
  /** The route's method. */
  readonly method: HttpMethod;
  /** The route's resource path, such as `/pets/{petId}`. */
  readonly path: string;
}

/** What an authorization puts on an API Gateway method. */
export interface RouteAuthorizationConfig {
  /** The method's authorization type. */
  readonly authorizationType: apigw.AuthorizationType;
  /**
   * The authorizer that checks the caller.
   *
   * @default - none: the authorization type needs no authorizer
   */
  readonly authorizer?: apigw.IAuthorizer;
  /**
   * OAuth scopes the caller's access token must hold (Cognito authorizers).
   *
   * @default - no scopes
   */
  readonly authorizationScopes?: string[];
  /** Whether callers must also present an API key of a usage plan of the API. */
  readonly apiKeyRequired: boolean;
  /**
   * Why anyone may call the route. A route with no authorizer and no API key must have one.
   *
   * @default - the route is not public
   */
  readonly publicReason?: string;
}

const ROUTE_AUTHORIZATION_SYMBOL = Symbol.for('secure-api-gateway.RouteAuthorization');

/**
 * How callers of one route prove who they are. Every route of a `SecureRestApi` states one; there is
 * no default, so a route cannot be left open by forgetting it.
 *
 * The authorizers of later modules (Cognito user pools, JWT authorizers) are more implementations of
 * this class: they receive each route in {@link bind}, so they know the route table they guard.
 */
export abstract class RouteAuthorization {
  /**
   * Whether `x` is a `RouteAuthorization`, of this or another copy of the library (where
   * `instanceof` would say no).
   */
  public static isRouteAuthorization(x: any): x is RouteAuthorization {
    return x !== null && typeof x === 'object' && ROUTE_AUTHORIZATION_SYMBOL in x;
  }

  /**
   * Callers sign requests with AWS Signature Version 4 and need `execute-api:Invoke` on the route,
   * which `SecureRestApi.grantInvoke()` gives. For service-to-service calls.
   */
  public static iam(): RouteAuthorization {
    return new FixedAuthorization('IAM', { authorizationType: apigw.AuthorizationType.IAM, apiKeyRequired: false });
  }

  /**
   * Callers present an API key (`x-api-key` header) of a usage plan of the API. An API key
   * identifies a client for throttling and quotas; it is a shared secret, not proof of identity, so
   * prefer it for partner integrations that cannot use IAM or tokens.
   */
  public static apiKey(): RouteAuthorization {
    return new FixedAuthorization('API key', { authorizationType: apigw.AuthorizationType.NONE, apiKeyRequired: true });
  }

  /**
   * Anyone may call the route, with no credentials. The reason is required and appears in the
   * API's access matrix, so a reviewer can see why the route is open.
   *
   * @param reason why the route must be public, such as 'health check for the load balancer'
   */
  public static publicAccess(reason: string): RouteAuthorization {
    return new PublicAuthorization(reason);
  }

  /** A short description for the access matrix, such as `IAM` or `public: health check`. */
  public abstract readonly description: string;

  constructor() {
    Object.defineProperty(this, ROUTE_AUTHORIZATION_SYMBOL, { value: true });
  }

  /**
   * Binds the authorization to one route of an API.
   *
   * @param scope the API; create any construct the authorization needs under it
   * @param route the route being protected
   */
  public abstract bind(scope: IConstruct, route: RouteDescription): RouteAuthorizationConfig;
}

class FixedAuthorization extends RouteAuthorization {
  constructor(public readonly description: string, private readonly config: RouteAuthorizationConfig) {
    super();
  }

  public bind(): RouteAuthorizationConfig {
    return this.config;
  }
}

class PublicAuthorization extends RouteAuthorization {
  constructor(private readonly reason: string) {
    super();
  }

  public get description(): string {
    return `public: ${this.reason}`;
  }

  public bind(scope: IConstruct, route: RouteDescription): RouteAuthorizationConfig {
    validateNonBlank(scope, `RouteAuthorization.publicAccess(reason)\` of \`${route.method} ${route.path}`, this.reason,
      "say why anyone may call this route, such as RouteAuthorization.publicAccess('health check')");
    return { authorizationType: apigw.AuthorizationType.NONE, apiKeyRequired: false, publicReason: this.reason };
  }
}

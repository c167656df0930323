import { Annotations, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { JwtAuthorizer, LambdaRouteIntegration, RouteAuthorization, SecureRestApi } from '../../lib';

/**
 * A large API as real ones are shaped, shared by the 1,000-route test and `npm run bench`: groups of
 * four routes, half on new path segments (`GET /res7`, `GET /res7/{res7Id}`) and half methods on
 * existing paths (`POST /res7`, `DELETE /res7/{res7Id}`), every fifth group one level deeper
 * (`GET /res5/{res5Id}/items`). Two Lambda backends take turns. A JWT authorizer guards most routes
 * with a read or write scope of one of ten resource families; every tenth group is IAM, and one
 * route of every twentieth group is API-key-only, so the authorizer's policy has neighbours it
 * does not guard.
 */
export interface LargeApiOptions {
  /** How many routes, at least 1. */
  readonly routes: number;
}

/** The scopes the generated API's issuer declares: `res0:read` ... `res9:write`. */
export const LARGE_API_SCOPES: readonly string[] = Array.from({ length: 10 }, (_, family) => [`res${family}:read`, `res${family}:write`]).flat();

/** The issuer of the generated API's tokens. */
export const LARGE_API_ISSUER = 'https://login.example.com/';

/** One generated route: its key and who may call it. */
export interface LargeApiRoute {
  readonly key: string;
  readonly kind: 'jwt' | 'iam' | 'apiKey';
  /** For `jwt` routes: the scope that lets a caller in. */
  readonly scope?: string;
}

/** The first `count` routes of the generated API, in the order they are added. */
export function largeApiRoutes(count: number): LargeApiRoute[] {
  const routes: LargeApiRoute[] = [];
  for (let group = 0; routes.length < count; group++) {
    const base = `/res${group}`;
    const item = `${base}/{res${group}Id}`;
    const family = group % 10;
    const kind = (index: number): LargeApiRoute['kind'] => (group % 10 === 9 ? 'iam' : group % 20 === 4 && index === 3 ? 'apiKey' : 'jwt');
    const shapes: Array<[string, 'read' | 'write']> = [
      [`GET ${base}`, 'read'],
      [`POST ${base}`, 'write'],
      [`GET ${item}`, 'read'],
      [`DELETE ${item}`, 'write'],
    ];
    if (group % 5 === 0) {
      shapes.push([`GET ${item}/items`, 'read'], [`PUT ${item}/items`, 'write']);
    }
    shapes.forEach(([key, access], index) => {
      const k = kind(index);
      routes.push({ key, kind: k, scope: k === 'jwt' ? `res${family}:${access}` : undefined });
    });
  }
  return routes.slice(0, count);
}

/** The parts of a generated API. */
export interface LargeApi {
  readonly api: SecureRestApi;
  readonly authorizer: JwtAuthorizer;
  readonly routes: readonly LargeApiRoute[];
}

/** Builds the generated API in `scope`: a `SecureRestApi`, its JWT authorizer and `options.routes` routes. */
export function buildLargeApi(scope: Construct, options: LargeApiOptions): LargeApi {
  const stack = Stack.of(scope);
  const backends = ['BackendA', 'BackendB'].map((id) => new LambdaRouteIntegration(new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
  })));
  // 1,000 routes sit on about 500 paths: over API Gateway's default quota of 300 resources per API, so the generated API declares a raised one.
  const api = new SecureRestApi(scope, 'LargeApi', { restApiName: `${stack.stackName}-large`, resourcesPerApiQuota: 1000 });
  const authorizer = new JwtAuthorizer(scope, 'Jwt', {
    api,
    issuers: [{ issuer: LARGE_API_ISSUER, audience: ['https://api.example.com'], jwksUri: `${LARGE_API_ISSUER}keys`, scopes: [...LARGE_API_SCOPES] }],
  });
  // Measured and reported by the bench instead: a caller with every scope of a large API gets a large policy.
  Annotations.of(authorizer).acknowledgeWarning('secure-api:authorizer-policy-size', 'the benchmark reports the policy sizes of the generated API');
  const routes = largeApiRoutes(options.routes);
  routes.forEach((route, index) => {
    api.addRoute(route.key, {
      authorization: route.kind === 'iam' ? RouteAuthorization.iam()
        : route.kind === 'apiKey' ? RouteAuthorization.apiKey()
          : authorizer.authorize({ scopes: [route.scope!] }),
      integration: backends[index % 2],
      requestBodySchema: /^(POST|PUT|PATCH) /.test(route.key) ? { type: apigw.JsonSchemaType.OBJECT } : undefined,
    });
  });
  return { api, authorizer, routes };
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CognitoUserDirectory, JwtAuthorizer, LambdaRouteIntegration, RouteAuthorization, SecureRestApi, SecureRestApiProps, UsageQuota, UsageTiers } from '../../../lib';
import { environmentOf, settingsTextOf } from '../../helpers/bundles';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING, inlineFunction } from '../../helpers/stack';
import { withoutTemplateValidator } from '../../helpers/template-validator';

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DependsOn?: string[];
}

interface CfnTemplate {
  readonly Resources: Record<string, Resource>;
  readonly Parameters?: Record<string, unknown>;
  readonly Outputs?: Record<string, unknown>;
}

/** The templates of an app: the API's stack and each nested stack, by construct path. */
interface Synthesized {
  readonly templates: Map<string, CfnTemplate>;
  readonly parent: CfnTemplate;
  /** Wall-clock time of `app.synth()`. */
  readonly synthMs: number;
  /** The JWT authorizer of the mixed routes. */
  readonly jwt?: JwtAuthorizer;
}

/** A route of the large API: its key and options, from its index. */
type RouteSpec = (index: number, api: LargeApi) => { readonly key: string; readonly options: Parameters<SecureRestApi['addRoute']>[1] };

interface LargeApi {
  readonly a: LambdaRouteIntegration;
  readonly b: LambdaRouteIntegration;
  readonly directory: CognitoUserDirectory;
  /** Created with the API, for the routes the mix guards with a JWT authorizer. */
  jwt?: JwtAuthorizer;
}

/** The key of the mixed API's route `i`. */
function mixedRouteKey(i: number): string {
  const earlier = i - 3 - 200;
  return [
    `GET /shared/p${i}`,
    `POST /shared/p${i - 1}`,
    `GET /q${i}/{id}`,
    earlier >= 0 ? `DELETE /shared/p${earlier}` : `DELETE /q${i - 1}/{id}`,
  ][i % 4];
}

/** Whether the mixed API guards route `i` with its JWT authorizer. */
const isJwtRoute = (i: number) => i % 2 === 1;

/**
 * The mix of the large API: new path segments (one or two) and methods on existing paths, some of them
 * on a path created about 200 routes (two stacks) earlier; two Lambda backends; IAM, Cognito,
 * API-key and JWT-authorizer routes (scopes on most of the JWT ones); a per-route throttle on every
 * seventh route and a body schema on every 40th.
 */
const MIXED_ROUTE: RouteSpec = (i, { a, b, directory, jwt }) => {
  const key = mixedRouteKey(i);
  const authorization = isJwtRoute(i) && jwt
    ? jwt.authorize(i % 10 === 1 ? {} : { scopes: [i % 4 === 1 ? 'orders:write' : 'orders:read'] })
    : [RouteAuthorization.iam(), directory.authorize({ scopes: ['pets/read'] }), RouteAuthorization.apiKey()][i % 3];
  return {
    key,
    options: {
      authorization,
      integration: i % 2 === 0 ? a : b,
      throttle: i % 7 === 0 ? { rateLimit: 10, burstLimit: 20 } : undefined,
      requestBodySchema: i % 4 === 1 || i % 40 === 1 ? { type: apigw.JsonSchemaType.OBJECT } : undefined,
    },
  };
};

/** Synthesizes an API of `count` routes made by `spec`, with the template validator of aws-cdk-lib off. */
function synthesize(count: number, props: SecureRestApiProps = {}, spec: RouteSpec = MIXED_ROUTE): Synthesized {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
  const stack = new Stack(app, 'Large', { env: { account: '123456789012', region: 'eu-west-1' } });
  const large: LargeApi = {
    a: new LambdaRouteIntegration(inlineFunction(stack, 'A')),
    b: new LambdaRouteIntegration(inlineFunction(stack, 'B')),
    directory: new CognitoUserDirectory(stack, 'Users', { resourceServerIdentifier: 'pets', scopes: [{ name: 'read', description: 'Read pets' }] }),
  };
  const api = new SecureRestApi(stack, 'Api', { resourcesPerApiQuota: 2000, ...props });
  if (spec === MIXED_ROUTE) {
    large.jwt = new JwtAuthorizer(stack, 'Jwt', {
      api,
      issuers: [{ issuer: 'https://login.example.com/', audience: ['https://orders.example.com'], jwksUri: 'https://login.example.com/keys', scopes: ['orders:read', 'orders:write'] }],
    });
  }
  for (let i = 0; i < count; i++) {
    const { key, options } = spec(i, large);
    api.addRoute(key, options);
  }
  const start = performance.now();
  const assembly = withoutTemplateValidator(() => app.synth());
  const synthMs = performance.now() - start;
  const templates = new Map<string, CfnTemplate>();
  for (const construct of stack.node.findAll()) {
    if (Stack.isStack(construct)) {
      templates.set(construct.node.path, JSON.parse(fs.readFileSync(path.join(assembly.directory, construct.templateFile), 'utf8')));
    }
  }
  return { templates, parent: templates.get('Large')!, synthMs, jwt: large.jwt };
}

function resourcesOf(template: CfnTemplate, type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function logicalIds(template: CfnTemplate, type: string): string[] {
  return resourcesOf(template, type).map(([id]) => id);
}

describe('SecureRestApi past 500 resources', () => {
  let small: Synthesized;
  let large: Synthesized;
  let larger: Synthesized;

  beforeAll(() => {
    large = synthesize(1000);
    larger = synthesize(1001);
    small = synthesize(300);
    // Reported in the issue's figures: `npx jest --ci test/lib/private/route-placement.test.ts`.
    const report = (name: string, s: Synthesized) => `${name}: synth ${Math.round(s.synthMs)} ms; resources per stack ${[...s.templates.entries()]
      .map(([stackPath, t]) => `${stackPath.split('/').pop()} ${Object.keys(t.Resources).length} (${Object.keys(t.Parameters ?? {}).length} parameters, ${Object.keys(t.Outputs ?? {}).length} outputs)`).join(', ')}`;
    process.stdout.write(`${report('300 routes', small)}\n${report('1,000 routes', large)}\n`);
  }, 300_000);

  test('1,000 routes synthesize, every stack under 500 resources and 200 parameters and outputs', () => {
    expect(large.templates.size).toBeGreaterThan(1);
    for (const template of large.templates.values()) {
      expect(Object.keys(template.Resources).length).toBeLessThan(500);
      expect(Object.keys(template.Parameters ?? {}).length).toBeLessThanOrEqual(200);
      expect(Object.keys(template.Outputs ?? {}).length).toBeLessThanOrEqual(200);
    }
    const methods = [...large.templates.values()].reduce((sum, t) => sum + logicalIds(t, 'AWS::ApiGateway::Method').length, 0);
    expect(methods).toBe(1000);
  });

  test('with the JWT authorizer on half the routes: one authorizer, its settings in a file of its asset, none in the environment', () => {
    const methods = [...large.templates.values()].flatMap((t) => resourcesOf(t, 'AWS::ApiGateway::Method'));
    expect(methods.filter(([, method]) => method.Properties?.AuthorizationType === 'CUSTOM')).toHaveLength(500);
    expect(resourcesOf(large.parent, 'AWS::ApiGateway::Authorizer').filter(([, a]) => a.Properties?.Type === 'TOKEN')).toHaveLength(1);
    // Every route the authorizer guards is in its settings file; none of the settings is in the environment.
    const settings = settingsTextOf(large.jwt!.function);
    // The compiled policy plan names each guarded route by its path and ARN pattern (`DELETE/q2/*`).
    const guarded = Array.from({ length: 1000 }, (_, i) => i).filter(isJwtRoute)
      .map((i) => mixedRouteKey(i).split(' ')).map(([method, routePath]) => `"${method}${routePath.replace(/\{[^}]+\}/g, '*')}"`);
    expect(guarded).toHaveLength(500);
    expect(guarded.filter((key) => !settings.includes(key))).toEqual([]);
    expect(environmentOf(large.jwt!.function)).toEqual({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'jwt-authorizer' });
  });

  test('the first routes stay in the API stack, later ones fill nested stacks of 100 in order', () => {
    expect(logicalIds(large.parent, 'AWS::ApiGateway::Method')).toHaveLength(150);
    const nested = [...large.templates.entries()].filter(([stackPath]) => stackPath !== 'Large');
    expect(nested.map(([stackPath]) => stackPath)).toEqual(Array.from({ length: 9 }, (_, n) => `Large/Api/Routes${n + 1}`));
    expect(nested.map(([, t]) => logicalIds(t, 'AWS::ApiGateway::Method').length)).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 50]);
  });

  test('one stage and one deployment, in the API stack; the deployment depends on every nested stack', () => {
    const all = [...large.templates.values()];
    expect(all.reduce((sum, t) => sum + logicalIds(t, 'AWS::ApiGateway::Stage').length, 0)).toBe(1);
    expect(all.reduce((sum, t) => sum + logicalIds(t, 'AWS::ApiGateway::Deployment').length, 0)).toBe(1);
    const [[, deployment]] = resourcesOf(large.parent, 'AWS::ApiGateway::Deployment');
    const nestedStacks = logicalIds(large.parent, 'AWS::CloudFormation::Stack');
    expect(nestedStacks).toHaveLength(9);
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(nestedStacks));
  });

  test('appending a route keeps the logical ids of the methods, the stage and the nested stacks; the deployment is new', () => {
    for (const [stackPath, before] of large.templates) {
      const after = larger.templates.get(stackPath)!;
      for (const type of ['AWS::ApiGateway::Method', 'AWS::ApiGateway::Resource', 'AWS::ApiGateway::Model', 'AWS::ApiGateway::Stage', 'AWS::CloudFormation::Stack']) {
        expect(logicalIds(after, type)).toEqual(expect.arrayContaining(logicalIds(before, type)));
      }
    }
    expect(logicalIds(larger.parent, 'AWS::ApiGateway::Stage')).toEqual(logicalIds(large.parent, 'AWS::ApiGateway::Stage'));
    expect(logicalIds(larger.parent, 'AWS::ApiGateway::Deployment')).not.toEqual(logicalIds(large.parent, 'AWS::ApiGateway::Deployment'));
    const methodCount = (s: Synthesized) => [...s.templates.values()].reduce((sum, t) => sum + logicalIds(t, 'AWS::ApiGateway::Method').length, 0);
    expect(methodCount(larger)).toBe(methodCount(large) + 1);
  });

  test('a route costs at most 2 resources, authorization and throttling included', () => {
    const total = (s: Synthesized) => [...s.templates.values()].reduce((sum, t) => sum + Object.keys(t.Resources).length, 0);
    // Every 40th route, and every POST of the mix, has a body schema: its model is the route's validation, counted apart.
    const models = (s: Synthesized) => [...s.templates.values()].reduce((sum, t) => sum + logicalIds(t, 'AWS::ApiGateway::Model').length, 0);
    expect((total(large) - models(large) - (total(small) - models(small))) / 700).toBeLessThanOrEqual(2);
    expect(total(larger) - models(larger) - (total(large) - models(large))).toBeLessThanOrEqual(2);
  });

  test('a path lives in one stack; a method in another stack refers to it through a parameter', () => {
    const paths = [...large.templates.values()].flatMap((t) => resourcesOf(t, 'AWS::ApiGateway::Resource').map(([, r]) => `${JSON.stringify(r.Properties!.ParentId)}/${r.Properties!.PathPart}`));
    expect(paths.filter((p) => p.endsWith('/shared'))).toHaveLength(1);
    // 'DELETE /shared/p{i - 203}' is on a path created two nested stacks earlier.
    const routes3 = large.templates.get('Large/Api/Routes3')!;
    const deletes = resourcesOf(routes3, 'AWS::ApiGateway::Method').filter(([, r]) => r.Properties!.HttpMethod === 'DELETE');
    expect(deletes.length).toBeGreaterThan(0);
    for (const [, method] of deletes) {
      expect(Object.keys(routes3.Parameters ?? {})).toContain(method.Properties!.ResourceId.Ref);
    }
  });

  test('the authorizers (Cognito and JWT) stay in the API stack, and nested methods name them', () => {
    const all = [...large.templates.values()];
    expect(all.reduce((sum, t) => sum + logicalIds(t, 'AWS::ApiGateway::Authorizer').length, 0)).toBe(2);
    expect(resourcesOf(large.parent, 'AWS::ApiGateway::Authorizer').map(([, a]) => a.Properties!.Type).sort()).toEqual(['COGNITO_USER_POOLS', 'TOKEN']);
    const custom = resourcesOf(large.templates.get('Large/Api/Routes1')!, 'AWS::ApiGateway::Method').filter(([, r]) => r.Properties!.AuthorizationType === 'CUSTOM');
    expect(custom.length).toBeGreaterThan(0);
    const routes1 = large.templates.get('Large/Api/Routes1')!;
    const cognito = resourcesOf(routes1, 'AWS::ApiGateway::Method').filter(([, r]) => r.Properties!.AuthorizationType === 'COGNITO_USER_POOLS');
    expect(cognito.length).toBeGreaterThan(0);
    expect(Object.keys(routes1.Parameters ?? {})).toContain(cognito[0][1].Properties!.AuthorizerId.Ref);
  });

  test('one Lambda permission per function, in the API stack; per-route throttles are the stage\'s method settings', () => {
    const all = [...large.templates.values()];
    // The two backends' and the JWT authorizer function's.
    expect(all.reduce((sum, t) => sum + logicalIds(t, 'AWS::Lambda::Permission').length, 0)).toBe(3);
    expect(logicalIds(large.parent, 'AWS::Lambda::Permission')).toHaveLength(3);
    const [[, stage]] = resourcesOf(large.parent, 'AWS::ApiGateway::Stage');
    // One entry for the stage and one per throttled route, nested ones included (980 is a multiple of 7 on a '/shared' path).
    expect(stage.Properties!.MethodSettings).toHaveLength(1 + Math.ceil(1000 / 7));
    expect(stage.Properties!.MethodSettings).toEqual(expect.arrayContaining([expect.objectContaining({ ResourcePath: '/~1shared~1p980', HttpMethod: 'GET', ThrottlingRateLimit: 10 })]));
  });

  test('each request model is created in the stack of its method', () => {
    const routes2 = large.templates.get('Large/Api/Routes2')!;
    const models = new Set(logicalIds(routes2, 'AWS::ApiGateway::Model'));
    const posts = resourcesOf(routes2, 'AWS::ApiGateway::Method').filter(([, r]) => r.Properties!.HttpMethod === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    for (const [, post] of posts) {
      expect(models.has(post.Properties!.RequestModels['application/json'].Ref)).toBe(true);
    }
  });
});

describe('SecureRestApi route placement, small capacities', () => {
  const twoPerStack = (count: number, spec?: RouteSpec) => synthesize(count, { routesInApiStack: 2, routesPerNestedStack: 2 }, spec);

  test('a route that opens a new nested stack changes nothing of the earlier stacks', () => {
    const before = twoPerStack(4);
    const after = twoPerStack(5);
    expect(after.templates.size).toBe(before.templates.size + 1);
    for (const [stackPath, template] of before.templates) {
      const ids = (t: CfnTemplate) => Object.keys(t.Resources).filter((id) => t.Resources[id].Type !== 'AWS::ApiGateway::Deployment');
      expect(ids(after.templates.get(stackPath)!)).toEqual(expect.arrayContaining(ids(template)));
    }
  });

  test('the deployment changes when a method in a nested stack changes', () => {
    const integrationOf = (last: 'a' | 'b'): RouteSpec => (i, apis) => ({
      key: `GET /r${i}`,
      options: { authorization: RouteAuthorization.iam(), integration: i === 3 ? apis[last] : apis.a },
    });
    const deploymentOf = (s: Synthesized) => logicalIds(s.parent, 'AWS::ApiGateway::Deployment');
    expect(deploymentOf(twoPerStack(4, integrationOf('a')))).not.toEqual(deploymentOf(twoPerStack(4, integrationOf('b'))));
  });

  test('an API that fits its own stack has no nested stack', () => {
    const synthesized = synthesize(10);
    expect(synthesized.templates.size).toBe(1);
    expect(logicalIds(synthesized.parent, 'AWS::CloudFormation::Stack')).toHaveLength(0);
  });

  test("a usage tier's throttle on a route in a nested stack names the route's path and method", () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Small', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = new SecureRestApi(stack, 'Api', { routesInApiStack: 0 });
    api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.apiKey(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    new UsageTiers(stack, 'Tiers', {
      api,
      tiers: [{ name: 'free', throttle: { rateLimit: 5, burstLimit: 10 }, quota: UsageQuota.perDay(1_000), methodThrottles: { 'GET /pets/{petId}': { rateLimit: 1, burstLimit: 2 } } }],
      apiKeys: { Partner: { tier: 'free' } },
    });
    withoutTemplateValidator(() => app.synth());
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [Match.objectLike({ Throttle: { '/pets/{petId}/GET': { RateLimit: 1, BurstLimit: 2 } } })],
    });
  });

  test('a method added around addRoute() in a nested stack still fails synth', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
    const stack = new Stack(app, 'Small', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = new SecureRestApi(stack, 'Api', { routesInApiStack: 0 });
    const integration = new LambdaRouteIntegration(inlineFunction(stack));
    const method = api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    expect(Stack.of(method)).not.toBe(stack);
    method.resource.addMethod('DELETE', integration);
    expect(() => withoutTemplateValidator(() => app.synth())).toThrow(/DELETE \/pets was added without `addRoute\(\)`/);
  });
});

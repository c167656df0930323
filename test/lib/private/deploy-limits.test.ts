import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { LambdaRouteIntegration, RouteAuthorization, SecureRestApi, SecureRestApiProps } from '../../../lib';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING, inlineFunction } from '../../helpers/stack';
import { withoutTemplateValidator } from '../../helpers/template-validator';

/** A fresh app and stack; `context` is added to cdk.json's. */
function newApp(context: Record<string, unknown> = {}): { app: App; stack: Stack } {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING, ...context } });
  return { app, stack: new Stack(app, 'Limits', { env: { account: '123456789012', region: 'eu-west-1' } }) };
}

/** Synthesizes without aws-cdk-lib's own template validator, which is not under test. */
function synth(app: App): void {
  withoutTemplateValidator(() => app.synth());
}

/** An API with `count` IAM routes `GET /p0`, `GET /p1`, ... on one function. */
function apiWithRoutes(stack: Stack, count: number, props: SecureRestApiProps = {}): SecureRestApi {
  const api = new SecureRestApi(stack, 'Api', props);
  const integration = new LambdaRouteIntegration(inlineFunction(stack));
  for (let i = 0; i < count; i++) {
    api.addRoute(`GET /p${i}`, { authorization: RouteAuthorization.iam(), integration });
  }
  return api;
}

describe('limits a deploy would reject', () => {
  describe('capacity props', () => {
    test.each([
      ['routesInApiStack', -1, '`routesInApiStack` must be a whole number >= 0, got -1'],
      ['routesInApiStack', 1.5, '`routesInApiStack` must be a whole number >= 0, got 1.5'],
      ['routesPerNestedStack', 0, '`routesPerNestedStack` must be a whole number >= 1, got 0'],
      ['resourcesPerApiQuota', 0, '`resourcesPerApiQuota` must be a whole number >= 1, got 0'],
    ])('%s %p is refused', (prop, value, message) => {
      const { stack } = newApp();
      expect(() => new SecureRestApi(stack, 'Api', { [prop]: value })).toThrow(message);
    });
  });

  describe("API Gateway's resources per API", () => {
    test('more paths than the quota fail synth, naming the count, the quota and the fix', () => {
      const { app, stack } = newApp();
      apiWithRoutes(stack, 300);
      expect(() => synth(app)).toThrow(/the REST API has 301 resources \(paths, the root '\/' included\), over API Gateway's quota of 300 per API, so the deploy would fail: .*raise the quota in Service Quotas and declare it in `resourcesPerApiQuota`/);
    });

    test('the root and paths in nested stacks count; exactly the quota passes', () => {
      const { app, stack } = newApp();
      apiWithRoutes(stack, 4, { routesInApiStack: 1, routesPerNestedStack: 2, resourcesPerApiQuota: 5 });
      expect(() => synth(app)).not.toThrow();
      const { app: app2, stack: stack2 } = newApp();
      apiWithRoutes(stack2, 4, { routesInApiStack: 1, routesPerNestedStack: 2, resourcesPerApiQuota: 4 });
      expect(() => synth(app2)).toThrow(/the REST API has 5 resources .* quota of 4 per API/);
    });

    test('a declared higher quota is accepted', () => {
      const { app, stack } = newApp();
      apiWithRoutes(stack, 300, { resourcesPerApiQuota: 400 });
      expect(() => synth(app)).not.toThrow();
    });
  });

  describe("CloudFormation's limits per stack", () => {
    test("the API's stack over its resource limit names the stack, the count and routesInApiStack", () => {
      const { app, stack } = newApp({ '@aws-cdk/core:stackResourceLimit': 100 });
      apiWithRoutes(stack, 40);
      expect(() => synth(app)).toThrow(/stack 'Limits' has \d+ resources, over CloudFormation's limit of 100 per stack: lower `routesInApiStack` \(now 150\) so that more routes go to nested stacks, or move other resources to another stack/);
    });

    test('a nested stack over its resource limit names routesPerNestedStack', () => {
      const { app, stack } = newApp({ '@aws-cdk/core:stackResourceLimit': 100 });
      apiWithRoutes(stack, 60, { routesInApiStack: 0, routesPerNestedStack: 60 });
      expect(() => synth(app)).toThrow(/stack 'Limits\/Api\/Routes1' has 120 resources, over CloudFormation's limit of 100 per stack: lower `routesPerNestedStack` \(now 60\)/);
    });

    test('parameters and outputs over 200 name the stacks and the fix', () => {
      const { app, stack } = newApp();
      const api = apiWithRoutes(stack, 201, { routesInApiStack: 0, routesPerNestedStack: 201 });
      const integration = new LambdaRouteIntegration(inlineFunction(stack, 'Other'));
      // Each POST is on a path of the first nested stack: the second receives its id as a parameter, the first returns it as an output.
      for (let i = 0; i < 201; i++) {
        api.addRoute(`POST /p${i}`, { authorization: RouteAuthorization.iam(), integration });
      }
      const error = (() => {
        try {
          synth(app);
          return undefined;
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error?.message).toMatch(/stack 'Limits\/Api\/Routes2' has 20\d parameters, over CloudFormation's limit of 200 per stack \(a nested stack receives each id it uses from another stack as a parameter\): lower `routesPerNestedStack` \(now 201\)/);
      expect(error?.message).toMatch(/stack 'Limits\/Api\/Routes1' has 201 outputs, over CloudFormation's limit of 200 per stack \(a nested stack returns each id another nested stack uses as an output\)/);
    });

    test('a template over 1,000,000 bytes names the stack, its size and the fix', () => {
      const { app, stack } = newApp();
      const api = new SecureRestApi(stack, 'Api', { routesInApiStack: 0 });
      const integration = new LambdaRouteIntegration(inlineFunction(stack));
      for (let i = 0; i < 3; i++) {
        api.addRoute(`POST /p${i}`, {
          authorization: RouteAuthorization.iam(),
          integration,
          requestBodySchema: { type: apigw.JsonSchemaType.OBJECT, description: 'x'.repeat(400_000) },
        });
      }
      expect(() => synth(app)).toThrow(/the template of stack 'Limits\/Api\/Routes1' is \d{7} bytes, over CloudFormation's limit of 1000000 bytes for a template in S3: lower `routesPerNestedStack` \(now 100\)/);
    });
  });

  describe("a function's resource-based policy", () => {
    test("aws-cdk-lib's LambdaIntegration on many routes of one function gets a warning naming the estimate and the fix", () => {
      const { stack } = newApp();
      const api = new SecureRestApi(stack, 'Api');
      const integration = new apigw.LambdaIntegration(inlineFunction(stack));
      for (let i = 0; i < 35; i++) {
        api.addRoute(`GET /p${i}`, { authorization: RouteAuthorization.iam(), integration });
      }
      withoutTemplateValidator(() => Annotations.fromStack(stack)).hasWarning('/Limits/Api', Match.stringLikeRegexp(
        "The function Limits/Handler gets 70 permissions, whose statements make a resource-based policy of about \\d+ bytes, over Lambda's limit of 20480 bytes \\(20 KB\\): .*Integrate its routes with LambdaRouteIntegration"));
    });

    test('LambdaRouteIntegration keeps the policy at one statement per API: no warning', () => {
      const { stack } = newApp();
      apiWithRoutes(stack, 100);
      withoutTemplateValidator(() => Annotations.fromStack(stack)).hasNoWarning('*', Match.stringLikeRegexp('resource-based policy'));
    });
  });
});

/**
 * A deprecated API, synthesized, and the real example-backend bundle (esbuild, as `cdk synth` builds
 * it) invoked in a fresh Node.js process with the stage variables of the synthesized stage: the
 * headers a client of the deprecated version receives from a Lambda proxy integration.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { LambdaRouteIntegration, RouteAuthorization, SecureNodejsFunction, SecureRestApi } from '../../../lib';
import { bundledFunctions, bundlingApp } from '../../helpers/bundles';

describe('a deprecated version served by the example backend', () => {
  const app = bundlingApp();
  const stack = new Stack(app, 'DeprecatedStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const api = new SecureRestApi(stack, 'Api', {
    alarms: { enabled: false },
    deprecation: { deprecatedOn: '2026-06-01', sunsetOn: '2099-12-31T12:00:00Z', link: 'https://example.com/docs/migrate-to-v2' },
  });
  const backend = new SecureNodejsFunction(stack, 'PetsBackend', {
    entry: path.join(__dirname, '..', '..', '..', 'lambda', 'example-backend', 'index.ts'),
    encryption: api.encryption,
    environment: { POWERTOOLS_SERVICE_NAME: 'pets-api' },
  });
  api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.publicAccess('example'), integration: new LambdaRouteIntegration(backend) });
  const bundle = bundledFunctions(app, 'DeprecatedStack').find((fn) => fn.properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'pets-api')!;
  const template = app.synth().getStackByName('DeprecatedStack').template;
  const stage = Object.values<any>(template.Resources).find((resource) => resource.Type === 'AWS::ApiGateway::Stage');

  test('the handler\'s responses carry Deprecation, Sunset and Link from the stage variables, next to its own headers', () => {
    const stageVariables = stage.Properties.Variables;
    expect(stageVariables).toEqual({ secureApiDeprecatedAt: '1780272000', secureApiSunsetAt: '4102401600', secureApiDeprecationLink: 'https://example.com/docs/migrate-to-v2' });
    const script = `
      const { handler } = require(${JSON.stringify(path.join(bundle.dir, 'index.js'))});
      const stageVariables = ${JSON.stringify(stageVariables)};
      (async () => {
        const results = [
          await handler({ httpMethod: 'GET', resource: '/pets/{petId}', pathParameters: { petId: 'pet-1' }, stageVariables, requestContext: { requestId: 'r-1' } }),
          await handler({ httpMethod: 'GET', resource: '/pets/{petId}', pathParameters: { petId: 'none' }, stageVariables, requestContext: { requestId: 'r-2' } }),
          await handler({ httpMethod: 'GET', resource: '/pets/{petId}', pathParameters: { petId: 'pet-1' }, stageVariables: null, requestContext: { requestId: 'r-3' } }),
        ];
        process.stdout.write('RESULTS' + JSON.stringify(results));
      })();`;
    const stdout = execFileSync(process.env.HANDLER_NODE ?? process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, POWERTOOLS_SERVICE_NAME: 'pets-api', AWS_LAMBDA_LOG_FORMAT: 'JSON' } });
    const [found, notFound, notDeprecated] = JSON.parse(stdout.slice(stdout.indexOf('RESULTS') + 'RESULTS'.length));
    const deprecation = {
      Deprecation: '@1780272000',
      Sunset: 'Thu, 31 Dec 2099 12:00:00 GMT',
      Link: '<https://example.com/docs/migrate-to-v2>; rel="deprecation"; type="text/html"',
    };
    expect(found.statusCode).toBe(200);
    expect(found.headers).toEqual(expect.objectContaining({ ...deprecation, 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' }));
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers).toEqual(expect.objectContaining(deprecation));
    expect(notDeprecated.statusCode).toBe(200);
    expect(Object.keys(notDeprecated.headers)).not.toEqual(expect.arrayContaining(['Deprecation']));
    expect(notDeprecated.headers.Sunset).toBeUndefined();
  });
});

/**
 * Bundles every handler the example app deploys with esbuild, exactly as `cdk synth` does, and runs
 * the bundle: what is tested is what Lambda would run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { buildApp } from '../../../bin/app';
import { SETTINGS_FILE } from '../../../lambda/shared/constants';
import { bundledFunctions, bundlingApp } from '../../helpers/bundles';

describe('the example backend bundle', () => {
  // Bundling on (the default): only the dev stack, so each handler is bundled once.
  const functions = bundledFunctions(buildApp(bundlingApp({ env: 'dev' })), 'SecureApi-dev');
  const backend = functions.find((fn) => fn.properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'pets-api')!;

  test('every function of the app was bundled by esbuild, minified and with a source map (the library\'s beside their settings file)', () => {
    expect(functions.map((fn) => fn.properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).sort()).toEqual(['abuse-blocker', 'jwt-authorizer', 'pets-api']);
    for (const fn of functions) {
      const dir = fn.dir;
      const settingsFile = fn === backend ? [] : [SETTINGS_FILE];
      expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map', ...settingsFile]);
      expect(statSync(path.join(dir, 'index.js')).size).toBeLessThan(200 * 1024);
    }
  });

  test('the function runs the house defaults', () => {
    expect(backend.properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'pets-api' } },
    });
    expect(backend.properties.KmsKeyArn).toBeDefined();
  });

  test('the bundle serves requests when run in a fresh Node.js process', () => {
    const entry = path.join(backend.dir, 'index.js');
    expect(existsSync(entry)).toBe(true);
    const script = `
      const { handler } = require(${JSON.stringify(entry)});
      const event = (httpMethod, resource, extra = {}) => ({ httpMethod, resource, requestContext: { requestId: 'r-1' }, ...extra });
      (async () => {
        const results = [
          await handler(event('GET', '/health')),
          await handler(event('GET', '/pets/{petId}', { pathParameters: { petId: 'pet-1' } })),
          await handler(event('POST', '/pets', { body: '{"name":"Nemo","species":"fish"}' })),
          await handler(event('POST', '/pets', { body: '{not json' })),
          await handler(event('GET', '/unknown')),
        ];
        process.stdout.write(JSON.stringify(results));
      })();`;
    const stdout = execFileSync(process.env.HANDLER_NODE ?? process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, POWERTOOLS_SERVICE_NAME: 'pets-api', AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_REGION: 'eu-central-1' } });
    const results = JSON.parse(stdout.slice(stdout.indexOf('[{')));
    expect(JSON.parse(results[0].body)).toEqual({ status: 'ok', region: 'eu-central-1' });
    expect(results.map((r: { statusCode: number }) => r.statusCode)).toEqual([200, 200, 201, 400, 404]);
    expect(JSON.parse(results[1].body)).toEqual({ id: 'pet-1', name: 'Tom', species: 'cat' });
    expect(JSON.parse(results[2].body)).toMatchObject({ name: 'Nemo', species: 'fish' });
    expect(results[0].headers).toMatchObject({ 'Strict-Transport-Security': expect.stringContaining('max-age='), 'X-Content-Type-Options': 'nosniff' });
  });
});

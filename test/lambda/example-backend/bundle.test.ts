/**
 * Bundles every handler the example app deploys with esbuild, exactly as `cdk synth` does, and runs
 * the bundle: what is tested is what Lambda would run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../bin/app';
import { CDK_JSON_CONTEXT } from '../../helpers/stack';

describe('the example backend bundle', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bundle-'));
  // Bundling on (the default): only the dev stack, so the handler is bundled once.
  const app = buildApp(new App({ outdir, context: { ...CDK_JSON_CONTEXT, env: 'dev' } }));
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackByName('SecureApi-dev').template);
  const functions = template.findResources('AWS::Lambda::Function');
  // The asset manifest maps each function's S3 key to the folder esbuild wrote.
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'SecureApi-dev.assets.json'), 'utf8'));
  const assetDirs = Object.values(functions).map((fn) => {
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    return path.join(outdir, manifest.files[hash].source.path);
  });

  test('every function of the app was bundled by esbuild, minified and with a source map', () => {
    expect(assetDirs).toHaveLength(1);
    for (const dir of assetDirs) {
      expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map']);
      expect(statSync(path.join(dir, 'index.js')).size).toBeLessThan(200 * 1024);
    }
  });

  test('the function runs the house defaults', () => {
    const fn = Object.values(functions)[0];
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'pets-api' } },
    });
    expect(fn.Properties.KmsKeyArn).toBeDefined();
  });

  test('the bundle serves requests when run in a fresh Node.js process', () => {
    const entry = path.join(assetDirs[0], 'index.js');
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
    const stdout = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, POWERTOOLS_SERVICE_NAME: 'pets-api', AWS_LAMBDA_LOG_FORMAT: 'JSON' } });
    const results = JSON.parse(stdout.slice(stdout.indexOf('[{')));
    expect(results.map((r: { statusCode: number }) => r.statusCode)).toEqual([200, 200, 201, 400, 404]);
    expect(JSON.parse(results[1].body)).toEqual({ id: 'pet-1', name: 'Tom', species: 'cat' });
    expect(JSON.parse(results[2].body)).toMatchObject({ name: 'Nemo', species: 'fish' });
    expect(results[0].headers).toMatchObject({ 'Strict-Transport-Security': expect.stringContaining('max-age='), 'X-Content-Type-Options': 'nosniff' });
  });
});

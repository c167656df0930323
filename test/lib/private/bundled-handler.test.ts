/**
 * The mechanics of a library function's asset: made when the app is synthesized (so settings may
 * depend on what is added later), in any stack, nested or not, with the metadata of
 * `lambda.Code.fromAsset`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Aspects, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { BUNDLED_HANDLERS, SETTINGS_FILE } from '../../../lambda/shared/constants';
import { JwtAuthorizer, LambdaRouteIntegration, SecureRestApi } from '../../../lib';
import { ApiEncryptionKey } from '../../../lib/encryption/api-encryption-key';
import { BundledHandlerFunction } from '../../../lib/private/bundled-handler';
import { assetDirOf, settingsOf } from '../../helpers/bundles';
import { CDK_JSON_CONTEXT, inlineFunction, newStack } from '../../helpers/stack';

const ISSUER = { issuer: 'https://login.example.com/', audience: ['https://pets.example.com'] };

/** A bundled function whose settings are whatever `settings` holds when the app is synthesized. */
function functionWith(scope: Construct, settings: Record<string, unknown>): BundledHandlerFunction {
  return new BundledHandlerFunction(scope, 'Function', {
    handler: BUNDLED_HANDLERS.abuseBlocker,
    description: 'test',
    encryption: new ApiEncryptionKey(scope, 'Key'),
    settings: () => settings,
  });
}

test('settings read when the app is synthesized: what is added after the function is in the file', () => {
  const stack = newStack();
  const settings: Record<string, unknown> = { routes: [] };
  const fn = functionWith(stack, settings);
  settings.routes = [['GET', '/added-later']];
  Template.fromStack(stack);
  expect(JSON.parse(readFileSync(path.join(assetDirOf(fn), SETTINGS_FILE), 'utf8'))).toEqual({ routes: [['GET', '/added-later']] });
});

test('a function in a nested stack: its asset, with its settings file, is published by the parent', () => {
  const app = new App({ context: CDK_JSON_CONTEXT });
  const parent = new Stack(app, 'Parent', { env: { account: '123456789012', region: 'eu-west-1' } });
  const nested = new NestedStack(parent, 'Nested');
  const api = new SecureRestApi(nested, 'Api');
  const jwt = new JwtAuthorizer(nested, 'Jwt', { api, issuers: [ISSUER] });
  api.addRoute('GET /pets', { authorization: jwt.authorize(), integration: new LambdaRouteIntegration(inlineFunction(nested)) });
  const assembly = app.synth();
  const code = Template.fromStack(nested).toJSON().Resources[nested.getLogicalId(jwt.function.node.defaultChild as never)].Properties.Code;
  const manifest = JSON.parse(readFileSync(path.join(assembly.directory, 'Parent.assets.json'), 'utf8'));
  const asset = manifest.files[String(code.S3Key).replace(/\.zip$/, '')];
  expect(asset.source.packaging).toBe('zip');
  expect(readdirSync(path.join(assembly.directory, asset.source.path)).sort()).toEqual(['index.js', 'index.js.map', SETTINGS_FILE]);
  expect(settingsOf(jwt.function).plan.routes).toEqual([['/pets', 'GET/pets', [], []]]);
});

test('the function carries the asset metadata of lambda.Code.fromAsset (SAM, aws:asset:*)', () => {
  const stack = newStack({ 'aws:cdk:enable-asset-metadata': true });
  const fn = functionWith(stack, {});
  const template = Template.fromStack(stack).toJSON();
  const dir = path.basename(assetDirOf(fn));
  expect(template.Resources[stack.getLogicalId(fn.node.defaultChild as never)].Metadata).toEqual({
    'aws:asset:path': dir,
    'aws:asset:is-bundled': false,
    'aws:asset:property': 'Code',
  });
  expect(dir).toMatch(/^asset\.[0-9a-f]{64}$/);
});

test('the assembly holds the staged asset only: the folder it was made from is removed', () => {
  const stack = newStack();
  const fn = functionWith(stack, {});
  Template.fromStack(stack);
  const outdir = (stack.node.root as App).outdir;
  expect(readdirSync(outdir).filter((name) => name.startsWith('settings-'))).toEqual([]);
  expect(existsSync(assetDirOf(fn))).toBe(true);
});

test('synthesizing again gives the same asset', () => {
  const stack = newStack();
  const fn = functionWith(stack, { a: 1 });
  const key = () => Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Code.S3Key;
  const first = key();
  expect(key()).toBe(first);
  expect((stack.node.root as App).synth({ force: true }).getStackByName('TestStack').template.Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Code.S3Key).toBe(first);
});

test('settings changed after the asset was written (by an aspect) fail synth with the fix', () => {
  const stack = newStack();
  const settings: Record<string, unknown> = { routes: [] };
  functionWith(stack, settings);
  // Visited after the function: changes the settings once they are written.
  const later = new Construct(stack, 'Later');
  Aspects.of(later).add({ visit: (node: IConstruct) => { if (node === later) settings.routes = [['GET', '/late']]; } });
  expect(() => Template.fromStack(stack)).toThrow('The settings of `TestStack/Function` changed after they were written into its asset at the start of synthesis (a route or setting added by an aspect?): add routes and settings before the app is synthesized');
});

test('the code\'s location cannot be read before the app is synthesized', () => {
  const stack = newStack();
  const fn = functionWith(stack, {});
  expect(() => stack.resolve((fn.node.defaultChild as lambda.CfnFunction).code)).toThrow('The function\'s asset is written when the app is synthesized (`app.synth()`, `cdk synth`, `Template.fromStack()`): its location cannot be read before (at TestStack/Function)');
});

/**
 * The pre-bundled handlers: the constructs deploy exactly the files the build wrote (beside the
 * settings file the construct writes at synth), and a bundle older than its sources fails the suite
 * (every test that runs a bundle would otherwise test stale code).
 */
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, FileSystem, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLED_HANDLERS, BundledHandlerName, SETTINGS_FILE } from '../../lambda/shared/constants';
import { AbuseBlocker, ApiFirewall, JwtAuthorizer, LambdaRouteIntegration, SecureRestApi } from '../../lib';
import { BundledHandlerFunction, bundledHandlerDir } from '../../lib/private/bundled-handler';
import { HOUSE_NODE_RUNTIME } from '../../lib/private/lambda-runtime';
import { BundleManifest, HANDLERS_DIR, buildOptions, HANDLER_NAMES, MANIFEST_PATH, ROOT, SETTINGS_INPUT, readManifest, staleBundles } from '../../scripts/handler-bundles';
import { bundlingApp } from '../helpers/bundles';
import { CDK_JSON_CONTEXT, inlineFunction } from '../helpers/stack';

describe('the built handlers', () => {
  test('every bundle is as new as its sources (run `npm run build:handlers` after changing a handler)', () => {
    expect(staleBundles(readManifest())).toEqual([]);
  });

  test('every handler the constructs deploy is built, with a source map and no absolute paths', () => {
    expect([...HANDLER_NAMES].sort()).toEqual(Object.values(BUNDLED_HANDLERS).sort());
    for (const name of HANDLER_NAMES) {
      const bundle = readFileSync(path.join(HANDLERS_DIR, name, 'index.js'), 'utf8');
      const map = JSON.parse(readFileSync(path.join(HANDLERS_DIR, name, 'index.js.map'), 'utf8'));
      // Node.js finds the map (--enable-source-maps) through this comment; print no bundle on failure.
      expect(/\/\/# sourceMappingURL=index\.js\.map\s*$/.test(bundle)).toBe(true);
      expect(map.sources).toContain(`../../../lambda/${name}/index.ts`);
      expect(map.sourcesContent).toBeUndefined();
      expect((bundle + JSON.stringify(map)).includes(ROOT)).toBe(false);
    }
  });

  test('the bundles target the Node.js major of the runtime the constructs deploy them on', () => {
    const major = /^nodejs(\d+)\.x$/.exec(HOUSE_NODE_RUNTIME.name)![1];
    for (const name of HANDLER_NAMES) {
      expect(buildOptions(name).target).toBe(`node${major}`);
    }
  });
});

describe('staleBundles', () => {
  const current = (): BundleManifest => JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'));

  test('names the handler and the source that changed since the build', () => {
    const manifest = current();
    const source = `lambda/${BUNDLED_HANDLERS.jwtAuthorizer}/bearer.ts`;
    manifest.handlers[BUNDLED_HANDLERS.jwtAuthorizer].inputs[source] = '0'.repeat(64);
    expect(staleBundles(manifest)).toEqual([`jwt-authorizer: the bundle is older than its source ${source}: run \`npm run build:handlers\``]);
  });

  test('a source that no longer exists makes the bundle stale', () => {
    const manifest = current();
    (manifest.handlers[BUNDLED_HANDLERS.abuseBlocker].inputs as Record<string, string>)['lambda/abuse-blocker/removed.ts'] = '0'.repeat(64);
    expect(staleBundles(manifest)).toEqual(['abuse-blocker: the bundle is older than its source lambda/abuse-blocker/removed.ts: run `npm run build:handlers`']);
  });

  test('changed build settings make every bundle stale', () => {
    const manifest = current();
    for (const name of HANDLER_NAMES) {
      manifest.handlers[name].inputs[SETTINGS_INPUT] = '0'.repeat(64);
    }
    expect(staleBundles(manifest)).toEqual(HANDLER_NAMES.map((name) => `${name}: the bundle is older than its source ${SETTINGS_INPUT}: run \`npm run build:handlers\``));
  });

  test('a bundle edited after the build is refused', () => {
    const manifest = current();
    const output = `dist/handlers/${BUNDLED_HANDLERS.abuseBlocker}/index.js`;
    manifest.handlers[BUNDLED_HANDLERS.abuseBlocker].outputs[output] = '0'.repeat(64);
    expect(staleBundles(manifest)).toEqual([`abuse-blocker: ${output} is not the file the build wrote: run \`npm run build:handlers\``]);
  });

  test('bundles made by another esbuild are stale', () => {
    const manifest = { ...current(), esbuildVersion: '0.0.1' };
    expect(staleBundles(manifest)).toEqual([`the handlers were bundled by esbuild 0.0.1, not the installed ${current().esbuildVersion}: run \`npm run build:handlers\``]);
  });

  test('no tsconfig.json on disk reaches the bundles: the compiler options esbuild honours are in the build settings', () => {
    for (const name of HANDLER_NAMES) {
      expect(buildOptions(name).tsconfigRaw).toEqual({ compilerOptions: { useDefineForClassFields: true, alwaysStrict: true } });
    }
  });

  test('a handler missing from the manifest, or no manifest at all, is reported', () => {
    const manifest = current();
    delete (manifest.handlers as Record<string, unknown>)[BUNDLED_HANDLERS.abuseBlocker];
    expect(staleBundles(manifest)).toEqual(['abuse-blocker: not built: run `npm run build:handlers`']);
    expect(staleBundles(undefined)).toEqual(['no handler bundles at dist/handlers/manifest.json: run `npm run build`']);
  });
});

describe('the constructs deploy the built files', () => {
  /** Synthesizes a stack with both of the library's functions, and returns their asset folders and keys, by construct path. */
  function synthesizeFunctions(app: App, issuer = 'https://login.example.com/') {
    const stack = new Stack(app, 'Handlers', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = new SecureRestApi(stack, 'Api');
    const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers: [{ issuer, audience: ['https://api.example.com'] }] });
    api.addRoute('GET /pets', { authorization: jwt.authorize(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const blocker = new AbuseBlocker(stack, 'Blocker', { firewall: new ApiFirewall(stack, 'Firewall', { api }) });
    const assembly = app.synth();
    const template = Template.fromJSON(assembly.getStackByName('Handlers').template);
    const manifest = JSON.parse(readFileSync(path.join(assembly.directory, 'Handlers.assets.json'), 'utf8'));
    const functions = { [BUNDLED_HANDLERS.jwtAuthorizer]: jwt.function, [BUNDLED_HANDLERS.abuseBlocker]: blocker.function } as Record<BundledHandlerName, BundledHandlerFunction>;
    return Object.fromEntries(Object.entries(functions).map(([name, fn]) => {
      const key = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Code.S3Key as string;
      return [name, { fn, key, dir: path.join(assembly.directory, manifest.files[key.replace(/\.zip$/, '')].source.path) }];
    })) as Record<BundledHandlerName, { fn: BundledHandlerFunction; key: string; dir: string }>;
  }

  test('the asset of each function is its bundle, byte for byte, and the settings file the construct validated: no esbuild, no Docker at synth', () => {
    const functions = synthesizeFunctions(bundlingApp());
    for (const name of HANDLER_NAMES) {
      const { fn, dir } = functions[name];
      expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map', SETTINGS_FILE]);
      for (const file of ['index.js', 'index.js.map']) {
        expect(readFileSync(path.join(dir, file)).equals(readFileSync(path.join(HANDLERS_DIR, name, file)))).toBe(true);
      }
      expect(readFileSync(path.join(dir, SETTINGS_FILE), 'utf8')).toBe(fn.writtenSettings!.text);
    }
  });

  test('the asset hash is the hash of the bundle and the settings: the same for the same inputs, in any app, whether or not it bundles', () => {
    const first = synthesizeFunctions(bundlingApp());
    const second = synthesizeFunctions(new App({ context: CDK_JSON_CONTEXT }));
    for (const name of HANDLER_NAMES) {
      expect(second[name].key).toBe(first[name].key);
      expect(`${FileSystem.fingerprint(first[name].dir)}.zip`).toBe(first[name].key);
    }
  });

  test('the asset hash changes with the settings (the authorizer\'s issuer), and with nothing else', () => {
    const first = synthesizeFunctions(bundlingApp());
    const other = synthesizeFunctions(bundlingApp(), 'https://other-issuer.example.com/');
    expect(other[BUNDLED_HANDLERS.jwtAuthorizer].key).not.toBe(first[BUNDLED_HANDLERS.jwtAuthorizer].key);
    expect(other[BUNDLED_HANDLERS.abuseBlocker].key).toBe(first[BUNDLED_HANDLERS.abuseBlocker].key);
  });

  test('the asset hash changes with the bundle', () => {
    const { dir, key } = synthesizeFunctions(bundlingApp())[BUNDLED_HANDLERS.jwtAuthorizer];
    const copy = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    for (const file of readdirSync(dir)) {
      copyFileSync(path.join(dir, file), path.join(copy, file));
    }
    expect(`${FileSystem.fingerprint(copy)}.zip`).toBe(key);
    appendFileSync(path.join(copy, 'index.js'), '\n');
    expect(`${FileSystem.fingerprint(copy)}.zip`).not.toBe(key);
  });

  test('every function runs on the house runtime, the one the bundles were built for', () => {
    const functions = synthesizeFunctions(new App({ context: CDK_JSON_CONTEXT }));
    for (const name of HANDLER_NAMES) {
      expect(functions[name].fn.runtime).toBe(HOUSE_NODE_RUNTIME);
    }
  });

  test('the folder is found from the sources as from the built package', () => {
    const stack = new Stack();
    expect(bundledHandlerDir(stack, BUNDLED_HANDLERS.jwtAuthorizer)).toBe(path.join(HANDLERS_DIR, BUNDLED_HANDLERS.jwtAuthorizer));
    expect(path.relative(ROOT, HANDLERS_DIR)).toBe(path.join('dist', 'handlers'));
  });

  test('a missing bundle fails synth with the fix', () => {
    const stack = new Stack();
    expect(() => bundledHandlerDir(stack, 'no-such-handler' as any)).toThrow(/The pre-bundled handler 'no-such-handler' is missing \(looked in .*\): the package is incomplete; reinstall secure-api-gateway, or in a clone of the library run `npm run build`/);
  });
});

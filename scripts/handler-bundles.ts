/**
 * The pre-bundled handlers: how they are built, and how a build is checked against its sources.
 *
 * Used by `scripts/bundle-handlers.ts` (the build) and by the test that refuses stale bundles. The
 * constructs never import this: they only read the files it writes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type BuildOptions, type Metafile, version as esbuildVersion } from 'esbuild';
import { BUNDLED_HANDLERS, BundledHandlerName } from '../lambda/shared/constants';
import { HOUSE_NODE_RUNTIME, esbuildTarget } from '../lib/private/lambda-runtime';

/** The repository's root folder. */
export const ROOT = path.resolve(__dirname, '..');
/** Where the bundles go: `dist/handlers/<name>/index.js` with `index.js.map`. */
export const HANDLERS_DIR = path.join(ROOT, 'dist', 'handlers');
/** What the build records about each bundle's inputs, so a stale bundle can be detected. */
export const MANIFEST_PATH = path.join(HANDLERS_DIR, 'manifest.json');

/** The handlers, in build order. */
export const HANDLER_NAMES: readonly BundledHandlerName[] = Object.values(BUNDLED_HANDLERS);

/** One bundle's record in the manifest. */
export interface BundleRecord {
  /** sha256 of every input esbuild read (paths relative to the root), and of this build's settings. */
  readonly inputs: Record<string, string>;
  /** sha256 of the bundle and its source map, as written. */
  readonly outputs: Record<string, string>;
}

/** The manifest: the esbuild version and one record per handler. */
export interface BundleManifest {
  readonly esbuildVersion: string;
  readonly handlers: Record<string, BundleRecord>;
}

/**
 * The esbuild settings of every handler: those of aws-cdk-lib's NodejsFunction for the house
 * defaults (the house Node.js runtime, CommonJS, minified, external source map without sources content), with the
 * AWS SDK v3 left to the Lambda runtime. Paths in the source map are relative, so a bundle is
 * byte-for-byte the same on every machine and its asset hash changes only when the handler does.
 */
export function buildOptions(name: BundledHandlerName): BuildOptions {
  return {
    entryPoints: [path.join(ROOT, 'lambda', name, 'index.ts')],
    outfile: path.join(HANDLERS_DIR, name, 'index.js'),
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: esbuildTarget(HOUSE_NODE_RUNTIME),
    format: 'cjs',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', '@smithy/*'],
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    // The compiler options esbuild honours, given here so that no tsconfig.json on disk can change a
    // bundle behind the manifest's back (they are part of the settings hash).
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, alwaysStrict: true } },
    metafile: true,
    logLevel: 'warning',
  };
}

/** sha256 of a file, hex. */
export function fileHash(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The key under which the build settings themselves are recorded among a bundle's inputs. */
export const SETTINGS_INPUT = '<build settings>';

/** sha256 of the build script's settings for one handler: changing them makes the bundle stale too. */
export function settingsHash(name: BundledHandlerName): string {
  // Relative paths: the same settings give the same hash in every clone.
  const settings = JSON.stringify(buildOptions(name)).split(JSON.stringify(ROOT).slice(1, -1)).join('.');
  return createHash('sha256').update(settings).update(readFileSync(__filename)).digest('hex');
}

/** A bundle's record, from esbuild's metafile. */
export function recordOf(name: BundledHandlerName, metafile: Metafile): BundleRecord {
  const inputs: Record<string, string> = { [SETTINGS_INPUT]: settingsHash(name) };
  for (const input of Object.keys(metafile.inputs).sort()) {
    inputs[input] = fileHash(path.join(ROOT, input));
  }
  const outputs: Record<string, string> = {};
  for (const output of Object.keys(metafile.outputs).sort()) {
    outputs[output] = fileHash(path.join(ROOT, output));
  }
  return { inputs, outputs };
}

/**
 * What makes the built handlers differ from their sources: one line per stale bundle, naming the
 * handler and the first file that changed. Empty when every bundle is current.
 */
export function staleBundles(manifest: BundleManifest | undefined): string[] {
  if (manifest === undefined) {
    return [`no handler bundles at ${path.relative(ROOT, MANIFEST_PATH)}: run \`npm run build\``];
  }
  if (manifest.esbuildVersion !== esbuildVersion) {
    return [`the handlers were bundled by esbuild ${manifest.esbuildVersion}, not the installed ${esbuildVersion}: run \`npm run build:handlers\``];
  }
  const problems: string[] = [];
  for (const name of HANDLER_NAMES) {
    const record = manifest.handlers[name];
    if (record === undefined) {
      problems.push(`${name}: not built: run \`npm run build:handlers\``);
      continue;
    }
    const changed = Object.entries(record.inputs).find(([input, hash]) => {
      if (input === SETTINGS_INPUT) {
        return hash !== settingsHash(name);
      }
      const file = path.join(ROOT, input);
      return !existsSync(file) || fileHash(file) !== hash;
    });
    const altered = Object.entries(record.outputs).find(([output, hash]) => {
      const file = path.join(ROOT, output);
      return !existsSync(file) || fileHash(file) !== hash;
    });
    if (changed) {
      problems.push(`${name}: the bundle is older than its source ${changed[0]}: run \`npm run build:handlers\``);
    } else if (altered) {
      problems.push(`${name}: ${altered[0]} is not the file the build wrote: run \`npm run build:handlers\``);
    }
  }
  return problems;
}

/** The manifest as built, or undefined before the first build. */
export function readManifest(): BundleManifest | undefined {
  return existsSync(MANIFEST_PATH) ? JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as BundleManifest : undefined;
}

/**
 * Bundles every handler the constructs deploy (`npm run build:handlers`, part of `npm run build`),
 * so that a user's synth needs neither esbuild nor Docker: the constructs load the bundles with
 * `lambda.Code.fromAsset`. Writes `dist/handlers/<name>/index.js` and its source map, and
 * `dist/handlers/manifest.json`, which records the hash of every input so stale bundles are caught.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build, version } from 'esbuild';
import { BundleManifest, BundleRecord, HANDLERS_DIR, HANDLER_NAMES, MANIFEST_PATH, buildOptions, recordOf } from './handler-bundles';

async function main(): Promise<void> {
  rmSync(HANDLERS_DIR, { recursive: true, force: true });
  mkdirSync(HANDLERS_DIR, { recursive: true });
  const handlers: Record<string, BundleRecord> = {};
  for (const name of HANDLER_NAMES) {
    const result = await build(buildOptions(name));
    handlers[name] = recordOf(name, result.metafile!);
    const bytes = Object.values(result.metafile!.outputs).reduce((sum, output) => sum + output.bytes, 0);
    console.log(`bundled ${name}: ${Object.keys(result.metafile!.inputs).length} inputs, ${bytes} bytes`);
  }
  const manifest: BundleManifest = { esbuildVersion: version, handlers };
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

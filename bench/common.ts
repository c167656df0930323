import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';

/** The `context` of cdk.json: the feature flags and environments `cdk synth` would pass. */
export const CDK_CONTEXT: Readonly<Record<string, unknown>> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'),
).context;

/** Context that skips asset bundling (esbuild) in every stack. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/** The account and region of stacks that are not the example app's. */
export const BENCH_ENV = { account: '123456789012', region: 'eu-west-1' };

/** One temporary directory for every cloud assembly the benchmark writes; removed by {@link cleanUp}. */
let root: string | undefined;

/**
 * Creates a fresh app with cdk.json's context and bundling skipped, passes it to `build`, and
 * removes the app's cloud assembly afterwards.
 */
export function withApp<T>(build: (app: App) => T): T {
  root ??= fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-bench-'));
  const outdir = fs.mkdtempSync(path.join(root, 'app-'));
  try {
    return build(new App({ outdir, context: { ...CDK_CONTEXT, ...SKIP_BUNDLING } }));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Removes every cloud assembly the benchmark wrote. */
export function cleanUp(): void {
  if (root !== undefined) {
    fs.rmSync(root, { recursive: true, force: true });
    root = undefined;
  }
}

/** The resources of a synthesized template, as far as the benchmark reads them. */
export interface TemplateResources {
  readonly Resources?: Record<string, { readonly Type: string }>;
}

/** How many resources of each type a template has. */
export function countByType(template: TemplateResources): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { Type } of Object.values(template.Resources ?? {})) {
    counts.set(Type, (counts.get(Type) ?? 0) + 1);
  }
  return counts;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The integ tests' snapshots (`<file>.snapshot/`, in integ-runner's layout), written and checked
 * without integ-runner.
 *
 * integ-runner 2.197.10 (the devDependency) cannot read what aws-cdk-lib 2.276.0 writes: it stops
 * with "Cloud assembly schema version mismatch: Maximum schema version supported is 53.x.x, but
 * found 55.0.0", when verifying a snapshot as when writing one. So this module synthesizes each
 * integ app the way integ-runner does (see integRunnerContext) and compares what integ-runner compares: the
 * templates of the test-case stacks (not the assertion stack), with asset hashes masked.
 *
 * The snapshots leave out the asset directories (bundled handler code, which integ-runner's diff
 * ignores too, and `*.js` is not committed), and are synthesized with a fixed clock: the assertion
 * stack's `salt` is a timestamp that integ-tests-alpha takes on every synth, so that a deploy re-runs
 * the assertions. Writing them twice gives the same files.
 *
 * Update them with `npx tsx test/integ/integ-snapshot.ts`, and review the diff like code.
 *
 * The failover drill (`integ.failover-drill.ts`) has no snapshot: its stack is built from the
 * user's deployment (hosted zone, regional domains, regions, account, as context), so an offline
 * snapshot would hold only its stand-ins, and a real run would rewrite it with the user's zone.
 * `failover-drill.test.ts` checks it offline.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildProbesInteg } from './integ.probes';
import { buildSecureApiInteg } from './integ.secure-api';

/** The integ apps that have a snapshot, by file name, with the function that builds each. */
export const SNAPSHOTTED_INTEG_TESTS: Readonly<Record<string, (app: App) => unknown>> = {
  'integ.secure-api.ts': buildSecureApiInteg,
  'integ.probes.ts': buildProbesInteg,
};

/** The time the assertions' salts are taken at (2026-01-01T00:00:00Z), for snapshots that do not change with the clock. */
const SNAPSHOT_CLOCK = Date.UTC(2026, 0, 1);

/**
 * Context integ-runner gives an app: its recommended flags, no version reporting, every stack
 * bundled (and, by leaving them out, no path or asset metadata). Stack traces in the metadata are
 * turned off too, which integ-runner does not do: they hold the absolute paths of the machine that
 * wrote the snapshot, and integ-runner's diff does not read the metadata. (The stacks' creation
 * stacks, which that leaves, and the `trace` of every other metadata entry are dropped from the
 * snapshot's metadata files.)
 */
export function integRunnerContext(): Record<string, unknown> {
  const flagsFile = path.join(path.dirname(require.resolve('@aws-cdk/integ-runner/package.json')), 'lib', 'recommended-feature-flags.json');
  return {
    ...JSON.parse(fs.readFileSync(flagsFile, 'utf8')),
    'aws:cdk:disable-version-reporting': true,
    'aws:cdk:bundling-stacks': ['**'],
    'aws:cdk:disable-stack-trace': true,
  };
}

/** Where the snapshot of an integ test file lives. */
export function snapshotDir(file: string): string {
  return path.join(__dirname, `${file}.snapshot`);
}

/** The test case and assertion stacks an assembly's `integ.json` names. */
interface IntegManifest {
  readonly testCases: Record<string, { readonly stacks: string[]; readonly assertionStackName: string }>;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Synthesizes an integ app as integ-runner does, into a fresh temporary directory, and returns it. */
export function synthLikeIntegRunner(file: string): string {
  const build = SNAPSHOTTED_INTEG_TESTS[file];
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-snapshot-'));
  const app = new App({ outdir, context: integRunnerContext() });
  // integ-tests-alpha salts each assertion with Date.now(), so that a deploy re-runs it: a fixed
  // clock while the app is built keeps the assertion stack (and its template's hash) the same.
  const now = Date.now;
  Date.now = () => SNAPSHOT_CLOCK;
  try {
    build(app);
  } finally {
    Date.now = now;
  }
  app.synth();
  return outdir;
}

/** The metadata entry type of a construct's creation stack trace. */
const CREATION_STACK = 'aws:cdk:creationStack';

/** A 64-hex-digit asset hash, alone or in a name such as `<hash>.zip`. */
const ASSET_HASH = /[0-9a-f]{64}/g;

/** Writes the snapshot of an integ test file from a fresh synth. */
export function writeSnapshot(file: string): void {
  const outdir = synthLikeIntegRunner(file);
  try {
    const target = snapshotDir(file);
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(target);
    for (const entry of fs.readdirSync(outdir)) {
      if (entry.startsWith('asset.')) {
        continue;
      }
      if (entry.endsWith('.metadata.json')) {
        fs.writeFileSync(path.join(target, entry), `${JSON.stringify(withoutLocalPaths(readJson(path.join(outdir, entry))), undefined, 2)}\n`);
      } else {
        fs.copyFileSync(path.join(outdir, entry), path.join(target, entry));
      }
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Metadata without what holds absolute paths of this machine: the `aws:cdk:creationStack` entries,
 * and the `trace` (a stack trace) of every other entry, such as `aws:cdk:acknowledged-rules`.
 */
function withoutLocalPaths(metadata: Record<string, Array<{ readonly type: string; readonly trace?: string[] }>>): Record<string, Array<{ readonly type: string }>> {
  return Object.fromEntries(Object.entries(metadata)
    .map(([constructPath, entries]) => [constructPath, entries
      .filter((entry) => entry.type !== CREATION_STACK)
      .map(({ trace: _trace, ...entry }) => entry)] as const)
    .filter(([, entries]) => entries.length > 0));
}

/** The templates integ-runner compares: those of the test-case stacks (nested stacks included), by file name. */
function comparedTemplates(dir: string): Map<string, string> {
  const cases = Object.values(readJson<IntegManifest>(path.join(dir, 'integ.json')).testCases);
  const stacks = cases.flatMap((testCase) => testCase.stacks);
  const templates = new Map<string, string>();
  for (const entry of fs.readdirSync(dir).filter((name) => name.endsWith('.template.json')).sort()) {
    if (stacks.some((stack) => entry === `${stack}.template.json` || (entry.startsWith(stack) && entry.includes('.nested.')))) {
      templates.set(entry, JSON.stringify(readJson(path.join(dir, entry)), null, 1).replace(ASSET_HASH, '<asset hash>'));
    }
  }
  return templates;
}

/**
 * How a fresh synth of an integ test file differs from its snapshot (in `expectedDir`, by default
 * the committed one), one line per difference; empty when the snapshot is current.
 */
export function snapshotDifferences(file: string, expectedDir: string = snapshotDir(file)): string[] {
  if (!fs.existsSync(path.join(expectedDir, 'integ.json'))) {
    return [`${file}: no snapshot (write it with \`npx tsx test/integ/integ-snapshot.ts\`)`];
  }
  const actualDir = synthLikeIntegRunner(file);
  try {
    const differences: string[] = [];
    if (fs.readFileSync(path.join(expectedDir, 'integ.json'), 'utf8') !== fs.readFileSync(path.join(actualDir, 'integ.json'), 'utf8')) {
      differences.push(`${file}: integ.json (the test cases and their stacks) changed`);
    }
    const expected = comparedTemplates(expectedDir);
    const actual = comparedTemplates(actualDir);
    for (const name of new Set([...expected.keys(), ...actual.keys()])) {
      const [before, after] = [expected.get(name), actual.get(name)];
      if (before === undefined || after === undefined) {
        differences.push(`${file}: ${name} is ${before === undefined ? 'new' : 'gone'}`);
      } else if (before !== after) {
        differences.push(`${file}: ${name} changed at line ${firstDifferentLine(before, after)}`);
      }
    }
    return differences;
  } finally {
    fs.rmSync(actualDir, { recursive: true, force: true });
  }
}

/** The first line (1-based) where two texts differ, with both versions of it. */
function firstDifferentLine(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const index = a.findIndex((line, i) => line !== b[i]);
  const at = index === -1 ? a.length : index;
  return `${at + 1}: ${JSON.stringify(a[at]?.trim())} -> ${JSON.stringify(b[at]?.trim())}`;
}

if (require.main === module) {
  for (const file of Object.keys(SNAPSHOTTED_INTEG_TESTS)) {
    writeSnapshot(file);
    process.stdout.write(`wrote ${path.relative(process.cwd(), snapshotDir(file))}\n`);
  }
}

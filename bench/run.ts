/**
 * `npm run bench`: a report, not a test. It prints
 *   1. the synth time of the example app's `SecureApi-dev` stack against a hand-written plain
 *      aws-cdk-lib stack with the same resources (medians of alternating in-process synths), and
 *   2. the CloudFormation resources one more route adds to a `SecureRestApi`, and to a plain
 *      `RestApi` with `LambdaIntegration`,
 * then a table of the figures against their targets. It exits 0 whether or not the targets are
 * met, and non-zero if anything throws.
 *
 * Settings (environment variables): BENCH_SAMPLES (default 20 a side), BENCH_WARMUPS (default 5
 * rounds; the first rounds are several times slower while V8 compiles aws-cdk-lib).
 */
import * as os from 'node:os';
import { CDK_CONTEXT, SKIP_BUNDLING, cleanUp } from './common';
import { formatByType, measureRouteCost, ShapeResult } from './route-cost';
import { measureSynthTime, SideResult, SynthTimeResult } from './synth-time';

/** library / hand-written synth time, of the medians. */
const SYNTH_RATIO_TARGET = 1.2;
/** CloudFormation resources a `SecureRestApi` route may add. */
const RESOURCES_PER_ROUTE_TARGET = 2;

const VALIDATION_FLAG = '@aws-cdk/core:validateAgainstDefaultRules';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number >= 1, got ${JSON.stringify(raw)}`);
  }
  return value;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');

/** Prints rows as columns padded to the widest cell. */
function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const [index, row] of rows.entries()) {
    console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()}`);
    if (index === 0) {
      console.log(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`);
    }
  }
}

function printSynthTime(result: SynthTimeResult): void {
  console.log('\n== 1. Synth time: SecureApi-dev (library) vs hand-written aws-cdk-lib stack ==');
  console.log(`  each sample: new App (cdk.json context) + new stack + app.synth(), in this process`);
  console.log(`  ${result.warmups} warm-up rounds, then ${result.samples} rounds, each side once a round, order alternating (AB, BA, AB, ...)`);
  const side = (name: string, r: SideResult) => [name, ms(r.medianMs), ms(r.minMs), ms(r.maxMs), ms(r.medianValidationMs), String(r.resourceCount)];
  printTable([
    ['side', 'median', 'min', 'max', 'validation (median)', 'resources'],
    side('library (ExampleApiStack)', result.library),
    side('hand-written (bench/)', result.handWritten),
  ]);
  // Matters for fairness: aws-cdk-lib keeps the validator's engine between synths only while the
  // templates' resource types stay within those it was built for.
  const same = result.library.resourceTypes.join() === result.handWritten.resourceTypes.join();
  console.log(`  same CloudFormation resource types on both sides: ${same ? 'yes' : `NO\n    library: ${result.library.resourceTypes.join(', ')}\n    hand-written: ${result.handWritten.resourceTypes.join(', ')}`}`);
  console.log(`  ratio library / hand-written (medians): ${result.ratio.toFixed(3)}`);
}

function printRouteCost(results: readonly ShapeResult[]): void {
  console.log(`\n== 2. CloudFormation resources added by route k+1 (k = ${results[0].k}, fresh stack, bundling skipped) ==`);
  printTable([
    ['shape', 'added route', 'SecureRestApi', 'plain RestApi + LambdaIntegration'],
    ...results.map((r) => [
      r.shape.name,
      r.shape.added.key,
      `${r.library.total} (${formatByType(r.library)})`,
      `${r.plain.total} (${formatByType(r.plain)})`,
    ]),
  ]);
}

function permissionsAdded(result: ShapeResult): number {
  return result.library.byType.get('AWS::Lambda::Permission') ?? 0;
}

function printSummary(synth: SynthTimeResult, routes: readonly ShapeResult[]): void {
  console.log('\n== Summary ==');
  const rows: string[][] = [['figure', 'value', 'target', 'result']];
  rows.push(['synth median, library', ms(synth.library.medianMs), '', '']);
  rows.push(['synth median, hand-written', ms(synth.handWritten.medianMs), '', '']);
  rows.push(['synth ratio library / hand-written', synth.ratio.toFixed(3), `<= ${SYNTH_RATIO_TARGET}`, verdict(synth.ratio <= SYNTH_RATIO_TARGET)]);
  for (const r of routes) {
    rows.push([`resources/route: ${r.shape.name}`, `${r.library.total} (plain: ${r.plain.total})`, `<= ${RESOURCES_PER_ROUTE_TARGET}`, verdict(r.library.total <= RESOURCES_PER_ROUTE_TARGET)]);
    if (r.shape.sameFunction) {
      rows.push([`  new Lambda permissions: ${r.shape.name}`, String(permissionsAdded(r)), '0', verdict(permissionsAdded(r) === 0)]);
    }
  }
  printTable(rows);
}

function main(): void {
  const samples = positiveInt('BENCH_SAMPLES', 20);
  const warmups = positiveInt('BENCH_WARMUPS', 5);
  const started = Date.now();
  console.log('secure-api-gateway benchmark');
  console.log(`  node ${process.version}, ${os.cpus().length} CPUs, aws-cdk-lib ${(require('aws-cdk-lib/package.json') as { version: string }).version}`);
  console.log(`  asset bundling: skipped on both sides (context ${JSON.stringify(SKIP_BUNDLING)}), so esbuild time is excluded`);
  console.log(`  template validation: built-in aws-cdk-lib validator on (context ${VALIDATION_FLAG} = ${JSON.stringify(CDK_CONTEXT[VALIDATION_FLAG])}, CDK_VALIDATION ${process.env.CDK_VALIDATION === undefined ? 'unset' : `= ${process.env.CDK_VALIDATION}`}); checked to run in every sample`);

  const synth = measureSynthTime(samples, warmups);
  printSynthTime(synth);
  const routes = measureRouteCost();
  printRouteCost(routes);
  printSummary(synth, routes);
  console.log(`\n(report only: exit code 0 whatever the results; took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

try {
  main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  cleanUp();
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';

/** One finding or acknowledged finding of a validation report: its pack, its rule id and the construct path. */
export interface NagFinding {
  readonly pack: string;
  readonly rule: string;
  readonly path: string;
}

/** What the packs reported at synth: the findings left, and the acknowledged ones. */
export interface NagResult {
  readonly violations: NagFinding[];
  readonly suppressed: NagFinding[];
  /** The conclusion of each pack. */
  readonly conclusions: Record<string, string>;
}

interface Report {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations?: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
    suppressedViolations?: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
  }>;
}

/**
 * Synthesizes `build`'s app into a temporary folder and reads the validation report the packs
 * wrote there (synth throws when a pack fails; the report is written either way).
 */
export function synthWithNag(build: (outdir: string) => App): NagResult {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nag-'));
  try {
    const app = build(outdir);
    try {
      app.synth();
    } catch (error) {
      if (!/ValidationFailed|Validation failed/.test(String(error))) {
        throw error;
      }
    }
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report;
    const flatten = (pack: string, entries: NonNullable<Report['pluginReports'][number]['violations']> = []) =>
      entries.flatMap((entry) => entry.violatingConstructs.map((construct) => ({ pack, rule: entry.ruleName, path: construct.constructPath })));
    return {
      violations: report.pluginReports.flatMap((plugin) => flatten(plugin.pluginName, plugin.violations)),
      suppressed: report.pluginReports.flatMap((plugin) => flatten(plugin.pluginName, plugin.suppressedViolations)),
      conclusions: Object.fromEntries(report.pluginReports.map((plugin) => [plugin.pluginName, plugin.conclusion])),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { parsePlan } from '../lambda/jwt-authorizer/settings';
import { PolicyPlanner } from '../lambda/shared/routes/planner';
import { SETTINGS_FILE } from '../lambda/shared/constants';
import { assetDirOf } from '../test/helpers/bundles';
import { LARGE_API_SCOPES, buildLargeApi } from '../test/support/large-api';
import { BENCH_ENV, median, withApp } from './common';

/** The route counts the large-API figures are taken at. */
export const LARGE_API_ROUTE_COUNTS = [10, 100, 300, 1000] as const;

/** A template of the cloud assembly: the stack's own or a nested stack's. */
interface TemplateFile {
  readonly file: string;
  readonly bytes: number;
  readonly resources: number;
}

/** The figures of one route count. */
export interface LargeApiResult {
  readonly routes: number;
  /** Synth times (new App + stack + routes + app.synth()), one per sample, in ms. */
  readonly synthMs: readonly number[];
  readonly medianSynthMs: number;
  /** Templates written: the stack's and each nested stack's. */
  readonly templates: readonly TemplateFile[];
  /** Bytes of the authorizer's settings file in its asset, or undefined when it has none. */
  readonly settingsFileBytes?: number;
  /** Bytes of the authorizer's environment, as JSON (how Lambda counts it against 4 KB). */
  readonly environmentBytes: number;
  /**
   * The largest policy of representative callers (one scope, a family's read and write scopes,
   * every scope), in bytes of JSON, built by the handler's planner from the settings file's plan.
   */
  readonly largestPolicyBytes?: number;
}

/** An execute-api ARN prefix as long as a real one's, up to the method. */
const ARN_PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/v1/';

/** The largest policy the planner gives the representative callers, from the settings file's text. */
function largestPolicyBytes(settingsText: string): number {
  const planner = new PolicyPlanner(parsePlan(JSON.parse(settingsText).plan));
  const callers = [['res0:read'], ['res0:read', 'res0:write'], [...LARGE_API_SCOPES]];
  return Math.max(...callers.map((scopes) => Buffer.byteLength(JSON.stringify(planner.policyForPrefix(ARN_PREFIX, { scopes: new Set(scopes), groups: new Set() }).policyDocument))));
}

/** Reads every template of a cloud assembly. */
function templatesOf(dir: string): TemplateFile[] {
  return fs.readdirSync(dir).filter((file) => file.endsWith('.template.json')).map((file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const template = JSON.parse(text) as { Resources?: Record<string, unknown> };
    return { file, bytes: Buffer.byteLength(text), resources: Object.keys(template.Resources ?? {}).length };
  });
}

/** The authorizer function's settings file (in its staged asset) and environment, in bytes. */
function authorizerSettings(stack: Stack, fn: lambda.Function): Pick<LargeApiResult, 'settingsFileBytes' | 'environmentBytes' | 'largestPolicyBytes'> {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const resolved = stack.resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
  const environmentBytes = Buffer.byteLength(JSON.stringify(resolved?.variables ?? {}));
  const settingsFile = path.join(assetDirOf(fn), SETTINGS_FILE);
  const exists = fs.existsSync(settingsFile);
  return {
    environmentBytes,
    settingsFileBytes: exists ? fs.statSync(settingsFile).size : undefined,
    largestPolicyBytes: exists ? largestPolicyBytes(fs.readFileSync(settingsFile, 'utf8')) : undefined,
  };
}

/**
 * Synthesizes the generated API (test/support/large-api.ts) with the JWT authorizer at each route
 * count, `samples` times after one discarded warm-up, counts alternating so that no count always
 * runs on a warmer process than another.
 */
export function measureLargeApi(samples: number, counts: readonly number[] = LARGE_API_ROUTE_COUNTS): LargeApiResult[] {
  const times = new Map<number, number[]>(counts.map((count) => [count, []]));
  const shapes = new Map<number, Omit<LargeApiResult, 'synthMs' | 'medianSynthMs'>>();
  for (let round = -1; round < samples; round++) {
    const order = round % 2 === 0 ? counts : [...counts].reverse();
    for (const routes of order) {
      withApp((app) => {
        const started = performance.now();
        const stack = new Stack(app, 'LargeApi', { env: BENCH_ENV });
        const { authorizer } = buildLargeApi(stack, { routes });
        const assembly = app.synth();
        const ms = performance.now() - started;
        if (round >= 0) {
          times.get(routes)!.push(ms);
        }
        if (!shapes.has(routes)) {
          shapes.set(routes, { routes, templates: templatesOf(assembly.directory), ...authorizerSettings(stack, authorizer.function) });
        }
      });
    }
  }
  return counts.map((count) => ({ ...shapes.get(count)!, synthMs: times.get(count)!, medianSynthMs: median(times.get(count)!) }));
}

/** 1,000 routes / 100 routes, of the median synth times: the target. */
export const LARGE_API_SYNTH_RATIO_TARGET = 12;

/** The synth time of the largest count over that of 100 routes, of the medians. */
export function largeApiSynthRatio(results: readonly LargeApiResult[]): number {
  const of = (routes: number) => results.find((r) => r.routes === routes)!.medianSynthMs;
  return of(Math.max(...results.map((r) => r.routes))) / of(100);
}

/** The rows of section 5 of `npm run bench`. */
export function largeApiRows(results: readonly LargeApiResult[]): string[][] {
  return [
    ['routes', 'synth median', 'stacks', 'largest stack (resources)', 'largest template', 'authorizer settings file', 'authorizer environment', 'largest policy'],
    ...results.map((r) => {
      const largest = [...r.templates].sort((a, b) => b.resources - a.resources)[0];
      return [
        String(r.routes),
        `${r.medianSynthMs.toFixed(0)} ms`,
        String(r.templates.length),
        `${largest.resources} (${largest.file.replace(/\.template\.json$/, '')})`,
        `${Math.max(...r.templates.map((t) => t.bytes))} bytes`,
        r.settingsFileBytes === undefined ? 'none' : `${r.settingsFileBytes} bytes`,
        `${r.environmentBytes} bytes`,
        r.largestPolicyBytes === undefined ? 'n/a' : `${r.largestPolicyBytes} bytes`,
      ];
    }),
  ];
}

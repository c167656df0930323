import { performance } from 'node:perf_hooks';
import { App, CloudFormationValidatePlugin, StackProps } from 'aws-cdk-lib';
import { ExampleApiStack } from '../bin/example-api-stack';
import { EnvironmentConfig, ENVIRONMENTS_CONTEXT_KEY, parseEnvironmentConfigs } from '../bin/environment-config';
import { CDK_CONTEXT, countByType, median, withApp } from './common';
import { HandWrittenApiStack } from './hand-written-stack';

const STACK_NAME = 'SecureApi-dev';

/**
 * Calls and time of aws-cdk-lib's built-in template validator, which `app.synth()` runs unless
 * `CDK_VALIDATION=false`. (aws-cdk-lib's own perf counters cannot tell: synth resets them.)
 */
const validation = { calls: 0, ms: 0 };
const validate = CloudFormationValidatePlugin.prototype.validate;
CloudFormationValidatePlugin.prototype.validate = function countedValidate(this: CloudFormationValidatePlugin, context) {
  const start = performance.now();
  try {
    return validate.call(this, context);
  } finally {
    validation.calls++;
    validation.ms += performance.now() - start;
  }
};

/** The two sides of the comparison. */
export type Side = 'library' | 'handWritten';

/** One synth of one side. */
interface Sample {
  /** Wall time of new App + new stack + app.synth(). */
  readonly ms: number;
  /** Time spent in aws-cdk-lib's built-in template validator, part of `ms`. */
  readonly validationMs: number;
}

/** Medians of one side, and the shape of what it synthesized. */
export interface SideResult {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly medianValidationMs: number;
  readonly resourceCount: number;
  readonly resourceTypes: readonly string[];
  /** How many resources of each type, in the order of {@link resourceTypes}. */
  readonly resourceCounts: ReadonlyMap<string, number>;
}

export interface SynthTimeResult {
  readonly samples: number;
  readonly warmups: number;
  readonly library: SideResult;
  readonly handWritten: SideResult;
  /** library / hand-written, of the medians. */
  readonly ratio: number;
}

/** The dev environment from cdk.json, parsed as bin/app.ts parses it. */
function devConfig(): EnvironmentConfig {
  const dev = parseEnvironmentConfigs(CDK_CONTEXT[ENVIRONMENTS_CONTEXT_KEY]).find((config) => config.name === 'dev');
  if (!dev) {
    throw new Error(`cdk.json has no "dev" environment in \`${ENVIRONMENTS_CONTEXT_KEY}\``);
  }
  return dev;
}

/** Builds one side's stack into `app` the way bin/app.ts builds `SecureApi-dev`. */
function builder(side: Side, config: EnvironmentConfig): (app: App) => void {
  // The same stack props as bin/app.ts's buildApp().
  const props: StackProps = {
    env: { account: config.account, region: config.region },
    terminationProtection: config.profile === 'prod',
    description: `Example secure pets API, ${config.name} environment`,
  };
  return side === 'library'
    ? (app) => { new ExampleApiStack(app, STACK_NAME, { ...props, config }); }
    : (app) => { new HandWrittenApiStack(app, STACK_NAME, { ...props, config }); };
}

/** Times one synth; throws if the built-in template validation did not run. */
function sample(side: Side, build: (app: App) => void): Sample {
  return withApp((app) => {
    const before = { ...validation };
    const start = performance.now();
    build(app);
    app.synth();
    const ms = performance.now() - start;
    if (validation.calls === before.calls) {
      throw new Error(`aws-cdk-lib's built-in template validation did not run for the ${side} stack (is CDK_VALIDATION=false set?): the timings would not be comparable to \`cdk synth\``);
    }
    return { ms, validationMs: validation.ms - before.ms };
  });
}

type TemplateShape = Pick<SideResult, 'resourceCount' | 'resourceTypes' | 'resourceCounts'>;

/** The resource types of one side's template, and their counts, read from one extra synth. */
function shape(build: (app: App) => void): TemplateShape {
  return withApp((app) => {
    build(app);
    const counts = countByType(app.synth().getStackByName(STACK_NAME).template);
    const resourceTypes = [...counts.keys()].sort();
    return {
      resourceCount: [...counts.values()].reduce((a, b) => a + b, 0),
      resourceTypes,
      resourceCounts: new Map(resourceTypes.map((type) => [type, counts.get(type)!])),
    };
  });
}

function summarize(samples: readonly Sample[], template: TemplateShape): SideResult {
  const times = samples.map((s) => s.ms);
  return {
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    medianValidationMs: median(samples.map((s) => s.validationMs)),
    ...template,
  };
}

/**
 * Synthesizes the example app's dev stack and the hand-written equivalent, alternately, in this
 * process: `warmups` rounds first (module loading, JIT, aws-cdk-lib's caches, the validator's
 * engine), then `samples` rounds, each side once per round, in alternating order.
 */
export function measureSynthTime(samples: number, warmups: number): SynthTimeResult {
  const config = devConfig();
  const builds: Record<Side, (app: App) => void> = { library: builder('library', config), handWritten: builder('handWritten', config) };
  const times: Record<Side, Sample[]> = { library: [], handWritten: [] };

  for (let round = 0; round < warmups + samples; round++) {
    // A B, then B A: neither side always runs right after the other's garbage.
    const order: Side[] = round % 2 === 0 ? ['library', 'handWritten'] : ['handWritten', 'library'];
    for (const side of order) {
      const result = sample(side, builds[side]);
      if (round >= warmups) {
        times[side].push(result);
      }
    }
  }

  const library = summarize(times.library, shape(builds.library));
  const handWritten = summarize(times.handWritten, shape(builds.handWritten));
  return { samples, warmups, library, handWritten, ratio: library.medianMs / handWritten.medianMs };
}

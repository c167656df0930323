/**
 * The JWT authorizer's runtime figures, measured on its real esbuild bundle (produced by a real
 * synth with bundling, as test/lambda/jwt-authorizer/bundle.test.ts produces it) against real
 * HTTPS OIDC issuers on localhost, in the OIDC harness's child process:
 *   a. a warm invocation against a bare aws-jwt-verify `JwtVerifier.verify()` of the same token;
 *   b. the bundle's size;
 *   c. the time to `require()` the bundle in a fresh process against `require('aws-jwt-verify')`,
 *      with its synthesized settings file and with settings files of 100 and 1,000 routes;
 *   d. the issuer's JWKS requests under 20 concurrent cold requests;
 *   e. the route table's policy computation: building a table of 61 routes from its compiled plan
 *      and the policies of 8 callers (the figure test/lambda/jwt-authorizer/route-policy.test.ts
 *      once asserted on);
 *   f. policies at scale: generated tables of 10, 100 and 1,000 routes, the time to compile the
 *      plan (synth), to read it and build the table (cold start) and one uncached policy, the
 *      plan's and the policies' size in bytes; and figure (a) again with the bundle loaded with the
 *      100- and 1,000-route tables.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Stack } from 'aws-cdk-lib';
import { NEW_PET_SCHEMA } from '../bin/example-api-stack';
import { RouteTable } from '../lambda/jwt-authorizer/route-policy';
import { parsePlan } from '../lambda/jwt-authorizer/settings';
import { ENV, JwtAuthorizerSettings, JwtRouteSettings, SETTINGS_FILE } from '../lambda/shared/constants';
import { compilePolicyPlan } from '../lambda/shared/routes';
import { JwtAuthorizer, LambdaRouteIntegration, RouteAuthorization, SecureRestApi } from '../lib';
import { assetDirOf, bundlingApp, environmentOf, settingsTextOf } from '../test/helpers/bundles';
import { inlineFunction } from '../test/helpers/stack';
import { HarnessIssuer, OidcHarness, Outcome } from '../test/support/oidc-harness';
import { BENCH_ENV, median } from './common';
import { generatedRoutes, table61 } from '../test/support/route-tables';

const STACK_NAME = 'AuthorizerBench';
const API_AUDIENCE = 'https://pets.example.com';
const METHOD_ARN = `arn:aws:execute-api:${BENCH_ENV.region}:${BENCH_ENV.account}:abc123/v1/GET/pets`;
/** The number of simultaneous requests of the cold-start JWKS figure (d). */
export const CONCURRENT_COLD_REQUESTS = 20;
/** The route counts of the settings files figure (c) is measured with, beside the synthesized one. */
export const INIT_ROUTE_COUNTS = [100, 1000] as const;
/** What the fresh processes of figure (c) print: the `require()` time in ms. */
const INIT_MARKER = 'BENCH_REQUIRE_MS=';

/** How much to measure. */
export interface AuthorizerBenchOptions {
  /** Rounds of figure (a), after one discarded warm-up round; each round runs both sides once. */
  readonly warmRounds: number;
  /** Calls of each side per round of figure (a). */
  readonly callsPerRound: number;
  /** Fresh processes of each side for figure (c), after one discarded process of each side. */
  readonly initProcesses: number;
}

/** One side of a timing comparison, from its samples. */
export interface Timing {
  readonly samples: number;
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
}

/** a. The warm authorizer against the bare verifier, in µs. */
export interface WarmResult {
  readonly authorizer: Timing;
  readonly bare: Timing;
  /** authorizer / bare, of the medians. */
  readonly ratio: number;
  /** `token accepted` lines the parent read from the harness's stdout while the authorizer ran. */
  readonly decisionLogLines: number;
  /** Calls of the authorizer while they were counted (the warm-up round included). */
  readonly authorizerCalls: number;
}

/** c. `require()` in fresh processes, in ms, under one environment. */
export interface InitResult {
  readonly bundle: Timing;
  readonly library: Timing;
  /** bundle / aws-jwt-verify, of the medians. */
  readonly ratio: number;
}

export interface AuthorizerResult {
  readonly options: AuthorizerBenchOptions;
  /** a. As deployed (log level INFO): accepted calls are logged at debug, so no line is written. */
  readonly warm: WarmResult;
  /** a, diagnostic only: the same at `POWERTOOLS_LOG_LEVEL=DEBUG`, one decision line per call. */
  readonly warmWithDebugLog: WarmResult;
  /** f. Figure (a) with the bundle's route table replaced by a generated one of this many routes. */
  readonly warmAtScale: ReadonlyArray<{ readonly routes: number; readonly warm: WarmResult }>;
  /** b. The minified index.js, in bytes. */
  readonly bundleBytes: number;
  /** c. Under the function's synthesized environment, `NODE_OPTIONS=--enable-source-maps` included. */
  readonly init: InitResult;
  /** c, diagnostic only: the same without `NODE_OPTIONS` (source maps not loaded). */
  readonly initWithoutSourceMaps: InitResult;
  /** c. As deployed, with a settings file of each of {@link INIT_ROUTE_COUNTS} routes, and its size in bytes. */
  readonly initByRoutes: readonly { readonly routes: number; readonly settingsBytes: number; readonly init: InitResult }[];
  /** The function's environment variables, by name, as synthesized (the settings' value left out). */
  readonly functionEnvNames: readonly string[];
  /** d. Cold start then {@link CONCURRENT_COLD_REQUESTS} simultaneous requests with one token. */
  readonly coldJwks: {
    readonly fetches: number;
    readonly accepted: number;
  };
}

/** The route table of the stack {@link synthesize} builds, as the construct hands it to the compiler. */
const SYNTHESIZED_ROUTES: readonly JwtRouteSettings[] = [
  ['GET', '/health'],
  ['GET', '/pets', ['pets/read'], []],
  ['GET', '/pets/{petId}', ['pets/read'], []],
  ['POST', '/pets', ['pets/write'], []],
  ['PUT', '/pets/{petId}', ['pets/write'], []],
  ['DELETE', '/pets/{petId}', [], ['admins']],
];

/** The bundle, its settings file, the function's synthesized environment, and the folder of the cloud assembly that holds them. */
interface Bundle {
  readonly file: string;
  readonly settings: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly assemblyDir: string;
}

/**
 * A stack like the example app's: a `SecureRestApi` whose routes a TOKEN `JwtAuthorizer` guards,
 * trusting the harness's issuer, synthesized with real esbuild bundling.
 */
function synthesize(issuer: HarnessIssuer): Bundle {
  const app = bundlingApp();
  try {
    const stack = new Stack(app, STACK_NAME, { env: BENCH_ENV });
    const api = new SecureRestApi(stack, 'Api');
    const jwt = new JwtAuthorizer(stack, 'Jwt', {
      api,
      issuers: [{ issuer: issuer.url, audience: [API_AUDIENCE], jwksUri: issuer.jwksUri, scopes: ['pets/read', 'pets/write'], groups: ['admins'] }],
    });
    const integration = new LambdaRouteIntegration(inlineFunction(stack));
    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('uptime monitors'), integration });
    api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets/read'] }), integration });
    api.addRoute('GET /pets/{petId}', { authorization: jwt.authorize({ scopes: ['pets/read'] }), integration });
    api.addRoute('POST /pets', { authorization: jwt.authorize({ scopes: ['pets/write'] }), integration, requestBodySchema: NEW_PET_SCHEMA });
    api.addRoute('PUT /pets/{petId}', { authorization: jwt.authorize({ scopes: ['pets/write'] }), integration, requestBodySchema: NEW_PET_SCHEMA });
    api.addRoute('DELETE /pets/{petId}', { authorization: jwt.authorize({ groups: ['admins'] }), integration });
    app.synth();
    const environment = environmentOf(jwt.function);
    for (const [name, value] of Object.entries(environment)) {
      if (typeof value !== 'string') {
        throw new Error(`${name} did not synthesize to a plain string: ${JSON.stringify(value)}`);
      }
    }
    const settings = settingsTextOf(jwt.function);
    if (!isDeepStrictEqual(JSON.parse(settings).plan, compilePolicyPlan(SYNTHESIZED_ROUTES))) {
      throw new Error('the synthesized plan is not that of SYNTHESIZED_ROUTES: keep them in step with synthesize()');
    }
    return { file: path.join(assetDirOf(jwt.function), 'index.js'), settings, environment: environment as Record<string, string>, assemblyDir: app.outdir };
  } catch (error) {
    fs.rmSync(app.outdir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A copy of the bundle, in the assembly's folder, beside a settings file of `routes` routes: the
 * synthesized settings with routes added like theirs (a resource of its own, a scope), the way a
 * larger API's authorizer would be deployed.
 */
function withRoutes(bundle: Bundle, routes: number): Bundle {
  const settings = JSON.parse(bundle.settings);
  const table = [...SYNTHESIZED_ROUTES];
  for (let i = table.length; i < routes; i++) {
    table.push(i % 2 === 0 ? ['GET', `/resource-${i}/{id}`, ['pets/read'], []] : ['PUT', `/resource-${i - 1}/{id}`, ['pets/write'], ['admins']]);
  }
  return withSettings(bundle, { ...settings, plan: compilePolicyPlan(table) }, `routes-${routes}-`);
}

/** A copy of the bundle beside a settings file of exactly `routes`, the scopes they name declared by the issuer. */
function withRouteTable(bundle: Bundle, routes: readonly JwtRouteSettings[]): Bundle {
  const settings = JSON.parse(bundle.settings) as JwtAuthorizerSettings;
  const scopes = [...new Set([...settings.issuers[0].scopes, ...routes.flatMap((route) => (route.length === 4 ? route[2] : []))])];
  return withSettings(bundle, { ...settings, issuers: [{ ...settings.issuers[0], scopes }], plan: compilePolicyPlan(routes) }, `table-${routes.length}-`);
}

/** A copy of the bundle, in the assembly's folder, beside `settings` as its settings file. */
function withSettings(bundle: Bundle, settings: unknown, prefix: string): Bundle {
  const dir = fs.mkdtempSync(path.join(bundle.assemblyDir, prefix));
  for (const file of ['index.js', 'index.js.map']) {
    fs.copyFileSync(path.join(path.dirname(bundle.file), file), path.join(dir, file));
  }
  const text = JSON.stringify(settings);
  fs.writeFileSync(path.join(dir, SETTINGS_FILE), text);
  return { ...bundle, file: path.join(dir, 'index.js'), settings: text };
}

/**
 * What the harness sets before loading the bundle: the variables the handler reads (NODE_OPTIONS
 * only matters when a process starts), and the log level for {@link WarmResult}s without the log.
 */
function loadEnv(bundle: Bundle, logLevel: 'INFO' | 'DEBUG'): Record<string, string> {
  return { ...without(bundle.environment, ENV.nodeOptions), POWERTOOLS_LOG_LEVEL: logLevel };
}

/** `env` less the variable `name`. */
function without(env: Readonly<Record<string, string>>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => key !== name));
}

function timing(values: readonly number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { samples: values.length, median: median(values), p10: at(0.1), p90: at(0.9) };
}

/** d. A cold start, then concurrent requests with one fresh token: how many JWKS requests reach the issuer. */
async function measureColdJwks(harness: OidcHarness, bundle: Bundle): Promise<AuthorizerResult['coldJwks']> {
  await harness.call('load', { bundle: bundle.file, env: loadEnv(bundle, 'INFO') });
  const token = await harness.token('bench', { claims: { sub: 'cold-user', aud: API_AUDIENCE, scope: 'pets/read' } });
  const before = await harness.call<Record<string, number>>('fetches');
  const event = { type: 'TOKEN', methodArn: METHOD_ARN, authorizationToken: `Bearer ${token}` };
  const outcomes = await harness.invoke(...Array.from({ length: CONCURRENT_COLD_REQUESTS }, () => event));
  const after = await harness.call<Record<string, number>>('fetches');
  return { fetches: after.bench - before.bench, accepted: outcomes.filter((o: Outcome) => o.result?.principalId === 'cold-user').length };
}

/**
 * a. The warm authorizer against the bare verifier, same token and issuer, both in the harness's
 * process: a fresh load of the bundle with `logLevel`, then rounds of `callsPerRound` calls of each,
 * alternating which goes first, after one discarded round (JIT, the bare verifier's JWKS fetch).
 * The harness's stdout, where the decision log goes, is a pipe that the parent reads as it fills.
 */
async function measureWarm(harness: OidcHarness, bundle: Bundle, issuer: HarnessIssuer, options: AuthorizerBenchOptions, logLevel: 'INFO' | 'DEBUG', routes?: readonly JwtRouteSettings[]): Promise<WarmResult> {
  // With `routes`, a copy of the bundle beside the settings file the construct would write for them.
  const target = routes ? withRouteTable(bundle, routes) : bundle;
  await harness.call('load', { bundle: target.file, env: loadEnv(target, logLevel) });
  const token = await harness.token('bench', { claims: { sub: 'warm-user', aud: API_AUDIENCE, scope: 'pets/read pets/write', groups: ['admins'] } });
  const event = { type: 'TOKEN', methodArn: METHOD_ARN, authorizationToken: `Bearer ${token}` };
  // The first call fetches the key set; the timed calls find it cached.
  const [check] = await harness.invoke(event);
  if (check.result?.principalId !== 'warm-user') {
    throw new Error(`the authorizer refused the benchmark's token: ${JSON.stringify(check)}`);
  }
  await settle();
  harness.takeStdoutLines();

  const sides = {
    authorizer: () => harness.call<number[]>('timeInvoke', { event, times: options.callsPerRound }),
    bare: () => harness.call<number[]>('bareVerify', { issuer: issuer.url, audience: API_AUDIENCE, jwksUri: issuer.jwksUri, token, times: options.callsPerRound }),
  };
  const samples = { authorizer: [] as number[], bare: [] as number[] };
  let decisionLogLines = 0;
  // Counting as it goes also keeps the parent's copy of the child's stdout small.
  const countDecisions = () => {
    decisionLogLines += harness.takeStdoutLines().filter((line) => line.includes('token accepted')).length;
  };
  for (let round = 0; round <= options.warmRounds; round++) {
    const order: (keyof typeof sides)[] = round % 2 === 0 ? ['authorizer', 'bare'] : ['bare', 'authorizer'];
    for (const side of order) {
      const times = await sides[side]();
      if (round > 0) {
        samples[side].push(...times);
      }
      countDecisions();
    }
  }
  await settle();
  countDecisions();

  const authorizer = timing(samples.authorizer);
  const bare = timing(samples.bare);
  return { authorizer, bare, ratio: authorizer.median / bare.median, decisionLogLines, authorizerCalls: (options.warmRounds + 1) * options.callsPerRound };
}

/** Lets the child's last stdout lines arrive: stdout and the IPC channel are separate pipes. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200));
}

/** The time to `require(modulePath)` in a fresh Node.js process, measured inside it. */
function requireTime(modulePath: string, env: Record<string, string>): number {
  const script = `const start = performance.now(); require(${JSON.stringify(modulePath)}); const ms = performance.now() - start; process.stdout.write('\\n${INIT_MARKER}' + ms + '\\n');`;
  const output = execFileSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  const match = new RegExp(`^${INIT_MARKER}([0-9.e+-]+)$`, 'm').exec(output);
  if (!match) {
    throw new Error(`no ${INIT_MARKER} line from the process requiring ${modulePath}: ${output}`);
  }
  return Number(match[1]);
}

/** c. Fresh processes alternating between the bundle and aws-jwt-verify, each side with the same environment. */
function measureInit(bundle: Bundle, env: Record<string, string>, options: AuthorizerBenchOptions): InitResult {
  const modules = { bundle: bundle.file, library: require.resolve('aws-jwt-verify') };
  const samples = { bundle: [] as number[], library: [] as number[] };
  for (let round = 0; round <= options.initProcesses; round++) {
    const order: (keyof typeof modules)[] = round % 2 === 0 ? ['bundle', 'library'] : ['library', 'bundle'];
    for (const side of order) {
      const ms = requireTime(modules[side], env);
      if (round > 0) {
        samples[side].push(ms);
      }
    }
  }
  const bundleTiming = timing(samples.bundle);
  const library = timing(samples.library);
  return { bundle: bundleTiming, library, ratio: bundleTiming.median / library.median };
}

/** The installed aws-jwt-verify's version (its package.json is not among the package's exports). */
export function awsJwtVerifyVersion(): string {
  const packageJson = path.join(path.dirname(require.resolve('aws-jwt-verify')), '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/** Starts the harness and its issuer, bundles the authorizer, and measures figures a to d. */
export async function measureAuthorizer(options: AuthorizerBenchOptions): Promise<AuthorizerResult> {
  let harness: OidcHarness | undefined = await OidcHarness.start();
  let bundle: Bundle | undefined;
  try {
    const issuer = await harness.issuer('bench');
    bundle = synthesize(issuer);
    const bundleBytes = fs.statSync(bundle.file).size;
    const coldJwks = await measureColdJwks(harness, bundle);
    const warm = await measureWarm(harness, bundle, issuer, options, 'INFO');
    const warmWithDebugLog = await measureWarm(harness, bundle, issuer, options, 'DEBUG');
    const warmAtScale = [];
    for (const count of WARM_SCALE_ROUTES) {
      warmAtScale.push({ routes: count, warm: await measureWarm(harness, bundle, issuer, options, 'INFO', generatedRoutes(count)) });
    }
    // The fresh processes of (c) need no issuer: stop the harness so it does not share the CPUs.
    await harness.stop();
    harness = undefined;
    // As Lambda starts the function's process: its environment, with the log format Lambda sets.
    const processEnv = { ...bundle.environment, AWS_LAMBDA_LOG_FORMAT: 'JSON' };
    const init = measureInit(bundle, processEnv, options);
    const initWithoutSourceMaps = measureInit(bundle, without(processEnv, ENV.nodeOptions), options);
    const initByRoutes = INIT_ROUTE_COUNTS.map((routes) => {
      const larger = withRoutes(bundle!, routes);
      return { routes, settingsBytes: Buffer.byteLength(larger.settings), init: measureInit(larger, processEnv, options) };
    });
    const functionEnvNames = Object.keys(bundle.environment);
    return { options, warm, warmWithDebugLog, warmAtScale, bundleBytes, init, initWithoutSourceMaps, initByRoutes, functionEnvNames, coldJwks };
  } finally {
    await harness?.stop();
    if (bundle) {
      fs.rmSync(bundle.assemblyDir, { recursive: true, force: true });
    }
  }
}

/** Routes and callers of figure (e): 61 routes, 8 callers holding from nothing to every scope. */
export const POLICY_TABLE_ROUTES = 61;
export const POLICY_TABLE_CALLERS = 8;

/**
 * Figure (e): the time to build a route table of `POLICY_TABLE_ROUTES` routes (10 resources of 6
 * routes, and an admins-only catch-all) from its compiled plan and compute the policies of
 * `POLICY_TABLE_CALLERS` callers, as a cold authorizer does for its first callers; `rounds` fresh
 * tables, one discarded first. The plan is compiled once, outside the timing: that is synth's work.
 */
export function measureRoutePolicies(rounds: number): Timing {
  const routes = table61();
  const held = (scopes: string[] = [], groups: string[] = []) => ({ scopes: new Set(scopes), groups: new Set(groups) });
  const callers = [
    held(), held(['r0/read']), held(['r1/read', 'r1/write']), held([], ['admins']),
    held(['r0/write', 'r1/write', 'r2/write', 'r3/write', 'r4/write']), held(['r9/write'], ['admins']),
    held(Array.from({ length: 10 }, (_, i) => `r${i}/read`)), held(Array.from({ length: 10 }, (_, i) => [`r${i}/read`, `r${i}/write`]).flat(), ['admins']),
  ];
  const methodArn = `arn:aws:execute-api:${BENCH_ENV.region}:${BENCH_ENV.account}:abc123/v1/GET/r0`;
  const plan = compilePolicyPlan(routes);
  const samples: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const started = performance.now();
    const table = new RouteTable(plan);
    for (const caller of callers) {
      table.policyFor(methodArn, caller);
    }
    if (round > 0) {
      samples.push(performance.now() - started);
    }
  }
  return timing(samples);
}

/**
 * Figures (a) and (f) alone: the warm call with the bundle's own table, then with generated tables
 * of {@link WARM_SCALE_ROUTES} routes (for a quick run without the rest of the bench).
 */
export async function measureWarmCalls(options: AuthorizerBenchOptions): Promise<ReadonlyArray<{ readonly routes: number | 'bundle'; readonly warm: WarmResult }>> {
  const harness = await OidcHarness.start();
  let bundle: Bundle | undefined;
  try {
    const issuer = await harness.issuer('bench');
    bundle = synthesize(issuer);
    const results: Array<{ routes: number | 'bundle'; warm: WarmResult }> = [{ routes: 'bundle', warm: await measureWarm(harness, bundle, issuer, options, 'INFO') }];
    for (const count of WARM_SCALE_ROUTES) {
      results.push({ routes: count, warm: await measureWarm(harness, bundle, issuer, options, 'INFO', generatedRoutes(count)) });
    }
    return results;
  } finally {
    await harness.stop();
    if (bundle) {
      fs.rmSync(bundle.assemblyDir, { recursive: true, force: true });
    }
  }
}

/** f. The route counts of the warm call at scale. */
export const WARM_SCALE_ROUTES = [100, 1000] as const;
/** f. The route counts of the policy figures. */
export const POLICY_SCALE_ROUTES = [10, 100, 1000] as const;

/** f. One route count's figures. */
export interface PolicyScale {
  readonly routes: number;
  /** Compiling the plan with `compilePolicyPlan`: what synth does once. */
  readonly compileMs: number;
  /** The plan as JSON, in bytes: what it adds to the settings file. */
  readonly planBytes: number;
  /** Parsing and checking the plan's JSON and building the RouteTable: what a cold start does once. */
  readonly tableMs: number;
  /** One uncached policy, per caller: each caller's first call on a warm table. */
  readonly policyMs: Timing;
  /** The policy document's JSON, in bytes, per caller (see {@link SCALE_CALLERS}). */
  readonly bytes: readonly number[];
}

/** f. The callers: nothing, one reader, the shared scopes, an admin, and everything. */
export const SCALE_CALLERS: ReadonlyArray<{ readonly label: string; readonly scopes: readonly string[]; readonly groups: readonly string[] }> = [
  { label: 'no scope', scopes: [], groups: [] },
  { label: 'r1/read', scopes: ['r1/read'], groups: [] },
  { label: 'pets/read pets/write', scopes: ['pets/read', 'pets/write'], groups: [] },
  { label: 'admins', scopes: [], groups: ['admins'] },
  { label: 'every scope and group', scopes: ['pets/read', 'pets/write', ...Array.from({ length: 1000 }, (_, i) => [`r${i}/read`, `r${i}/write`]).flat()], groups: ['admins'] },
];

/** f. The policy figures of generated tables: `rounds` fresh tables per route count, one discarded. */
export function measurePolicyScaling(rounds: number): PolicyScale[] {
  const methodArn = `arn:aws:execute-api:${BENCH_ENV.region}:${BENCH_ENV.account}:abc123defg/v1/GET/r0`;
  return POLICY_SCALE_ROUTES.map((count) => {
    const routes = generatedRoutes(count);
    const compileMs: number[] = [];
    const tableMs: number[] = [];
    const policyMs: number[] = [];
    let bytes: number[] = [];
    let planText = '';
    for (let round = 0; round <= rounds; round++) {
      let started = performance.now();
      planText = JSON.stringify(compilePolicyPlan(routes));
      const compiled = performance.now() - started;
      started = performance.now();
      const table = new RouteTable(parsePlan(JSON.parse(planText)));
      const built = performance.now() - started;
      bytes = SCALE_CALLERS.map((caller) => {
        started = performance.now();
        const policy = table.policyFor(methodArn, { scopes: new Set(caller.scopes), groups: new Set(caller.groups) });
        if (round > 0) {
          policyMs.push(performance.now() - started);
        }
        return Buffer.byteLength(JSON.stringify(policy.policyDocument), 'utf8');
      });
      if (round > 0) {
        compileMs.push(compiled);
        tableMs.push(built);
      }
    }
    return { routes: count, compileMs: median(compileMs), planBytes: Buffer.byteLength(planText), tableMs: median(tableMs), policyMs: timing(policyMs), bytes };
  });
}

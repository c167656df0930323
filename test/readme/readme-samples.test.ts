/**
 * Every TypeScript sample of README.md (each ```ts block) is type-checked and synthesized, so the
 * samples cannot drift from the code.
 *
 * How a sample becomes a module (the way jsii-rosetta's fixtures work):
 *
 * - The sample's leading `import` lines stay at the top of the module; the rest becomes the body of
 *   the constructor of a `Stack` subclass, so `this` is the stack, as in a construct of the reader's.
 * - A sample with `import` lines is complete: a reader can copy it whole, so it gets no other
 *   import. A sample without them continues the README's context and gets, for the names it uses,
 *   every value 'secure-api-gateway' exports and the aws-cdk-lib aliases of `IMPLICIT_IMPORTS`
 *   (test/readme/fixtures.ts: `Duration`, `apigw`, `cognito`, ...).
 * - Free names that an earlier sample built (an `api`, an `integration`, ...) come from the fixtures
 *   in test/readme/fixtures.ts. A sample opts into them with an HTML comment on the line before its
 *   block, invisible on GitHub: `<!-- sample-fixture: api, integration -->`. Prefer a self-contained
 *   sample where the setup is a line or two.
 * - A sample that declares `export class X extends Stack` is a whole module: it is checked as written,
 *   and each stack class it exports is synthesized.
 * - A sample that declares `export async function handler` is a Lambda handler, also checked as
 *   written; instead of being synthesized, it is invoked with a request from an allowed origin to a
 *   deprecated version (the stage variables a `SecureRestApi` with `cors` and `deprecation` sets),
 *   and must answer with the CORS and deprecation headers.
 * - `path.join(__dirname, '<file>')` in a sample names the reader's own handler beside the stack
 *   file: the test writes a small stub handler there.
 *
 * The modules are written under .cache/readme-samples in the project, so they resolve aws-cdk-lib as
 * the project does and a sample's handler lies under the project root, as NodejsFunction requires
 * (not under node_modules/.cache: node_modules may be a symlink to another checkout). They are
 * type-checked in one strict run of the project's `tsc`, 'secure-api-gateway' mapped to lib/index.ts,
 * while each is loaded in jest (swc; jest.config.js maps the package name to the sources),
 * instantiated in a fresh App with cdk.json's context and bundling skipped, and synthesized. The test
 * then checks what the sample promises: each construct of the package it creates left its resources
 * in the template, each route it adds is in its API's access matrix and is a method, each grant is a
 * policy. Failures name the sample (README line and heading) and the README line that broke.
 * Set README_SAMPLES_KEEP=1 to keep the generated modules for a look.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as lib from '../../lib';
import { CORS_STAGE_VARIABLES, DEPRECATION_STAGE_VARIABLES } from '../../lambda/shared/constants';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING } from '../helpers/stack';
import { FIXTURE_NAMES, IMPLICIT_IMPORTS } from './fixtures';

const ROOT = path.join(__dirname, '..', '..');
const README = path.join(ROOT, 'README.md');
const FIXTURES_MODULE = path.join(__dirname, 'fixtures');
const ENV = { account: '123456789012', region: 'eu-west-1' };
const FIXTURE_COMMENT = /^<!--\s*sample-fixture:\s*(.*?)\s*-->$/;

/** The resources each library construct a sample creates must leave in the template ('A|B': either). */
const CONSTRUCT_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  SecureRestApi: ['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Stage'],
  SecureNodejsFunction: ['AWS::Lambda::Function'],
  LambdaRouteIntegration: ['AWS::Lambda::Permission'],
  CognitoUserDirectory: ['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolResourceServer'],
  JwtAuthorizer: ['AWS::ApiGateway::Authorizer', 'AWS::Lambda::Function'],
  UsageTiers: ['AWS::ApiGateway::UsagePlan'],
  ApiFirewall: ['AWS::WAFv2::WebACLAssociation'],
  // A global table with `BlockListReplication.primary()`.
  AbuseBlocker: ['AWS::DynamoDB::Table|AWS::DynamoDB::GlobalTable', 'AWS::Logs::SubscriptionFilter', 'AWS::Lambda::Function'],
  ApiAlarms: ['AWS::CloudWatch::Alarm'],
  ApiDashboard: ['AWS::CloudWatch::Dashboard'],
  ApiEncryptionKey: ['AWS::KMS::Key'],
  ApiDomain: ['AWS::ApiGateway::DomainName'],
  MultiRegionApiRecords: ['AWS::Route53::HealthCheck', 'AWS::Route53::RecordSet', 'AWS::CloudWatch::Alarm'],
};

interface SourceLine {
  readonly text: string;
  /** 1-based line number in README.md. */
  readonly readmeLine: number;
}

interface Sample {
  /** `README.md:<line of the opening fence> <heading>`, in test names and messages. */
  readonly name: string;
  readonly fenceLine: number;
  readonly fixtures: string[];
  readonly imports: SourceLine[];
  readonly body: SourceLine[];
  /** The sample declares its own stack class and is checked as written. */
  readonly isModule: boolean;
  /** The sample is a Lambda handler module: checked as written and invoked, not synthesized. */
  readonly isHandler: boolean;
}

interface Generated {
  readonly file: string;
  /** README line of each generated line (index 0 is line 1); undefined for the scaffolding. */
  readonly lineMap: Array<number | undefined>;
}

interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const readme = readFileSync(README, 'utf8');
const samples = extractSamples(readme);

describe('README samples', () => {
  let dir: string;
  const generated = new Map<Sample, Generated>();
  // tsc runs in its own process while the samples synthesize; the type-check tests wait for it.
  let diagnostics: Promise<Diagnostic[]>;

  beforeAll(() => {
    const parent = path.join(ROOT, '.cache', 'readme-samples');
    mkdirSync(parent, { recursive: true });
    dir = mkdtempSync(path.join(parent, 'run-'));
    samples.forEach((sample, index) => generated.set(sample, writeModule(dir, sample, index)));
    diagnostics = typeCheck(dir, [...generated.values()].map((g) => g.file));
    diagnostics.catch(() => undefined); // reported by the tests that wait for it
  });

  afterAll(async () => {
    await diagnostics?.catch(() => undefined);
    if (dir && !process.env.README_SAMPLES_KEEP) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('README.md has TypeScript samples, and every sample-fixture comment stands right before one', () => {
    expect(samples.length).toBeGreaterThanOrEqual(10);
    const lines = readme.split('\n');
    const misplaced = lines
      .map((text, index) => ({ text, readmeLine: index + 1 }))
      .filter(({ text, readmeLine }) => FIXTURE_COMMENT.test(text.trim()) && !samples.some((s) => s.fenceLine === readmeLine + 1))
      .map(({ readmeLine }) => `README.md:${readmeLine}`);
    expect(misplaced).toEqual([]);
  });

  describe.each(samples.map((sample) => [sample.name, sample] as const))('%s', (_name, sample) => {
    test('names only known fixtures, each of which it uses', () => {
      const code = sample.body.map((l) => l.text).join('\n');
      const problems = [
        ...sample.fixtures.filter((f) => !FIXTURE_NAMES.includes(f))
          .map((f) => `'${f}' is not a fixture (test/readme/fixtures.ts has ${FIXTURE_NAMES.join(', ')})`),
        ...sample.fixtures.filter((f) => FIXTURE_NAMES.includes(f) && !new RegExp(`\\b${f}\\b`).test(code))
          .map((f) => `the fixture '${f}' is not used: remove it from the sample-fixture comment`),
        ...(sample.isModule && sample.fixtures.length > 0 ? ['a sample that declares its own stack class cannot use fixtures'] : []),
      ];
      expect(problems).toEqual([]);
    });

    if (sample.isHandler) test('answers with the API\'s CORS and deprecation headers', async () => {
      const { file } = generated.get(sample)!;
      const event = {
        headers: { origin: 'https://app.example.com' },
        stageVariables: {
          [CORS_STAGE_VARIABLES.origins]: 'https://app.example.com',
          [DEPRECATION_STAGE_VARIABLES.deprecatedAt]: '1780272000',
          [DEPRECATION_STAGE_VARIABLES.sunsetAt]: '4102401600',
          [DEPRECATION_STAGE_VARIABLES.link]: 'https://example.com/docs/migrate-to-v2',
        },
      };
      const result = await require(file).handler(event);
      expect(result.headers).toMatchObject({
        'Access-Control-Allow-Origin': 'https://app.example.com',
        'Deprecation': '@1780272000',
        'Sunset': 'Thu, 31 Dec 2099 12:00:00 GMT',
        'Link': '<https://example.com/docs/migrate-to-v2>; rel="deprecation"; type="text/html"',
      });
    });

    if (!sample.isHandler) test('synthesizes, with what it promises in the template', () => {
      const { file, lineMap } = generated.get(sample)!;
      const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
      let stacks: Stack[];
      let assembly: cxapi.CloudAssembly;
      try {
        stacks = instantiate(require(file), app, sample);
        assembly = app.synth();
      } catch (error) {
        throw new Error(`${sample.name} fails to synthesize${whereInSample(error, file, lineMap)}: ${(error as Error).message}`);
      }
      const artifacts = stacks.map((stack) => assembly.getStackArtifact(stack.artifactId));

      const errors = artifacts.flatMap((artifact) => artifact.messages)
        .filter((message) => message.level === 'error')
        .map((message) => `${message.id}: ${String(message.entry.data)}`);
      if (errors.length > 0) {
        throw new Error(`${sample.name} synthesizes with errors:\n  ${errors.join('\n  ')}`);
      }

      const { checked, broken } = checkPromises(sample, stacks, artifacts.map((artifact) => Template.fromJSON(artifact.template)));
      if (checked.length === 0 && broken.length === 0) {
        throw new Error(`${sample.name} builds nothing this test can check: create a construct of the package, add a route or grant one`);
      }
      if (broken.length > 0) {
        throw new Error(`${sample.name} does not build what it promises:\n  ${broken.join('\n  ')}`);
      }
    });

    test('type-checks', async () => {
      const { file, lineMap } = generated.get(sample)!;
      const errors = (await diagnostics).filter((d) => path.basename(d.file) === path.basename(file));
      if (errors.length > 0) {
        throw new Error(`${sample.name} does not type-check:\n${errors.map((d) => describeDiagnostic(d, lineMap)).join('\n')}`);
      }
    });
  });

  test('the fixtures and the library type-check with the samples\' settings', async () => {
    const own = new Set([...generated.values()].map((g) => path.basename(g.file)));
    const others = (await diagnostics).filter((d) => !own.has(path.basename(d.file)));
    expect(others.map((d) => `${d.file}(${d.line},${d.column}): ${d.message}`)).toEqual([]);
  });
});

/** The ```ts blocks of `markdown`, each with its heading, fixtures, imports and body. */
function extractSamples(markdown: string): Sample[] {
  const lines = markdown.split('\n');
  const result: Sample[] = [];
  let heading = '(before any heading)';
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(`{3,})(\S*)/.exec(lines[i]);
    if (!fence) {
      const title = /^#{1,6}\s+(.*)$/.exec(lines[i]);
      heading = title ? title[1] : heading;
      continue;
    }
    const start = i;
    const code: SourceLine[] = [];
    for (i++; i < lines.length && !lines[i].startsWith(fence[1]); i++) {
      code.push({ text: lines[i], readmeLine: i + 1 });
    }
    if (fence[2] !== 'ts' && fence[2] !== 'typescript') {
      continue;
    }
    const comment = start > 0 ? FIXTURE_COMMENT.exec(lines[start - 1].trim()) : null;
    const importCount = leadingImportLines(code);
    const body = code.slice(importCount);
    result.push({
      name: `README.md:${start + 1} ${heading}`,
      fenceLine: start + 1,
      fixtures: comment ? comment[1].split(',').map((name) => name.trim()).filter(Boolean) : [],
      imports: code.slice(0, importCount),
      body,
      isModule: body.some((line) => /^export\s+class\s+\w+\s+extends\s+(\w+\.)?Stack\b/.test(line.text)),
      isHandler: body.some((line) => /^export\s+async\s+function\s+handler\b/.test(line.text)),
    });
  }
  return result;
}

/** How many of the first lines are import statements (with the blank and comment lines among them). */
function leadingImportLines(code: readonly SourceLine[]): number {
  let count = 0;
  let inImport = false;
  for (let i = 0; i < code.length; i++) {
    const text = code[i].text.trim();
    if (inImport || text.startsWith('import ')) {
      inImport = !/(from\s+)?['"][^'"]+['"];?$/.test(text);
      count = i + 1;
    } else if (text !== '' && !text.startsWith('//')) {
      break;
    }
  }
  return count;
}

/** Writes the module of `sample` into `dir`, with stubs for the handler files it names. */
function writeModule(dir: string, sample: Sample, index: number): Generated {
  const out: Array<{ text: string; readmeLine?: number }> = [];
  const scaffold = (text: string) => out.push({ text });
  const copy = (lines: readonly SourceLine[], indent = '') => lines.forEach((l) => out.push({ text: l.text === '' ? '' : indent + l.text, readmeLine: l.readmeLine }));

  scaffold(`// Generated by test/readme/readme-samples.test.ts from ${sample.name}.`);
  copy(sample.imports);
  if (sample.isModule || sample.isHandler) {
    copy(sample.body);
  } else {
    if (sample.imports.length === 0) {
      implicitImports(sample).forEach(scaffold);
    }
    scaffold("import * as readme$cdk from 'aws-cdk-lib';");
    scaffold("import type * as readme$constructs from 'constructs';");
    scaffold(`import { ReadmeFixtures as readme$Fixtures } from ${JSON.stringify(FIXTURES_MODULE)};`);
    scaffold('');
    scaffold('export class ReadmeSample extends readme$cdk.Stack {');
    scaffold('  constructor(scope: readme$constructs.Construct, id: string, props?: readme$cdk.StackProps) {');
    scaffold('    super(scope, id, props);');
    scaffold(sample.fixtures.length > 0 ? `    const { ${sample.fixtures.join(', ')} } = new readme$Fixtures(this);` : '');
    copy(sample.body, '    ');
    scaffold('  }');
    scaffold('}');
  }

  const file = path.join(dir, `sample-${String(index + 1).padStart(2, '0')}-line-${sample.fenceLine}.ts`);
  writeFileSync(file, `${out.map((l) => l.text).join('\n')}\n`);
  for (const [, handler] of sample.body.map((l) => l.text).join('\n').matchAll(/path\.join\(__dirname,\s*'([^']+)'\)/g)) {
    mkdirSync(path.dirname(path.join(dir, handler)), { recursive: true });
    writeFileSync(path.join(dir, handler), 'export const handler = async () => ({ statusCode: 200, body: \'{}\' });\n');
  }
  return { file, lineMap: out.map((l) => l.readmeLine) };
}

/** The imports a sample without its own gets: the values of the package and the aliases it uses. */
function implicitImports(sample: Sample): string[] {
  const used = new Set(sample.body.map((l) => l.text).join('\n').match(/[A-Za-z_$][\w$]*/g) ?? []);
  const fromPackage = Object.keys(lib).filter((name) => used.has(name)).sort();
  return [
    ...(fromPackage.length > 0 ? [`import { ${fromPackage.join(', ')} } from 'secure-api-gateway';`] : []),
    ...Object.entries(IMPLICIT_IMPORTS).filter(([name]) => used.has(name)).map(([, statement]) => statement),
  ];
}

/** Type-checks `files` in one run of the project's `tsc`, strict, with the package mapped to its sources. */
async function typeCheck(dir: string, files: string[]): Promise<Diagnostic[]> {
  const tsconfig = path.join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      lib: ['es2022'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      isolatedModules: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      paths: {
        'secure-api-gateway': [path.join(ROOT, 'lib', 'index.ts')],
        'secure-api-gateway/response-headers': [path.join(ROOT, 'lambda', 'shared', 'response-headers', 'index.ts')],
      },
    },
    files,
  }, undefined, 2));
  const { status, output } = await new Promise<{ status: number | null; output: string }>((resolve, reject) => {
    const tsc = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '--pretty', 'false', '-p', tsconfig], { cwd: ROOT });
    let text = '';
    tsc.stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    tsc.stderr.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    tsc.on('error', reject);
    tsc.on('close', (code) => resolve({ status: code, output: text }));
  });
  const diagnostics: Diagnostic[] = [];
  for (const line of output.split('\n')) {
    const header = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line);
    if (header) {
      diagnostics.push({ file: header[1], line: Number(header[2]), column: Number(header[3]), message: header[4] });
    } else if (line.trim() !== '' && diagnostics.length > 0) {
      const last = diagnostics.pop()!;
      diagnostics.push({ ...last, message: `${last.message}\n    ${line.trim()}` });
    } else if (line.trim() !== '') {
      diagnostics.push({ file: '(tsc)', line: 0, column: 0, message: line });
    }
  }
  if (status !== 0 && diagnostics.length === 0) {
    diagnostics.push({ file: '(tsc)', line: 0, column: 0, message: `tsc exited with ${status}` });
  }
  return diagnostics;
}

/** `README.md:<line>:<column> error TS...`, with the README's line, or the scaffolding's. */
function describeDiagnostic(d: Diagnostic, lineMap: ReadonlyArray<number | undefined>): string {
  const readmeLine = lineMap[d.line - 1];
  if (readmeLine === undefined) {
    return `  in the code the test wraps around the sample (${path.basename(d.file)}:${d.line}): ${d.message}`;
  }
  const source = readme.split('\n')[readmeLine - 1];
  return `  README.md:${readmeLine}: ${d.message}\n      ${source.trim()}`;
}

/** ` at README.md:<line>` for the sample's deepest frame in `error`'s stack, if it has one. */
function whereInSample(error: unknown, file: string, lineMap: ReadonlyArray<number | undefined>): string {
  const frame = new RegExp(`${path.basename(file).replace(/\./g, '\\.')}:(\\d+):\\d+`).exec((error as Error)?.stack ?? '');
  const readmeLine = frame ? lineMap[Number(frame[1]) - 1] : undefined;
  return readmeLine === undefined ? '' : ` at README.md:${readmeLine} (${readme.split('\n')[readmeLine - 1].trim()})`;
}

/** The stacks of a generated module, in `app`: the wrapper's, or each stack class a module sample exports. */
function instantiate(module: Record<string, unknown>, app: App, sample: Sample): Stack[] {
  const classes = Object.entries(module)
    .filter((entry): entry is [string, new (scope: App, id: string, props: object) => Stack] =>
      typeof entry[1] === 'function' && (entry[1] as { prototype: unknown }).prototype instanceof Stack);
  if (classes.length === 0) {
    throw new Error(`${sample.name} exports no Stack class`);
  }
  return classes.map(([name, StackClass]) => new StackClass(app, name, { env: ENV }));
}

/** What the sample's code says it builds, checked against the synthesized stacks. */
function checkPromises(sample: Sample, stacks: Stack[], templates: Template[]): { checked: string[]; broken: string[] } {
  const code = sample.body.map((l) => l.text.replace(/^\s*\/\/.*$/, '').replace(/\s+\/\/.*$/, '')).join('\n');
  const checked: string[] = [];
  const broken: string[] = [];
  const check = (promise: string, kept: boolean) => (kept ? checked : broken).push(promise);
  const resourceTypes = new Set(templates.flatMap((t) => Object.values(t.toJSON().Resources ?? {}).map((r) => (r as { Type: string }).Type)));

  for (const [, construct] of code.matchAll(/\bnew\s+(\w+)\s*\(/g)) {
    for (const type of CONSTRUCT_RESOURCES[construct] ?? []) {
      check(`new ${construct}(...) leaves an ${type.split('|').join(' or ')}`, type.split('|').some((alternative) => resourceTypes.has(alternative)));
    }
  }

  const apis = stacks.flatMap((stack) => stack.node.findAll().filter((c): c is lib.SecureRestApi => c instanceof lib.SecureRestApi));
  const routeKeys = new Set(apis.flatMap((api) => api.accessMatrix.map((entry) => entry.routeKey)));
  for (const [, routeKey] of code.matchAll(/\.addRoute\(\s*'([^']+)'/g)) {
    const httpMethod = routeKey.split(' ')[0];
    check(`route ${routeKey} is in its API's access matrix and is a method`, routeKeys.has(routeKey)
      && templates.some((t) => Object.keys(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: httpMethod } })).length > 0));
  }

  if (/\.grantInvoke\(/.test(code)) {
    check('grantInvoke(...) leaves a policy allowing execute-api:Invoke', templates.some((t) => Object.keys(t.findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'execute-api:Invoke', Effect: 'Allow' })]) } },
    })).length > 0));
  }

  for (const [, logGroupName] of code.matchAll(/logGroupName:\s*'([^']+)'/g)) {
    check(`a log group named ${logGroupName}`, templates.some((t) => Object.keys(t.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: logGroupName },
    })).length > 0));
  }
  return { checked, broken };
}

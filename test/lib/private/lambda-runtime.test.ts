/**
 * The one Node.js runtime of the library's functions: a stable, named runtime of the installed
 * aws-cdk-lib, which fails the suite on the aws-cdk-lib update that deprecates it.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HOUSE_NODE_RUNTIME, esbuildTarget } from '../../../lib/private/lambda-runtime';

/**
 * The docs jsii records for each static member of `lambda.Runtime`, from the installed aws-cdk-lib's
 * assembly: its `@deprecated` tags as data (the stability every jsii language shows), where the
 * runtime objects themselves carry no deprecation marker.
 */
function readRuntimeMemberDocs(): Map<string, { readonly stability?: string; readonly deprecated?: string }> {
  const root = require.resolve('aws-cdk-lib/package.json').replace(/package\.json$/, '');
  // `.jsii` is a redirect to the gzipped assembly in recent releases; follow it if so.
  let assembly = JSON.parse(readFileSync(`${root}.jsii`, 'utf8'));
  if (assembly.schema === 'jsii/file-redirect') {
    assembly = JSON.parse(gunzipSync(readFileSync(`${root}${assembly.filename}`)).toString('utf8'));
  }
  const type = assembly.types['aws-cdk-lib.aws_lambda.Runtime'];
  return new Map((type.properties as Array<{ name: string; static?: boolean; docs?: { stability?: string; deprecated?: string } }>)
    .filter((property) => property.static)
    .map((property) => [property.name, property.docs ?? {}]));
}

const RUNTIME_MEMBER_DOCS = readRuntimeMemberDocs();

/** The names of the static members of `lambda.Runtime` that hold `runtime` itself, not a copy of its name. */
function memberNamesOf(runtime: lambda.Runtime): string[] {
  return Object.keys(lambda.Runtime).filter((key) => (lambda.Runtime as unknown as Record<string, unknown>)[key] === runtime);
}

/** Whether aws-cdk-lib marks the member deprecated (`@deprecated` in its docs, which jsii records as the stability). */
function isDeprecated(member: string): boolean {
  const docs = RUNTIME_MEMBER_DOCS.get(member);
  if (docs === undefined) {
    throw new Error(`lambda.Runtime.${member} is not in the jsii assembly of aws-cdk-lib`);
  }
  return docs.stability === 'deprecated' || docs.deprecated !== undefined;
}

/** The Node.js major of a runtime named `nodejs<major>.x`. */
function nodeMajor(runtime: lambda.Runtime): number {
  return Number(/^nodejs(\d+)\.x$/.exec(runtime.name)![1]);
}

describe('HOUSE_NODE_RUNTIME', () => {
  test('is a fixed Node.js runtime, named in aws-cdk-lib, not NODEJS_LATEST (which moves with aws-cdk-lib and redeploys every function)', () => {
    expect(HOUSE_NODE_RUNTIME.family).toBe(lambda.RuntimeFamily.NODEJS);
    expect(HOUSE_NODE_RUNTIME.isVariable).toBe(false);
    expect(memberNamesOf(HOUSE_NODE_RUNTIME)).toEqual([`NODEJS_${nodeMajor(HOUSE_NODE_RUNTIME)}_X`]);
  });

  test('is not deprecated by the installed aws-cdk-lib (if this fails: bump it in lib/private/lambda-runtime.ts)', () => {
    const [member] = memberNamesOf(HOUSE_NODE_RUNTIME);
    expect({ member, deprecated: isDeprecated(member) }).toEqual({ member, deprecated: false });
  });

  test('the deprecation check sees the runtimes aws-cdk-lib has deprecated', () => {
    // Without this, a change in how aws-cdk-lib records deprecation would make the check above pass vacuously.
    expect(isDeprecated('NODEJS_18_X')).toBe(true);
    expect(isDeprecated('NODEJS_16_X')).toBe(true);
  });

  test('is the newest Node.js runtime aws-cdk-lib offers (if this fails: bump it in lib/private/lambda-runtime.ts)', () => {
    const offered = lambda.Runtime.ALL
      .filter((runtime) => runtime.family === lambda.RuntimeFamily.NODEJS && !runtime.isVariable && /^nodejs\d+\.x$/.test(runtime.name))
      .filter((runtime) => memberNamesOf(runtime).some((member) => !isDeprecated(member)))
      .map(nodeMajor);
    expect(Math.max(...offered)).toBe(nodeMajor(HOUSE_NODE_RUNTIME));
  });
});

describe('esbuildTarget', () => {
  test('is node<major> of a Node.js runtime, as aws-cdk-lib\'s NodejsFunction derives it', () => {
    expect(esbuildTarget(HOUSE_NODE_RUNTIME)).toBe(`node${nodeMajor(HOUSE_NODE_RUNTIME)}`);
    expect(esbuildTarget(lambda.Runtime.NODEJS_22_X)).toBe('node22');
  });

  test('refuses a runtime that is not Node.js', () => {
    expect(() => esbuildTarget(lambda.Runtime.PYTHON_3_13)).toThrow('the runtime must be a Node.js runtime named nodejs<major>.x, got python3.13');
  });
});

import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The Node.js runtime of every function the library creates: the newest one aws-cdk-lib offers.
 *
 * The one place to bump it. The pre-bundled handlers' esbuild target and `SecureNodejsFunction`'s
 * default follow it, and test/lib/private/lambda-runtime.test.ts fails once aws-cdk-lib marks it
 * deprecated.
 */
export const HOUSE_NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The esbuild target of code that runs on a Node.js `runtime` (`nodejs24.x` gives `node24`), derived
 * as aws-cdk-lib's `NodejsFunction` derives its default target.
 */
export function esbuildTarget(runtime: lambda.Runtime): string {
  const major = /^nodejs(\d+)\.x$/.exec(runtime.name)?.[1];
  if (major === undefined) {
    throw new Error(`the runtime must be a Node.js runtime named nodejs<major>.x, got ${runtime.name}`);
  }
  return `node${major}`;
}

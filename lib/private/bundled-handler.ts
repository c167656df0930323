import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BundledHandlerName } from '../../lambda/shared/constants';
import { HouseFunctionOptions, grantHouseFunctionAccess, houseFunctionDefaults } from './house-function';
import { ValidationError } from './validation-error';

/**
 * Where the pre-bundled handlers are, whether this module runs from the sources
 * (`lib/private/` → `dist/handlers/`) or from the built package (`dist/lib/private/` → `dist/handlers/`).
 */
const HANDLER_DIRS = [
  path.join(__dirname, '..', '..', 'handlers'),
  path.join(__dirname, '..', '..', 'dist', 'handlers'),
];

/** The folder of a pre-bundled handler: `index.js` and its source map, written when the library was built. */
export function bundledHandlerDir(scope: Construct, name: BundledHandlerName): string {
  const dir = HANDLER_DIRS.map((parent) => path.join(parent, name)).find((candidate) => existsSync(path.join(candidate, 'index.js')));
  if (dir === undefined) {
    throw new ValidationError(`The pre-bundled handler '${name}' is missing (looked in ${HANDLER_DIRS.map((parent) => path.join(parent, name)).join(', ')}): the package is incomplete; reinstall secure-api-gateway, or in a clone of the library run \`npm run build\``, scope);
  }
  return dir;
}

/** Properties of a {@link BundledHandlerFunction}. */
export interface BundledHandlerFunctionProps extends HouseFunctionOptions {
  /** The handler to deploy. */
  readonly handler: BundledHandlerName;
  /** The function's description. */
  readonly description: string;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default - none beyond the house's */
  readonly environment?: Record<string, string>;
  /** @default 2 (Lambda's default for asynchronous invocations) */
  readonly retryAttempts?: number;
  /** @default - no reservation */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A function of the library's own: a handler bundled when the library was built (no esbuild or
 * Docker at the user's synth), deployed with `lambda.Code.fromAsset` and the house defaults. Its
 * asset hash is the hash of the bundle, so it changes only when the handler does.
 */
export class BundledHandlerFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: BundledHandlerFunctionProps) {
    const { defaults, enforced, environment, access } = houseFunctionDefaults(scope, id, props);
    super(scope, id, {
      ...defaults,
      code: lambda.Code.fromAsset(bundledHandlerDir(scope, props.handler)),
      handler: 'index.handler',
      description: props.description,
      timeout: props.timeout ?? defaults.timeout,
      retryAttempts: props.retryAttempts,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...enforced,
      environment: { ...environment, ...props.environment },
    });
    grantHouseFunctionAccess(this, access);
  }
}

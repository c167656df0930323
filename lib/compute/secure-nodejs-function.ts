import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiEncryptionKey } from '../encryption/api-encryption-key';
import { grantHouseFunctionAccess, houseFunctionDefaults } from '../private/house-function';
import { HOUSE_NODE_RUNTIME } from '../private/lambda-runtime';
import { ValidationError } from '../private/validation-error';
import { describe } from '../private/validators';

/**
 * Properties of a {@link SecureNodejsFunction}: those of a `NodejsFunction`, except `logGroup`,
 * `logRetention` and `environmentEncryption`, which the construct sets itself and refuses.
 */
export interface SecureNodejsFunctionProps extends nodejs.NodejsFunctionProps {
  /** The key that encrypts the function's log group and environment variables. */
  readonly encryption: ApiEncryptionKey;

  /**
   * How long to keep the function's logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logGroupRetention?: logs.RetentionDays;

  /**
   * What happens to the function's log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logGroupRemovalPolicy?: RemovalPolicy;
}

/**
 * The props of `NodejsFunctionProps` that `SecureNodejsFunction` sets itself, each with why it is
 * refused and what to do instead.
 */
const REFUSED_PROPS = {
  logGroup: 'SecureNodejsFunction creates the function\'s log group itself, encrypted with the key of `encryption` and with a finite retention; set `logGroupRetention` or `logGroupRemovalPolicy` to shape it',
  logRetention: 'it would have a custom resource create the log group, unencrypted, beside the one SecureNodejsFunction creates; set `logGroupRetention` instead',
  environmentEncryption: 'SecureNodejsFunction encrypts the environment with the key of `encryption`; to use another key, pass new ApiEncryptionKey(this, \'Key\', { key }) as `encryption`',
} as const satisfies Partial<Record<keyof nodejs.NodejsFunctionProps, string>>;

/**
 * A `NodejsFunction` with the house defaults: the newest Node.js runtime, arm64, a minified
 * bundle with source maps, JSON logs in an explicit log group encrypted with the API's key and with
 * finite retention, environment variables encrypted with the same key, and X-Ray tracing.
 *
 * Every default can be overridden through the usual `NodejsFunctionProps`, except the log group
 * and the environment encryption, which are what make the function safe to run: `logGroup`,
 * `logRetention` and `environmentEncryption` are refused.
 *
 * The function gets an execution role of its own without the managed policy
 * `AWSLambdaBasicExecutionRole`: it may create streams in and write to its own log group only, and
 * decrypt with the API's key only its own environment variables (the condition names the function,
 * which therefore gets a physical name unless `functionName` is given). A `role` of the user's is
 * used as it is: the same two statements are added to it, and nothing it already allows is removed.
 */
export class SecureNodejsFunction extends nodejs.NodejsFunction {
  /** The Node.js runtime of every function the library creates, unless `runtime` says otherwise: the newest one aws-cdk-lib offers. */
  public static readonly DEFAULT_RUNTIME: lambda.Runtime = HOUSE_NODE_RUNTIME;

  constructor(scope: Construct, id: string, props: SecureNodejsFunctionProps) {
    validateRefusedProps(scope, props);
    const { encryption, logGroupRetention, logGroupRemovalPolicy, bundling, environment, ...rest } = props;
    const house = houseFunctionDefaults(scope, id, {
      encryption,
      logGroupRetention,
      logGroupRemovalPolicy,
      role: props.role,
      vpc: props.vpc !== undefined,
      durable: props.durableConfig !== undefined,
    });
    super(scope, id, {
      ...house.defaults,
      ...rest,
      ...house.enforced,
      environment: { ...house.environment, ...environment },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // No `target`: aws-cdk-lib derives it from the runtime (`node24` for `nodejs24.x`), so a
        // bundle never targets a newer Node.js than the runtime that runs it, `runtime` given or not.
        ...bundling,
      },
    });
    grantHouseFunctionAccess(this, house.access, props.functionName);
  }
}

/** Throws if `props` sets one of {@link REFUSED_PROPS}, which a caller in JavaScript or another language can pass whatever the types say. */
function validateRefusedProps(scope: Construct, props: SecureNodejsFunctionProps): void {
  for (const [prop, why] of Object.entries(REFUSED_PROPS)) {
    const value = props[prop as keyof typeof REFUSED_PROPS];
    if (value !== undefined) {
      throw new ValidationError(`\`${prop}\` must be left out, got ${describe(value)}: ${why}`, scope);
    }
  }
}

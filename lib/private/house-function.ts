import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/constants';
import type { ApiEncryptionKey } from '../encryption/api-encryption-key';
import { validateRetention } from './validators';

/** The Node.js runtime of every function the library creates: the newest one aws-cdk-lib offers. */
export const HOUSE_NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** What every function of the library is given besides its code. */
export interface HouseFunctionOptions {
  /** The key that encrypts the function's log group and environment variables. */
  readonly encryption: ApiEncryptionKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logGroupRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logGroupRemovalPolicy?: RemovalPolicy;
}

/**
 * The house defaults of a function (the newest Node.js runtime, arm64, X-Ray, JSON logs in an
 * explicit log group encrypted with the API's key and with finite retention, environment variables
 * encrypted with the same key, source maps on), creating its log group in `scope`.
 *
 * The log group and the environment's key are returned separately (`enforced`): the caller applies
 * them after the user's own props, so they cannot be overridden. `environment` (`NODE_OPTIONS`) is
 * a default the caller merges under the user's variables.
 */
export function houseFunctionDefaults(scope: Construct, id: string, options: HouseFunctionOptions) {
  validateRetention(scope, 'logGroupRetention', options.logGroupRetention);
  const logGroup = options.encryption.createLogGroup(scope, `${id}LogGroup`, {
    logGroupName: `/aws/lambda/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}-${id}`,
    retention: options.logGroupRetention,
    removalPolicy: options.logGroupRemovalPolicy,
  });
  return {
    defaults: {
      runtime: HOUSE_NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    },
    enforced: {
      logGroup,
      environmentEncryption: options.encryption.key,
    },
    environment: { [ENV.nodeOptions]: '--enable-source-maps' },
  };
}

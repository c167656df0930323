import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/constants';
import { ApiEncryptionKey } from '../encryption/api-encryption-key';
import { validateRetention } from '../private/validators';

/** The Node.js runtime of every function the library creates: the newest one aws-cdk-lib offers. */
export const HOUSE_NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Properties of a {@link SecureNodejsFunction}. */
export interface SecureNodejsFunctionProps extends Omit<nodejs.NodejsFunctionProps, 'logGroup' | 'logRetention' | 'environmentEncryption'> {
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
 * A `NodejsFunction` with the house defaults: the newest Node.js runtime, arm64, a minified
 * bundle with source maps, JSON logs in an explicit log group encrypted with the API's key and with
 * finite retention, environment variables encrypted with the same key, and X-Ray tracing.
 *
 * Every default can be overridden through the usual `NodejsFunctionProps`, except the log group
 * and the environment encryption, which are what make the function safe to run.
 */
export class SecureNodejsFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: SecureNodejsFunctionProps) {
    const { encryption, logGroupRetention, logGroupRemovalPolicy, bundling, environment, ...rest } = props;
    validateRetention(scope, 'logGroupRetention', logGroupRetention);
    const logGroup = encryption.createLogGroup(scope, `${id}LogGroup`, {
      logGroupName: `/aws/lambda/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}-${id}`,
      retention: logGroupRetention,
      removalPolicy: logGroupRemovalPolicy,
    });
    super(scope, id, {
      runtime: HOUSE_NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      ...rest,
      logGroup,
      environmentEncryption: encryption.key,
      environment: { [ENV.nodeOptions]: '--enable-source-maps', ...environment },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        ...bundling,
      },
    });
    encryption.key.grantDecrypt(this);
  }
}

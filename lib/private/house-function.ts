import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/constants';
import type { ApiEncryptionKey } from '../encryption/api-encryption-key';
import { HOUSE_NODE_RUNTIME } from './lambda-runtime';
import { acknowledgeTracingWildcard } from './nag';
import { validateRetention } from './validators';

/** What a function may do with its own log group: add streams and write to them, nothing else. */
const LOG_WRITE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** What a function's execution role needs to decrypt the function's environment variables. */
const ENVIRONMENT_DECRYPT_ACTION = 'kms:Decrypt';

/**
 * The encryption context Lambda sends to KMS when it decrypts a function's environment variables
 * (server-side, at rest): the function's unqualified ARN.
 */
const ENVIRONMENT_ENCRYPTION_CONTEXT = 'kms:EncryptionContext:aws:lambda:FunctionArn';

/**
 * What Lambda needs to attach a function to a VPC: the EC2 actions of the managed policy
 * `AWSLambdaVPCAccessExecutionRole`, without its log permissions on `*`.
 */
const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** The managed policy aws-cdk-lib gives the role of a durable function; Lambda needs its checkpoint actions. */
const DURABLE_EXECUTION_POLICY = 'service-role/AWSLambdaBasicDurableExecutionRolePolicy';

/** Function names are at most 64 characters of letters, digits, `-` and `_`. */
const FUNCTION_NAME_OPTIONS = { maxLength: 64, separator: '-', allowedSpecialCharacters: '-_' };

/** What every function of the library is given besides its code. */
export interface HouseFunctionOptions {
  /** The key that encrypts the function's log group and environment variables. */
  readonly encryption: ApiEncryptionKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logGroupRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logGroupRemovalPolicy?: RemovalPolicy;
}

/** What the execution role of a house function must allow besides the house's own statements. */
interface HouseRoleOptions {
  /** The user's own role: used as it is, with the house's statements added. @default - a role of the function's own */
  readonly role?: iam.IRole;
  /** Whether the function runs in a VPC. @default false */
  readonly vpc?: boolean;
  /**
   * Whether the function is a durable function: its role then gets the managed policy aws-cdk-lib
   * gives one, for the checkpoint actions Lambda needs.
   *
   * @default false
   */
  readonly durable?: boolean;
}

/**
 * The house defaults of a function (the newest Node.js runtime, arm64, X-Ray, JSON logs in an
 * explicit log group encrypted with the API's key and with finite retention, environment variables
 * encrypted with the same key, source maps on), creating its log group in `scope`.
 *
 * The log group, the environment's key and the execution role (the user's, or one of the function's
 * own created in `scope`) are returned separately (`enforced`): the caller applies them after the
 * user's own props, so they cannot be overridden, and passes `access` to
 * {@link grantHouseFunctionAccess} once the function exists. `environment` (`NODE_OPTIONS`) is a
 * default the caller merges under the user's variables.
 */
export function houseFunctionDefaults(scope: Construct, id: string, options: HouseFunctionOptions & HouseRoleOptions) {
  validateRetention(scope, 'logGroupRetention', options.logGroupRetention);
  const logGroupName = `/aws/lambda/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}-${id}`;
  const logGroup = options.encryption.createLogGroup(scope, `${id}LogGroup`, {
    logGroupName,
    retention: options.logGroupRetention,
    removalPolicy: options.logGroupRemovalPolicy,
  });
  const ownRole = options.role === undefined ? houseRole(scope, `${id}ServiceRole`, options) : undefined;
  const role = options.role ?? ownRole;
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
      role,
    },
    environment: { [ENV.nodeOptions]: '--enable-source-maps' },
    access: { encryption: options.encryption, logGroup, logGroupName, houseRole: ownRole, vpc: options.vpc ?? false },
  };
}

/** What {@link grantHouseFunctionAccess} needs to know of a house function. */
export interface HouseFunctionAccess {
  /** The key of the function's environment variables. */
  readonly encryption: ApiEncryptionKey;
  /** The function's own log group. */
  readonly logGroup: logs.LogGroup;
  /** Its name, as a literal (the group's `logGroupName` is a reference). */
  readonly logGroupName: string;
  /** The execution role the house created for the function; undefined when the user gave one. */
  readonly houseRole?: iam.Role;
  /** Whether the function runs in a VPC. */
  readonly vpc: boolean;
}

/**
 * An execution role without the managed policy `AWSLambdaBasicExecutionRole` (which allows
 * `logs:CreateLogGroup`, `logs:CreateLogStream` and `logs:PutLogEvents` on every log group of the
 * account): {@link grantHouseFunctionAccess} allows the function's own log group only.
 */
function houseRole(scope: Construct, id: string, options: HouseRoleOptions): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: options.durable ? [iam.ManagedPolicy.fromAwsManagedPolicyName(DURABLE_EXECUTION_POLICY)] : undefined,
  });
  if (options.vpc) {
    // EC2 does not support resource-level permissions for these actions.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: VPC_ACCESS_ACTIONS, resources: ['*'] }));
  }
  return role;
}

/**
 * Gives a house function its physical name, unless it has one, and lets its execution role write
 * to its own log group and decrypt its own environment variables, and nothing else with either:
 *
 * - `logs:CreateLogStream` and `logs:PutLogEvents` on the log group's `Arn` attribute, which is
 *   `<log group ARN>:*`, the form CloudWatch Logs authorizes both actions against (it covers the
 *   group's `log-stream:*`); referenced rather than spelled out, so the policy holds no wildcard of
 *   its own for a reviewer or cdk-nag to question;
 * - `kms:Decrypt` on the environment's key only with the encryption context Lambda uses for the
 *   function's environment variables (`aws:lambda:FunctionArn`, the function's unqualified ARN),
 *   so the role cannot decrypt anything else under the same key.
 *
 * The function's ARN in the condition is built from its name, not referenced: the function
 * depends on its role's policy, so a reference to the function there would be a cycle.
 */
export function grantHouseFunctionAccess(fn: lambda.Function, access: HouseFunctionAccess, functionName?: string): void {
  const name = functionName ?? Names.uniqueResourceName(fn, FUNCTION_NAME_OPTIONS);
  if (functionName === undefined) {
    (fn.node.defaultChild as lambda.CfnFunction).functionName = name;
  }
  const functionArn = Stack.of(fn).formatArn({ service: 'lambda', resource: 'function', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: LOG_WRITE_ACTIONS, resources: [logWriteResource(fn, access)] }));
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: [ENVIRONMENT_DECRYPT_ACTION],
    resources: [access.encryption.key.keyArn],
    conditions: { StringEquals: { [ENVIRONMENT_ENCRYPTION_CONTEXT]: functionArn } },
  }));
  acknowledgeTracingWildcard(fn.role, access.vpc ? VPC_ACCESS_ACTIONS : []);
}

/**
 * What the function's role may write logs to: the log group's `Arn` attribute (`<ARN>:*`) when the
 * role's policy is in the log group's stack; spelled out from the group's name otherwise (a role of
 * the user's in another stack, or a parent stack of a nested one), since a reference from there to
 * the log group would make the stacks depend on each other both ways.
 */
function logWriteResource(fn: lambda.Function, { logGroup, logGroupName }: HouseFunctionAccess): string {
  if (fn.role === undefined || Stack.of(fn.role) === Stack.of(logGroup)) {
    return logGroup.logGroupArn;
  }
  return Stack.of(logGroup).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: `${logGroupName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

import { Annotations, ArnFormat, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { validateRetention } from '../private/validators';

/** The CloudWatch Logs encryption-context key that names the log group a data key is for. */
const LOGS_ENCRYPTION_CONTEXT = 'kms:EncryptionContext:aws:logs:arn';

/** What CloudWatch Logs needs on a key to encrypt a log group with it. */
const LOGS_KEY_ACTIONS = ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'];

/** What CloudWatch alarms need on a key to publish to an SNS topic encrypted with it. */
const ALARMS_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'];


/** Properties of an {@link ApiEncryptionKey}. */
export interface ApiEncryptionKeyProps {
  /**
   * A key to use instead of creating one. A key defined in the same stack gets the service grants
   * added to its policy; the policy of an imported key or of another stack's key is not changed
   * here, so a warning lists what to grant.
   *
   * @default - a customer-managed key with rotation on is created
   */
  readonly key?: kms.IKey;

  /**
   * What happens to a created key when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Description of a created key.
   *
   * @default 'Encrypts the logs and data of a SecureRestApi'
   */
  readonly description?: string;
}

/** Options for {@link ApiEncryptionKey.createLogGroup}. */
export interface EncryptedLogGroupOptions {
  /** The log group's name. It is fixed so the key policy can name exactly this log group. */
  readonly logGroupName: string;

  /**
   * How long to keep log events.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;

  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The API's customer-managed KMS key, with the service grants the library's resources need.
 *
 * CloudWatch Logs may use the key only for the log groups created through
 * {@link createLogGroup}: the key policy names each log group in an encryption-context
 * condition, so no other log group in the account can use it.
 */
export class ApiEncryptionKey extends Construct {
  /** The key: created here or the one supplied. */
  public readonly key: kms.IKey;

  private readonly logGroupArns: string[] = [];
  private logsStatementAdded = false;
  private alarmsStatementAdded = false;

  constructor(scope: Construct, id: string, props: ApiEncryptionKeyProps = {}) {
    super(scope, id);
    this.key = props.key ?? new kms.Key(this, 'Resource', {
      description: props.description ?? 'Encrypts the logs and data of a SecureRestApi',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
  }

  /**
   * Creates a log group encrypted with this key, and lets CloudWatch Logs use the key for that
   * log group only.
   */
  public createLogGroup(scope: Construct, id: string, options: EncryptedLogGroupOptions): logs.LogGroup {
    const retention = options.retention ?? logs.RetentionDays.ONE_YEAR;
    validateRetention(scope, 'retention', retention);
    const logGroup = new logs.LogGroup(scope, id, {
      logGroupName: options.logGroupName,
      encryptionKey: this.key,
      retention,
      removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // The key policy is part of the key resource, which the log group references: CloudWatch Logs
    // is allowed before the log group is created.
    this.allowLogGroup(options.logGroupName);
    return logGroup;
  }

  /**
   * Lets this account's CloudWatch alarms use the key, so they can publish to an SNS topic encrypted
   * with it.
   */
  public allowCloudWatchAlarms(): void {
    if (this.alarmsStatementAdded) {
      return;
    }
    this.alarmsStatementAdded = true;
    const account = Stack.of(this).account;
    this.addServiceStatement(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ALARMS_KEY_ACTIONS,
      resources: ['*'],
      // AWS documents this grant without conditions; whether CloudWatch sends aws:SourceAccount to
      // KMS is not documented, so the condition applies only when it does.
      conditions: { StringEqualsIfExists: { 'aws:SourceAccount': account } },
    }), `Allow the service principal cloudwatch.amazonaws.com the actions ${ALARMS_KEY_ACTIONS.join(', ')}, or alarms cannot notify the encrypted topic.`);
  }

  private allowLogGroup(logGroupName: string): void {
    const stack = Stack.of(this);
    this.logGroupArns.push(stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    if (this.logsStatementAdded) {
      return;
    }
    this.logsStatementAdded = true;
    this.addServiceStatement(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForTheseLogGroupsOnly',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: LOGS_KEY_ACTIONS,
      resources: ['*'],
      conditions: {
        ArnEquals: { [LOGS_ENCRYPTION_CONTEXT]: Lazy.list({ produce: () => this.logGroupArns }) },
      },
    }), `Allow the service principal logs.${stack.region}.amazonaws.com the actions ${LOGS_KEY_ACTIONS.join(', ')} with the condition ArnEquals ${LOGS_ENCRYPTION_CONTEXT} on the log groups this API creates, or CloudWatch Logs cannot write them.`);
  }

  /** Adds a statement to the key policy, or warns with `grant` where the policy is not this stack's to change. */
  private addServiceStatement(statement: iam.PolicyStatement, grant: string): void {
    // A key of another stack cannot name this stack's resources without a cyclic reference.
    const sameStack = Stack.of(this.key) === Stack.of(this);
    const result = sameStack ? this.key.addToResourcePolicy(statement) : { statementAdded: false };
    if (!result.statementAdded) {
      Annotations.of(this).addWarningV2('secure-api:imported-key-policy',
        `The supplied key's policy cannot be changed here (it is imported or belongs to another stack). ${grant}`);
    }
  }
}

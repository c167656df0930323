import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiEncryptionKey, SecureNodejsFunction, SecureNodejsFunctionProps } from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { houseStatements, roleOf } from '../../helpers/iam';
import { logicalId, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const ENTRY = path.join(__dirname, '..', '..', '..', 'lambda', 'example-backend', 'index.ts');

describe('SecureNodejsFunction', () => {
  test('has the house defaults', () => {
    const stack = newStack();
    const encryption = new ApiEncryptionKey(stack, 'Key');
    const fn = new SecureNodejsFunction(stack, 'Fn', { entry: ENTRY, encryption });
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(encryption.key.node.defaultChild as never), 'Arn'] };
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 10,
      TracingConfig: { Mode: 'Active' },
      KmsKeyArn: keyArn,
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: { Ref: Match.stringLikeRegexp('^FnLogGroup') } },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/TestStack-Fn', KmsKeyId: keyArn, RetentionInDays: 365 });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Resource: keyArn })]) },
    });
    expect(fn.runtime.name).toBe('nodejs24.x');
  });

  describe('least privilege', () => {
    const keyArnOf = (stack: ReturnType<typeof newStack>, encryption: ApiEncryptionKey) => ({ 'Fn::GetAtt': [stack.getLogicalId(encryption.key.node.defaultChild as never), 'Arn'] });

    test('a role of its own without AWSLambdaBasicExecutionRole: its own log group, and its own environment by Lambda\'s encryption context', () => {
      const stack = newStack();
      const encryption = new ApiEncryptionKey(stack, 'Key');
      const fn = new SecureNodejsFunction(stack, 'Fn', { entry: ENTRY, encryption });
      const template = Template.fromStack(stack);
      const role = roleOf(template, fn);
      expect(role.managedPolicyArns).toBeUndefined();
      expect(role.statements).toEqual([
        { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalId(stack, fn.logGroup), 'Arn'] } },
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: keyArnOf(stack, encryption),
          Condition: { StringEquals: { 'kms:EncryptionContext:aws:lambda:FunctionArn': 'arn:aws:lambda:eu-west-1:123456789012:function:TestStack-Fn-DC3B58FB' } },
        },
      ]);
      // The log group is the function's own, by name.
      expect(template.toJSON().Resources[logicalId(stack, fn.logGroup)].Properties.LogGroupName).toBe('/aws/lambda/TestStack-Fn');
      // The condition names the function by its physical name, not by a reference that would be a cycle.
      template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'TestStack-Fn-DC3B58FB' });
      template.resourceCountIs('AWS::IAM::Role', 1);
      template.resourceCountIs('AWS::IAM::Policy', 1);
    });

    test('a `functionName` of the user\'s is kept and named in the condition', () => {
      const stack = newStack();
      const encryption = new ApiEncryptionKey(stack, 'Key');
      const fn = new SecureNodejsFunction(stack, 'Fn', { entry: ENTRY, encryption, functionName: 'pets-backend' });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'pets-backend' });
      expect(roleOf(template, fn).statements).toEqual(houseStatements({ fn, functionName: 'pets-backend', keyArn: keyArnOf(stack, encryption) }));
    });

    test('a `role` of the user\'s is used as it is, with the log group and decrypt statements added', () => {
      const stack = newStack();
      const encryption = new ApiEncryptionKey(stack, 'Key');
      const role = new iam.Role(stack, 'Mine', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
      });
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::pets/*'] }));
      const fn = new SecureNodejsFunction(stack, 'Fn', { entry: ENTRY, encryption, role });
      const template = Template.fromStack(stack);
      expect(fn.role).toBe(role);
      template.resourceCountIs('AWS::IAM::Role', 1);
      const synthesized = roleOf(template, fn);
      // What the user gave it stays: the library does not strip a role it did not create.
      expect(synthesized.managedPolicyArns).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] }]);
      expect(synthesized.statements).toEqual([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::pets/*' },
        ...houseStatements({ fn, functionName: 'TestStack-Fn-DC3B58FB', keyArn: keyArnOf(stack, encryption) }),
      ]);
    });

    test('in a VPC, the role may manage the function\'s network interfaces, still without a managed policy', () => {
      const stack = newStack();
      const encryption = new ApiEncryptionKey(stack, 'Key');
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const fn = new SecureNodejsFunction(stack, 'Fn', { entry: ENTRY, encryption, vpc });
      const role = roleOf(Template.fromStack(stack), fn);
      expect(role.managedPolicyArns).toBeUndefined();
      // The EC2 actions, merged with X-Ray's (both on `*`, as neither supports resource-level permissions).
      expect(role.statements).toContainEqual({
        Effect: 'Allow',
        Action: [
          'ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses',
          'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
        ],
        Resource: '*',
      });
      expect(role.statements.flatMap((statement) => [statement.Action].flat()).filter((action: string) => action.startsWith('logs:'))).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    });
  });

  test('overrides apply, but the log group and environment encryption stay', () => {
    const stack = newStack();
    const encryption = new ApiEncryptionKey(stack, 'Key');
    new SecureNodejsFunction(stack, 'Fn', {
      entry: ENTRY,
      encryption,
      memorySize: 1024,
      timeout: Duration.seconds(3),
      logGroupRetention: logs.RetentionDays.ONE_MONTH,
      environment: { STAGE: 'test' },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 3,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', STAGE: 'test' } },
      KmsKeyArn: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('DEFAULT_RUNTIME is the runtime it uses unless `runtime` is given', () => {
    const stack = newStack();
    const encryption = new ApiEncryptionKey(stack, 'Key');
    expect(new SecureNodejsFunction(stack, 'Fn', { entry: ENTRY, encryption }).runtime).toBe(SecureNodejsFunction.DEFAULT_RUNTIME);
    expect(SecureNodejsFunction.DEFAULT_RUNTIME.name).toBe('nodejs24.x');
    expect(new SecureNodejsFunction(stack, 'Other', { entry: ENTRY, encryption, runtime: lambda.Runtime.NODEJS_22_X }).runtime.name).toBe('nodejs22.x');
  });

  describe('refuses the props it sets itself', () => {
    const refused = (props: (stack: ReturnType<typeof newStack>) => Partial<SecureNodejsFunctionProps>) => {
      const stack = newStack();
      const encryption = new ApiEncryptionKey(stack, 'Key');
      return errorOf(ValidationError, () => new SecureNodejsFunction(stack, 'Fn', { entry: ENTRY, encryption, ...props(stack) })).message;
    };

    test('`logGroup`', () => {
      expect(refused((stack) => ({ logGroup: new logs.LogGroup(stack, 'Mine') }))).toBe(
        "`logGroup` must be left out, got TestStack/Mine: SecureNodejsFunction creates the function's log group itself, encrypted with the key of `encryption` and with a finite retention; set `logGroupRetention` or `logGroupRemovalPolicy` to shape it (at TestStack)");
    });

    test('`logRetention`', () => {
      expect(refused(() => ({ logRetention: logs.RetentionDays.ONE_MONTH }))).toBe(
        '`logRetention` must be left out, got 30: it would have a custom resource create the log group, unencrypted, beside the one SecureNodejsFunction creates; set `logGroupRetention` instead (at TestStack)');
    });

    test('`environmentEncryption`', () => {
      expect(refused((stack) => ({ environmentEncryption: new kms.Key(stack, 'Other') }))).toBe(
        "`environmentEncryption` must be left out, got TestStack/Other: SecureNodejsFunction encrypts the environment with the key of `encryption`; to use another key, pass new ApiEncryptionKey(this, 'Key', { key }) as `encryption` (at TestStack)");
    });
  });
});

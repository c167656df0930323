import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiEncryptionKey, SecureNodejsFunction, SecureNodejsFunctionProps } from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { newStack } from '../../helpers/stack';

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

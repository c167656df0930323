import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiEncryptionKey, SecureNodejsFunction } from '../../../lib';
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
});

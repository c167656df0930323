import { Match, Template } from 'aws-cdk-lib/assertions';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiEncryptionKey } from '../../../lib';
import { newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

describe('ApiEncryptionKey', () => {
  test('creates a rotating, retained key by default', () => {
    const stack = newStack();
    new ApiEncryptionKey(stack, 'Key');
    Template.fromStack(stack).hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30, Description: 'Encrypts the logs and data of a SecureRestApi' },
      DeletionPolicy: 'Retain',
    });
  });

  test('log groups made through it are encrypted and named in one key-policy statement', () => {
    const stack = newStack();
    const key = new ApiEncryptionKey(stack, 'Key', { removalPolicy: RemovalPolicy.DESTROY, description: 'mine' });
    key.createLogGroup(stack, 'A', { logGroupName: '/a', retention: logs.RetentionDays.ONE_WEEK });
    key.createLogGroup(stack, 'B', { logGroupName: '/b', removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/a', RetentionInDays: 7, KmsKeyId: Match.anyValue() }, DeletionPolicy: 'Retain' });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/b', RetentionInDays: 365 }, DeletionPolicy: 'Delete' });
    const statements = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    const logsStatements = statements.filter((s: { Sid?: string }) => s.Sid === 'AllowCloudWatchLogsForTheseLogGroupsOnly');
    expect(logsStatements).toEqual([expect.objectContaining({
      Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': ['arn:aws:logs:eu-west-1:123456789012:log-group:/a', 'arn:aws:logs:eu-west-1:123456789012:log-group:/b'] } },
    })]);
  });

  test('rejects an unknown retention, naming the prop', () => {
    const stack = newStack();
    const key = new ApiEncryptionKey(stack, 'Key');
    expect(() => key.createLogGroup(stack, 'A', { logGroupName: '/a', retention: 2 as logs.RetentionDays }))
      .toThrow(/^`retention` must be a finite CloudWatch Logs retention in days \(1, 3, 5, 7, 14, .*\), got 2: use a logs.RetentionDays value such as RetentionDays.ONE_YEAR \(at TestStack\)$/);
  });
});

import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { logicalId } from './stack';

/** A function's execution role as synthesized: its managed policy ARNs and the statements of every policy attached to it. */
export function roleOf(template: Template, fn: lambda.IFunction): { managedPolicyArns: unknown; statements: any[] } {
  const stack = Stack.of(fn);
  const roleId = logicalId(stack, fn.role as iam.Role);
  const resources: Record<string, any> = template.toJSON().Resources;
  const statements = Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy' && resource.Properties.Roles.some((role: any) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  return { managedPolicyArns: resources[roleId].Properties.ManagedPolicyArns, statements };
}

/** The physical name a function was given in the template. */
export function functionNameOf(template: Template, fn: lambda.IFunction): string {
  return template.toJSON().Resources[logicalId(Stack.of(fn), fn)].Properties.FunctionName;
}

/**
 * The statements every house function's role holds: X-Ray (from `tracing: ACTIVE`), writing to its
 * own log group (its `Arn` attribute, `arn:…:log-group:<name>:*`), and decrypting its own
 * environment variables (Lambda's encryption context).
 */
export function houseStatements(options: { fn: lambda.Function; functionName: string; keyArn: unknown }): any[] {
  return [
    { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [logicalId(Stack.of(options.fn), options.fn.logGroup), 'Arn'] },
    },
    {
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: options.keyArn,
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:lambda:FunctionArn': `arn:aws:lambda:eu-west-1:123456789012:function:${options.functionName}` } },
    },
  ];
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/** The feature flags and settings of cdk.json, so tests see what `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

/** Context that skips asset bundling: most construct tests do not need a real bundle. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** A fresh stack in a fresh app, with cdk.json's flags, a concrete account and region, and bundling skipped. */
export function newStack(context: Record<string, unknown> = SKIP_BUNDLING): Stack {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context } });
  return new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** A small inline function to integrate with, where the function itself is not under test. */
export function inlineFunction(stack: Stack, id = 'Handler'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
  });
}

/** The logical id of a construct's CloudFormation resource: its default child's, or its own. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId((construct.node.defaultChild ?? construct) as Parameters<Stack['getLogicalId']>[0]);
}

import { Template } from 'aws-cdk-lib/assertions';
import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { LambdaRouteIntegration } from '../../../lib';
import { foreignInstance } from '../../helpers/brands';
import { inlineFunction, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

describe('LambdaRouteIntegration.isLambdaRouteIntegration', () => {
  test('is true for a LambdaRouteIntegration, of this or another copy of the library', () => {
    expect(LambdaRouteIntegration.isLambdaRouteIntegration(new LambdaRouteIntegration(inlineFunction(newStack())))).toBe(true);
    expect(LambdaRouteIntegration.isLambdaRouteIntegration(foreignInstance('LambdaRouteIntegration'))).toBe(true);
  });

  test('is false for other integrations and values', () => {
    const stack = newStack();
    expect(LambdaRouteIntegration.isLambdaRouteIntegration(new apigw.LambdaIntegration(inlineFunction(stack)))).toBe(false);
    expect(LambdaRouteIntegration.isLambdaRouteIntegration(new apigw.MockIntegration())).toBe(false);
    expect(LambdaRouteIntegration.isLambdaRouteIntegration(undefined)).toBe(false);
    expect(LambdaRouteIntegration.isLambdaRouteIntegration(null)).toBe(false);
  });
});

describe('LambdaRouteIntegration on a plain RestApi', () => {
  test('is a Lambda proxy integration and adds one permission for many methods', () => {
    const stack = newStack();
    const api = new apigw.RestApi(stack, 'Api', { cloudWatchRole: false });
    const fn = inlineFunction(stack);
    const integration = new LambdaRouteIntegration(fn, { timeout: Duration.seconds(5) });
    api.root.addMethod('GET', integration);
    api.root.addResource('a').addMethod('POST', integration);
    api.root.addResource('b').addMethod('PUT', new LambdaRouteIntegration(fn));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      Integration: {
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        TimeoutInMillis: 5000,
        Uri: { 'Fn::Join': ['', ['arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': [stack.getLogicalId(fn.node.defaultChild as never), 'Arn'] }, '/invocations']] },
      },
    });
  });

  test('the permission excludes the console test-invoke stage', () => {
    const stack = newStack();
    const api = new apigw.RestApi(stack, 'Api', { cloudWatchRole: false, deployOptions: { stageName: 'live' } });
    api.root.addMethod('GET', new LambdaRouteIntegration(inlineFunction(stack)));
    const permission = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Permission'))[0];
    const sourceArn = JSON.stringify(permission.Properties.SourceArn);
    expect(sourceArn).toContain('/*/*');
    expect(sourceArn).not.toContain('test-invoke-stage');
    expect(sourceArn).toContain(stack.getLogicalId(api.deploymentStage.node.defaultChild as never));
  });
});

import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import { addStageVariable } from '../../../lib/private/stage-variables';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { newStack } from '../../helpers/stack';

function newApi() {
  const stack = newStack();
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { variables: { given: 'kept' } } });
  api.root.addMethod('GET', new apigw.MockIntegration());
  return { stack, stage: api.deploymentStage };
}

describe('stage variables added by parts of the library', () => {
  test('are rendered at synth next to the ones given to the stage', () => {
    const { stack, stage } = newApi();
    addStageVariable(stage, 'secureApiSunsetAt', '1798761600', 'the deprecated version v1');
    addStageVariable(stage, 'secureApiCorsOrigins', 'https://app.example.com,https://admin.example.com', 'CORS');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      Variables: { given: 'kept', secureApiSunsetAt: '1798761600', secureApiCorsOrigins: 'https://app.example.com,https://admin.example.com' },
    });
  });

  test('the same value twice is accepted; another value names both owners', () => {
    const { stage } = newApi();
    addStageVariable(stage, 'secureApiSunsetAt', '1798761600', 'the domain api.example.com');
    addStageVariable(stage, 'secureApiSunsetAt', '1798761600', 'the domain eu-west-1.api.example.com');
    expect(errorOf(ValidationError, () => addStageVariable(stage, 'secureApiSunsetAt', '1', 'the deprecated version v1')).message)
      .toContain('the deprecated version v1 sets stage variable secureApiSunsetAt to "1", but the domain api.example.com already set it to "1798761600": give it one value');
  });

  test('names and values outside API Gateway\'s characters are refused', () => {
    const { stage } = newApi();
    expect(errorOf(ValidationError, () => addStageVariable(stage, 'bad-name', 'x', 'CORS')).message)
      .toContain('CORS: stage variable name "bad-name" must hold only letters, digits and \'_\'');
    expect(errorOf(ValidationError, () => addStageVariable(stage, 'link', 'https://example.com/a b', 'CORS')).message)
      .toContain('CORS: stage variable link cannot hold "https://example.com/a b"');
    addStageVariable(stage, 'longest', 'a'.repeat(512), 'CORS');
    expect(errorOf(ValidationError, () => addStageVariable(stage, 'origins', `https://${'a'.repeat(505)}`, 'CORS')).message)
      .toContain('CORS: stage variable origins would hold 513 characters, but API Gateway allows at most 512 in a REST API\'s stage variable');
  });
});

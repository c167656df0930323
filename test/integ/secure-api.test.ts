/**
 * The integration test needs an AWS account to run; here it is synthesized (rule engine included),
 * so that it stays valid as the library changes.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING } from '../helpers/stack';
import { buildSecureApiInteg } from './integ.secure-api';

test('the integration test synthesizes: the API under test, its firewall and blocker, and its probes, in order', () => {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
  const { stack } = buildSecureApiInteg(app);
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::ApiGateway::Method', 2);
  template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
  // The firewall only counts, so the blocker's list does not stop the later probes.
  template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  template.resourceCountIs('AWS::Logs::SubscriptionFilter', 1);

  const assembly = app.synth();
  const assertStack = assembly.stacks.find((artifact) => artifact.stackName !== stack.stackName)!;
  const calls = Object.values<{ Type: string; DependsOn?: string[] }>(assertStack.template.Resources)
    .filter((resource) => resource.Type.startsWith('Custom::DeployAssert@'));
  expect(calls.filter((call) => call.Type.startsWith('Custom::DeployAssert@HttpCall'))).toHaveLength(5);
  expect(calls.filter((call) => call.Type === 'Custom::DeployAssert@SdkCallCloudWatchLogsfilterLogEvents')).toHaveLength(1);
  expect(calls.filter((call) => call.Type === 'Custom::DeployAssert@SdkCallWAFV2getIPSet')).toHaveLength(1);
  // Each call after the first waits for the one before it.
  expect(calls.filter((call) => call.DependsOn?.length).length).toBeGreaterThanOrEqual(6);
});

/**
 * The failover drill needs an AWS account (and a two-region API) to run; here it is synthesized, so
 * that it stays valid as the library changes, and its steps checked to run in order.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { assertionCallsInOrder } from '../helpers/integ-assertions';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING } from '../helpers/stack';
import { buildFailoverDrill } from './integ.failover-drill';

test('the failover drill synthesizes: the routing stack, then primary answers, invert, alarm, secondary answers, restore, primary answers, in order', () => {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
  const { stack, records } = buildFailoverDrill(app);
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::Route53::HealthCheck', 2);
  template.resourceCountIs('AWS::Route53::RecordSet', 2);
  template.resourceCountIs('AWS::CloudWatch::Alarm', 2);

  const assembly = app.synth();
  const assertStack = assembly.stacks.find((artifact) => artifact.stackName !== stack.stackName)!;
  // Each call waits for the one before it.
  const { resources, ordered } = assertionCallsInOrder(assertStack);

  const steps = ordered.map((id) => {
    const { Type, Properties = {} } = resources[id];
    const expected = JSON.stringify(Properties.expected ?? '');
    return {
      call: Type.replace('Custom::DeployAssert@', '').replace(/^HttpCall.*/, 'HttpCall'),
      url: Properties.parameters?.url,
      inverted: Properties.parameters?.Inverted,
      expectsRegion: /"region\\":\\"([a-z0-9-]+)\\"/.exec(expected)?.[1],
      expectsAlarm: expected.includes('ALARM'),
      waits: 'stateMachineArn' in Properties,
    };
  });
  const health = 'https://api.example.com/v1/health';
  expect(steps).toEqual([
    { call: 'HttpCall', url: health, inverted: undefined, expectsRegion: 'eu-west-1', expectsAlarm: false, waits: true },
    { call: 'SdkCallRoute53updateHealthCheck', url: undefined, inverted: 'true', expectsRegion: undefined, expectsAlarm: false, waits: false },
    { call: 'SdkCallCloudWatchdescribeAlarms', url: undefined, inverted: undefined, expectsRegion: undefined, expectsAlarm: true, waits: true },
    { call: 'HttpCall', url: health, inverted: undefined, expectsRegion: 'us-east-2', expectsAlarm: false, waits: true },
    { call: 'SdkCallRoute53updateHealthCheck', url: undefined, inverted: 'false', expectsRegion: undefined, expectsAlarm: false, waits: false },
    { call: 'HttpCall', url: health, inverted: undefined, expectsRegion: 'eu-west-1', expectsAlarm: false, waits: true },
  ]);

  // Both updates change the primary's check; the alarm waited for is the primary's.
  const primaryCheck = stack.getLogicalId(records.healthChecks[0].node.defaultChild as never);
  for (const update of [resources[ordered[1]], resources[ordered[4]]]) {
    expect(JSON.stringify(update.Properties!.parameters.HealthCheckId)).toContain(primaryCheck);
  }
  const primaryAlarm = stack.getLogicalId(records.alarms[0].node.defaultChild as never);
  expect(JSON.stringify(resources[ordered[2]].Properties!.parameters.AlarmNames)).toContain(primaryAlarm);
});

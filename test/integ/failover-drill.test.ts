/**
 * The failover drill needs an AWS account (and a two-region API) to run; here it is synthesized, so
 * that it stays valid as the library changes, and its steps checked to run in order.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING } from '../helpers/stack';
import { buildFailoverDrill } from './integ.failover-drill';

interface Resource {
  readonly Type: string;
  readonly DependsOn?: string[];
  readonly Properties?: Record<string, unknown>;
}

test('the failover drill synthesizes: the routing stack, then invert, wait for failure, wait for the secondary\'s answer, restore, in order', () => {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
  const { stack, records } = buildFailoverDrill(app);
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::Route53::HealthCheck', 2);
  template.resourceCountIs('AWS::Route53::RecordSet', 2);
  template.resourceCountIs('AWS::CloudWatch::Alarm', 2);

  const assembly = app.synth();
  const assertStack = assembly.stacks.find((artifact) => artifact.stackName !== stack.stackName)!;
  const resources: Record<string, Resource> = assertStack.template.Resources;
  const calls = Object.entries(resources).filter(([, resource]) => resource.Type.startsWith('Custom::DeployAssert@SdkCall'));
  const callIds = new Set(calls.map(([id]) => id));
  // Each call waits for the one before it: follow the chain from the call that waits for none.
  const previousOf = new Map(calls.map(([id, resource]) => [id, (resource.DependsOn ?? []).filter((dependency) => callIds.has(dependency))]));
  const ordered: string[] = [];
  let next = calls.find(([id]) => previousOf.get(id)!.length === 0)?.[0];
  while (next !== undefined) {
    ordered.push(next);
    const current: string = next;
    next = calls.find(([id]) => previousOf.get(id)!.includes(current))?.[0];
  }
  expect(ordered).toHaveLength(calls.length);

  const steps = ordered.map((id) => {
    const { Type, Properties } = resources[id];
    const parameters = (Properties?.parameters ?? {}) as Record<string, unknown>;
    return { api: Type.replace('Custom::DeployAssert@SdkCallRoute53', ''), inverted: parameters.Inverted, recordName: parameters.RecordName, waits: 'stateMachineArn' in (Properties ?? {}) };
  });
  expect(steps).toEqual([
    { api: 'testDNSAnswer', inverted: undefined, recordName: '"us-east-2.api.example.com"', waits: false },
    { api: 'updateHealthCheck', inverted: 'true', recordName: undefined, waits: false },
    { api: 'getHealthCheckStatus', inverted: undefined, recordName: undefined, waits: true },
    { api: 'testDNSAnswer', inverted: undefined, recordName: '"api.example.com"', waits: true },
    { api: 'updateHealthCheck', inverted: 'false', recordName: undefined, waits: false },
  ]);
  expect(records.healthChecks).toHaveLength(2);

  // Both updates change the primary's check; the failover answer must hold the secondary's address.
  const primaryCheck = stack.getLogicalId(records.healthChecks[0].node.defaultChild as never);
  const [, invert, , failedOver, restore] = ordered.map((id) => resources[id].Properties as { parameters: { HealthCheckId?: unknown }; expected?: unknown });
  for (const update of [invert, restore]) {
    expect(JSON.stringify(update.parameters.HealthCheckId)).toContain(primaryCheck);
  }
  expect(JSON.stringify(failedOver.expected)).toContain(`"Fn::GetAtt":["${ordered[0]}","apiCallResponse.RecordData.0"]`);
});

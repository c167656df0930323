import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import { ENVIRONMENTS_CONTEXT_KEY } from '../../bin/environment-config';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING } from '../helpers/stack';

/** The example app as `cdk synth` builds it from cdk.json, without bundling. */
function synthApp(extra: Record<string, unknown> = {}) {
  return buildApp(new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING, ...extra } }));
}

describe('example app', () => {
  const app = synthApp();
  const stacks = app.node.children.filter((child): child is import('aws-cdk-lib').Stack => child instanceof (require('aws-cdk-lib').Stack));

  test('one stack per environment, in its own account and region', () => {
    expect(stacks.map((stack) => [stack.stackName, stack.account, stack.region])).toEqual([
      ['SecureApi-dev', '111111111111', 'eu-west-1'],
      ['SecureApi-staging', '222222222222', 'eu-west-1'],
      ['SecureApi-prod', '333333333333', 'eu-west-1'],
    ]);
  });

  test('prod-profile stacks have termination protection; dev does not', () => {
    expect(stacks.map((stack) => stack.terminationProtection)).toEqual([false, true, true]);
  });

  test.each(['dev', 'staging', 'prod'])('the %s stack matches its reviewed snapshot', (name) => {
    const stack = stacks.find((s) => s.stackName === `SecureApi-${name}`)!;
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  test('dev destroys its key and logs on delete; prod retains them', () => {
    const policies = (name: string) => {
      const template = Template.fromStack(stacks.find((s) => s.stackName === `SecureApi-${name}`)!);
      return Object.values({ ...template.findResources('AWS::KMS::Key'), ...template.findResources('AWS::Logs::LogGroup') }).map((r) => r.DeletionPolicy);
    };
    expect(new Set(policies('dev'))).toEqual(new Set(['Delete']));
    expect(new Set(policies('prod'))).toEqual(new Set(['Retain']));
  });

  test('only the stacks that say so set the account-wide logging role', () => {
    const accounts = stacks.map((stack) => Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Account')).length);
    expect(accounts).toEqual([1, 1, 0]);
  });

  test('the access matrix states every route', () => {
    const api = (stacks[0] as import('../../bin/example-api-stack').ExampleApiStack).api;
    expect(api.accessMatrix).toEqual([
      { routeKey: 'GET /health', authorization: 'public: uptime monitors call it without credentials; it returns no data', apiKeyRequired: false },
      { routeKey: 'GET /pets', authorization: 'API key', apiKeyRequired: true },
      { routeKey: 'GET /pets/{petId}', authorization: 'API key', apiKeyRequired: true },
      { routeKey: 'POST /pets', authorization: 'IAM', apiKeyRequired: false },
      { routeKey: 'PUT /pets/{petId}', authorization: 'Cognito (pets/write)', apiKeyRequired: true },
      { routeKey: 'DELETE /pets/{petId}', authorization: 'JWT TokenAuthorizer (groups: admins)', apiKeyRequired: false },
    ]);
  });

  test('MFA is required in the prod profile and optional, with an acknowledged warning, elsewhere', () => {
    const mfa = stacks.map((stack) => Template.fromStack(stack).findResources('AWS::Cognito::UserPool'))
      .map((pools) => Object.values(pools).map((pool) => pool.Properties.MfaConfiguration));
    expect(mfa).toEqual([['OPTIONAL'], ['ON'], ['ON']]);
  });

  test('alarms notify the environment\'s on-call addresses; dev, with none, alarms later', () => {
    const subscriptions = stacks.map((stack) => Object.values(Template.fromStack(stack).findResources('AWS::SNS::Subscription'))
      .map((subscription) => [subscription.Properties.Protocol, subscription.Properties.Endpoint]));
    expect(subscriptions).toEqual([[], [['email', 'api-oncall@example.com']], [['email', 'api-oncall@example.com']]]);
    const failedAuthThreshold = (stack: import('aws-cdk-lib').Stack) => Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .find((alarm) => alarm.Properties.MetricName === 'FailedAuthentications')!.Properties.Threshold;
    expect(stacks.map(failedAuthThreshold)).toEqual([200, 50, 50]);
  });

  test('every stack has a dashboard and the incident alarm', () => {
    for (const stack of stacks) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    }
  });

  test('no environment turns on the paid Cognito threat protection unless its config says so', () => {
    for (const stack of stacks) {
      Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS' });
    }
    const environments = JSON.parse(JSON.stringify(CDK_JSON_CONTEXT[ENVIRONMENTS_CONTEXT_KEY]));
    environments.prod.cognitoThreatProtection = true;
    const prod = synthApp({ [ENVIRONMENTS_CONTEXT_KEY]: environments, env: 'prod' }).node.children[0] as import('aws-cdk-lib').Stack;
    Template.fromStack(prod).hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'PLUS' });
  });

  test('every stack has a firewall on its stage: counting in dev and staging, blocking in prod, as cdk.json says', () => {
    const modes = stacks.map((stack) => {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
      const rules: Array<Record<string, any>> = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules;
      const ruleModes = new Set(rules.filter((rule) => rule.Action?.Block || rule.Action?.Count).map((rule) => Object.keys(rule.Action)[0]));
      return [stack.stackName, [...ruleModes].join()];
    });
    expect(modes).toEqual([['SecureApi-dev', 'Count'], ['SecureApi-staging', 'Count'], ['SecureApi-prod', 'Block']]);
  });

  test('every stack has an abuse blocker on its access log, with the environment\'s threshold and block period', () => {
    const settings = stacks.map((stack) => {
      const blocker = (stack as import('../../bin/example-api-stack').ExampleApiStack).node.findChild('AbuseBlocker') as import('../../lib').AbuseBlocker;
      Template.fromStack(stack).resourceCountIs('AWS::Logs::SubscriptionFilter', 1);
      return [stack.stackName, blocker._settings.threshold, blocker._settings.blockSeconds];
    });
    expect(settings).toEqual([['SecureApi-dev', 100, 900], ['SecureApi-staging', 20, 3600], ['SecureApi-prod', 20, 3600]]);
  });

  test('no stack outputs a secret: the only output is the stage URL', () => {
    for (const stack of stacks) {
      const outputs = Object.values(Template.fromStack(stack).toJSON().Outputs ?? {}) as Array<{ Value: unknown }>;
      expect(outputs).toHaveLength(1);
      expect(JSON.stringify(outputs[0].Value)).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",/);
    }
  });
});

describe('environment selection and bad settings', () => {
  test('-c env=prod narrows the app to prod', () => {
    const app = synthApp({ env: 'prod' });
    expect(app.node.children.map((child) => child.node.id)).toEqual(['SecureApi-prod']);
  });

  test('an unknown environment fails with the known names', () => {
    expect(() => synthApp({ env: 'qa' })).toThrow('context `env` names the unknown environment "qa": use one of "dev", "staging", "prod"');
  });

  test('an invalid setting fails naming the setting and the allowed values', () => {
    const environments = JSON.parse(JSON.stringify(CDK_JSON_CONTEXT[ENVIRONMENTS_CONTEXT_KEY]));
    environments.dev.removalPolicy = 'keep';
    expect(() => synthApp({ [ENVIRONMENTS_CONTEXT_KEY]: environments }))
      .toThrow('`secure-api:environments.dev.removalPolicy` must be one of "destroy", "retain", got "keep"');
  });
});

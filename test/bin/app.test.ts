import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import { ENVIRONMENTS_CONTEXT_KEY } from '../../bin/environment-config';
import { ExampleApiStack } from '../../bin/example-api-stack';
import { ExampleDnsStack } from '../../bin/example-dns-stack';
import { SecurityReport } from '../../lib';
import type { AbuseBlocker } from '../../lib';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING } from '../helpers/stack';

/** The example app as `cdk synth` builds it from cdk.json, without bundling. */
function synthApp(extra: Record<string, unknown> = {}) {
  return buildApp(new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING, ...extra } }));
}

const API_STACKS = ['SecureApi-dev', 'SecureApi-staging', 'SecureApi-prod-eu-west-1', 'SecureApi-prod-eu-central-1'];

describe('example app', () => {
  const app = synthApp();
  const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
  const apiStacks = stacks.filter((stack): stack is ExampleApiStack => stack instanceof ExampleApiStack);
  const byName = (name: string) => stacks.find((stack) => stack.stackName === name)!;
  const template = (name: string) => Template.fromStack(byName(name));

  test('one stack per environment and region, plus the multi-region environment\'s DNS stack in us-east-1', () => {
    expect(stacks.map((stack) => [stack.stackName, stack.account, stack.region])).toEqual([
      ['SecureApi-dev', '111111111111', 'eu-west-1'],
      ['SecureApi-staging', '222222222222', 'eu-west-1'],
      ['SecureApi-prod-eu-west-1', '333333333333', 'eu-west-1'],
      ['SecureApi-prod-eu-central-1', '333333333333', 'eu-central-1'],
      ['SecureApi-prod-dns', '333333333333', 'us-east-1'],
    ]);
    expect(apiStacks.map((stack) => stack.stackName)).toEqual(API_STACKS);
    expect(byName('SecureApi-prod-dns')).toBeInstanceOf(ExampleDnsStack);
  });

  test('prod-profile stacks have termination protection; dev does not', () => {
    expect(stacks.map((stack) => stack.terminationProtection)).toEqual([false, true, true, true, true]);
  });

  test('deploy order: the primary region, then the secondary (which owns the block list\'s global table), then DNS', () => {
    const dependencies = (name: string) => byName(name).dependencies.map((stack) => stack.stackName).sort();
    expect(dependencies('SecureApi-prod-eu-west-1')).toEqual([]);
    expect(dependencies('SecureApi-prod-eu-central-1')).toEqual(['SecureApi-prod-eu-west-1']);
    expect(dependencies('SecureApi-prod-dns')).toEqual(['SecureApi-prod-eu-central-1', 'SecureApi-prod-eu-west-1']);
  });

  test.each([...API_STACKS, 'SecureApi-prod-dns'])('the %s stack matches its reviewed snapshot', (name) => {
    expect(template(name).toJSON()).toMatchSnapshot();
  });

  test('dev destroys its key and logs on delete; prod retains them', () => {
    const policies = (name: string) => {
      const t = template(name);
      return Object.values({ ...t.findResources('AWS::KMS::Key'), ...t.findResources('AWS::Logs::LogGroup') }).map((r) => r.DeletionPolicy);
    };
    expect(new Set(policies('SecureApi-dev'))).toEqual(new Set(['Delete']));
    for (const name of ['SecureApi-prod-eu-west-1', 'SecureApi-prod-eu-central-1', 'SecureApi-prod-dns']) {
      expect(new Set(policies(name))).toEqual(new Set(['Retain']));
    }
  });

  test('only the stacks that say so set the account-wide logging role', () => {
    const accounts = stacks.map((stack) => Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Account')).length);
    expect(accounts).toEqual([1, 1, 0, 0, 0]);
  });

  test('the access matrix states every route, CORS preflights included', () => {
    expect(apiStacks[0].api.accessMatrix).toEqual([
      { routeKey: 'GET /health', authorization: 'public: uptime monitors call it without credentials; it returns no data', apiKeyRequired: false },
      { routeKey: 'OPTIONS /health', authorization: 'public: CORS preflight: answered by API Gateway, reaches no backend', apiKeyRequired: false },
      { routeKey: 'GET /pets', authorization: 'Cognito (pets/read)', apiKeyRequired: true },
      { routeKey: 'OPTIONS /pets', authorization: 'public: CORS preflight: answered by API Gateway, reaches no backend', apiKeyRequired: false },
      { routeKey: 'GET /pets/{petId}', authorization: 'Cognito (pets/read)', apiKeyRequired: true },
      { routeKey: 'OPTIONS /pets/{petId}', authorization: 'public: CORS preflight: answered by API Gateway, reaches no backend', apiKeyRequired: false },
      { routeKey: 'POST /pets', authorization: 'IAM', apiKeyRequired: false },
      { routeKey: 'PUT /pets/{petId}', authorization: 'Cognito (pets/write)', apiKeyRequired: true },
      { routeKey: 'DELETE /pets/{petId}', authorization: 'JWT TokenAuthorizer (groups: admins)', apiKeyRequired: false },
    ]);
    // Every region of an environment serves the same routes.
    expect(apiStacks[3].api.accessMatrix).toEqual(apiStacks[2].api.accessMatrix);
  });

  test('CORS: the environment\'s origins, plain http only in dev', () => {
    const stageVariables = (name: string) => Object.values(template(name).findResources('AWS::ApiGateway::Stage'))[0].Properties.Variables;
    expect(stageVariables('SecureApi-dev')).toMatchObject({ secureApiCorsOrigins: 'http://localhost:3000,https://pets.dev.example.com' });
    expect(stageVariables('SecureApi-staging')).toMatchObject({ secureApiCorsOrigins: 'https://pets.staging.example.com' });
    expect(stageVariables('SecureApi-prod-eu-central-1')).toMatchObject({ secureApiCorsOrigins: 'https://pets.example.com' });
  });

  test('MFA is required in the prod profile and optional, with an acknowledged warning, elsewhere; a secondary region has no pool of its own', () => {
    const mfa = stacks.map((stack) => Template.fromStack(stack).findResources('AWS::Cognito::UserPool'))
      .map((pools) => Object.values(pools).map((pool) => pool.Properties.MfaConfiguration));
    expect(mfa).toEqual([['OPTIONAL'], ['ON'], ['ON'], [], []]);
  });

  test('the secondary region trusts the primary\'s user pool through explicit cross-region references', () => {
    const getStackOutput = { 'Fn::GetStackOutput': Match.objectLike({ StackName: 'SecureApi-prod-eu-west-1', Region: 'eu-west-1' }) };
    template('SecureApi-prod-eu-central-1').hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS', ProviderARNs: [getStackOutput] });
    const outputs = Object.keys(template('SecureApi-prod-eu-west-1').toJSON().Outputs);
    expect(outputs.filter((id) => /^PublishOutput(FnGetAttUsers|RefUsers)/.test(id))).toHaveLength(3);
  });

  test('alarms notify the environment\'s on-call addresses; dev, with none, alarms later', () => {
    const subscriptions = stacks.map((stack) => Object.values(Template.fromStack(stack).findResources('AWS::SNS::Subscription'))
      .map((subscription) => [subscription.Properties.Protocol, subscription.Properties.Endpoint]));
    const oncall = [['email', 'api-oncall@example.com']];
    expect(subscriptions).toEqual([[], oncall, oncall, oncall, oncall]);
    const failedAuthThreshold = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .find((alarm) => alarm.Properties.MetricName === 'FailedAuthentications')!.Properties.Threshold;
    expect(apiStacks.map(failedAuthThreshold)).toEqual([200, 50, 50, 50]);
  });

  test('every regional stack has a dashboard, the incident alarm, a key, logs and a firewall of its own', () => {
    for (const stack of apiStacks) {
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      t.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
      t.resourceCountIs('AWS::WAFv2::WebACL', 1);
      expect(Object.keys(t.findResources('AWS::KMS::Key')).length).toBeGreaterThanOrEqual(1);
    }
  });

  test('the paid Cognito threat protection is on where the config says so: staging and prod, not dev', () => {
    const tiers = apiStacks.slice(0, 3).map((stack) => Object.values(Template.fromStack(stack).findResources('AWS::Cognito::UserPool'))
      .map((pool) => [pool.Properties.UserPoolTier, pool.Properties.UserPoolAddOns?.AdvancedSecurityMode]));
    expect(tiers).toEqual([[['ESSENTIALS', undefined]], [['PLUS', 'ENFORCED']], [['PLUS', 'ENFORCED']]]);
    const environments = JSON.parse(JSON.stringify(CDK_JSON_CONTEXT[ENVIRONMENTS_CONTEXT_KEY]));
    environments.prod.cognitoThreatProtection = false;
    const prod = synthApp({ [ENVIRONMENTS_CONTEXT_KEY]: environments, env: 'prod' }).node.children[0] as Stack;
    Template.fromStack(prod).hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS' });
  });

  test('every regional stack has a firewall on its stage: counting in dev and staging, blocking in prod, as cdk.json says', () => {
    const modes = apiStacks.map((stack) => {
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
      const rules: Array<Record<string, any>> = Object.values(t.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules;
      const ruleModes = new Set(rules.filter((rule) => rule.Action?.Block || rule.Action?.Count).map((rule) => Object.keys(rule.Action)[0]));
      return [stack.stackName, [...ruleModes].join()];
    });
    expect(modes).toEqual([['SecureApi-dev', 'Count'], ['SecureApi-staging', 'Count'], ['SecureApi-prod-eu-west-1', 'Block'], ['SecureApi-prod-eu-central-1', 'Block']]);
  });

  test('every regional stack has an abuse blocker on its access log, with the environment\'s threshold and block period', () => {
    const settings = apiStacks.map((stack) => {
      const blocker = stack.node.findChild('AbuseBlocker') as AbuseBlocker;
      Template.fromStack(stack).resourceCountIs('AWS::Logs::SubscriptionFilter', 1);
      return [stack.stackName, blocker._settings.threshold, blocker._settings.blockSeconds];
    });
    expect(settings).toEqual([['SecureApi-dev', 100, 900], ['SecureApi-staging', 20, 3600], ['SecureApi-prod-eu-west-1', 20, 3600], ['SecureApi-prod-eu-central-1', 20, 3600]]);
  });

  test('prod\'s block list is one global table: created in eu-central-1 with a replica in eu-west-1 under that region\'s key alias', () => {
    template('SecureApi-prod-eu-central-1').hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'secure-api-prod-blocks',
      Replicas: Match.arrayWith([
        Match.objectLike({ Region: 'eu-west-1', SSESpecification: { KMSMasterKeyId: 'arn:aws:kms:eu-west-1:333333333333:alias/secure-api/secure-api-prod-blocks' } }),
        Match.objectLike({ Region: 'eu-central-1' }),
      ]),
    });
    const primary = template('SecureApi-prod-eu-west-1');
    primary.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    primary.resourceCountIs('AWS::DynamoDB::Table', 0);
    primary.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/secure-api/secure-api-prod-blocks' });
    // Single-region environments keep their regional table.
    template('SecureApi-staging').resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  test('custom domains: staging on TLS 1.3 only with its own records; each prod region serves the shared name and its own, TLS 1.3 and 1.2 (Route 53 health checks speak TLS 1.2)', () => {
    const staging = template('SecureApi-staging');
    staging.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'api.staging.example.com', SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09', EndpointAccessMode: 'STRICT' });
    staging.hasResourceProperties('AWS::ApiGateway::RestApi', { SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09', DisableExecuteApiEndpoint: true });
    staging.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: 'v1' });
    staging.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.staging.example.com.', Type: 'A' });
    for (const region of ['eu-west-1', 'eu-central-1']) {
      const t = template(`SecureApi-prod-${region}`);
      const domains = Object.values(t.findResources('AWS::ApiGateway::DomainName')).map((d) => [d.Properties.DomainName, d.Properties.SecurityPolicy]);
      expect(domains).toEqual([['api.example.com', 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09'], [`${region}.api.example.com`, 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09']]);
      const records = Object.values(t.findResources('AWS::Route53::RecordSet')).map((r) => r.Properties.Name);
      expect(records).toEqual([`${region}.api.example.com.`]);
      t.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    }
  });

  test('every stack\'s security report agrees with its template: routes, WAF rules, resource count', () => {
    app.synth(); // the assembly Template.fromStack built, with the reports written next to the templates
    for (const stack of stacks) {
      const report = JSON.parse(readFileSync(path.join(app.outdir, SecurityReport.jsonFileName(stack.artifactId)), 'utf-8'));
      const resources = template(stack.stackName).toJSON().Resources as Record<string, any>;
      const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
      expect(report.resourceCounts).toEqual([expect.objectContaining({ template: stack.artifactId, resources: Object.keys(resources).length, limit: 500 })]);
      expect(report.routes).toHaveLength(ofType('AWS::ApiGateway::Method').length);
      for (const route of report.routes) {
        const method = resources[route.logicalId].Properties;
        expect([route.authorizationType, route.scopes, route.apiKeyRequired]).toEqual([method.AuthorizationType, method.AuthorizationScopes ?? [], method.ApiKeyRequired === true]);
      }
      expect(report.routes.map((r: any) => r.routeKey)).toEqual(stack instanceof ExampleApiStack ? stack.api.accessMatrix.map((entry) => entry.routeKey) : []);
      const acls = ofType('AWS::WAFv2::WebACL');
      expect(report.firewalls.map((f: any) => f.rules.map((r: any) => [r.priority, r.name, r.action])))
        .toEqual(acls.map(([, acl]) => [...acl.Properties.Rules].sort((a: any, b: any) => a.Priority - b.Priority)
          .map((r: any) => [r.Priority, r.Name, r.Action ? Object.keys(r.Action)[0].toUpperCase() : r.OverrideAction.Count ? 'COUNT (whole group)' : 'rules\' own actions'])));
      expect(report.alarms).toHaveLength(ofType('AWS::CloudWatch::Alarm').length + ofType('AWS::CloudWatch::CompositeAlarm').length);
      expect(report.alarms.every((a: any) => a.actions.length > 0 && a.actions.every((x: any) => x.target.startsWith('SNS topic ')))).toBe(true);
    }
  });

  test('the fixed monthly cost of each environment\'s controls matches its reviewed snapshot', () => {
    app.synth();
    const costs = Object.fromEntries(stacks.map((stack) => {
      const report = JSON.parse(readFileSync(path.join(app.outdir, SecurityReport.jsonFileName(stack.artifactId)), 'utf-8'));
      return [stack.stackName, { fixedMonthlyUsd: report.cost.fixedMonthlyTotalUsd, perMillionRequestsUsd: report.cost.perMillionRequestsTotalUsd }];
    }));
    expect(costs).toMatchSnapshot();
  });

  test('prod\'s DNS: failover records of api.example.com, a health check of each region\'s health route and an alarm when one fails', () => {
    const dns = template('SecureApi-prod-dns');
    dns.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', FullyQualifiedDomainName: 'eu-west-1.api.example.com', ResourcePath: '/v1/health', EnableSNI: true }) });
    dns.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: 'eu-central-1.api.example.com' }) });
    // Each record aliases the region's own domain of api.example.com, read from the regional stack.
    const output = (region: string, attribute: string) => ({ 'Fn::GetStackOutput': { StackName: `SecureApi-prod-${region}`, Region: region, OutputName: Match.stringLikeRegexp(`^PublishOutputFnGetAttDomain[0-9A-F]+${attribute}`) } });
    const records = Object.values(dns.findResources('AWS::Route53::RecordSet')).map((r) => [r.Properties.Name, r.Properties.Type, r.Properties.Failover, r.Properties.SetIdentifier]);
    expect(records).toEqual([
      ['api.example.com.', 'A', 'PRIMARY', 'eu-west-1'],
      ['api.example.com.', 'A', 'SECONDARY', 'eu-central-1'],
    ]);
    for (const region of ['eu-west-1', 'eu-central-1']) {
      dns.hasResourceProperties('AWS::Route53::RecordSet', {
        SetIdentifier: region,
        AliasTarget: { DNSName: output(region, 'RegionalDomainName'), HostedZoneId: output(region, 'RegionalHostedZoneId'), EvaluateTargetHealth: false },
      });
    }
    dns.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    dns.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Route53', MetricName: 'HealthCheckStatus' });
  });

  test('no stack outputs a secret: the stage URL, the primary region\'s pool and client ids its secondary reads, and the domain targets the DNS stack reads', () => {
    for (const stack of apiStacks) {
      const outputs = Object.entries(Template.fromStack(stack).toJSON().Outputs ?? {}) as Array<[string, { Value: unknown }]>;
      const [url, ...published] = outputs;
      expect(JSON.stringify(url[1].Value)).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",/);
      for (const [id, output] of published) {
        expect(id).toMatch(/^PublishOutput(FnGetAttUsers[0-9A-F]+Arn|RefUsers(InventorySync|WebApp)|FnGetAttDomain[0-9A-F]+Regional(DomainName|HostedZoneId))/);
        expect(JSON.stringify(output.Value)).not.toMatch(/Secret/);
      }
    }
  });
});

describe('environment selection and bad settings', () => {
  test('-c env=prod narrows the app to prod: its regions and its DNS', () => {
    const app = synthApp({ env: 'prod' });
    expect(app.node.children.map((child) => child.node.id)).toEqual(['SecureApi-prod-eu-west-1', 'SecureApi-prod-eu-central-1', 'SecureApi-prod-dns']);
  });

  test('-c env=staging narrows the app to staging', () => {
    expect(synthApp({ env: 'staging' }).node.children.map((child) => child.node.id)).toEqual(['SecureApi-staging']);
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

  test('latency routing over three regions', () => {
    const environments = JSON.parse(JSON.stringify(CDK_JSON_CONTEXT[ENVIRONMENTS_CONTEXT_KEY]));
    environments.prod.regions.push('eu-north-1');
    environments.prod.routing = 'latency';
    environments.prod.domain.certificateArns['eu-north-1'] = 'arn:aws:acm:eu-north-1:333333333333:certificate/3a3a3a3a-0000-4000-8000-000000000003';
    const app = synthApp({ [ENVIRONMENTS_CONTEXT_KEY]: environments, env: 'prod' });
    app.synth(); // resolves the cross-region references, and the dependencies they bring
    const stacks = app.node.children as Stack[];
    expect(stacks.map((stack) => stack.stackName)).toEqual(['SecureApi-prod-eu-west-1', 'SecureApi-prod-eu-central-1', 'SecureApi-prod-eu-north-1', 'SecureApi-prod-dns']);
    // The second region keeps the global table (a region appended to the list does not move it):
    // it deploys after the others, whose key aliases it uses.
    expect(stacks[1].dependencies.map((stack) => stack.stackName).sort()).toEqual(['SecureApi-prod-eu-north-1', 'SecureApi-prod-eu-west-1']);
    expect(stacks[2].dependencies.map((stack) => stack.stackName)).toEqual(['SecureApi-prod-eu-west-1']);
    Template.fromStack(stacks[1]).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'secure-api-prod-blocks',
      Replicas: Match.arrayWith([Match.objectLike({ Region: 'eu-west-1' }), Match.objectLike({ Region: 'eu-north-1' })]),
    });
    Template.fromStack(stacks[2]).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/secure-api/secure-api-prod-blocks' });
    const records = Object.values(Template.fromStack(stacks[3]).findResources('AWS::Route53::RecordSet')).map((r) => r.Properties.Region);
    expect(records).toEqual(['eu-west-1', 'eu-central-1', 'eu-north-1']);
  });
});

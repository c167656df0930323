import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Aws, CfnCondition, Fn, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ApiFirewall,
  RouteAuthorization,
  SecureRestApi,
  SecurityReport,
  UsageQuota,
  UsageTiers,
} from '../../../lib';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING, inlineFunction } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';
import { NAG_ACKNOWLEDGEMENTS, nagAcknowledgementId } from '../../../lib/private/nag';
import * as reportModel from '../../../lib/private/security-report/report-model';

// buildReport as it is, made a mock so that one test can make it throw.
jest.mock('../../../lib/private/security-report/report-model', () => {
  const actual = jest.requireActual('../../../lib/private/security-report/report-model');
  return { ...actual, buildReport: jest.fn(actual.buildReport) };
});

/** The ids of the cdk-nag findings the library's constructs acknowledge themselves. */
const LIBRARY_ACKNOWLEDGEMENT_IDS = new Set<string>(Object.values(NAG_ACKNOWLEDGEMENTS).flatMap((a) => a.rules.map(nagAcknowledgementId)));

// The report must not depend on aws-cdk-lib's rule engine: these synths run without it.
skipTemplateValidatorInThisFile();

function newApp(): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
}

/** A representative stack: routes of each kind, a usage tier, a firewall, a table, acknowledgements. */
function representativeStack(app: App) {
  const stack = new Stack(app, 'ReportStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const handler = inlineFunction(stack);
  const integration = new apigw.LambdaIntegration(handler);
  const api = new SecureRestApi(stack, 'Api', {
    throttle: { rateLimit: 100, burstLimit: 200 },
    routes: {
      'GET /health': { authorization: RouteAuthorization.publicAccess('health check'), integration },
      'GET /pets': { authorization: RouteAuthorization.apiKey(), integration },
      'POST /pets': { authorization: RouteAuthorization.iam(), integration, throttle: { rateLimit: 5, burstLimit: 10 } },
    },
  });
  new UsageTiers(stack, 'Tiers', {
    api,
    tiers: [{ name: 'gold', throttle: { rateLimit: 50, burstLimit: 100 }, quota: UsageQuota.perDay(1000), methodThrottles: { 'GET /pets': { rateLimit: 20, burstLimit: 40 } } }],
  });
  const firewall = new ApiFirewall(stack, 'Firewall', { api });
  const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  Validations.of(table).acknowledge({ id: 'cdk-nag::AwsSolutions-DDB3', reason: 'a cache, rebuilt from the source on loss' });
  Validations.of(api).acknowledge({ id: 'annotation::secure-api:example', reason: 'acknowledged on a construct that is not a resource' });
  return { stack, api, firewall };
}

function reportOf(app: App, artifactId: string) {
  const dir = app.outdir;
  return {
    markdown: readFileSync(path.join(dir, SecurityReport.markdownFileName(artifactId)), 'utf-8'),
    json: JSON.parse(readFileSync(path.join(dir, SecurityReport.jsonFileName(artifactId)), 'utf-8')),
  };
}

describe('SecurityReport on a representative stack', () => {
  const app = newApp();
  const { stack, firewall } = representativeStack(app);
  app.synth();
  const template = Template.fromStack(stack).toJSON();
  const resources = Object.entries(template.Resources as Record<string, any>);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const { markdown, json } = reportOf(app, stack.artifactId);

  test('is written with the cloud assembly, as Markdown and JSON', () => {
    expect(markdown).toMatch(/^# Security and cost report: ReportStack\n/);
    expect(json.schemaVersion).toBe(1);
    expect(json.stack).toEqual({ artifactId: 'ReportStack', stackName: 'ReportStack', constructPath: 'ReportStack', region: 'eu-west-1', account: '123456789012' });
  });

  test('every route matches its AWS::ApiGateway::Method: authorization type, scopes, API key', () => {
    const methods = ofType('AWS::ApiGateway::Method');
    expect(json.routes).toHaveLength(methods.length);
    for (const route of json.routes) {
      const method = template.Resources[route.logicalId];
      expect(method.Type).toBe('AWS::ApiGateway::Method');
      expect(route.routeKey.split(' ')[0]).toBe(method.Properties.HttpMethod);
      expect(route.authorizationType).toBe(method.Properties.AuthorizationType);
      expect(route.scopes).toEqual(method.Properties.AuthorizationScopes ?? []);
      expect(route.apiKeyRequired).toBe(method.Properties.ApiKeyRequired === true);
    }
  });

  test('routes carry the access matrix\'s descriptions and their throttle: the method\'s own, or the stage\'s', () => {
    const byKey = Object.fromEntries(json.routes.map((r: any) => [r.routeKey, r]));
    expect(byKey['GET /health']).toMatchObject({ authorization: 'public: health check', authorizationType: 'NONE', apiKeyRequired: false, throttle: { rateLimit: 100, burstLimit: 200, source: 'stage' } });
    expect(byKey['GET /pets']).toMatchObject({ authorization: 'API key', apiKeyRequired: true });
    expect(byKey['POST /pets']).toMatchObject({ authorization: 'IAM', authorizationType: 'AWS_IAM', throttle: { rateLimit: 5, burstLimit: 10, source: 'method' } });
    expect(json.stageThrottles).toEqual([expect.objectContaining({ rateLimit: 100, burstLimit: 200, stage: 'v1' })]);
  });

  test('usage tiers with their throttle, quota and per-method throttles', () => {
    expect(json.usageTiers).toEqual([expect.objectContaining({
      throttle: { rateLimit: 50, burstLimit: 100 },
      quota: { limit: 1000, period: 'DAY', offset: undefined },
      methodThrottles: [{ method: '/pets/GET', rateLimit: 20, burstLimit: 40 }],
    })]);
  });

  test('the WAF rules in the web ACL\'s order with their actions, and the capacity the firewall computed', () => {
    const [[aclId, acl]] = ofType('AWS::WAFv2::WebACL');
    const rules = [...acl.Properties.Rules].sort((a: any, b: any) => a.Priority - b.Priority);
    expect(json.firewalls).toHaveLength(1);
    const report = json.firewalls[0];
    expect(report.logicalId).toBe(aclId);
    expect(report.rules.map((r: any) => [r.priority, r.name])).toEqual(rules.map((r: any) => [r.Priority, r.Name]));
    rules.forEach((rule: any, i: number) => {
      if (rule.Action) {
        expect(report.rules[i].action).toBe(Object.keys(rule.Action)[0].toUpperCase());
      } else {
        expect(report.rules[i].managedGroup.name).toBe(rule.Statement.ManagedRuleGroupStatement.Name);
        expect(report.rules[i].action).toBe(rule.OverrideAction.Count ? 'COUNT (whole group)' : 'rules\' own actions');
      }
    });
    expect(report.capacityUsed).toBe(firewall.capacity);
    expect(report.capacityLimit).toBe(5000);
  });

  test('every KMS key, log group, topic, table and alarm of the template is in the report', () => {
    expect(json.keys.map((k: any) => k.logicalId).sort()).toEqual(ofType('AWS::KMS::Key').map(([id]) => id).sort());
    expect(json.keys.every((k: any) => k.rotation)).toBe(true);
    for (const type of ['AWS::Logs::LogGroup', 'AWS::SNS::Topic', 'AWS::DynamoDB::GlobalTable']) {
      expect(json.encryption.filter((e: any) => e.type === type).map((e: any) => e.logicalId).sort()).toEqual(ofType(type).map(([id]) => id).sort());
    }
    expect(ofType('AWS::DynamoDB::GlobalTable')).toHaveLength(1);
    const alarms = [...ofType('AWS::CloudWatch::Alarm'), ...ofType('AWS::CloudWatch::CompositeAlarm')];
    expect(alarms.length).toBeGreaterThan(0);
    expect(json.alarms.map((a: any) => a.logicalId).sort()).toEqual(alarms.map(([id]) => id).sort());
  });

  test('log groups are encrypted with the API\'s key and say their retention', () => {
    const [[keyId]] = ofType('AWS::KMS::Key');
    const logGroups = json.encryption.filter((e: any) => e.type === 'AWS::Logs::LogGroup');
    for (const group of logGroups) {
      const resource = template.Resources[group.logicalId];
      expect(group.kmsKey).toBe(resource.Properties.KmsKeyId ? keyId : undefined);
      expect(group.retentionDays).toBe(resource.Properties.RetentionInDays);
      expect(group.retentionNeverExpires).toBe(resource.Properties.RetentionInDays === undefined ? true : undefined);
    }
    expect(json.encryption.find((e: any) => e.type === 'AWS::DynamoDB::GlobalTable').encryption).toBe('AWS owned key (DynamoDB default)');
  });

  test('alarms notify the API\'s topic', () => {
    const [[topicId]] = ofType('AWS::SNS::Topic');
    for (const alarm of json.alarms) {
      expect(alarm.actions).toEqual([{ target: `SNS topic ${topicId}`, subscriptions: [] }]);
    }
  });

  test('the resource count is the template\'s', () => {
    expect(json.resourceCounts).toEqual([{ template: 'ReportStack', fileName: 'ReportStack.template.json', resources: resources.length, limit: 500 }]);
  });

  test('every acknowledgement, with its reason, construct path and (on a resource) logical id', () => {
    const tableId = stack.getLogicalId(stack.node.findChild('Table').node.defaultChild as any);
    // The library's own acknowledgements of cdk-nag findings are listed too, each on its resource.
    expect(json.acknowledgements).toContainEqual({
      ruleId: 'Serverless::Serverless-APIGWStructuredLogging',
      reason: NAG_ACKNOWLEDGEMENTS.jsonAccessLog.reason,
      constructPath: 'ReportStack/Api/Resource/DeploymentStage.v1',
      logicalId: expect.stringMatching(/^ApiDeploymentStagev1/),
      template: 'ReportStack',
    });
    expect(json.acknowledgements.filter((a: any) => !LIBRARY_ACKNOWLEDGEMENT_IDS.has(a.ruleId))).toEqual([
      { ruleId: 'Annotation::secure-api:example', reason: 'acknowledged on a construct that is not a resource', constructPath: 'ReportStack/Api' },
      { ruleId: 'cdk-nag::AwsSolutions-DDB3', reason: 'a cache, rebuilt from the source on loss', constructPath: 'ReportStack/Table', logicalId: tableId, template: 'ReportStack' },
    ]);
  });

  test('the fixed monthly cost: quantity × unit price = amount, and the total is their sum', () => {
    const cost = json.cost;
    expect(cost.pricesTakenOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const line of [...cost.fixedMonthly, ...cost.perMillionRequests]) {
      expect(line.amountUsd).toBeCloseTo(line.quantity * line.unitPriceUsd, 4);
      expect(line.source).toMatch(/^https:\/\//);
    }
    expect(cost.fixedMonthlyTotalUsd).toBeCloseTo(cost.fixedMonthly.reduce((t: number, l: any) => t + l.amountUsd, 0), 4);
    const items = Object.fromEntries(cost.fixedMonthly.map((l: any) => [l.item.split(' (')[0], l]));
    const acl = ofType('AWS::WAFv2::WebACL')[0][1];
    const managed = acl.Properties.Rules.filter((r: any) => r.Statement.ManagedRuleGroupStatement).length;
    expect(items['AWS WAF web ACL']).toMatchObject({ quantity: 1, amountUsd: 5 });
    expect(items['AWS WAF rules']).toMatchObject({ quantity: acl.Properties.Rules.length - managed });
    expect(items['AWS WAF managed rule groups, billed as rules']).toMatchObject({ quantity: managed });
    expect(items['AWS KMS customer-managed keys']).toMatchObject({ quantity: 1, amountUsd: 1 });
    expect(cost.perMillionRequests.map((l: any) => l.item)).toEqual(['AWS WAF requests inspected', 'API Gateway REST API calls']);
  });

  test('the Markdown report matches its reviewed snapshot', () => {
    expect(markdown).toMatchSnapshot();
  });

  test('the JSON report\'s shape (its key paths, not its values) matches its reviewed snapshot', () => {
    // The JSON type is private (not jsii-friendly): this pins its shape for the tools that read it.
    const paths = new Set<string>();
    const walk = (value: unknown, at: string) => {
      if (Array.isArray(value)) {
        value.forEach((item) => walk(item, `${at}[]`));
      } else if (value !== null && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          paths.add(`${at}.${key}`);
          walk(child, `${at}.${key}`);
        }
      }
    };
    walk(json, '');
    expect([...paths].sort()).toMatchSnapshot();
  });
});

describe('SecurityReport with nested stacks', () => {
  const app = newApp();
  const stack = new Stack(app, 'Large', { env: { account: '123456789012', region: 'eu-west-1' } });
  const integration = new apigw.MockIntegration();
  const routes = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((p) => [`GET /${p}/{id}`, { authorization: RouteAuthorization.iam(), integration }]));
  new SecureRestApi(stack, 'Api', { routes, routesInApiStack: 0, routesPerNestedStack: 2, alarms: { enabled: false } });
  app.synth();
  const { json } = reportOf(app, stack.artifactId);
  const nested = stack.node.findAll().filter(NestedStack.isNestedStack);

  test('routes in nested stacks resolve their path and API through the parent\'s parameters', () => {
    expect(nested.length).toBeGreaterThan(1);
    expect(json.routes.map((r: any) => r.routeKey)).toEqual(Object.keys(routes));
    const restApiId = stack.getLogicalId((stack.node.findChild('Api') as SecureRestApi).api.node.defaultChild as any);
    expect(new Set(json.routes.map((r: any) => r.api))).toEqual(new Set([restApiId]));
    expect(json.routes.every((r: any) => r.authorization === 'IAM' && r.template !== 'Large')).toBe(true);
  });

  test('each template\'s resources are counted on their own', () => {
    expect(json.resourceCounts.map((c: any) => c.template)).toEqual(['Large', ...nested.map((n) => n.node.path)]);
    for (const count of json.resourceCounts) {
      const file = JSON.parse(readFileSync(path.join(app.outdir, count.fileName), 'utf-8'));
      expect(count.resources).toBe(Object.keys(file.Resources).length);
    }
  });
});

/** A small API, with one route (API Gateway refuses an API without methods). */
function smallApi(stack: Stack, id: string, securityReport?: boolean): SecureRestApi {
  return new SecureRestApi(stack, id, {
    securityReport,
    alarms: { enabled: false },
    routes: { 'GET /items': { authorization: RouteAuthorization.iam(), integration: new apigw.MockIntegration() } },
  });
}

/** What a synth prints (console and standard streams), with the assembly's temporary directory masked. */
function printedBySynth(app: App): string[] {
  const spies = [jest.spyOn(console, 'log'), jest.spyOn(console, 'error'), jest.spyOn(console, 'warn'), jest.spyOn(process.stderr, 'write'), jest.spyOn(process.stdout, 'write')];
  try {
    app.synth();
    return spies.flatMap((spy) => spy.mock.calls.map((call) => String(call[0]).split(app.outdir).join('<outdir>')));
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

describe('SecurityReport switches', () => {
  test('prints nothing: a synth prints the same with the report as without it', () => {
    const withReport = newApp();
    smallApi(new Stack(withReport, 'S'), 'Api');
    const without = newApp();
    smallApi(new Stack(without, 'S'), 'Api', false);
    const printed = printedBySynth(withReport);
    expect(existsSync(path.join(withReport.outdir, SecurityReport.markdownFileName('S')))).toBe(true);
    expect(printed).toEqual(printedBySynth(without));
    expect(printed.join('\n')).not.toMatch(/security-report/i);
  });

  test('`securityReport: false` writes no report', () => {
    const app = newApp();
    const stack = new Stack(app, 'Quiet');
    smallApi(stack, 'Api', false);
    app.synth();
    expect(existsSync(path.join(app.outdir, SecurityReport.markdownFileName('Quiet')))).toBe(false);
    expect(SecurityReport.isEnabled(stack)).toBe(false);
  });

  test('the plugin is registered once on the app, however many APIs and stacks ask for it', () => {
    const app = newApp();
    for (const id of ['One', 'Two']) {
      const stack = new Stack(app, id);
      smallApi(stack, 'Api');
      smallApi(stack, 'Other');
    }
    const plugins = (app as any)._validationPlugins.filter((p: any) => p.name === SecurityReport.PLUGIN_NAME);
    expect(plugins).toHaveLength(1);
    app.synth();
    expect(existsSync(path.join(app.outdir, SecurityReport.jsonFileName('One')))).toBe(true);
    expect(existsSync(path.join(app.outdir, SecurityReport.jsonFileName('Two')))).toBe(true);
  });

  test('acknowledgements on the app are in force in every stack; one on a construct without a default child is listed too', () => {
    const app = newApp();
    Validations.of(app).acknowledge({ id: 'annotation::app-wide', reason: 'applies everywhere' });
    const stack = new Stack(app, 'Acked');
    const api = smallApi(stack, 'Api');
    Validations.of(api.node.findChild('AccessLogMetrics')).acknowledge({ id: 'annotation::metrics', reason: 'a group of metric filters' });
    app.synth();
    const { json } = reportOf(app, 'Acked');
    expect(json.acknowledgements.filter((a: any) => !LIBRARY_ACKNOWLEDGEMENT_IDS.has(a.ruleId))).toEqual([
      { ruleId: 'Annotation::app-wide', reason: 'applies everywhere', constructPath: '' },
      { ruleId: 'Annotation::metrics', reason: 'a group of metric filters', constructPath: 'Acked/Api/AccessLogMetrics' },
    ]);
  });

  test('an acknowledgement on a construct with no resource in the stack (an imported table) is labelled so', () => {
    const app = newApp();
    const stack = new Stack(app, 'Replica');
    smallApi(stack, 'Api');
    const imported = dynamodb.Table.fromTableName(stack, 'State', 'abuse-state');
    Validations.of(imported).acknowledge({ id: 'annotation::imported', reason: 'the table is in another region' });
    app.synth();
    const { json, markdown } = reportOf(app, 'Replica');
    expect(json.acknowledgements.filter((a: any) => !LIBRARY_ACKNOWLEDGEMENT_IDS.has(a.ruleId))).toEqual([
      { ruleId: 'Annotation::imported', reason: 'the table is in another region', constructPath: 'Replica/State', noResourceInStack: true },
    ]);
    expect(markdown).toContain('| Annotation::imported | the table is in another region | Replica/State | no resource in this stack |');
  });

  test('an alarm whose actions are an Fn::If (escape hatch) is reported with both branches\' actions, and the synth succeeds', () => {
    const app = newApp();
    const stack = new Stack(app, 'Conditional');
    new SecureRestApi(stack, 'Api', { routes: { 'GET /items': { authorization: RouteAuthorization.iam(), integration: new apigw.MockIntegration() } } });
    const condition = new CfnCondition(stack, 'Notify', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    const topic = stack.node.findAll().find((c): c is sns.CfnTopic => c instanceof sns.CfnTopic)!;
    const [alarm] = stack.node.findAll().filter((c): c is cloudwatch.CfnAlarm => c instanceof cloudwatch.CfnAlarm);
    alarm.addPropertyOverride('AlarmActions', Fn.conditionIf(condition.logicalId, [topic.ref], Aws.NO_VALUE));
    expect(() => app.synth()).not.toThrow();
    const { json } = reportOf(app, 'Conditional');
    expect(json.incomplete).toBeUndefined();
    const row = json.alarms.find((a: any) => a.logicalId === stack.getLogicalId(alarm));
    expect(row.actions).toEqual([{ target: `SNS topic ${stack.getLogicalId(topic)}`, subscriptions: [] }]);
  });

  test('an unexpected error writes a report marked incomplete, naming the error, instead of failing the synth', () => {
    jest.mocked(reportModel.buildReport).mockImplementationOnce(() => {
      throw new TypeError('object is not iterable');
    });
    {
      const app = newApp();
      smallApi(new Stack(app, 'Broken'), 'Api');
      expect(() => app.synth()).not.toThrow();
      const { json, markdown } = reportOf(app, 'Broken');
      expect(json).toEqual({
        schemaVersion: 1,
        incomplete: true,
        error: 'TypeError: object is not iterable',
        stack: { artifactId: 'Broken', stackName: 'Broken', constructPath: 'Broken' },
      });
      expect(markdown).toMatch(/^# Security and cost report: Broken \(INCOMPLETE\)\n/);
      expect(markdown).toContain('TypeError: object is not iterable');
    }
  });

  test('a stack in a stage gets its report in the stage\'s assembly, from the plugin on the app', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod');
    const stack = new Stack(stage, 'Api');
    smallApi(stack, 'Api');
    expect((stage as any)._validationPlugins).toEqual([]);
    const assembly = app.synth().getNestedAssembly(stage.artifactId);
    const json = JSON.parse(readFileSync(path.join(assembly.directory, SecurityReport.jsonFileName(stack.artifactId)), 'utf-8'));
    expect(json.stack).toMatchObject({ artifactId: stack.artifactId, constructPath: 'Prod/Api' });
    expect(json.routes.map((r: any) => r.routeKey)).toEqual(['GET /items']);
  });

  test('SecurityReport.enable() asks for the report of a stack without an API', () => {
    const app = newApp();
    const stack = new Stack(app, 'Plain');
    new Stack(app, 'Other');
    SecurityReport.enable(stack);
    app.synth();
    expect(SecurityReport.isEnabled(stack)).toBe(true);
    expect(existsSync(path.join(app.outdir, SecurityReport.jsonFileName('Plain')))).toBe(true);
    expect(existsSync(path.join(app.outdir, SecurityReport.jsonFileName('Other')))).toBe(false);
  });
});

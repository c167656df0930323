import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  ApiDashboard,
  ApiDashboardProps,
  JwtAuthorizer,
  LambdaRouteIntegration,
  RouteAuthorization,
  SecureRestApi,
  SecureRestApiProps,
} from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { inlineFunction, logicalId, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const PREFIX = 'TestStack-Api-46A8C9EA';
const NAMESPACE = `SecureApi/${PREFIX}`;


/** An API with a Lambda route and a JWT-guarded route, and its dashboard. */
function build(apiProps: SecureRestApiProps = {}, dashboardProps: Partial<ApiDashboardProps> = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api', apiProps);
  const fn = inlineFunction(stack);
  const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers: [{ issuer: 'https://login.example.com/', audience: ['x'], scopes: ['s'] }] });
  api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(fn) });
  api.addRoute('GET /orders', { authorization: jwt.authorize({ scopes: ['s'] }), integration: new LambdaRouteIntegration(fn) });
  const dashboard = new ApiDashboard(stack, 'Dashboard', { api, ...dashboardProps });
  return { stack, api, fn, jwt, dashboard };
}

interface Widget {
  readonly type: string;
  readonly width: number;
  readonly height: number;
  readonly x: number;
  readonly y: number;
  readonly properties: Record<string, any>;
}

/**
 * The dashboard body as JSON. aws-cdk-lib renders `DashboardBody` as a Fn::Join of JSON text and
 * tokens (a Ref of the region, the stage or a function; a Fn::GetAtt of an alarm's Arn), each token
 * sitting inside a JSON string: it is replaced here by `<Ref:id>` or `<Arn:id>`.
 */
function dashboardBody(stack: Stack, dashboard: ApiDashboard): { start: string; widgets: Widget[] } {
  const body = stack.resolve((dashboard.dashboard.node.defaultChild as cloudwatch.CfnDashboard).dashboardBody);
  const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  const text = parts.map((part) => {
    if (typeof part === 'string') {
      return part;
    }
    const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    if (token.Ref !== undefined) {
      return `<Ref:${token.Ref}>`;
    }
    if (token['Fn::GetAtt']?.[1] === 'Arn') {
      return `<Arn:${token['Fn::GetAtt'][0]}>`;
    }
    throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(part)}`);
  }).join('');
  return JSON.parse(text);
}

function graph(widgets: Widget[], title: string): Widget {
  const found = widgets.filter((w) => w.type === 'metric' && w.properties.title === title);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('ApiDashboard', () => {
  const { stack, api, fn, jwt, dashboard } = build();
  const template = Template.fromStack(stack);
  const { start, widgets } = dashboardBody(stack, dashboard);
  const stageRef = `<Ref:${logicalId(stack, api.stage)}>`;
  const stage = ['AWS/ApiGateway', 'ApiName', PREFIX, 'Stage', stageRef];

  test('one dashboard named after the dashboard construct, opening on the last 3 hours', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'TestStack-Dashboard-6BE37D5A' });
    expect(start).toBe('-PT3H');
  });

  test('the first row is an alarm status widget listing every alarm of the API, the incident alarm included', () => {
    expect(widgets[0]).toEqual(expect.objectContaining({ type: 'alarm', x: 0, y: 0, width: 24 }));
    const expected = [...api.alarms!.alarms, api.alarms!.incidentAlarm].map((alarm) => `<Arn:${logicalId(stack, alarm)}>`);
    expect(widgets[0].properties.alarms).toEqual(expected);
    const inTemplate = [
      ...Object.keys(template.findResources('AWS::CloudWatch::Alarm')),
      ...Object.keys(template.findResources('AWS::CloudWatch::CompositeAlarm')),
    ].map((id) => `<Arn:${id}>`);
    expect([...widgets[0].properties.alarms].sort()).toEqual(inTemplate.sort());
    expect(widgets.filter((w) => w.type === 'alarm')).toHaveLength(1);
  });

  test('requests a minute: the Sum of Count over 1 minute', () => {
    expect(graph(widgets, 'Requests a minute').properties.metrics).toEqual([
      [stage[0], 'Count', ...stage.slice(1), { label: 'requests', period: 60, stat: 'Sum' }],
    ]);
  });

  test('errors a minute: 4XX and 5XX, Sum over 1 minute', () => {
    expect(graph(widgets, 'Errors a minute').properties.metrics).toEqual([
      [stage[0], '4XXError', ...stage.slice(1), { label: '4XX', period: 60, stat: 'Sum' }],
      [stage[0], '5XXError', ...stage.slice(1), { label: '5XX', period: 60, stat: 'Sum' }],
    ]);
  });

  test('latency p50, p90 and p99 over 1 minute', () => {
    expect(graph(widgets, 'Latency (ms)').properties.metrics).toHaveLength(3);
    expect(graph(widgets, 'Latency (ms)').properties.metrics).toEqual(['p50', 'p90', 'p99'].map((p) =>
      [stage[0], 'Latency', ...stage.slice(1), { label: p, period: 60, stat: p }]));
  });

  test.each([
    ['Failed authentications a minute (401, 403)', 'FailedAuthentications', 'refused'],
    ['Throttled requests a minute (429)', 'ThrottledRequests', 'throttled'],
  ])('%s: %s of the access log, Sum over 1 minute', (title, metricName, label) => {
    expect(graph(widgets, title).properties.metrics).toEqual([[NAMESPACE, metricName, { label, period: 60, stat: 'Sum' }]]);
  });

  test('integration errors and authorizer failures a minute: both access-log metrics on one graph, Sum over 1 minute', () => {
    expect(graph(widgets, 'Integration errors and authorizer failures a minute').properties.metrics).toEqual([
      [NAMESPACE, 'IntegrationErrors', { label: 'integration failed or timed out', period: 60, stat: 'Sum' }],
      [NAMESPACE, 'AuthorizerFailures', { label: 'authorizer failed', period: 60, stat: 'Sum' }],
    ]);
  });

  test.each([
    ['Function errors a minute', 'Errors', 'Sum'],
    ['Function throttles a minute', 'Throttles', 'Sum'],
    ['Function duration p99 (ms)', 'Duration', 'p99'],
  ])('%s: %s of every watched function (the route\'s and the authorizer\'s), %s over 1 minute', (title, metricName, stat) => {
    expect(api.alarms!.monitoredFunctions).toEqual([jwt.function, fn]);
    expect(graph(widgets, title).properties.metrics).toEqual([jwt.function, fn].map((f) =>
      ['AWS/Lambda', metricName, 'FunctionName', `<Ref:${logicalId(stack, f)}>`, { label: f.node.path.replace(`${stack.node.id}/`, ''), period: 60, stat }]));
  });

  test('graphs are a third of the dashboard wide, start at 0, and are laid out in rows', () => {
    const graphs = widgets.filter((w) => w.type === 'metric');
    expect(graphs).toHaveLength(9);
    for (const g of graphs) {
      expect({ title: g.properties.title, width: g.width, height: g.height, min: g.properties.yAxis?.left?.min })
        .toEqual({ title: g.properties.title, width: 8, height: 6, min: 0 });
    }
    expect(graphs.map((g) => [g.x, g.y])).toEqual([[0, 4], [8, 4], [16, 4], [0, 10], [8, 10], [16, 10], [0, 16], [8, 16], [16, 16]]);
  });

  test('addRow adds widgets after the others', () => {
    const extra = build();
    extra.dashboard.addRow(
      new cloudwatch.TextWidget({ markdown: '# Firewall', width: 12, height: 2 }),
      new cloudwatch.SingleValueWidget({ title: 'Blocked', metrics: [new cloudwatch.Metric({ namespace: 'AWS/WAFV2', metricName: 'BlockedRequests' })], width: 12, height: 2 }),
    );
    const all = dashboardBody(extra.stack, extra.dashboard).widgets;
    expect(all).toHaveLength(widgets.length + 2);
    const [text, value] = all.slice(-2);
    expect(text).toEqual(expect.objectContaining({ type: 'text', x: 0, y: 22 }));
    expect(text.properties.markdown).toBe('# Firewall');
    expect(value).toEqual(expect.objectContaining({ type: 'metric', x: 12, y: 22 }));
    expect(value.properties.title).toBe('Blocked');
  });
});

describe('ApiDashboard options', () => {
  test('dashboardName names the dashboard', () => {
    const { stack } = build({}, { dashboardName: 'pets-api_prod' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'pets-api_prod' });
  });

  test('two dashboards of one API get different default names', () => {
    const { stack, api, dashboard } = build();
    const second = new ApiDashboard(stack, 'OnCallDashboard', { api });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 2);
    const nameOf = (d: ApiDashboard) => template.toJSON().Resources[logicalId(stack, d.dashboard)].Properties.DashboardName as string;
    expect(nameOf(dashboard)).toBe('TestStack-Dashboard-6BE37D5A');
    expect(nameOf(second)).toMatch(/^TestStack-OnCallDashboard-[0-9A-F]{8}$/);
    expect(nameOf(second)).not.toBe(nameOf(dashboard));
    // Neither takes the API's name, which a second dashboard would repeat.
    expect([nameOf(dashboard), nameOf(second)]).not.toContain(PREFIX);
  });

  test('a token dashboardName is accepted and passed through', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api', { alarms: { enabled: false } });
    api.addRoute('GET /x', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const name = new CfnParameter(stack, 'DashboardName');
    new ApiDashboard(stack, 'Dashboard', { api, dashboardName: name.valueAsString });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: { Ref: 'DashboardName' } });
  });

  test('defaultRange sets the time range it opens with', () => {
    const { stack, dashboard } = build({}, { defaultRange: Duration.hours(12) });
    expect(dashboardBody(stack, dashboard).start).toBe('-PT12H');
  });

  test.each([
    'bad name',
    'pets/api',
    'pets.api',
    '',
    'a'.repeat(256),
  ])('refuses the dashboard name %j', (dashboardName) => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    expect(errorOf(ValidationError, () => new ApiDashboard(stack, 'Dashboard', { api, dashboardName })).message)
      .toBe(`\`dashboardName\` must be 1 to 255 letters, digits, '-' or '_', got '${dashboardName}' (at TestStack/Dashboard)`);
  });

  test('a name of 255 characters is accepted', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    expect(() => new ApiDashboard(stack, 'Dashboard', { api, dashboardName: 'a'.repeat(255) })).not.toThrow();
  });

  test('the default name stays valid for a long construct path', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'A'.repeat(300), { restApiName: 'short-name', alarms: { enabled: false } });
    api.addRoute('GET /x', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const dashboard = new ApiDashboard(stack, 'Dashboard', { api });
    expect(dashboard.dashboard.dashboardName).toBeDefined();
    const name = Template.fromStack(stack).toJSON().Resources[logicalId(stack, dashboard.dashboard)].Properties.DashboardName as string;
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
  });
});

describe('ApiDashboard without alarms', () => {
  test('has no alarm widget, and still graphs the API\'s traffic, errors, latency and access-log metrics', () => {
    const { stack, api, dashboard } = build({ alarms: { enabled: false } });
    expect(api.alarms).toBeUndefined();
    const { widgets } = dashboardBody(stack, dashboard);
    expect(widgets.filter((w) => w.type === 'alarm')).toHaveLength(0);
    const titles = widgets.map((w) => w.properties.title);
    expect(titles).toEqual(expect.arrayContaining([
      'Requests a minute',
      'Errors a minute',
      'Latency (ms)',
      'Failed authentications a minute (401, 403)',
      'Throttled requests a minute (429)',
      'Integration errors and authorizer failures a minute',
    ]));
    expect(widgets[0].y).toBe(0);
  });
});

describe('labels', () => {
  // Functions are labelled with their path in the stack: ids alone repeat (every JwtAuthorizer's
  // function is `Function`; a `Handler` per feature construct).
  test('two watched functions with the same construct id get distinct labels', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    const handlerOf = (feature: string) => new lambda.Function(new Construct(stack, feature), 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
    });
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(handlerOf('Pets')) });
    api.addRoute('GET /orders', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(handlerOf('Orders')) });
    const dashboard = new ApiDashboard(stack, 'Dashboard', { api });
    const labels = graph(dashboardBody(stack, dashboard).widgets, 'Function errors a minute').properties.metrics
      .map((metric: unknown[]) => (metric[metric.length - 1] as { label: string }).label);
    expect(labels).toHaveLength(2);
    expect(new Set(labels).size).toBe(2);
  });
});

test('an `api` that is not a SecureRestApi is refused with the fix', () => {
  const stack = newStack();
  const plain = new apigw.RestApi(stack, 'Plain');
  plain.root.addMethod('GET');
  expect(errorOf(ValidationError, () => new ApiDashboard(stack, 'Dashboard', { api: plain as any })).message)
    .toBe("`api` must be a SecureRestApi, got the construct at 'TestStack/Plain': pass the API whose metrics the dashboard shows (at TestStack/Dashboard)");
});

import { CfnParameter, Duration, Lazy, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ApiAlarmThresholds,
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

/** The unique name of an API with the id `Api` in `TestStack`: its alarm names start with it. */
const PREFIX = 'TestStack-Api-46A8C9EA';
const NAMESPACE = `SecureApi/${PREFIX}`;

/** A default API with one Lambda route (API Gateway refuses an API without methods). */
function build(props: SecureRestApiProps = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api', props);
  const fn = inlineFunction(stack);
  api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(fn) });
  return { stack, api, fn };
}

/** The same, plus a JWT authorizer guarding a second route. */
function buildWithAuthorizer(props: SecureRestApiProps = {}) {
  const built = build(props);
  const jwt = new JwtAuthorizer(built.stack, 'Jwt', { api: built.api, issuers: [{ issuer: 'https://login.example.com/', audience: ['x'], scopes: ['s'] }] });
  built.api.addRoute('GET /orders', { authorization: jwt.authorize({ scopes: ['s'] }), integration: new LambdaRouteIntegration(built.fn) });
  return { ...built, jwt };
}


type Resource = { Type: string; Properties: Record<string, any> };

function alarmsOf(template: Template): Record<string, Resource> {
  return template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
}

/** The one alarm whose name is `<PREFIX>-<suffix>`, or whose name matches `suffix` as a pattern. */
function alarmNamed(template: Template, suffix: string | RegExp): Resource {
  const found = Object.values(alarmsOf(template)).filter((alarm) => {
    const name = String(alarm.Properties.AlarmName);
    return typeof suffix === 'string' ? name === `${PREFIX}-${suffix}` : suffix.test(name);
  });
  expect(found).toHaveLength(1);
  return found[0];
}

/** The composite alarm's rule as text, with each alarm ARN (a Fn::GetAtt) written as `arn:<logical id>`. */
function renderedRule(template: Template): string {
  const composites = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')) as Resource[];
  expect(composites).toHaveLength(1);
  const rule = composites[0].Properties.AlarmRule;
  const parts: unknown[] = typeof rule === 'string' ? [rule] : rule['Fn::Join'][1];
  return parts.map((part) => {
    if (typeof part === 'string') {
      return part;
    }
    const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (!getAtt || getAtt[1] !== 'Arn') {
      throw new Error(`unexpected token in the alarm rule: ${JSON.stringify(part)}`);
    }
    return `arn:${getAtt[0]}`;
  }).join('');
}

/** The incident alarm's rule, parsed: CloudWatch's `AT_LEAST(<count>, <state>, ("<arn>", ...))`. */
interface AtLeast {
  readonly threshold: number;
  readonly state: string;
  /** Each operand as `arn:<logical id>`, in the rule's order. */
  readonly operands: string[];
}

/** Parses the rendered rule, which must be one AT_LEAST of quoted alarm ARNs and nothing else. */
function atLeastRule(template: Template): AtLeast {
  const text = renderedRule(template);
  const rule = /^AT_LEAST\((\d+), (ALARM|OK|INSUFFICIENT_DATA), \((.*)\)\)$/.exec(text);
  if (!rule) {
    throw new Error(`not one AT_LEAST rule: ${text}`);
  }
  const operands = rule[3].split(', ').map((operand) => {
    const arn = /^"(arn:[A-Za-z0-9]+)"$/.exec(operand);
    if (!arn) {
      throw new Error(`unexpected operand ${operand} in the alarm rule: ${text}`);
    }
    return arn[1];
  });
  return { threshold: Number(rule[1]), state: rule[2], operands };
}

/** Checks that the rule fires when at least `atLeast` of exactly these signals (by logical id) are in ALARM. */
function expectAtLeastRule(template: Template, signalIds: string[], atLeast: number): void {
  expect(atLeastRule(template)).toEqual({ threshold: atLeast, state: 'ALARM', operands: signalIds.map((id) => `arn:${id}`) });
}

const ATTACK_SIGNALS = ['FailedAuthentications', 'ThrottledRequests', 'TrafficAnomaly'];

describe('ApiAlarms defaults', () => {
  const { stack, api, fn } = build();
  const template = Template.fromStack(stack);
  const topicRef = { Ref: logicalId(stack, api.alarms!.topic) };
  const stageDimensions = [
    { Name: 'ApiName', Value: PREFIX },
    { Name: 'Stage', Value: { Ref: logicalId(stack, api.stage) } },
  ];

  test('alarms are on by default', () => {
    expect(api.alarms).toBeDefined();
    // Seven alarms of the API, two of its one function.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    expect(api.alarms!.alarms).toHaveLength(9);
  });

  test('ServerErrorRate: 100 * 5XXError / Count a minute, 0 in minutes under 10 requests, at 5 (%)', () => {
    const props = alarmNamed(template, 'ServerErrorRate').Properties;
    expect(props).toEqual(expect.objectContaining({
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
    expect(props.Metrics).toEqual([
      { Id: 'expr_1', Expression: 'IF(requests >= 10, 100 * errors / requests, 0)', Label: '5XX rate (%)', ReturnData: true },
      {
        Id: 'errors',
        MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: stageDimensions }, Period: 60, Stat: 'Sum' },
        ReturnData: false,
      },
      {
        Id: 'requests',
        MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: stageDimensions }, Period: 60, Stat: 'Sum' },
        ReturnData: false,
      },
    ]);
    // A math-expression alarm carries no metric of its own.
    expect([props.Namespace, props.MetricName, props.Statistic, props.Period]).toEqual([undefined, undefined, undefined, undefined]);
    expect(props.AlarmDescription).toMatch(/^5% or more of requests end in 5XX \(in minutes with 10 requests or more\)\./);
  });

  test('LatencyP99: p99 of Latency over 1 minute, at 3000 ms', () => {
    const props = alarmNamed(template, 'LatencyP99').Properties;
    expect(props).toEqual(expect.objectContaining({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: stageDimensions,
      ExtendedStatistic: 'p99',
      Period: 60,
      Threshold: 3000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
    expect(props.Statistic).toBeUndefined();
  });

  test.each([
    ['IntegrationErrors', 5],
    ['AuthorizerFailures', 1],
    ['FailedAuthentications', 50],
    ['ThrottledRequests', 100],
  ])('%s: the access-log metric in the API\'s namespace, Sum over 1 minute, at %d', (name, threshold) => {
    expect(alarmNamed(template, name).Properties).toEqual(expect.objectContaining({
      Namespace: NAMESPACE,
      MetricName: name,
      Statistic: 'Sum',
      Period: 60,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
    expect(alarmNamed(template, name).Properties.Dimensions).toBeUndefined();
  });

  test('TrafficAnomaly: anomaly detection on the Sum of Count over 5 minutes, band of 3, 2 of 3 periods', () => {
    const props = alarmNamed(template, 'TrafficAnomaly').Properties;
    expect(props).toEqual(expect.objectContaining({
      ComparisonOperator: 'GreaterThanUpperThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      ThresholdMetricId: 'expr_1',
    }));
    expect(props.Metrics).toEqual([
      { Expression: 'ANOMALY_DETECTION_BAND(m0, 3)', Id: 'expr_1', Label: 'Anomaly Detection Band', ReturnData: true },
      {
        Id: 'm0',
        MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: stageDimensions }, Period: 300, Stat: 'Sum' },
        ReturnData: true,
      },
    ]);
    expect(props.Threshold).toBeUndefined();
  });

  test('AuthorizerFailures says why callers are refused and what to do, and is not an attack signal', () => {
    const description = alarmNamed(template, 'AuthorizerFailures').Properties.AlarmDescription as string;
    expect(description).toMatch(/^1 or more requests a minute get 500 because an authorizer could not decide/);
    expect(description).toContain('What to do:');
    // An authorizer that cannot decide is an outage, not an attack.
    expect(atLeastRule(template).operands).not.toContain(`arn:${logicalId(stack, api.alarms!.node.findChild('AuthorizerFailures'))}`);
  });

  test('the function of a LambdaRouteIntegration gets an Errors and a Throttles alarm, Sum over 1 minute, at 1', () => {
    const fnRef = { Ref: logicalId(stack, fn) };
    for (const [kind, metricName] of [['FunctionErrors', 'Errors'], ['FunctionThrottles', 'Throttles']]) {
      expect(alarmNamed(template, new RegExp(`^${PREFIX}-${kind}-TestStackHandler`)).Properties).toEqual(expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
        Statistic: 'Sum',
        Period: 60,
        Threshold: 1,
      }));
    }
    expect(api.alarms!.monitoredFunctions).toEqual([fn]);
  });

  test('every metric alarm but the anomaly alarm fires on 3 of the last 5 minutes', () => {
    for (const alarm of Object.values(alarmsOf(template)).filter((a) => a.Properties.AlarmName !== `${PREFIX}-TrafficAnomaly`)) {
      expect({ name: alarm.Properties.AlarmName, evaluation: alarm.Properties.EvaluationPeriods, datapoints: alarm.Properties.DatapointsToAlarm })
        .toEqual({ name: alarm.Properties.AlarmName, evaluation: 5, datapoints: 3 });
    }
  });

  test('every alarm treats missing data as not breaching, notifies the topic on ALARM and OK, and says what to do', () => {
    const all = [...Object.values(alarmsOf(template)), ...Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')) as Resource[]];
    expect(all).toHaveLength(10);
    for (const alarm of all) {
      const p = alarm.Properties;
      expect(p.AlarmName.startsWith(`${PREFIX}-`)).toBe(true);
      expect(p.AlarmName.length).toBeLessThanOrEqual(255);
      expect(p.AlarmActions).toEqual([topicRef]);
      expect(p.OKActions).toEqual([topicRef]);
      expect(p.AlarmDescription.length).toBeLessThanOrEqual(1024);
      if (alarm.Type === 'AWS::CloudWatch::Alarm') {
        expect({ name: p.AlarmName, missing: p.TreatMissingData }).toEqual({ name: p.AlarmName, missing: 'notBreaching' });
        expect(p.AlarmDescription).toContain('What to do:');
      }
    }
  });

  test('the incident alarm is named UnderAttack and fires when at least 2 of the 3 attack signals fire', () => {
    const composite = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'))[0] as Resource;
    expect(composite.Properties.AlarmName).toBe(`${PREFIX}-UnderAttack`);
    expect(composite.Properties.AlarmDescription).toContain('2 or more attack signals');
    expect(api.alarms!.incidentAlarm).toBeInstanceOf(cloudwatch.CompositeAlarm);
    const ids = ATTACK_SIGNALS.map((name) => logicalId(stack, api.alarms!.node.findChild(name)));
    expectAtLeastRule(template, ids, 2);
  });

  test('the rendered rule is CloudWatch\'s AT_LEAST of ALARM over the three attack signals, each once', () => {
    const [auth, throttle, anomaly] = ATTACK_SIGNALS.map((name) => `"arn:${logicalId(stack, api.alarms!.node.findChild(name))}"`);
    expect(renderedRule(template)).toBe(`AT_LEAST(2, ALARM, (${auth}, ${throttle}, ${anomaly}))`);
  });

  test('the topic is encrypted with the API\'s key and accepts only TLS publishing, and this account\'s alarms', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack, api.key), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: topicRef,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'AllowCloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef,
            Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*' } },
          },
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the key lets this account\'s CloudWatch alarms use it for the encrypted topic', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'AllowCloudWatchAlarmsOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } },
        }]),
      },
    });
  });

  test('the default alarm set matches the reviewed snapshot', () => {
    const types = ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SNS::Subscription', 'AWS::Logs::MetricFilter'];
    const resources = Object.fromEntries(Object.entries(template.toJSON().Resources as Record<string, Resource>)
      .filter(([, resource]) => types.includes(resource.Type)));
    expect(resources).toMatchSnapshot();
  });
});

describe('incident alarm', () => {
  test('an attack signal added after construction takes part in the rule at synth, without actions of its own', () => {
    const { stack, api } = build();
    const waf = new cloudwatch.Alarm(stack, 'WafBlocked', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', statistic: 'Sum' }),
      threshold: 100,
      evaluationPeriods: 1,
    });
    api.alarms!.addAttackSignal(waf);
    const template = Template.fromStack(stack);
    const ids = [...ATTACK_SIGNALS.map((name) => logicalId(stack, api.alarms!.node.findChild(name))), logicalId(stack, waf)];
    expect(renderedRule(template)).toContain(`"arn:${logicalId(stack, waf)}"`);
    expectAtLeastRule(template, ids, 2);
    expect(template.toJSON().Resources[logicalId(stack, waf)].Properties.AlarmActions).toBeUndefined();
    expect(api.alarms!.alarms).not.toContain(waf);
  });

  test.each([1, 2, 3])('attackSignalsForIncident %i: fires when at least that many signals fire', (count) => {
    const { stack, api } = build({ alarms: { thresholds: { attackSignalsForIncident: count } } });
    const template = Template.fromStack(stack);
    expectAtLeastRule(template, ATTACK_SIGNALS.map((name) => logicalId(stack, api.alarms!.node.findChild(name))), count);
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmDescription: Match.stringLikeRegexp(`^${count} or more attack signals`) });
  });
});

describe('function alarms', () => {
  test('one pair a function, however many routes use it; none for a route that is not a LambdaRouteIntegration', () => {
    const { stack, api, fn } = build();
    const other = inlineFunction(stack, 'Other');
    api.addRoute('POST /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(fn), requestBodySchema: { type: apigw.JsonSchemaType.OBJECT } });
    api.addRoute('DELETE /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(fn) });
    api.addRoute('GET /others', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(other) });
    api.addRoute('GET /mock', { authorization: RouteAuthorization.iam(), integration: new apigw.MockIntegration() });
    const template = Template.fromStack(stack);
    const names = Object.values(alarmsOf(template)).map((a) => String(a.Properties.AlarmName)).filter((n) => /-Function(Errors|Throttles)-/.test(n)).sort();
    expect(names).toEqual([
      `${PREFIX}-FunctionErrors-TestStackHandlerFDC7B8A5`,
      `${PREFIX}-FunctionErrors-TestStackOther9C685AED`,
      `${PREFIX}-FunctionThrottles-TestStackHandlerFDC7B8A5`,
      `${PREFIX}-FunctionThrottles-TestStackOther9C685AED`,
    ]);
    expect(api.alarms!.monitoredFunctions).toEqual([fn, other]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7 + 4);
  });

  test('monitorFunction watches another function once', () => {
    const { stack, api } = build();
    const worker = inlineFunction(stack, 'Worker');
    api.alarms!.monitorFunction(worker);
    api.alarms!.monitorFunction(worker);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7 + 2 + 2);
    alarmNamed(template, /-FunctionErrors-TestStackWorker/);
    alarmNamed(template, /-FunctionThrottles-TestStackWorker/);
  });

  test('a JwtAuthorizer gets an alarm on its faults metric and one on its function\'s throttles', () => {
    const { stack, api, jwt } = buildWithAuthorizer();
    const template = Template.fromStack(stack);
    const fnRef = { Ref: logicalId(stack, jwt.function) };
    const faults = alarmNamed(template, new RegExp(`^${PREFIX}-AuthorizerFaults-TestStackJwtFunction`)).Properties;
    expect(faults).toEqual(expect.objectContaining({
      Namespace: api.accessLogMetrics.namespace,
      MetricName: 'AuthorizerFaults',
      Dimensions: [{ Name: 'FunctionName', Value: fnRef }, { Name: 'service', Value: 'jwt-authorizer' }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
    }));
    expect(faults.AlarmDescription).toContain('authorizer fault');
    expect(faults.AlarmDescription).toContain('What to do:');
    const throttles = alarmNamed(template, new RegExp(`^${PREFIX}-FunctionThrottles-TestStackJwtFunction`)).Properties;
    expect(throttles).toEqual(expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: fnRef }] }));
    expect(api.alarms!.monitoredFunctions).toContain(jwt.function);
  });

  // A Lambda authorizer refuses a token by failing with Unauthorized: Lambda counts every expired
  // or forged token as an error, so an alarm on Errors would page for ordinary refusals.
  test('no alarm watches the authorizer function\'s Lambda Errors', () => {
    const { stack, jwt } = buildWithAuthorizer();
    const template = Template.fromStack(stack);
    const fnRef = { Ref: logicalId(stack, jwt.function) };
    const onErrors = Object.values(alarmsOf(template)).filter((alarm) => alarm.Properties.MetricName === 'Errors'
      && JSON.stringify(alarm.Properties.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: fnRef }]));
    expect(onErrors).toHaveLength(0);
    expect(Object.values(alarmsOf(template)).filter((alarm) => /-(Authorizer|Function)Errors-TestStackJwtFunction/.test(alarm.Properties.AlarmName))).toHaveLength(0);
  });

  test('the access log\'s AuthorizerFailures alarm remains: requests an authorizer could not decide (500)', () => {
    const { stack, api } = buildWithAuthorizer();
    const failures = alarmNamed(Template.fromStack(stack), new RegExp(`^${PREFIX}-AuthorizerFailures$`)).Properties;
    expect(failures).toEqual(expect.objectContaining({ Namespace: api.accessLogMetrics.namespace, MetricName: 'AuthorizerFailures', Threshold: 1 }));
  });

  test('an authorizer monitored without a faults metric gets only a throttles alarm', () => {
    const { stack, api } = build();
    api.alarms!.monitorFunction(inlineFunction(stack, 'CustomAuthorizer'), { authorizer: true });
    const names = Object.values(alarmsOf(Template.fromStack(stack))).map((alarm) => alarm.Properties.AlarmName).filter((name) => /TestStackCustomAuthorizer/.test(name));
    expect(names).toEqual([expect.stringMatching(/-FunctionThrottles-TestStackCustomAuthorizer/)]);
  });

  test('a faults metric is only for an authorizer', () => {
    const { stack, api } = build();
    const fn = inlineFunction(stack, 'Worker');
    expect(() => api.alarms!.monitorFunction(fn, { faults: fn.metricErrors() }))
      .toThrow(`\`faults\` of \`monitorFunction(${fn.node.path})\` is only for an authorizer: set \`authorizer: true\`, or leave \`faults\` out`);
  });
});

describe('supplied topic and subscriptions', () => {
  test('a supplied topic: no topic is created, every alarm notifies it, the key is not opened to CloudWatch', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OnCall');
    const api = new SecureRestApi(stack, 'Api', { alarms: { topic } });
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    expect(api.alarms!.topic).toBe(topic);
    const topicRef = { Ref: logicalId(stack, topic) };
    const all = [...Object.values(alarmsOf(template)), ...Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')) as Resource[]];
    expect(all).toHaveLength(10);
    for (const alarm of all) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties.OKActions).toEqual([topicRef]);
    }
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0] as Resource;
    expect(key.Properties.KeyPolicy.Statement.map((s: { Sid?: string }) => s.Sid)).not.toContain('AllowCloudWatchAlarmsOfThisAccount');
  });

  test('an imported topic gets the alarms and the subscriptions', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Imported', 'arn:aws:sns:eu-west-1:123456789012:on-call');
    const api = new SecureRestApi(stack, 'Api', { alarms: { topic, emailAddresses: ['oncall@example.com'] } });
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `${PREFIX}-ServerErrorRate`, AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:on-call'] });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:on-call' });
  });

  test('each email address is subscribed to the topic', () => {
    const emails = ['oncall@example.com', 'sec-team+api@example.co.uk'];
    const { stack, api } = build({ alarms: { emailAddresses: emails } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const email of emails) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, TopicArn: { Ref: logicalId(stack, api.alarms!.topic) } });
    }
  });
});

describe('threshold overrides', () => {
  const thresholds: Required<ApiAlarmThresholds> = {
    serverErrorRatePercent: 12.5,
    minimumRequestsForErrorRate: 20,
    latencyP99: Duration.millis(1500),
    integrationErrorsPerMinute: 7,
    failedAuthenticationsPerMinute: 20,
    throttledRequestsPerMinute: 30,
    functionErrorsPerMinute: 2,
    functionThrottlesPerMinute: 3,
    authorizerFaultsPerMinute: 8,
    authorizerErrorsPerMinute: 4,
    authorizerFailuresPerMinute: 6,
    trafficAnomalyStandardDeviations: 2.5,
    evaluationMinutes: 10,
    breachingMinutes: 4,
    attackSignalsForIncident: 3,
  };
  const { stack, api } = buildWithAuthorizer({ alarms: { thresholds } });
  const template = Template.fromStack(stack);

  test.each([
    ['ServerErrorRate', 12.5],
    ['LatencyP99', 1500],
    ['IntegrationErrors', 7],
    ['AuthorizerFailures', 6],
    ['FailedAuthentications', 20],
    ['ThrottledRequests', 30],
  ])('%s fires at %d', (name, threshold) => {
    expect(alarmNamed(template, name).Properties.Threshold).toBe(threshold);
  });

  test.each([
    [/-FunctionErrors-TestStackHandler/, 2],
    [/-FunctionThrottles-TestStackHandler/, 3],
    [/-AuthorizerFaults-TestStackJwtFunction/, 8],
    [/-FunctionThrottles-TestStackJwtFunction/, 3],
  ])('%s fires at %d', (pattern, threshold) => {
    expect(alarmNamed(template, pattern).Properties.Threshold).toBe(threshold);
  });

  test('the deprecated authorizerErrorsPerMinute still sets the faults alarm when authorizerFaultsPerMinute is not set', () => {
    const built = buildWithAuthorizer({ alarms: { thresholds: { authorizerErrorsPerMinute: 4 } } });
    expect(alarmNamed(Template.fromStack(built.stack), /-AuthorizerFaults-TestStackJwtFunction/).Properties.Threshold).toBe(4);
  });

  test('minimumRequestsForErrorRate sets the fewest requests a minute for the 5XX rate to count', () => {
    expect(alarmNamed(template, 'ServerErrorRate').Properties.Metrics[0].Expression).toBe('IF(requests >= 20, 100 * errors / requests, 0)');
  });

  test('the descriptions state the thresholds', () => {
    expect(alarmNamed(template, 'ServerErrorRate').Properties.AlarmDescription).toMatch(/^12\.5% or more of requests end in 5XX \(in minutes with 20 requests or more\)/);
    expect(alarmNamed(template, 'AuthorizerFailures').Properties.AlarmDescription).toMatch(/^6 or more requests a minute get 500/);
    expect(alarmNamed(template, 'LatencyP99').Properties.AlarmDescription).toContain('take 1500 ms or longer');
    expect(alarmNamed(template, 'TrafficAnomaly').Properties.AlarmDescription).toContain('more than 2.5 standard deviations');
  });

  test('trafficAnomalyStandardDeviations sets the band', () => {
    expect(alarmNamed(template, 'TrafficAnomaly').Properties.Metrics[0].Expression).toBe('ANOMALY_DETECTION_BAND(m0, 2.5)');
  });

  test('evaluationMinutes and breachingMinutes apply to every metric alarm but the anomaly alarm', () => {
    for (const alarm of Object.values(alarmsOf(template))) {
      const p = alarm.Properties;
      const expected = p.AlarmName === `${PREFIX}-TrafficAnomaly` ? { e: 3, d: 2 } : { e: 10, d: 4 };
      expect({ name: p.AlarmName, e: p.EvaluationPeriods, d: p.DatapointsToAlarm }).toEqual({ name: p.AlarmName, ...expected });
    }
  });

  test('attackSignalsForIncident 3 needs all three signals', () => {
    expectAtLeastRule(template, ATTACK_SIGNALS.map((name) => logicalId(stack, api.alarms!.node.findChild(name))), 3);
  });
});

describe('alarms turned off', () => {
  test('no alarm, no composite alarm, no topic, no key statement; the metric filters stay', () => {
    const { stack, api } = build({ alarms: { enabled: false } });
    expect(api.alarms).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::Logs::MetricFilter', 4);
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0] as Resource;
    expect(key.Properties.KeyPolicy.Statement.map((s: { Sid?: string }) => s.Sid)).not.toContain('AllowCloudWatchAlarmsOfThisAccount');
  });

  test('a JwtAuthorizer on an API without alarms adds none', () => {
    const { stack } = buildWithAuthorizer({ alarms: { enabled: false } });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('alarm options left undefined, or empty, next to enabled: false are accepted: they change nothing', () => {
    expect(() => new SecureRestApi(newStack(), 'Api', { alarms: { enabled: false, emailAddresses: undefined, thresholds: undefined } })).not.toThrow();
    expect(() => new SecureRestApi(newStack(), 'Api', { alarms: { enabled: false, emailAddresses: [], thresholds: {} } })).not.toThrow();
  });

  test('email addresses with the alarms turned off are refused: nobody would be told', () => {
    const message = errorOf(ValidationError, () => new SecureRestApi(newStack(), 'Api', { alarms: { enabled: false, emailAddresses: ['oncall@example.com'] } })).message;
    expect(message).toBe('`alarms.enabled` is false, so `alarms.emailAddresses` would be ignored: remove them, or turn the alarms on (at TestStack/Api)');
  });

  test('every option given with the alarms turned off is named', () => {
    const message = errorOf(ValidationError, () => new SecureRestApi(newStack(), 'Api', {
      alarms: { enabled: false, thresholds: { evaluationMinutes: 10 }, emailAddresses: ['oncall@example.com'] },
    })).message;
    expect(message).toBe('`alarms.enabled` is false, so `alarms.thresholds`, `alarms.emailAddresses` would be ignored: remove them, or turn the alarms on (at TestStack/Api)');
  });
});

describe('validation', () => {
  const AT = ' (at TestStack/Api/Alarms)';

  function thresholdError(thresholds: ApiAlarmThresholds): string {
    return errorOf(ValidationError, () => new SecureRestApi(newStack(), 'Api', { alarms: { thresholds } })).message;
  }

  test.each([0, -1, 101])('serverErrorRatePercent %d', (value) => {
    expect(thresholdError({ serverErrorRatePercent: value }))
      .toBe(`\`thresholds.serverErrorRatePercent\` must be a percentage above 0 and at most 100, got ${value}${AT}`);
  });

  test('serverErrorRatePercent 100 is accepted', () => {
    expect(() => new SecureRestApi(newStack(), 'Api', { alarms: { thresholds: { serverErrorRatePercent: 100 } } })).not.toThrow();
  });

  test.each([
    [Duration.millis(0), '0 millis'],
    [Duration.seconds(61), '1 minute 1 second'],
  ])('latencyP99 %s', (value, shown) => {
    expect(thresholdError({ latencyP99: value }))
      .toBe(`\`thresholds.latencyP99\` must be a whole number of milliseconds from 1 milli to 1 minute, got ${shown}${AT}`);
  });

  test.each([
    'integrationErrorsPerMinute',
    'failedAuthenticationsPerMinute',
    'throttledRequestsPerMinute',
    'functionErrorsPerMinute',
    'functionThrottlesPerMinute',
    'authorizerFaultsPerMinute',
    'authorizerErrorsPerMinute',
    'authorizerFailuresPerMinute',
    'minimumRequestsForErrorRate',
  ] as const)('%s must be a whole number of at least 1', (name) => {
    expect(thresholdError({ [name]: 0 })).toBe(`\`thresholds.${name}\` must be a whole number >= 1, got 0${AT}`);
    expect(thresholdError({ [name]: 1.5 })).toBe(`\`thresholds.${name}\` must be a whole number >= 1, got 1.5${AT}`);
  });

  test('minimumRequestsForErrorRate 1 is accepted', () => {
    const { stack } = build({ alarms: { thresholds: { minimumRequestsForErrorRate: 1 } } });
    expect(alarmNamed(Template.fromStack(stack), 'ServerErrorRate').Properties.Metrics[0].Expression).toBe('IF(requests >= 1, 100 * errors / requests, 0)');
  });

  test.each([
    ['serverErrorRatePercent', () => Lazy.number({ produce: () => 5 })],
    ['minimumRequestsForErrorRate', () => Token.asNumber({ Ref: 'MinimumRequests' })],
    ['failedAuthenticationsPerMinute', () => Lazy.number({ produce: () => 50 })],
    ['authorizerFailuresPerMinute', () => Lazy.number({ produce: () => 1 })],
    ['trafficAnomalyStandardDeviations', () => Lazy.number({ produce: () => 3 })],
    ['attackSignalsForIncident', () => Lazy.number({ produce: () => 2 })],
  ] as const)('%s given as a token is refused: it is written into the alarms', (name, token) => {
    expect(thresholdError({ [name]: token() })).toBe(`\`thresholds.${name}\` must be a number known at synth, got a token: thresholds are written into the alarms${AT}`);
  });

  test('latencyP99 given as a token is refused', () => {
    expect(thresholdError({ latencyP99: Duration.millis(Lazy.number({ produce: () => 3000 })) }))
      .toBe(`\`thresholds.latencyP99\` must be a duration known at synth, got a token: thresholds are written into the alarms${AT}`);
  });

  test('a threshold from a CloudFormation parameter is refused', () => {
    const stack = newStack();
    const parameter = new CfnParameter(stack, 'ErrorsPerMinute', { type: 'Number' });
    expect(errorOf(ValidationError, () => new SecureRestApi(stack, 'Api', { alarms: { thresholds: { integrationErrorsPerMinute: parameter.valueAsNumber } } })).message)
      .toBe(`\`thresholds.integrationErrorsPerMinute\` must be a number known at synth, got a token: thresholds are written into the alarms${AT}`);
  });

  test.each([0, 11])('trafficAnomalyStandardDeviations %d', (value) => {
    expect(thresholdError({ trafficAnomalyStandardDeviations: value }))
      .toBe(`\`thresholds.trafficAnomalyStandardDeviations\` must be above 0 and at most 10, got ${value}${AT}`);
  });

  test('evaluationMinutes 0', () => {
    expect(thresholdError({ evaluationMinutes: 0 })).toBe(`\`thresholds.evaluationMinutes\` must be a whole number between 1 and 60, got 0${AT}`);
  });

  test('breachingMinutes above evaluationMinutes', () => {
    expect(thresholdError({ evaluationMinutes: 5, breachingMinutes: 6 })).toBe(`\`thresholds.breachingMinutes\` (6) must not exceed \`thresholds.evaluationMinutes\` (5): set both${AT}`);
    // The default breachingMinutes is named as such, so the message makes sense to whoever set only evaluationMinutes.
    expect(thresholdError({ evaluationMinutes: 2 })).toBe(`\`thresholds.breachingMinutes\` (3, the default) must not exceed \`thresholds.evaluationMinutes\` (2): set both${AT}`);
  });

  test('breachingMinutes equal to evaluationMinutes is accepted', () => {
    expect(() => new SecureRestApi(newStack(), 'Api', { alarms: { thresholds: { evaluationMinutes: 1, breachingMinutes: 1 } } })).not.toThrow();
  });

  test('attackSignalsForIncident 0', () => {
    expect(thresholdError({ attackSignalsForIncident: 0 })).toBe(`\`thresholds.attackSignalsForIncident\` must be a whole number >= 1, got 0${AT}`);
  });

  test('attackSignalsForIncident 4, more than the API\'s 3 signals, fails synth: the incident alarm could never fire', () => {
    const { stack } = build({ alarms: { thresholds: { attackSignalsForIncident: 4 } } });
    expect(() => Template.fromStack(stack)).toThrow('`thresholds.attackSignalsForIncident` is 4, but the API has only 3 attack signals: the incident alarm could never fire');
  });

  test('a threshold left undefined keeps its default', () => {
    const { stack } = build({ alarms: { thresholds: { failedAuthenticationsPerMinute: undefined } } });
    expect(alarmNamed(Template.fromStack(stack), 'FailedAuthentications').Properties.Threshold).toBe(50);
  });

  test.each([
    'not-an-email',
    'oncall@localhost',
    'on call@example.com',
    'oncall@example.com.',
    'oncall@@example.com',
    '"oncall"@example.com',
    'oncall@exa_mple.com',
    '',
    `${'a'.repeat(250)}@example.com`,
  ])('refuses the email address %j', (email) => {
    const message = errorOf(ValidationError, () => new SecureRestApi(newStack(), 'Api', { alarms: { emailAddresses: ['oncall@example.com', email] } })).message;
    expect(message).toBe(`\`emailAddresses[1]\` must be an email address such as 'oncall@example.com', got '${email}'${AT}`);
  });

  test.each([
    [['a@example.com', 'a@example.com'], '`emailAddresses[1]` repeats `emailAddresses[0]` (\'a@example.com\')'],
    [['a@example.com', 'b@example.com', 'a@example.com'], '`emailAddresses[2]` repeats `emailAddresses[0]` (\'a@example.com\')'],
    [['a@example.com', 'b@example.com', 'b@example.com'], '`emailAddresses[2]` repeats `emailAddresses[1]` (\'b@example.com\')'],
  ])('refuses the repeated address in %j', (emailAddresses, start) => {
    const message = errorOf(ValidationError, () => new SecureRestApi(newStack(), 'Api', { alarms: { emailAddresses } })).message;
    expect(message).toBe(`${start}: list each address once${AT}`);
  });
});

describe('limits', () => {
  // The default API name is at most 255 characters, CloudWatch's limit for the `ApiName` dimension
  // the stage's metrics (and so the alarms) use, and for an alarm's name.
  test('an API with a long construct path synthesizes, every alarm name and ApiName dimension within 255 characters', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'A'.repeat(300));
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const template = Template.fromStack(stack);
    const all = [...Object.values(alarmsOf(template)), ...Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')) as Resource[]];
    expect(all).toHaveLength(10);
    const names = all.map((alarm) => alarm.Properties.AlarmName);
    for (const name of names) {
      expect({ name, length: name.length <= 255 }).toEqual({ name, length: true });
    }
    // Every dimension of the alarms' metrics, the math expression's and the anomaly band's included.
    const dimensions = Object.values(alarmsOf(template)).flatMap((alarm) => [
      ...(alarm.Properties.Dimensions ?? []),
      ...(alarm.Properties.Metrics ?? []).flatMap((metric: { MetricStat?: { Metric: { Dimensions?: unknown[] } } }) => metric.MetricStat?.Metric.Dimensions ?? []),
    ]) as Array<{ Name: string; Value: unknown }>;
    const apiNames = dimensions.filter((dimension) => dimension.Name === 'ApiName').map((dimension) => dimension.Value);
    // ServerErrorRate (two metrics), LatencyP99 and TrafficAnomaly.
    expect(apiNames).toHaveLength(4);
    for (const value of apiNames) {
      expect(typeof value).toBe('string');
      expect((value as string).length).toBeLessThanOrEqual(255);
    }
    expect(new Set(apiNames).size).toBe(1);
  });

  /** A default API with 5 attack signals of the firewall's kind added: 8 in all. */
  function buildWithEightSignals(attackSignalsForIncident: number) {
    const built = build({ alarms: { thresholds: { attackSignalsForIncident } } });
    const added = ['WafBlocked', 'WafBlockedCommonRuleSet', 'WafBlockedIpReputation', 'WafBlockedBadInputs', 'BlockerErrors'].map((name) => {
      const alarm = new cloudwatch.Alarm(built.stack, name, {
        alarmName: `${PREFIX}-${name}`,
        metric: new cloudwatch.Metric({ namespace: 'AWS/WAFV2', metricName: 'BlockedRequests' }),
        threshold: 1,
        evaluationPeriods: 1,
      });
      built.api.alarms!.addAttackSignal(alarm);
      return alarm;
    });
    return { ...built, added };
  }

  // AT_LEAST lists each signal once, so the rule grows with the signals, not with their combinations.
  test('8 attack signals (3 built in, 5 added) with attackSignalsForIncident 2 synthesize into one AT_LEAST of all 8', () => {
    const { stack, api, added } = buildWithEightSignals(2);
    const template = Template.fromStack(stack);
    const ids = [...ATTACK_SIGNALS.map((name) => logicalId(stack, api.alarms!.node.findChild(name))), ...added.map((alarm) => logicalId(stack, alarm))];
    expect(ids).toHaveLength(8);
    expect(renderedRule(template)).toMatch(/^AT_LEAST\(2, ALARM, /);
    expectAtLeastRule(template, ids, 2);
  });

  test('attackSignalsForIncident above the number of signals fails synth with its message', () => {
    const { stack } = buildWithEightSignals(9);
    expect(() => Template.fromStack(stack)).toThrow('`thresholds.attackSignalsForIncident` is 9, but the API has only 8 attack signals: the incident alarm could never fire. Lower it, or add signals with addAttackSignal()');
  });

  test('attackSignalsForIncident equal to the number of signals synthesizes', () => {
    const { stack } = buildWithEightSignals(8);
    expect(atLeastRule(Template.fromStack(stack))).toEqual(expect.objectContaining({ threshold: 8, state: 'ALARM' }));
  });

  // CloudWatch allows at most 100 alarms in a composite alarm's rule.
  /** The API's 3 signals and `count - 3` more, named `sig-<i>` unless CloudFormation is to name them. */
  function buildWithSignals(count: number, named = true) {
    const built = build();
    for (let i = 3; i < count; i += 1) {
      built.api.alarms!.addAttackSignal(new cloudwatch.Alarm(built.stack, `Signal${i}`, {
        alarmName: named ? `sig-${i}` : undefined,
        metric: new cloudwatch.Metric({ namespace: 'Test', metricName: `Signal${i}` }),
        threshold: 1,
        evaluationPeriods: 1,
      }));
    }
    return built;
  }

  test('100 attack signals synthesize', () => {
    const { stack } = buildWithSignals(100);
    expect(atLeastRule(Template.fromStack(stack)).operands).toHaveLength(100);
  });

  test('a rule CloudWatch would find too long (alarm names unknown at synth count as 255 characters) fails synth', () => {
    const { stack } = buildWithSignals(60, false);
    expect(() => Template.fromStack(stack)).toThrow(/The incident alarm's rule would be about \d+ characters, over CloudWatch's 10240: add fewer attack signals/);
  });

  test('more than 100 attack signals fail synth with their message', () => {
    const { stack } = buildWithSignals(101);
    expect(() => Template.fromStack(stack)).toThrow('The incident alarm has 101 attack signals, over CloudWatch\'s 100 alarms in one rule: add one signal per part (such as the firewall\'s whole web ACL) rather than one per rule');
  });
});

describe('addMetricAlarm', () => {
  test('adds an alarm like the others of the set, optionally as an attack signal', () => {
    const { stack, api } = build();
    const metric = new cloudwatch.Metric({ namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', statistic: 'Sum', period: Duration.minutes(1) });
    api.alarms!.addMetricAlarm('WafBlockedRequests', { metric, threshold: 100, summary: 'The firewall blocks 100 or more requests a minute.', action: 'Read the WAF log.', attackSignal: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${PREFIX}-WafBlockedRequests`,
      AlarmDescription: 'The firewall blocks 100 or more requests a minute. What to do: Read the WAF log.',
      Namespace: 'AWS/WAFV2',
      Threshold: 100,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [Match.anyValue()],
    });
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::CompositeAlarm'))).toContain('WafBlockedRequests');
    expect(api.alarms!.alarms.map((alarm) => alarm.node.id)).toContain('WafBlockedRequests');
  });

  test('datapointsToAlarm 1 fires on the first breaching datapoint, over the set\'s evaluation minutes', () => {
    const { stack, api } = build();
    const metric = new cloudwatch.Metric({ namespace: 'Custom', metricName: 'Evicted', statistic: 'Sum', period: Duration.minutes(1) });
    api.alarms!.addMetricAlarm('Evicted', { metric, threshold: 1, summary: 's', action: 'a', datapointsToAlarm: 1 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `${PREFIX}-Evicted`, EvaluationPeriods: 5, DatapointsToAlarm: 1 });
  });

  test.each([0, 6, 1.5])('datapointsToAlarm %d is refused, naming the alarm', (datapointsToAlarm) => {
    const { api } = build();
    const metric = new cloudwatch.Metric({ namespace: 'Custom', metricName: 'Evicted' });
    expect(() => api.alarms!.addMetricAlarm('Evicted', { metric, threshold: 1, summary: 's', action: 'a', datapointsToAlarm }))
      .toThrow(`\`Evicted.datapointsToAlarm\` must be a whole number between 1 and 5, got ${datapointsToAlarm}`);
  });
});

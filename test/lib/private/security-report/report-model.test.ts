import { PRICES } from '../../../../lib/compliance/price-table';
import { alarmBilling, estimateCost } from '../../../../lib/private/security-report/cost';
import { buildReport, ReportInput } from '../../../../lib/private/security-report/report-model';
import { money, renderJson, renderMarkdown } from '../../../../lib/private/security-report/render';
import { listOf, ReportTemplate, TemplateGraph } from '../../../../lib/private/security-report/template-graph';

function template(label: string, resources: Record<string, any>, extra: Partial<ReportTemplate> = {}): ReportTemplate {
  return { label, fileName: `${label}.template.json`, template: { Resources: resources }, nested: [], ...extra };
}

function input(root: ReportTemplate, extra: Partial<ReportInput> = {}): ReportInput {
  return { artifactId: 'S', stackName: 'S', constructPath: 'S', region: 'eu-west-1', account: '1', template: root, routes: [], acknowledgements: [], ...extra };
}

const KEY = { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } };

describe('TemplateGraph', () => {
  const nested: ReportTemplate = {
    label: 'S/Nested',
    fileName: 'SNested.nested.template.json',
    template: {
      Parameters: { ApiParam: { Type: 'String' }, ParentResource: { Type: 'String' } },
      Resources: {
        Method: { Type: 'AWS::ApiGateway::Method', Properties: { HttpMethod: 'GET', ResourceId: { Ref: 'ParentResource' }, RestApiId: { Ref: 'ApiParam' }, AuthorizationType: 'AWS_IAM' } },
      },
    },
    nested: [],
  };
  const root = template('S', {
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
    Pets: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: 'pets', RestApiId: { Ref: 'Api' } } },
    NestedStack: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: { ApiParam: { Ref: 'Api' }, ParentResource: { Ref: 'Pets' } } } },
  }, { nested: [{ logicalId: 'NestedStack', template: nested }] });
  const graph = new TemplateGraph(root);

  test('follows a nested template\'s parameter to the resource its parent passes', () => {
    const [method] = graph.resources('AWS::ApiGateway::Method');
    const resolved = graph.resolve(method.node, method.resource.Properties!.RestApiId);
    expect(resolved).toMatchObject({ kind: 'resource', target: { logicalId: 'Api', node: { template: { label: 'S' } } } });
  });

  test('leaves a value it cannot follow as a literal, and describes a join with its references', () => {
    const node = graph.nodes[0];
    expect(graph.resolve(node, 'arn:aws:sns:eu-west-1:1:topic')).toEqual({ kind: 'literal', value: 'arn:aws:sns:eu-west-1:1:topic' });
    expect(graph.resolve(node, { Ref: 'Missing' })).toEqual({ kind: 'literal', value: { Ref: 'Missing' } });
    expect(graph.describe(node, { 'Fn::Join': ['', ['a-', { Ref: 'Api' }, '-b']] })).toBe('a-${Api}-b');
  });

  test('a route in a nested stack gets its path from the parent\'s resources', () => {
    const report = buildReport(input(root, { routes: [{ restApiTemplate: 'S', restApiLogicalId: 'Api', routeKey: 'GET /pets', authorization: 'IAM' }] }));
    expect(report.routes).toEqual([expect.objectContaining({ routeKey: 'GET /pets', api: 'Api', authorization: 'IAM', template: 'S/Nested', logicalId: 'Method' })]);
    expect(report.resourceCounts.map((c) => [c.template, c.resources])).toEqual([['S', 3], ['S/Nested', 1]]);
  });
});

describe('buildReport', () => {
  test('encryption at rest of each kind of resource', () => {
    const report = buildReport(input(template('S', {
      Key: KEY,
      Queue: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
      PlainQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'Key' } } }] } } },
      PlainBucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { SSESpecification: { SSEEnabled: true, SSEType: 'KMS' } } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: {} },
    })));
    expect(Object.fromEntries(report.encryption.map((e) => [e.logicalId, [e.encryption, e.kmsKey]]))).toEqual({
      Queue: ['KMS (customer-managed key)', 'Key'],
      PlainQueue: ['SSE-SQS (SQS-owned key)', undefined],
      Bucket: ['KMS (customer-managed key)', 'Key'],
      PlainBucket: ['SSE-S3 (S3 default)', undefined],
      Table: ['KMS (AWS managed key aws/dynamodb)', undefined],
      Topic: ['KMS (AWS managed key)', 'alias/aws/sns'],
      Logs: ['CloudWatch Logs default (no KMS key)', undefined],
    });
    const logs = report.encryption.find((e) => e.logicalId === 'Logs')!;
    expect([logs.retentionNeverExpires, logs.retentionDays]).toEqual([true, undefined]);
    expect(report.keys).toEqual([{ logicalId: 'Key', rotation: true, rotationPeriodDays: 365, template: 'S' }]);
  });

  test('a key without rotation says so', () => {
    const report = buildReport(input(template('S', { Key: { Type: 'AWS::KMS::Key', Properties: {} } })));
    expect(report.keys).toEqual([{ logicalId: 'Key', rotation: false, rotationPeriodDays: undefined, template: 'S' }]);
    expect(renderMarkdown(report)).toContain('| Key | OFF | S |');
  });

  test('alarm actions lead to their topic\'s subscriptions; an action it cannot follow is shown as written', () => {
    const report = buildReport(input(template('S', {
      Topic: { Type: 'AWS::SNS::Topic', Properties: { Subscription: [{ Protocol: 'sms', Endpoint: '+100' }] } },
      Sub: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'Topic' }, Protocol: 'email', Endpoint: 'ops@example.com' } },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'A', AlarmActions: [{ Ref: 'Topic' }, 'arn:aws:sns:us-east-1:1:elsewhere'], Period: 60 } },
      Silent: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 60 } },
    })));
    expect(report.alarms).toEqual([
      expect.objectContaining({ name: 'A', actions: [
        { target: 'SNS topic Topic', subscriptions: ['email: ops@example.com', 'sms: +100'] },
        { target: 'arn:aws:sns:us-east-1:1:elsewhere', subscriptions: [] },
      ] }),
      expect.objectContaining({ logicalId: 'Silent', actions: [] }),
    ]);
    expect(renderMarkdown(report)).toMatch(/\| Silent \| standard \| 1 \| NONE \|/);
  });

  test('WAF rules sorted by priority, with COUNT modes, overrides and excluded rules; capacity unknown for a statement it cannot price', () => {
    const report = buildReport(input(template('S', {
      Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Name: 'acl', DefaultAction: { Allow: {} }, Rules: [
        { Priority: 2, Name: 'Group', OverrideAction: { Count: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesSQLiRuleSet', ExcludedRules: [{ Name: 'X' }], RuleActionOverrides: [{ Name: 'Y', ActionToUse: { Block: {} } }] } } },
        { Priority: 1, Name: 'Geo', Action: { Count: {} }, Statement: { GeoMatchStatement: { CountryCodes: ['XX'] } } },
        { Priority: 3, Name: 'Vendor', OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'Other', Name: 'Theirs' } } },
      ] } },
    })));
    const [acl] = report.firewalls;
    expect(acl.rules.map((r) => [r.priority, r.name, r.action, r.capacity])).toEqual([
      [1, 'Geo', 'COUNT', 1],
      [2, 'Group', 'COUNT (whole group)', 200],
      [3, 'Vendor', 'rules\' own actions', undefined],
    ]);
    expect(acl.rules[1].managedGroup!.overrides).toEqual(['Y → BLOCK', 'X → COUNT (excluded)']);
    expect(acl.capacityUsed).toBeUndefined();
    expect(renderMarkdown(report)).toContain('capacity unknown');
  });

  test('Markdown cells escape pipes and line breaks', () => {
    const report = buildReport(input(template('S', {}), {
      acknowledgements: [{ ruleId: 'R', reason: 'a | b\nc', constructPath: 'S/X' }],
    }));
    expect(renderMarkdown(report)).toContain('| R | a \\| b c | S/X | – |');
    expect(JSON.parse(renderJson(report)).acknowledgements).toEqual([{ ruleId: 'R', reason: 'a | b\nc', constructPath: 'S/X' }]);
  });
});

describe('listOf', () => {
  const noValue = { Ref: 'AWS::NoValue' };
  test.each([
    ['an array', ['a', noValue, 'b'], ['a', 'b']],
    ['an Fn::If of lists, AWS::NoValue left out', { 'Fn::If': ['C', ['a'], noValue] }, ['a']],
    ['an Fn::If of two lists', { 'Fn::If': ['C', ['a'], ['b', 'c']] }, ['a', 'b', 'c']],
    ['items that are Fn::If', [{ 'Fn::If': ['C', 'a', noValue] }, 'b'], ['a', 'b']],
    ['a Ref to a list parameter', { Ref: 'Topics' }, []],
    ['Fn::Split', { 'Fn::Split': [',', 'a,b'] }, []],
    ['undefined', undefined, []],
  ])('%s', (_, value, items) => {
    expect(listOf(value)).toEqual(items);
  });
});

describe('encryption of DynamoDB tables', () => {
  const encryptionOf = (sse: unknown) => buildReport(input(template('S', {
    T: { Type: 'AWS::DynamoDB::Table', Properties: sse === undefined ? {} : { SSESpecification: sse } },
  }))).encryption[0].encryption;
  test.each([
    ['no SSESpecification: the AWS owned key', undefined, 'AWS owned key (DynamoDB default)'],
    ['SSEEnabled false: the AWS owned key', { SSEEnabled: false }, 'AWS owned key (DynamoDB default)'],
    ['SSEEnabled true, no SSEType (TableEncryption.AWS_MANAGED): the AWS managed key', { SSEEnabled: true }, 'KMS (AWS managed key aws/dynamodb)'],
    ['SSEEnabled true, SSEType KMS, no key: the AWS managed key', { SSEEnabled: true, SSEType: 'KMS' }, 'KMS (AWS managed key aws/dynamodb)'],
    ['SSEEnabled true with a key ARN', { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: 'arn:aws:kms:eu-west-1:1:key/k' }, 'KMS'],
  ])('%s', (_, sse, text) => {
    expect(encryptionOf(sse)).toBe(text);
  });

  test('the report of an alarm with an Fn::If of actions builds (the bug: `object is not iterable`)', () => {
    const report = buildReport(input(template('S', {
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 60, AlarmActions: { 'Fn::If': ['C', [{ Ref: 'Topic' }], { Ref: 'AWS::NoValue' }] } } },
    })));
    expect(report.alarms[0].actions).toEqual([{ target: 'SNS topic Topic', subscriptions: [] }]);
  });
});

describe('alarmBilling', () => {
  test.each([
    ['a single-metric alarm', { Period: 60 }, 'standard', 1],
    ['a high-resolution alarm', { Period: 10 }, 'high resolution', 1],
    ['a metric-math alarm pays for each metric it reads', { Metrics: [{ Expression: 'a/b' }, { MetricStat: { Period: 60 } }, { MetricStat: { Period: 60 } }] }, 'standard', 2],
    ['an anomaly-detection alarm', { ThresholdMetricId: 'ad', Metrics: [{ Expression: 'ANOMALY_DETECTION_BAND(m, 2)' }, { MetricStat: { Period: 300 } }] }, 'anomaly detection', 3],
  ])('%s', (_, properties, kind, metrics) => {
    expect(alarmBilling(properties)).toEqual({ kind, metricsBilled: metrics });
  });
});

describe('estimateCost', () => {
  const cost = (resources: Record<string, any>) => estimateCost(new TemplateGraph(template('S', resources)));

  test('Bot Control adds its subscription and its per-request price', () => {
    const c = cost({ Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [
      { Priority: 0, Name: 'Bots', Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesBotControlRuleSet' } } },
    ] } } });
    expect(c.fixedMonthly.map((l) => [l.item.split(' (')[0], l.amountUsd])).toEqual([
      ['AWS WAF web ACL', PRICES.wafWebAcl.usd],
      ['AWS WAF managed rule groups, billed as rules', PRICES.wafRule.usd],
      ['AWS WAF Bot Control subscription', PRICES.wafBotControlSubscription.usd],
    ]);
    expect(c.perMillionRequests.map((l) => l.unitPriceUsd)).toEqual([PRICES.wafBotControlRequests.usd, PRICES.wafRequests.usd]);
  });

  test('Bot Control at the targeted inspection level is priced as targeted', () => {
    const bots = (level: string) => ({ Priority: 0, Name: 'Bots', Statement: { ManagedRuleGroupStatement: {
      VendorName: 'AWS', Name: 'AWSManagedRulesBotControlRuleSet', ManagedRuleGroupConfigs: [{ AWSManagedRulesBotControlRuleSet: { InspectionLevel: level } }],
    } } });
    const targeted = cost({ Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [bots('TARGETED')] } } });
    expect(targeted.perMillionRequests.map((l) => [l.item, l.unitPriceUsd])).toEqual([
      ['AWS WAF Bot Control inspection, targeted level (beyond the 1 million included)', PRICES.wafBotControlTargetedRequests.usd],
      ['AWS WAF requests inspected', PRICES.wafRequests.usd],
    ]);
    expect(PRICES.wafBotControlTargetedRequests).toMatchObject({ usd: 10, verified: 'last-known' });
    const common = cost({ Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [bots('COMMON')] } } });
    expect(common.perMillionRequests[0].unitPriceUsd).toBe(PRICES.wafBotControlRequests.usd);
  });

  test('lists that are intrinsics are read, not iterated: Fn::If gives both branches, other intrinsics nothing', () => {
    const noValue = { Ref: 'AWS::NoValue' };
    const c = cost({
      Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: { 'Fn::If': ['C', [{ Priority: 0, Name: 'R', Statement: {} }], noValue] } } },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: { Ref: 'ListParam' } } },
    });
    expect(c.fixedMonthly.map((l) => [l.item, l.quantity])).toEqual([
      ['AWS WAF web ACL', 1], ['AWS WAF rules (custom)', 1], ['CloudWatch alarm metrics, standard resolution', 1],
    ]);
  });

  test('a Cognito plan has no fixed part; its per-MAU price is stated', () => {
    const c = cost({ Pool: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolTier: 'PLUS' } }, Lite: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolTier: 'LITE' } } });
    expect(c.fixedMonthlyTotalUsd).toBe(0);
    expect(c.usageBased.map((u) => [u.item, u.priceUsd])).toEqual([
      ['Amazon Cognito PLUS plan (Pool)', PRICES.cognitoPlusMau.usd],
      ['Amazon Cognito LITE plan (Lite)', PRICES.cognitoLiteMau.usd],
    ]);
  });

  test('Route 53 health checks with their optional features, hosted zones, dashboards and Contributor Insights rules', () => {
    const c = cost({
      Check: { Type: 'AWS::Route53::HealthCheck', Properties: { HealthCheckConfig: { Type: 'HTTPS_STR_MATCH', RequestInterval: 10, MeasureLatency: true } } },
      Basic: { Type: 'AWS::Route53::HealthCheck', Properties: { HealthCheckConfig: { Type: 'HTTP', RequestInterval: 30 } } },
      Zone: { Type: 'AWS::Route53::HostedZone', Properties: {} },
      Dash: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} },
      Rule: { Type: 'AWS::CloudWatch::InsightRule', Properties: {} },
    });
    expect(c.fixedMonthly.map((l) => [l.quantity, l.amountUsd])).toEqual([[1, 3], [1, 0.5], [2, 1], [4, 4], [1, 0.5]]);
    expect(c.fixedMonthlyTotalUsd).toBe(9);
  });

  test('a Lambda authorizer costs its invocations and an assumed duration at its memory and architecture', () => {
    const c = cost({
      Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512, Architectures: ['x86_64'] } },
      Auth: { Type: 'AWS::ApiGateway::Authorizer', Properties: { Type: 'REQUEST', AuthorizerResultTtlInSeconds: 0, AuthorizerUri: { 'Fn::Join': ['', ['arn:', { 'Fn::GetAtt': ['Fn', 'Arn'] }]] } } },
      Cognito: { Type: 'AWS::ApiGateway::Authorizer', Properties: { Type: 'COGNITO_USER_POOLS' } },
    });
    expect(c.perMillionRequests).toHaveLength(2);
    const [invocations, duration] = c.perMillionRequests;
    expect(invocations).toMatchObject({ quantity: 1, unitPriceUsd: PRICES.lambdaRequests.usd });
    expect(invocations.item).not.toContain('cached');
    expect(duration.item).toContain('assumed 50 ms at 512 MB (Fn, x86_64)');
    expect(duration.quantity).toBe(25_000);
    expect(duration.amountUsd).toBeCloseTo(25_000 * PRICES.lambdaGbSecondX86.usd, 4);
  });
});

describe('money', () => {
  test.each([[5, '$5.00'], [0.1, '$0.10'], [4.4667, '$4.4667'], [0.0000133334, '$0.0000133334'], [0.015, '$0.0150']])('%s → %s', (amount, text) => {
    expect(money(amount)).toBe(text);
  });
});

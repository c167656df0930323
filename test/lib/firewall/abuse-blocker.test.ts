import { CfnParameter, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiDashboard, LambdaRouteIntegration, RouteAuthorization, SecureRestApi, SecureRestApiProps } from '../../../lib';
import { AbuseBlocker, AbuseBlockerProps } from '../../../lib/firewall/abuse-blocker';
import { ApiFirewall, ApiFirewallProps } from '../../../lib/firewall/api-firewall';
import { ValidationError } from '../../../lib/private/validation-error';
import { environmentOf, settingsOf } from '../../helpers/bundles';
import { errorOf } from '../../helpers/errors';
import { functionNameOf, houseStatements, roleOf } from '../../helpers/iam';
import { inlineFunction, logicalId, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const AT = ' (at TestStack/Blocker)';

interface BuildOptions {
  readonly blocker?: Omit<AbuseBlockerProps, 'firewall'>;
  readonly firewall?: Omit<ApiFirewallProps, 'api'>;
  readonly api?: SecureRestApiProps;
}

function addLoginRoute(stack: Stack, api: SecureRestApi): void {
  api.addRoute('POST /login', {
    authorization: RouteAuthorization.publicAccess('sign-in'),
    integration: new LambdaRouteIntegration(inlineFunction(stack)),
    requestBodySchema: { type: apigw.JsonSchemaType.OBJECT },
  });
}

/** An API with a public POST /login, its firewall and the blocker under test. */
function build(options: BuildOptions = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api', options.api);
  addLoginRoute(stack, api);
  const firewall = new ApiFirewall(stack, 'Firewall', { api, ...options.firewall });
  const blocker = new AbuseBlocker(stack, 'Blocker', { firewall, ...options.blocker });
  return { stack, api, firewall, blocker, template: Template.fromStack(stack) };
}

function buildError(options: BuildOptions): ValidationError {
  return errorOf(ValidationError, () => build(options));
}

describe('AbuseBlocker', () => {
  describe('defaults', () => {
    const { stack, api, firewall, blocker, template } = build();
    const settings = settingsOf(blocker.function);
    const keyArn = { 'Fn::GetAtt': [logicalId(stack, api.key), 'Arn'] };

    test('the function gets its settings: threshold 20 in a 5-minute window, blocks for an hour, 401 and 403', () => {
      expect(settings).toMatchObject({
        threshold: 20,
        windowSeconds: 300,
        blockSeconds: 3600,
        statusCodes: [401, 403],
        ipv6PrefixLength: 64,
        // Each /56 and /48 counted too: 5 and 20 times the threshold.
        ipv6Networks: [{ prefixLength: 56, threshold: 100 }, { prefixLength: 48, threshold: 400 }],
        exemptCidrs: [],
        maxAddressesPerSet: 10000,
        allowListSets: [],
      });
      expect(settings.metricsNamespace).toMatch(/^SecureApi\//);
    });

    test('the settings name both automatic block lists by name and id', () => {
      expect(settings.ipv4Set).toEqual({ name: firewall.automaticBlockListIpv4!.name, id: { 'Fn::GetAtt': [logicalId(stack, firewall.automaticBlockListIpv4!), 'Id'] }, scope: 'REGIONAL' });
      expect(settings.ipv6Set).toEqual({ name: firewall.automaticBlockListIpv6!.name, id: { 'Fn::GetAtt': [logicalId(stack, firewall.automaticBlockListIpv6!), 'Id'] }, scope: 'REGIONAL' });
      expect(settings.tableName).toEqual({ Ref: logicalId(stack, blocker.table) });
    });

    test('the settings are in the function\'s asset; only the values known at deploy time are in its environment', () => {
      expect(environmentOf(blocker.function)).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'abuse-blocker',
        SECURE_API_SETTING_1: { 'Fn::GetAtt': [logicalId(stack, firewall.automaticBlockListIpv4!), 'Id'] },
        SECURE_API_SETTING_2: { 'Fn::GetAtt': [logicalId(stack, firewall.automaticBlockListIpv6!), 'Id'] },
        SECURE_API_SETTING_3: { Ref: logicalId(stack, blocker.table) },
      });
    });

    test('the table is encrypted with the API key, expires items by TTL, has point-in-time recovery and is retained with deletion protection', () => {
      const table = template.toJSON().Resources[logicalId(stack, blocker.table)];
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    });

    test('the access log feeds the function through a subscription filter on the statuses as terms, not JSON a client could break', () => {
      template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
        LogGroupName: { Ref: Match.stringLikeRegexp('^ApiAccessLogs') },
        DestinationArn: { 'Fn::GetAtt': [logicalId(stack, blocker.function), 'Arn'] },
        FilterPattern: '?"401" ?"403"',
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'logs.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [logicalId(stack, blocker.function), 'Arn'] },
      });
    });

    test('a schedule sweeps every 5 minutes, and neither invocation is retried', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack, blocker.function), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(stack, blocker.function) },
        MaximumRetryAttempts: 0,
      });
    });

    test('the function may read and update the two automatic block lists, and nothing else of AWS WAF', () => {
      const statements = Object.values(template.findResources('AWS::IAM::Policy'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('wafv2:')));
      expect(statements).toEqual([{
        Effect: 'Allow',
        Action: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'],
        Resource: [
          { 'Fn::GetAtt': [logicalId(stack, firewall.automaticBlockListIpv4!), 'Arn'] },
          { 'Fn::GetAtt': [logicalId(stack, firewall.automaticBlockListIpv6!), 'Arn'] },
        ],
      }]);
    });

    test('the function may update, put and query items of its table only', () => {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Effect: 'Allow',
            Action: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
            Resource: { 'Fn::GetAtt': [logicalId(stack, blocker.table), 'Arn'] },
          }]),
        },
      });
      const actions = Object.values(template.findResources('AWS::IAM::Policy'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .flatMap((statement) => [statement.Action].flat())
        .filter((action: string) => action.startsWith('dynamodb:'));
      expect(actions.sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    });

    test('the function may use the API key for the table only through DynamoDB, and for its failed-invocations queue only through SQS, with exact actions', () => {
      const statements = Object.values(template.findResources('AWS::IAM::Policy'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('kms:')));
      expect(statements).toEqual([
        // Its encrypted environment, as every house function: only with Lambda's encryption context for this function.
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: keyArn,
          Condition: { StringEquals: { 'kms:EncryptionContext:aws:lambda:FunctionArn': `arn:aws:lambda:eu-west-1:123456789012:function:${functionNameOf(template, blocker.function)}` } },
        },
        {
          Effect: 'Allow',
          // Sorted, as CDK renders them; no wildcard (kms:GenerateDataKeyPair* is not DynamoDB's).
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
          Resource: keyArn,
          Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
        },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: keyArn,
          Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
        },
      ]);
    });

    test('failed invocations go to an SQS queue encrypted with the API key, TLS only, kept 14 days, alarmed on', () => {
      const queueId = logicalId(stack, blocker.failedInvocations);
      template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn, MessageRetentionPeriod: 1_209_600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
      // Not retried (a retried batch would count twice): a failure goes straight to the queue.
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      });
      expect(roleOf(template, blocker.function).statements).toContainEqual({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a) => String(a.Properties.AlarmName).endsWith('-AbuseBlockerFailedInvocations'))?.Properties;
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Threshold: 1, DatapointsToAlarm: 1,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      });
      expect(alarm?.AlarmActions).toHaveLength(1);
    });

    test('the function\'s role has no managed policy, and exactly the house statements and the blocker\'s own', () => {
      const role = roleOf(template, blocker.function);
      expect(role.managedPolicyArns).toBeUndefined();
      const [xray, logs, environmentDecrypt] = houseStatements({
        fn: blocker.function as lambda.Function,
        functionName: functionNameOf(template, blocker.function),
        keyArn,
      });
      expect(template.toJSON().Resources[logicalId(stack, blocker.function.logGroup)].Properties.LogGroupName).toMatch(/^\/aws\/lambda\/TestStack-Blocker-[0-9A-F]{8}-Function$/);
      expect(role.statements).toEqual([
        xray,
        logs,
        environmentDecrypt,
        { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': [logicalId(stack, blocker.table), 'Arn'] } },
        // Pinned in full by the tests above.
        expect.objectContaining({ Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } } }),
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalId(stack, blocker.failedInvocations), 'Arn'] } },
        expect.objectContaining({ Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } } }),
        expect.objectContaining({ Action: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'] }),
      ]);
    });

    test('the function runs for up to a minute, with the house defaults and no reserved concurrency', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        // A physical name, so the role's decrypt condition can name the function without a reference cycle.
        FunctionName: Match.stringLikeRegexp('^TestStack-Blocker-Function-[0-9A-F]{8}$'),
        ReservedConcurrentExecutions: Match.absent(),
        Runtime: 'nodejs24.x',
        Timeout: 60,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        KmsKeyArn: keyArn,
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'abuse-blocker' }) },
      });
    });

    test('alarms: addresses blocked (an attack signal), blocker errors, malformed events, a nearly full list, and the function', () => {
      const alarms = template.findResources('AWS::CloudWatch::Alarm');
      const byName = (suffix: string) => Object.values(alarms).find((alarm) => String(alarm.Properties.AlarmName).endsWith(suffix))?.Properties;
      expect(byName('-AbuseBlockerAddressesBlocked')).toMatchObject({
        MetricName: 'AddressesBlocked', Statistic: 'Sum', Threshold: 1, Dimensions: [{ Name: 'service', Value: 'abuse-blocker' }],
      });
      expect(byName('-AbuseBlockerAddressesBlocked')).toMatchObject({ Period: 60 });
      // Without an attack only the sweep runs, every 5 minutes: one-minute datapoints could never make 3 of 5.
      expect(byName('-AbuseBlockerErrors')).toMatchObject({ MetricName: 'BlockerErrors', Statistic: 'Sum', Threshold: 1, Period: 300, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
      expect(byName('-AbuseBlockerListFull')).toMatchObject({ MetricName: 'BlockListFillPercent', Statistic: 'Maximum', Threshold: 80, Period: 300 });
      expect(Object.keys(alarms).filter((id) => id.includes('FunctionErrors') && id.includes('Blocker'))).toHaveLength(1);
      expect(byName('-AbuseBlockerMalformedEvents')).toMatchObject({
        MetricName: 'MalformedEvents', Statistic: 'Sum', Threshold: 1, Period: 300, EvaluationPeriods: 5, DatapointsToAlarm: 3,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', Dimensions: [{ Name: 'service', Value: 'abuse-blocker' }],
      });
      expect(byName('-AbuseBlockerMalformedEvents')?.AlarmActions).toHaveLength(1);
      // Any eviction fires it: a live block is not enforced.
      expect(byName('-AbuseBlockerAddressesEvicted')).toMatchObject({
        MetricName: 'AddressesEvicted', Statistic: 'Sum', Threshold: 1, Period: 300, EvaluationPeriods: 5, DatapointsToAlarm: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', Dimensions: [{ Name: 'service', Value: 'abuse-blocker' }],
      });
      expect(byName('-AbuseBlockerAddressesEvicted')?.AlarmActions).toHaveLength(1);
      expect(blocker.alarms).toHaveLength(6);
      const composite = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'))[0].Properties;
      expect(JSON.stringify(composite.AlarmRule)).toContain('AbuseBlockerAddressesBlocked');
    });

    test('no warnings or errors', () => {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    });
  });

  test('every setting can be changed', () => {
    const { blocker, template } = build({
      blocker: {
        threshold: 5,
        window: Duration.minutes(2),
        blockPeriod: Duration.days(1),
        statusCodes: [401, 403, 404, 429],
        exemptCidrs: ['198.51.100.0/24', '2001:db8::/32'],
        sweepInterval: Duration.minutes(1),
        maxBlockedAddresses: 5000,
        ipv6PrefixLength: 128,
        blockListFillAlarmPercent: 95,
        reservedConcurrency: 2,
        removalPolicy: RemovalPolicy.DESTROY,
        logRetention: logs.RetentionDays.ONE_MONTH,
      },
    });
    expect(settingsOf(blocker.function)).toMatchObject({
      threshold: 5, windowSeconds: 120, blockSeconds: 86400, statusCodes: [401, 403, 404, 429],
      exemptCidrs: ['198.51.100.0/24', '2001:db8::/32'], maxAddressesPerSet: 5000, ipv6PrefixLength: 128,
      // The defaults follow the threshold.
      ipv6Networks: [{ prefixLength: 56, threshold: 25 }, { prefixLength: 48, threshold: 100 }],
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', { FilterPattern: '?"401" ?"403" ?"404" ?"429"' });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 60, ReservedConcurrentExecutions: 2 });
    // Errors, malformed events and fill are measured per sweep interval.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-AbuseBlockerErrors$'), Period: 60 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-AbuseBlockerMalformedEvents$'), Period: 60 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-AbuseBlockerAddressesEvicted$'), Period: 60 });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtectionEnabled: false }) });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('-Function$'), RetentionInDays: 30 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-AbuseBlockerListFull$'), Threshold: 95 });
  });

  describe('IPv6 networks counted beyond the client\'s own', () => {
    test('a token threshold needs explicit /56 and /48 thresholds: their defaults are multiples of it', () => {
      const threshold = Token.asNumber({ Ref: 'Threshold' });
      expect(buildError({ blocker: { threshold } }).message).toContain('`ipv6Prefix56Threshold` must be given when `threshold` is a token (a value known only at deploy time): its default, 5 x threshold, cannot be worked out at synth');
      expect(buildError({ blocker: { threshold, ipv6Prefix56Threshold: 100 } }).message).toContain('`ipv6Prefix48Threshold` must be given when `threshold` is a token');
      const stack = newStack();
      const api = new SecureRestApi(stack, 'Api');
      addLoginRoute(stack, api);
      const deployTime = new CfnParameter(stack, 'Threshold', { type: 'Number', default: 20 }).valueAsNumber;
      const blocker = new AbuseBlocker(stack, 'Blocker', { firewall: new ApiFirewall(stack, 'Firewall', { api }), threshold: deployTime, ipv6Prefix56Threshold: 100, ipv6Prefix48Threshold: 400 });
      Template.fromStack(stack);
      expect(settingsOf(blocker.function).ipv6Networks).toEqual([{ prefixLength: 56, threshold: 100 }, { prefixLength: 48, threshold: 400 }]);
    });

    test('the /56 and /48 thresholds can be changed', () => {
      const { blocker } = build({ blocker: { ipv6Prefix56Threshold: 60, ipv6Prefix48Threshold: 1000 } });
      expect(settingsOf(blocker.function).ipv6Networks).toEqual([{ prefixLength: 56, threshold: 60 }, { prefixLength: 48, threshold: 1000 }]);
    });

    test.each<[number, object[]]>([
      [128, [{ prefixLength: 56, threshold: 100 }, { prefixLength: 48, threshold: 400 }]],
      [60, [{ prefixLength: 56, threshold: 100 }, { prefixLength: 48, threshold: 400 }]],
      [56, [{ prefixLength: 48, threshold: 400 }]],
      [52, [{ prefixLength: 48, threshold: 400 }]],
      [48, []],
    ])('with ipv6PrefixLength %d, only the wider networks are counted', (ipv6PrefixLength, networks) => {
      const { blocker } = build({ blocker: { ipv6PrefixLength } });
      expect(settingsOf(blocker.function).ipv6Networks).toEqual(networks);
    });

    test('with /56s not counted, the /48 only needs more than threshold', () => {
      const { blocker } = build({ blocker: { ipv6PrefixLength: 56, ipv6Prefix48Threshold: 21 } });
      expect(settingsOf(blocker.function).ipv6Networks).toEqual([{ prefixLength: 48, threshold: 21 }]);
    });
  });

  test('the firewall\'s allow lists are exempt: the function reads them and may only read them', () => {
    const { stack, firewall, blocker, template } = build({ firewall: { allowedIpv4Cidrs: ['203.0.113.0/24'], allowedIpv6Cidrs: ['2001:db8:1::/48'] } });
    const ids = [firewall.allowListIpv4!, firewall.allowListIpv6!].map((set) => ({ 'Fn::GetAtt': [logicalId(stack, set), 'Id'] }));
    expect(settingsOf(blocker.function).allowListSets.map((set: any) => set.id)).toEqual(ids);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'wafv2:GetIPSet',
          Resource: [firewall.allowListIpv4!, firewall.allowListIpv6!].map((set) => ({ 'Fn::GetAtt': [logicalId(stack, set), 'Arn'] })),
        }]),
      },
    });
  });

  test('without API alarms there are no blocker alarms', () => {
    const { blocker, template } = build({ api: { alarms: { enabled: false } } });
    expect(blocker.alarms).toEqual([]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('metric helpers name the metric in the API\'s namespace with the service dimension', () => {
    const { api, blocker } = build();
    const cases: Array<[(typeof blocker)['metricErrors'], string, string]> = [
      [blocker.metricAddressesBlocked, 'AddressesBlocked', 'Sum'],
      [blocker.metricAddressesUnblocked, 'AddressesUnblocked', 'Sum'],
      [blocker.metricAddressesEvicted, 'AddressesEvicted', 'Sum'],
      [blocker.metricBlockListFill, 'BlockListFillPercent', 'Maximum'],
      [blocker.metricIpSetUpdateRetries, 'IpSetUpdateRetries', 'Sum'],
      [blocker.metricMalformedEvents, 'MalformedEvents', 'Sum'],
      [blocker.metricErrors, 'BlockerErrors', 'Sum'],
    ];
    for (const [helper, metricName, statistic] of cases) {
      const metric = helper.call(blocker, {});
      expect(metric).toMatchObject({ namespace: api.accessLogMetrics.namespace, metricName, statistic, dimensions: { service: 'abuse-blocker' } });
      expect(metric.period.toSeconds()).toBe(60);
    }
  });

  test('addDashboardRow adds the blocker\'s row to the dashboard', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    addLoginRoute(stack, api);
    const blocker = new AbuseBlocker(stack, 'Blocker', { firewall: new ApiFirewall(stack, 'Firewall', { api }) });
    const dashboard = new ApiDashboard(stack, 'Dashboard', { api });
    blocker.addDashboardRow(dashboard);
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    for (const title of ['Abuse blocker: addresses a minute', 'Abuse blocker: fuller block list (%)', 'Abuse blocker: retries, errors, malformed events']) {
      expect(body).toContain(title);
    }
  });

  describe('bad input fails at synth, naming the prop', () => {
    test.each<[string, BuildOptions, string]>([
      ['threshold 0', { blocker: { threshold: 0 } }, '`threshold` must be a whole number >= 1'],
      ['threshold fractional', { blocker: { threshold: 2.5 } }, '`threshold` must be a whole number >= 1'],
      ['window zero', { blocker: { window: Duration.seconds(0) } }, '`window` must be a whole number of minutes from 1 minute to 1 hour, got 0 seconds'],
      ['window in seconds', { blocker: { window: Duration.seconds(90) } }, '`window` must be a whole number of minutes from 1 minute to 1 hour, got 1 minute 30 seconds'],
      ['window over an hour', { blocker: { window: Duration.hours(2) } }, '`window` must be a whole number of minutes from 1 minute to 1 hour, got 2 hours'],
      ['block period zero', { blocker: { blockPeriod: Duration.minutes(0) } }, '`blockPeriod` must be a whole number of minutes from 1 minute to 30 days, got 0 minutes'],
      ['block period over 30 days', { blocker: { blockPeriod: Duration.days(31) } }, '`blockPeriod` must be a whole number of minutes from 1 minute to 30 days, got 31 days'],
      ['sweep interval zero', { blocker: { sweepInterval: Duration.minutes(0) } }, '`sweepInterval` must be a whole number of minutes from 1 minute to 1 hour, got 0 minutes'],
      ['no status codes', { blocker: { statusCodes: [] } }, '`statusCodes` must list at least one response status, such as [401, 403], got []'],
      ['a success status', { blocker: { statusCodes: [401, 200] } }, '`statusCodes[1]` must be an HTTP error status from 400 to 599, got 200'],
      ['a repeated status', { blocker: { statusCodes: [401, 403, 401] } }, '`statusCodes[2]` repeats 401: list each status once'],
      ['max addresses over the WAF limit', { blocker: { maxBlockedAddresses: 10001 } }, '`maxBlockedAddresses` must be a whole number between 1 and 10000, got 10001'],
      ['max addresses zero', { blocker: { maxBlockedAddresses: 0 } }, '`maxBlockedAddresses` must be a whole number between 1 and 10000, got 0'],
      ['an IPv6 prefix under /48', { blocker: { ipv6PrefixLength: 40 } }, '`ipv6PrefixLength` must be a whole number between 48 and 128, got 40'],
      ['an IPv6 prefix over /128', { blocker: { ipv6PrefixLength: 129 } }, '`ipv6PrefixLength` must be a whole number between 48 and 128, got 129'],
      ['reserved concurrency 0', { blocker: { reservedConcurrency: 0 } }, '`reservedConcurrency` must be a whole number between 1 and 1000, got 0'],
      ['fill alarm over 100%', { blocker: { blockListFillAlarmPercent: 101 } }, '`blockListFillAlarmPercent` must be a whole number between 1 and 100, got 101'],
      ['infinite log retention', { blocker: { logRetention: logs.RetentionDays.INFINITE } }, '`logRetention` must be a finite CloudWatch Logs retention'],
      ['a /56 threshold of 0', { blocker: { ipv6Prefix56Threshold: 0 } }, '`ipv6Prefix56Threshold` must be a whole number >= 1, got 0'],
      ['a fractional /48 threshold', { blocker: { ipv6Prefix48Threshold: 400.5 } }, '`ipv6Prefix48Threshold` must be a whole number >= 1, got 400.5'],
      ['a /56 threshold not above threshold', { blocker: { ipv6Prefix56Threshold: 20 } },
        '`ipv6Prefix56Threshold` must be greater than `threshold` (20), got 20: a /56 holds many narrower networks, so it needs more offences than one; raise it above 20'],
      ['a /48 threshold not above the /56 one', { blocker: { ipv6Prefix56Threshold: 500 } },
        '`ipv6Prefix48Threshold` must be greater than `ipv6Prefix56Threshold` (500), got 400: a /48 holds many narrower networks, so it needs more offences than one; raise it above 500'],
      ['default network thresholds below a raised /56 threshold', { blocker: { threshold: 50, ipv6Prefix48Threshold: 200 } },
        '`ipv6Prefix48Threshold` must be greater than `ipv6Prefix56Threshold` (250), got 200'],
      ['a /48 threshold not above threshold when /56s are not counted', { blocker: { ipv6PrefixLength: 56, ipv6Prefix48Threshold: 20 } },
        '`ipv6Prefix48Threshold` must be greater than `threshold` (20), got 20'],
      ['a /56 threshold with a /56 client network', { blocker: { ipv6PrefixLength: 56, ipv6Prefix56Threshold: 100 } },
        '`ipv6Prefix56Threshold` has no effect with `ipv6PrefixLength` 56, got 100: a client\'s own network is then a /56 or wider, counted against `threshold`; leave it out, or set `ipv6PrefixLength` above 56'],
      ['a /48 threshold with a /48 client network', { blocker: { ipv6PrefixLength: 48, ipv6Prefix48Threshold: 400 } },
        '`ipv6Prefix48Threshold` has no effect with `ipv6PrefixLength` 48, got 400: a client\'s own network is then a /48 or wider, counted against `threshold`; leave it out, or set `ipv6PrefixLength` above 48'],
      ['an invalid exempt CIDR', { blocker: { exemptCidrs: ['300.1.2.0/24'] } }, '`exemptCidrs[0]`'],
      ['an exempt CIDR with host bits', { blocker: { exemptCidrs: ['198.51.100.7/24'] } }, '`exemptCidrs[0]`'],
    ])('%s', (_name, options, message) => {
      const error = buildError(options);
      expect(error.message).toContain(message);
      expect(error.message).toContain(AT);
    });

    test('too many status codes for a filter pattern', () => {
      const statusCodes = Array.from({ length: 150 }, (_, i) => 400 + i);
      expect(buildError({ blocker: { statusCodes } }).message)
        .toBe(`\`statusCodes\` lists 150 statuses, whose filter pattern takes 1049 characters, over CloudWatch Logs' 1024: list fewer statuses${AT}`);
    });

    test('exempt blocks are not bound by Lambda\'s 4 KB environment: 5,000 of them are in the settings file', () => {
      const exemptCidrs = Array.from({ length: 5000 }, (_, i) => `10.${i % 250}.${Math.floor(i / 250)}.0/24`);
      const { blocker } = build({ blocker: { exemptCidrs } });
      expect(settingsOf(blocker.function).exemptCidrs).toEqual(exemptCidrs);
    });

    test('a firewall on an existing web ACL has no automatic block lists', () => {
      const stack = newStack();
      const api = new SecureRestApi(stack, 'Api');
      const firewall = new ApiFirewall(stack, 'Firewall', { api, webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/1234abcd-12ab-34cd-56ef-1234567890ab' });
      expect(errorOf(ValidationError, () => new AbuseBlocker(stack, 'Blocker', { firewall })).message)
        .toBe(`\`firewall\` TestStack/Firewall uses an existing web ACL (\`webAclArn\`), which has no automatic block lists: let the ApiFirewall create its web ACL${AT}`);
    });

    test('a `firewall` that is not an ApiFirewall, as JavaScript or another language can pass', () => {
      const stack = newStack();
      const api = new SecureRestApi(stack, 'Api');
      expect(errorOf(ValidationError, () => new AbuseBlocker(stack, 'Blocker', { firewall: {} as any })).message)
        .toBe(`\`firewall\` must be an ApiFirewall, got {}: pass the firewall whose automatic block lists the blocker fills${AT}`);
      expect(errorOf(ValidationError, () => new AbuseBlocker(stack, 'Blocker2', { firewall: api as any })).message)
        .toBe("`firewall` must be an ApiFirewall, got the construct at 'TestStack/Api': pass the firewall whose automatic block lists the blocker fills (at TestStack/Blocker2)");
    });

    test('a blocker that fails validation does not claim the firewall: a valid one can follow', () => {
      const stack = newStack();
      const api = new SecureRestApi(stack, 'Api');
      addLoginRoute(stack, api);
      const firewall = new ApiFirewall(stack, 'Firewall', { api });
      expect(errorOf(ValidationError, () => new AbuseBlocker(stack, 'Bad', { firewall, threshold: 0 })).message).toContain('`threshold` must be a whole number >= 1, got 0');
      expect(firewall.abuseBlocker).toBeUndefined();
      const good = new AbuseBlocker(stack, 'Good', { firewall });
      expect(firewall.abuseBlocker).toBe(good);
    });

    test('a second blocker on the same firewall', () => {
      const { stack, firewall } = build();
      expect(errorOf(ValidationError, () => new AbuseBlocker(stack, 'Second', { firewall })).message)
        .toBe('`firewall` TestStack/Firewall already has an AbuseBlocker: two would overwrite each other\'s block lists, so give the firewall one (at TestStack/Second)');
    });

    test('a second blocker on the same firewall of an API without alarms', () => {
      const { stack, firewall } = build({ api: { alarms: { enabled: false } } });
      expect(errorOf(ValidationError, () => new AbuseBlocker(stack, 'Second', { firewall })).message)
        .toBe('`firewall` TestStack/Firewall already has an AbuseBlocker: two would overwrite each other\'s block lists, so give the firewall one (at TestStack/Second)');
    });
  });

  test('the firewall records its blocker', () => {
    const { firewall, blocker } = build();
    expect(firewall.abuseBlocker).toBe(blocker);
    const stack = newStack();
    expect(new ApiFirewall(stack, 'Firewall', { api: new SecureRestApi(stack, 'Api') }).abuseBlocker).toBeUndefined();
  });

  test('snapshot of the blocker\'s resources', () => {
    const { stack, blocker, template } = build();
    const resources = template.toJSON().Resources;
    const own = Object.fromEntries(Object.entries(resources).filter(([id]) => id.startsWith('Blocker') || id.includes('AbuseBlocker')));
    expect(Object.keys(own).length).toBeGreaterThan(5);
    expect(logicalId(stack, blocker.table)).toMatch(/^BlockerState/);
    expect(own).toMatchSnapshot();
  });
});

import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
// The stack deploys the same blocker handler, so it writes the settings file that handler reads, and
// alarms on the metrics it publishes; WAF's block responses carry the API's security headers.
import {
  ABUSE_BLOCKER_METRICS,
  ABUSE_BLOCKER_SERVICE,
  AbuseBlockerSettings,
  IpSetReference,
  SECURITY_HEADERS,
} from '../lambda/shared/constants';
import type { EnvironmentConfig } from '../bin/environment-config';
// The environment config's value for `firewallMode`, not construct logic.
import { FirewallMode } from '../lib/firewall/api-firewall';
import { DashboardGraph, ExtraAlarm, metricsNamespace } from './hand-written-monitoring';

/** Properties of {@link addFirewall}. */
export interface FirewallProps {
  /** The API's name: the prefix of the web ACL's and IP sets' names. */
  readonly apiName: string;
  /** The stage the web ACL protects. */
  readonly stage: apigw.Stage;
  /** The JSON access log the abuse blocker reads. */
  readonly accessLogs: logs.ILogGroup;
  /** The API's key: it encrypts the blocker's table (the log groups are the stack's). */
  readonly key: kms.Key;
  /** The WAF log group, encrypted; its name must start with `aws-waf-logs-`. */
  readonly wafLogs: logs.LogGroup;
  /** Creates the blocker's function the way the stack creates its others, with its log group. */
  readonly nodeFunction: (id: string, options: BlockerFunctionOptions) => lambda.Function;
  /** The blocker function's log group name (listed in the key policy by the stack). */
  readonly blockerLogName: string;
  readonly config: EnvironmentConfig;
}

/** What the stack's function factory takes. */
export interface BlockerFunctionOptions {
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly logGroupName: string;
  readonly environment: Record<string, string>;
  /**
   * The handler's settings file, written beside its bundle. Values known only at deploy time are
   * `{ $env }` references to variables of `environment`, as the library writes them.
   */
  readonly settings?: object;
}

/** What the monitoring needs from the firewall. */
export interface Firewall {
  /** The blocker's function: its errors and throttles are watched like the API's functions. */
  readonly blockerFunction: lambda.IFunction;
  readonly alarms: ExtraAlarm[];
  readonly dashboardRows: DashboardGraph[][];
}

/** An offending address is blocked at this many 401s/403s in the window, for the environment's block period. */
const OFFENCE_WINDOW = Duration.minutes(5);
const SWEEP_INTERVAL = Duration.minutes(5);
/** AWS WAF's limit of addresses in one IP set. */
const MAX_ADDRESSES_PER_SET = 10_000;
const ONE_MINUTE = Duration.minutes(1);

/**
 * The example stack's `ApiFirewall` and `AbuseBlocker`, in plain aws-cdk-lib:
 *
 * - a REGIONAL web ACL on the stage: two empty automatic block lists (IPv4, IPv6) that the blocker
 *   fills, 2000 requests per 5 minutes per address, 100 per 5 minutes per address on
 *   `DELETE /pets/{petId}`, the IP reputation, core (its 8 KB body rule set to Count), known bad
 *   inputs and SQL injection managed groups, then bodies over 8 KiB; the firewall's own blocks
 *   answer 403 or 429 as JSON with the security headers; everything only counts in COUNT mode;
 * - WAF logging to the encrypted `aws-waf-logs-` group, `authorization` and `cookie` redacted (and
 *   kept out of sampled requests by the web ACL's data protection);
 * - the blocker: a DynamoDB table (the API's key, TTL, point-in-time recovery), the handler fed by a
 *   subscription filter on the access log and swept every 5 minutes, without retries (a retried
 *   batch would count twice), allowed only the table calls it makes and GetIPSet/UpdateIPSet on
 *   its two sets;
 * - alarms (blocked requests, addresses blocked, blocker errors, a nearly full list) and two
 *   dashboard rows, handed to the monitoring.
 *
 * Written out rather than derived: one set of rules, no capacity (WCU), CIDR, route or settings
 * validation, and no allow lists or manual block lists (the example has none).
 */
export function addFirewall(stack: Stack, props: FirewallProps): Firewall {
  const { apiName, key, config } = props;
  const webAclName = `${apiName}-firewall`;
  const counting = config.firewallMode === FirewallMode.COUNT;

  // Created empty: the blocker owns the addresses. A change to a set's properties empties it again.
  const blockList = (version: 'IPV4' | 'IPV6') => {
    const name = `${webAclName}-auto-block-${version.toLowerCase()}`;
    const set = new wafv2.CfnIPSet(stack, `AutomaticBlockList${version}`, {
      name,
      description: 'Addresses blocked by the abuse blocker',
      scope: 'REGIONAL',
      ipAddressVersion: version,
      addresses: [],
    });
    const reference: IpSetReference = { name, id: set.attrId, scope: 'REGIONAL' };
    return { set, reference };
  };
  const ipv4 = blockList('IPV4');
  const ipv6 = blockList('IPV6');

  const respond = (responseCode: number, customResponseBodyKey: string): wafv2.CfnWebACL.RuleActionProperty => ({
    block: {
      customResponse: {
        responseCode,
        customResponseBodyKey,
        responseHeaders: Object.entries(SECURITY_HEADERS).map(([name, value]) => ({ name, value })),
      },
    },
  });
  const forbidden = respond(403, 'Forbidden');
  const tooManyRequests = respond(429, 'TooManyRequests');
  const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
  const noTransformation = [{ priority: 0, type: 'NONE' }];
  const rule = (name: string, action: wafv2.CfnWebACL.RuleActionProperty, statement: wafv2.CfnWebACL.StatementProperty) =>
    ({ name, action: counting ? { count: {} } : action, statement, visibilityConfig: visibility(name) });
  const managedGroup = (group: string, ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[]) => ({
    name: `AWS-${group}`,
    overrideAction: counting ? { count: {} } : { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group, ruleActionOverrides } },
    visibilityConfig: visibility(`AWS-${group}`),
  });
  // `DELETE /pets/{petId}` at the execute-api endpoint, matched raw and URL-decoded so neither
  // `/v1/pets/a%2Fb` nor `/v1/p%65ts/1` escapes the limit.
  const deletePet: wafv2.CfnWebACL.StatementProperty = {
    andStatement: {
      statements: [
        { byteMatchStatement: { fieldToMatch: { method: {} }, positionalConstraint: 'EXACTLY', searchString: 'DELETE', textTransformations: noTransformation } },
        {
          orStatement: {
            statements: ['NONE', 'URL_DECODE'].map((type) => ({
              regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: `^/${config.stageName}/pets/[^/]+/?$`, textTransformations: [{ priority: 0, type }] },
            })),
          },
        },
      ],
    },
  };
  const rules = [
    rule('AutomaticBlockListIPv4', forbidden, { ipSetReferenceStatement: { arn: ipv4.set.attrArn } }),
    rule('AutomaticBlockListIPv6', forbidden, { ipSetReferenceStatement: { arn: ipv6.set.attrArn } }),
    rule('RateLimitPerIp', tooManyRequests, { rateBasedStatement: { limit: 2000, evaluationWindowSec: 300, aggregateKeyType: 'IP' } }),
    rule('RateLimit-DELETE-pets-petId', tooManyRequests, {
      rateBasedStatement: { limit: 100, evaluationWindowSec: 300, aggregateKeyType: 'IP', scopeDownStatement: deletePet },
    }),
    managedGroup('AWSManagedRulesAmazonIpReputationList'),
    // The body-size rule below decides instead of the core rule set's 8 KB one.
    managedGroup('AWSManagedRulesCommonRuleSet', [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]),
    managedGroup('AWSManagedRulesKnownBadInputsRuleSet'),
    managedGroup('AWSManagedRulesSQLiRuleSet'),
    // AWS WAF inspects the first 16 KiB of the body; a larger one is oversize, so it matches.
    rule('MaxRequestBodySize', forbidden, {
      sizeConstraintStatement: { fieldToMatch: { body: { oversizeHandling: 'MATCH' } }, comparisonOperator: 'GT', size: 8192, textTransformations: noTransformation },
    }),
  ].map((r, priority) => ({ ...r, priority }));

  const redactedHeaders = ['authorization', 'cookie'];
  const webAcl = new wafv2.CfnWebACL(stack, 'WebAcl', {
    name: webAclName,
    description: `Firewall of ${apiName}`,
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    rules,
    customResponseBodies: {
      Forbidden: { contentType: 'APPLICATION_JSON', content: JSON.stringify({ message: 'Forbidden' }) },
      TooManyRequests: { contentType: 'APPLICATION_JSON', content: JSON.stringify({ message: 'Too many requests' }) },
    },
    visibilityConfig: visibility(webAclName),
    // Keeps the credentials out of sampled requests too, which the logging redaction does not reach.
    dataProtectionConfig: {
      dataProtections: [{
        field: { fieldType: 'SINGLE_HEADER', fieldKeys: redactedHeaders },
        action: 'SUBSTITUTION',
        excludeRuleMatchDetails: false,
        excludeRateBasedDetails: false,
      }],
    },
  });
  new wafv2.CfnWebACLAssociation(stack, 'WebAclAssociation', { resourceArn: props.stage.stageArn, webAclArn: webAcl.attrArn });
  new wafv2.CfnLoggingConfiguration(stack, 'WebAclLogging', {
    resourceArn: webAcl.attrArn,
    // The log group's ARN without the `:*` of `logGroupArn`; referencing its name orders the two.
    logDestinationConfigs: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: props.wafLogs.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    redactedFields: redactedHeaders.map((name) => ({ singleHeader: { Name: name } })),
  });

  // The abuse blocker: counters and blocks in a table, expiring by TTL.
  const table = new dynamodb.Table(stack, 'AbuseBlockerState', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    timeToLiveAttribute: 'expiresAt',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: config.removalPolicy === RemovalPolicy.RETAIN,
    removalPolicy: config.removalPolicy,
  });
  const namespace = metricsNamespace(apiName);
  // The table's name and the IP sets' ids are known only at deploy time: the file refers to variables.
  const ref = (name: string) => ({ $env: name }) as unknown as string;
  const settings: AbuseBlockerSettings = {
    tableName: ref('SECURE_API_SETTING_1'),
    threshold: config.abuseBlocking.threshold,
    windowSeconds: OFFENCE_WINDOW.toSeconds(),
    blockSeconds: config.abuseBlocking.blockPeriod.toSeconds(),
    ipv6PrefixLength: 64,
    ipv6Networks: [{ prefixLength: 56, threshold: 5 * config.abuseBlocking.threshold }, { prefixLength: 48, threshold: 20 * config.abuseBlocking.threshold }],
    statusCodes: [401, 403],
    ipv4Set: { ...ipv4.reference, id: ref('SECURE_API_SETTING_2') },
    ipv6Set: { ...ipv6.reference, id: ref('SECURE_API_SETTING_3') },
    allowListSets: [],
    exemptCidrs: [],
    maxAddressesPerSet: MAX_ADDRESSES_PER_SET,
    metricsNamespace: namespace,
  };
  const blocker = props.nodeFunction('AbuseBlocker', {
    entry: path.join(__dirname, '..', 'lambda', 'abuse-blocker', 'index.ts'),
    description: `Blocks abusive clients of ${apiName}`,
    // Conflicting IP-set writes back off for up to about 10 s.
    timeout: Duration.minutes(1),
    logGroupName: props.blockerLogName,
    environment: {
      POWERTOOLS_SERVICE_NAME: ABUSE_BLOCKER_SERVICE,
      SECURE_API_SETTING_1: table.tableName,
      SECURE_API_SETTING_2: ipv4.reference.id,
      SECURE_API_SETTING_3: ipv6.reference.id,
    },
    settings,
  });
  // A retried batch would count its offences twice; a failed one is kept in a queue.
  const failedInvocations = new sqs.Queue(stack, 'AbuseBlockerFailedInvocations', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  blocker.configureAsyncInvoke({ retryAttempts: 0, onFailure: new lambdaDestinations.SqsDestination(failedInvocations) });
  table.grant(blocker, 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
  blocker.addToRolePolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
  }));
  blocker.addToRolePolicy(new iam.PolicyStatement({
    actions: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'],
    resources: [ipv4.set.attrArn, ipv6.set.attrArn],
  }));
  new logs.SubscriptionFilter(stack, 'AbuseBlockerSubscription', {
    logGroup: props.accessLogs,
    destination: new destinations.LambdaDestination(blocker),
    // Terms, not JSON: a client can break its own lines' JSON; the handler reads the line's end.
    filterPattern: logs.FilterPattern.anyTerm('401', '403'),
  });
  new events.Rule(stack, 'AbuseBlockerSweep', {
    description: `Removes expired blocks from the automatic block lists of ${apiName}`,
    schedule: events.Schedule.rate(SWEEP_INTERVAL),
    targets: [new targets.LambdaFunction(blocker, { retryAttempts: 0 })],
  });

  const waf = (metricName: string, rule: string, label?: string) => new cloudwatch.Metric({
    namespace: 'AWS/WAFV2',
    metricName,
    dimensionsMap: { WebACL: webAclName, Region: stack.region, Rule: rule },
    statistic: cloudwatch.Stats.SUM,
    period: ONE_MINUTE,
    label,
  });
  const blockerMetric = (metricName: string, label?: string, statistic: string = cloudwatch.Stats.SUM, period = ONE_MINUTE) => new cloudwatch.Metric({
    namespace,
    metricName,
    // Powertools puts the service on every metric as a dimension.
    dimensionsMap: { service: ABUSE_BLOCKER_SERVICE },
    statistic,
    period,
    label,
  });
  const perRule = (metricName: string) => rules.map(({ name }) => waf(metricName, name, name));
  const m = ABUSE_BLOCKER_METRICS;

  return {
    blockerFunction: blocker,
    alarms: [
      { id: 'WafBlockedRequests', metric: waf('BlockedRequests', 'ALL'), threshold: 100, attackSignal: true,
        description: 'The firewall blocks 100 or more requests a minute. Read the WAF log (aws-waf-logs-*) for the rules and addresses behind them.' },
      { id: 'AbuseBlockerAddressesBlocked', metric: blockerMetric(m.addressesBlocked), threshold: 1, attackSignal: true,
        description: 'The abuse blocker keeps blocking addresses for repeated 401s and 403s. Read its log for the addresses.' },
      // Per sweep interval: without an attack only the sweep runs.
      { id: 'AbuseBlockerErrors', metric: blockerMetric(m.errors, undefined, cloudwatch.Stats.SUM, SWEEP_INTERVAL), threshold: 1,
        description: 'The abuse blocker fails to count offences or update the block lists. Read its log group.' },
      { id: 'AbuseBlockerMalformedEvents', metric: blockerMetric(m.malformedEvents, undefined, cloudwatch.Stats.SUM, SWEEP_INTERVAL), threshold: 1,
        description: 'The abuse blocker receives log lines or deliveries it cannot read, and does not count their offences. Read its log group.' },
      { id: 'AbuseBlockerListFull', metric: blockerMetric(m.blockListFill, undefined, cloudwatch.Stats.MAXIMUM, SWEEP_INTERVAL), threshold: 80,
        description: 'An automatic block list is 80% full or more; a full list drops its lowest-ranked blocks.' },
      { id: 'AbuseBlockerFailedInvocations', metric: failedInvocations.metricApproximateNumberOfMessagesVisible({ period: SWEEP_INTERVAL, statistic: cloudwatch.Stats.MAXIMUM }), threshold: 1, datapointsToAlarm: 1,
        description: 'The abuse blocker failed on access-log deliveries, now in its failed-invocations queue. Read its log group.' },
      { id: 'AbuseBlockerAddressesEvicted', metric: blockerMetric(m.addressesEvicted, undefined, cloudwatch.Stats.SUM, SWEEP_INTERVAL), threshold: 1, datapointsToAlarm: 1,
        description: 'A full automatic block list dropped or kept out live blocks. Read the blocker\'s log for the addresses.' },
    ],
    dashboardRows: [
      [
        { title: 'Firewall requests a minute', metrics: ['Allowed', 'Blocked', 'Counted'].map((what) => waf(`${what}Requests`, 'ALL', what.toLowerCase())) },
        { title: 'Firewall blocked requests a minute, by rule', metrics: perRule('BlockedRequests') },
        { title: 'Firewall counted requests a minute, by rule', metrics: perRule('CountedRequests') },
      ],
      [
        { title: 'Abuse blocker: addresses a minute', metrics: [
          blockerMetric(m.addressesBlocked, 'blocked'), blockerMetric(m.addressesUnblocked, 'unblocked'), blockerMetric(m.addressesEvicted, 'evicted (list full)'),
        ] },
        { title: 'Abuse blocker: fuller block list (%)', metrics: [blockerMetric(m.blockListFill, 'fill', cloudwatch.Stats.MAXIMUM)] },
        { title: 'Abuse blocker: retries, errors, malformed events', metrics: [
          blockerMetric(m.ipSetUpdateRetries, 'IP-set retries'), blockerMetric(m.errors, 'errors'), blockerMetric(m.malformedEvents, 'malformed'),
        ] },
      ],
    ],
  };
}

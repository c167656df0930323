import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
// The metric filters read the JSON access log that hand-written-stack.ts writes with the library's
// format string; these are that format's keys.
import { ACCESS_LOG_KEYS } from '../lambda/shared/constants';
import type { EnvironmentConfig, Profile } from '../bin/environment-config';

/** When the alarms fire. Counts are per minute, over the last {@link EVALUATION_MINUTES}. */
interface AlarmThresholds {
  readonly serverErrorRatePercent: number;
  /** The fewest requests in a minute for its 5XX rate to count. */
  readonly minimumRequestsForErrorRate: number;
  readonly latencyP99: Duration;
  readonly integrationErrorsPerMinute: number;
  readonly failedAuthenticationsPerMinute: number;
  readonly throttledRequestsPerMinute: number;
  readonly functionErrorsPerMinute: number;
  readonly functionThrottlesPerMinute: number;
  readonly authorizerErrorsPerMinute: number;
  readonly authorizerFailuresPerMinute: number;
  readonly trafficAnomalyStandardDeviations: number;
}

const PROD_THRESHOLDS: AlarmThresholds = {
  serverErrorRatePercent: 5,
  minimumRequestsForErrorRate: 10,
  latencyP99: Duration.seconds(3),
  integrationErrorsPerMinute: 5,
  failedAuthenticationsPerMinute: 50,
  throttledRequestsPerMinute: 100,
  functionErrorsPerMinute: 1,
  functionThrottlesPerMinute: 1,
  authorizerErrorsPerMinute: 1,
  authorizerFailuresPerMinute: 1,
  trafficAnomalyStandardDeviations: 3,
};

/** The example app's thresholds: a dev API sees test traffic, so it alarms later. */
const THRESHOLDS: Record<Profile, AlarmThresholds> = {
  prod: PROD_THRESHOLDS,
  dev: {
    ...PROD_THRESHOLDS,
    serverErrorRatePercent: 10,
    latencyP99: Duration.seconds(5),
    failedAuthenticationsPerMinute: 200,
    throttledRequestsPerMinute: 500,
  },
};

/** An alarm fires when {@link BREACHING_MINUTES} of the last {@link EVALUATION_MINUTES} breach. */
const EVALUATION_MINUTES = 5;
const BREACHING_MINUTES = 3;
const ONE_MINUTE = Duration.minutes(1);

/** Dashboard layout: 24 columns, three graphs a row. */
const DASHBOARD_WIDTH = 24;
const GRAPH_HEIGHT = 6;

/** The CloudWatch namespace of the API's own metrics: the access-log signals, the abuse blocker's. */
export const metricsNamespace = (apiName: string): string => `PetsApi/${apiName}`;

/** Access-log lines of requests refused with 401 or 403 that the web ACL did not block. */
function refusedRequestsPattern(): logs.IFilterPattern {
  const status = `$.${ACCESS_LOG_KEYS.status}`;
  return logs.FilterPattern.all(
    logs.FilterPattern.any(logs.FilterPattern.numberValue(status, '=', 401), logs.FilterPattern.numberValue(status, '=', 403)),
    logs.FilterPattern.stringValue(`$.${ACCESS_LOG_KEYS.wafResponseCode}`, '!=', 'WAF_BLOCK'),
  );
}

/** An alarm of another part of the stack (the firewall's), created and notified like the API's. */
export interface ExtraAlarm {
  /** The alarm's id, also the end of its name. */
  readonly id: string;
  readonly metric: cloudwatch.Metric;
  readonly threshold: number;
  readonly description: string;
  /** Whether it is one of the incident alarm's attack signals. */
  readonly attackSignal?: boolean;
  /** Breaching datapoints that fire it, of the last {@link EVALUATION_MINUTES}; the API's otherwise. */
  readonly datapointsToAlarm?: number;
}

/** A dashboard graph of another part of the stack: its title and metrics. */
export interface DashboardGraph {
  readonly title: string;
  readonly metrics: cloudwatch.IMetric[];
}

/** Properties of {@link addApiMonitoring}. */
export interface ApiMonitoringProps {
  /** The API's name: the prefix of the alarm names, the dashboard's name and the metric namespace. */
  readonly apiName: string;
  /** The stage whose API Gateway metrics are watched. */
  readonly stage: apigw.Stage;
  /** The JSON access log the metric filters read. */
  readonly accessLogs: logs.ILogGroup;
  /** The API's key: it encrypts the alarm topic, so CloudWatch alarms are allowed to use it. */
  readonly key: kms.Key;
  /** The functions behind the API's integrations: their errors and throttles are watched. */
  readonly functions: readonly lambda.IFunction[];
  /** The token authorizers' functions: their errors refuse every caller of their routes. */
  readonly authorizerFunctions: readonly lambda.IFunction[];
  /** The environment: its profile picks the thresholds; its alarm emails are subscribed. */
  readonly config: EnvironmentConfig;
  /** Further alarms, such as the firewall's, after the API's. */
  readonly extraAlarms?: readonly ExtraAlarm[];
  /** Further dashboard rows of up to three graphs each, after the API's. */
  readonly extraDashboardRows?: readonly (readonly DashboardGraph[])[];
}

/**
 * The hand-written stack's monitoring, in plain aws-cdk-lib: what the example stack gets from
 * `SecureRestApi`'s alarms (on by default) and `ApiDashboard`.
 *
 * - four metric filters on the access log: failed authentications (401, 403, not those the web ACL
 *   blocked), throttled requests (429), integration errors and authorizer failures;
 * - an SNS topic encrypted with the API's key that accepts publishing over TLS only, from this
 *   account's CloudWatch alarms (topic policy and key policy statement), with the environment's
 *   alarm emails subscribed;
 * - alarms on the 5XX rate (a math expression, 0 in minutes with few requests), p99 latency,
 *   authorizer failures, integration errors, failed authentications, throttled requests, unusual
 *   traffic (anomaly detection on the request count), and the errors and throttles of every
 *   function, each notifying the topic on ALARM and OK;
 * - the extra alarms given (the firewall's, bench/hand-written-firewall.ts), notified the same way;
 * - a composite incident alarm when two of the attack signals fire together (AT_LEAST): the three
 *   above and the extra alarms marked as attack signals;
 * - a dashboard: alarm states, traffic, errors, latency, the access-log signals, the functions,
 *   then the extra rows given.
 *
 * Written out rather than derived: the thresholds are a table per profile, the functions a list,
 * and the incident rule over the signals known at construction; nothing is validated.
 */
export function addApiMonitoring(stack: Stack, props: ApiMonitoringProps): void {
  const { apiName, stage, key, config } = props;
  const t = THRESHOLDS[config.profile];

  // Signals API Gateway does not publish, counted from the JSON access log: 1 a matching request.
  const namespace = metricsNamespace(apiName);
  const countRequests = (id: string, metricName: string, filterPattern: logs.IFilterPattern) =>
    props.accessLogs.addMetricFilter(id, {
      filterPattern,
      metricNamespace: namespace,
      metricName,
      metricValue: '1',
      defaultValue: 0,
      unit: cloudwatch.Unit.COUNT,
    }).metric({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE });
  const status = `$.${ACCESS_LOG_KEYS.status}`;
  const errorResponseType = `$.${ACCESS_LOG_KEYS.errorResponseType}`;
  // Requests the web ACL blocked are counted by WAF itself: one flood must not count twice.
  const failedAuthentications = countRequests('FailedAuthentications', 'FailedAuthentications', refusedRequestsPattern());
  const throttledRequests = countRequests('ThrottledRequests', 'ThrottledRequests', logs.FilterPattern.numberValue(status, '=', 429));
  const integrationErrors = countRequests('IntegrationErrors', 'IntegrationErrors', logs.FilterPattern.any(
    logs.FilterPattern.stringValue(errorResponseType, '=', 'INTEGRATION_FAILURE'),
    logs.FilterPattern.stringValue(errorResponseType, '=', 'INTEGRATION_TIMEOUT'),
    logs.FilterPattern.stringValue(`$.${ACCESS_LOG_KEYS.integrationError}`, '!=', '-'),
  ));
  const authorizerFailures = countRequests('AuthorizerFailures', 'AuthorizerFailures', logs.FilterPattern.any(
    logs.FilterPattern.stringValue(errorResponseType, '=', 'AUTHORIZER_FAILURE'),
    logs.FilterPattern.stringValue(errorResponseType, '=', 'AUTHORIZER_CONFIGURATION_ERROR'),
  ));

  // The topic: encrypted with the API's key, TLS only, published to by this account's alarms.
  const cloudWatch = { sid: 'AllowCloudWatchAlarmsOfThisAccount', principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')] };
  const topic = new sns.Topic(stack, 'AlarmTopic', { displayName: `Alarms of ${apiName}`, masterKey: key, enforceSSL: true });
  topic.addToResourcePolicy(new iam.PolicyStatement({
    ...cloudWatch,
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` } },
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    ...cloudWatch,
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEqualsIfExists: { 'aws:SourceAccount': stack.account } },
  }));
  for (const email of config.alarmEmails) {
    topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
  const notify = new cwActions.SnsAction(topic);
  const withActions = <T extends cloudwatch.AlarmBase>(alarm: T): T => {
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    return alarm;
  };

  // A quiet API is not failing: missing data never breaches.
  const alarm = (id: string, metric: cloudwatch.Metric | cloudwatch.MathExpression, threshold: number, description: string, datapointsToAlarm = BREACHING_MINUTES) => withActions(metric.createAlarm(stack, `${id}Alarm`, {
    alarmName: `${apiName}-${id}`,
    alarmDescription: description,
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: EVALUATION_MINUTES,
    datapointsToAlarm,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));

  // The 5XX rate in percent, 0 in minutes with too few requests for one failure to mean an outage.
  const serverErrorRate = new cloudwatch.MathExpression({
    expression: `IF(requests >= ${t.minimumRequestsForErrorRate}, 100 * errors / requests, 0)`,
    usingMetrics: {
      errors: stage.metricServerError({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE }),
      requests: stage.metricCount({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE }),
    },
    period: ONE_MINUTE,
    label: '5XX rate (%)',
  });
  const alarms: cloudwatch.Alarm[] = [
    alarm('ServerErrorRate', serverErrorRate, t.serverErrorRatePercent,
      `${t.serverErrorRatePercent}% or more of requests end in 5XX (in minutes with ${t.minimumRequestsForErrorRate} requests or more). Check the integration and function alarms and the execution log.`),
    alarm('LatencyP99', stage.metricLatency({ statistic: cloudwatch.Stats.p(99), period: ONE_MINUTE }), t.latencyP99.toMilliseconds(),
      `The slowest 1% of requests take ${t.latencyP99.toHumanString()} or longer. Check the functions' duration and throttles.`),
    alarm('AuthorizerFailures', authorizerFailures, t.authorizerFailuresPerMinute,
      `${t.authorizerFailuresPerMinute} or more requests a minute get 500 because the authorizer could not decide. Read its log and check its invoke permission.`),
    alarm('IntegrationErrors', integrationErrors, t.integrationErrorsPerMinute,
      `${t.integrationErrorsPerMinute} or more requests a minute fail or time out in the backend. Read the access log's integrationError.`),
  ];
  const failedAuthenticationsAlarm = alarm('FailedAuthentications', failedAuthentications, t.failedAuthenticationsPerMinute,
    `${t.failedAuthenticationsPerMinute} or more requests a minute are refused with 401 or 403. Group the access log by sourceIp and path; block abusive addresses.`);
  const throttledRequestsAlarm = alarm('ThrottledRequests', throttledRequests, t.throttledRequestsPerMinute,
    `${t.throttledRequestsPerMinute} or more requests a minute are refused with 429. Group the access log by sourceIp and apiKeyId; block a flood or raise a tier's limits.`);
  const trafficAnomalyAlarm = withActions(new cloudwatch.AnomalyDetectionAlarm(stack, 'TrafficAnomalyAlarm', {
    alarmName: `${apiName}-TrafficAnomaly`,
    alarmDescription: `Requests are more than ${t.trafficAnomalyStandardDeviations} standard deviations above their usual level. Unless a launch explains it, treat it as an attack.`,
    // Anomaly detection needs longer periods than a minute to be stable.
    metric: stage.metricCount({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
    stdDevs: t.trafficAnomalyStandardDeviations,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));
  alarms.push(failedAuthenticationsAlarm, throttledRequestsAlarm, trafficAnomalyAlarm);

  const functions = [...props.functions, ...props.authorizerFunctions];
  for (const fn of functions) {
    const authorizer = props.authorizerFunctions.includes(fn);
    const name = fn.node.id;
    alarms.push(
      alarm(`${authorizer ? 'AuthorizerErrors' : 'FunctionErrors'}-${name}`, fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE }),
        authorizer ? t.authorizerErrorsPerMinute : t.functionErrorsPerMinute,
        authorizer
          ? `The authorizer function ${name} fails: its routes answer 500 to every caller. Read its log group.`
          : `The function ${name} fails. Read its log group; roll back the last deployment if it caused this.`),
      alarm(`FunctionThrottles-${name}`, fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE }), t.functionThrottlesPerMinute,
        `The function ${name} is throttled by Lambda's concurrency limit. Check the account's and the function's concurrency.`),
    );
  }

  const extraAlarms = (props.extraAlarms ?? []).map((extra) => ({ extra, alarm: alarm(extra.id, extra.metric, extra.threshold, extra.description, extra.datapointsToAlarm) }));
  alarms.push(...extraAlarms.map(({ alarm: created }) => created));

  // Two of the attack signals together: probably an attack rather than a misconfigured client.
  const incident = withActions(new cloudwatch.CompositeAlarm(stack, 'IncidentAlarm', {
    compositeAlarmName: `${apiName}-UnderAttack`,
    alarmDescription: 'Two or more attack signals fire together. Read the access log for the client addresses behind them and block them.',
    alarmRule: cloudwatch.AlarmRule.atLeast(cloudwatch.AlarmState.ALARM, {
      operands: [failedAuthenticationsAlarm, throttledRequestsAlarm, trafficAnomalyAlarm,
        ...extraAlarms.filter(({ extra }) => extra.attackSignal).map(({ alarm: signal }) => signal)],
      threshold: cloudwatch.AtLeastThreshold.count(2),
    }),
  }));

  const graph = (title: string, metrics: cloudwatch.IMetric[]) =>
    new cloudwatch.GraphWidget({ title, left: metrics, width: DASHBOARD_WIDTH / 3, height: GRAPH_HEIGHT, leftYAxis: { min: 0 } });
  const perMinute = (label: string, statistic: string = cloudwatch.Stats.SUM) => ({ statistic, period: ONE_MINUTE, label });
  const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', { dashboardName: apiName, defaultInterval: Duration.hours(3) });
  // Each addWidgets() call is one row.
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms, incident], width: DASHBOARD_WIDTH, height: 4 }));
  dashboard.addWidgets(
    graph('Requests a minute', [stage.metricCount(perMinute('requests'))]),
    graph('Errors a minute', [stage.metricClientError(perMinute('4XX')), stage.metricServerError(perMinute('5XX'))]),
    graph('Latency (ms)', ['p50', 'p90', 'p99'].map((p) => stage.metricLatency(perMinute(p, p)))),
  );
  dashboard.addWidgets(
    graph('Failed authentications a minute (401, 403)', [failedAuthentications.with({ label: 'refused' })]),
    graph('Throttled requests a minute (429)', [throttledRequests.with({ label: 'throttled' })]),
    graph('Integration errors and authorizer failures a minute', [
      integrationErrors.with({ label: 'integration failed or timed out' }),
      authorizerFailures.with({ label: 'authorizer failed' }),
    ]),
  );
  dashboard.addWidgets(
    graph('Function errors a minute', functions.map((fn) => fn.metricErrors(perMinute(fn.node.id)))),
    graph('Function throttles a minute', functions.map((fn) => fn.metricThrottles(perMinute(fn.node.id)))),
    graph('Function duration p99 (ms)', functions.map((fn) => fn.metricDuration(perMinute(fn.node.id, cloudwatch.Stats.p(99))))),
  );
  for (const row of props.extraDashboardRows ?? []) {
    dashboard.addWidgets(...row.map(({ title, metrics }) => graph(title, metrics)));
  }
}

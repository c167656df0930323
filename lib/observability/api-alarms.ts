import { ArnFormat, CfnResource, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ValidationError } from '../private/validation-error';
import { describe, validateDuration, validateEmailAddresses, validateWholeNumber } from '../private/validators';
import type { ISecureRestApi } from '../secure-rest-api';
import { NAG_ACKNOWLEDGEMENTS, acknowledgeNag } from '../private/nag';

/**
 * When the alarms of an API fire. Counts are per minute; an alarm fires when `breachingMinutes` of
 * the last `evaluationMinutes` minutes breach (all but the traffic-anomaly alarm, which compares
 * 5-minute periods: 2 of the last 3). Every field has a default; environments usually set a few (a
 * prod API with real traffic, a dev API with little).
 */
export interface ApiAlarmThresholds {
  /**
   * 5XX responses, as a percentage of the requests of a minute.
   *
   * @default 5
   */
  readonly serverErrorRatePercent?: number;

  /**
   * The fewest requests in a minute for its 5XX rate to count: one failed request in a quiet minute
   * is not an outage.
   *
   * @default 10
   */
  readonly minimumRequestsForErrorRate?: number;

  /**
   * The 99th percentile of the time from request to response.
   *
   * @default Duration.seconds(3)
   */
  readonly latencyP99?: Duration;

  /**
   * Requests a minute whose backend failed or timed out.
   *
   * @default 5
   */
  readonly integrationErrorsPerMinute?: number;

  /**
   * Requests a minute refused with 401 or 403: credential stuffing, stolen or forged tokens,
   * probing of paths.
   *
   * @default 50
   */
  readonly failedAuthenticationsPerMinute?: number;

  /**
   * Requests a minute refused with 429: throttles and exhausted usage-plan quotas.
   *
   * @default 100
   */
  readonly throttledRequestsPerMinute?: number;

  /**
   * Errors a minute of any one function behind the API.
   *
   * @default 1
   */
  readonly functionErrorsPerMinute?: number;

  /**
   * Throttled invocations a minute of any one function behind the API.
   *
   * @default 1
   */
  readonly functionThrottlesPerMinute?: number;

  /**
   * Faults a minute of an authorizer: requests it could not decide because of a bug, which it
   * reports in its own metric (`JwtAuthorizer.metricFaults()`). Refused tokens are not faults.
   *
   * @default - `authorizerErrorsPerMinute` if it is set, else 1
   */
  readonly authorizerFaultsPerMinute?: number;

  /**
   * The threshold of the authorizer faults alarm, under its former name.
   *
   * @deprecated use `authorizerFaultsPerMinute`. No alarm watches an authorizer function's Lambda
   * `Errors` any more: a Lambda authorizer refuses a token by failing, so they count every refused token.
   * @default 1
   */
  readonly authorizerErrorsPerMinute?: number;

  /**
   * Requests a minute that an authorizer could not decide (failed, timed out, throttled, or no
   * valid policy), from the access log: API Gateway answered them with 500, so every caller of its
   * routes is refused. Refused tokens (401) are not counted.
   *
   * @default 1
   */
  readonly authorizerFailuresPerMinute?: number;

  /**
   * How far above its usual level (learnt by CloudWatch anomaly detection) the request count must
   * be, in standard deviations, to count as unusual traffic.
   *
   * @default 3
   */
  readonly trafficAnomalyStandardDeviations?: number;

  /**
   * How many of the last minutes are evaluated, at most 60.
   *
   * @default 5
   */
  readonly evaluationMinutes?: number;

  /**
   * How many of the evaluated minutes must breach for an alarm to fire.
   *
   * @default 3
   */
  readonly breachingMinutes?: number;

  /**
   * How many attack signals (failed authentications, throttling, unusual traffic, and those that
   * later parts such as the firewall add) must fire together to raise the incident alarm.
   *
   * @default 2
   */
  readonly attackSignalsForIncident?: number;
}

/** Where alarms go, and when they fire. */
export interface ApiAlarmsOptions {
  /**
   * When the alarms fire.
   *
   * @default - the defaults of each {@link ApiAlarmThresholds} field
   */
  readonly thresholds?: ApiAlarmThresholds;

  /**
   * The topic alarm and OK notifications go to. Its policy must let `cloudwatch.amazonaws.com`
   * publish, and if it is encrypted, its key must let CloudWatch use it: otherwise notifications are
   * dropped without an error.
   *
   * @default - a topic encrypted with the API's key, which accepts only TLS publishing
   */
  readonly topic?: sns.ITopic;

  /**
   * Email addresses subscribed to the topic. Each must confirm the subscription.
   *
   * @default - none
   */
  readonly emailAddresses?: string[];
}

/** The alarms of a `SecureRestApi`, in its props. */
export interface SecureRestApiAlarmsOptions extends ApiAlarmsOptions {
  /**
   * Whether the API has alarms. Turning them off is an explicit choice.
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/** Properties of {@link ApiAlarms}. */
export interface ApiAlarmsProps extends ApiAlarmsOptions {
  /** The API to watch. */
  readonly api: ISecureRestApi;
}

/** Options of {@link ApiAlarms.monitorFunction}. */
export interface MonitorFunctionOptions {
  /**
   * Whether the function is a Lambda authorizer. An authorizer refuses a token by failing with
   * `Unauthorized`, so Lambda counts every refused token as an error: its `Errors` metric is not
   * alarmed. Its failures that matter (API Gateway answers 500) are watched by the API's
   * `AuthorizerFailures` alarm, and its bugs by an alarm on `faults`, if given.
   *
   * @default false
   */
  readonly authorizer?: boolean;

  /**
   * An authorizer's own count of faults (requests it could not decide because of a bug), alarmed at
   * `authorizerFaultsPerMinute`. Only for an authorizer.
   *
   * @default - no faults alarm
   */
  readonly faults?: cloudwatch.IMetric;
}

const DEFAULTS: Required<Omit<ApiAlarmThresholds, 'latencyP99'>> & { readonly latencyP99: Duration } = {
  serverErrorRatePercent: 5,
  minimumRequestsForErrorRate: 10,
  latencyP99: Duration.seconds(3),
  integrationErrorsPerMinute: 5,
  failedAuthenticationsPerMinute: 50,
  throttledRequestsPerMinute: 100,
  functionErrorsPerMinute: 1,
  functionThrottlesPerMinute: 1,
  authorizerFaultsPerMinute: 1,
  authorizerErrorsPerMinute: 1,
  authorizerFailuresPerMinute: 1,
  trafficAnomalyStandardDeviations: 3,
  evaluationMinutes: 5,
  breachingMinutes: 3,
  attackSignalsForIncident: 2,
};

/** Anomaly detection needs a longer period than a minute to be stable. */
const ANOMALY_PERIOD = Duration.minutes(5);
const ANOMALY_EVALUATION_PERIODS = 3;
const ANOMALY_DATAPOINTS = 2;

/** CloudWatch's limit of alarms in one composite alarm's rule. */
const MAX_COMPOSITE_OPERANDS = 100;
/** CloudWatch's limit for a composite alarm's rule, in characters. */
const MAX_ALARM_RULE_LENGTH = 10240;
/** The longest alarm name, assumed for an alarm whose name CloudFormation generates. */
const MAX_ALARM_NAME_LENGTH = 255;


/** An alarm another part of the library (the firewall, the abuse blocker) adds to the API's set. */
export interface ApiMetricAlarmOptions {
  /** The metric, with its statistic and period. */
  readonly metric: cloudwatch.IMetric;
  /** The alarm fires at this value or above. */
  readonly threshold: number;
  /** What the alarm means, for the on-call engineer. */
  readonly summary: string;
  /** What the on-call engineer should do. */
  readonly action: string;
  /**
   * Whether the alarm is an attack signal of the incident alarm.
   *
   * @default false
   */
  readonly attackSignal?: boolean;

  /**
   * How many of the last `evaluationMinutes` datapoints must breach for the alarm to fire, from 1
   * (the first breaching datapoint fires it: for events that must never happen) to
   * `evaluationMinutes`.
   *
   * @default - the set's `breachingMinutes`
   */
  readonly datapointsToAlarm?: number;
}

/** One alarm of the set: its metric and what an on-call engineer should do. */
interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly summary: string;
  readonly action: string;
  /** @default GREATER_THAN_OR_EQUAL_TO_THRESHOLD */
  readonly comparison?: cloudwatch.ComparisonOperator;
  /** @default - the set's `breachingMinutes` */
  readonly datapointsToAlarm?: number;
}

/**
 * The alarms of an API, on by default in `SecureRestApi`: health (5XX rate, p99 latency,
 * integration errors, errors and throttles of every function behind the API) and suspicious
 * activity (failed authentications, throttling, authorizer errors, traffic far above its usual
 * level), plus an incident alarm when several attack signals fire together.
 *
 * Every alarm notifies an SNS topic (encrypted with the API's key, TLS-only publishing, CloudWatch
 * allowed to publish only for this account's alarms) when it fires and when it recovers. No data is
 * treated as not breaching: an API without traffic is not failing. Alarm names start with the API
 * construct's unique name; descriptions say what to do.
 */
export class ApiAlarms extends Construct {
  /** The topic notifications go to. */
  public readonly topic: sns.ITopic;
  /** Fires when several attack signals fire together. */
  public readonly incidentAlarm: cloudwatch.CompositeAlarm;

  private readonly api: ISecureRestApi;
  private readonly thresholds: typeof DEFAULTS;
  private readonly namePrefix: string;
  private readonly action: cwActions.SnsAction;
  private readonly created: cloudwatch.Alarm[] = [];
  private readonly attackSignals: cloudwatch.IAlarm[] = [];
  private readonly monitored = new Set<lambda.IFunction>();

  constructor(scope: Construct, id: string, props: ApiAlarmsProps) {
    super(scope, id);
    this.api = props.api;
    this.thresholds = this.validateThresholds(props.thresholds ?? {});
    validateEmailAddresses(this, 'emailAddresses', props.emailAddresses);
    this.namePrefix = Names.uniqueResourceName(props.api, { maxLength: 150, separator: '-' });

    this.topic = props.topic ?? this.createTopic();
    for (const email of props.emailAddresses ?? []) {
      acknowledgeNag(this.topic.addSubscription(new subscriptions.EmailSubscription(email)), NAG_ACKNOWLEDGEMENTS.alarmEmail);
    }
    this.action = new cwActions.SnsAction(this.topic);

    this.createApiAlarms();
    this.incidentAlarm = new cloudwatch.CompositeAlarm(this, 'Incident', {
      compositeAlarmName: `${this.namePrefix}-UnderAttack`,
      alarmDescription: this.description(`${this.thresholds.attackSignalsForIncident} or more attack signals of ${this.namePrefix} fire together: the API is probably under attack.`,
        'Read the access log for the client addresses behind the signals, block them (WAF IP set or resource policy), and tighten throttles if needed.'),
      alarmRule: new AtLeastRule(this.attackSignals, this.thresholds.attackSignalsForIncident),
    });
    this.incidentAlarm.addAlarmAction(this.action);
    this.incidentAlarm.addOkAction(this.action);
    this.node.addValidation({ validate: () => this.validateIncidentRule() });
  }

  /** Every metric alarm, in the order they were created. */
  public get alarms(): cloudwatch.Alarm[] {
    return [...this.created];
  }

  /** The functions whose errors and throttles are watched, in the order they were added. */
  public get monitoredFunctions(): lambda.IFunction[] {
    return [...this.monitored];
  }

  /**
   * Adds alarms on a function's errors and throttles (for an authorizer, on its faults in place of
   * its errors: see `authorizer` in the options). `SecureRestApi` calls it for the function of
   * every `LambdaRouteIntegration` route, and `JwtAuthorizer` for its function; call it for other
   * functions behind the API. A function is watched once.
   */
  public monitorFunction(fn: lambda.IFunction, options: MonitorFunctionOptions = {}): void {
    if (this.monitored.has(fn)) {
      return;
    }
    if (options.faults && !options.authorizer) {
      throw new ValidationError(`\`faults\` of \`monitorFunction(${fn.node.path})\` is only for an authorizer: set \`authorizer: true\`, or leave \`faults\` out`, this);
    }
    this.monitored.add(fn);
    const name = Names.uniqueId(fn).slice(-60);
    if (!options.authorizer) {
      this.addAlarm(`FunctionErrors-${name}`, {
        metric: fn.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
        threshold: this.thresholds.functionErrorsPerMinute,
        summary: `The function ${fn.node.path} behind the API fails.`,
        action: 'Read the function\'s log group for the errors, and roll back the last deployment if it caused them.',
      });
    } else if (options.faults) {
      this.addAlarm(`AuthorizerFaults-${name}`, {
        metric: options.faults,
        threshold: this.thresholds.authorizerFaultsPerMinute,
        summary: `The authorizer function ${fn.node.path} fails on a bug (an unexpected exception, logged at error level with its stack): the requests it hits are refused with 401.`,
        action: 'Search the function\'s log group for "authorizer fault", and roll back the last deployment if it caused them.',
      });
    }
    this.addAlarm(`FunctionThrottles-${name}`, {
      metric: fn.metricThrottles({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: this.thresholds.functionThrottlesPerMinute,
      summary: `The function ${fn.node.path} is throttled by Lambda's concurrency limit: its callers get errors.`,
      action: 'Check the account\'s concurrency (and the function\'s reserved concurrency); a traffic spike may also be an attack: see the failed-authentication and traffic alarms.',
    });
  }

  /**
   * Adds an alarm like the others of the set: named after the API, evaluated over the set's
   * minutes, missing data not breaching, notifying the topic; optionally an attack signal.
   *
   * @param id the alarm's construct id and name suffix, such as `WafBlockedRequests`
   */
  public addMetricAlarm(id: string, options: ApiMetricAlarmOptions): cloudwatch.Alarm {
    validateWholeNumber(this, `${id}.datapointsToAlarm`, options.datapointsToAlarm, { min: 1, max: this.thresholds.evaluationMinutes });
    const alarm = this.addAlarm(id, options);
    if (options.attackSignal) {
      this.attackSignals.push(alarm);
    }
    return alarm;
  }

  /**
   * Adds an alarm to the attack signals of the incident alarm (the firewall's blocked requests, the
   * abuse blocker's activity). It is not given actions here.
   */
  public addAttackSignal(alarm: cloudwatch.IAlarm): void {
    this.attackSignals.push(alarm);
  }

  private createApiAlarms(): void {
    const t = this.thresholds;
    const perMinute = { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) };
    this.addAlarm('ServerErrorRate', {
      metric: new cloudwatch.MathExpression({
        expression: `IF(requests >= ${t.minimumRequestsForErrorRate}, 100 * errors / requests, 0)`,
        usingMetrics: { errors: this.api.metricServerError(perMinute), requests: this.api.metricCount(perMinute) },
        period: Duration.minutes(1),
        label: '5XX rate (%)',
      }),
      threshold: t.serverErrorRatePercent,
      summary: `${t.serverErrorRatePercent}% or more of requests end in 5XX (in minutes with ${t.minimumRequestsForErrorRate} requests or more).`,
      action: 'Check the integration-error and function alarms and the execution log; roll back the last deployment if it caused this.',
    });
    this.addAlarm('LatencyP99', {
      metric: this.api.metricLatency({ statistic: cloudwatch.Stats.p(99), period: Duration.minutes(1) }),
      threshold: t.latencyP99.toMilliseconds(),
      summary: `The slowest 1% of requests take ${t.latencyP99.toMilliseconds()} ms or longer.`,
      action: 'Check the functions\' duration and throttles and the backends they call.',
    });
    this.addAlarm('AuthorizerFailures', {
      metric: this.api.metricAuthorizerFailures(),
      threshold: t.authorizerFailuresPerMinute,
      summary: `${t.authorizerFailuresPerMinute} or more requests a minute get 500 because an authorizer could not decide (failed, timed out, throttled, or returned no valid policy): its callers are all refused.`,
      action: 'Read the authorizer function\'s log and the execution log; check its invoke permission and that its issuer\'s keys can be fetched.',
    });
    this.addAlarm('IntegrationErrors', {
      metric: this.api.metricIntegrationErrors(),
      threshold: t.integrationErrorsPerMinute,
      summary: `${t.integrationErrorsPerMinute} or more requests a minute fail or time out in the backend.`,
      action: 'Read the access log\'s integrationError and the function logs.',
    });
    this.attackSignals.push(this.addAlarm('FailedAuthentications', {
      metric: this.api.metricFailedAuthentications(),
      threshold: t.failedAuthenticationsPerMinute,
      summary: `${t.failedAuthenticationsPerMinute} or more requests a minute are refused with 401 or 403: credential stuffing, stolen or forged tokens, or probing of paths.`,
      action: 'Group the access log by sourceIp and path for status 401/403; block abusive addresses (WAF IP set or resource policy); if a client is misconfigured, tell its owner.',
    }));
    this.attackSignals.push(this.addAlarm('ThrottledRequests', {
      metric: this.api.metricThrottledRequests(),
      threshold: t.throttledRequestsPerMinute,
      summary: `${t.throttledRequestsPerMinute} or more requests a minute are refused with 429: a client exceeds its throttle or quota, or a flood hits the stage.`,
      action: 'Group the access log by sourceIp and apiKeyId for status 429; block a flood, or raise the limits of a legitimate client\'s tier.',
    }));
    const anomaly = new cloudwatch.AnomalyDetectionAlarm(this, 'TrafficAnomaly', {
      alarmName: `${this.namePrefix}-TrafficAnomaly`,
      alarmDescription: this.description(
        `Requests are far above their usual level (more than ${t.trafficAnomalyStandardDeviations} standard deviations).`,
        'Check whether a launch or a partner explains it; otherwise treat it as an attack: see the failed-authentication and throttling alarms and the access log.'),
      metric: this.api.metricCount({ statistic: cloudwatch.Stats.SUM, period: ANOMALY_PERIOD }),
      stdDevs: t.trafficAnomalyStandardDeviations,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      evaluationPeriods: ANOMALY_EVALUATION_PERIODS,
      datapointsToAlarm: ANOMALY_DATAPOINTS,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.withActions(anomaly);
    this.attackSignals.push(anomaly);
  }

  private addAlarm(id: string, spec: AlarmSpec): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.namePrefix}-${id}`,
      alarmDescription: this.description(spec.summary, spec.action),
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: this.thresholds.evaluationMinutes,
      datapointsToAlarm: spec.datapointsToAlarm ?? this.thresholds.breachingMinutes,
      // No traffic is not a failure: a quiet API must not page anyone.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return this.withActions(alarm);
  }

  private withActions<T extends cloudwatch.Alarm>(alarm: T): T {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.created.push(alarm);
    return alarm;
  }

  private description(summary: string, action: string): string {
    return `${summary} What to do: ${action}`.slice(0, 1024);
  }

  /** A topic only this account's CloudWatch alarms publish to, over TLS, encrypted with the API's key. */
  private createTopic(): sns.Topic {
    const topic = new sns.Topic(this, 'Topic', {
      displayName: `Alarms of ${this.api.node.id}`.slice(0, 100),
      masterKey: this.api.key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      // The condition AWS documents for alarm actions: only this account's alarms.
      conditions: { ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
    }));
    this.api.encryption.allowCloudWatchAlarms();
    return topic;
  }

  private validateThresholds(thresholds: ApiAlarmThresholds): typeof DEFAULTS {
    const merged = { ...DEFAULTS, ...definedOnly(thresholds) };
    // The deprecated name still sets the faults alarm's threshold, unless the new one is set.
    merged.authorizerFaultsPerMinute = thresholds.authorizerFaultsPerMinute ?? thresholds.authorizerErrorsPerMinute ?? DEFAULTS.authorizerFaultsPerMinute;
    const prop = (name: string) => `thresholds.${name}`;
    // Thresholds are rendered into alarms and expressions: a token cannot be checked or used.
    for (const [name, value] of Object.entries(merged)) {
      if (typeof value === 'number' && Token.isUnresolved(value)) {
        throw new ValidationError(`\`${prop(name)}\` must be a number known at synth, got a token: thresholds are written into the alarms`, this);
      }
    }
    if (typeof merged.serverErrorRatePercent !== 'number' || !(merged.serverErrorRatePercent > 0 && merged.serverErrorRatePercent <= 100)) {
      throw new ValidationError(`\`${prop('serverErrorRatePercent')}\` must be a percentage above 0 and at most 100, got ${describe(merged.serverErrorRatePercent)}`, this);
    }
    validateWholeNumber(this, prop('minimumRequestsForErrorRate'), merged.minimumRequestsForErrorRate, { min: 1 });
    if (merged.latencyP99.isUnresolved()) {
      throw new ValidationError(`\`${prop('latencyP99')}\` must be a duration known at synth, got a token: thresholds are written into the alarms`, this);
    }
    validateDuration(this, prop('latencyP99'), merged.latencyP99, { min: Duration.millis(1), max: Duration.seconds(60), unit: 'milliseconds' });
    for (const name of ['integrationErrorsPerMinute', 'failedAuthenticationsPerMinute', 'throttledRequestsPerMinute', 'functionErrorsPerMinute', 'functionThrottlesPerMinute', 'authorizerErrorsPerMinute', 'authorizerFaultsPerMinute', 'authorizerFailuresPerMinute'] as const) {
      validateWholeNumber(this, prop(name), merged[name], { min: 1 });
    }
    if (typeof merged.trafficAnomalyStandardDeviations !== 'number' || !(merged.trafficAnomalyStandardDeviations > 0 && merged.trafficAnomalyStandardDeviations <= 10)) {
      throw new ValidationError(`\`${prop('trafficAnomalyStandardDeviations')}\` must be above 0 and at most 10, got ${describe(merged.trafficAnomalyStandardDeviations)}`, this);
    }
    validateWholeNumber(this, prop('evaluationMinutes'), merged.evaluationMinutes, { min: 1, max: 60 });
    validateWholeNumber(this, prop('breachingMinutes'), merged.breachingMinutes, { min: 1 });
    if (merged.breachingMinutes > merged.evaluationMinutes) {
      throw new ValidationError(`\`${prop('breachingMinutes')}\` (${merged.breachingMinutes}${thresholds.breachingMinutes === undefined ? ', the default' : ''}) must not exceed \`${prop('evaluationMinutes')}\` (${merged.evaluationMinutes}): set both`, this);
    }
    validateWholeNumber(this, prop('attackSignalsForIncident'), merged.attackSignalsForIncident, { min: 1 });
    return merged;
  }

  /** The incident rule needs at least `attackSignalsForIncident` signals, and CloudWatch allows 100. */
  private validateIncidentRule(): string[] {
    const k = this.thresholds.attackSignalsForIncident;
    const n = this.attackSignals.length;
    if (k > n) {
      return [`\`thresholds.attackSignalsForIncident\` is ${k}, but the API has only ${n} attack signals: the incident alarm could never fire. Lower it, or add signals with addAttackSignal()`];
    }
    if (n > MAX_COMPOSITE_OPERANDS) {
      return [`The incident alarm has ${n} attack signals, over CloudWatch's ${MAX_COMPOSITE_OPERANDS} alarms in one rule: add one signal per part (such as the firewall's whole web ACL) rather than one per rule`];
    }
    // AT_LEAST(k, ALARM, ("<arn>", ...)): each operand is its ARN, quoted, and a separator.
    const stack = Stack.of(this);
    const arnPrefix = `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:`.length;
    const length = 'AT_LEAST(100, ALARM, ())'.length + this.attackSignals.reduce((total, alarm) => total + arnPrefix + alarmNameLength(alarm) + '"", '.length, 0);
    if (length > MAX_ALARM_RULE_LENGTH) {
      return [`The incident alarm's rule would be about ${length} characters, over CloudWatch's ${MAX_ALARM_RULE_LENGTH}: add fewer attack signals (one per part rather than one per rule), or give them shorter alarm names`];
    }
    return [];
  }
}

/** The length of an alarm's name where it was given at synth (a metric alarm defined here), else the longest a name can be. */
function alarmNameLength(alarm: cloudwatch.IAlarm): number {
  const resource = alarm.node.defaultChild;
  const name = CfnResource.isCfnResource(resource) && resource.cfnResourceType === cloudwatch.CfnAlarm.CFN_RESOURCE_TYPE_NAME
    ? (resource as cloudwatch.CfnAlarm).alarmName
    : undefined;
  return typeof name === 'string' && !Token.isUnresolved(name) ? name.length : MAX_ALARM_NAME_LENGTH;
}

/** The fields of `values` that are set, so that `undefined` does not override a default. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * Fires when at least `count` of `alarms` are in ALARM (CloudWatch's `AT_LEAST`). Rendered at synth,
 * so signals added later (the firewall's) take part.
 */
class AtLeastRule implements cloudwatch.IAlarmRule {
  constructor(private readonly alarms: readonly cloudwatch.IAlarm[], private readonly count: number) {}

  public renderAlarmRule(): string {
    return Lazy.string({
      produce: () => cloudwatch.AlarmRule.atLeast(cloudwatch.AlarmState.ALARM, {
        operands: [...this.alarms],
        threshold: cloudwatch.AtLeastThreshold.count(Math.min(this.count, this.alarms.length)),
      }).renderAlarmRule(),
    });
  }
}

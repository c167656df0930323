import { Annotations, ArnFormat, Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ApiEncryptionKey } from '../encryption/api-encryption-key';
import { ValidationError } from '../private/validation-error';
import { describe, validateAwsRegion, validateDomainName, validateEmailAddresses } from '../private/validators';
import type { ISecureRestApi } from '../secure-rest-api';
import { NAG_ACKNOWLEDGEMENTS, acknowledgeNag } from '../private/nag';

/** The only region where Route 53 publishes health-check metrics, so where their alarms must be. */
const HEALTH_CHECK_METRICS_REGION = 'us-east-1';
const HEALTH_CHECK_NAMESPACE = 'AWS/Route53';
const HEALTH_CHECK_STATUS_METRIC = 'HealthCheckStatus';
const HEALTH_CHECK_ID_DIMENSION = 'HealthCheckId';
const HTTPS_PORT = 443;
const REQUEST_INTERVAL = Duration.seconds(30);
const FAILURE_THRESHOLD = 3;
/** Route 53's limit on a health check's resource path. */
const MAX_RESOURCE_PATH_LENGTH = 255;
/** The methods Route 53 health checkers' GET requests reach. */
const HEALTH_CHECK_METHODS = ['GET', 'ANY'];
/** The most routes an error message lists. */
const LISTED_ROUTES = 10;

/** How Route 53 chooses among the API's regions. */
export enum RegionalRouting {
  /**
   * Active-passive: every client goes to the first region while its health check passes, and to
   * the second while it fails. Exactly two regions.
   */
  FAILOVER = 'FAILOVER',
  /**
   * Active-active: each client goes to the region with the lowest latency from its resolver,
   * among the regions whose health check passes. Any number of regions.
   */
  LATENCY = 'LATENCY',
}

/** One region of the API: where Route 53 sends clients, and how it checks that the region is up. */
export interface RegionalApiEndpoint {
  /** The region, such as 'eu-west-1': the record's `Region` with latency routing, and its set identifier. */
  readonly region: string;

  /**
   * The API's custom domain name in this region, such as 'eu-west-1.api.example.com': a record in
   * the same hosted zone (the regional stack creates the custom domain and its alias record). The
   * records of `recordName` alias it, and the health check calls it (its certificate must cover it).
   */
  readonly regionalDomainName: string;

  /**
   * The path Route 53's health checkers request (GET, over HTTPS) on `regionalDomainName`, with
   * the custom domain's base path, such as '/v1/health'. A status from 200 to 399 is healthy.
   */
  readonly healthCheckPath: string;

  /**
   * The regional API, to check `healthRoute` against its routes at synth.
   *
   * @default - the health route is not checked
   */
  readonly api?: ISecureRestApi;

  /**
   * The route of `api` that `healthCheckPath` reaches, such as 'GET /health'. It must be public
   * (`RouteAuthorization.publicAccess()`, without an API key): Route 53's health checkers send no
   * credentials and cannot sign requests. Needs `api`.
   *
   * @default - not checked
   */
  readonly healthRoute?: string;

  /**
   * The API's custom domain of `recordName` in this region, such as the regional stack's
   * `ApiDomain.domain`: the records alias its own regional endpoint, so clients reach the very
   * domain that holds their host name (a reference across regions, resolved with
   * `Fn::GetStackOutput`; the regional stack deploys first).
   *
   * @default - the records alias `regionalDomainName`'s record in the hosted zone, and clients reach
   * this region through the regional domain's endpoint
   */
  readonly domain?: apigw.IDomainName;
}

/** Properties of a {@link MultiRegionApiRecords}. */
export interface MultiRegionApiRecordsProps {
  /**
   * The public hosted zone of `recordName` and of every region's `regionalDomainName`, such as
   * `HostedZone.fromHostedZoneAttributes()` (no lookup: every stack synthesizes offline).
   */
  readonly hostedZone: route53.IHostedZone;

  /** The name clients call, such as 'api.example.com'. */
  readonly recordName: string;

  /** How Route 53 chooses among the regions. */
  readonly routing: RegionalRouting;

  /**
   * The API's regions. With `RegionalRouting.FAILOVER`, exactly two: the primary first, then the
   * secondary.
   */
  readonly regions: RegionalApiEndpoint[];

  /**
   * Whether to create AAAA records too (each regional custom domain must have one).
   *
   * @default false
   */
  readonly ipv6?: boolean;

  /**
   * Whether the health checks measure latency (Route 53 charges extra; shown in its console).
   *
   * @default false
   */
  readonly measureLatency?: boolean;

  /**
   * The topic the health alarms notify. Its policy must let `cloudwatch.amazonaws.com` publish,
   * and its key (if any) let CloudWatch use it.
   *
   * @default - a topic encrypted with a KMS key created here, which only this account's alarms may publish to, over TLS
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Email addresses subscribed to the alarm topic. Each must confirm the subscription.
   *
   * @default - none
   */
  readonly alarmEmailAddresses?: string[];
}

/**
 * The DNS records of an API served from several regions (one stack per region, each with a custom
 * domain of its own, such as `eu-west-1.api.example.com`), with a Route 53 health check per region
 * and an alarm on each: clients call `recordName`, and Route 53 answers with a healthy region,
 * by failover (active-passive) or by latency (active-active).
 *
 * Per region:
 * - an HTTPS health check of `healthCheckPath` on the regional domain (port 443, SNI, every 30 s,
 *   unhealthy after 3 failures);
 * - an alias record A (and AAAA with `ipv6`) named `recordName`, to the regional domain's record in
 *   the same zone, with the health check; Route 53 then answers from the region only while its
 *   check passes (the target's own health is not evaluated: the check is the signal);
 * - an alarm on the check's `HealthCheckStatus`, which notifies the alarm topic.
 *
 * Route 53 publishes health-check metrics only in us-east-1, so the construct belongs in a small
 * us-east-1 stack (one per environment); a stack in another region is refused.
 */
export class MultiRegionApiRecords extends Construct {
  /** The health checks, one per region, in the order of `regions`. */
  public readonly healthChecks: route53.HealthCheck[] = [];
  /** The alarms on the health checks, one per region, in the order of `regions`. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The A records of `recordName`, one per region, in the order of `regions`. */
  public readonly aRecords: route53.CfnRecordSet[] = [];
  /** The AAAA records of `recordName` (with `ipv6`), one per region; empty without. */
  public readonly aaaaRecords: route53.CfnRecordSet[] = [];
  /** The topic the alarms notify: `alarmTopic` or the one created here. */
  public readonly alarmTopic: sns.ITopic;
  /**
   * The key of the created alarm topic.
   *
   * @default - none when `alarmTopic` is given
   */
  public readonly alarmTopicKey?: ApiEncryptionKey;

  private readonly checksByRegion = new Map<string, route53.HealthCheck>();

  constructor(scope: Construct, id: string, props: MultiRegionApiRecordsProps) {
    super(scope, id);
    this.validateStackRegion();
    const zone = props.hostedZone;
    if (zone === undefined || zone === null || typeof zone.hostedZoneId !== 'string') {
      throw new ValidationError(`\`hostedZone\` must be a hosted zone, got ${describe(zone)}: pass HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId, zoneName })`, this);
    }
    const zoneName = stripDot(zone.zoneName);
    this.validateName('recordName', props.recordName, zoneName);
    const routing = this.validateRouting(props.routing, props.regions);
    props.regions.forEach((endpoint, i) => this.validateEndpoint(endpoint, i, props, zoneName));
    validateEmailAddresses(this, 'alarmEmailAddresses', props.alarmEmailAddresses);

    if (props.alarmTopic === undefined) {
      this.alarmTopicKey = new ApiEncryptionKey(this, 'AlarmTopicKey', { description: `Encrypts the topic of the health-check alarms of ${props.recordName}` });
    }
    this.alarmTopic = props.alarmTopic ?? this.createTopic(this.alarmTopicKey!, props.recordName);
    for (const email of props.alarmEmailAddresses ?? []) {
      acknowledgeNag(this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email)), NAG_ACKNOWLEDGEMENTS.alarmEmail);
    }
    const action = new cwActions.SnsAction(this.alarmTopic);

    const recordTypes = props.ipv6 ? [route53.RecordType.A, route53.RecordType.AAAA] : [route53.RecordType.A];
    props.regions.forEach((endpoint, i) => {
      // One scope per region, named after it: reordering the regions replaces nothing.
      const regionScope = new Construct(this, endpoint.region);
      const healthCheck = new route53.HealthCheck(regionScope, 'HealthCheck', {
        type: route53.HealthCheckType.HTTPS,
        fqdn: endpoint.regionalDomainName,
        port: HTTPS_PORT,
        resourcePath: endpoint.healthCheckPath,
        enableSNI: true,
        requestInterval: REQUEST_INTERVAL,
        failureThreshold: FAILURE_THRESHOLD,
        measureLatency: props.measureLatency ?? false,
      });
      // The console lists health checks by this tag.
      Tags.of(healthCheck).add('Name', `${props.recordName} ${endpoint.region}`);
      this.healthChecks.push(healthCheck);
      this.checksByRegion.set(endpoint.region, healthCheck);

      for (const type of recordTypes) {
        // L1: the L2 ARecord requires EvaluateTargetHealth true on a failover alias, and the
        // target here is a record without a health check of its own: the health check decides.
        const record = new route53.CfnRecordSet(regionScope, type, {
          hostedZoneId: zone.hostedZoneId,
          name: `${props.recordName}.`,
          type,
          setIdentifier: endpoint.region,
          ...(routing === RegionalRouting.FAILOVER ? { failover: i === 0 ? 'PRIMARY' : 'SECONDARY' } : { region: endpoint.region }),
          healthCheckId: healthCheck.healthCheckId,
          aliasTarget: endpoint.domain
            ? { dnsName: endpoint.domain.domainNameAliasDomainName, hostedZoneId: endpoint.domain.domainNameAliasHostedZoneId, evaluateTargetHealth: false }
            : { dnsName: endpoint.regionalDomainName, hostedZoneId: zone.hostedZoneId, evaluateTargetHealth: false },
        });
        (type === route53.RecordType.A ? this.aRecords : this.aaaaRecords).push(record);
      }

      const alarm = new cloudwatch.Alarm(regionScope, 'HealthAlarm', {
        alarmDescription: this.alarmDescription(props, i),
        metric: this.metricHealthCheckStatus(endpoint.region),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        // No datapoints: the check was deleted, or Route 53 stopped reporting it. Either way, look.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    });
  }

  /**
   * The health status of a region's check, as Route 53 publishes it (1 healthy, 0 unhealthy), in
   * us-east-1.
   *
   * @param apiRegion one of the `regions`, such as 'eu-west-1'
   *
   * @default - minimum over 1 minute
   */
  public metricHealthCheckStatus(apiRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const check = this.checksByRegion.get(apiRegion);
    if (check === undefined) {
      throw new ValidationError(`\`apiRegion\` must be one of this construct's regions (${[...this.checksByRegion.keys()].join(', ')}), got ${describe(apiRegion)}`, this);
    }
    return new cloudwatch.Metric({
      namespace: HEALTH_CHECK_NAMESPACE,
      metricName: HEALTH_CHECK_STATUS_METRIC,
      dimensionsMap: { [HEALTH_CHECK_ID_DIMENSION]: check.healthCheckId },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  private alarmDescription(props: MultiRegionApiRecordsProps, i: number): string {
    const endpoint = props.regions[i];
    const failing = `The API in ${endpoint.region} fails Route 53's health checks (https://${endpoint.regionalDomainName}${endpoint.healthCheckPath}).`;
    let effect: string;
    if (props.routing === RegionalRouting.FAILOVER) {
      const other = props.regions[1 - i]?.region;
      effect = i === 0
        ? ` ${props.recordName} has failed over: it answers from the secondary region ${other}.`
        : ` The secondary region is down: if the primary ${other} fails too, ${props.recordName} has no healthy region left (Route 53 then answers with the primary).`;
    } else {
      effect = ` ${props.recordName} sends this region's clients to the other healthy regions.`;
    }
    const action = ` What to do: check the alarms of the API in ${endpoint.region}, its stage, custom domain and certificate, and the health route's backend; `
      + `the region takes traffic again by itself once ${FAILURE_THRESHOLD} checks in a row pass.`;
    return `${failing}${effect}${action}`.slice(0, 1024);
  }

  /** A topic only this account's CloudWatch alarms publish to, over TLS, encrypted with `key`. */
  private createTopic(key: ApiEncryptionKey, recordName: string): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `Health of ${recordName}`.slice(0, 100),
      masterKey: key.key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
    }));
    key.allowCloudWatchAlarms();
    return topic;
  }

  private validateStackRegion(): void {
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      Annotations.of(this).addWarningV2('secure-api:health-check-alarms-region',
        `Route 53 publishes health-check metrics only in ${HEALTH_CHECK_METRICS_REGION}: deploy this region-agnostic stack there, or its health alarms never see data (and, missing data breaching, stay in alarm).`);
    } else if (region !== HEALTH_CHECK_METRICS_REGION) {
      throw new ValidationError(`MultiRegionApiRecords must be in a stack in ${HEALTH_CHECK_METRICS_REGION}, got a stack in '${region}': Route 53 publishes health-check metrics only in ${HEALTH_CHECK_METRICS_REGION}, so the health alarms must be there; put it in a small ${HEALTH_CHECK_METRICS_REGION} stack of its own`, this);
    }
  }

  private validateRouting(routing: RegionalRouting, regions: RegionalApiEndpoint[]): RegionalRouting {
    if (!Object.values(RegionalRouting).includes(routing)) {
      throw new ValidationError(`\`routing\` must be RegionalRouting.FAILOVER or RegionalRouting.LATENCY, got ${describe(routing)}`, this);
    }
    if (!Array.isArray(regions) || regions.length === 0) {
      throw new ValidationError(`\`regions\` must list the API's regions, got ${describe(regions)}`, this);
    }
    if (routing === RegionalRouting.FAILOVER && regions.length < 2) {
      throw new ValidationError(`\`regions\` must list two regions with RegionalRouting.FAILOVER, the primary first and the secondary second, got ${regions.length}: add the secondary region`, this);
    }
    if (routing === RegionalRouting.FAILOVER && regions.length > 2) {
      throw new ValidationError(`\`regions\` must list two regions with RegionalRouting.FAILOVER (a primary and a secondary), got ${regions.length}: use RegionalRouting.LATENCY to serve from more than two regions`, this);
    }
    return routing;
  }

  private validateEndpoint(endpoint: RegionalApiEndpoint, i: number, props: MultiRegionApiRecordsProps, zoneName: string | undefined): void {
    const at = `regions[${i}]`;
    validateAwsRegion(this, `${at}.region`, endpoint?.region);
    const first = props.regions.findIndex((other) => other.region === endpoint.region);
    if (first !== i) {
      throw new ValidationError(`\`${at}.region\` repeats \`regions[${first}].region\` ('${endpoint.region}'): list each region once`, this);
    }
    this.validateName(`${at}.regionalDomainName`, endpoint.regionalDomainName, zoneName);
    if (sameName(endpoint.regionalDomainName, props.recordName)) {
      throw new ValidationError(`\`${at}.regionalDomainName\` must be the region's own custom domain, not \`recordName\` ('${props.recordName}'): an alias of a name to itself never resolves; use a name such as '${endpoint.region}.${props.recordName}'`, this);
    }
    const path = endpoint.healthCheckPath;
    if (!(typeof path === 'string' && Token.isUnresolved(path)) && (typeof path !== 'string' || !path.startsWith('/') || path.length > MAX_RESOURCE_PATH_LENGTH || /\s/.test(path))) {
      throw new ValidationError(`\`${at}.healthCheckPath\` must be a path that starts with '/', without spaces, at most ${MAX_RESOURCE_PATH_LENGTH} characters, such as '/v1/health', got ${describe(path)}`, this);
    }
    this.validateApi(endpoint, at);
  }

  /** The health route must be a route of the API, reachable by a Route 53 health checker's bare GET. */
  private validateApi(endpoint: RegionalApiEndpoint, at: string): void {
    const api = endpoint.api;
    if (api !== undefined) {
      const apiRegion = Stack.of(api).region;
      if (!Token.isUnresolved(apiRegion) && !Token.isUnresolved(endpoint.region) && apiRegion !== endpoint.region) {
        throw new ValidationError(`\`${at}.api\` is in a stack in '${apiRegion}', but \`${at}.region\` is '${endpoint.region}': pass the API of that region`, this);
      }
    }
    if (endpoint.healthRoute === undefined) {
      return;
    }
    if (api === undefined) {
      throw new ValidationError(`\`${at}.healthRoute\` needs \`${at}.api\` to be checked against, got none: pass the region's API, or leave out healthRoute`, this);
    }
    const wanted = normalizeRouteKey(endpoint.healthRoute);
    const route = api.routes.find((candidate) => candidate.routeKey === wanted);
    if (route === undefined) {
      const keys = api.routes.map((candidate) => candidate.routeKey);
      const listed = keys.length === 0 ? 'it has none yet' : `its routes are ${keys.slice(0, LISTED_ROUTES).join(', ')}${keys.length > LISTED_ROUTES ? ', ...' : ''}`;
      throw new ValidationError(`\`${at}.healthRoute\` must be a route of \`${at}.api\` (${api.node.path}), got ${describe(endpoint.healthRoute)}: ${listed}; add the health route before this construct, or name one of them`, this);
    }
    const route53Cannot = `Route 53 health checkers send a bare GET, without credentials`;
    if (route.authorizationType === apigw.AuthorizationType.IAM) {
      throw new ValidationError(`\`${at}.healthRoute\` '${route.routeKey}' is authorized with IAM, got '${route.authorization}': Route 53 health checkers cannot sign requests (SigV4), so every check would fail; make the health route public with RouteAuthorization.publicAccess()`, this);
    }
    if (route.authorizationType !== apigw.AuthorizationType.NONE) {
      throw new ValidationError(`\`${at}.healthRoute\` '${route.routeKey}' must be public, got '${route.authorization}': ${route53Cannot}, so every check would fail; make the health route public with RouteAuthorization.publicAccess()`, this);
    }
    if (route.apiKeyRequired) {
      throw new ValidationError(`\`${at}.healthRoute\` '${route.routeKey}' must not require an API key: ${route53Cannot} (no x-api-key header), so every check would fail; leave the API key off the health route`, this);
    }
    if (!HEALTH_CHECK_METHODS.includes(route.method)) {
      throw new ValidationError(`\`${at}.healthRoute\` must be a GET route, got '${route.routeKey}': Route 53 health checkers send GET requests`, this);
    }
    const path = endpoint.healthCheckPath;
    if (route.pathParameters.length === 0 && !Token.isUnresolved(path) && !(path.split('?')[0] === route.path || path.split('?')[0].endsWith(route.path === '/' ? '/' : route.path))) {
      throw new ValidationError(`\`${at}.healthCheckPath\` must reach \`${at}.healthRoute\` '${route.routeKey}' (the custom domain's base path, then '${route.path}'), got '${path}': end it with '${route.path}'`, this);
    }
  }

  private validateName(prop: string, name: string, zoneName: string | undefined): void {
    validateDomainName(this, prop, name);
    if (zoneName !== undefined && !Token.isUnresolved(name) && !sameName(name, zoneName) && !name.toLowerCase().endsWith(`.${zoneName.toLowerCase()}`)) {
      throw new ValidationError(`\`${prop}\` must be in the hosted zone '${zoneName}', got '${name}': the records are created in that zone, and an alias must target a record of the same zone`, this);
    }
  }
}

/** `name` without a trailing dot; undefined for a token or nothing. */
function stripDot(name: string | undefined): string | undefined {
  return name === undefined || Token.isUnresolved(name) ? undefined : name.replace(/\.$/, '');
}

function sameName(a: string, b: string): boolean {
  return !Token.isUnresolved(a) && !Token.isUnresolved(b) && a.toLowerCase() === b.toLowerCase();
}

/** A route key as `ApiRoute.routeKey` holds it: the method upper-case, one space, the path. */
function normalizeRouteKey(key: string): string {
  const [method, ...rest] = String(key).trim().split(/\s+/);
  return `${method.toUpperCase()} ${rest.join(' ')}`;
}

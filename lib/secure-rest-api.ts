import { Annotations, Lazy, Names, NestedStack, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { HttpMethod, RouteAuthorization } from './auth/route-authorization';
import { SecurityReport } from './compliance/security-report';
import { ApiDeprecation, ApiDeprecationOptions } from './edge/api-deprecation';
import { ApiEncryptionKey } from './encryption/api-encryption-key';
import type { IApiFirewall } from './firewall/api-firewall';
import { LambdaRouteIntegration } from './integrations/lambda-route-integration';
import { AccessLogMetricName } from './observability/access-log-metric-name';
import { AccessLogMetrics } from './observability/access-log-metrics';
import { ApiAlarms, SecureRestApiAlarmsOptions } from './observability/api-alarms';
import { secureAccessLogFormat } from './private/access-log-format';
import { Attachment, attached } from './private/attachments';
import { validateCidrs } from './private/cidr';
import { GATEWAY_RESPONSES, gatewayResponseParameters, gatewayResponseTemplate } from './private/gateway-responses';
import { DEPRECATION_HEADERS, INVOKE_ACTION } from '../lambda/shared/constants';
import { API_GATEWAY_DEFAULT_RESOURCES_PER_API, LAMBDA_POLICY_LIMIT_BYTES, apiResourceQuotaErrors, oversizedLambdaPolicies, stackLimitErrors } from './private/deploy-limits';
import { arnMethod } from '../lambda/shared/routes';
import { grantOverreach } from './private/grants';
import { validateJsonSchema } from './private/json-schema';
import { ResourcePolicyStatements, SOURCE_IP_KEY, VPC_SOURCE_IP_KEY } from './private/resource-policy';
import { BODY_METHODS, ParsedRoute, RouteTable, parseRouteKey } from './private/route-key';
import { DEFAULT_ROUTES_IN_API_STACK, DEFAULT_ROUTES_PER_NESTED_STACK, RoutePlacement, RoutePlacementCapacity } from './private/route-placement';
import { ValidationError } from './private/validation-error';
import { CorsPreflights } from './private/cors';
import { acknowledgeRouteFindings, acknowledgeStageFindings } from './private/secure-rest-api-nag';
import { CorsOptions } from './traffic/cors-options';
import { STAGE_NAME_PATTERN, describe, validateOneOf, validateRetention, validateWholeNumber } from './private/validators';
import { DEFAULT_STAGE_THROTTLE, validateThrottle } from './private/throttle';
import { ThrottleSettings } from './traffic/throttle';

/** Where the API is reachable. */
export enum ApiEndpointType {
  /** A public endpoint in the API's region. */
  REGIONAL = 'REGIONAL',
  /** Reachable only through interface VPC endpoints for `execute-api`. */
  PRIVATE = 'PRIVATE',
}

const SECURE_REST_API_SYMBOL = Symbol.for('secure-api-gateway.SecureRestApi');

/** TLS security policies a `SecureRestApi` accepts: the enhanced regional ones and legacy TLS 1.2. */
const ALLOWED_TLS_POLICIES: readonly apigw.SecurityPolicy[] = [
  apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09,
  apigw.SecurityPolicy.TLS13_1_2_PQ_2025_09,
  apigw.SecurityPolicy.TLS13_1_3_2025_09,
  apigw.SecurityPolicy.TLS13_1_3_FIPS_2025_09,
  apigw.SecurityPolicy.TLS_1_2,
];


/** Everything about one route except its method and path. */
export interface RouteOptions {
  /** Who may call the route. There is no default: every route states it. */
  readonly authorization: RouteAuthorization;

  /** The backend, such as a `LambdaRouteIntegration` or an `HttpIntegration`. */
  readonly integration: apigw.Integration;

  /**
   * JSON schema the request body must match. API Gateway rejects a request whose body does not
   * match, whatever its `Content-Type`, before it reaches the integration.
   *
   * @default - the body is not validated; a warning is emitted for POST, PUT, PATCH and ANY
   */
  readonly requestBodySchema?: apigw.JsonSchema;

  /**
   * Query-string parameters every request must carry.
   *
   * @default - none required
   */
  readonly requiredQueryParameters?: string[];

  /**
   * Headers every request must carry.
   *
   * @default - none required
   */
  readonly requiredHeaders?: string[];

  /**
   * Also require an API key of a usage plan of the API, on top of `authorization`.
   *
   * @default false (true for `RouteAuthorization.apiKey()`)
   */
  readonly apiKeyRequired?: boolean;

  /**
   * Throttling for this route alone, in place of the stage's. On an `ANY` route it also applies to
   * the other methods of the same path, as API Gateway's method settings do for `*`.
   *
   * @default - the stage's throttle
   */
  readonly throttle?: ThrottleSettings;

  /**
   * The responses the method documents.
   *
   * @default - none documented
   */
  readonly methodResponses?: apigw.MethodResponse[];

  /**
   * A friendly operation name for SDKs and documentation.
   *
   * @default - none
   */
  readonly operationName?: string;
}

/** Properties of a {@link SecureRestApi}. */
export interface SecureRestApiProps {
  /**
   * The API's name.
   *
   * @default - the construct's unique id in the app
   */
  readonly restApiName?: string;

  /**
   * The API's description.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * The stage's name: letters, digits, `-` and `_`, at most 128 characters.
   *
   * @default 'v1'
   */
  readonly stageName?: string;

  /**
   * Stage-wide throttling, for every route without one of its own.
   *
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ThrottleSettings;

  /**
   * The routes, keyed by `<METHOD> <path>` (`'GET /pets/{petId}'`). More can be added with
   * {@link SecureRestApi.addRoute}.
   *
   * @default - none
   */
  readonly routes?: Record<string, RouteOptions>;

  /**
   * Cross-origin resource sharing for browser pages of other origins. Every path that has a route
   * gets an `OPTIONS` route, answered by API Gateway (public, listed in the access matrix, and
   * placed in the stack of the path's first route without counting toward `routesInApiStack` or
   * `routesPerNestedStack`, so turning CORS on or off moves no route to another stack); the
   * gateway responses carry the CORS headers; Lambda proxy
   * backends set theirs from the stage variables (see `CorsOptions`). A route of your own on
   * `OPTIONS` is refused.
   *
   * @default - no CORS: browsers refuse pages of other origins
   */
  readonly cors?: CorsOptions;

  /**
   * Where the API is reachable.
   *
   * @default ApiEndpointType.REGIONAL
   */
  readonly endpointType?: ApiEndpointType;

  /**
   * The interface VPC endpoints a PRIVATE API is reachable through; requests through any other
   * endpoint are denied by the resource policy. Required for, and only for, `ApiEndpointType.PRIVATE`.
   *
   * @default - none (a REGIONAL API)
   */
  readonly vpcEndpoints?: ec2.IInterfaceVpcEndpoint[];

  /**
   * The TLS versions and ciphers the API's endpoint accepts. TLS 1.0 and edge policies are refused.
   *
   * @default apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09 (TLS 1.3 and 1.2, forward secrecy only)
   */
  readonly tlsSecurityPolicy?: apigw.SecurityPolicy;

  /**
   * The key that encrypts the access and execution logs (and the data of the library's other parts).
   *
   * @default - a customer-managed key with rotation on is created
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long to keep the access and execution logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the key and the log groups when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether this stack sets the account-wide API Gateway setting that holds the role API Gateway
   * writes logs with (`AWS::ApiGateway::Account`). That setting is shared by every API in the
   * account and region, and the last stack to set it wins, so it is never set implicitly.
   *
   * API Gateway can write this API's logs only once the setting holds a role: in a fresh account,
   * set this to `true` in exactly one stack, or configure the setting outside CDK (e.g. in your
   * landing zone); otherwise the deploy fails with "CloudWatch Logs role ARN must be set in account
   * settings to enable logging".
   *
   * @default false
   */
  readonly createAccountLoggingRole?: boolean;

  /**
   * Whether API Gateway traces requests with AWS X-Ray.
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * The API's alarms: health and suspicious activity, notifying an encrypted SNS topic. Turn them
   * off with `{ enabled: false }`.
   *
   * @default - on, with the default thresholds and a new topic without subscriptions
   */
  readonly alarms?: SecureRestApiAlarmsOptions;

  /**
   * How many routes keep their methods in the API's own stack: the first ones added. Later routes
   * go to nested stacks of `routesPerNestedStack` routes each, in the order they were added, so
   * that an API of any size stays under CloudFormation's 500 resources per stack. Appending a
   * route never moves an existing one; removing or inserting a route before the last one shifts
   * every later route into another stack, which a deploy cannot do (API Gateway refuses a path that
   * would exist twice during the update): once routes are in nested stacks, only append.
   *
   * Lower it when the API's stack holds many other resources (synth names the stack and its count
   * when it passes 500). Changing it on a deployed API moves routes between stacks, which
   * API Gateway refuses for a path that would exist twice during the update: choose it once.
   *
   * @default 150
   */
  readonly routesInApiStack?: number;

  /**
   * How many routes each nested stack holds, after the first `routesInApiStack`. Each route costs
   * its method, the path segments it adds and its request model, so 100 routes stay well under
   * 500 resources and CloudFormation's 200 parameters per stack (a nested stack receives the ids
   * of the API, its authorizers, the validator, the functions and the paths it uses from other
   * stacks as parameters). Synth names a stack that passes either limit.
   *
   * @default 100
   */
  readonly routesPerNestedStack?: number;

  /**
   * API Gateway's quota of resources (paths, the root `/` included) per REST API in the account
   * and region. Synth fails when the API has more. The default is API Gateway's; declare a higher
   * value once Service Quotas has raised it.
   *
   * @default 300
   */
  readonly resourcesPerApiQuota?: number;

  /**
   * Marks this version as deprecated, with a sunset date and a migration guide: the `Deprecation`,
   * `Sunset` and `Link` headers on gateway responses and (through stage variables) on the handlers'
   * responses, and a Contributor Insights rule of who still calls it. See {@link ApiDeprecation}.
   *
   * @default - the version is not deprecated
   */
  readonly deprecation?: ApiDeprecationOptions;

  /**
   * Writes the security and cost report of this API's stack with the cloud assembly at synth
   * (`<artifactId>.security-report.md` and `.json`). See {@link SecurityReport}. `false` leaves it
   * out, unless another construct of the stack turns it on.
   *
   * @default true
   */
  readonly securityReport?: boolean;
}

/**
 * A REST API the library's other parts (authorizers, firewall, usage tiers, alarms, dashboard)
 * attach to: what they read of it and the metrics they watch. `SecureRestApi` implements it.
 */
export interface ISecureRestApi extends IConstruct {
  /** The REST API. */
  readonly api: apigw.RestApi;
  /** The deployed stage. */
  readonly stage: apigw.Stage;
  /** The key that encrypts the API's logs, and the data of the parts attached to it. */
  readonly key: kms.IKey;
  /** The key with its service grants, for the parts' log groups and topics. */
  readonly encryption: ApiEncryptionKey;
  /** The log group of the JSON access log. */
  readonly accessLogGroup: logs.LogGroup;
  /** Metric filters on the access log, in the API's own CloudWatch namespace. */
  readonly accessLogMetrics: AccessLogMetrics;
  /**
   * The API's alarms, which the parts add theirs to.
   *
   * @default - undefined when the API has no alarms
   */
  readonly alarms?: ApiAlarms;
  /** The access matrix: every route and who may call it, in the order they were added. */
  readonly accessMatrix: RouteAccessEntry[];
  /** Every route, typed: its method, path, parameters and authorization, in the order they were added. */
  readonly routes: ApiRoute[];

  /**
   * The API Gateway method of a route.
   *
   * @param routeKey the route, as `<METHOD> <path>`
   */
  methodFor(routeKey: string): apigw.Method;

  /**
   * The throttle API Gateway applies to all callers of a route together, or without a route key
   * the stage's. Both limits are set.
   *
   * @param routeKey a route, as `<METHOD> <path>`
   */
  throttleFor(routeKey?: string): ThrottleSettings;

  /**
   * Client errors (4XX) of the stage.
   *
   * @default - sum over 5 minutes
   */
  metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Server errors (5XX) of the stage.
   *
   * @default - sum over 5 minutes
   */
  metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests to the stage.
   *
   * @default - sample count over 5 minutes
   */
  metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Time from request to response, in milliseconds.
   *
   * @default - average over 5 minutes
   */
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests refused with 401 or 403, counted from the access log.
   *
   * @default - sum over 1 minute
   */
  metricFailedAuthentications(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests refused with 429, counted from the access log.
   *
   * @default - sum over 1 minute
   */
  metricThrottledRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests whose backend failed or timed out, counted from the access log.
   *
   * @default - sum over 1 minute
   */
  metricIntegrationErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests an authorizer could not decide, counted from the access log.
   *
   * @default - sum over 1 minute
   */
  metricAuthorizerFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** One row of the API's access matrix: a route and who may call it. */
export interface RouteAccessEntry {
  /** The route key, `<METHOD> <path>`. */
  readonly routeKey: string;
  /** The route's authorization, such as `IAM` or `public: health check`. */
  readonly authorization: string;
  /** Whether an API key is required too. */
  readonly apiKeyRequired: boolean;
}

/** A route of the API, typed, for the parts that attach to it: nothing to parse. */
export interface ApiRoute {
  /** The canonical route key, `<METHOD> <path>`. */
  readonly routeKey: string;
  /** The route's method. */
  readonly method: HttpMethod;
  /** The resource path, such as `/pets/{petId}`, or `/` for the root. */
  readonly path: string;
  /** The names of the path's parameters, in order, without braces or `+`. */
  readonly pathParameters: string[];
  /** How API Gateway authorizes calls: `IAM`, `CUSTOM` (a Lambda authorizer), `COGNITO_USER_POOLS` or `NONE`. */
  readonly authorizationType: apigw.AuthorizationType;
  /** The route's authorization, described, such as `IAM` or `public: health check`. */
  readonly authorization: string;
  /** Whether an API key is required too. */
  readonly apiKeyRequired: boolean;
}

interface RouteRecord {
  readonly route: ParsedRoute;
  readonly method: apigw.Method;
  readonly access: RouteAccessEntry;
  readonly authorizationType: apigw.AuthorizationType;
  /** @default - the stage's throttle */
  readonly throttle?: ThrottleSettings;
  /** @default - the integration is not a Lambda function's */
  readonly handler?: lambda.IFunction;
}

/**
 * An API Gateway REST API whose defaults are the secure ones.
 *
 * - a REGIONAL endpoint with TLS 1.2+ and strict endpoint access;
 * - one stage with throttling, X-Ray tracing, execution logging at ERROR without data tracing, and
 *   a rich JSON access log, both in log groups encrypted with a customer-managed key;
 * - every route states its authorization (`addRoute`); a method without one fails synth;
 * - request validation of bodies and parameters; gateway responses that say nothing internal and
 *   carry security headers;
 * - resource-policy helpers to restrict callers by address or VPC endpoint.
 *
 * The underlying constructs are readonly members: `api`, `stage`, `key`, `accessLogGroup`, ...
 */
export class SecureRestApi extends Construct implements ISecureRestApi {
  /**
   * Whether `x` is a `SecureRestApi`, of this or another copy of the library (where `instanceof`
   * would say no): for aspects and tools that look for the APIs of an app.
   */
  public static isSecureRestApi(x: any): x is SecureRestApi {
    return x !== null && typeof x === 'object' && SECURE_REST_API_SYMBOL in x;
  }

  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The deployed stage. */
  public readonly stage: apigw.Stage;
  /** The key that encrypts the API's logs. */
  public readonly key: kms.IKey;
  /** The key with its service grants, for the library's other parts. */
  public readonly encryption: ApiEncryptionKey;
  /** The log group of the JSON access log. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The log group API Gateway writes execution logs to, created up front to encrypt and expire it. */
  public readonly executionLogGroup: logs.LogGroup;
  /** The validator that checks request bodies and parameters. */
  public readonly requestValidator: apigw.RequestValidator;
  /** Where the API is reachable. */
  public readonly endpointType: ApiEndpointType;
  /**
   * The TLS security policy of the API's endpoint. API Gateway negotiates TLS with it for requests
   * to the API's custom domains too.
   */
  public readonly tlsSecurityPolicy: apigw.SecurityPolicy;
  /** Metric filters on the access log: failed authentications, throttled requests, integration errors, authorizer failures. */
  public readonly accessLogMetrics: AccessLogMetrics;
  /**
   * The API's alarms.
   *
   * @default - undefined when `alarms.enabled` is false
   */
  public readonly alarms?: ApiAlarms;
  /**
   * The deprecation of this version: its headers, stage variables, top-callers rule and metrics.
   *
   * @default - undefined when `deprecation` is not given
   */
  public readonly deprecation?: ApiDeprecation;

  private readonly routeTable = new RouteTable();
  private readonly records: RouteRecord[] = [];
  private readonly recordsByKey = new Map<string, RouteRecord>();
  private readonly stageThrottle: Required<ThrottleSettings>;
  private readonly allowedSourceCidrs: string[] = [];
  private readonly deniedSourceCidrs: string[] = [];
  private readonly allowedVpcEndpointIds: string[] = [];
  private readonly grants: Array<{ readonly grantee: string; readonly routes: ParsedRoute[] }> = [];
  private resourcePolicyStarted = false;
  private readonly capacity: RoutePlacementCapacity;
  private readonly resourcesPerApiQuota: number;
  private readonly placement: RoutePlacement;
  /** Routes placed so far, CORS preflights not counted: turning `cors` on or off moves no route to another stack. */
  private placedRoutes = 0;
  /** While a CORS preflight is added: the stack of the route that brought it, where its path is. */
  private preflightPlacement?: { readonly stack: NestedStack | undefined };
  private readonly cors?: CorsPreflights;

  constructor(scope: Construct, id: string, props: SecureRestApiProps = {}) {
    super(scope, id);
    Object.defineProperty(this, SECURE_REST_API_SYMBOL, { value: true });
    if (props.securityReport ?? true) {
      SecurityReport.enable(this);
    }

    const stageName = props.stageName ?? 'v1';
    this.validateStageName(stageName);
    this.validateRestApiName(props.restApiName);
    validateThrottle(this, 'throttle', props.throttle);
    this.stageThrottle = { ...DEFAULT_STAGE_THROTTLE, ...props.throttle };
    this.endpointType = props.endpointType ?? ApiEndpointType.REGIONAL;
    validateOneOf(this, 'endpointType', this.endpointType, Object.values(ApiEndpointType));
    this.validateVpcEndpoints(props.vpcEndpoints);
    const tlsSecurityPolicy = props.tlsSecurityPolicy ?? apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;
    if (typeof tlsSecurityPolicy === 'string' && !Token.isUnresolved(tlsSecurityPolicy) && tlsSecurityPolicy.endsWith('_EDGE')) {
      throw new ValidationError(`\`tlsSecurityPolicy\` ${describe(tlsSecurityPolicy)} is a policy for EDGE endpoints, and this API is ${this.endpointType}: use one of ${ALLOWED_TLS_POLICIES.map(describe).join(', ')}`, this);
    }
    validateOneOf(this, 'tlsSecurityPolicy', tlsSecurityPolicy, ALLOWED_TLS_POLICIES);
    this.tlsSecurityPolicy = tlsSecurityPolicy;
    validateRetention(this, 'logRetention', props.logRetention);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    validateWholeNumber(this, 'routesInApiStack', props.routesInApiStack, { min: 0 });
    validateWholeNumber(this, 'routesPerNestedStack', props.routesPerNestedStack, { min: 1 });
    validateWholeNumber(this, 'resourcesPerApiQuota', props.resourcesPerApiQuota, { min: 1 });
    this.capacity = {
      routesInApiStack: props.routesInApiStack ?? DEFAULT_ROUTES_IN_API_STACK,
      routesPerNestedStack: props.routesPerNestedStack ?? DEFAULT_ROUTES_PER_NESTED_STACK,
    };
    this.resourcesPerApiQuota = props.resourcesPerApiQuota ?? API_GATEWAY_DEFAULT_RESOURCES_PER_API;

    this.encryption = new ApiEncryptionKey(this, 'EncryptionKey', { key: props.encryptionKey, removalPolicy });
    this.key = this.encryption.key;
    const logName = Names.uniqueResourceName(this, { maxLength: 256, separator: '-' });
    this.accessLogGroup = this.encryption.createLogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${logName}/access`,
      retention: props.logRetention,
      removalPolicy,
    });

    this.accessLogMetrics = new AccessLogMetrics(this, 'AccessLogMetrics', {
      logGroup: this.accessLogGroup,
      // CloudWatch namespaces have at most 255 characters.
      namespace: `SecureApi/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
    });

    this.api = new apigw.RestApi(this, 'Resource', {
      // At most 255 characters: the name is the `ApiName` dimension of the stage's metrics.
      restApiName: props.restApiName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '-' }),
      description: props.description,
      endpointConfiguration: {
        types: [this.endpointType === ApiEndpointType.PRIVATE ? apigw.EndpointType.PRIVATE : apigw.EndpointType.REGIONAL],
        vpcEndpoints: props.vpcEndpoints,
      },
      cloudWatchRole: props.createAccountLoggingRole ?? false,
      cloudWatchRoleRemovalPolicy: props.createAccountLoggingRole ? RemovalPolicy.RETAIN : undefined,
      failOnWarnings: true,
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      // Methods added around addRoute() get IAM, the closed default; synth fails for them anyway.
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: {
        stageName,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: props.tracing ?? true,
        throttlingRateLimit: this.stageThrottle.rateLimit,
        throttlingBurstLimit: this.stageThrottle.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: secureAccessLogFormat(),
      },
    });
    const cfnApi = this.api.node.defaultChild as apigw.CfnRestApi;
    cfnApi.securityPolicy = tlsSecurityPolicy;
    if (tlsSecurityPolicy.startsWith('SecurityPolicy_')) {
      cfnApi.endpointAccessMode = apigw.EndpointAccessMode.STRICT;
    }
    this.stage = this.api.deploymentStage;
    acknowledgeStageFindings(this.stage, () => this.records.map((record) => record.method), this.api.node.tryFindChild('CloudWatchRole'));
    this.placement = new RoutePlacement(this, this.api, this.capacity);

    this.executionLogGroup = this.encryption.createLogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
      retention: props.logRetention,
      removalPolicy,
    });
    // Created before the stage, or API Gateway creates it unencrypted and kept forever.
    this.stage.node.addDependency(this.executionLogGroup);
    this.renderMethodSettingsLazily();

    this.requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.addGatewayResponses();
    if (props.cors !== undefined) {
      // A page reads only the safelisted headers and those exposed: a deprecated version exposes its own.
      const given = props.cors?.exposeHeaders;
      const exposeHeaders = props.deprecation && (given === undefined || Array.isArray(given))
        ? [...(given ?? []), ...Object.values(DEPRECATION_HEADERS).filter((name) => !(given ?? []).some((header) => String(header).toLowerCase() === name.toLowerCase()))]
        : given;
      this.cors = new CorsPreflights(this, this.stage, { ...props.cors, exposeHeaders });
    }
    this.deprecation = props.deprecation && new ApiDeprecation(this, 'Deprecation', { ...props.deprecation, api: this });

    const { enabled: alarmsEnabled = true, ...alarms } = props.alarms ?? {};
    if (alarmsEnabled) {
      this.alarms = new ApiAlarms(this, 'Alarms', { api: this, ...alarms });
    } else {
      // Options that would change something if the alarms were on: silently dropping them would hide a mistake.
      const given = Object.entries(alarms).filter(([, value]) => value !== undefined
        && !(Array.isArray(value) && value.length === 0) && !(value?.constructor === Object && Object.keys(value).length === 0)).map(([key]) => key);
      if (given.length > 0) {
        throw new ValidationError(`\`alarms.enabled\` is false, so \`alarms.${given.join('`, `alarms.')}\` would be ignored: remove them, or turn the alarms on`, this);
      }
    }
    if (props.vpcEndpoints?.length) {
      this.allowOnlyFromVpcEndpoints(...props.vpcEndpoints);
    }
    for (const [routeKey, options] of Object.entries(props.routes ?? {})) {
      this.addRoute(routeKey, options);
    }
    this.node.addValidation({ validate: () => [...this.validateEveryMethodIsARoute(), ...this.validateGrants()] });
    this.node.addValidation({ validate: () => this.validateDeployLimits() });
  }

  /** The access matrix: every route and who may call it, in the order they were added. */
  public get accessMatrix(): RouteAccessEntry[] {
    return this.records.map((record) => record.access);
  }

  /** Every route, typed: its method, path, parameters and authorization, in the order they were added. */
  public get routes(): ApiRoute[] {
    return this.records.map(({ route, access, authorizationType }) => ({
      routeKey: route.key,
      method: route.method,
      path: route.path,
      pathParameters: [...route.pathParameters],
      authorizationType,
      authorization: access.authorization,
      apiKeyRequired: access.apiKeyRequired,
    }));
  }

  /**
   * The firewall whose web ACL is associated with the stage.
   *
   * @default - undefined until an `ApiFirewall` is created for the API
   */
  public get firewall(): IApiFirewall | undefined {
    return attached<IApiFirewall>(this, Attachment.FIREWALL);
  }

  /**
   * Client errors (4XX) of the stage, failed authentication and throttling among them.
   *
   * @default - sum over 5 minutes
   */
  public metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage.metricClientError(props);
  }

  /**
   * Server errors (5XX) of the stage.
   *
   * @default - sum over 5 minutes
   */
  public metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage.metricServerError(props);
  }

  /**
   * Requests to the stage.
   *
   * @default - sample count over 5 minutes
   */
  public metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage.metricCount(props);
  }

  /**
   * Time from request to response, in milliseconds.
   *
   * @default - average over 5 minutes
   */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stage.metricLatency(props);
  }

  /**
   * Requests refused with 401 or 403, counted from the access log: failed authentication, denied
   * tokens, probing of unknown paths.
   *
   * @default - sum over 1 minute
   */
  public metricFailedAuthentications(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.accessLogMetrics.metric(AccessLogMetricName.FAILED_AUTHENTICATIONS, props);
  }

  /**
   * Requests refused with 429 (throttles, usage-plan quotas), counted from the access log.
   *
   * @default - sum over 1 minute
   */
  public metricThrottledRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.accessLogMetrics.metric(AccessLogMetricName.THROTTLED_REQUESTS, props);
  }

  /**
   * Requests whose backend failed or timed out, counted from the access log.
   *
   * @default - sum over 1 minute
   */
  public metricIntegrationErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.accessLogMetrics.metric(AccessLogMetricName.INTEGRATION_ERRORS, props);
  }

  /**
   * Requests an authorizer could not decide (its function failed, timed out, was throttled or
   * returned no valid policy), which API Gateway answers with 500; counted from the access log.
   *
   * @default - sum over 1 minute
   */
  public metricAuthorizerFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.accessLogMetrics.metric(AccessLogMetricName.AUTHORIZER_FAILURES, props);
  }

  /** The URL of the deployed stage. */
  public get url(): string {
    return this.api.url;
  }

  /**
   * Adds a route. The route key is `<METHOD> <path>`, as in `GET /pets/{petId}`; the options must
   * state the route's authorization.
   */
  public addRoute(routeKey: string, options: RouteOptions): apigw.Method {
    const route = parseRouteKey(this, routeKey);
    const prop = `routes['${routeKey}']`;
    if (!options || !RouteAuthorization.isRouteAuthorization(options.authorization)) {
      throw new ValidationError(`\`${prop}.authorization\` is missing: every route states who may call it, such as RouteAuthorization.iam(), RouteAuthorization.apiKey() or RouteAuthorization.publicAccess('<reason>')`, this);
    }
    if (!isIntegration(options.integration)) {
      throw new ValidationError(`\`${prop}.integration\` is missing: give the route a backend, such as new LambdaRouteIntegration(fn)`, this);
    }
    validateThrottle(this, `${prop}.throttle`, options.throttle);
    if (options.requestBodySchema !== undefined) {
      validateJsonSchema(this, `${prop}.requestBodySchema`, options.requestBodySchema);
    }
    this.validateParameterNames(`${prop}.requiredQueryParameters`, options.requiredQueryParameters);
    this.validateParameterNames(`${prop}.requiredHeaders`, options.requiredHeaders);
    this.cors?.validateRoute(prop, route, options.integration);
    this.routeTable.add(this, route);

    const auth = options.authorization.bind(this, { method: route.method, path: route.path });
    if (auth.authorizationType === apigw.AuthorizationType.NONE && !auth.apiKeyRequired && auth.publicReason === undefined) {
      throw new ValidationError(`\`${prop}.authorization\` (${options.authorization.description}) leaves the route open without saying why: use RouteAuthorization.publicAccess('<reason>') for a public route`, this);
    }
    const apiKeyRequired = auth.apiKeyRequired || (options.apiKeyRequired ?? false);
    const stack = this.preflightPlacement ? this.preflightPlacement.stack : this.placement.stackFor(this.placedRoutes++);
    const method = this.placement.addMethod(stack, route, options.integration, {
      authorizationType: auth.authorizationType,
      authorizer: auth.authorizer,
      authorizationScopes: auth.authorizationScopes,
      apiKeyRequired,
      requestValidator: this.requestValidator,
      requestModels: this.requestModels(stack, route, options.requestBodySchema),
      requestParameters: this.requestParameters(route, options),
      methodResponses: options.methodResponses,
      operationName: options.operationName,
    });
    acknowledgeRouteFindings(method, auth);
    if (options.requestBodySchema === undefined && BODY_METHODS.includes(route.method)) {
      Annotations.of(method).addWarningV2('secure-api:route-without-body-schema',
        `${routeKey} accepts a request body but has no \`requestBodySchema\`: API Gateway passes any body to the backend. Give the route a schema.`);
    }
    if (LambdaRouteIntegration.isLambdaRouteIntegration(options.integration)) {
      this.alarms?.monitorFunction(options.integration.handler);
    }
    const record: RouteRecord = {
      route,
      method,
      authorizationType: auth.authorizationType,
      throttle: options.throttle,
      handler: integrationHandler(options.integration),
      access: { routeKey: route.key, authorization: options.authorization.description, apiKeyRequired },
    };
    this.records.push(record);
    this.recordsByKey.set(route.key, record);
    const preflight = this.cors?.routeAdded(route);
    if (preflight !== undefined) {
      this.preflightPlacement = { stack };
      try {
        this.addRoute(`${HttpMethod.OPTIONS} ${route.path}`, preflight);
      } finally {
        this.preflightPlacement = undefined;
      }
    }
    return method;
  }

  /**
   * Lets `grantee` call the given IAM-authorized routes (`execute-api:Invoke` on each route of
   * the deployed stage). Synth fails if the grant, through a `{parameter}` wildcard (which IAM
   * matches across `/`) or a trailing slash (`GET/pets/*` matches `GET/pets/`, which API Gateway
   * sends to `GET /pets`), would also reach an IAM route that was not granted.
   */
  public grantInvoke(grantee: iam.IGrantable, ...routeKeys: string[]): iam.Grant {
    if (routeKeys.length === 0) {
      throw new ValidationError('`grantInvoke(grantee, ...routeKeys)` needs at least one route key, such as \'GET /pets/{petId}\'', this);
    }
    const routes = routeKeys.map((key) => {
      const record = this.recordFor('grantInvoke', key);
      if (record.authorizationType !== apigw.AuthorizationType.IAM) {
        throw new ValidationError(`\`grantInvoke\` names ${describe(key)}, whose authorization is ${record.access.authorization}, not IAM: an IAM grant has no effect on it`, this);
      }
      return record.route;
    });
    this.grants.push({ grantee: grantee.grantPrincipal.toString(), routes });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [INVOKE_ACTION],
      resourceArns: routes.map((route) => this.api.arnForExecuteApi(arnMethod(route.method), route.arnPattern.slice(route.arnPattern.indexOf('/')), this.stage.stageName)),
    });
  }

  /**
   * The API Gateway method of a route added with {@link addRoute}, for constructs that refer to one
   * route (a usage plan's per-method throttle, an alarm on one method).
   *
   * @param routeKey the route, as `<METHOD> <path>`
   */
  public methodFor(routeKey: string): apigw.Method {
    return this.recordFor('methodFor', routeKey).method;
  }

  /**
   * The throttle API Gateway applies to all callers of a route together: the route's own, else that
   * of an `ANY` route on its path, else the stage's. Without a route key, the stage's. Both
   * `rateLimit` and `burstLimit` are always set.
   *
   * @param routeKey a route, as `<METHOD> <path>`
   */
  public throttleFor(routeKey?: string): ThrottleSettings {
    if (routeKey === undefined) {
      return { ...this.stageThrottle };
    }
    const record = this.recordFor('throttleFor', routeKey);
    const anySibling = this.recordsByKey.get(`${HttpMethod.ANY} ${record.route.path}`);
    return { ...this.stageThrottle, ...(record.throttle ?? anySibling?.throttle) };
  }

  /**
   * Denies every request whose source address is outside `cidrs` (IPv4 and IPv6 CIDR blocks), in
   * the API's resource policy. Repeated calls widen the allowed set.
   *
   * The address is the caller's public address (`aws:SourceIp`) on a REGIONAL API, and its address
   * inside its VPC (`aws:VpcSourceIp`) on a PRIVATE API, where every request comes through a VPC
   * endpoint and `aws:SourceIp` is absent. On a PRIVATE API the blocks apply in the VPC of each
   * endpoint the API allows (`vpcEndpoints`, `allowOnlyFromVpcEndpoints`).
   */
  public allowOnlyFrom(...cidrs: string[]): void {
    this.addCidrs('allowOnlyFrom', cidrs, this.allowedSourceCidrs, (list) => ResourcePolicyStatements.denyUnlessFrom(list, this.sourceAddressKey()));
  }

  /**
   * Denies every request whose source address is inside `cidrs`, in the API's resource policy.
   *
   * The address is the caller's public address on a REGIONAL API, and its address inside its VPC
   * on a PRIVATE one (see `allowOnlyFrom`).
   */
  public denyFrom(...cidrs: string[]): void {
    this.addCidrs('denyFrom', cidrs, this.deniedSourceCidrs, (list) => ResourcePolicyStatements.denyFrom(list, this.sourceAddressKey()));
  }

  /**
   * Denies every request that does not come through one of `endpoints`. Only a PRIVATE API can be
   * reached through a VPC endpoint.
   */
  public allowOnlyFromVpcEndpoints(...endpoints: ec2.IInterfaceVpcEndpoint[]): void {
    if (this.endpointType !== ApiEndpointType.PRIVATE) {
      throw new ValidationError(`\`allowOnlyFromVpcEndpoints\` needs \`endpointType\` ApiEndpointType.PRIVATE, got ${this.endpointType}: a REGIONAL API is not reached through VPC endpoints`, this);
    }
    if (endpoints.length === 0) {
      throw new ValidationError('`allowOnlyFromVpcEndpoints` needs at least one VPC endpoint', this);
    }
    const first = this.allowedVpcEndpointIds.length === 0;
    this.allowedVpcEndpointIds.push(...endpoints.map((endpoint) => endpoint.vpcEndpointId));
    if (first) {
      this.addRestriction(ResourcePolicyStatements.denyUnlessThroughVpcEndpoints(this.lazyList(this.allowedVpcEndpointIds)));
    }
  }

  private recordFor(caller: string, routeKey: string): RouteRecord {
    const record = this.recordsByKey.get(parseRouteKey(this, routeKey).key);
    if (!record) {
      throw new ValidationError(`\`${caller}\` names ${describe(routeKey)}, which is not a route of this API: add the route first`, this);
    }
    return record;
  }

  private addCidrs(method: string, cidrs: string[], into: string[], statement: (cidrs: string[]) => iam.PolicyStatement): void {
    if (cidrs.length === 0) {
      throw new ValidationError(`\`${method}\` needs at least one CIDR block, such as '203.0.113.0/24'`, this);
    }
    validateCidrs(this, method, cidrs);
    const first = into.length === 0;
    into.push(...cidrs);
    if (first) {
      this.addRestriction(statement(this.lazyList(into)));
    }
  }

  /** The condition key that holds the caller's address for this endpoint type. */
  private sourceAddressKey(): string {
    return this.endpointType === ApiEndpointType.PRIVATE ? VPC_SOURCE_IP_KEY : SOURCE_IP_KEY;
  }

  private addRestriction(statement: iam.PolicyStatement): void {
    if (!this.resourcePolicyStarted) {
      this.resourcePolicyStarted = true;
      this.api.addToResourcePolicy(ResourcePolicyStatements.allowInvoke());
      this.api.addToResourcePolicy(ResourcePolicyStatements.denyOtherAccounts(Stack.of(this).account));
    }
    // The RestApi's deployment already changes with its policy, so a new policy is deployed.
    this.api.addToResourcePolicy(statement);
  }

  private lazyList(values: string[]): string[] {
    return Lazy.list({ produce: () => values });
  }

  /** The route's request model, in the stack of its method; ids of paths that differ only in punctuation get a number. */
  private requestModels(stack: NestedStack | undefined, route: ParsedRoute, schema: apigw.JsonSchema | undefined): Record<string, apigw.IModel> | undefined {
    if (schema === undefined) {
      return undefined;
    }
    const model = this.placement.addModel(stack, `${route.method}${route.segments.map((segment) => modelIdPart(segment.text)).join('')}Body`, {
      contentType: 'application/json',
      schema: { schema: apigw.JsonSchemaVersion.DRAFT4, ...schema },
    });
    // `$default` applies the schema to every other Content-Type too: a client cannot skip
    // validation by sending the same body as `text/plain`.
    return { 'application/json': model, $default: model };
  }

  /**
   * CloudFormation's limits on each stack the API spreads into, API Gateway's quota of resources per
   * API (errors), and the size of the policy of each function behind the API (a warning: estimated).
   */
  private validateDeployLimits(): string[] {
    const apiStack = Stack.of(this);
    const errors = [
      ...stackLimitErrors([
        { stack: apiStack, fix: `lower \`routesInApiStack\` (now ${this.capacity.routesInApiStack}) so that more routes go to nested stacks, or move other resources to another stack` },
        ...this.placement.stacks.map((stack) => ({ stack, fix: `lower \`routesPerNestedStack\` (now ${this.capacity.routesPerNestedStack})` })),
      ]),
      ...apiResourceQuotaErrors(this.api, [apiStack, ...this.placement.stacks], this.resourcesPerApiQuota),
    ];
    const functions = new Map<string, string>();
    for (const record of this.records) {
      const handler = record.handler;
      if (handler !== undefined) {
        functions.set(handler.functionArn, handler.node.path);
      }
    }
    for (const policy of oversizedLambdaPolicies(this.node.root, functions)) {
      Annotations.of(this).addWarningV2('secure-api:lambda-policy-size',
        `The function ${policy.function} gets ${policy.permissions} permissions, whose statements make a resource-based policy of about ${policy.bytes} bytes, over Lambda's limit of ${LAMBDA_POLICY_LIMIT_BYTES} bytes (20 KB): the deploy fails once the policy is full. `
        + 'Integrate its routes with LambdaRouteIntegration, which adds one permission per function and API (aws-cdk-lib\'s LambdaIntegration adds two per method), or spread the routes over more functions.');
    }
    return errors;
  }

  private requestParameters(route: ParsedRoute, options: RouteOptions): Record<string, boolean> | undefined {
    const parameters: Record<string, boolean> = {};
    route.pathParameters.forEach((name) => { parameters[`method.request.path.${name}`] = true; });
    options.requiredQueryParameters?.forEach((name) => { parameters[`method.request.querystring.${name}`] = true; });
    options.requiredHeaders?.forEach((name) => { parameters[`method.request.header.${name}`] = true; });
    return Object.keys(parameters).length > 0 ? parameters : undefined;
  }

  private addGatewayResponses(): void {
    // Rendered at synth: CORS and deprecated versions add headers after construction.
    const responseParameters = Lazy.any({ produce: () => gatewayResponseParameters(this) });
    for (const spec of GATEWAY_RESPONSES) {
      const response = this.api.addGatewayResponse(spec.id, {
        type: spec.type,
        statusCode: spec.statusCode,
        templates: gatewayResponseTemplate(spec.message),
      });
      (response.node.defaultChild as apigw.CfnGatewayResponse).responseParameters = responseParameters;
    }
    // A changed header needs a new deployment to take effect.
    this.api.latestDeployment?.addToLogicalId({ gatewayResponseParameters: responseParameters });
  }

  /**
   * Method settings are rendered at synth, so routes added after construction get their throttle.
   * A per-method entry repeats the stage's logging settings, which would otherwise reset to off.
   */
  private renderMethodSettingsLazily(): void {
    const cfnStage = this.stage.node.defaultChild as apigw.CfnStage;
    const stageSettings = cfnStage.methodSettings as apigw.CfnStage.MethodSettingProperty[];
    const common = stageSettings[0];
    cfnStage.methodSettings = Lazy.any({
      produce: () => [
        ...stageSettings,
        ...this.records.filter((record) => record.throttle).map((record) => ({
          ...common,
          httpMethod: arnMethod(record.route.method),
          resourcePath: escapeResourcePath(record.route.path),
          throttlingRateLimit: record.throttle!.rateLimit ?? common.throttlingRateLimit,
          throttlingBurstLimit: record.throttle!.burstLimit ?? common.throttlingBurstLimit,
        })),
      ],
    });
  }

  private validateEveryMethodIsARoute(): string[] {
    const declared = new Set(this.records.map((record) => record.method));
    // Methods of this API may be created anywhere in the app, not only under it.
    return this.node.root.node.findAll()
      .filter((child): child is apigw.Method => isMethodOf(child, this.api) && !declared.has(child as apigw.Method))
      .map((method) => `${method.httpMethod} ${method.resource.path} was added without \`addRoute()\`, so its authorization was never stated: add it with addRoute('${method.httpMethod} ${method.resource.path}', { authorization, integration })`);
  }

  private validateGrants(): string[] {
    const iamRoutes = this.records.filter((record) => record.authorizationType === apigw.AuthorizationType.IAM).map((record) => record.route);
    return this.grants.flatMap((grant) => grantOverreach(this.routeTable.set, grant.routes, iamRoutes).map(({ granted, reached, request }) =>
      `\`grantInvoke\` gives ${grant.grantee} '${granted.key}', whose ARN '${granted.arnPattern}' also matches '${reached.key}', which was not granted: API Gateway sends the request '${request}' to it. Grant it too, or change the paths so that the grant does not reach it`));
  }

  private validateRestApiName(name: string | undefined): void {
    if (name !== undefined && !Token.isUnresolved(name) && (typeof name !== 'string' || name.trim().length === 0 || name.length > 255 || !/^[\x20-\x7E]+$/.test(name))) {
      throw new ValidationError(`\`restApiName\` must be 1 to 255 printable ASCII characters, got ${describe(name)}: it is the \`ApiName\` dimension of the API's metrics, which CloudWatch limits so`, this);
    }
  }

  private validateStageName(stageName: string): void {
    if (!Token.isUnresolved(stageName) && !STAGE_NAME_PATTERN.test(stageName)) {
      throw new ValidationError(`\`stageName\` must be 1 to 128 letters, digits, '-' or '_', got ${describe(stageName)}: use a name such as 'v1'`, this);
    }
  }

  private validateVpcEndpoints(vpcEndpoints: ec2.IInterfaceVpcEndpoint[] | undefined): void {
    const isPrivate = this.endpointType === ApiEndpointType.PRIVATE;
    if (isPrivate && !vpcEndpoints?.length) {
      throw new ValidationError('`vpcEndpoints` must name at least one interface VPC endpoint for execute-api when `endpointType` is PRIVATE: without one the API is unreachable', this);
    }
    if (!isPrivate && vpcEndpoints?.length) {
      throw new ValidationError(`\`vpcEndpoints\` applies only to \`endpointType\` PRIVATE, got ${this.endpointType}: remove it or make the API PRIVATE`, this);
    }
  }

  private validateParameterNames(prop: string, names: string[] | undefined): void {
    names?.forEach((name, index) => {
      if (typeof name !== 'string' || !/^[A-Za-z0-9._~-]+$/.test(name)) {
        throw new ValidationError(`\`${prop}[${index}]\` must be a parameter name of letters, digits and . _ ~ -, got ${describe(name)}`, this);
      }
    });
  }
}

/**
 * Whether `x` looks like an `apigw.Integration`: what `addMethod` calls. By shape, not with
 * `instanceof`, so that an integration of another copy of aws-cdk-lib is accepted.
 */
function isIntegration(x: unknown): x is apigw.Integration {
  return x !== null && typeof x === 'object' && typeof (x as { bind?: unknown }).bind === 'function';
}

/**
 * Whether `construct` is an `apigw.Method` of `api`: a child that names `api` as its API and has
 * an HTTP method and a resource. By shape, so methods of another copy of aws-cdk-lib are found too.
 */
function isMethodOf(construct: IConstruct, api: apigw.RestApi): construct is apigw.Method {
  const candidate = construct as Partial<Record<'api' | 'httpMethod' | 'resource', unknown>>;
  return candidate.api === api && typeof candidate.httpMethod === 'string' && typeof candidate.resource === 'object' && candidate.resource !== null;
}

/**
 * The function behind a Lambda integration: a `LambdaRouteIntegration`'s or an
 * `apigw.LambdaIntegration`'s `handler` (a private field of the latter), found by shape.
 */
function integrationHandler(integration: apigw.Integration): lambda.IFunction | undefined {
  const handler = (integration as unknown as { handler?: Partial<lambda.IFunction> }).handler;
  return handler !== null && typeof handler === 'object' && typeof handler.functionArn === 'string' && typeof handler.node === 'object'
    ? handler as lambda.IFunction : undefined;
}

/** Method settings address a resource path as `/` followed by the path with `/` escaped as `~1`. */
function escapeResourcePath(path: string): string {
  return path === '/' ? '/' : `/${path.replace(/\//g, '~1')}`;
}

/** A path segment as part of a model's construct id: letters and digits only. */
function modelIdPart(segment: string): string {
  const clean = segment.replace(/[^A-Za-z0-9]/g, '');
  return clean.charAt(0).toUpperCase() + clean.slice(1);
}

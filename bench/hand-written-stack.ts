import * as path from 'node:path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../lib/config/environment-config';
// Allowed by the benchmark's brief: the access-log format is a fixed string, not construct logic.
import { secureAccessLogFormat } from '../lib/observability/access-log-format';

/** Properties of the hand-written stack: the same environment config the example app uses. */
export interface HandWrittenApiStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/** The 20 gateway responses the library overrides: [construct id, type, status code, message]. */
const GATEWAY_RESPONSES: ReadonlyArray<[string, apigw.ResponseType, string | undefined, string]> = [
  ['Default4xx', apigw.ResponseType.DEFAULT_4XX, undefined, 'Request rejected'],
  ['Default5xx', apigw.ResponseType.DEFAULT_5XX, undefined, 'Internal server error'],
  ['BadRequestBody', apigw.ResponseType.BAD_REQUEST_BODY, '400', 'Invalid request'],
  ['BadRequestParameters', apigw.ResponseType.BAD_REQUEST_PARAMETERS, '400', 'Invalid request'],
  ['Unauthorized', apigw.ResponseType.UNAUTHORIZED, '401', 'Unauthorized'],
  ['AccessDenied', apigw.ResponseType.ACCESS_DENIED, '403', 'Forbidden'],
  ['MissingAuthenticationToken', apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, '403', 'Forbidden'],
  ['InvalidSignature', apigw.ResponseType.INVALID_SIGNATURE, '403', 'Forbidden'],
  ['ExpiredToken', apigw.ResponseType.EXPIRED_TOKEN, '403', 'Forbidden'],
  ['InvalidApiKey', apigw.ResponseType.INVALID_API_KEY, '403', 'Forbidden'],
  ['WafFiltered', apigw.ResponseType.WAF_FILTERED, '403', 'Forbidden'],
  ['ResourceNotFound', apigw.ResponseType.RESOURCE_NOT_FOUND, '404', 'Not found'],
  ['RequestTooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, '413', 'Request too large'],
  ['UnsupportedMediaType', apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, '415', 'Unsupported media type'],
  ['Throttled', apigw.ResponseType.THROTTLED, '429', 'Too many requests'],
  ['QuotaExceeded', apigw.ResponseType.QUOTA_EXCEEDED, '429', 'Too many requests'],
  ['AuthorizerFailure', apigw.ResponseType.AUTHORIZER_FAILURE, '500', 'Internal server error'],
  ['AuthorizerConfigurationError', apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, '500', 'Internal server error'],
  ['IntegrationFailure', apigw.ResponseType.INTEGRATION_FAILURE, '504', 'Upstream error'],
  ['IntegrationTimeout', apigw.ResponseType.INTEGRATION_TIMEOUT, '504', 'Upstream timeout'],
];

/** Gateway-response header values are quoted static strings. */
const SECURITY_HEADERS: Record<string, string> = {
  'Strict-Transport-Security': "'max-age=63072000; includeSubDomains'",
  'X-Content-Type-Options': "'nosniff'",
  'Cache-Control': "'no-store'",
  'X-Frame-Options': "'DENY'",
};

/**
 * The example app's pets API written directly against aws-cdk-lib, as a team would without the
 * library: the baseline for the synth-time benchmark.
 *
 * Same resource set in spirit as `ExampleApiStack` (and the same CloudFormation resource types, so
 * the built-in template validator does the same kind of work on both sides). Differences:
 * - `apigw.LambdaIntegration` per method: 8 `AWS::Lambda::Permission`s (2 per method) where the
 *   library has 1 for the whole API, and no deployment token for the function's name;
 * - none of the library's checks: route-key parsing, stated authorization per route, the
 *   "every method is a route" and grant-overlap validations, throttle/CIDR/parameter validation;
 * - method settings, the key-policy log-group list and the grant are written out statically
 *   rather than rendered lazily; no resource-policy machinery (the example uses none);
 * - log group names are fixed strings instead of `Names.uniqueResourceName`, so the names and
 *   logical ids differ; the template is not byte-identical.
 */
export class HandWrittenApiStack extends Stack {
  constructor(scope: Construct, id: string, props: HandWrittenApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    const stageName = config.stageName;
    const apiName = `${this.stackName}-PetsApi`;
    const logGroupArn = (name: string) => this.formatArn({ service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    // KMS key with rotation; CloudWatch Logs may use it for the three log groups below only.
    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts the logs of the pets API',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: config.removalPolicy,
    });
    const encryptedLogGroup = (logId: string, logGroupName: string) => new logs.LogGroup(this, logId, {
      logGroupName,
      encryptionKey: key,
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    const accessLogName = `/aws/apigateway/${apiName}/access`;
    const lambdaLogName = `/aws/lambda/${this.stackName}-PetsBackend`;
    const accessLogs = encryptedLogGroup('AccessLogs', accessLogName);

    const api = new apigw.RestApi(this, 'PetsApi', {
      restApiName: apiName,
      description: `Example pets API (${config.name})`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: config.createAccountLoggingRole,
      cloudWatchRoleRemovalPolicy: config.createAccountLoggingRole ? RemovalPolicy.RETAIN : undefined,
      failOnWarnings: true,
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      deployOptions: {
        stageName,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: config.throttle.rateLimit,
        throttlingBurstLimit: config.throttle.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: secureAccessLogFormat(),
        methodOptions: {
          '/pets/POST': {
            loggingLevel: apigw.MethodLoggingLevel.ERROR,
            dataTraceEnabled: false,
            metricsEnabled: true,
            throttlingRateLimit: Math.max(1, Math.floor(config.throttle.rateLimit / 10)),
            throttlingBurstLimit: Math.max(1, Math.floor(config.throttle.burstLimit / 10)),
          },
        },
      },
    });
    const cfnApi = api.node.defaultChild as apigw.CfnRestApi;
    cfnApi.securityPolicy = apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;
    cfnApi.endpointAccessMode = apigw.EndpointAccessMode.STRICT;

    // Created before the stage, so API Gateway does not create it unencrypted.
    const executionLogName = `API-Gateway-Execution-Logs_${api.restApiId}/${stageName}`;
    api.deploymentStage.node.addDependency(encryptedLogGroup('ExecutionLogs', executionLogName));

    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': [accessLogName, executionLogName, lambdaLogName].map(logGroupArn) } },
    }));

    const backend = new nodejs.NodejsFunction(this, 'PetsBackend', {
      entry: path.join(__dirname, '..', 'lambda', 'example-backend', 'index.ts'),
      description: 'Example backend of the pets API',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: encryptedLogGroup('PetsBackendLogGroup', lambdaLogName),
      environmentEncryption: key,
      environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'pets-api' },
      bundling: { minify: true, sourceMap: true, sourcesContent: false, target: 'node24' },
    });
    key.grantDecrypt(backend);

    const validator = api.addRequestValidator('RequestValidator', { validateRequestBody: true, validateRequestParameters: true });
    for (const [responseId, type, statusCode, message] of GATEWAY_RESPONSES) {
      api.addGatewayResponse(responseId, {
        type,
        statusCode,
        responseHeaders: SECURITY_HEADERS,
        templates: { 'application/json': `{"message":"${message}","requestId":"$context.requestId"}` },
      });
    }
    const newPet = api.addModel('NewPet', {
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        type: apigw.JsonSchemaType.OBJECT,
        additionalProperties: false,
        required: ['name', 'species'],
        properties: {
          name: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 100 },
          species: { type: apigw.JsonSchemaType.STRING, enum: ['cat', 'dog', 'fish'] },
        },
      },
    });

    // The same four routes, each with the stock Lambda proxy integration.
    const integration = new apigw.LambdaIntegration(backend);
    const common = { requestValidator: validator };
    const pets = api.root.addResource('pets');
    api.root.addResource('health').addMethod('GET', integration, { ...common, authorizationType: apigw.AuthorizationType.NONE });
    pets.addMethod('GET', integration, { ...common, apiKeyRequired: true });
    pets.addResource('{petId}').addMethod('GET', integration, {
      ...common,
      apiKeyRequired: true,
      requestParameters: { 'method.request.path.petId': true },
    });
    pets.addMethod('POST', integration, {
      ...common,
      authorizationType: apigw.AuthorizationType.IAM,
      requestModels: { 'application/json': newPet, $default: newPet },
    });

    const plan = api.addUsagePlan('PartnerPlan', {
      description: 'Partners reading the pets catalogue',
      throttle: { rateLimit: config.throttle.rateLimit / 2, burstLimit: config.throttle.burstLimit / 2 },
      quota: { limit: 10_000, period: apigw.Period.DAY },
      apiStages: [{ api, stage: api.deploymentStage }],
    });
    plan.addApiKey(api.addApiKey('PartnerKey', { description: 'Example partner key; its value is never output' }));

    const petWriter = new iam.Role(this, 'PetWriterRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Assumed by internal services that add pets through the API',
    });
    petWriter.addToPolicy(new iam.PolicyStatement({
      actions: ['execute-api:Invoke'],
      resources: [api.arnForExecuteApi('POST', '/pets', api.deploymentStage.stageName)],
    }));

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'The URL of the pets API stage' });
  }
}

import * as path from 'node:path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
// The hand-written stack deploys the same authorizer handler, so it writes the settings file that
// handler reads: the file's name and the settings' shape are the handler's contract.
import { NEW_PET_SCHEMA } from '../bin/example-api-stack';
import { JwtAuthorizerSettings, SETTINGS_FILE } from '../lambda/shared/constants';
import { compilePolicyPlan } from '../lambda/shared/routes';
import type { EnvironmentConfig } from '../bin/environment-config';
// Allowed by the benchmark's brief: the access-log format is a fixed string, not construct logic.
import { secureAccessLogFormat } from '../lib/private/access-log-format';
import { addFirewall } from './hand-written-firewall';
import { addApiMonitoring } from './hand-written-monitoring';

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

/** The JSON schema of a pet in a request body (POST creates one, PUT replaces one): the example's. */
const PET_SCHEMA: apigw.JsonSchema = { schema: apigw.JsonSchemaVersion.DRAFT4, ...NEW_PET_SCHEMA };

/** `Bearer <token>`, checked by API Gateway before the TOKEN authorizer runs. */
const BEARER_REGEX = '^[Bb][Ee][Aa][Rr][Ee][Rr] +[-0-9A-Za-z._~+/]+=*$';

/**
 * The example app's pets API written directly against aws-cdk-lib, as a team would without the
 * library: the baseline for the synth-time benchmark.
 *
 * The same resources as `ExampleApiStack`: the same CloudFormation resource types with the same
 * count of each (checked by the benchmark), so the built-in template validator does the same work
 * on both sides. Where plain aws-cdk-lib would naturally produce a different count, it is written
 * the way that gives the same one:
 * - `LambdaIntegration` with `scopePermissionToMethod: false`, aws-cdk-lib's own option for one
 *   function behind many methods: 1 `AWS::Lambda::Permission` for the API (any stage) instead of
 *   2 per method; the library's one is scoped to the stage. The token authorizer adds the second;
 * - one request model per method with a body (`NewPet` for POST, `PetReplacement` for PUT), as the
 *   library makes one per route; a team might share one model and have 1 `Model` fewer.
 * Other differences:
 * - none of the library's checks: route-key parsing, stated authorization per route, the
 *   "every method is a route" and grant-overlap validations, throttle/CIDR/parameter validation,
 *   Cognito and JWT prop validation, the usage tiers' synth-time warnings;
 * - method settings, the key-policy log-group list, the grant and the JWT authorizer's settings
 *   (issuer, routes, limits) are written out statically rather than rendered lazily from the routes;
 *   no resource-policy machinery (the example uses none);
 * - the monitoring (bench/hand-written-monitoring.ts) is written out: thresholds as a table per
 *   profile, the watched functions as a list, the incident alarm's rule an AT_LEAST over the five
 *   attack signals known at construction (three of the API's, two of the firewall's); thresholds and alarm emails are not validated;
 * - the firewall and abuse blocker (bench/hand-written-firewall.ts) are one fixed set of rules and
 *   settings, without the library's capacity, route and settings checks;
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

    // KMS key with rotation; CloudWatch Logs may use it for the six log groups below only.
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
    const backendLogName = `/aws/lambda/${this.stackName}-PetsBackend`;
    const authorizerLogName = `/aws/lambda/${this.stackName}-TokenAuthorizer`;
    // AWS WAF logs only to groups named `aws-waf-logs-*`.
    const wafLogName = `aws-waf-logs-${apiName}`;
    const blockerLogName = `/aws/lambda/${this.stackName}-AbuseBlocker`;
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
      conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': [accessLogName, executionLogName, backendLogName, authorizerLogName, wafLogName, blockerLogName].map(logGroupArn) } },
    }));

    // Both functions: Node.js 24 on arm64, JSON logs in an encrypted log group, encrypted environment.
    const nodeFunction = (functionId: string, options: { entry: string; description: string; timeout: Duration; logGroupName: string; environment: Record<string, string>; settings?: object }) => {
      const fn = new nodejs.NodejsFunction(this, functionId, {
        entry: options.entry,
        description: options.description,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        timeout: options.timeout,
        tracing: lambda.Tracing.ACTIVE,
        loggingFormat: lambda.LoggingFormat.JSON,
        applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
        systemLogLevelV2: lambda.SystemLogLevel.WARN,
        logGroup: encryptedLogGroup(`${functionId}LogGroup`, options.logGroupName),
        environmentEncryption: key,
        environment: { NODE_OPTIONS: '--enable-source-maps', ...options.environment },
        bundling: {
          minify: true,
          sourceMap: true,
          sourcesContent: false,
          target: 'node24',
          // The handler reads its settings from a file beside its bundle.
          commandHooks: options.settings && settingsFileHooks(options.settings),
        },
      });
      key.grantDecrypt(fn);
      return fn;
    };
    const backend = nodeFunction('PetsBackend', {
      entry: path.join(__dirname, '..', 'lambda', 'example-backend', 'index.ts'),
      description: 'Example backend of the pets API',
      timeout: Duration.seconds(10),
      logGroupName: backendLogName,
      environment: { POWERTOOLS_SERVICE_NAME: 'pets-api' },
    });

    // The Cognito user pool: admin-created users signing in by email, TOTP MFA, strong passwords.
    const userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: config.profile === 'prod' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true, email: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        passwordHistorySize: 24,
        tempPasswordValidity: Duration.days(1),
      },
      featurePlan: config.cognitoThreatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: config.cognitoThreatProtection ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: config.removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy: config.removalPolicy,
    });
    const readScope = new cognito.ResourceServerScope({ scopeName: 'read', scopeDescription: 'Read the pets catalogue' });
    const writeScope = new cognito.ResourceServerScope({ scopeName: 'write', scopeDescription: 'Change pets' });
    const resourceServer = userPool.addResourceServer('ResourceServer', { identifier: 'pets', scopes: [readScope, writeScope] });
    userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: `pets-api-${config.name}-${config.account}` } });
    const apiScopes = [readScope, writeScope].map((s) => cognito.OAuthScope.resourceServer(resourceServer, s));
    const inventorySync = userPool.addClient('InventorySync', {
      generateSecret: true,
      authFlows: { userPassword: false, adminUserPassword: false, custom: false, userSrp: false, user: false },
      oAuth: { flows: { clientCredentials: true }, scopes: apiScopes },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.minutes(15),
    });
    const webApp = userPool.addClient('WebApp', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE, ...apiScopes],
        callbackUrls: ['https://pets.example.com/callback'],
        logoutUrls: ['https://pets.example.com/'],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.minutes(15),
      idTokenValidity: Duration.minutes(15),
      refreshTokenValidity: Duration.hours(12),
    });
    const cognitoAuthorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
      cognitoUserPools: [userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.minutes(5),
    });

    // The JWT authorizer: the same handler, with its settings written out by hand. The user pool's
    // issuer and clients are known only at deploy time: the file refers to environment variables.
    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/${userPool.userPoolId}`;
    const ref = (name: string) => ({ $env: name }) as unknown as string;
    const authorizerSettings: JwtAuthorizerSettings = {
      issuers: [{
        issuer: ref('SECURE_API_SETTING_1'),
        audience: [ref('SECURE_API_SETTING_2'), ref('SECURE_API_SETTING_3')],
        audienceClaim: 'client_id',
        jwksUri: ref('SECURE_API_SETTING_4'),
        scopeClaims: ['scope'],
        groupClaims: ['cognito:groups'],
        scopes: ['pets/read', 'pets/write'],
        groups: ['admins'],
        requireAccessTokenType: false,
        discovery: false,
        tokenType: 'cognito-access',
        requiredClaims: {},
      }],
      plan: compilePolicyPlan([
        ['GET', '/health'],
        ['GET', '/pets'],
        ['GET', '/pets/{petId}'],
        ['POST', '/pets'],
        ['PUT', '/pets/{petId}'],
        ['DELETE', '/pets/{petId}', [], ['admins']],
      ]),
      limits: { maxTokenBytes: 8192, maxLifetimeSeconds: 86_400, clockSkewSeconds: 30, jwksMaxAgeSeconds: 3600, jwksTimeoutMs: 2000, jwksRetrySeconds: 10 },
      metricsNamespace: `${this.stackName}/Authorizer`,
    };
    const authorizerFunction = nodeFunction('TokenAuthorizerFunction', {
      entry: path.join(__dirname, '..', 'lambda', 'jwt-authorizer', 'index.ts'),
      description: 'Verifies access tokens and returns the routes each caller may call',
      timeout: Duration.seconds(5),
      logGroupName: authorizerLogName,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'jwt-authorizer',
        SECURE_API_SETTING_1: issuer,
        SECURE_API_SETTING_2: inventorySync.userPoolClientId,
        SECURE_API_SETTING_3: webApp.userPoolClientId,
        SECURE_API_SETTING_4: `${issuer}/.well-known/jwks.json`,
      },
      settings: authorizerSettings,
    });
    const tokenAuthorizer = new apigw.TokenAuthorizer(this, 'TokenAuthorizer', {
      handler: authorizerFunction,
      identitySource: apigw.IdentitySource.header('Authorization'),
      validationRegex: BEARER_REGEX,
      resultsCacheTtl: Duration.minutes(5),
    });

    const validator = api.addRequestValidator('RequestValidator', { validateRequestBody: true, validateRequestParameters: true });
    for (const [responseId, type, statusCode, message] of GATEWAY_RESPONSES) {
      api.addGatewayResponse(responseId, {
        type,
        statusCode,
        responseHeaders: SECURITY_HEADERS,
        templates: { 'application/json': `{"message":"${message}","requestId":"$context.requestId"}` },
      });
    }
    const newPet = api.addModel('NewPet', { contentType: 'application/json', schema: PET_SCHEMA });
    const petReplacement = api.addModel('PetReplacement', { contentType: 'application/json', schema: PET_SCHEMA });

    // The same six routes, each with the Lambda proxy integration; one invoke permission for the API.
    const integration = new apigw.LambdaIntegration(backend, { scopePermissionToMethod: false });
    const common = { requestValidator: validator };
    const petIdParameter = { 'method.request.path.petId': true };
    // CORS preflights on every path, answered by API Gateway, for the environment's browser origins.
    const cors = config.corsOrigins.length > 0
      ? { defaultCorsPreflightOptions: { allowOrigins: [...config.corsOrigins], allowMethods: apigw.Cors.ALL_METHODS } }
      : {};
    const pets = api.root.addResource('pets', cors);
    const pet = pets.addResource('{petId}', cors);
    api.root.addResource('health', cors).addMethod('GET', integration, { ...common, authorizationType: apigw.AuthorizationType.NONE });
    pets.addMethod('GET', integration, { ...common, apiKeyRequired: true });
    pet.addMethod('GET', integration, { ...common, apiKeyRequired: true, requestParameters: petIdParameter });
    pets.addMethod('POST', integration, {
      ...common,
      authorizationType: apigw.AuthorizationType.IAM,
      requestModels: { 'application/json': newPet, $default: newPet },
    });
    pet.addMethod('PUT', integration, {
      ...common,
      authorizer: cognitoAuthorizer,
      authorizationType: apigw.AuthorizationType.COGNITO,
      authorizationScopes: ['pets/write'],
      apiKeyRequired: true,
      requestParameters: petIdParameter,
      requestModels: { 'application/json': petReplacement, $default: petReplacement },
    });
    pet.addMethod('DELETE', integration, { ...common, authorizer: tokenAuthorizer, authorizationType: apigw.AuthorizationType.CUSTOM, requestParameters: petIdParameter });

    const plan = api.addUsagePlan('PartnerPlan', {
      name: `${apiName}-partner`,
      description: 'Partners reading the pets catalogue',
      throttle: { rateLimit: Math.floor(config.throttle.rateLimit / 2), burstLimit: Math.floor(config.throttle.burstLimit / 2) },
      quota: { limit: 10_000, period: apigw.Period.DAY },
      apiStages: [{ api, stage: api.deploymentStage }],
    });
    plan.addApiKey(new apigw.ApiKey(this, 'PartnerKey', { description: 'Example partner key; its value is never output', enabled: true }));

    const petWriter = new iam.Role(this, 'PetWriterRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Assumed by internal services that add pets through the API',
    });
    petWriter.addToPolicy(new iam.PolicyStatement({
      actions: ['execute-api:Invoke'],
      resources: [api.arnForExecuteApi('POST', '/pets', api.deploymentStage.stageName)],
    }));

    // The WAF web ACL and the abuse blocker: see hand-written-firewall.ts.
    const firewall = addFirewall(this, {
      apiName,
      stage: api.deploymentStage,
      accessLogs,
      key,
      wafLogs: encryptedLogGroup('WafLogs', wafLogName),
      nodeFunction,
      blockerLogName,
      config,
    });

    // Metric filters, alarms to an encrypted topic, and a dashboard: see hand-written-monitoring.ts.
    addApiMonitoring(this, {
      apiName,
      stage: api.deploymentStage,
      accessLogs,
      key,
      functions: [backend, firewall.blockerFunction],
      authorizerFunctions: [authorizerFunction],
      config,
      extraAlarms: firewall.alarms,
      extraDashboardRows: firewall.dashboardRows,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'The URL of the pets API stage' });
  }
}

/** esbuild's hooks that write a handler's settings file into its bundle's folder, after bundling. */
function settingsFileHooks(settings: object): nodejs.ICommandHooks {
  const encoded = Buffer.from(JSON.stringify(settings)).toString('base64');
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => [`echo ${encoded} | base64 -d > "${outputDir}/${SETTINGS_FILE}"`],
  };
}

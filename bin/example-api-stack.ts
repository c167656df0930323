import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Annotations, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  AbuseBlocker,
  ApiAlarmThresholds,
  ApiDashboard,
  ApiFirewall,
  CognitoUserDirectory,
  JwtAuthorizer,
  LambdaRouteIntegration,
  RouteAuthorization,
  SecureNodejsFunction,
  SecureRestApi,
  UsageQuota,
  UsageTiers,
} from 'secure-api-gateway';
import { EnvironmentConfig, Profile } from './environment-config';

/** Properties of the example stack. */
export interface ExampleApiStackProps extends StackProps {
  /** The environment's validated settings. */
  readonly config: EnvironmentConfig;
}

/** The JSON schema of a new pet, checked by API Gateway before the backend runs (the bench uses it too). */
export const NEW_PET_SCHEMA: apigw.JsonSchema = {
  type: apigw.JsonSchemaType.OBJECT,
  additionalProperties: false,
  required: ['name', 'species'],
  properties: {
    name: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 100 },
    species: { type: apigw.JsonSchemaType.STRING, enum: ['cat', 'dog', 'fish'] },
  },
};

/**
 * When each profile's alarms fire. Prod keeps the library's defaults; a dev API sees test traffic
 * (testers failing to sign in, load tests), so it alarms later.
 */
const ALARM_THRESHOLDS: Record<Profile, ApiAlarmThresholds> = {
  prod: {},
  dev: {
    serverErrorRatePercent: 10,
    latencyP99: Duration.seconds(5),
    failedAuthenticationsPerMinute: 200,
    throttledRequestsPerMinute: 500,
  },
};

/**
 * The example app's one stack: a pets API that mixes every kind of route authorization:
 *
 * | route | who may call it |
 * |---|---|
 * | `GET /health` | anyone (uptime monitors) |
 * | `GET /pets`, `GET /pets/{petId}` | partners with an API key of the `partner` tier |
 * | `POST /pets` | internal services signing with IAM (the `PetWriterRole`) |
 * | `PUT /pets/{petId}` | Cognito access tokens with `pets/write`, plus a partner API key for metering |
 * | `DELETE /pets/{petId}` | tokens of users in the `admins` group, checked by the JWT authorizer |
 *
 * In front of it: an AWS WAF firewall (blocking, or counting where the environment tries rules out)
 * and an abuse blocker that blocks client addresses with repeated 401s and 403s.
 *
 * Instantiated once per environment; the profile decides what differs (MFA required in prod).
 */
export class ExampleApiStack extends Stack {
  public readonly api: SecureRestApi;
  public readonly users: CognitoUserDirectory;

  constructor(scope: Construct, id: string, props: ExampleApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.api = new SecureRestApi(this, 'PetsApi', {
      description: `Example pets API (${config.name})`,
      stageName: config.stageName,
      throttle: config.throttle,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      createAccountLoggingRole: config.createAccountLoggingRole,
      alarms: { thresholds: ALARM_THRESHOLDS[config.profile], emailAddresses: [...config.alarmEmails] },
    });

    const backend = new SecureNodejsFunction(this, 'PetsBackend', {
      entry: path.join(__dirname, '..', 'lambda', 'example-backend', 'index.ts'),
      description: 'Example backend of the pets API',
      encryption: this.api.encryption,
      logGroupRetention: config.logRetention,
      logGroupRemovalPolicy: config.removalPolicy,
      environment: { POWERTOOLS_SERVICE_NAME: 'pets-api' },
    });
    const integration = new LambdaRouteIntegration(backend);

    // People and programs sign in with the environment's user pool.
    this.users = new CognitoUserDirectory(this, 'Users', {
      resourceServerIdentifier: 'pets',
      scopes: [
        { name: 'read', description: 'Read the pets catalogue' },
        { name: 'write', description: 'Change pets' },
      ],
      mfa: config.profile === 'prod' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      threatProtection: config.cognitoThreatProtection,
      // Globally unique, without putting the account id in a public host name.
      domainPrefix: `pets-api-${config.name}-${createHash('sha256').update(config.account).digest('hex').slice(0, 10)}`,
      removalPolicy: config.removalPolicy,
    });
    if (config.profile !== 'prod') {
      Annotations.of(this.users).acknowledgeWarning('secure-api:cognito-mfa-optional', 'MFA is optional outside the prod profile, so testers can sign in without a TOTP app');
    }
    const inventorySync = this.users.addMachineClient('InventorySync', { scopes: ['pets/read', 'pets/write'] });
    const webApp = this.users.addUserClient('WebApp', {
      callbackUrls: ['https://pets.example.com/callback'],
      logoutUrls: ['https://pets.example.com/'],
      scopes: ['pets/read', 'pets/write'],
    });
    // Group checks need the JWT authorizer: API Gateway's Cognito authorizer checks scopes only.
    const tokens = new JwtAuthorizer(this, 'TokenAuthorizer', {
      api: this.api,
      issuers: [JwtAuthorizer.cognitoIssuer(this.users, { clients: [inventorySync, webApp], groups: ['admins'] })],
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    this.api.addRoute('GET /health', {
      authorization: RouteAuthorization.publicAccess('uptime monitors call it without credentials; it returns no data'),
      integration,
    });
    this.api.addRoute('GET /pets', { authorization: RouteAuthorization.apiKey(), integration });
    this.api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.apiKey(), integration });
    this.api.addRoute('POST /pets', {
      authorization: RouteAuthorization.iam(),
      integration,
      requestBodySchema: NEW_PET_SCHEMA,
      throttle: { rateLimit: Math.max(1, Math.floor(config.throttle.rateLimit / 10)), burstLimit: Math.max(1, Math.floor(config.throttle.burstLimit / 10)) },
    });
    this.api.addRoute('PUT /pets/{petId}', {
      authorization: this.users.authorize({ scopes: ['pets/write'] }),
      apiKeyRequired: true,
      integration,
      requestBodySchema: NEW_PET_SCHEMA,
    });
    this.api.addRoute('DELETE /pets/{petId}', { authorization: tokens.authorize({ groups: ['admins'] }), integration });

    // Partners call the API-key routes under a usage tier; key values never leave API Gateway.
    new UsageTiers(this, 'UsageTiers', {
      api: this.api,
      tiers: [{
        name: 'partner',
        description: 'Partners reading the pets catalogue',
        throttle: { rateLimit: Math.max(1, Math.floor(config.throttle.rateLimit / 2)), burstLimit: Math.max(1, Math.floor(config.throttle.burstLimit / 2)) },
        quota: UsageQuota.perDay(10_000),
      }],
      apiKeys: { PartnerKey: { tier: 'partner', description: 'Example partner key; its value is never output' } },
    });

    // Internal services that may add pets assume this role and sign their requests.
    const petWriter = new iam.Role(this, 'PetWriterRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Assumed by internal services that add pets through the API',
    });
    this.api.grantInvoke(petWriter, 'POST /pets');

    // Last, so it shows every function the alarms watch.
    // The firewall and the abuse blocker: COUNT mode where the environment tries rules out
    // (cdk.json `firewallMode`); the blocker still fills its lists there, which then only count.
    const firewall = new ApiFirewall(this, 'Firewall', {
      api: this.api,
      mode: config.firewallMode,
      // Deleting pets is rare: a tighter limit per client address on it.
      routeRateLimits: [{ routeKey: 'DELETE /pets/{petId}', limit: 100, evaluationWindow: Duration.minutes(5) }],
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    const blocker = new AbuseBlocker(this, 'AbuseBlocker', {
      firewall,
      threshold: config.abuseBlocking.threshold,
      blockPeriod: config.abuseBlocking.blockPeriod,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    const dashboard = new ApiDashboard(this, 'Dashboard', { api: this.api });
    firewall.addDashboardRow(dashboard);
    blocker.addDashboardRow(dashboard);
  }
}

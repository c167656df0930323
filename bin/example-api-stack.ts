import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Annotations, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  AbuseBlocker,
  ApiAlarmThresholds,
  ApiDashboard,
  ApiDomain,
  ApiFirewall,
  BlockListReplication,
  CognitoUserDirectory,
  ComplianceChecks,
  ICognitoUserDirectory,
  JwtAuthorizer,
  LambdaRouteIntegration,
  RouteAuthorization,
  SecureNodejsFunction,
  SecureRestApi,
  UsageQuota,
  UsageTiers,
} from 'secure-api-gateway';
import { EnvironmentConfig, Profile } from './environment-config';

/** The packs' finding for a role with an inline policy. */
const INLINE_POLICY_FINDINGS = ['NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy'];

/** Properties of the example stack. */
export interface ExampleApiStackProps extends StackProps {
  /** The environment's validated settings. */
  readonly config: EnvironmentConfig;

  /**
   * In a secondary region of a multi-region environment: the primary region's stack. Its user pool
   * signs in the users of every region (a user pool lives in one region), so this stack's
   * authorizers trust that pool, through cross-region references.
   *
   * @default - this stack is the environment's only or primary region, and creates the user pool
   */
  readonly primary?: ExampleApiStack;
}

/** The health route, public, that uptime monitors and Route 53's health checks call. */
export const HEALTH_ROUTE = 'GET /health';

/** The name of a multi-region environment's block-list table, the same in every region. */
export function blockListTableName(config: EnvironmentConfig): string {
  return `secure-api-${config.name}-blocks`;
}

/** A region's own host name in a multi-region environment, which its health check calls: `<region>.<domain>`. */
export function regionalDomainName(domainName: string, region: string): string {
  return `${region}.${domainName}`;
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
 * | `GET /pets`, `GET /pets/{petId}` | Cognito access tokens with `pets/read`, plus a partner API key of the `partner` tier for metering |
 * | `POST /pets` | internal services signing with IAM (the `PetWriterRole`) |
 * | `PUT /pets/{petId}` | Cognito access tokens with `pets/write`, plus a partner API key for metering |
 * | `DELETE /pets/{petId}` | tokens of users in the `admins` group, checked by the JWT authorizer |
 *
 * In front of it: an AWS WAF firewall (blocking, or counting where the environment tries rules out)
 * and an abuse blocker that blocks client addresses with repeated 401s and 403s.
 *
 * Instantiated once per environment and region; the profile decides what differs (MFA required in
 * prod). With a domain, the API is reached there (its execute-api endpoint off); with several regions,
 * the first creates the user pool and the others trust it, and the block list is one global table.
 */
export class ExampleApiStack extends Stack {
  public readonly api: SecureRestApi;
  /** The user directory: the primary region's pool, created here or trusted from the primary's stack. */
  public readonly users: ICognitoUserDirectory;
  /** The app clients whose tokens the JWT authorizer accepts. */
  public readonly clients: cognito.IUserPoolClient[];
  /** The API's custom domain, when the environment has one. */
  public readonly domain?: ApiDomain;
  /** In a multi-region environment, this region's own host name, which Route 53's health check calls. */
  public readonly regionalDomain?: ApiDomain;

  constructor(scope: Construct, id: string, props: ExampleApiStackProps) {
    super(scope, id, props);
    const { config, primary } = props;
    const region = this.region;
    const multiRegion = config.regions.length > 1;

    this.api = new SecureRestApi(this, 'PetsApi', {
      description: `Example pets API (${config.name})`,
      stageName: config.stageName,
      throttle: config.throttle,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      createAccountLoggingRole: config.createAccountLoggingRole,
      alarms: { thresholds: ALARM_THRESHOLDS[config.profile], emailAddresses: [...config.alarmEmails] },
      // API Gateway negotiates TLS for the custom domain with the API's own policy. Route 53's HTTPS
      // health checks speak TLS 1.2 at most, so a multi-region API (and its domains) accepts TLS 1.3
      // and 1.2 with forward secrecy (the library's default); a single-region domain takes TLS 1.3 only.
      tlsSecurityPolicy: config.domain && !multiRegion ? apigw.SecurityPolicy.TLS13_1_3_2025_09 : apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09,
      // Browser apps (the web client below) call the API from these origins; a dev profile may list http://localhost.
      cors: config.corsOrigins.length > 0 ? { allowOrigins: [...config.corsOrigins], allowInsecureOrigins: config.profile === 'dev' } : undefined,
    });

    if (config.domain) {
      // By attributes from cdk.json: the app synthesizes without an AWS account.
      const hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', { hostedZoneId: config.domain.hostedZoneId, zoneName: config.domain.zoneName });
      const certificate = acm.Certificate.fromCertificateArn(this, 'Certificate', config.domain.certificateArns[region]);
      const versions = [{ basePath: config.stageName, api: this.api }];
      const securityPolicy = this.api.tlsSecurityPolicy;
      // With several regions the shared name's records fail over, in the environment's DNS stack.
      this.domain = new ApiDomain(this, 'Domain', { domainName: config.domain.name, certificate, hostedZone, createDnsRecords: !multiRegion, securityPolicy, versions });
      if (multiRegion) {
        this.regionalDomain = new ApiDomain(this, 'RegionalDomain', { domainName: regionalDomainName(config.domain.name, region), certificate, hostedZone, securityPolicy, versions });
      }
    }

    const backend = new SecureNodejsFunction(this, 'PetsBackend', {
      entry: path.join(__dirname, '..', 'lambda', 'example-backend', 'index.ts'),
      description: 'Example backend of the pets API',
      encryption: this.api.encryption,
      logGroupRetention: config.logRetention,
      logGroupRemovalPolicy: config.removalPolicy,
      environment: { POWERTOOLS_SERVICE_NAME: 'pets-api' },
    });
    const integration = new LambdaRouteIntegration(backend);
    // The backend's cdk-nag findings that are this app's choices, each with why.
    ComplianceChecks.acknowledge(backend, 'API Gateway invokes the backend synchronously and returns its errors to the caller; a dead-letter queue receives asynchronous invocations only',
      'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ');
    ComplianceChecks.acknowledge(backend, 'The example backend reaches no private resources; give a backend that does a VPC (SecureNodejsFunction `vpc`)',
      'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC');
    ComplianceChecks.acknowledge(backend, 'The stage throttle bounds the backend\'s concurrency; reserve some once the account\'s quota and the peak are known',
      'NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency');
    ComplianceChecks.acknowledge(backend.role!, 'The backend\'s own role: the house\'s statements for its log group and environment, and X-Ray; inline, they go with the role',
      ...INLINE_POLICY_FINDINGS);

    // People and programs sign in with the environment's user pool, which lives in the primary region.
    if (primary) {
      const pool = cognito.UserPool.fromUserPoolArn(this, 'PrimaryUserPool', primary.users.userPool.userPoolArn);
      this.users = CognitoUserDirectory.fromUserPool(this, 'Users', { userPool: pool, scopes: primary.users.scopeNames });
      this.clients = primary.clients.map((client) => cognito.UserPoolClient.fromUserPoolClientId(this, `PrimaryClient${client.node.id}`, client.userPoolClientId));
    } else {
      const users = new CognitoUserDirectory(this, 'Users', {
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
        const reason = 'MFA is optional outside the prod profile, so testers can sign in without a TOTP app';
        Annotations.of(users).acknowledgeWarning('secure-api:cognito-mfa-optional', reason);
        ComplianceChecks.acknowledge(users, reason, 'AwsSolutions-COG2');
      }
      if (!config.cognitoThreatProtection) {
        ComplianceChecks.acknowledge(users, `Threat protection (the paid Plus feature plan) is off in ${config.name} (cdk.json \`cognitoThreatProtection\`): no real users sign in there`, 'AwsSolutions-COG8');
      }
      const inventorySync = users.addMachineClient('InventorySync', { scopes: ['pets/read', 'pets/write'] });
      const webApp = users.addUserClient('WebApp', {
        callbackUrls: ['https://pets.example.com/callback'],
        logoutUrls: ['https://pets.example.com/'],
        scopes: ['pets/read', 'pets/write'],
      });
      this.users = users;
      this.clients = [inventorySync, webApp];
    }
    // Group checks need the JWT authorizer: API Gateway's Cognito authorizer checks scopes only.
    const tokens = new JwtAuthorizer(this, 'TokenAuthorizer', {
      api: this.api,
      issuers: [JwtAuthorizer.cognitoIssuer(this.users, { clients: this.clients, groups: ['admins'] })],
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    this.api.addRoute(HEALTH_ROUTE, {
      authorization: RouteAuthorization.publicAccess('uptime monitors call it without credentials; it returns no data'),
      integration,
    });
    // An API key meters a partner; it authorizes no one (anyone holding it could call): tokens do.
    const readPets = { authorization: this.users.authorize({ scopes: ['pets/read'] }), apiKeyRequired: true, integration };
    this.api.addRoute('GET /pets', readPets);
    this.api.addRoute('GET /pets/{petId}', readPets);
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
    ComplianceChecks.acknowledge(petWriter, 'One statement, execute-api:Invoke on POST /pets of this stage, for this one role: inline, it goes with the role', ...INLINE_POLICY_FINDINGS);

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
      replication: multiRegion ? blockListReplication(config, region) : undefined,
    });

    const dashboard = new ApiDashboard(this, 'Dashboard', { api: this.api });
    firewall.addDashboardRow(dashboard);
    blocker.addDashboardRow(dashboard);
  }
}

/**
 * How a region's blocker shares its block list in a multi-region environment: one DynamoDB global
 * table, created by the second region's stack, with a replica in each other region. Not the first:
 * that stack creates the user pool the others read, so it deploys first, before the key aliases
 * the replicas need exist. Not the last: a region added at the end of `regions` must not move the
 * table (a fixed name, retained) to another stack. Never reorder the first two regions.
 */
function blockListReplication(config: EnvironmentConfig, region: string): BlockListReplication {
  const tableName = blockListTableName(config);
  const owner = blockListTableRegion(config);
  return region === owner
    ? BlockListReplication.primary({ tableName, replicaRegions: config.regions.filter((r) => r !== owner).map((r) => ({ region: r })) })
    : BlockListReplication.replica({ tableName, primaryRegion: owner });
}

/** The region whose stack creates a multi-region environment's block-list table: the second. */
export function blockListTableRegion(config: EnvironmentConfig): string {
  return config.regions[1];
}

/**
 * A user's app, as `cdk init app --language typescript` would start it, using the packed library
 * from its tarball: only aws-cdk-lib, constructs and TypeScript are installed next to it (no
 * esbuild, no tsx), it is compiled with `tsc` against the shipped `.d.ts`, and synthesized with
 * `node` alone. Its functions are the library's pre-bundled handlers and an inline backend, so no
 * bundling may happen.
 */
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  AbuseBlocker,
  ApiDashboard,
  ApiFirewall,
  CognitoUserDirectory,
  ComplianceChecks,
  JwtAuthorizer,
  LambdaRouteIntegration,
  RouteAuthorization,
  SecureRestApi,
  UsageQuota,
  UsageTiers,
} from 'secure-api-gateway';

export class ConsumerStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const api = new SecureRestApi(this, 'OrdersApi', {
      description: 'Orders API of a consumer app',
      throttle: { rateLimit: 50, burstLimit: 100 },
      alarms: { emailAddresses: ['oncall@example.com'] },
    });
    const backend = new lambda.Function(this, 'Backend', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
    });
    const integration = new LambdaRouteIntegration(backend);

    const users = new CognitoUserDirectory(this, 'Users', {
      resourceServerIdentifier: 'orders',
      scopes: [{ name: 'read', description: 'Read orders' }],
    });
    const jwt = new JwtAuthorizer(this, 'PartnerTokens', {
      api,
      issuers: [{ issuer: 'https://login.partner.example.com/', audience: ['https://orders.example.com'], scopes: ['orders:write'] }],
    });

    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('uptime checks; returns no data'), integration });
    api.addRoute('GET /orders', { authorization: users.authorize({ scopes: ['orders/read'] }), integration });
    api.addRoute('POST /orders', { authorization: jwt.authorize({ scopes: ['orders:write'] }), integration, requestBodySchema: {} });
    const byKey = api.addRoute('GET /orders/{orderId}', { authorization: RouteAuthorization.apiKey(), integration });

    new UsageTiers(this, 'Tiers', {
      api,
      tiers: [{ name: 'partner', throttle: { rateLimit: 10, burstLimit: 20 }, quota: UsageQuota.perDay(1000) }],
    });

    const firewall = new ApiFirewall(this, 'Firewall', { api });
    const blocker = new AbuseBlocker(this, 'Blocker', { firewall, blockPeriod: Duration.minutes(30) });
    const dashboard = new ApiDashboard(this, 'Dashboard', { api });
    firewall.addDashboardRow(dashboard);
    blocker.addDashboardRow(dashboard);

    // cdk-nag finds nothing of the library's; what is left are this app's own choices, acknowledged here.
    ComplianceChecks.acknowledge(byKey, 'Partners read single orders with a metered key; the order ids are unguessable', 'AwsSolutions-APIG4', 'AwsSolutions-COG4');
    ComplianceChecks.acknowledge(users, 'Threat protection (the paid Plus plan) is decided per environment later', 'AwsSolutions-COG8');
    ComplianceChecks.acknowledge(backend, 'An inline stub backend of the consumer check; a real one would be a SecureNodejsFunction', ...CONSUMER_BACKEND_FINDINGS);
  }
}

/** What cdk-nag finds on the consumer's plain `lambda.Function` stub: the consumer's choices, not the library's. */
const CONSUMER_BACKEND_FINDINGS = [
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  'AwsSolutions-L1',
  'NIST.800.53.R5-LambdaConcurrency', 'NIST.800.53.R5-LambdaDLQ', 'NIST.800.53.R5-LambdaInsideVPC',
  'PCI.DSS.321-LambdaInsideVPC',
  'HIPAA.Security-LambdaConcurrency', 'HIPAA.Security-LambdaDLQ', 'HIPAA.Security-LambdaInsideVPC',
  'Serverless-LambdaDLQ', 'Serverless-LambdaDefaultMemorySize', 'Serverless-LambdaDefaultTimeout', 'Serverless-LambdaLatestVersion', 'Serverless-LambdaTracing',
];

const app = new App();
// The five packs of cdk-nag, in one call: synth fails on any finding nobody acknowledged.
ComplianceChecks.addTo(app);
new ConsumerStack(app, 'ConsumerStack', {
  env: { account: '123456789012', region: 'eu-west-1' },
  analyticsReporting: false,
});
app.synth();

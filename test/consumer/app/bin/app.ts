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
    api.addRoute('GET /orders/{orderId}', { authorization: RouteAuthorization.apiKey(), integration });

    new UsageTiers(this, 'Tiers', {
      api,
      tiers: [{ name: 'partner', throttle: { rateLimit: 10, burstLimit: 20 }, quota: UsageQuota.perDay(1000) }],
    });

    const firewall = new ApiFirewall(this, 'Firewall', { api });
    const blocker = new AbuseBlocker(this, 'Blocker', { firewall, blockPeriod: Duration.minutes(30) });
    const dashboard = new ApiDashboard(this, 'Dashboard', { api });
    firewall.addDashboardRow(dashboard);
    blocker.addDashboardRow(dashboard);
  }
}

const app = new App();
new ConsumerStack(app, 'ConsumerStack', {
  env: { account: '123456789012', region: 'eu-west-1' },
  analyticsReporting: false,
});
app.synth();

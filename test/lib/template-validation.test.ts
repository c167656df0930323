/**
 * aws-cdk-lib's built-in CloudFormation rule engine on a representative configuration of every
 * construct, with every option that changes the template's shape. Most construct tests skip the
 * validator (`skipTemplateValidatorInThisFile`) to keep the suite fast; here, as for the example
 * app and the README samples, a finding fails the test. The last test shows that the validator
 * runs: a template it must refuse is refused.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { CfnResource } from 'aws-cdk-lib';
import {
  AbuseBlocker,
  ApiDashboard,
  ApiDomain,
  ApiFirewall,
  BlockListReplication,
  CognitoUserDirectory,
  JwtAuthorizer,
  LambdaRouteIntegration,
  MultiRegionApiRecords,
  RegionalRouting,
  RouteAuthorization,
  SecureRestApi,
  Truststore,
  UsageQuota,
  UsageTiers,
} from '../../lib';
import { opensslCertificate, pemFile } from '../helpers/certificates';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING, inlineFunction } from '../helpers/stack';
import { withTemplateValidator } from '../helpers/template-validator';

const ACCOUNT = '123456789012';
const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' };
const certificateArn = (region: string) => `arn:aws:acm:${region}:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;

function newApp(): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
}

/** A regional stack with every part: an API with each kind of route, CORS and a deprecation, its domain, firewall, blocker and dashboard. */
function regionalStack(app: App, region: string, replication: BlockListReplication, mutualTls: boolean): Stack {
  const stack = new Stack(app, `Regional-${region}`, { env: { account: ACCOUNT, region } });
  const api = new SecureRestApi(stack, 'Api', {
    tlsSecurityPolicy: mutualTls ? apigw.SecurityPolicy.TLS_1_2 : undefined,
    cors: { allowOrigins: ['https://app.example.com', 'https://admin.example.com'], exposeHeaders: ['X-Request-Id'], allowCredentials: true },
    deprecation: { deprecatedOn: '2026-06-01', sunsetOn: '2099-12-31', link: 'https://example.com/docs/migrate' },
  });
  const integration = new LambdaRouteIntegration(inlineFunction(stack));
  const users = new CognitoUserDirectory(stack, 'Users', { resourceServerIdentifier: 'pets', scopes: [{ name: 'read', description: 'Read' }, { name: 'write', description: 'Write' }] });
  const client = users.addMachineClient('Sync', { scopes: ['pets/read'] });
  const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers: [JwtAuthorizer.cognitoIssuer(users, { clients: [client], groups: ['admins'] })] });
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health checks'), integration });
  api.addRoute('GET /pets', { authorization: RouteAuthorization.apiKey(), integration });
  api.addRoute('POST /pets', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: { type: apigw.JsonSchemaType.OBJECT } });
  api.addRoute('PUT /pets/{petId}', { authorization: users.authorize({ scopes: ['pets/write'] }), integration, requestBodySchema: { type: apigw.JsonSchemaType.OBJECT } });
  api.addRoute('DELETE /pets/{petId}', { authorization: jwt.authorize({ groups: ['admins'] }), integration });
  new UsageTiers(stack, 'Tiers', { api, tiers: [{ name: 'partner', throttle: { rateLimit: 10, burstLimit: 20 }, quota: UsageQuota.perDay(1000) }], apiKeys: { Partner: { tier: 'partner' } } });

  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', ZONE);
  new ApiDomain(stack, 'Domain', {
    domainName: `${region}.api.example.com`,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn(region)),
    hostedZone,
    ipAddressType: apigw.IpAddressType.DUAL_STACK,
    versions: [{ basePath: 'v1/pets', api }],
    mutualTls: mutualTls ? { truststore: Truststore.fromPemFile(pemFile(opensslCertificate(['rsa:2048']))) } : undefined,
  });
  const firewall = new ApiFirewall(stack, 'Firewall', {
    api,
    routeRateLimits: [{ routeKey: 'DELETE /pets/{petId}', limit: 100, evaluationWindow: Duration.minutes(5) }],
  });
  const blocker = new AbuseBlocker(stack, 'Blocker', { firewall, replication });
  const dashboard = new ApiDashboard(stack, 'Dashboard', { api });
  firewall.addDashboardRow(dashboard);
  blocker.addDashboardRow(dashboard);
  return stack;
}

test('every construct, in a representative configuration of each option that shapes its template, passes the rule engine', () => {
  const app = newApp();
  const tableName = 'pets-blocks';
  regionalStack(app, 'eu-west-1', BlockListReplication.replica({ tableName, primaryRegion: 'eu-central-1' }), true);
  regionalStack(app, 'eu-central-1', BlockListReplication.primary({ tableName, replicaRegions: [{ region: 'eu-west-1' }] }), false);
  const dns = new Stack(app, 'Dns', { env: { account: ACCOUNT, region: 'us-east-1' } });
  new MultiRegionApiRecords(dns, 'Records', {
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(dns, 'Zone', ZONE),
    recordName: 'api.example.com',
    routing: RegionalRouting.LATENCY,
    regions: ['eu-west-1', 'eu-central-1'].map((region) => ({ region, regionalDomainName: `${region}.api.example.com`, healthCheckPath: '/v1/pets/health' })),
    ipv6: true,
    measureLatency: true,
    alarmEmailAddresses: ['oncall@example.com'],
  });
  const assembly = withTemplateValidator(() => app.synth());
  expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(['Dns', 'Regional-eu-central-1', 'Regional-eu-west-1']);
});

test('the rule engine runs here: a template it must refuse fails the synth', () => {
  const app = newApp();
  const stack = new Stack(app, 'Broken', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic', properties: { NotAProperty: true } });
  expect(() => withTemplateValidator(() => app.synth())).toThrow(/NotAProperty|not allowed|additional propert/i);
});

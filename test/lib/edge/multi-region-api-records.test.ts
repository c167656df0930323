import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  LambdaRouteIntegration,
  MultiRegionApiRecords,
  MultiRegionApiRecordsProps,
  RegionalApiEndpoint,
  RegionalRouting,
  RouteAuthorization,
  SecureRestApi,
} from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { CDK_JSON_CONTEXT, inlineFunction, logicalId, SKIP_BUNDLING } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const AT = ' (at Routing/Records)';
const ZONE_ID = 'Z0123456789ABCDEFGHIJ';
const EU = { region: 'eu-west-1', regionalDomainName: 'eu-west-1.api.example.com', healthCheckPath: '/v1/health' };
const US = { region: 'us-east-2', regionalDomainName: 'us-east-2.api.example.com', healthCheckPath: '/v1/health' };
const AP = { region: 'ap-southeast-2', regionalDomainName: 'ap-southeast-2.api.example.com', healthCheckPath: '/v1/health' };

function newApp(): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
}

/** The routing stack in `region` (us-east-1 unless told), with the records under test. */
function build(props: Partial<MultiRegionApiRecordsProps> = {}, region: string | null = 'us-east-1', app = newApp()) {
  const stack = new Stack(app, 'Routing', { env: region === null ? undefined : { account: '123456789012', region } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: ZONE_ID, zoneName: 'example.com' });
  const records = new MultiRegionApiRecords(stack, 'Records', { hostedZone, recordName: 'api.example.com', routing: RegionalRouting.FAILOVER, regions: [EU, US], ...props });
  return { stack, records, template: Template.fromStack(stack) };
}

/** A regional API in its own stack, with a public GET /health, an IAM route, an API-key route and a public POST. */
function regionalApi(app: App, region = 'eu-west-1'): SecureRestApi {
  const stack = new Stack(app, `Api-${region}`, { env: { account: '123456789012', region } });
  const api = new SecureRestApi(stack, 'Api');
  const integration = new LambdaRouteIntegration(inlineFunction(stack));
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration });
  api.addRoute('GET /internal/health', { authorization: RouteAuthorization.iam(), integration });
  api.addRoute('GET /keyed/health', { authorization: RouteAuthorization.apiKey(), integration });
  api.addRoute('POST /health', { authorization: RouteAuthorization.publicAccess('health check'), integration });
  return api;
}

const buildError = (props: Partial<MultiRegionApiRecordsProps>, region: string | null = 'us-east-1', app?: App) => errorOf(ValidationError, () => build(props, region, app));

/** `regions` with the first endpoint changed. */
const withFirst = (change: Partial<RegionalApiEndpoint>, second: RegionalApiEndpoint = US): RegionalApiEndpoint[] => [{ ...EU, ...change }, second];

describe('MultiRegionApiRecords, failover', () => {
  const { stack, records, template } = build();
  const [euCheck, usCheck] = records.healthChecks;
  const checkId = (check: route53.HealthCheck) => ({ Ref: logicalId(stack, check) });

  test('an HTTPS health check per region: port 443, the health path, SNI, every 30 s, unhealthy after 3 failures', () => {
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    for (const endpoint of [EU, US]) {
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({
          Type: 'HTTPS',
          FullyQualifiedDomainName: endpoint.regionalDomainName,
          Port: 443,
          ResourcePath: '/v1/health',
          EnableSNI: true,
          RequestInterval: 30,
          FailureThreshold: 3,
          MeasureLatency: false,
        }),
        HealthCheckTags: [{ Key: 'Name', Value: `api.example.com ${endpoint.region}` }],
      });
    }
  });

  test('an alias A record per region to the regional domain in the same zone: PRIMARY first, SECONDARY second, each with its health check', () => {
    template.resourceCountIs('AWS::Route53::RecordSet', 2);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      HostedZoneId: ZONE_ID,
      Name: 'api.example.com.',
      Type: 'A',
      SetIdentifier: 'eu-west-1',
      Failover: 'PRIMARY',
      HealthCheckId: checkId(euCheck),
      AliasTarget: { DNSName: 'eu-west-1.api.example.com', HostedZoneId: ZONE_ID, EvaluateTargetHealth: false },
      Region: Match.absent(),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Type: 'A',
      SetIdentifier: 'us-east-2',
      Failover: 'SECONDARY',
      HealthCheckId: checkId(usCheck),
      AliasTarget: { DNSName: 'us-east-2.api.example.com', HostedZoneId: ZONE_ID, EvaluateTargetHealth: false },
    });
    expect(records.aRecords).toHaveLength(2);
    expect(records.aaaaRecords).toEqual([]);
  });

  test('an alarm per region on its HealthCheckStatus: minimum under 1 for 2 of 2 minutes, missing data breaching, to the topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    const topic = { Ref: logicalId(stack, records.alarmTopic) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Dimensions: [{ Name: 'HealthCheckId', Value: checkId(euCheck) }],
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      AlarmActions: [topic],
      OKActions: [topic],
      AlarmDescription: Match.stringLikeRegexp("^The API in eu-west-1 fails Route 53's health checks \\(https://eu-west-1.api.example.com/v1/health\\). api.example.com has failed over: it answers from the secondary region us-east-2. What to do: "),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^The API in us-east-2 fails .* The secondary region is down: if the primary eu-west-1 fails too'),
    });
    expect(records.alarms).toHaveLength(2);
  });

  test('the alarm topic is encrypted with a key created here, which CloudWatch alarms may use, and only this account\'s alarms may publish', () => {
    const key = records.alarmTopicKey!.key;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsOfThisAccount', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsOfThisAccount', Action: 'sns:Publish', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:*' } } })]) },
    });
  });

  test('metricHealthCheckStatus names a region\'s check; an unknown region is refused', () => {
    expect(stack.resolve(records.metricHealthCheckStatus('us-east-2').dimensions)).toEqual({ HealthCheckId: checkId(usCheck) });
    expect(errorOf(ValidationError, () => records.metricHealthCheckStatus('eu-north-1')).message).toBe(`\`apiRegion\` must be one of this construct's regions (eu-west-1, us-east-2), got 'eu-north-1'${AT}`);
  });
});

describe('MultiRegionApiRecords with each region\'s domain of the shared name', () => {
  test('aliases the domain\'s own regional endpoint, read across regions; the health check still calls the regional name', () => {
    const app = newApp();
    const regional = new Stack(app, 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
    const domain = new apigw.DomainName(regional, 'Shared', {
      domainName: 'api.example.com',
      certificate: acm.Certificate.fromCertificateArn(regional, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'),
    });
    domain.addBasePathMapping(new apigw.RestApi(regional, 'Api', { deploy: true }).root.addMethod('GET', new apigw.MockIntegration()).api, { basePath: 'v1' });
    const { template } = build({ regions: [{ ...EU, domain }, US] }, 'us-east-1', app);
    const output = (attribute: string) => ({ 'Fn::GetStackOutput': { StackName: 'Regional', Region: 'eu-west-1', OutputName: Match.stringLikeRegexp(`^PublishOutputFnGetAttShared[0-9A-F]+${attribute}`) } });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'eu-west-1',
      AliasTarget: { DNSName: output('RegionalDomainName'), HostedZoneId: output('RegionalHostedZoneId'), EvaluateTargetHealth: false },
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'us-east-2', AliasTarget: { DNSName: 'us-east-2.api.example.com', HostedZoneId: ZONE_ID } });
    template.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: 'eu-west-1.api.example.com' }) });
  });
});

describe('MultiRegionApiRecords, latency', () => {
  const { template } = build({ routing: RegionalRouting.LATENCY, regions: [EU, US, AP], ipv6: true, measureLatency: true });

  test('A and AAAA records per region, each with its region and no failover', () => {
    template.resourceCountIs('AWS::Route53::RecordSet', 6);
    for (const type of ['A', 'AAAA']) {
      for (const endpoint of [EU, US, AP]) {
        template.hasResourceProperties('AWS::Route53::RecordSet', {
          Name: 'api.example.com.',
          Type: type,
          SetIdentifier: endpoint.region,
          Region: endpoint.region,
          Failover: Match.absent(),
          AliasTarget: { DNSName: endpoint.regionalDomainName, HostedZoneId: ZONE_ID, EvaluateTargetHealth: false },
        });
      }
    }
    template.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ MeasureLatency: true }) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp("^The API in ap-southeast-2 .* api.example.com sends this region's clients to the other healthy regions.") });
  });
});

describe('alarm options', () => {
  test('an existing topic is used as it is, with email subscriptions', () => {
    const app = newApp();
    const topicStack = new Stack(app, 'Topics', { env: { account: '123456789012', region: 'us-east-1' } });
    const topic = new sns.Topic(topicStack, 'Oncall');
    const { records, template } = build({ alarmTopic: topic, alarmEmailAddresses: ['oncall@example.com'] }, 'us-east-1', app);
    expect(records.alarmTopic).toBe(topic);
    expect(records.alarmTopicKey).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    // The topic's stack holds its subscriptions.
    Template.fromStack(topicStack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [Match.anyValue()] });
  });

  test('a bad email address', () => {
    expect(buildError({ alarmEmailAddresses: ['oncall'] }).message).toBe(`\`alarmEmailAddresses[0]\` must be an email address such as 'oncall@example.com', got 'oncall'${AT}`);
  });
});

describe('the health route, checked against the regional API', () => {
  test('a public GET route of the API, reached by the health path, passes', () => {
    const app = newApp();
    const api = regionalApi(app);
    expect(() => build({ regions: withFirst({ api, healthRoute: 'GET /health' }) }, 'us-east-1', app)).not.toThrow();
  });

  test('a route the API does not have', () => {
    const app = newApp();
    const api = regionalApi(app);
    expect(buildError({ regions: withFirst({ api, healthRoute: 'GET /healthz' }) }, 'us-east-1', app).message).toBe(
      `\`regions[0].healthRoute\` must be a route of \`regions[0].api\` (Api-eu-west-1/Api), got 'GET /healthz': its routes are GET /health, GET /internal/health, GET /keyed/health, POST /health; add the health route before this construct, or name one of them${AT}`);
  });

  test('an IAM route: Route 53 cannot sign requests', () => {
    const app = newApp();
    const api = regionalApi(app);
    expect(buildError({ regions: withFirst({ api, healthRoute: 'GET /internal/health', healthCheckPath: '/v1/internal/health' }) }, 'us-east-1', app).message).toBe(
      `\`regions[0].healthRoute\` 'GET /internal/health' is authorized with IAM, got 'IAM': Route 53 health checkers cannot sign requests (SigV4), so every check would fail; make the health route public with RouteAuthorization.publicAccess()${AT}`);
  });

  test('a route that needs an API key', () => {
    const app = newApp();
    const api = regionalApi(app);
    expect(buildError({ regions: withFirst({ api, healthRoute: 'GET /keyed/health', healthCheckPath: '/v1/keyed/health' }) }, 'us-east-1', app).message).toBe(
      `\`regions[0].healthRoute\` 'GET /keyed/health' must not require an API key: Route 53 health checkers send a bare GET, without credentials (no x-api-key header), so every check would fail; leave the API key off the health route${AT}`);
  });

  test('a route that is not GET', () => {
    const app = newApp();
    const api = regionalApi(app);
    expect(buildError({ regions: withFirst({ api, healthRoute: 'post /health' }) }, 'us-east-1', app).message).toBe(
      `\`regions[0].healthRoute\` must be a GET route, got 'POST /health': Route 53 health checkers send GET requests${AT}`);
  });

  test('a health path that does not reach the route', () => {
    const app = newApp();
    const api = regionalApi(app);
    expect(buildError({ regions: withFirst({ api, healthRoute: 'GET /health', healthCheckPath: '/v1/status' }) }, 'us-east-1', app).message).toBe(
      `\`regions[0].healthCheckPath\` must reach \`regions[0].healthRoute\` 'GET /health' (the custom domain's base path, then '/health'), got '/v1/status': end it with '/health'${AT}`);
  });

  test('a health route without the API', () => {
    expect(buildError({ regions: withFirst({ healthRoute: 'GET /health' }) }).message).toBe(
      `\`regions[0].healthRoute\` needs \`regions[0].api\` to be checked against, got none: pass the region's API, or leave out healthRoute${AT}`);
  });

  test('the API of another region', () => {
    const app = newApp();
    const api = regionalApi(app, 'eu-central-1');
    expect(buildError({ regions: withFirst({ api }) }, 'us-east-1', app).message).toBe(
      `\`regions[0].api\` is in a stack in 'eu-central-1', but \`regions[0].region\` is 'eu-west-1': pass the API of that region${AT}`);
  });
});

describe('validation', () => {
  test('a stack in another region than us-east-1', () => {
    expect(buildError({}, 'eu-west-1').message).toBe(
      `MultiRegionApiRecords must be in a stack in us-east-1, got a stack in 'eu-west-1': Route 53 publishes health-check metrics only in us-east-1, so the health alarms must be there; put it in a small us-east-1 stack of its own${AT}`);
  });

  test('a region-agnostic stack is warned', () => {
    const { stack } = build({}, null);
    Annotations.fromStack(stack).hasWarning('/Routing/Records', Match.stringLikeRegexp('Route 53 publishes health-check metrics only in us-east-1: deploy this region-agnostic stack there'));
  });

  test('a region listed twice', () => {
    expect(buildError({ regions: [EU, { ...US, region: 'eu-west-1' }] }).message).toBe(`\`regions[1].region\` repeats \`regions[0].region\` ('eu-west-1'): list each region once${AT}`);
  });

  test('a region that is not an AWS region', () => {
    expect(buildError({ regions: withFirst({ region: 'eu-west' }) }).message).toBe(
      `\`regions[0].region\` must be an AWS region such as 'eu-west-1', got 'eu-west': use a region name (not an availability zone or a display name) from aws-cdk-lib's RegionInfo.regions${AT}`);
  });

  test('failover with one region, or with three', () => {
    expect(buildError({ regions: [EU] }).message).toBe(
      `\`regions\` must list two regions with RegionalRouting.FAILOVER, the primary first and the secondary second, got 1: add the secondary region${AT}`);
    expect(buildError({ regions: [EU, US, AP] }).message).toBe(
      `\`regions\` must list two regions with RegionalRouting.FAILOVER (a primary and a secondary), got 3: use RegionalRouting.LATENCY to serve from more than two regions${AT}`);
  });

  test('no regions', () => {
    expect(buildError({ routing: RegionalRouting.LATENCY, regions: [] }).message).toBe(`\`regions\` must list the API's regions, got []${AT}`);
  });

  test('a health check path that does not start with /', () => {
    expect(buildError({ regions: withFirst({ healthCheckPath: 'v1/health' }) }).message).toBe(
      `\`regions[0].healthCheckPath\` must be a path that starts with '/', without spaces, at most 255 characters, such as '/v1/health', got 'v1/health'${AT}`);
  });

  test('bad names', () => {
    expect(buildError({ recordName: 'api..example.com' }).message).toBe(
      `\`recordName\` must be a domain name such as 'api.example.com' (labels of letters, digits and hyphens, no trailing dot, at most 253 characters), got 'api..example.com'${AT}`);
    expect(buildError({ recordName: 'api.example.org' }).message).toBe(
      `\`recordName\` must be in the hosted zone 'example.com', got 'api.example.org': the records are created in that zone, and an alias must target a record of the same zone${AT}`);
    expect(buildError({ regions: withFirst({ regionalDomainName: 'eu_west_1.api.example.com' }) }).message).toMatch(/^`regions\[0\].regionalDomainName` must be a domain name such as 'api.example.com'/);
    expect(buildError({ regions: withFirst({ regionalDomainName: 'eu-west-1.api.example.net' }) }).message).toMatch(/^`regions\[0\].regionalDomainName` must be in the hosted zone 'example.com', got 'eu-west-1.api.example.net'/);
    expect(buildError({ regions: withFirst({ regionalDomainName: 'API.example.com' }) }).message).toBe(
      `\`regions[0].regionalDomainName\` must be the region's own custom domain, not \`recordName\` ('api.example.com'): an alias of a name to itself never resolves; use a name such as 'eu-west-1.api.example.com'${AT}`);
  });

  test('no hosted zone', () => {
    expect(buildError({ hostedZone: undefined }).message).toBe(
      `\`hostedZone\` must be a hosted zone, got undefined: pass HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId, zoneName })${AT}`);
  });

  test('a routing that is not one of RegionalRouting', () => {
    expect(buildError({ routing: 'WEIGHTED' as RegionalRouting }).message).toBe(`\`routing\` must be RegionalRouting.FAILOVER or RegionalRouting.LATENCY, got 'WEIGHTED'${AT}`);
  });
});

/**
 * A failover drill for a user with an AWS account and an API deployed in two regions, each with its
 * own custom domain in one public hosted zone (the regional stacks, not deployed here): it deploys
 * the routing stack (in us-east-1, where Route 53's health-check metrics are), then
 * 1. checks that `https://<recordName><healthCheckPath>` answers from the primary region (the
 *    example backend's health route names the region it runs in);
 * 2. inverts the primary's health check (`UpdateHealthCheck Inverted=true`): Route 53 now counts
 *    the healthy primary as unhealthy, as if it were down;
 * 3. waits until the primary's health alarm is in ALARM;
 * 4. waits until the health route answers from the secondary region: traffic has moved;
 * 5. puts the check back (`Inverted=false`) and waits until the primary answers again.
 *
 *   npx @aws-cdk/integ-runner --app "npx tsx {filePath}" --directory test/integ \
 *     --parallel-regions us-east-1 --context hostedZoneId=Z... --context zoneName=example.com \
 *     --context recordName=api.example.com --context primaryDomain=eu-west-1.api.example.com \
 *     --context secondaryDomain=us-east-2.api.example.com \
 *     --context primaryRegion=eu-west-1 --context secondaryRegion=us-east-2
 *
 * If a step fails, the later ones do not run: set the primary's check back by hand
 * (`aws route53 update-health-check --health-check-id <id> --no-inverted`), or destroy the stack.
 * `test/integ/failover-drill.test.ts` synthesizes this file in the normal test run.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { MultiRegionApiRecords, RegionalRouting } from '../../lib';

/** The deployed routing stack and the drill that exercises it. */
export interface FailoverDrill {
  readonly stack: Stack;
  readonly records: MultiRegionApiRecords;
  readonly integ: IntegTest;
}

/** A context value, or the stand-in that lets the drill synthesize without an account. */
function context(app: App, key: string, standIn: string): string {
  return app.node.tryGetContext(key) ?? standIn;
}

/** Builds the routing stack under test and the drill's steps in `app`. */
export function buildFailoverDrill(app: App): FailoverDrill {
  const env = { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT };
  const stack = new Stack(app, 'FailoverDrill', { env });
  const hostedZoneId = context(app, 'hostedZoneId', 'Z0000000000000000000');
  const recordName = context(app, 'recordName', 'api.example.com');
  const primaryDomain = context(app, 'primaryDomain', 'eu-west-1.api.example.com');
  const secondaryDomain = context(app, 'secondaryDomain', 'us-east-2.api.example.com');
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId, zoneName: context(app, 'zoneName', 'example.com') });
  const records = new MultiRegionApiRecords(stack, 'Records', {
    hostedZone,
    recordName,
    routing: RegionalRouting.FAILOVER,
    regions: [
      { region: context(app, 'primaryRegion', 'eu-west-1'), regionalDomainName: primaryDomain, healthCheckPath: context(app, 'healthCheckPath', '/v1/health') },
      { region: context(app, 'secondaryRegion', 'us-east-2'), regionalDomainName: secondaryDomain, healthCheckPath: context(app, 'healthCheckPath', '/v1/health') },
    ],
  });

  // The assertions read the health check's id and its alarm: their stack must be in the same region.
  const integ = new IntegTest(app, 'FailoverDrillTest', { testCases: [stack], assertionStack: new Stack(app, 'FailoverDrillAssertions', { env }) });
  const primaryCheck = records.healthChecks[0].healthCheckId;
  const secondaryRegion = context(app, 'secondaryRegion', 'us-east-2');
  const healthUrl = `https://${recordName}${context(app, 'healthCheckPath', '/v1/health')}`;
  // Health checkers report every 30 s, the check fails after 3 of them, and resolvers keep an answer for its TTL.
  const wait = { totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) };

  const steps = [
    // Clients reach the primary before the drill.
    integ.assertions.httpApiCall(healthUrl)
      .expect(ExpectedResult.objectLike({ status: 200, body: Match.objectLike({ region: context(app, 'primaryRegion', 'eu-west-1') }) }))
      .waitForAssertions(wait),
    // Fail the primary's health check without touching the region.
    integ.assertions.awsApiCall('Route53', 'updateHealthCheck', { HealthCheckId: primaryCheck, Inverted: true }),
    // The primary's alarm (on the computed HealthCheckStatus, which inversion flips) fires.
    integ.assertions.awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [records.alarms[0].alarmName] })
      .expect(ExpectedResult.objectLike({ MetricAlarms: [Match.objectLike({ StateValue: 'ALARM' })] }))
      .waitForAssertions(wait),
    // Traffic moves: the health route answers from the secondary region (the example backend names its region).
    integ.assertions.httpApiCall(healthUrl)
      .expect(ExpectedResult.objectLike({ status: 200, body: Match.objectLike({ region: secondaryRegion }) }))
      .waitForAssertions(wait),
    // Restore, and watch traffic move back.
    integ.assertions.awsApiCall('Route53', 'updateHealthCheck', { HealthCheckId: primaryCheck, Inverted: false }),
    integ.assertions.httpApiCall(healthUrl)
      .expect(ExpectedResult.objectLike({ status: 200, body: Match.objectLike({ region: context(app, 'primaryRegion', 'eu-west-1') }) }))
      .waitForAssertions(wait),
  ];
  steps.reduce((previous, step) => previous.next(step));
  return { stack, records, integ };
}

if (require.main === module) {
  const app = new App();
  buildFailoverDrill(app);
  app.synth();
}

/**
 * An integration test for a user with an AWS account: it deploys an API with the library's defaults
 * and probes what the unit tests can only assume about API Gateway (trailing slashes, what a TOKEN
 * authorizer answers, what the access log holds and whether the metric-filter syntax matches it),
 * and about the abuse blocker: that real access-log lines reach it and end as it reads them, so the
 * probes' own refused requests put the prober's address on the automatic block list (the firewall
 * counts, so the later probes still get through).
 *
 *   npx @aws-cdk/integ-runner --language typescript --app "npx tsx {filePath}" --directory test/integ \
 *     --parallel-regions eu-west-1 --force integ.secure-api.ts
 *
 * (integ-runner 2.197.10, the devDependency, cannot read what aws-cdk-lib 2.276.0 synthesizes, schema
 * 55 against its 53: until it can, deploy with `npx cdk deploy --app "npx tsx test/integ/integ.secure-api.ts" --all`,
 * see the README, "Probes of a real deployment".)
 *
 * A fresh account needs API Gateway's account-wide logging role: add `-c createAccountLoggingRole=true`
 * to the app command if no other stack sets it. `test/integ/secure-api.test.ts` synthesizes this file in
 * the normal test run, so it stays valid without an account.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { AbuseBlocker, ApiFirewall, FirewallMode, JwtAuthorizer, LambdaRouteIntegration, RouteAuthorization, SecureRestApi } from '../../lib';
import { ACCESS_LOG_METRICS } from '../../lib/private/access-log-metric-filters';

/** The deployed API and the test case that probes it. */
export interface SecureApiInteg {
  readonly stack: Stack;
  readonly api: SecureRestApi;
  readonly firewall: ApiFirewall;
  readonly integ: IntegTest;
}

/** Builds the stack under test and its assertions in `app`. */
export function buildSecureApiInteg(app: App): SecureApiInteg {
  const stack = new Stack(app, 'SecureApiInteg');
  const api = new SecureRestApi(stack, 'Api', {
    createAccountLoggingRole: app.node.tryGetContext('createAccountLoggingRole') === 'true',
    alarms: { enabled: false },
  });
  const backend = new lambda.Function(stack, 'Backend', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: "{\\"status\\":\\"ok\\"}" });'),
  });
  const integration = new LambdaRouteIntegration(backend);
  // An issuer that exists but never signs these tests' tokens: every token is refused.
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    api,
    issuers: [{ issuer: 'https://example.com/', audience: ['integ'], scopes: ['pets/read'] }],
  });
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('integration probe'), integration });
  api.addRoute('GET /pets/{petId}', { authorization: jwt.authorize({ scopes: ['pets/read'] }), integration });
  // Counting only: the address the blocker lists must not stop the later probes.
  const firewall = new ApiFirewall(stack, 'Firewall', { api, mode: FirewallMode.COUNT });
  // One offence is enough: each probe may come from another address of the assertion function.
  new AbuseBlocker(stack, 'Blocker', { firewall, threshold: 1, window: Duration.minutes(1), blockPeriod: Duration.minutes(30) });

  const integ = new IntegTest(app, 'SecureApiIntegTest', { testCases: [stack] });
  const url = api.url;
  const probe = (path: string, headers?: Record<string, string>) => integ.assertions.httpApiCall(`${url}${path}`, { headers });

  // Run in order, so the access log holds the refused requests when it is searched.
  const calls = [
    // A public route answers.
    probe('health').expect(ExpectedResult.objectLike({ status: 200 })),
    // A trailing slash reaches the same route (the JWT route policy assumes it).
    probe('health/').expect(ExpectedResult.objectLike({ status: 200 })),
    // No Authorization header: API Gateway refuses before the authorizer runs.
    probe('pets/1').expect(ExpectedResult.objectLike({ status: 401 })),
    // A malformed token: the authorizer refuses it with 401, never 500.
    probe('pets/1', { Authorization: 'Bearer abc.def.ghi' }).expect(ExpectedResult.objectLike({ status: 401 })),
    // An unknown path: 403 with the library's fixed gateway response.
    probe('no-such-route').expect(ExpectedResult.objectLike({ status: 403 })),
    // The failed-authentication filter pattern matches the refused requests in the real access log.
    integ.assertions.awsApiCall('CloudWatchLogs', 'filterLogEvents', {
      logGroupName: api.accessLogGroup.logGroupName,
      filterPattern: ACCESS_LOG_METRICS.failedAuthentications.filterPattern.logPatternString,
    }).assertAtPath('events.0.logStreamName', ExpectedResult.stringLikeRegexp('.+')).waitForAssertions({
      totalTimeout: Duration.minutes(5),
      interval: Duration.seconds(30),
    }),
    // The refused requests reached the abuse blocker, which read their lines' end and listed an address.
    integ.assertions.awsApiCall('WAFV2', 'getIPSet', {
      Name: firewall.automaticBlockListIpv4!.name,
      Id: firewall.automaticBlockListIpv4!.attrId,
      Scope: 'REGIONAL',
    }).assertAtPath('IPSet.Addresses.0', ExpectedResult.stringLikeRegexp('^[0-9.]+/32$')).waitForAssertions({
      totalTimeout: Duration.minutes(5),
      interval: Duration.seconds(30),
    }),
  ];
  calls.reduce((previous, call) => previous.next(call));
  return { stack, api, firewall, integ };
}

if (require.main === module) {
  const app = new App();
  buildSecureApiInteg(app);
  app.synth();
}

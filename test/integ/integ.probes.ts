/**
 * Probes of a real deployment, for a user with an AWS account: two stacks with APIs built by the
 * library, and assertions that check, against the live service, what the library assumes about API
 * Gateway, Cognito and AWS WAF. Where the true answer is not documented, the probe records what the
 * service did (in the assertion's result: the `AssertionResults...` outputs of the assertion stack)
 * and asserts only the property the library relies on.
 *
 * Stack `SecureApiProbes`: an API with a resource policy that refuses no address and a firewall in
 * BLOCK mode (no abuse blocker, so refused probes never block the prober), a Cognito user directory with two machine clients (one granted the
 * route's scope, one not), and a prober function that the assertions invoke: it gets tokens, signs
 * requests with its own role, fires bursts and reads the access log, and reports statuses and log
 * lines only (never tokens, secrets or key values).
 *
 * Stack `SecureApiBlockProbes`: a second API with a firewall in BLOCK mode and an abuse blocker, so
 * that the automatic block of the prober's address stops nothing but the last probe.
 *
 *   npx cdk deploy --app "npx tsx test/integ/integ.probes.ts" --all --require-approval never
 *   npx cdk destroy --app "npx tsx test/integ/integ.probes.ts" --all --force
 *
 * (with `-c createAccountLoggingRole=true` if no stack of the account and region sets API Gateway's
 * logging role). The README ("Probes of a real deployment") says what each probe checks and where
 * its results are.
 * `test/integ/probes.test.ts` synthesizes this file in the normal test run, and `snapshots.test.ts`
 * compares it with its snapshot.
 */
import * as path from 'node:path';
import { Annotations, App, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { ExpectedResult, IApiCall, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { IConstruct } from 'constructs';
import {
  AbuseBlocker,
  ApiFirewall,
  CognitoUserDirectory,
  FirewallMode,
  JwtAuthorizer,
  LambdaRouteIntegration,
  RouteAuthorization,
  RouteAuthorizationConfig,
  SecureRestApi,
  UsageQuota,
  UsageTiers,
} from '../../lib';
import { ACCESS_LOG_KEYS } from '../../lambda/shared/constants';

/** The resource server of the probes' user directory, and its two scopes. */
const RESOURCE_SERVER = 'probes';
const READ_SCOPE = `${RESOURCE_SERVER}/read`;
const WRITE_SCOPE = `${RESOURCE_SERVER}/write`;

/** IAM actions the prober needs besides the grants of the constructs. */
const COGNITO_DESCRIBE_CLIENT_ACTION = 'cognito-idp:DescribeUserPoolClient';
const LOGS_FILTER_ACTION = 'logs:FilterLogEvents';
const APIGATEWAY_GET_ACTION = 'apigateway:GET';

/** A word in the user agent of the requests whose access-log lines the escaping probe reads. */
export const ESCAPE_MARKER = 'secure-api-probe-escape';

/** Requests a burst fires at once: well above a burst limit of 1. */
const BURST_SIZE = 10;

/** Failed logins from one address that get it blocked (the blocker's `threshold`). */
const BLOCK_THRESHOLD = 3;

/** A method ARN as the JWT authorizer reads it (lambda/jwt-authorizer/route-policy.ts, METHOD_ARN_PREFIX), with a given method and path. */
function methodArnPattern(method: string, resourcePath: string): string {
  return `^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\\d{12}:[A-Za-z0-9]+/[A-Za-z0-9_-]+/${method}/${resourcePath}$`;
}

/**
 * A Lambda TOKEN authorizer that allows every request and hands the `methodArn` API Gateway gave it
 * to the backend (in the authorizer context), without caching, so each request shows its own.
 */
class MethodArnEchoAuthorization extends RouteAuthorization {
  public readonly description = 'TOKEN authorizer that echoes methodArn (integration probe)';
  private authorizer?: apigw.TokenAuthorizer;

  constructor(private readonly stack: Stack) {
    super();
  }

  public bind(_scope: IConstruct, _route: unknown): RouteAuthorizationConfig {
    this.authorizer ??= new apigw.TokenAuthorizer(this.stack, 'MethodArnEcho', {
      handler: new lambda.Function(this.stack, 'MethodArnEchoFunction', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline([
          'exports.handler = async (event) => ({',
          '  principalId: "probe",',
          '  policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] },',
          '  context: { methodArn: event.methodArn },',
          '});',
        ].join('\n')),
      }),
      resultsCacheTtl: Duration.seconds(0),
    });
    return { authorizationType: apigw.AuthorizationType.CUSTOM, authorizer: this.authorizer, apiKeyRequired: false };
  }
}

/** A backend that answers 200 with what API Gateway told it: method, resource, path and the authorizer's methodArn. */
function echoBackend(stack: Stack): LambdaRouteIntegration {
  return new LambdaRouteIntegration(new lambda.Function(stack, 'Backend', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline([
      'exports.handler = async (event) => ({',
      '  statusCode: 200,',
      '  headers: { "content-type": "application/json" },',
      '  body: JSON.stringify({ status: "ok", httpMethod: event.httpMethod, resource: event.resource, path: event.path,',
      '    methodArn: (event.requestContext.authorizer || {}).methodArn || null }),',
      '});',
    ].join('\n')),
  }));
}

/** The deployed stacks and the test case that probes them. */
export interface ProbesInteg {
  readonly stack: Stack;
  readonly blockStack: Stack;
  readonly api: SecureRestApi;
  readonly blockApi: SecureRestApi;
  readonly firewall: ApiFirewall;
  readonly blockFirewall: ApiFirewall;
  readonly users: CognitoUserDirectory;
  readonly prober: lambda.IFunction;
  readonly integ: IntegTest;
  /** The probes, in the order they run. */
  readonly probes: IApiCall[];
}

/** Builds the stacks under test and the probes in `app`. */
export function buildProbesInteg(app: App): ProbesInteg {
  const createAccountLoggingRole = app.node.tryGetContext('createAccountLoggingRole') === 'true';

  // ---- Stack 1: the API most probes call.
  const stack = new Stack(app, 'SecureApiProbes');
  const api = new SecureRestApi(stack, 'Api', { createAccountLoggingRole, alarms: { enabled: false }, removalPolicy: RemovalPolicy.DESTROY });
  const integration = echoBackend(stack);
  // Starts the API's resource policy (lib/private/resource-policy.ts: allowInvoke, denyOtherAccounts,
  // then this block list) without refusing any address, so that the probes run through it: the
  // signed probes through `aws:PrincipalAccount` in denyOtherAccounts, the unsigned ones through
  // allowInvoke's condition that the request has no principal account.
  api.allowOnlyFrom('0.0.0.0/0', '::/0');

  const users = new CognitoUserDirectory(stack, 'Users', {
    resourceServerIdentifier: RESOURCE_SERVER,
    scopes: [{ name: 'read', description: 'Read items (integration probe)' }, { name: 'write', description: 'Write items (integration probe)' }],
    // Cognito domain prefixes are global per region: the stack's own id makes this one unique.
    domainPrefix: Fn.join('-', [RESOURCE_SERVER, Fn.select(2, Fn.split('/', stack.stackId))]),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const withScope = users.addMachineClient('WithScope', { scopes: [READ_SCOPE] });
  const withoutScope = users.addMachineClient('WithoutScope', { scopes: [WRITE_SCOPE] });
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    api,
    issuers: [JwtAuthorizer.cognitoIssuer(users, { clients: [withScope, withoutScope] })],
    removalPolicy: RemovalPolicy.DESTROY,
  });

  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('integration probe'), integration });
  api.addRoute('GET /items/{itemId}', { authorization: jwt.authorize({ scopes: [READ_SCOPE] }), integration });
  api.addRoute('GET /cognito-items', { authorization: users.authorize({ scopes: [READ_SCOPE] }), integration });
  api.addRoute('GET /private', { authorization: RouteAuthorization.iam(), integration });
  api.addRoute('GET /throttled', { authorization: RouteAuthorization.publicAccess('integration probe of the route throttle'), integration, throttle: { rateLimit: 1, burstLimit: 1 } });
  const anyRoutes = [
    api.addRoute('ANY /jwt-any', { authorization: jwt.authorize({ scopes: [READ_SCOPE] }), integration }),
    api.addRoute('ANY /metered', { authorization: RouteAuthorization.apiKey(), integration }),
    api.addRoute('ANY /arn-echo', { authorization: new MethodArnEchoAuthorization(stack), integration }),
  ];
  for (const method of anyRoutes) {
    Annotations.of(method).acknowledgeWarning('secure-api:route-without-body-schema', 'the probes send no request body');
  }

  const tiers = new UsageTiers(stack, 'Tiers', {
    api,
    tiers: [{
      name: 'probe',
      throttle: { rateLimit: 50, burstLimit: 100 },
      quota: UsageQuota.unlimited('integration probe, bounded by its throttle'),
      // The probe: a usage-plan method throttle on an ANY route (the key aws-cdk-lib writes is `/metered/ANY`).
      methodThrottles: { 'ANY /metered': { rateLimit: 1, burstLimit: 1 } },
    }],
    apiKeys: { ProbeKey: { tier: 'probe', description: 'integration probe' } },
  });
  const firewall = new ApiFirewall(stack, 'Firewall', { api, mode: FirewallMode.BLOCK, removalPolicy: RemovalPolicy.DESTROY });

  const prober = new nodejs.NodejsFunction(stack, 'Prober', {
    entry: path.join(__dirname, 'prober', 'index.ts'),
    runtime: lambda.Runtime.NODEJS_24_X,
    timeout: Duration.seconds(90),
    logGroup: new logs.LogGroup(stack, 'ProberLogs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY }),
    description: 'Probes the API under test for the integration test (reports statuses and log lines only)',
    // Everything it imports is bundled (the signer too), so it does not depend on what the runtime
    // ships; minified, so the bundle (and its asset hash) holds no paths of the machine that built it.
    bundling: { externalModules: [], minify: true },
  });
  api.grantInvoke(prober, 'GET /private');
  users.userPool.grant(prober, COGNITO_DESCRIBE_CLIENT_ACTION);
  api.accessLogGroup.grant(prober, LOGS_FILTER_ACTION);
  const apiKey = tiers.apiKeys[0];
  prober.addToRolePolicy(new iam.PolicyStatement({
    actions: [APIGATEWAY_GET_ACTION],
    resources: [Stack.of(stack).formatArn({ service: 'apigateway', account: '', resource: '/apikeys', resourceName: apiKey.keyId })],
  }));

  // ---- Stack 2: an API whose abuse blocker may block the prober's address.
  const blockStack = new Stack(app, 'SecureApiBlockProbes');
  const blockApi = new SecureRestApi(blockStack, 'Api', { alarms: { enabled: false }, removalPolicy: RemovalPolicy.DESTROY });
  const blockIntegration = echoBackend(blockStack);
  // An issuer that exists but never signs these probes' tokens: every login fails with 401.
  const refusingJwt = new JwtAuthorizer(blockStack, 'Jwt', {
    api: blockApi,
    issuers: [{ issuer: 'https://example.com/', audience: ['integ'], jwksUri: 'https://example.com/.well-known/jwks.json' }],
    removalPolicy: RemovalPolicy.DESTROY,
  });
  blockApi.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('integration probe'), integration: blockIntegration });
  blockApi.addRoute('GET /account', { authorization: refusingJwt.authorize(), integration: blockIntegration });
  const blockFirewall = new ApiFirewall(blockStack, 'Firewall', { api: blockApi, mode: FirewallMode.BLOCK, removalPolicy: RemovalPolicy.DESTROY });
  new AbuseBlocker(blockStack, 'Blocker', {
    firewall: blockFirewall,
    threshold: BLOCK_THRESHOLD,
    window: Duration.minutes(5),
    blockPeriod: Duration.minutes(30),
    removalPolicy: RemovalPolicy.DESTROY,
  });

  // ---- The probes.
  const integ = new IntegTest(app, 'SecureApiProbesTest', { testCases: [stack, blockStack] });
  const url = api.url;
  const blockUrl = blockApi.url;
  const invoke = (payload: object) => integ.assertions.invokeFunction({ functionName: prober.functionName, payload: JSON.stringify(payload) });
  const payloadLike = (pattern: Record<string, unknown>) => ExpectedResult.objectLike({ Payload: Match.serializedJson(Match.objectLike(pattern)) });
  const slow = { totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) };
  // For what a fresh deployment may not serve at once: IAM grants, the Cognito domain's DNS name, the API key.
  const settling = { totalTimeout: Duration.minutes(5), interval: Duration.seconds(30) };
  // For the automatic block: the access log's delivery, its subscription, the blocker and the IP set's propagation.
  const blocking = { totalTimeout: Duration.minutes(15), interval: Duration.minutes(1) };

  const publicForms = { 'public health': 'health', 'public health/': 'health/', 'public health//': 'health//', 'public //health': '/health', 'public health%2F': 'health%2F', 'public %2Fhealth': '%2Fhealth' };
  const jwtForms = { 'jwt items/1': 'items/1', 'jwt items/1/': 'items/1/', 'jwt items//1': 'items//1', 'jwt items%2F1': 'items%2F1', 'jwt //items/1': '/items/1', 'jwt items/1%2F': 'items/1%2F', 'jwt items/1//': 'items/1//' };
  const iamForms = { 'iam private': 'private', 'iam private/': 'private/', 'iam private//': 'private//', 'iam //private': '/private', 'iam private%2F': 'private%2F' };
  /** Sent signed by the prober, whose role may call GET /private exactly: every form but the route itself (and its trailing slash) must not be 2xx. */
  const signedForms = { 'signed private': 'private', 'signed private/': 'private/', 'signed private//': 'private//', 'signed //private': '/private', 'signed private%2F': 'private%2F' };
  const signedOddForms = ['signed private//', 'signed //private', 'signed private%2F'];
  /** The forms of GET /items/{itemId} other than `items/1`, for the tokens probe. */
  const jwtOddForms = Object.fromEntries(Object.values(jwtForms).filter((form) => form !== 'items/1').map((form) => [`jwt GET /${form}`, { url: `${url}${form}` }]));
  const requests = (forms: Record<string, string>, extra: object = {}) => Object.entries(forms).map(([label, form]) => ({ label, url: `${url}${form}`, ...extra }));
  const utf8AsLatin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
  const escapeRequests = [
    { label: 'quote in user agent', url: `${url}health`, headers: { 'user-agent': `${ESCAPE_MARKER} say "hi"` } },
    { label: 'backslash in user agent', url: `${url}health`, headers: { 'user-agent': `${ESCAPE_MARKER} back\\slash \\" \\u0041` } },
    { label: 'unicode in user agent', url: `${url}health`, headers: { 'user-agent': utf8AsLatin1(`${ESCAPE_MARKER} café ✓ 日本`) } },
    { label: 'quote, backslash, newline, unicode in path', url: `${url}health%22%5C%0A%E2%9C%93`, headers: { 'user-agent': ESCAPE_MARKER } },
    { label: 'quote, backslash, newline, unicode in query', url: `${url}health?q=%22%5C%0A%E2%9C%93`, headers: { 'user-agent': ESCAPE_MARKER } },
    { label: 'quote and newline in a path parameter', url: `${url}items/%22%0A%22`, headers: { 'user-agent': ESCAPE_MARKER } },
  ];

  // Probe 4's call: /health, and BLOCK_THRESHOLD failed logins only while /health answers 200.
  const offendUnlessBlocked = { action: 'offend-unless-blocked', offence: { url: `${blockUrl}account`, headers: { Authorization: 'Bearer abc.def.ghi' } }, count: BLOCK_THRESHOLD, check: { url: `${blockUrl}health` } };

  const probes: IApiCall[] = [
    // 5, 10. What each path form reaches, unsigned and signed. Asserted: the canonical forms'
    // statuses, that no form of a JWT or IAM route is answered 2xx without a token or a signature,
    // and that no signed form but GET /private itself and its trailing slash is answered 2xx to the
    // prober, whose role may call GET /private exactly: the route model lets a trailing slash reach
    // its route and nothing else (lambda/shared/routes/route.ts, pathRegex and requestArn), so a
    // doubled or encoded slash that API Gateway served would be a form the model does not know.
    // The trailing slash's signed status is recorded: it is the granted route, whether IAM matches
    // its ARN (`GET/private/`) to the grant or not. A signed request from this account reaches the
    // IAM route through the resource policy (lib/private/resource-policy.ts, `aws:PrincipalAccount`
    // in denyOtherAccounts), and the unsigned public ones through allowInvoke. The other forms'
    // statuses are recorded.
    invoke({
      action: 'statuses',
      requests: [...requests(publicForms), ...requests(jwtForms), ...requests(iamForms), ...requests(signedForms, { signFor: 'execute-api' })],
      protectedLabels: [...Object.keys(jwtForms), ...Object.keys(iamForms), ...signedOddForms],
    }).expect(payloadLike({
      statuses: Match.objectLike({ 'public health': 200, 'public health/': 200, 'jwt items/1': 401, 'iam private': 403, 'signed private': 200 }),
      protectedReached: [],
    })).waitForAssertions(settling),

    // 1, 6. Real Cognito tokens (client credentials grant): 401 without a token, 200 with the
    // scope, 403 with a valid token lacking it (the JwtAuthorizer's promise, lib/auth/jwt-authorizer.ts),
    // on a GET route and on an ANY route called with GET and DELETE (the policy's `*` method pattern
    // for ANY, lambda/shared/routes/route.ts arnMethod, must allow every method). The Cognito
    // authorizer's status for a token without the scope is recorded; asserted: it is not 2xx.
    // The odd path forms of GET /items/{itemId} (trailing, doubled and encoded slashes) are sent
    // with each token too: asserted, none is 2xx without a token or with the token lacking the
    // scope (no form escapes the route's policy); their statuses with the scope are recorded.
    invoke({
      action: 'tokens',
      tokenUrl: `${users.domain!.baseUrl()}/oauth2/token`,
      userPoolId: users.userPool.userPoolId,
      clients: { withScope: { clientId: withScope.userPoolClientId, scope: READ_SCOPE }, withoutScope: { clientId: withoutScope.userPoolClientId, scope: WRITE_SCOPE } },
      routes: {
        'jwt GET /items/1': { url: `${url}items/1` },
        'jwt GET /jwt-any': { url: `${url}jwt-any` },
        'jwt DELETE /jwt-any': { url: `${url}jwt-any`, method: 'DELETE' },
        'cognito GET /cognito-items': { url: `${url}cognito-items` },
        ...jwtOddForms,
      },
    }).expect(payloadLike({
      'statuses': Match.objectLike({
        'jwt GET /items/1': { none: 401, withScope: 200, withoutScope: 403 },
        'jwt GET /jwt-any': { none: 401, withScope: 200, withoutScope: 403 },
        'jwt DELETE /jwt-any': { none: 401, withScope: 200, withoutScope: 403 },
        'cognito GET /cognito-items': Match.objectLike({ none: 401, withScope: 200 }),
      }),
      'reachedBy': Match.objectLike({ none: [], withoutScope: [] }),
    })).waitForAssertions(settling),

    // 6. The methodArn API Gateway gives a Lambda authorizer on an ANY route: the request's own
    // method, not ANY or `*`. The JWT authorizer takes the API's prefix from it
    // (lambda/jwt-authorizer/route-policy.ts, METHOD_ARN_PREFIX: a method of [A-Z*]+), and the
    // route model treats a request's ARN as `<method>/<path>` (lambda/shared/routes/route.ts, requestArn).
    integ.assertions.httpApiCall(`${url}arn-echo`, { headers: { Authorization: 'probe' } })
      .expect(ExpectedResult.objectLike({ status: 200, body: Match.objectLike({ methodArn: Match.stringLikeRegexp(methodArnPattern('GET', 'arn-echo')) }) })),
    integ.assertions.httpApiCall(`${url}arn-echo`, { method: 'DELETE', headers: { Authorization: 'probe' } })
      .expect(ExpectedResult.objectLike({ status: 200, body: Match.objectLike({ methodArn: Match.stringLikeRegexp(methodArnPattern('DELETE', 'arn-echo')) }) })),

    // 2. A route throttle (method settings, lib/secure-rest-api.ts) of rate 1 burst 1: a burst of
    // requests gets 429s. The counts of each status are recorded.
    invoke({ action: 'burst', request: { url: `${url}throttled` }, count: BURST_SIZE })
      .expect(payloadLike({ distinct: Match.arrayWith([429]) })),

    // 7. A usage-plan method throttle on an ANY route (lib/traffic/usage-tiers.ts: aws-cdk-lib keys
    // it `/metered/ANY`) applies: a burst with the tier's API key gets 429s, though the tier's own
    // throttle (50/100) and the stage's are far above the burst.
    invoke({ action: 'burst', request: { url: `${url}metered` }, count: BURST_SIZE, apiKeyId: apiKey.keyId })
      .expect(payloadLike({ distinct: Match.arrayWith([429]) }))
      .waitForAssertions(settling),

    // 9. Requests whose user agent, path and query hold quotes, backslashes, encoded newlines and
    // non-ASCII text, marked in their user agent (statuses recorded, not asserted: the next probe
    // reads their log lines).
    invoke({ action: 'statuses', requests: escapeRequests }),

    // 8, 9. Their access-log lines: each parses as JSON (the JSON metric filters need it:
    // lib/private/access-log-metric-filters.ts), each line's end is readable by the abuse blocker
    // (lambda/abuse-blocker/log-events.ts, parseOffences, which reads the end because
    // lib/private/access-log-format.ts expects API Gateway not to escape everything), and
    // `$context.tlsVersion` (lib/private/access-log-format.ts) holds a TLS version. The lines are
    // recorded in `samples`, to read how API Gateway escaped each field.
    invoke({ action: 'read-access-log', logGroupName: api.accessLogGroup.logGroupName, marker: ESCAPE_MARKER, expected: escapeRequests.length, tlsKey: ACCESS_LOG_KEYS.tlsVersion })
      .expect(payloadLike({ complete: true, unparsable: [], malformed: 0, tlsVersions: Match.arrayWith([Match.stringLikeRegexp('^TLSv1\\.[23]$')]) }))
      .waitForAssertions(slow),

    // 3. The firewall in BLOCK mode (lib/firewall/api-firewall.ts, the SQL injection managed rule
    // group) answers 403 to an SQL injection in the query of a public route that otherwise answers 200.
    integ.assertions.httpApiCall(`${url}health?id=1%27%20OR%20%271%27%3D%271`)
      .expect(ExpectedResult.objectLike({ status: 403 })),

    // 4. Last, on the second API: after BLOCK_THRESHOLD failed logins from one address, the abuse
    // blocker lists it and the firewall answers 403 on a public route (lib/firewall/abuse-blocker.ts).
    // First the failed logins, once: /health answers 200 and each login 401 (what the blocker counts).
    invoke(offendUnlessBlocked).expect(payloadLike({ before: 200, offences: Array(BLOCK_THRESHOLD).fill(401) })),
    // Then the same call until /health answers 403: the listing is asynchronous (access log, its
    // subscription's delivery, about a minute, the blocker's Lambda, then the IP set's propagation
    // to WAF), so it is retried every minute for up to 15 minutes. While /health still answers 200
    // the call fails the logins again, so an address that changed between calls gets listed too;
    // once blocked, no login is sent (WAF would answer it 403, not 401).
    invoke(offendUnlessBlocked).expect(payloadLike({ before: 403, offences: [] })).waitForAssertions(blocking),
    integ.assertions.awsApiCall('WAFV2', 'getIPSet', {
      Name: blockFirewall.automaticBlockListIpv4!.name,
      Id: blockFirewall.automaticBlockListIpv4!.attrId,
      Scope: 'REGIONAL',
    }).assertAtPath('IPSet.Addresses.0', ExpectedResult.stringLikeRegexp('^[0-9.]+/32$')),
  ];
  probes.reduce((previous, probe) => previous.next(probe));
  return { stack, blockStack, api, blockApi, firewall, blockFirewall, users, prober, integ, probes };
}

if (require.main === module) {
  const app = new App();
  buildProbesInteg(app);
  app.synth();
}

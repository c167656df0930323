/**
 * The probes of a real deployment (integ.probes.ts) need an AWS account to run; here they are
 * synthesized, so that they stay valid as the library changes: the stacks under test hold what each
 * probe needs, the probes run in order with the expected answers, and the prober's bundle runs.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { assetDirOf } from '../helpers/bundles';
import { assertionCallsInOrder } from '../helpers/integ-assertions';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING, logicalId } from '../helpers/stack';
import { ESCAPE_MARKER, ProbesInteg, buildProbesInteg } from './integ.probes';

/** A probe as the assertion stack runs it. */
interface Step {
  /** `invoke <action>` for the prober, `GET <path>` or `DELETE <path>` for an HTTP call, or `<Service>.<api>`. */
  readonly call: string;
  /** What the probe asserts, with integ-tests' matchers spelled out (`objectLike` dropped, `{ arrayWith }`, `{ regexp }`). */
  readonly expects: unknown;
  /** Whether it retries until the assertion holds. */
  readonly waits: boolean;
  /** The prober's payload, with CloudFormation values as `<token>`. */
  readonly payload?: any;
  /** The stacks whose outputs the request's URLs (the payload, or the HTTP call's URL) read. */
  readonly targets: string[];
}

/** The stacks whose outputs a value reads (`Fn::GetStackOutput`, or `Fn::ImportValue` of `<stack>:...`). */
function stacksReadBy(value: unknown): string[] {
  const text = JSON.stringify(value);
  const names = [...text.matchAll(/"StackName":"([A-Za-z0-9-]+)"/g), ...text.matchAll(/"Fn::ImportValue":"([A-Za-z0-9-]+):/g)].map((match) => match[1]);
  return [...new Set(names)].sort();
}

/** Joins an `Fn::Join` of strings and tokens, tokens as `<token>`. */
function joined(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) {
    return '<token>';
  }
  return join[1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
}

/** integ-tests' encoded matchers as plain values: objectLike and serializedJson dropped, arrayWith and stringLikeRegexp named. */
function decodeMatchers(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(decodeMatchers);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const record = value as Record<string, unknown>;
  if ('$ObjectLike' in record) return decodeMatchers(record.$ObjectLike);
  if ('$SerializedJson' in record) return decodeMatchers(record.$SerializedJson);
  if ('$ArrayWith' in record) return { arrayWith: decodeMatchers(record.$ArrayWith) };
  if ('$StringLike' in record) return { regexp: record.$StringLike };
  return Object.fromEntries(Object.entries(record).map(([key, member]) => [key, decodeMatchers(member)]));
}

/** The probes of the assertion stack, following the chain from the one that waits for none. */
function steps(assembly: CloudAssembly, testedStacks: readonly Stack[]): Step[] {
  const assertStack = assembly.stacks.find((artifact) => !testedStacks.some((stack) => stack.stackName === artifact.stackName))!;
  const { resources, ordered } = assertionCallsInOrder(assertStack);

  return ordered.map((id) => {
    const { Type, Properties = {} } = resources[id];
    const expects = Properties.expected === undefined ? undefined : decodeMatchers(JSON.parse(Properties.expected));
    const waits = 'stateMachineArn' in Properties;
    if (Type === 'Custom::DeployAssert@SdkCallLambdainvoke') {
      const payload = JSON.parse(JSON.parse(joined(Properties.parameters.Payload)));
      return { call: `invoke ${payload.action}`, expects, waits, payload, targets: stacksReadBy(Properties.parameters.Payload) };
    }
    if (Type.startsWith('Custom::DeployAssert@HttpCall')) {
      const { url, fetchOptions } = Properties.parameters;
      const target = joined(url).replace(/^https:\/\/<token>\.execute-api\.<token>\.<token>\/<token>\//, '/');
      return { call: `${fetchOptions?.method ?? 'GET'} ${target}`, expects, waits, targets: stacksReadBy(url) };
    }
    return { call: Type.replace('Custom::DeployAssert@SdkCall', '').replace(/^WAFV2/, 'WAFV2.'), expects, waits, targets: stacksReadBy(Properties.parameters) };
  });
}

function build(context: Record<string, unknown> = SKIP_BUNDLING): { probes: ProbesInteg; assembly: CloudAssembly } {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context } });
  const probes = buildProbesInteg(app);
  return { probes, assembly: app.synth() };
}

/** One synth for the tests that only read it. */
const { probes, assembly } = build();

describe('the stacks under test', () => {
  const template = Template.fromStack(probes.stack);
  const blockTemplate = Template.fromStack(probes.blockStack);

  test('the probed API has a route for each probe, with the authorization each probe needs', () => {
    expect(probes.api.accessMatrix.map((entry) => `${entry.routeKey} | ${entry.authorization}${entry.apiKeyRequired ? ' | API key' : ''}`)).toEqual([
      'GET /health | public: integration probe',
      'GET /items/{itemId} | JWT Jwt (scopes: probes/read)',
      'GET /cognito-items | Cognito (probes/read)',
      'GET /private | IAM',
      'GET /throttled | public: integration probe of the route throttle',
      'ANY /jwt-any | JWT Jwt (scopes: probes/read)',
      'ANY /metered | API key | API key',
      'ANY /arn-echo | TOKEN authorizer that echoes methodArn (integration probe)',
    ]);
    // The JWT authorizer, the Cognito authorizer and the methodArn echo, which never caches.
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 3);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN', AuthorizerResultTtlInSeconds: 0 });
  });

  test('real tokens: a user pool domain, and two client-credentials clients, one with the read scope and one with the write scope only', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 2);
    for (const scope of ['probes/read', 'probes/write']) {
      const [, name] = scope.split('/');
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('^UsersResourceServer') }, `/${name}`]] }],
        GenerateSecret: true,
      });
    }
  });

  test('throttles: the route throttle of GET /throttled and the usage plan\'s method throttle on ANY /metered are rate 1, burst 1', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ResourcePath: '/~1throttled', HttpMethod: 'GET', ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1 })]),
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [Match.objectLike({ Throttle: { '/metered/ANY': { RateLimit: 1, BurstLimit: 1 } } })],
      Throttle: { RateLimit: 50, BurstLimit: 100 },
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
  });

  test('both firewalls block (managed rule groups not overridden to count); only the second API has an abuse blocker', () => {
    for (const t of [template, blockTemplate]) {
      t.hasResourceProperties('AWS::WAFv2::WebACL', {
        Rules: Match.arrayWith([Match.objectLike({
          OverrideAction: { None: {} },
          Statement: { ManagedRuleGroupStatement: Match.objectLike({ Name: 'AWSManagedRulesSQLiRuleSet' }) },
        })]),
      });
    }
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
    blockTemplate.resourceCountIs('AWS::Logs::SubscriptionFilter', 1);
  });

  test('the probed API has a resource policy, so the probes go through allowInvoke and denyOtherAccounts, and it refuses no address', () => {
    const invoke = { Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' };
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: [
          { ...invoke, Sid: 'AllowUnsignedInvokeSubjectToMethodAuthorization', Effect: 'Allow', Condition: { Null: { 'aws:PrincipalAccount': 'true' } } },
          {
            ...invoke,
            Sid: 'DenyPrincipalsOfOtherAccounts',
            Effect: 'Deny',
            Condition: { StringNotEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } }, Null: { 'aws:PrincipalAccount': 'false' } },
          },
          { ...invoke, Sid: 'DenyUnlessFromAllowedSourceCidrs', Effect: 'Deny', Condition: { NotIpAddress: { 'aws:SourceIp': ['0.0.0.0/0', '::/0'] } } },
        ],
        Version: '2012-10-17',
      },
    });
    blockTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', { Policy: Match.absent() });
  });

  test('the prober may call the IAM route, describe the user pool clients, read the access log and read the API key', () => {
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(probes.stack, probes.prober.role!) }] } }));
    for (const action of ['execute-api:Invoke', 'cognito-idp:DescribeUserPoolClient', 'logs:FilterLogEvents', 'apigateway:GET']) {
      expect(policy).toContain(`"${action}"`);
    }
    expect(policy).toContain('/GET/private');
  });
});

test('the probes run in order, each with the answers it expects', () => {
  const run = steps(assembly, [probes.stack, probes.blockStack]);
  expect(run.map((step) => [step.call, step.waits])).toEqual([
    ['invoke statuses', true], // 5, 10: path forms, unsigned and signed (retried while the IAM grant settles)
    ['invoke tokens', true], // 1, 6: real Cognito tokens on GET and ANY routes (retried while the domain settles)
    ['GET /arn-echo', false], // 6: methodArn of an ANY route
    ['DELETE /arn-echo', false],
    ['invoke burst', false], // 2: route throttle
    ['invoke burst', true], // 7: usage-plan throttle on an ANY route (retried while the API key settles)
    ['invoke statuses', false], // 9: the marked requests
    ['invoke read-access-log', true], // 8, 9: their log lines
    ['GET /health?id=1%27%20OR%20%271%27%3D%271', false], // 3: SQL injection
    ['invoke offend-unless-blocked', false], // 4: the failed logins, on the second API
    ['invoke offend-unless-blocked', true], // 4: until the abuse blocker has listed the address
    ['WAFV2.getIPSet', false],
  ]);
  const [paths, tokens, arnGet, arnDelete, throttled, metered, marked, accessLog, sqli, offend, block, ipSet] = run;

  expect(paths.expects).toEqual({
    Payload: {
      statuses: { 'public health': 200, 'public health/': 200, 'jwt items/1': 401, 'iam private': 403, 'signed private': 200 },
      protectedReached: [],
    },
  });
  // Every form of the JWT and IAM routes is sent unsigned and counted as protected; the IAM forms
  // are also sent signed by the prober, whose role may call GET /private exactly: the signed forms
  // other than that route and its trailing slash are counted as protected too.
  const labels = paths.payload.requests.map((request: { label: string }) => request.label);
  const signedOdd = ['signed private//', 'signed //private', 'signed private%2F'];
  expect(paths.payload.protectedLabels).toEqual([...labels.filter((label: string) => /^(jwt|iam) /.test(label)), ...signedOdd]);
  expect(paths.payload.protectedLabels).toHaveLength(15);
  expect(labels.filter((label: string) => label.startsWith('public '))).toHaveLength(6);
  expect(paths.payload.requests.filter((request: { signFor?: string }) => request.signFor === 'execute-api').map((request: { label: string }) => request.label))
    .toEqual(['signed private', 'signed private/', ...signedOdd]);
  for (const form of ['/health//', '//health', '/health%2F', '/items//1', '/items%2F1', '//items/1', '/private%2F']) {
    expect(paths.payload.requests.map((request: { url: string }) => request.url.replace(/^.*<token>/, ''))).toContain(form);
  }

  expect(tokens.expects).toEqual({
    Payload: {
      'statuses': {
        'jwt GET /items/1': { none: 401, withScope: 200, withoutScope: 403 },
        'jwt GET /jwt-any': { none: 401, withScope: 200, withoutScope: 403 },
        'jwt DELETE /jwt-any': { none: 401, withScope: 200, withoutScope: 403 },
        'cognito GET /cognito-items': { none: 401, withScope: 200 },
      },
      'reachedBy': { none: [], withoutScope: [] },
    },
  });
  // The odd forms of GET /items/{itemId} are sent with each token too: `reachedBy.withoutScope: []`
  // asserts that none of them lets the token lacking the scope through.
  expect(Object.keys(tokens.payload.routes)).toEqual([
    'jwt GET /items/1', 'jwt GET /jwt-any', 'jwt DELETE /jwt-any', 'cognito GET /cognito-items',
    'jwt GET /items/1/', 'jwt GET /items//1', 'jwt GET /items%2F1', 'jwt GET //items/1', 'jwt GET /items/1%2F', 'jwt GET /items/1//',
  ]);
  expect(tokens.payload.clients).toEqual({
    withScope: { clientId: '<token>', scope: 'probes/read' },
    withoutScope: { clientId: '<token>', scope: 'probes/write' },
  });
  expect(tokens.payload.tokenUrl).toMatch(/\/oauth2\/token$/);

  for (const [step, method] of [[arnGet, 'GET'], [arnDelete, 'DELETE']] as const) {
    expect(step.expects).toEqual({ status: 200, body: { methodArn: { regexp: expect.stringContaining(`/${method}/arn-echo$`) } } });
  }

  for (const [step, route] of [[throttled, '/throttled'], [metered, '/metered']] as const) {
    expect(step.expects).toEqual({ Payload: { distinct: { arrayWith: [429] } } });
    expect(step.payload.request.url).toMatch(new RegExp(`${route}$`));
    expect(step.payload.count).toBe(10);
  }
  expect(throttled.payload.apiKeyId).toBeUndefined();
  expect(metered.payload.apiKeyId).toBe('<token>');

  // The marked requests only send (their statuses are recorded); the next probe asserts on their lines.
  expect(marked.expects).toBeUndefined();
  expect(marked.payload.requests).toHaveLength(6);
  for (const request of marked.payload.requests) {
    expect(request.headers['user-agent']).toContain(ESCAPE_MARKER);
  }
  expect(accessLog.expects).toEqual({
    Payload: { complete: true, unparsable: [], malformed: 0, tlsVersions: { arrayWith: [{ regexp: '^TLSv1\\.[23]$' }] } },
  });
  expect(accessLog.payload).toMatchObject({ marker: ESCAPE_MARKER, expected: 6, tlsKey: 'tlsVersion' });

  expect(sqli.expects).toEqual({ status: 403 });

  // The failed logins once, answered 401 while /health answers 200; then the same call until /health
  // answers 403, with no login sent by then (the prober sends them only while /health answers 200).
  expect(offend.expects).toEqual({ Payload: { before: 200, offences: [401, 401, 401] } });
  expect(block.expects).toEqual({ Payload: { before: 403, offences: [] } });
  for (const step of [offend, block]) {
    expect(step.payload.offence.url).toMatch(/\/account$/);
    expect(step.payload.check.url).toMatch(/\/health$/);
    expect(step.payload.count).toBe(3);
  }
  expect(ipSet.expects).toEqual({ regexp: '^[0-9.]+/32$' });
});

test('the probes call the first API, but for the automatic block, which calls (and reads the block list of) the second', () => {
  const run = steps(assembly, [probes.stack, probes.blockStack]);
  expect(run.map((step) => step.targets)).toEqual([
    ...Array(9).fill(['SecureApiProbes']),
    ...Array(3).fill(['SecureApiBlockProbes']),
  ]);
});

describe('the prober bundle', () => {
  let server: http.Server;
  let base: string;
  const seen: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(request.url === '/v1/private' ? 200 : 403).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('is bundled with esbuild, with the signer inside, signs the requests it is asked to, and logs its report', async () => {
    const bundled = build({ 'aws:cdk:bundling-stacks': ['SecureApiProbes'] }).probes;
    const bundle = path.join(assetDirOf(bundled.prober as lambda.Function), 'index.js');
    expect(fs.readFileSync(bundle, 'utf8')).not.toMatch(/require\("@smithy\//);

    const env = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session-token' };
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const { handler } = require(bundle);
      const result = await handler({
        action: 'statuses',
        requests: [
          { label: 'signed', url: `${base}/v1/private`, signFor: 'execute-api' },
          { label: 'unsigned', url: `${base}/v1/private/` },
        ],
        protectedLabels: ['unsigned'],
      });
      expect(result).toEqual({ statuses: { signed: 200, unsigned: 403 }, protectedReached: [] });
      // The report is logged too, for those who read the run in the function's log group.
      expect(log.mock.calls).toEqual([[JSON.stringify({ action: 'statuses', report: result })]]);
    } finally {
      log.mockRestore();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key]; else process.env[key] = value;
      }
    }
    const signed = seen.find((headers) => headers.authorization !== undefined)!;
    expect(signed.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
    expect(signed['x-amz-security-token']).toBe('session-token');
    expect(seen.filter((headers) => headers.authorization === undefined)).toHaveLength(1);
  });
});

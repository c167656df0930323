/**
 * Synthesizes a stack with an AbuseBlocker, as `cdk synth` does, and runs the bundle from the
 * function's asset with the settings file the construct wrote next to it and the environment it set,
 * against aws-sdk-client-mock fakes of DynamoDB and AWS WAF: what is tested is what Lambda would run.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetIPSetCommand, UpdateIPSetCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { mockClient } from 'aws-sdk-client-mock';
import { SETTINGS_FILE } from '../../../lambda/shared/constants';
import { LambdaRouteIntegration, RouteAuthorization, SecureRestApi } from '../../../lib';
import { AbuseBlocker } from '../../../lib/firewall/abuse-blocker';
import { ApiFirewall } from '../../../lib/firewall/api-firewall';
import { assetDirOf, bundlingApp, environmentOf } from '../../helpers/bundles';
import { inlineFunction } from '../../helpers/stack';
import { FakeBlockerState, installBlockerFakes } from '../../support/blocker-aws-fakes';

const IPV4_SET_ID = 'a1b2c3d4-0000-4000-8000-000000000004';
const IPV6_SET_ID = 'a1b2c3d4-0000-4000-8000-000000000006';
const ALLOW_SET_ID = 'a1b2c3d4-0000-4000-8000-0000000000aa';
const TABLE = 'blocker-state';
const NOW = Date.UTC(2026, 10, 27, 12, 2, 30);

/**
 * Synthesizes the stack and returns the folder of the blocker's asset, and its environment as
 * CloudFormation would deploy it: each reference replaced by its deployed value.
 */
function synthesize(): { dir: string; environment: Record<string, string>; outdir: string } {
  const app = bundlingApp({}, { insideProject: true });
  const stack = new Stack(app, 'BlockerStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const api = new SecureRestApi(stack, 'Api');
  api.addRoute('POST /login', {
    authorization: RouteAuthorization.publicAccess('sign-in'),
    integration: new LambdaRouteIntegration(inlineFunction(stack)),
    requestBodySchema: { type: apigw.JsonSchemaType.OBJECT },
  });
  const firewall = new ApiFirewall(stack, 'Firewall', { api, allowedIpv4Cidrs: ['192.0.2.0/24'] });
  const blocker = new AbuseBlocker(stack, 'Blocker', { firewall, threshold: 5 });
  app.synth();
  const references: Record<string, string> = {
    [stack.getLogicalId(blocker.table.node.defaultChild as any)]: TABLE,
    [stack.getLogicalId(firewall.automaticBlockListIpv4!)]: IPV4_SET_ID,
    [stack.getLogicalId(firewall.automaticBlockListIpv6!)]: IPV6_SET_ID,
    [stack.getLogicalId(firewall.allowListIpv4!)]: ALLOW_SET_ID,
  };
  const environment = Object.fromEntries(Object.entries(environmentOf(blocker.function))
    .map(([name, value]: [string, any]) => [name, typeof value === 'string' ? value : references[value.Ref ?? value['Fn::GetAtt'][0]]]));
  return { dir: assetDirOf(blocker.function), environment, outdir: app.outdir };
}

/** A subscription delivery of access-log lines (objects, or raw text as API Gateway may write it), as CloudWatch Logs sends it. */
function delivery(lines: Array<Record<string, unknown> | string>): { awslogs: { data: string } } {
  const message = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/apigateway/access',
    logStream: 'stream',
    subscriptionFilters: ['filter'],
    logEvents: lines.map((line, i) => ({ id: String(i), timestamp: Date.now() - 1000, message: typeof line === 'string' ? line : JSON.stringify(line) })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(message)).toString('base64') } };
}

/** An access-log line in the order the log format writes it: the WAF verdict, address and status last. */
const line = (sourceIp: string, status: number, extra: Record<string, unknown> = {}) => ({ requestId: 'r', ...extra, wafResponseCode: '-', sourceIp, status });

describe('the abuse blocker bundle', () => {
  const { dir, environment, outdir } = synthesize();
  const waf = mockClient(WAFV2Client);
  const db = mockClient(DynamoDBClient);
  let handler: (event: unknown) => Promise<void>;
  let output: string[];
  let blocks: FakeBlockerState['blocks'];
  let sets: FakeBlockerState['sets'];

  beforeAll(() => {
    jest.useFakeTimers({ now: NOW, doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'] });
    Object.assign(process.env, environment);
    process.env.AWS_REGION = 'eu-west-1';
    handler = require(path.join(dir, 'index.js')).handler;
  });

  afterAll(() => {
    jest.useRealTimers();
    rmSync(outdir, { recursive: true, force: true });
  });

  beforeEach(() => {
    // Past the allow list's one-minute cache, so each test reads it afresh.
    jest.setSystemTime(Date.now() + 2 * 60_000);
    ({ blocks, sets } = installBlockerFakes(waf, db, { sets: { [IPV4_SET_ID]: [], [IPV6_SET_ID]: [], [ALLOW_SET_ID]: ['192.0.2.0/24'] } }));
    output = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
      output.push(String(chunk));
      return true;
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** The metrics of the last invocation, from its CloudWatch embedded-metric-format line. */
  function metrics(): Record<string, unknown> {
    const emf = output.flatMap((chunk) => chunk.split('\n')).filter((text) => text.includes('"_aws"')).map((text) => JSON.parse(text));
    expect(emf).toHaveLength(1);
    return emf[0];
  }

  test('is one minified file with a source map and the settings file, small, leaving the AWS SDK to the runtime', () => {
    expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map', SETTINGS_FILE]);
    expect(statSync(path.join(dir, 'index.js')).size).toBeLessThan(150 * 1024);
    expect(environment.POWERTOOLS_SERVICE_NAME).toBe('abuse-blocker');
  });

  test('its settings file refers to the table and the IP sets by environment variable: their ids are known only at deploy time', () => {
    const settings = JSON.parse(readFileSync(path.join(dir, SETTINGS_FILE), 'utf8'));
    expect([settings.tableName, settings.ipv4Set.id, settings.ipv6Set.id, settings.allowListSets[0].id].map((ref) => environment[ref.$env]))
      .toEqual([TABLE, IPV4_SET_ID, IPV6_SET_ID, ALLOW_SET_ID]);
  });

  test('blocks an address that reaches the threshold, with one UpdateIPSet under the lock token, and publishes metrics', async () => {
    await handler(delivery([
      ...Array.from({ length: 6 }, () => line('203.0.113.9', 401)),
      // An IPv6 client rotating through its /64 is counted, and blocked, as the network.
      ...Array.from({ length: 6 }, (_, i) => line(`2001:DB8:0:0::${i + 1}`, 403)),
      line('198.51.100.1', 401),
      line('198.51.100.2', 200),
      // Forged headers in the line change nothing: only sourceIp counts.
      ...Array.from({ length: 6 }, () => line('198.51.100.3', 401, { xForwardedFor: '203.0.113.77' })).slice(0, 4),
    ]));
    expect(sets[IPV4_SET_ID].addresses).toEqual(['203.0.113.9/32']);
    expect(sets[IPV6_SET_ID].addresses).toEqual(['2001:db8::/64']);
    const updates = waf.commandCalls(UpdateIPSetCommand).map((call) => call.args[0].input);
    expect(updates).toHaveLength(2);
    expect(updates[0]).toMatchObject({ Id: IPV4_SET_ID, Scope: 'REGIONAL', LockToken: '1', Description: 'kept' });
    expect(blocks.get('203.0.113.9/32')).toMatchObject({ blockedUntil: Math.ceil(Date.now() / 1000) + 3600, strikes: 1, offences: 6 });

    const emf = metrics();
    expect(emf).toMatchObject({ AddressesBlocked: 2, OffencesCounted: 17, MalformedEvents: 0, BlockerErrors: 0, IpSetUpdateRetries: 0, service: 'abuse-blocker' });
    expect((emf._aws as any).CloudWatchMetrics[0].Namespace).toMatch(/^SecureApi\//);
  });

  test('counts a client whose lines are not valid JSON (an unescaped quote in its user agent), from the end of the line', async () => {
    const broken = '{"requestId":"r","userAgent":"curl/8 "evil\\","path":"/login","wafResponseCode":"-","sourceIp":"203.0.113.66","status":401}';
    expect(() => JSON.parse(broken)).toThrow();
    await handler(delivery(Array.from({ length: 6 }, () => broken)));
    expect(sets[IPV4_SET_ID].addresses).toEqual(['203.0.113.66/32']);
    expect(metrics()).toMatchObject({ AddressesBlocked: 1, MalformedEvents: 0 });
  });

  test('reads a delivery past 8 MiB decoded (9 KB user agents), and an oversized line does not cost the batch its other lines', async () => {
    const userAgent = 'Mozilla/5.0 '.padEnd(9 * 1024, 'x');
    const lines = [
      ...Array.from({ length: 900 }, (_, i) => line(`198.51.100.${i % 225}`, 401, { userAgent })),
      ...Array.from({ length: 6 }, () => line('203.0.113.70', 401, { userAgent })),
      line('203.0.113.71', 401, { userAgent: 'x'.repeat(2 * 1024 * 1024) }),
    ];
    await handler(delivery(lines));
    expect(sets[IPV4_SET_ID].addresses).toEqual(['203.0.113.70/32']);
    expect(metrics()).toMatchObject({ OffencesCounted: 906, MalformedEvents: 1, AddressesBlocked: 1 });
  });

  test('blocks an IPv6 /48 whose offences are spread over its /64s, none of them at the threshold (the construct\'s default: 20 × threshold 5)', async () => {
    // 30 /64s, each in its own /56, 4 failures each: 120 for the /48.
    const lines = Array.from({ length: 30 }, (_, i) => Array.from({ length: 4 }, () => line(`2001:db8:48:${(i << 8).toString(16)}::1`, 401))).flat();
    await handler(delivery(lines));
    expect(sets[IPV6_SET_ID].addresses).toEqual(['2001:db8:48::/48']);
    expect(blocks.get('2001:db8:48::/48')).toMatchObject({ strikes: 1, offences: 120 });
    expect(metrics()).toMatchObject({ AddressesBlocked: 1 });
  });

  test('an address smuggled into an earlier field is not the one counted', async () => {
    const smuggled = '{"requestId":"r","userAgent":"x","wafResponseCode":"-","sourceIp":"198.51.100.200","status":401,"path":"/","wafResponseCode":"-","sourceIp":"203.0.113.67","status":200}';
    await handler(delivery(Array.from({ length: 6 }, () => smuggled)));
    expect(sets[IPV4_SET_ID].addresses).toEqual([]);
    expect(metrics()).toMatchObject({ OffencesCounted: 0, AddressesBlocked: 0 });
  });

  test('never blocks an address of the firewall\'s allow list, read from AWS WAF', async () => {
    await handler(delivery(Array.from({ length: 10 }, () => line('192.0.2.10', 401))));
    expect(sets[IPV4_SET_ID].addresses).toEqual([]);
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(0);
    expect(waf.commandCalls(GetIPSetCommand).map((call) => call.args[0].input.Id)).toContain(ALLOW_SET_ID);
    expect(metrics()).toMatchObject({ ExemptOffenders: 1, AddressesBlocked: 0 });
  });

  test('the scheduled sweep removes expired blocks and keeps live ones', async () => {
    const nowSeconds = Math.ceil(Date.now() / 1000);
    const block = (blockedUntil: number) => ({ blockedUntil, expiresAt: blockedUntil + 86_400, strikes: 1, offences: 5, firstBlockedAt: nowSeconds - 3000 });
    blocks.set('203.0.113.1/32', block(nowSeconds - 10));
    blocks.set('203.0.113.2/32', block(nowSeconds + 600));
    sets[IPV4_SET_ID].addresses = ['203.0.113.1/32', '203.0.113.2/32'];
    await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    expect(sets[IPV4_SET_ID].addresses).toEqual(['203.0.113.2/32']);
    expect(metrics()).toMatchObject({ AddressesUnblocked: 1, BlockListFillPercent: 0.01 });
  });

  test.each([
    ['an empty event', {}],
    ['null', null],
    ['log data that is not base64 gzip', { awslogs: { data: 'not gzip' } }],
    ['a gzip of something else', { awslogs: { data: gzipSync('[1,2,3]').toString('base64') } }],
  ])('%s is counted as malformed and never throws', async (_name, event) => {
    await expect(handler(event)).resolves.toBeUndefined();
    expect(metrics()).toMatchObject({ MalformedEvents: 1 });
    expect(waf.calls()).toHaveLength(0);
  });

  test('a failing table is an error metric, not a crash, and blocks nobody', async () => {
    db.on(UpdateItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(handler(delivery(Array.from({ length: 10 }, () => line('203.0.113.9', 401))))).resolves.toBeUndefined();
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(0);
    expect(metrics()).toMatchObject({ BlockerErrors: 1, AddressesBlocked: 0 });
  });
});

/**
 * The abuse blocker in a block list shared across regions (a DynamoDB global table): with the real
 * state store and IP-set writer, and `aws-sdk-client-mock` in place of DynamoDB and AWS WAF. The
 * table's query results stand for the replica in region B, which holds what region A wrote.
 */
import { AttributeValue, DynamoDBClient, QueryCommand, QueryCommandInput, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetIPSetCommand, GetIPSetCommandInput, UpdateIPSetCommand, WAFOptimisticLockException, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { AllowList } from '../../../lambda/abuse-blocker/allow-list';
import { BlockerDeps, processLogBatch, sweepBlockLists } from '../../../lambda/abuse-blocker/blocker';
import { IpSets } from '../../../lambda/abuse-blocker/ip-sets';
import { parseSettings } from '../../../lambda/abuse-blocker/settings';
import { StateStore } from '../../../lambda/abuse-blocker/state-store';
import { ABUSE_BLOCKER_METRICS as METRICS, AbuseBlockerSettings } from '../../../lambda/shared/constants';
import { accessLog, blockerSettings, IPV4_SET, IPV6_SET, logEvent, RecordingLog, RecordingMetrics } from './fakes';

const REGION_B = 'eu-central-1';
const TABLE = 'api-block-list';
const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;

const db = mockClient(DynamoDBClient);
const waf = mockClient(WAFV2Client);
let metrics: RecordingMetrics;

beforeEach(() => {
  db.reset();
  waf.reset();
  metrics = new RecordingMetrics();
});

afterAll(() => {
  db.restore();
  waf.restore();
});

/** Region B's blocker: its settings (a shared table, counters keyed by region), the real store and writer. */
function regionB(settings: AbuseBlockerSettings = blockerSettings({ tableName: TABLE, counterRegion: REGION_B, allowListSets: [] })): BlockerDeps {
  const ipSets = new IpSets(new WAFV2Client({ region: REGION_B }), { sleep: async () => {}, random: () => 0.5 });
  return {
    settings,
    store: new StateStore(new DynamoDBClient({ region: REGION_B }), settings.tableName, settings.counterRegion),
    ipSets,
    allowList: new AllowList(settings.allowListSets, settings.exemptCidrs, (set) => ipSets.addresses(set)),
    metrics,
    log: new RecordingLog(),
    now: () => NOW_MS,
  };
}

const n = (value: number): AttributeValue => ({ N: String(value) });

/** A block record as the store writes it (here: by another region's blocker, replicated). */
const blockItem = (cidr: string, blockedUntil = NOW + 600) => ({
  pk: { S: 'block#v4' },
  sk: { S: cidr },
  expiresAt: n(blockedUntil + 86_400),
  blockedUntil: n(blockedUntil),
  strikes: n(1),
  offences: n(20),
  firstBlockedAt: n(NOW - 60),
});

/**
 * Answers each Query of `block#v4` with the next of `pages` (the last one again after), after the
 * query's filter (blocks that have not ended); `block#v6` with nothing.
 */
function replicaHolds(...pages: Array<Array<Record<string, AttributeValue>>>): void {
  let v4Queries = 0;
  db.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    if (input.ExpressionAttributeValues?.[':pk']?.S !== 'block#v4') {
      return { Items: [] };
    }
    const now = Number(input.ExpressionAttributeValues[':now'].N);
    return { Items: pages[Math.min(v4Queries++, pages.length - 1)].filter((item) => Number(item.blockedUntil.N) > now) };
  });
}

/** AWS WAF's IPv4 set in region B: each GetIPSet answers the next of `versions`, with its lock token. */
function ipv4SetIs(...versions: Array<{ addresses: string[]; lockToken: string }>): void {
  let reads = 0;
  waf.on(GetIPSetCommand).callsFake((input: GetIPSetCommandInput) => {
    if (input.Id === IPV6_SET.id) {
      return { IPSet: { Name: IPV6_SET.name, Id: IPV6_SET.id, ARN: 'arn:v6', IPAddressVersion: 'IPV6', Addresses: [] }, LockToken: 'v6-token' };
    }
    const version = versions[Math.min(reads++, versions.length - 1)];
    return { IPSet: { Name: IPV4_SET.name, Id: IPV4_SET.id, ARN: 'arn:v4', IPAddressVersion: 'IPV4', Addresses: version.addresses, Description: 'auto v4' }, LockToken: version.lockToken };
  });
}

const v4Updates = () => waf.commandCalls(UpdateIPSetCommand).map((call) => call.args[0].input).filter((input) => input.Id === IPV4_SET.id);

describe('a block made in region A reaches region B\'s web ACL at B\'s next sweep', () => {
  test('the sweep puts the replicated block in region B\'s IP set, written with the lock token it read', async () => {
    // Region A blocked 203.0.113.7; its record is in B's replica. B's set holds none of it yet.
    replicaHolds([blockItem('203.0.113.7/32')]);
    ipv4SetIs({ addresses: [], lockToken: 'token-1' });

    const outcome = await sweepBlockLists(regionB());

    expect(outcome.blocked).toEqual(['203.0.113.7/32']);
    expect(v4Updates()).toEqual([{ Name: IPV4_SET.name, Id: IPV4_SET.id, Scope: 'REGIONAL', Description: 'auto v4', Addresses: ['203.0.113.7/32'], LockToken: 'token-1' }]);
    // The live blocks are read from B's own replica, consistently, in the shared block partition.
    expect(db.commandCalls(QueryCommand).map((call) => call.args[0].input)).toEqual(expect.arrayContaining([
      expect.objectContaining({ TableName: TABLE, ConsistentRead: true, ExpressionAttributeValues: { ':pk': { S: 'block#v4' }, ':now': n(NOW) } }),
    ]));
    expect(metrics.values()).toMatchObject({ [METRICS.addressesBlocked]: 1, [METRICS.errors]: 0 });
  });

  test('when B\'s own blocker writes the set between the sweep\'s read and write, the sweep starts over from the new set and token, and keeps both', async () => {
    // B's own blocker records 198.51.100.9 in the table, then adds it to the set (token-1 -> token-2)
    // while B's sweep plans with token-1.
    replicaHolds([blockItem('203.0.113.7/32')], [blockItem('203.0.113.7/32'), blockItem('198.51.100.9/32')]);
    ipv4SetIs({ addresses: [], lockToken: 'token-1' }, { addresses: ['198.51.100.9/32'], lockToken: 'token-2' });
    waf.on(UpdateIPSetCommand, { LockToken: 'token-1' }).rejectsOnce(new WAFOptimisticLockException({ message: 'stale lock token', $metadata: {} }));
    waf.on(UpdateIPSetCommand, { LockToken: 'token-2' }).resolves({ NextLockToken: 'token-3' });

    const outcome = await sweepBlockLists(regionB());

    expect(v4Updates().map(({ Addresses, LockToken }) => ({ Addresses, LockToken }))).toEqual([
      { Addresses: ['203.0.113.7/32'], LockToken: 'token-1' },
      { Addresses: ['198.51.100.9/32', '203.0.113.7/32'], LockToken: 'token-2' },
    ]);
    expect(outcome.blocked).toEqual(['203.0.113.7/32']);
    expect(outcome.unblocked).toEqual([]);
    expect(metrics.values()).toMatchObject({ [METRICS.ipSetUpdateRetries]: 1, [METRICS.errors]: 0 });
  });

  test('a block of region A that has ended is taken off B\'s set by B\'s sweep', async () => {
    replicaHolds([blockItem('203.0.113.7/32', NOW - 1)]);
    ipv4SetIs({ addresses: ['203.0.113.7/32'], lockToken: 'token-1' });

    const outcome = await sweepBlockLists(regionB());

    expect(outcome.unblocked).toEqual(['203.0.113.7/32']);
    expect(v4Updates()).toEqual([expect.objectContaining({ Addresses: [], LockToken: 'token-1' })]);
  });
});

describe('counters in a shared table', () => {
  test('region B counts its offences under its own key, and records its blocks where every region reads them', async () => {
    db.on(UpdateItemCommand).resolves({ Attributes: { [`w${Math.floor(NOW / 60) * 60}`]: n(5) } });
    replicaHolds([]);
    ipv4SetIs({ addresses: [], lockToken: 'token-1' });
    const events = Array.from({ length: 5 }, (_, i) => logEvent(accessLog({ sourceIp: '203.0.113.7', status: 401 }), NOW_MS, `e${i}`));

    await processLogBatch({ messageType: 'DATA_MESSAGE', logGroup: 'api-access', logEvents: events }, regionB());

    const keys = db.commandCalls(UpdateItemCommand).map((call) => call.args[0].input.Key);
    expect(keys).toEqual([
      { pk: { S: `count#${REGION_B}#203.0.113.7/32` }, sk: { S: '-' } },
      { pk: { S: 'block#v4' }, sk: { S: '203.0.113.7/32' } },
    ]);
    expect(v4Updates()).toEqual([expect.objectContaining({ Addresses: ['203.0.113.7/32'], LockToken: 'token-1' })]);
  });

  test('without a counter region, counters keep the key every blocker used', async () => {
    db.on(UpdateItemCommand).resolves({ Attributes: {} });
    const store = new StateStore(new DynamoDBClient({ region: REGION_B }), TABLE);
    await store.countOffences([{ address: { cidr: '203.0.113.7/32', version: 4 }, windows: new Map([[NOW - 40, 1]]), latestWindow: NOW - 40, lastSeen: NOW }], 60, NOW);
    expect(db.commandCalls(UpdateItemCommand)[0].args[0].input.Key).toEqual({ pk: { S: 'count#203.0.113.7/32' }, sk: { S: '-' } });
  });

  test('the settings carry the counter region when there is one, and older settings without it still read', () => {
    const { counterRegion: _, ...older } = blockerSettings({ counterRegion: REGION_B });
    expect(parseSettings(blockerSettings({ counterRegion: REGION_B })).counterRegion).toBe(REGION_B);
    expect(parseSettings(older)).not.toHaveProperty('counterRegion');
  });
});

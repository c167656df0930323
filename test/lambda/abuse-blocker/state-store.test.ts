/**
 * The state table's DynamoDB calls, with `aws-sdk-client-mock`: first the exact commands, then a
 * small in-memory table that applies the update expressions and the query filter the store sends,
 * to follow one address's counter across windows.
 */
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  QueryCommandInput,
  UpdateItemCommand,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { hostAddress } from '../../../lambda/abuse-blocker/addresses';
import { AddressCount, slidingCount } from '../../../lambda/abuse-blocker/counting';
import { BLOCK_MEMORY_SECONDS, STATE_KEYS, StateStore } from '../../../lambda/abuse-blocker/state-store';
import { ABUSE_BLOCKER_TABLE_KEYS } from '../../../lambda/shared/constants';

const TABLE = 'abuse-blocker-state';
const A = hostAddress('203.0.113.7')!;
const B = hostAddress('2001:DB8::7')!;
/** A window start (a multiple of 60). */
const W = 1_700_000_100;
const NOW = W + 42.25;

const db = mockClient(DynamoDBClient);
let store: StateStore;

beforeEach(() => {
  db.reset();
  store = new StateStore(new DynamoDBClient({ region: 'eu-west-1' }), TABLE);
});

afterAll(() => db.restore());

/** An address's offences in a batch, by window start; the latest offence 10 s into the latest window. */
const addressCount = (address = A, windows: Array<[windowStart: number, offences: number]> = [[W, 3]]): AddressCount => {
  const latestWindow = Math.max(...windows.map(([windowStart]) => windowStart));
  return { address, windows: new Map(windows), latestWindow, lastSeen: latestWindow + 10 };
};
const n = (value: number): AttributeValue => ({ N: String(value) });
const updates = () => db.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);

test('the table\'s keys and TTL attribute, shared with the construct', () => {
  expect(STATE_KEYS).toEqual({ partition: 'pk', sort: 'sk', expiresAt: 'expiresAt' });
  expect(STATE_KEYS).toBe(ABUSE_BLOCKER_TABLE_KEYS);
});

describe('countOffences', () => {
  test('adds an address\'s offences with one UpdateItem: ADD the window, SET the TTL, REMOVE the window before the previous one', async () => {
    db.on(UpdateItemCommand).resolves({ Attributes: { [`w${W}`]: n(3) } });
    await store.countOffences([addressCount()], 60, NOW);
    expect(updates()).toEqual([{
      TableName: TABLE,
      Key: { pk: { S: 'count#203.0.113.7/32' }, sk: { S: '-' } },
      UpdateExpression: 'ADD #w0 :n0 SET #expiresAt = :expiresAt REMOVE #stale',
      ExpressionAttributeNames: { '#w0': `w${W}`, '#stale': `w${W - 120}`, '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':n0': { N: '3' }, ':expiresAt': { N: String(W + 43 + 120) } },
      ReturnValues: 'ALL_NEW',
    }]);
  });

  test('all the windows of an address go in its one UpdateItem, one ADD clause each', async () => {
    db.on(UpdateItemCommand).resolves({});
    await store.countOffences([addressCount(A, [[W - 60, 9], [W, 1]])], 60, NOW);
    expect(updates()).toEqual([{
      TableName: TABLE,
      Key: { pk: { S: 'count#203.0.113.7/32' }, sk: { S: '-' } },
      UpdateExpression: 'ADD #w0 :n0, #w1 :n1 SET #expiresAt = :expiresAt REMOVE #stale',
      ExpressionAttributeNames: { '#w0': `w${W - 60}`, '#w1': `w${W}`, '#stale': `w${W - 120}`, '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':n0': { N: '9' }, ':n1': { N: '1' }, ':expiresAt': { N: String(W + 43 + 120) } },
      ReturnValues: 'ALL_NEW',
    }]);
  });

  // Late offences cannot change the estimate; not writing them also keeps the ADD and the REMOVE
  // apart (DynamoDB refuses an update that names one attribute twice: "Two document paths overlap").
  test('does not write late offences from before the previous window, and still removes the stale window', async () => {
    db.on(UpdateItemCommand).resolves({});
    await store.countOffences([addressCount(A, [[W - 120, 2], [W - 60, 4], [W, 1]])], 60, NOW);
    const [input] = updates();
    expect(input.UpdateExpression).toBe('ADD #w0 :n0, #w1 :n1 SET #expiresAt = :expiresAt REMOVE #stale');
    expect(input.ExpressionAttributeNames).toEqual({ '#w0': `w${W - 60}`, '#w1': `w${W}`, '#stale': `w${W - 120}`, '#expiresAt': 'expiresAt' });
    expect(input.ExpressionAttributeValues).toEqual({ ':n0': n(4), ':n1': n(1), ':expiresAt': n(W + 43 + 120) });
  });

  test('the window it removes is two before the batch\'s latest window, not before now\'s', async () => {
    db.on(UpdateItemCommand).resolves({});
    await store.countOffences([addressCount(A, [[W - 300, 2]])], 60, NOW);
    expect(updates()[0].ExpressionAttributeNames!['#stale']).toBe(`w${W - 420}`);
  });

  test('the counter lives two windows past its last write, rounded up to a whole second', async () => {
    db.on(UpdateItemCommand).resolves({});
    await store.countOffences([addressCount()], 300, W + 0.001);
    expect(updates()[0].ExpressionAttributeValues![':expiresAt']).toEqual({ N: String(W + 1 + 600) });
  });

  test('an IPv6 address is keyed by its canonical form', async () => {
    db.on(UpdateItemCommand).resolves({});
    await store.countOffences([addressCount(B)], 60, NOW);
    expect(updates()[0].Key).toEqual({ pk: { S: 'count#2001:db8::7/128' }, sk: { S: '-' } });
  });

  test('returns the latest window\'s count and the previous window\'s, after the update', async () => {
    db.on(UpdateItemCommand).resolves({ Attributes: { pk: { S: 'count#203.0.113.7/32' }, [`w${W}`]: n(7), [`w${W - 60}`]: n(12), expiresAt: n(W + 163) } });
    const count = addressCount();
    expect(await store.countOffences([count], 60, NOW)).toEqual([{ count, current: 7, previous: 12 }]);
  });

  test('with several windows in the batch, current and previous are those of its latest window', async () => {
    db.on(UpdateItemCommand).resolves({ Attributes: { [`w${W - 60}`]: n(2), [`w${W}`]: n(9), [`w${W + 60}`]: n(4) } });
    const count = addressCount(A, [[W + 60, 4], [W, 1]]);
    expect(await store.countOffences([count], 60, NOW)).toEqual([{ count, current: 4, previous: 9 }]);
  });

  test.each<[string, Record<string, AttributeValue> | undefined]>([
    ['no attributes', undefined],
    ['no window attributes', { pk: { S: 'x' } }],
    ['a count that is not a number', { [`w${W}`]: { N: 'x' }, [`w${W - 60}`]: { S: '5' } }],
  ])('counts 0 for a window it cannot read: %s', async (_case, Attributes) => {
    db.on(UpdateItemCommand).resolves({ Attributes });
    const [count] = await store.countOffences([addressCount()], 60, NOW);
    expect([count.current, count.previous]).toEqual([0, 0]);
  });

  test('removes windows older than the previous one that the update missed, with a second UpdateItem', async () => {
    db.on(UpdateItemCommand).resolvesOnce({
      Attributes: {
        [`w${W + 60}`]: n(1),
        [`w${W}`]: n(3),
        [`w${W - 60}`]: n(4),
        [`w${W - 180}`]: n(9),
        [`w${W - 600}`]: n(2),
        wide: n(1),
        expiresAt: n(W + 163),
      },
    }).resolves({});
    await store.countOffences([addressCount()], 60, NOW);
    const inputs = updates();
    expect(inputs).toHaveLength(2);
    expect(inputs[1]).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'count#203.0.113.7/32' }, sk: { S: '-' } },
      UpdateExpression: 'REMOVE #old0, #old1',
      ExpressionAttributeNames: { '#old0': `w${W - 180}`, '#old1': `w${W - 600}` },
    });
  });

  test('sends no second UpdateItem when no old window is left', async () => {
    db.on(UpdateItemCommand).resolves({ Attributes: { [`w${W}`]: n(3), [`w${W - 60}`]: n(4), [`w${W + 60}`]: n(1) } });
    await store.countOffences([addressCount()], 60, NOW);
    expect(updates()).toHaveLength(1);
  });

  test('one UpdateItem per address, results in the order of the addresses', async () => {
    db.on(UpdateItemCommand).callsFake(async (input: UpdateItemCommandInput) => {
      await new Promise((resolve) => setTimeout(resolve, input.Key!.pk.S!.includes(':') ? 0 : 5));
      const names = input.ExpressionAttributeNames!;
      const values = input.ExpressionAttributeValues!;
      return { Attributes: Object.fromEntries(Object.keys(values).filter((v) => v.startsWith(':n')).map((v) => [names[`#w${v.slice(2)}`], values[v]])) };
    });
    const counts = [addressCount(A, [[W, 2], [W - 60, 3]]), addressCount(B, [[W, 5]]), addressCount(hostAddress('203.0.113.8')!, [[W + 60, 1]])];
    const stored = await store.countOffences(counts, 60, NOW);
    expect(stored).toEqual([
      { count: counts[0], current: 2, previous: 3 },
      { count: counts[1], current: 5, previous: 0 },
      { count: counts[2], current: 1, previous: 0 },
    ]);
    expect(updates().map((input) => input.Key!.pk.S)).toEqual(['count#203.0.113.7/32', 'count#2001:db8::7/128', 'count#203.0.113.8/32']);
  });

  test('an address with many windows in the batch is still one write, of the latest two', async () => {
    db.on(UpdateItemCommand).resolves({});
    const windows = Array.from({ length: 10 }, (_, i): [number, number] => [W - 60 * i, i + 1]);
    await store.countOffences([addressCount(A, windows)], 60, NOW);
    const inputs = updates();
    expect(inputs).toHaveLength(1);
    // Windows listed latest first: the latest two are written, in the batch's order.
    expect(inputs[0].UpdateExpression).toBe('ADD #w0 :n0, #w1 :n1 SET #expiresAt = :expiresAt REMOVE #stale');
    expect(inputs[0].ExpressionAttributeNames).toMatchObject({ '#w0': `w${W}`, '#w1': `w${W - 60}` });
    expect(inputs[0].ExpressionAttributeValues).toMatchObject({ ':n0': n(1), ':n1': n(2) });
  });

  // The limit is the AWS SDK's default pool of 50 sockets: more writes at once would only queue.
  test('writes counters in parallel, but never more at once than the SDK has sockets', async () => {
    let running = 0;
    let most = 0;
    db.on(UpdateItemCommand).callsFake(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      return {};
    });
    const counts = Array.from({ length: 200 }, (_, i) => addressCount(hostAddress(`198.51.${100 + (i >> 8)}.${i & 255}`)!));
    await store.countOffences(counts, 60, NOW);
    expect(updates()).toHaveLength(200);
    expect(most).toBe(50);
  });

  test('a failed write rejects', async () => {
    db.on(UpdateItemCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(store.countOffences([addressCount()], 60, NOW)).rejects.toThrow('slow down');
  });

  test('no addresses: no writes', async () => {
    await expect(store.countOffences([], 60, NOW)).resolves.toEqual([]);
    expect(db.calls()).toHaveLength(0);
  });
});

describe('recordBlocks', () => {
  const block = (address = A, blockedUntil = W + 3600, strikes = 1, offences = 20) => ({ address, blockedUntil, strikes, offences });
  const failed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

  test('one UpdateItem per block, in its version\'s partition: sets the end and the TTL a day later, adds strikes and offences, keeps the first block\'s time', async () => {
    db.on(UpdateItemCommand).resolves({});
    await store.recordBlocks([block(A, W + 3600, 1, 25), block(B, W + 7200, 0, 3)], NOW);
    const common = {
      TableName: TABLE,
      UpdateExpression: 'SET #blockedUntil = :until, #expiresAt = :forgetAt, #firstBlockedAt = if_not_exists(#firstBlockedAt, :now) ADD #strikes :strikes, #offences :offences',
      ConditionExpression: 'attribute_not_exists(#pk) OR (#expiresAt > :now AND (attribute_not_exists(#blockedUntil) OR #blockedUntil <= :until))',
      ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt', '#blockedUntil': 'blockedUntil', '#firstBlockedAt': 'firstBlockedAt', '#strikes': 'strikes', '#offences': 'offences' },
    };
    expect(updates()).toEqual([
      {
        ...common,
        Key: { pk: { S: 'block#v4' }, sk: { S: '203.0.113.7/32' } },
        ExpressionAttributeValues: { ':until': n(W + 3600), ':forgetAt': n(W + 3600 + BLOCK_MEMORY_SECONDS), ':now': n(Math.floor(NOW)), ':strikes': n(1), ':offences': n(25) },
      },
      {
        ...common,
        Key: { pk: { S: 'block#v6' }, sk: { S: '2001:db8::7/128' } },
        ExpressionAttributeValues: { ':until': n(W + 7200), ':forgetAt': n(W + 7200 + BLOCK_MEMORY_SECONDS), ':now': n(Math.floor(NOW)), ':strikes': n(0), ':offences': n(3) },
      },
    ]);
    expect(BLOCK_MEMORY_SECONDS).toBe(86_400);
    expect(db.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  test('a failed condition falls back to a put that starts the record over, only if the table has forgotten it', async () => {
    db.on(UpdateItemCommand).rejects(failed()).on(PutItemCommand).resolves({});
    await store.recordBlocks([block(A, W + 3600, 0, 7)], NOW);
    expect(db.commandCalls(PutItemCommand).map((call) => call.args[0].input)).toEqual([{
      TableName: TABLE,
      Item: {
        pk: { S: 'block#v4' },
        sk: { S: '203.0.113.7/32' },
        expiresAt: n(W + 3600 + BLOCK_MEMORY_SECONDS),
        blockedUntil: n(W + 3600),
        firstBlockedAt: n(Math.floor(NOW)),
        strikes: n(0),
        offences: n(7),
      },
      ConditionExpression: '#expiresAt <= :now',
      ExpressionAttributeNames: { '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':now': n(Math.floor(NOW)) },
    }]);
  });

  test('both conditions failing (a longer block is recorded) is not an error, and the other blocks are still written', async () => {
    db.on(UpdateItemCommand).resolves({})
      .on(UpdateItemCommand, { Key: { pk: { S: 'block#v4' }, sk: { S: A.cidr } } }).rejects(failed())
      .on(PutItemCommand).rejects(failed());
    await expect(store.recordBlocks([block(A), block(B)], NOW)).resolves.toBeUndefined();
    expect(db.commandCalls(UpdateItemCommand)).toHaveLength(2);
    expect(db.commandCalls(PutItemCommand)).toHaveLength(1);
  });

  test('a failed condition is recognised by its name too (an error from another copy of the SDK)', async () => {
    const foreign = Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    db.on(UpdateItemCommand).rejects(foreign).on(PutItemCommand).rejects(foreign);
    await expect(store.recordBlocks([block()], NOW)).resolves.toBeUndefined();
  });

  test.each([
    ['throttling', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
    ['a network failure', new Error('socket hang up')],
  ])('any other error (%s) rejects', async (_case, error) => {
    db.on(UpdateItemCommand).rejects(error);
    await expect(store.recordBlocks([block()], NOW)).rejects.toThrow(error.message);
  });

  test('no blocks: no writes', async () => {
    await store.recordBlocks([], NOW);
    expect(db.calls()).toHaveLength(0);
  });
});

describe('liveBlocks', () => {
  test('queries the version\'s partition consistently, keeping only blocks that end after now', async () => {
    db.on(QueryCommand).resolves({ Items: [] });
    await store.liveBlocks(6, NOW);
    expect(db.commandCalls(QueryCommand)[0].args[0].input).toEqual({
      TableName: TABLE,
      ConsistentRead: true,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: '#blockedUntil > :now OR (attribute_not_exists(#blockedUntil) AND #expiresAt > :now)',
      ProjectionExpression: '#sk, #expiresAt, #blockedUntil, #strikes, #offences, #firstBlockedAt',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#expiresAt': 'expiresAt', '#blockedUntil': 'blockedUntil', '#strikes': 'strikes', '#offences': 'offences', '#firstBlockedAt': 'firstBlockedAt' },
      ExpressionAttributeValues: { ':pk': { S: 'block#v6' }, ':now': { N: String(NOW) } },
      ExclusiveStartKey: undefined,
    });
  });

  test('returns the blocks by address, with their standing; a record from before blockedUntil ends at its expiresAt, with one strike', async () => {
    db.on(QueryCommand).resolves({ Items: [
      { sk: { S: '203.0.113.7/32' }, expiresAt: n(W + 10 + BLOCK_MEMORY_SECONDS), blockedUntil: n(W + 10), strikes: n(3), offences: n(70), firstBlockedAt: n(W - 900) },
      { sk: { S: '203.0.113.8/32' }, expiresAt: n(W + 20) },
      { sk: { S: '203.0.113.9/32' }, expiresAt: n(W + 30), blockedUntil: n(W + 30), strikes: n(0), offences: n(5), firstBlockedAt: n(W) },
    ] });
    expect(await store.liveBlocks(4, NOW)).toEqual(new Map([
      ['203.0.113.7/32', { blockedUntil: W + 10, strikes: 3, offences: 70, firstBlockedAt: W - 900 }],
      ['203.0.113.8/32', { blockedUntil: W + 20, strikes: 1, offences: 0, firstBlockedAt: 0 }],
      ['203.0.113.9/32', { blockedUntil: W + 30, strikes: 1, offences: 5, firstBlockedAt: W }],
    ]));
  });

  test('follows LastEvaluatedKey through every page', async () => {
    const key1 = { pk: { S: 'block#v4' }, sk: { S: '203.0.113.1/32' } };
    const key2 = { pk: { S: 'block#v4' }, sk: { S: '203.0.113.2/32' } };
    db.on(QueryCommand)
      .resolvesOnce({ Items: [{ sk: { S: '203.0.113.1/32' }, expiresAt: n(W + 1) }], LastEvaluatedKey: key1 })
      .resolvesOnce({ Items: [], LastEvaluatedKey: key2 })
      .resolvesOnce({ Items: [{ sk: { S: '203.0.113.3/32' }, expiresAt: n(W + 3) }] });
    const blocks = await store.liveBlocks(4, NOW);
    expect([...blocks.keys()]).toEqual(['203.0.113.1/32', '203.0.113.3/32']);
    const starts = db.commandCalls(QueryCommand).map((call) => call.args[0].input.ExclusiveStartKey);
    expect(starts).toEqual([undefined, key1, key2]);
  });

  test('skips items without an address or a numeric end', async () => {
    db.on(QueryCommand).resolves({
      Items: [
        { expiresAt: n(W + 1) },
        { sk: { S: '' }, expiresAt: n(W + 1) },
        { sk: { S: '203.0.113.2/32' } },
        { sk: { S: '203.0.113.3/32' }, expiresAt: { S: 'soon' } },
        { sk: { S: '203.0.113.5/32' }, expiresAt: n(W + 5), blockedUntil: { S: 'soon' } },
        { sk: { S: '203.0.113.4/32' }, expiresAt: n(W + 4) },
      ],
    });
    expect([...(await store.liveBlocks(4, NOW)).keys()]).toEqual(['203.0.113.4/32']);
  });

  test('a page without Items is empty', async () => {
    db.on(QueryCommand).resolves({});
    expect(await store.liveBlocks(4, NOW)).toEqual(new Map());
  });

  test('a failed query rejects', async () => {
    db.on(QueryCommand).rejects(new Error('AccessDeniedException'));
    await expect(store.liveBlocks(4, NOW)).rejects.toThrow('AccessDeniedException');
  });
});

/**
 * A table in memory that applies the store's own expressions: `ADD`/`SET`/`REMOVE` updates, the
 * put condition, and the query's key condition and filter (with a page size, so paging is used).
 * Items the TTL has not yet deleted stay in it, as in DynamoDB. Like DynamoDB, it refuses an update
 * that names one attribute twice, or whose expression leaves an attribute name or value unused.
 * `updateDelayMs` delays each UpdateItem by its arrival index, so writes can land out of order.
 */
class MemoryTable {
  public readonly items = new Map<string, Record<string, AttributeValue>>();
  private updatesReceived = 0;

  constructor(private readonly pageSize = 2, private readonly updateDelayMs: (index: number) => number = () => 0) {
    db.on(UpdateItemCommand).callsFake(async (input: UpdateItemCommandInput) => {
      const delay = this.updateDelayMs(this.updatesReceived++);
      if (delay > 0) {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      return this.update(input);
    });
    db.on(PutItemCommand).callsFake(async (input) => {
      const key = `${input.Item.pk.S}|${input.Item.sk.S}`;
      this.check(this.items.get(key), input.ConditionExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
      this.items.set(key, { ...input.Item });
      return {};
    });
    db.on(QueryCommand).callsFake(async (input: QueryCommandInput) => this.query(input));
  }

  private update(input: UpdateItemCommandInput) {
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const refused = (message: string) => Object.assign(new Error(message), { name: 'ValidationException' });
    const actions: Array<{ action: string; name: string; value?: string }> = [];
    for (const [, action, body] of input.UpdateExpression!.matchAll(/(ADD|SET|REMOVE) ((?:(?!ADD |SET |REMOVE ).)+)/g)) {
      // Clauses are separated by commas outside parentheses (`if_not_exists(#a, :v)` holds one).
      for (const clause of body.trim().split(/\s*,\s*(?![^(]*\))/)) {
        const [name, value] = action === 'SET' ? clause.split(/\s*=\s*/) : clause.split(' ');
        actions.push({ action, name, value });
      }
    }
    const ifNotExists = (value: string | undefined) => /^if_not_exists\((#\w+), (:\w+)\)$/.exec(value ?? '');
    const placeholders = (value: string | undefined) => (value === undefined ? [] : ifNotExists(value)?.slice(1) ?? [value]);
    const attributes = actions.map(({ name }) => names[name]);
    const conditionPlaceholders = input.ConditionExpression?.match(/[#:]\w+/g) ?? [];
    if (attributes.some((attribute) => attribute === undefined) || actions.some(({ value }) => placeholders(value).some((p) => (p.startsWith('#') ? names[p] : values[p]) === undefined))) {
      throw refused('An expression attribute name or value used in an expression is not defined');
    }
    if (new Set(attributes).size !== attributes.length) {
      throw refused('Two document paths overlap with each other');
    }
    const used = new Set([...actions.flatMap(({ name, value }) => [name, ...placeholders(value)]), ...conditionPlaceholders]);
    if ([...Object.keys(names), ...Object.keys(values)].some((placeholder) => !used.has(placeholder))) {
      throw refused('An expression attribute name or value is unused in expressions');
    }
    const key = `${input.Key!.pk.S}|${input.Key!.sk.S}`;
    this.check(this.items.get(key), input.ConditionExpression, names, values);
    const item = this.items.get(key) ?? { ...input.Key! };
    for (const { action, name, value } of actions) {
      if (action === 'ADD') {
        item[names[name]] = { N: String(Number(item[names[name]]?.N ?? 0) + Number(values[value!].N)) };
      } else if (action === 'SET') {
        const fallback = ifNotExists(value);
        item[names[name]] = fallback ? item[names[fallback[1]]] ?? values[fallback[2]] : values[value!];
      } else {
        delete item[names[name]];
      }
    }
    this.items.set(key, item);
    return { Attributes: { ...item } };
  }

  /** Throws DynamoDB's ConditionalCheckFailedException unless `item` meets `condition`. */
  private check(item: Record<string, AttributeValue> | undefined, condition: string | undefined, names: Record<string, string> = {}, values: Record<string, AttributeValue> = {}): void {
    if (condition !== undefined && !evaluate(condition, item, names, values)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
  }

  private query(input: QueryCommandInput) {
    const values = input.ExpressionAttributeValues!;
    const rows = [...this.items.values()]
      .filter((item) => item.pk.S === values[':pk'].S)
      .sort((a, b) => (a.sk.S! < b.sk.S! ? -1 : 1));
    const start = input.ExclusiveStartKey ? rows.findIndex((item) => item.sk.S === input.ExclusiveStartKey!.sk.S) + 1 : 0;
    const page = rows.slice(start, start + this.pageSize);
    const more = start + this.pageSize < rows.length;
    return {
      // The filter runs after the page is read, as in DynamoDB.
      Items: page
        .filter((item) => evaluate(input.FilterExpression!, item, input.ExpressionAttributeNames!, values))
        .map((item) => Object.fromEntries(input.ProjectionExpression!.split(', ').map((name) => input.ExpressionAttributeNames![name]).filter((name) => item[name]).map((name) => [name, item[name]]))),
      LastEvaluatedKey: more ? { pk: page[page.length - 1].pk, sk: page[page.length - 1].sk } : undefined,
    };
  }
}

/**
 * Evaluates the condition and filter expressions the store writes: `attribute_not_exists(#a)`,
 * `#a <op> :v` (numbers), `AND`, `OR` and parentheses (an absent item has no attributes).
 */
function evaluate(expression: string, item: Record<string, AttributeValue> | undefined, names: Record<string, string>, values: Record<string, AttributeValue>): boolean {
  const tokens = expression.match(/\(|\)|AND|OR|attribute_not_exists\(#\w+\)|#\w+ (?:<=|>=|<|>|=) :\w+/g)!;
  let at = 0;
  const attribute = (placeholder: string) => item?.[names[placeholder]];
  const primary = (): boolean => {
    const token = tokens[at++];
    if (token === '(') {
      const result = or();
      at++; // ')'
      return result;
    }
    const missing = /^attribute_not_exists\((#\w+)\)$/.exec(token);
    if (missing) {
      return attribute(missing[1]) === undefined;
    }
    const [name, op, value] = token.split(' ');
    const [left, right] = [Number(attribute(name)?.N ?? NaN), Number(values[value].N)];
    return { '<': left < right, '<=': left <= right, '>': left > right, '>=': left >= right, '=': left === right }[op]!;
  };
  const and = (): boolean => {
    let result = primary();
    while (tokens[at] === 'AND') {
      at++;
      result = primary() && result;
    }
    return result;
  };
  const or = (): boolean => {
    let result = and();
    while (tokens[at] === 'OR') {
      at++;
      result = and() || result;
    }
    return result;
  };
  return or();
}

describe('StateStore against a table in memory', () => {
  const counter = (table: MemoryTable) => table.items.get(`count#${A.cidr}|-`)!;
  const windowsOf = (table: MemoryTable) => Object.keys(counter(table)).filter((name) => name.startsWith('w')).sort();

  test('the table refuses what DynamoDB refuses: one attribute named twice, an unused name or value', async () => {
    new MemoryTable();
    const key = { pk: { S: 'count#x' }, sk: { S: '-' } };
    const send = (input: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>) => new DynamoDBClient({ region: 'eu-west-1' }).send(new UpdateItemCommand({ TableName: TABLE, Key: key, ...input }));
    await expect(send({ UpdateExpression: 'ADD #a :n REMOVE #b', ExpressionAttributeNames: { '#a': 'w1', '#b': 'w1' }, ExpressionAttributeValues: { ':n': n(1) } }))
      .rejects.toThrow('Two document paths overlap');
    await expect(send({ UpdateExpression: 'ADD #a :n', ExpressionAttributeNames: { '#a': 'w1', '#b': 'w2' }, ExpressionAttributeValues: { ':n': n(1) } }))
      .rejects.toThrow('unused');
    await expect(send({ UpdateExpression: 'ADD #a :n', ExpressionAttributeNames: { '#a': 'w1' }, ExpressionAttributeValues: { ':n': n(1), ':m': n(2) } }))
      .rejects.toThrow('unused');
    await expect(send({ UpdateExpression: 'ADD #a :n', ExpressionAttributeNames: { '#a': 'w1' }, ExpressionAttributeValues: { ':n': n(1) } })).resolves.toBeDefined();
  });

  test('a counter keeps the current and previous windows only, and counts both', async () => {
    const table = new MemoryTable();
    const count = async (windowStart: number, offences: number) => (await store.countOffences([addressCount(A, [[windowStart, offences]])], 60, windowStart + 30))[0];

    expect(await count(W, 4)).toMatchObject({ current: 4, previous: 0 });
    expect(await count(W, 2)).toMatchObject({ current: 6, previous: 0 });
    expect(await count(W + 60, 3)).toMatchObject({ current: 3, previous: 6 });
    expect(await count(W + 120, 1)).toMatchObject({ current: 1, previous: 3 });
    expect(windowsOf(table)).toEqual([`w${W + 60}`, `w${W + 120}`]);

    // Back after a pause: the old windows go, by the update's REMOVE or the clean-up.
    expect(await count(W + 600, 5)).toMatchObject({ current: 5, previous: 0 });
    expect(windowsOf(table)).toEqual([`w${W + 600}`]);
    expect(counter(table).expiresAt).toEqual({ N: String(W + 630 + 120) });
  });

  // Written one UpdateItem per window, the two writes of this burst could land in either order; had
  // the latest window's landed first, it would have seen no previous window (1 offence, not 10).
  test('a burst split across a window boundary in one batch is counted with both windows, even when writes land out of order', async () => {
    // Each write waits the longer the earlier it arrived: a later write lands first.
    const table = new MemoryTable(2, (index) => 20 - 10 * Math.min(index, 2));
    const count: AddressCount = { address: A, windows: new Map([[W - 60, 9], [W, 1]]), latestWindow: W, lastSeen: W + 1 };
    const [stored] = await store.countOffences([count], 60, W + 1);
    expect(stored).toEqual({ count, current: 1, previous: 9 });
    expect(slidingCount(stored.current, stored.previous, count.latestWindow, 60, count.lastSeen)).toBeCloseTo(1 + 9 * (59 / 60), 10);
    expect(updates()).toHaveLength(1);
    expect(windowsOf(table)).toEqual([`w${W - 60}`, `w${W}`]);
  });

  test('a burst across the boundary adds to what earlier batches stored in both windows', async () => {
    const table = new MemoryTable();
    await store.countOffences([addressCount(A, [[W - 60, 4]])], 60, W - 30);
    const [stored] = await store.countOffences([addressCount(A, [[W - 60, 5], [W, 1]])], 60, W + 1);
    expect(stored).toMatchObject({ current: 1, previous: 9 });
    expect(counter(table)[`w${W - 60}`]).toEqual(n(9));
  });

  test('a batch that adds to the window it would remove is accepted, and that window is cleaned up after', async () => {
    const table = new MemoryTable();
    await store.countOffences([addressCount(A, [[W - 120, 3]])], 60, W - 100);
    const [stored] = await store.countOffences([addressCount(A, [[W - 120, 2], [W - 60, 4], [W, 1]])], 60, W + 10);
    expect(stored).toMatchObject({ current: 1, previous: 4 });
    expect(windowsOf(table)).toEqual([`w${W - 60}`, `w${W}`]);
  });

  test('several addresses in one batch: each counter holds its own windows', async () => {
    const table = new MemoryTable();
    const stored = await store.countOffences([addressCount(A, [[W - 60, 2], [W, 3]]), addressCount(B, [[W, 7]])], 60, W + 10);
    expect(stored.map(({ current, previous }) => [current, previous])).toEqual([[3, 2], [7, 0]]);
    expect(windowsOf(table)).toEqual([`w${W - 60}`, `w${W}`]);
    expect(table.items.get('count#2001:db8::7/128|-')).toMatchObject({ [`w${W}`]: n(7) });
  });

  test('a block keeps the latest end, and ended blocks are not live even before the TTL deletes them', async () => {
    const table = new MemoryTable(2);
    const blocks = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'].map((address, i) => ({ address: hostAddress(address)!, blockedUntil: W + i * 100, strikes: 1, offences: 20 }));
    await store.recordBlocks([...blocks, { address: B, blockedUntil: W + 1000, strikes: 1, offences: 20 }], W - 100);
    await store.recordBlocks([{ ...blocks[0], blockedUntil: W + 50 }, { ...blocks[4], blockedUntil: W + 1 }], W - 50);
    expect(table.items.get('block#v4|203.0.113.5/32')!.blockedUntil).toEqual({ N: String(W + 400) });

    expect([...(await store.liveBlocks(4, W + 150)).keys()]).toEqual(['203.0.113.3/32', '203.0.113.4/32', '203.0.113.5/32']);
    expect(db.commandCalls(QueryCommand).length).toBeGreaterThan(1);
    expect([...(await store.liveBlocks(6, W + 150)).keys()]).toEqual(['2001:db8::7/128']);
    expect(await store.liveBlocks(4, W + 400)).toEqual(new Map());
  });

  test('a block blocked again while remembered adds its strikes and offences and keeps its first time; once forgotten it starts over', async () => {
    const table = new MemoryTable();
    const again = (nowSeconds: number, strikes: number, offences: number) => store.recordBlocks([{ address: A, blockedUntil: nowSeconds + 3600, strikes, offences }], nowSeconds);
    await again(W, 1, 25);
    await again(W + 10, 0, 4); // still over the threshold in the next batch
    await again(W + 5000, 1, 20); // back after its block ended, within the day
    expect((await store.liveBlocks(4, W + 5000)).get(A.cidr)).toEqual({ blockedUntil: W + 8600, strikes: 2, offences: 49, firstBlockedAt: W });

    // Past the TTL, not yet deleted: a new record.
    const later = W + 8600 + BLOCK_MEMORY_SECONDS + 1;
    expect(table.items.has(`block#v4|${A.cidr}`)).toBe(true);
    await again(later, 1, 20);
    expect((await store.liveBlocks(4, later)).get(A.cidr)).toEqual({ blockedUntil: later + 3600, strikes: 1, offences: 20, firstBlockedAt: later });
  });

  test('a record without blockedUntil (written by an earlier version) is live until its expiresAt, and takes new blocks', async () => {
    const table = new MemoryTable();
    table.items.set(`block#v4|${A.cidr}`, { pk: { S: 'block#v4' }, sk: { S: A.cidr }, expiresAt: n(W + 100) });
    expect((await store.liveBlocks(4, W)).get(A.cidr)).toEqual({ blockedUntil: W + 100, strikes: 1, offences: 0, firstBlockedAt: 0 });
    await store.recordBlocks([{ address: A, blockedUntil: W + 3600, strikes: 1, offences: 20 }], W);
    expect((await store.liveBlocks(4, W)).get(A.cidr)).toEqual({ blockedUntil: W + 3600, strikes: 1, offences: 20, firstBlockedAt: W });
  });
});

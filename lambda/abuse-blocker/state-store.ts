import {
  AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ABUSE_BLOCKER_TABLE_KEYS } from '../shared/constants';
import { HostAddress, IpVersion } from './addresses';
import { mapWithConcurrency } from './concurrency';
import { AddressCount } from './counting';

/**
 * The blocker's table: the partition key `pk`, the sort key `sk`, and `expiresAt` (seconds since
 * the epoch) as the table's TTL attribute. Two kinds of item:
 * - a counter per address (`pk` `count#<address>`, `sk` `-`) with one attribute per fixed window
 *   (`w<window start>`), living two windows past its last write;
 * - a block per address, in one partition per IP version (`pk` `block#v4`, `sk` the address).
 */
export const STATE_KEYS = ABUSE_BLOCKER_TABLE_KEYS;

/**
 * Writes in flight at once: the AWS SDK's default pool of 50 sockets. A batch from many addresses
 * needs a write per address, so its time is about addresses / 50 × a write's latency.
 */
const WRITE_CONCURRENCY = 50;

/** An address's count in its latest window and in the window before, after adding a batch's offences. */
export interface StoredCount {
  readonly count: AddressCount;
  readonly current: number;
  readonly previous: number;
}

/** A block to record: the address and when it ends (seconds since the epoch). */
export interface Block {
  readonly address: HostAddress;
  readonly expiresAt: number;
}

const windowAttribute = (windowStart: number) => `w${windowStart}`;
const blockPartition = (version: IpVersion) => `block#v${version}`;

/** The blocker's state in DynamoDB: offence counters and blocks, both expiring. */
export class StateStore {
  constructor(private readonly db: DynamoDBClient, private readonly tableName: string) {}

  /** Adds each address's offences to its counter, one write an address, and returns the counts. */
  public countOffences(counts: readonly AddressCount[], windowSeconds: number, nowSeconds: number): Promise<StoredCount[]> {
    return mapWithConcurrency(counts, WRITE_CONCURRENCY, (count) => this.addCount(count, windowSeconds, nowSeconds));
  }

  /** Records blocks; a longer block already recorded for an address is kept. */
  public async recordBlocks(blocks: readonly Block[]): Promise<void> {
    await mapWithConcurrency(blocks, WRITE_CONCURRENCY, async ({ address, expiresAt }) => {
      try {
        await this.db.send(new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [STATE_KEYS.partition]: { S: blockPartition(address.version) },
            [STATE_KEYS.sort]: { S: address.cidr },
            [STATE_KEYS.expiresAt]: { N: String(expiresAt) },
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :expiresAt',
          ExpressionAttributeNames: { '#pk': STATE_KEYS.partition, '#expiresAt': STATE_KEYS.expiresAt },
          ExpressionAttributeValues: { ':expiresAt': { N: String(expiresAt) } },
        }));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) && (error as Error)?.name !== 'ConditionalCheckFailedException') {
          throw error;
        }
      }
    });
  }

  /**
   * The blocks of one IP version that have not expired, by address. Read consistently: every block
   * recorded before the call is seen (DynamoDB's TTL deletes expired items only eventually, so
   * expiry is checked here).
   */
  public async liveBlocks(version: IpVersion, nowSeconds: number): Promise<Map<string, number>> {
    const blocks = new Map<string, number>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: '#expiresAt > :now',
        ProjectionExpression: '#sk, #expiresAt',
        ExpressionAttributeNames: { '#pk': STATE_KEYS.partition, '#sk': STATE_KEYS.sort, '#expiresAt': STATE_KEYS.expiresAt },
        ExpressionAttributeValues: { ':pk': { S: blockPartition(version) }, ':now': { N: String(nowSeconds) } },
        ExclusiveStartKey: startKey,
      }));
      for (const item of page.Items ?? []) {
        const address = item[STATE_KEYS.sort]?.S;
        const expiresAt = Number(item[STATE_KEYS.expiresAt]?.N);
        if (address && Number.isFinite(expiresAt)) {
          blocks.set(address, expiresAt);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return blocks;
  }

  private async addCount(count: AddressCount, windowSeconds: number, nowSeconds: number): Promise<StoredCount> {
    const previousStart = count.latestWindow - windowSeconds;
    // Late offences from before the previous window cannot change the count: they are not written.
    const windows = [...count.windows].filter(([start]) => start >= previousStart);
    const names: Record<string, string> = { '#expiresAt': STATE_KEYS.expiresAt };
    const values: Record<string, AttributeValue> = { ':expiresAt': { N: String(Math.ceil(nowSeconds) + 2 * windowSeconds) } };
    windows.forEach(([start, n], i) => {
      names[`#w${i}`] = windowAttribute(start);
      values[`:n${i}`] = { N: String(n) };
    });
    // The window before the previous one is no longer needed.
    names['#stale'] = windowAttribute(previousStart - windowSeconds);
    const response = await this.db.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: this.counterKey(count.address),
      UpdateExpression: `ADD ${windows.map((_, i) => `#w${i} :n${i}`).join(', ')} SET #expiresAt = :expiresAt REMOVE #stale`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }));
    const item = response.Attributes ?? {};
    const stored = (start: number) => Number(item[windowAttribute(start)]?.N ?? 0) || 0;
    await this.removeOldWindows(count.address, item, previousStart);
    return { count, current: stored(count.latestWindow), previous: stored(previousStart) };
  }

  private counterKey(address: HostAddress): Record<string, AttributeValue> {
    return { [STATE_KEYS.partition]: { S: `count#${address.cidr}` }, [STATE_KEYS.sort]: { S: '-' } };
  }

  /**
   * Removes windows older than the previous one that the update's own `REMOVE` missed (an address
   * that came back after a pause), so a counter never grows.
   */
  private async removeOldWindows(address: HostAddress, item: Record<string, AttributeValue>, previousStart: number): Promise<void> {
    const old = Object.keys(item).filter((name) => /^w\d+$/.test(name) && Number(name.slice(1)) < previousStart);
    if (old.length === 0) {
      return;
    }
    await this.db.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: this.counterKey(address),
      UpdateExpression: `REMOVE ${old.map((_, i) => `#old${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(old.map((name, i) => [`#old${i}`, name])),
    }));
  }
}

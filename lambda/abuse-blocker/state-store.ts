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
import { BlockStanding } from './block-list';
import { mapWithConcurrency } from './concurrency';
import { AddressCount } from './counting';

/**
 * The blocker's table: the partition key `pk`, the sort key `sk`, and `expiresAt` (seconds since
 * the epoch) as the table's TTL attribute. Two kinds of item:
 * - a counter per address or network (`pk` `count#<cidr>`, or `count#<region>#<cidr>` in a table
 *   shared across regions; `sk` `-`) with one attribute per fixed window (`w<window start>`),
 *   living two windows past its last write;
 * - a block per address or network, in one partition per IP version (`pk` `block#v4`, `sk` the
 *   CIDR): when it ends (`blockedUntil`), its `strikes`, its `offences` and when it was first
 *   recorded (`firstBlockedAt`), remembered for {@link BLOCK_MEMORY_SECONDS} after it ends (its
 *   `expiresAt`), so an address that comes back is a repeat offender. An item written before
 *   `blockedUntil` existed ends at its `expiresAt`.
 */
export const STATE_KEYS = ABUSE_BLOCKER_TABLE_KEYS;

/** How long the table remembers a block after it ends: a day. */
export const BLOCK_MEMORY_SECONDS = 86_400;

/** The block item's attributes besides the keys and the TTL. */
const BLOCK_ATTRIBUTES = { blockedUntil: 'blockedUntil', strikes: 'strikes', offences: 'offences', firstBlockedAt: 'firstBlockedAt' } as const;

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

/** A block to record: the address, when it ends (seconds since the epoch), and what it adds to the record. */
export interface Block {
  readonly address: HostAddress;
  readonly blockedUntil: number;
  /** 1 if the address reached the threshold from below in this batch, else 0. */
  readonly strikes: number;
  /** Offences to add to the record. */
  readonly offences: number;
}

const windowAttribute = (windowStart: number) => `w${windowStart}`;
const blockPartition = (version: IpVersion) => `block#v${version}`;

/** The blocker's state in DynamoDB: offence counters and blocks, both expiring. */
export class StateStore {
  /**
   * @param counterRegion in a global table (one replica per region): this region, which keys its
   * counters. Every region counts its own offences, on purpose. DynamoDB global tables settle
   * concurrent writes to one item last-writer-wins, item by item: a counter item that two regions
   * `ADD` to at once would keep one region's count and lose the other's, so a shared counter would
   * undercount exactly when an attacker spreads over regions, and two regions could each read a
   * count the other then overwrites. Per-region counters never conflict (each item has one
   * writer), so each region's threshold holds exactly; blocks, which are the shared part, are
   * replicated, and a block made in any region is enforced in all. The cost: a client whose
   * offences are split between regions needs up to `threshold` in one of them (latency routing
   * keeps a client on one region; failover sends everyone to one). Without it, counters keep the
   * key every blocker used (`count#<cidr>`), so a table's existing counters stay readable.
   */
  constructor(private readonly db: DynamoDBClient, private readonly tableName: string, private readonly counterRegion?: string) {}

  /** Adds each address's offences to its counter, one write an address, and returns the counts. */
  public countOffences(counts: readonly AddressCount[], windowSeconds: number, nowSeconds: number): Promise<StoredCount[]> {
    return mapWithConcurrency(counts, WRITE_CONCURRENCY, (count) => this.addCount(count, windowSeconds, nowSeconds));
  }

  /**
   * Records blocks, one write each: sets the block's end, adds its strikes and offences, and keeps
   * the first block's time. A record the table no longer remembers (past its TTL but not yet
   * deleted) starts over, with a second write; a longer block already recorded is kept as it is.
   */
  public async recordBlocks(blocks: readonly Block[], nowSeconds: number): Promise<void> {
    const now = String(Math.floor(nowSeconds));
    await mapWithConcurrency(blocks, WRITE_CONCURRENCY, async (block) => {
      const key = { [STATE_KEYS.partition]: { S: blockPartition(block.address.version) }, [STATE_KEYS.sort]: { S: block.address.cidr } };
      const until = { N: String(block.blockedUntil) };
      const forgetAt = { N: String(block.blockedUntil + BLOCK_MEMORY_SECONDS) };
      const names = { '#pk': STATE_KEYS.partition, '#expiresAt': STATE_KEYS.expiresAt };
      const updated = await conditionally(this.db.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET #blockedUntil = :until, #expiresAt = :forgetAt, #firstBlockedAt = if_not_exists(#firstBlockedAt, :now) ADD #strikes :strikes, #offences :offences',
        // Only a remembered record adds up, and only if its block is not longer.
        ConditionExpression: 'attribute_not_exists(#pk) OR (#expiresAt > :now AND (attribute_not_exists(#blockedUntil) OR #blockedUntil <= :until))',
        ExpressionAttributeNames: {
          ...names,
          '#blockedUntil': BLOCK_ATTRIBUTES.blockedUntil,
          '#firstBlockedAt': BLOCK_ATTRIBUTES.firstBlockedAt,
          '#strikes': BLOCK_ATTRIBUTES.strikes,
          '#offences': BLOCK_ATTRIBUTES.offences,
        },
        ExpressionAttributeValues: {
          ':until': until,
          ':forgetAt': forgetAt,
          ':now': { N: now },
          ':strikes': { N: String(block.strikes) },
          ':offences': { N: String(block.offences) },
        },
      })));
      if (!updated) {
        // Forgotten but not yet deleted: start over. Otherwise a longer block is recorded: keep it.
        await conditionally(this.db.send(new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            [STATE_KEYS.expiresAt]: forgetAt,
            [BLOCK_ATTRIBUTES.blockedUntil]: until,
            [BLOCK_ATTRIBUTES.firstBlockedAt]: { N: now },
            [BLOCK_ATTRIBUTES.strikes]: { N: String(block.strikes) },
            [BLOCK_ATTRIBUTES.offences]: { N: String(block.offences) },
          },
          ConditionExpression: '#expiresAt <= :now',
          ExpressionAttributeNames: { '#expiresAt': STATE_KEYS.expiresAt },
          ExpressionAttributeValues: { ':now': { N: now } },
        })));
      }
    });
  }

  /**
   * The blocks of one IP version that have not ended, by address, with what ranks them. Read
   * consistently: every block recorded before the call is seen (the table keeps a block a day past
   * its end, so the end is checked here). A record without strikes counts one.
   */
  public async liveBlocks(version: IpVersion, nowSeconds: number): Promise<Map<string, BlockStanding>> {
    const blocks = new Map<string, BlockStanding>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: '#blockedUntil > :now OR (attribute_not_exists(#blockedUntil) AND #expiresAt > :now)',
        ProjectionExpression: '#sk, #expiresAt, #blockedUntil, #strikes, #offences, #firstBlockedAt',
        ExpressionAttributeNames: {
          '#pk': STATE_KEYS.partition,
          '#sk': STATE_KEYS.sort,
          '#expiresAt': STATE_KEYS.expiresAt,
          '#blockedUntil': BLOCK_ATTRIBUTES.blockedUntil,
          '#strikes': BLOCK_ATTRIBUTES.strikes,
          '#offences': BLOCK_ATTRIBUTES.offences,
          '#firstBlockedAt': BLOCK_ATTRIBUTES.firstBlockedAt,
        },
        ExpressionAttributeValues: { ':pk': { S: blockPartition(version) }, ':now': { N: String(nowSeconds) } },
        ExclusiveStartKey: startKey,
      }));
      for (const item of page.Items ?? []) {
        const address = item[STATE_KEYS.sort]?.S;
        const number = (name: string) => Number(item[name]?.N ?? NaN);
        const blockedUntil = item[BLOCK_ATTRIBUTES.blockedUntil] ? number(BLOCK_ATTRIBUTES.blockedUntil) : number(STATE_KEYS.expiresAt);
        if (address && Number.isFinite(blockedUntil)) {
          blocks.set(address, {
            blockedUntil,
            strikes: Math.max(1, number(BLOCK_ATTRIBUTES.strikes) || 0),
            offences: number(BLOCK_ATTRIBUTES.offences) || 0,
            firstBlockedAt: number(BLOCK_ATTRIBUTES.firstBlockedAt) || 0,
          });
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
    const partition = this.counterRegion === undefined ? `count#${address.cidr}` : `count#${this.counterRegion}#${address.cidr}`;
    return { [STATE_KEYS.partition]: { S: partition }, [STATE_KEYS.sort]: { S: '-' } };
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

/** Whether a conditional write was made: false if its condition failed. */
async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException') {
      return false;
    }
    throw error;
  }
}

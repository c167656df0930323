/**
 * Stateful fakes of the AWS calls the abuse blocker makes, for aws-sdk-client-mock: a DynamoDB table
 * that applies the blocker's counter and block writes, and AWS WAF IP sets that enforce lock tokens.
 * Shared by the bundle test and the benchmark.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetIPSetCommand, UpdateIPSetCommand, WAFOptimisticLockException, WAFV2Client } from '@aws-sdk/client-wafv2';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** A block item as the fake table holds it. */
export interface FakeBlockItem {
  readonly blockedUntil: number;
  readonly expiresAt: number;
  readonly strikes: number;
  readonly offences: number;
  readonly firstBlockedAt: number;
}

/** What the fakes hold; tests read and seed it. */
export interface FakeBlockerState {
  /** Counter items by partition key: window attribute → count. */
  readonly counters: Map<string, Record<string, number>>;
  /** Blocks by address: when each ends and when the table forgets it (seconds), its strikes and offences. */
  readonly blocks: Map<string, FakeBlockItem>;
  /** IP sets by id. */
  readonly sets: Record<string, { addresses: string[]; token: number; description?: string }>;
}

export interface FakeOptions {
  /** The IP sets that exist, by id, with their addresses. */
  readonly sets: Record<string, string[]>;
  /** Added to every call, to stand in for network latency. @default 0 */
  readonly latencyMs?: number;
}

/** Installs the fakes on the two client mocks (after resetting them) and returns their state. */
export function installBlockerFakes(waf: AwsClientStub<WAFV2Client>, db: AwsClientStub<DynamoDBClient>, options: FakeOptions): FakeBlockerState {
  const state: FakeBlockerState = {
    counters: new Map(),
    blocks: new Map(),
    sets: Object.fromEntries(Object.entries(options.sets).map(([id, addresses]) => [id, { addresses: [...addresses], token: 1, description: 'kept' }])),
  };
  const latency = options.latencyMs ?? 0;
  const later = async <T>(fn: () => T): Promise<T> => {
    if (latency > 0) {
      await new Promise((resolve) => setTimeout(resolve, latency));
    }
    return fn();
  };
  waf.reset();
  db.reset();
  waf.on(GetIPSetCommand).callsFake((input) => later(() => {
    const set = state.sets[input.Id];
    return {
      IPSet: { Name: input.Name, Id: input.Id, ARN: `arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/${input.Name}/${input.Id}`, IPAddressVersion: 'IPV4', Addresses: [...set.addresses], Description: set.description },
      LockToken: String(set.token),
    };
  }));
  waf.on(UpdateIPSetCommand).callsFake((input) => later(() => {
    const set = state.sets[input.Id];
    if (input.LockToken !== String(set.token)) {
      throw new WAFOptimisticLockException({ message: 'AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it.', $metadata: {} });
    }
    set.addresses = [...input.Addresses];
    set.description = input.Description;
    set.token++;
    return { NextLockToken: String(set.token) };
  }));
  db.on(UpdateItemCommand).callsFake((input) => later(() => {
    const key = input.Key.pk.S;
    if (key.startsWith('block#')) {
      // The block's update: added up while remembered, unless a longer block is recorded.
      const values = input.ExpressionAttributeValues;
      const existing = state.blocks.get(input.Key.sk.S);
      const [now, until] = [Number(values[':now'].N), Number(values[':until'].N)];
      if (existing && (existing.expiresAt <= now || existing.blockedUntil > until)) {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      }
      state.blocks.set(input.Key.sk.S, {
        blockedUntil: until,
        expiresAt: Number(values[':forgetAt'].N),
        strikes: (existing?.strikes ?? 0) + Number(values[':strikes'].N),
        offences: (existing?.offences ?? 0) + Number(values[':offences'].N),
        firstBlockedAt: existing?.firstBlockedAt ?? now,
      });
      return {};
    }
    const item = state.counters.get(key) ?? {};
    const names: Record<string, string> = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    // ADD #w<i> :n<i>, ... [REMOVE #stale]; or the clean-up's REMOVE #old<i>, ...
    for (const [alias, name] of Object.entries(names)) {
      const window = /^#w(\d+)$/.exec(alias);
      if (window) {
        item[name] = (item[name] ?? 0) + Number(values[`:n${window[1]}`].N);
      } else if (alias === '#stale' || alias.startsWith('#old')) {
        delete item[name];
      }
    }
    state.counters.set(key, item);
    return { Attributes: Object.fromEntries(Object.entries(item).map(([name, n]) => [name, { N: String(n) }])) };
  }));
  db.on(PutItemCommand).callsFake((input) => later(() => {
    // A forgotten block starts over.
    const address = input.Item.sk.S;
    if ((state.blocks.get(address)?.expiresAt ?? 0) > Number(input.ExpressionAttributeValues[':now'].N)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    const number = (name: string) => Number(input.Item[name].N);
    state.blocks.set(address, {
      blockedUntil: number('blockedUntil'),
      expiresAt: number('expiresAt'),
      strikes: number('strikes'),
      offences: number('offences'),
      firstBlockedAt: number('firstBlockedAt'),
    });
    return {};
  }));
  db.on(QueryCommand).callsFake((input) => later(() => {
    const ipv4 = input.ExpressionAttributeValues[':pk'].S === 'block#v4';
    const now = Number(input.ExpressionAttributeValues[':now'].N);
    const n = (value: number) => ({ N: String(value) });
    const items = [...state.blocks]
      .filter(([address, block]) => address.includes(':') !== ipv4 && block.blockedUntil > now)
      .map(([address, block]) => ({
        sk: { S: address },
        expiresAt: n(block.expiresAt),
        blockedUntil: n(block.blockedUntil),
        strikes: n(block.strikes),
        offences: n(block.offences),
        firstBlockedAt: n(block.firstBlockedAt),
      }));
    return { Items: items };
  }));
  return state;
}

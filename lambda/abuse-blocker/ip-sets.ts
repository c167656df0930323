import { GetIPSetCommand, UpdateIPSetCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { IpSetReference } from '../shared/constants';
import { jitteredDelay, RetryOptions } from './backoff';
import { BlockListPlan } from './block-list';

/** Plans an IP set's new addresses from its current ones; called again after each conflict. */
export type IpSetPlanner = (current: readonly string[]) => Promise<BlockListPlan> | BlockListPlan;

/** The outcome of {@link IpSets.update}. */
export interface IpSetUpdate {
  /** The plan that was written (or that needed no write). */
  readonly plan: BlockListPlan;
  /** Writes retried because another writer changed the set first. */
  readonly retries: number;
  /** Whether `UpdateIPSet` was called successfully. */
  readonly written: boolean;
}

/** The set changed under every attempt: thrown after {@link RetryOptions.maxAttempts}. */
export class IpSetConflictError extends Error {
  constructor(ipSet: IpSetReference, public readonly retries: number) {
    super(`IP set ${ipSet.name} kept changing under ${retries + 1} attempts to update it`);
    this.name = 'IpSetConflictError';
  }
}

/** The default: 10 attempts, back-off from up to 50 ms growing to at most 2 s (about 10 s in all). */
export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 2000 };

export interface IpSetsOptions {
  readonly retry?: RetryOptions;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Reads and writes AWS WAF IP sets. Writes are optimistic: read the set and its lock token, plan,
 * write with the token; if another writer changed the set in between, WAF refuses the write
 * (`WAFOptimisticLockException`) and the update starts over from a fresh read, so another
 * writer's change is never overwritten.
 */
export class IpSets {
  private readonly retry: RetryOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly waf: WAFV2Client, options: IpSetsOptions = {}) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** The addresses of an IP set. */
  public async addresses(ipSet: IpSetReference): Promise<string[]> {
    return (await this.read(ipSet)).addresses;
  }

  /** Updates an IP set to what `planner` makes of its current addresses. */
  public async update(ipSet: IpSetReference, planner: IpSetPlanner): Promise<IpSetUpdate> {
    for (let retries = 0; ; retries++) {
      const { addresses, description, lockToken } = await this.read(ipSet);
      const plan = await planner(addresses);
      if (!plan.changed) {
        return { plan, retries, written: false };
      }
      try {
        await this.waf.send(new UpdateIPSetCommand({
          Name: ipSet.name,
          Id: ipSet.id,
          Scope: ipSet.scope,
          // UpdateIPSet replaces the set's settings: keep its description.
          Description: description,
          Addresses: plan.addresses,
          LockToken: lockToken,
        }));
        return { plan, retries, written: true };
      } catch (error) {
        if ((error as Error)?.name !== 'WAFOptimisticLockException') {
          throw error;
        }
        if (retries + 1 >= this.retry.maxAttempts) {
          throw new IpSetConflictError(ipSet, retries);
        }
        await this.sleep(jitteredDelay(retries, this.retry, this.random));
      }
    }
  }

  private async read(ipSet: IpSetReference): Promise<{ addresses: string[]; description?: string; lockToken: string }> {
    const response = await this.waf.send(new GetIPSetCommand({ Name: ipSet.name, Id: ipSet.id, Scope: ipSet.scope }));
    if (!response.IPSet || !response.LockToken) {
      throw new Error(`GetIPSet returned no IP set or lock token for ${ipSet.name}`);
    }
    return { addresses: response.IPSet.Addresses ?? [], description: response.IPSet.Description, lockToken: response.LockToken };
  }
}

/**
 * The abuse blocker's batch time: one CloudWatch Logs subscription delivery of 10,000 access-log
 * events (base64 of gzipped JSON, as Lambda receives it) through the handler's own modules (decode,
 * parse, count, block, IP-set update), with the AWS SDK clients faked by aws-sdk-client-mock (the
 * SDK's middleware runs; the network does not). The baseline, measured in the same run, is the least
 * any handler must do with the delivery: decode it and `JSON.parse` every line.
 */
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { UpdateIPSetCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { AllowList } from '../lambda/abuse-blocker/allow-list';
import { BlockerDeps, processLogBatch } from '../lambda/abuse-blocker/blocker';
import { IpSets } from '../lambda/abuse-blocker/ip-sets';
import { decodeSubscription } from '../lambda/abuse-blocker/log-events';
import { StateStore } from '../lambda/abuse-blocker/state-store';
import { AbuseBlockerSettings } from '../lambda/shared/constants';
import { installBlockerFakes } from '../test/support/blocker-aws-fakes';
import { median } from './common';

export const BATCH_EVENTS = 10_000;
const IPV4 = 'ipv4-set';
const IPV6 = 'ipv6-set';
const ALLOW = 'allow-set';

/** A batch shape: how the 10,000 offences spread over client addresses. */
export interface BatchShape {
  readonly name: string;
  /** Distinct client addresses (half IPv4, half IPv6). */
  readonly addresses: number;
}

export const BATCH_SHAPES: readonly BatchShape[] = [
  { name: 'credential stuffing: 100 addresses, 100 offences each', addresses: 100 },
  { name: 'botnet: 2,000 addresses, 5 offences each', addresses: 2_000 },
  { name: 'spray: 10,000 addresses, 1 offence each', addresses: 10_000 },
];

export interface ShapeTiming {
  readonly shape: BatchShape;
  /** Median milliseconds for the batch through the blocker. */
  readonly blockerMs: number;
  /** Median milliseconds to decode the delivery and parse every line. */
  readonly baselineMs: number;
  readonly ratio: number;
  /** The same batch with every AWS call delayed by `latencyMs` (one run): what a deployed function would see. */
  readonly withLatencyMs: number;
  readonly latencyMs: number;
  readonly addressesBlocked: number;
  readonly counterWrites: number;
  /** `UpdateIPSet` calls per IP set in one batch (the most over the two sets). */
  readonly updatesPerSet: number;
  readonly samples: number;
}

const SETTINGS: AbuseBlockerSettings = {
  tableName: 'state',
  threshold: 5,
  windowSeconds: 300,
  blockSeconds: 3600,
  statusCodes: [401, 403],
  ipv6PrefixLength: 64,
  // The construct's defaults: 5 and 20 times the threshold.
  ipv6Networks: [{ prefixLength: 56, threshold: 25 }, { prefixLength: 48, threshold: 100 }],
  ipv4Set: { name: 'auto-v4', id: IPV4, scope: 'REGIONAL' },
  ipv6Set: { name: 'auto-v6', id: IPV6, scope: 'REGIONAL' },
  allowListSets: [{ name: 'allow-v4', id: ALLOW, scope: 'REGIONAL' }],
  exemptCidrs: [],
  maxAddressesPerSet: 10_000,
  metricsNamespace: 'SecureApi/Bench',
};

/** Client address `i`: even ones IPv4, odd ones IPv6, each in its own /64 (the blocker's IPv6 unit). */
function address(i: number): string {
  return i % 2 === 0 ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`;
}

/** A subscription delivery of `BATCH_EVENTS` offences spread over `addresses` addresses. */
function delivery(addresses: number, now: number): string {
  const logEvents = Array.from({ length: BATCH_EVENTS }, (_, i) => ({
    id: String(i),
    timestamp: now - 1000,
    // In the log format's order: the WAF verdict, the address and the status last.
    message: JSON.stringify({ requestId: `r${i}`, userAgent: 'bench', httpMethod: 'POST', path: '/login', wafResponseCode: '-', sourceIp: address(i % addresses), status: i % 3 === 0 ? 403 : 401 }),
  }));
  const message = { messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: 'access', logStream: 's', subscriptionFilters: ['f'], logEvents };
  return gzipSync(JSON.stringify(message)).toString('base64');
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as BlockerDeps['log'];
const noMetrics: BlockerDeps['metrics'] = { count: () => undefined, percent: () => undefined };

/** Runs one batch through the blocker against fresh fakes; returns the time and what it did. */
async function runBatch(data: string, latencyMs: number) {
  const waf = mockClient(WAFV2Client);
  const db = mockClient(DynamoDBClient);
  const state = installBlockerFakes(waf, db, { sets: { [IPV4]: [], [IPV6]: [], [ALLOW]: ['192.0.2.0/24'] }, latencyMs });
  const ipSets = new IpSets(new WAFV2Client({ region: 'eu-west-1' }));
  const deps: BlockerDeps = {
    settings: SETTINGS,
    store: new StateStore(new DynamoDBClient({ region: 'eu-west-1' }), SETTINGS.tableName),
    ipSets,
    allowList: new AllowList(SETTINGS.allowListSets, SETTINGS.exemptCidrs, (set) => ipSets.addresses(set)),
    metrics: noMetrics,
    log: quiet,
    now: Date.now,
  };
  const started = performance.now();
  const message = await decodeSubscription(data);
  if (message === undefined) {
    throw new Error('the bench delivery did not decode');
  }
  const outcome = await processLogBatch(message, deps);
  const elapsed = performance.now() - started;
  const updates = waf.commandCalls(UpdateIPSetCommand).map((call) => call.args[0].input.Id);
  const result = {
    elapsed,
    blocked: outcome.blocked.length,
    errors: outcome.errors,
    // Counter writes only: blocks are recorded with UpdateItem too.
    counterWrites: db.commandCalls(UpdateItemCommand).filter((call) => call.args[0].input.Key?.pk?.S?.startsWith('count#')).length,
    updatesPerSet: Math.max(0, ...[IPV4, IPV6].map((id) => updates.filter((u) => u === id).length)),
    ipSetSizes: Object.values(state.sets).map((set) => set.addresses.length),
  };
  waf.restore();
  db.restore();
  return result;
}

/** The baseline: decode the delivery and parse each line, nothing else. */
async function baseline(data: string): Promise<number> {
  const started = performance.now();
  const message = (await decodeSubscription(data))!;
  let parsed = 0;
  for (const event of message.logEvents) {
    parsed += JSON.parse((event as { message: string }).message).status > 0 ? 1 : 0;
  }
  const elapsed = performance.now() - started;
  if (parsed !== BATCH_EVENTS) {
    throw new Error(`the baseline parsed ${parsed} lines`);
  }
  return elapsed;
}

/** Measures each shape: `samples` alternating rounds of baseline and blocker after `warmups` rounds, then one run with latency. */
export async function measureAbuseBlocker(samples: number, warmups: number, latencyMs = 5): Promise<ShapeTiming[]> {
  const results: ShapeTiming[] = [];
  for (const shape of BATCH_SHAPES) {
    const data = delivery(shape.addresses, Date.now());
    const blockerTimes: number[] = [];
    const baselineTimes: number[] = [];
    let last: Awaited<ReturnType<typeof runBatch>> | undefined;
    for (let round = 0; round < warmups + samples; round++) {
      const first = round % 2 === 0;
      const base1 = first ? await baseline(data) : undefined;
      last = await runBatch(data, 0);
      const base2 = first ? undefined : await baseline(data);
      if (round >= warmups) {
        blockerTimes.push(last.elapsed);
        baselineTimes.push((base1 ?? base2)!);
      }
    }
    if (last!.errors > 0) {
      throw new Error(`the blocker reported ${last!.errors} errors on ${shape.name}`);
    }
    const withLatency = await runBatch(data, latencyMs);
    const blockerMs = median(blockerTimes);
    const baselineMs = median(baselineTimes);
    results.push({
      shape,
      blockerMs,
      baselineMs,
      ratio: blockerMs / baselineMs,
      withLatencyMs: withLatency.elapsed,
      latencyMs,
      addressesBlocked: last!.blocked,
      counterWrites: last!.counterWrites,
      updatesPerSet: last!.updatesPerSet,
      samples,
    });
  }
  return results;
}

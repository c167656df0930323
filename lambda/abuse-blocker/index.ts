import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ABUSE_BLOCKER_METRICS, ABUSE_BLOCKER_SERVICE, SETTINGS_FILE } from '../shared/constants';
import { AllowList } from './allow-list';
import { BlockerDeps, processLogBatch, sweepBlockLists } from './blocker';
import { IpSets } from './ip-sets';
import { decodeSubscription } from './log-events';
import { readSettings } from './settings';
import { StateStore } from './state-store';

// Read once per cold start, from the file the construct wrote next to this bundle: broken settings
// stop the function from starting.
const settings = readSettings(`${__dirname}/${SETTINGS_FILE}`, process.env);
const logger = new Logger({ serviceName: ABUSE_BLOCKER_SERVICE });
const metrics = new Metrics({ namespace: settings.metricsNamespace, serviceName: ABUSE_BLOCKER_SERVICE });
const ipSets = new IpSets(new WAFV2Client({}));
const deps: BlockerDeps = {
  settings,
  store: new StateStore(new DynamoDBClient({}), settings.tableName, settings.counterRegion),
  ipSets,
  allowList: new AllowList(settings.allowListSets, settings.exemptCidrs, (set) => ipSets.addresses(set), undefined, (entries) => {
    logger.warn('Allow-list entries that are not CIDR blocks are ignored', { entries: entries.slice(0, 20) });
  }),
  metrics: {
    count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
    percent: (name, value) => metrics.addMetric(name, MetricUnit.Percent, value),
  },
  log: logger,
  now: Date.now,
};

/**
 * The abuse blocker: invoked by the access log's subscription filter with a batch of log events,
 * and on a schedule to sweep expired blocks. Never throws, so a batch is never delivered twice
 * (which would count its offences twice).
 */
export async function handler(event: unknown): Promise<void> {
  try {
    const data = (event as { awslogs?: { data?: unknown } } | null)?.awslogs?.data;
    if (data !== undefined) {
      const message = await decodeSubscription(data);
      if (message === undefined) {
        unexpected('An invocation carried log data that is not a subscription message');
      } else {
        await processLogBatch(message, deps);
      }
    } else if ((event as { source?: unknown } | null)?.source === 'aws.events') {
      await sweepBlockLists(deps);
    } else {
      unexpected('An invocation was neither log events nor the sweep schedule');
    }
  } catch (error) {
    metrics.addMetric(ABUSE_BLOCKER_METRICS.errors, MetricUnit.Count, 1);
    logger.error('The abuse blocker failed', { error: error instanceof Error ? error.message : String(error) });
  } finally {
    metrics.publishStoredMetrics();
  }
}

function unexpected(message: string): void {
  metrics.addMetric(ABUSE_BLOCKER_METRICS.malformedEvents, MetricUnit.Count, 1);
  logger.warn(message);
}

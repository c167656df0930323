import { ASSUMED_AUTHORIZER_DURATION_MS, Price, PRICE_REGION, PRICES, PRICES_TAKEN_ON } from '../../compliance/price-table';
import { listOf, TemplateGraph } from './template-graph';

/** How CloudWatch bills an alarm. */
export type AlarmKind = 'standard' | 'high resolution' | 'anomaly detection' | 'composite';

/** How CloudWatch bills a metric alarm: its kind and the number of alarm metrics. */
export function alarmBilling(p: Record<string, any>): { kind: AlarmKind; metricsBilled: number } {
  if (p.ThresholdMetricId !== undefined) {
    return { kind: 'anomaly detection', metricsBilled: 3 };
  }
  const metrics = listOf(p.Metrics);
  const periods = metrics.length > 0 ? metrics.map((m) => m.MetricStat?.Period ?? m.Period).filter((x) => x !== undefined) : [p.Period];
  const highResolution = periods.some((period) => typeof period === 'number' && period < 60);
  const count = metrics.length > 0 ? metrics.filter((m) => m.MetricStat !== undefined).length : 1;
  return { kind: highResolution ? 'high resolution' : 'standard', metricsBilled: Math.max(count, 1) };
}

/** One line of the fixed monthly cost: quantity × unit price = amount. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly amountUsd: number;
  readonly source: string;
  readonly verified: string;
  readonly note?: string;
}

/** A price that grows with use, stated with what it assumes. */
export interface UsageLine {
  readonly item: string;
  readonly priceUsd: number;
  readonly unit: string;
  readonly source: string;
  readonly verified: string;
  readonly note?: string;
}

/** The cost of a stack's controls. */
export interface CostEstimate {
  readonly currency: 'USD';
  readonly pricesTakenOn: string;
  readonly priceRegion: string;
  /** What the stack costs a month before it serves a request. */
  readonly fixedMonthly: CostLine[];
  readonly fixedMonthlyTotalUsd: number;
  /** What each million requests to the API adds. */
  readonly perMillionRequests: CostLine[];
  readonly perMillionRequestsTotalUsd: number;
  /** Prices with no fixed part (per user, per GB). */
  readonly usageBased: UsageLine[];
}

/** Rounds a dollar amount to a hundredth of a cent, so sums print without float noise. */
function usd(amount: number): number {
  return Math.round(amount * 10_000) / 10_000;
}

function line(item: string, quantity: number, price: Price, note?: string, unitPrice = price.usd, unit = price.unit): CostLine {
  return {
    item,
    quantity,
    unit,
    unitPriceUsd: unitPrice,
    amountUsd: usd(quantity * unitPrice),
    source: price.source,
    verified: price.verified,
    note: note ?? price.note,
  };
}

function usage(item: string, price: Price, note?: string): UsageLine {
  return { item, priceUsd: price.usd, unit: price.unit, source: price.source, verified: price.verified, note: note ?? price.note };
}

/** Estimates the cost of the security and operations controls in a stack's templates. */
export function estimateCost(graph: TemplateGraph): CostEstimate {
  const fixed: CostLine[] = [];
  const perMillion: CostLine[] = [];
  const usageBased: UsageLine[] = [];
  const count = (type: string) => graph.resources(type).length;

  // AWS WAF
  const acls = graph.resources('AWS::WAFv2::WebACL');
  if (acls.length > 0) {
    fixed.push(line('AWS WAF web ACL', acls.length, PRICES.wafWebAcl));
    const rules = acls.flatMap((acl) => listOf(acl.resource.Properties?.Rules));
    const managed = rules.filter((r) => r.Statement?.ManagedRuleGroupStatement);
    const custom = rules.length - managed.length;
    if (custom > 0) {
      fixed.push(line('AWS WAF rules (custom)', custom, PRICES.wafRule));
    }
    if (managed.length > 0) {
      fixed.push(line(`AWS WAF managed rule groups, billed as rules (${managed.map((r) => r.Statement.ManagedRuleGroupStatement.Name).join(', ')})`, managed.length, PRICES.wafRule));
    }
    const bot = managed.filter((r) => r.Statement.ManagedRuleGroupStatement.Name === 'AWSManagedRulesBotControlRuleSet');
    if (bot.length > 0) {
      fixed.push(line('AWS WAF Bot Control subscription', bot.length, PRICES.wafBotControlSubscription));
      // The inspection level is in the group's config; without it, Bot Control inspects at COMMON.
      const isTargeted = (r: any) => listOf(r.Statement.ManagedRuleGroupStatement.ManagedRuleGroupConfigs)
        .some((c) => c?.AWSManagedRulesBotControlRuleSet?.InspectionLevel === 'TARGETED');
      if (bot.some((r) => !isTargeted(r))) {
        perMillion.push(line('AWS WAF Bot Control inspection, common level (beyond the 10 million included)', 1, PRICES.wafBotControlRequests));
      }
      if (bot.some(isTargeted)) {
        perMillion.push(line('AWS WAF Bot Control inspection, targeted level (beyond the 1 million included)', 1, PRICES.wafBotControlTargetedRequests));
      }
    }
    perMillion.push(line('AWS WAF requests inspected', acls.length, PRICES.wafRequests, 'each web ACL inspects each request of the resources it protects'));
  }

  // Cognito user pools: per-MAU plans only
  for (const pool of graph.resources('AWS::Cognito::UserPool')) {
    const tier = (pool.resource.Properties?.UserPoolTier as string | undefined) ?? 'ESSENTIALS';
    const price = tier === 'LITE' ? PRICES.cognitoLiteMau : tier === 'PLUS' ? PRICES.cognitoPlusMau : PRICES.cognitoEssentialsMau;
    fixed.push(line(`Amazon Cognito user pool ${pool.logicalId} (${tier} plan): no fixed part, billed per monthly active user`, 1, price, undefined, 0, 'user pool-month'));
    usageBased.push(usage(`Amazon Cognito ${tier} plan (${pool.logicalId})`, price));
  }

  // KMS
  const keys = count('AWS::KMS::Key');
  if (keys > 0) {
    fixed.push(line('AWS KMS customer-managed keys', keys, PRICES.kmsKey));
  }

  // CloudWatch alarms, dashboards, Contributor Insights
  let standard = 0;
  let highResolution = 0;
  let anomaly = 0;
  for (const alarm of graph.resources('AWS::CloudWatch::Alarm')) {
    const billing = alarmBilling(alarm.resource.Properties ?? {});
    if (billing.kind === 'anomaly detection') {
      anomaly += 1;
    } else if (billing.kind === 'high resolution') {
      highResolution += billing.metricsBilled;
    } else {
      standard += billing.metricsBilled;
    }
  }
  if (standard > 0) {
    fixed.push(line('CloudWatch alarm metrics, standard resolution', standard, PRICES.alarmStandardMetric));
  }
  if (highResolution > 0) {
    fixed.push(line('CloudWatch alarm metrics, high resolution', highResolution, PRICES.alarmHighResolutionMetric));
  }
  if (anomaly > 0) {
    fixed.push(line('CloudWatch anomaly-detection alarms', anomaly, PRICES.alarmAnomalyDetection));
  }
  const composite = count('AWS::CloudWatch::CompositeAlarm');
  if (composite > 0) {
    fixed.push(line('CloudWatch composite alarms', composite, PRICES.alarmComposite));
  }
  const dashboards = count('AWS::CloudWatch::Dashboard');
  if (dashboards > 0) {
    fixed.push(line('CloudWatch dashboards', dashboards, PRICES.dashboard));
  }
  const insightRules = count('AWS::CloudWatch::InsightRule');
  if (insightRules > 0) {
    fixed.push(line('CloudWatch Contributor Insights rules', insightRules, PRICES.contributorInsightsRule));
  }

  // Route 53
  const healthChecks = graph.resources('AWS::Route53::HealthCheck');
  if (healthChecks.length > 0) {
    // Priced as checks of AWS endpoints: an assumption (the prices' notes say so), as a check of an
    // API Gateway custom domain may be billed as a non-AWS endpoint.
    fixed.push(line('Route 53 health checks (priced as AWS endpoints)', healthChecks.length, PRICES.route53HealthCheck));
    const features = healthChecks.reduce((total, check) => {
      const config = check.resource.Properties?.HealthCheckConfig ?? {};
      const type = String(config.Type ?? '');
      return total
        + (type.startsWith('HTTPS') ? 1 : 0)
        + (type.endsWith('STR_MATCH') ? 1 : 0)
        + (config.RequestInterval === 10 ? 1 : 0)
        + (config.MeasureLatency === true ? 1 : 0);
    }, 0);
    if (features > 0) {
      fixed.push(line('Route 53 health check optional features (HTTPS, string match, fast interval, latency)', features, PRICES.route53HealthCheckFeature));
    }
  }
  const zones = count('AWS::Route53::HostedZone');
  if (zones > 0) {
    fixed.push(line('Route 53 hosted zones', zones, PRICES.route53HostedZone));
  }

  // Logs: no fixed part
  const logGroups = count('AWS::Logs::LogGroup');
  if (logGroups > 0) {
    usageBased.push(usage(`CloudWatch Logs ingestion (${logGroups} log groups)`, PRICES.logsIngestion));
    usageBased.push(usage(`CloudWatch Logs storage (${logGroups} log groups, kept as their retention says)`, PRICES.logsStorage));
  }

  // API Gateway REST requests
  const apis = count('AWS::ApiGateway::RestApi');
  if (apis > 0) {
    perMillion.push(line('API Gateway REST API calls', 1, PRICES.apiGatewayRestRequests));
  }

  // Lambda authorizers, one invocation per request (no cache hit: an upper bound)
  for (const authorizer of graph.resources('AWS::ApiGateway::Authorizer')) {
    const p = authorizer.resource.Properties ?? {};
    if (p.Type !== 'TOKEN' && p.Type !== 'REQUEST') {
      continue;
    }
    const fn = graph.resources('AWS::Lambda::Function').find((f) => JSON.stringify(p.AuthorizerUri ?? '').includes(`"${f.logicalId}"`) && f.node === authorizer.node);
    const memoryMb = (fn?.resource.Properties?.MemorySize as number | undefined) ?? 128;
    const arm = listOf(fn?.resource.Properties?.Architectures).includes('arm64');
    const gbSecond = arm ? PRICES.lambdaGbSecondArm : PRICES.lambdaGbSecondX86;
    const ttl = p.AuthorizerResultTtlInSeconds ?? 300;
    const caching = ttl > 0 ? `; results are cached ${ttl} s per token, so fewer invocations are likely: this is the upper bound` : '';
    perMillion.push(line(`Lambda authorizer ${authorizer.logicalId}: invocations (one per request${caching})`, 1, PRICES.lambdaRequests));
    const gbSeconds = 1_000_000 * (ASSUMED_AUTHORIZER_DURATION_MS / 1000) * (memoryMb / 1024);
    perMillion.push(line(
      `Lambda authorizer ${authorizer.logicalId}: duration, assumed ${ASSUMED_AUTHORIZER_DURATION_MS} ms at ${memoryMb} MB (${fn ? `${fn.logicalId}, ` : ''}${arm ? 'arm64' : 'x86_64'})`,
      gbSeconds, gbSecond, `${gbSeconds} GB-seconds per million invocations; the duration is an assumption, not a measurement`));
  }

  const sum = (lines: CostLine[]) => usd(lines.reduce((total, l) => total + l.amountUsd, 0));
  return {
    currency: 'USD',
    pricesTakenOn: PRICES_TAKEN_ON,
    priceRegion: PRICE_REGION,
    fixedMonthly: fixed,
    fixedMonthlyTotalUsd: sum(fixed),
    perMillionRequests: perMillion,
    perMillionRequestsTotalUsd: sum(perMillion),
    usageBased,
  };
}

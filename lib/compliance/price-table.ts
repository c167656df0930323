/**
 * The prices the security report's cost estimate uses: one reviewed table, so a price change is one
 * diff here and nowhere else. Not public API (the report prints the prices it used).
 *
 * Every price is in US dollars, on-demand, without free tiers (free tiers are account-wide and
 * the report cannot know what else uses them), and for US East (N. Virginia) unless its note says
 * otherwise. AWS WAF prices are the same in every commercial region (AWS blog below); the others
 * differ little between the large regions, but check the region of your stack before budgeting.
 *
 * `verified` says how the price was checked on `PRICES_TAKEN_ON`:
 * - `stored-page`: read on the cited page as stored for offline reading that day;
 * - `last-known`: from the public price list as last known, NOT re-verified offline that day (the
 *   cited page is where to check it).
 *
 * Review this file when `PRICES_TAKEN_ON` is more than six months old.
 */

/** The day these prices were taken (ISO 8601). */
export const PRICES_TAKEN_ON = '2026-12-03';

/** The region the prices are for, unless a price's note says otherwise. */
export const PRICE_REGION = 'us-east-1';

/** How a price was checked. */
export type PriceCheck = 'stored-page' | 'last-known';

/** One price of the table. */
export interface Price {
  /** The amount in US dollars for one `unit`. */
  readonly usd: number;
  /** What one unit is, such as `web ACL-month`. */
  readonly unit: string;
  /** Where the price is published. */
  readonly source: string;
  /** How the price was checked on `PRICES_TAKEN_ON`. */
  readonly verified: PriceCheck;
  /** Anything the reader needs to use the price right. */
  readonly note?: string;
}

const WAF_PRICING = 'https://aws.amazon.com/waf/pricing/';
const WAF_BLOG = 'https://aws.amazon.com/blogs/networking-and-content-delivery/cost-effective-ways-for-securing-your-web-applications-using-aws-waf/';
const KMS_PRICING = 'https://aws.amazon.com/kms/pricing/';
const CLOUDWATCH_PRICING = 'https://aws.amazon.com/cloudwatch/pricing/';
const APIGW_PRICING = 'https://aws.amazon.com/api-gateway/pricing/';
const APIGW_WHITEPAPER = 'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html';
const LAMBDA_PRICING = 'https://aws.amazon.com/lambda/pricing/';
const COGNITO_PRICING = 'https://aws.amazon.com/cognito/pricing/';
const ROUTE53_PRICING = 'https://aws.amazon.com/route53/pricing/';

/** The price table. */
export const PRICES = {
  wafWebAcl: {
    usd: 5, unit: 'web ACL-month', source: WAF_PRICING, verified: 'last-known',
    note: `prorated hourly; the same in every region (${WAF_BLOG}, stored page)`,
  },
  wafRule: {
    usd: 1, unit: 'rule-month', source: WAF_PRICING, verified: 'last-known',
    note: 'each rule of a web ACL, an AWS managed rule group counting as one rule',
  },
  wafRequests: { usd: 0.6, unit: 'million requests inspected', source: WAF_PRICING, verified: 'last-known' },
  wafBotControlSubscription: {
    usd: 10, unit: 'web ACL-month', source: WAF_PRICING, verified: 'last-known',
    note: 'Bot Control subscription (either inspection level), on top of its $1 rule-month',
  },
  wafBotControlRequests: {
    usd: 1, unit: 'million requests inspected by Bot Control', source: WAF_PRICING, verified: 'last-known',
    note: 'common inspection level; the first 10 million a month are included in the subscription',
  },
  wafBotControlTargetedRequests: {
    usd: 10, unit: 'million requests inspected by Bot Control', source: WAF_PRICING, verified: 'last-known',
    note: 'targeted inspection level; the first 1 million a month are included in the subscription',
  },
  kmsKey: {
    usd: 1, unit: 'key-month', source: KMS_PRICING, verified: 'stored-page',
    note: 'customer-managed key; with automatic rotation each rotated backing key adds $1/month (since April 2024 only the first and second rotations are charged: last-known, not re-verified)',
  },
  alarmStandardMetric: {
    usd: 0.1, unit: 'alarm metric-month', source: CLOUDWATCH_PRICING, verified: 'last-known',
    note: 'standard resolution (period of 60 s or more); a metric-math alarm pays for each metric it reads; the first 10 alarm metrics of the account are free',
  },
  alarmHighResolutionMetric: {
    usd: 0.3, unit: 'alarm metric-month', source: CLOUDWATCH_PRICING, verified: 'last-known',
    note: 'high resolution (period under 60 s)',
  },
  alarmAnomalyDetection: {
    usd: 0.3, unit: 'alarm-month', source: CLOUDWATCH_PRICING, verified: 'last-known',
    note: 'an anomaly-detection alarm is billed as 3 standard alarm metrics (the metric and the two band bounds)',
  },
  alarmComposite: { usd: 0.5, unit: 'alarm-month', source: CLOUDWATCH_PRICING, verified: 'last-known' },
  dashboard: {
    usd: 3, unit: 'dashboard-month', source: CLOUDWATCH_PRICING, verified: 'last-known',
    note: 'the first 3 dashboards of the account (up to 50 metrics each) are free (stored page)',
  },
  contributorInsightsRule: {
    usd: 0.5, unit: 'rule-month', source: CLOUDWATCH_PRICING, verified: 'last-known',
    note: 'plus $0.02 per million log events matched; the first rule of the account is free (stored page)',
  },
  logsIngestion: {
    usd: 0.5, unit: 'GB ingested', source: CLOUDWATCH_PRICING, verified: 'last-known',
    note: 'standard log class; usage-based, no fixed part',
  },
  logsStorage: {
    usd: 0.03, unit: 'GB-month stored', source: CLOUDWATCH_PRICING, verified: 'last-known',
    note: 'archived (compressed) data; usage-based, no fixed part',
  },
  apiGatewayRestRequests: {
    usd: 3.5, unit: 'million REST API calls', source: APIGW_PRICING, verified: 'stored-page',
    note: `first 333 million a month; then $2.80, $2.38 and $1.51 (${APIGW_WHITEPAPER}, stored page)`,
  },
  lambdaRequests: { usd: 0.2, unit: 'million invocations', source: LAMBDA_PRICING, verified: 'last-known' },
  lambdaGbSecondX86: { usd: 0.0000166667, unit: 'GB-second (x86_64)', source: LAMBDA_PRICING, verified: 'last-known' },
  lambdaGbSecondArm: { usd: 0.0000133334, unit: 'GB-second (arm64)', source: LAMBDA_PRICING, verified: 'last-known' },
  cognitoLiteMau: {
    usd: 0.0055, unit: 'monthly active user', source: COGNITO_PRICING, verified: 'last-known',
    note: 'Lite plan, above the free tier; no fixed part',
  },
  cognitoEssentialsMau: {
    usd: 0.015, unit: 'monthly active user', source: COGNITO_PRICING, verified: 'last-known',
    note: 'Essentials plan (the default of new user pools), above the free tier; no fixed part',
  },
  cognitoPlusMau: {
    usd: 0.02, unit: 'monthly active user', source: COGNITO_PRICING, verified: 'last-known',
    note: 'Plus plan (threat protection); no free tier; no fixed part',
  },
  route53HealthCheck: {
    usd: 0.5, unit: 'health check-month', source: ROUTE53_PRICING, verified: 'last-known',
    note: 'basic health check, priced as one of an AWS endpoint: an assumption, as Route 53 may bill a check of an API Gateway custom domain as a non-AWS endpoint ($0.75, and $2 per optional feature such as HTTPS)',
  },
  route53HealthCheckFeature: {
    usd: 1, unit: 'optional feature-month', source: ROUTE53_PRICING, verified: 'last-known',
    note: 'each of HTTPS, string matching, fast interval and latency measurement, for an AWS endpoint ($2 outside AWS)',
  },
  route53HostedZone: {
    usd: 0.5, unit: 'hosted zone-month', source: ROUTE53_PRICING, verified: 'last-known',
    note: 'the first 25 hosted zones of the account',
  },
} satisfies Record<string, Price>;

/** The name of a price in the table. */
export type PriceName = keyof typeof PRICES;

/**
 * What the estimate assumes of a Lambda authorizer's invocations (per-request costs only): the
 * average billed duration. Memory and architecture come from the function in the template.
 */
export const ASSUMED_AUTHORIZER_DURATION_MS = 50;

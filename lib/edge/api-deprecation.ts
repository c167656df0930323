import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ACCESS_LOG_KEYS, DEPRECATION_HEADERS, DEPRECATION_STAGE_VARIABLES } from '../../lambda/shared/constants';
import { addGatewayResponseHeader } from '../private/gateway-responses';
import { STAGE_VARIABLE_MAX_LENGTH, addStageVariable } from '../private/stage-variables';
import { ValidationError } from '../private/validation-error';
import { describe } from '../private/validators';
import type { ISecureRestApi } from '../secure-rest-api';

/** When an API version was deprecated, when it goes away, and where its callers read how to migrate. */
export interface ApiDeprecationOptions {
  /**
   * When the version was deprecated: an ISO 8601 date (`'2026-06-01'`, midnight UTC) or timestamp
   * (`'2026-06-01T12:00:00Z'`, with `Z` or an offset).
   */
  readonly deprecatedOn: string;

  /**
   * When the version stops answering, in the same format: after `deprecatedOn`, and not in the past
   * at synth.
   */
  readonly sunsetOn: string;

  /** The https URL of the migration guide, sent as `Link: <url>; rel="deprecation"`. */
  readonly link: string;
}

/** Properties of an {@link ApiDeprecation}. */
export interface ApiDeprecationProps extends ApiDeprecationOptions {
  /** The deprecated API version. */
  readonly api: ISecureRestApi;
}

/**
 * Marks an API version as deprecated (RFC 9745) with a sunset date (RFC 8594), and watches who still
 * calls it. `SecureRestApiProps.deprecation` creates one.
 *
 * - every gateway response (401, 403, 429, 5xx, ...) carries `Deprecation`, `Sunset` and `Link`;
 * - the stage variables `secureApiDeprecatedAt`, `secureApiSunsetAt` and `secureApiDeprecationLink`
 *   carry the same, for handlers to add the headers to their own responses with
 *   `withApiResponseHeaders(event, result)` (`lambda/shared/response-headers`): API Gateway cannot add
 *   headers to the response of a Lambda proxy integration;
 * - a CloudWatch Contributor Insights rule on the access log ranks the callers that still use the
 *   version, by API key, authorizer principal, IAM user and source address.
 */
export class ApiDeprecation extends Construct {
  /** When the version was deprecated. */
  public readonly deprecatedAt: Date;
  /** When the version goes away. */
  public readonly sunsetAt: Date;
  /** The migration guide. */
  public readonly link: string;
  /** The Contributor Insights rule that ranks the version's remaining callers. */
  public readonly topCallersRule: cloudwatch.CfnInsightRule;

  private readonly api: ISecureRestApi;

  constructor(scope: Construct, id: string, props: ApiDeprecationProps) {
    super(scope, id);
    this.api = props.api;
    this.deprecatedAt = parseDate(this, 'deprecation.deprecatedOn', props.deprecatedOn);
    this.sunsetAt = parseDate(this, 'deprecation.sunsetOn', props.sunsetOn);
    this.validateOrder(props);
    this.link = props.link;
    this.validateLink(props.link);

    const owner = `the deprecation of ${this.api.node.path}`;
    const deprecatedAt = unixSeconds(this.deprecatedAt);
    const sunsetAt = unixSeconds(this.sunsetAt);
    const headers = deprecationHeaderValues(deprecatedAt, this.sunsetAt, props.link);
    for (const [name, value] of Object.entries(headers)) {
      // Gateway-response header values are static strings in single quotes.
      addGatewayResponseHeader(this.api, name, `'${value}'`, owner);
    }
    addStageVariable(this.api.stage, DEPRECATION_STAGE_VARIABLES.deprecatedAt, String(deprecatedAt), owner);
    addStageVariable(this.api.stage, DEPRECATION_STAGE_VARIABLES.sunsetAt, String(sunsetAt), owner);
    addStageVariable(this.api.stage, DEPRECATION_STAGE_VARIABLES.link, props.link, owner);

    this.topCallersRule = new cloudwatch.CfnInsightRule(this, 'TopCallers', {
      ruleName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      ruleState: 'ENABLED',
      ruleBody: Stack.of(this).toJsonString({
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        LogGroupNames: [this.api.accessLogGroup.logGroupName],
        LogFormat: 'JSON',
        Contribution: {
          // Contributor Insights takes at most four keys: what identifies a caller in the access log.
          Keys: TOP_CALLER_KEYS.map((key) => `$.${key}`),
          Filters: [],
        },
        AggregateOn: 'Count',
      }),
    });
  }

  /**
   * Requests to the deprecated version: the stage's `Count`.
   *
   * @default - sum over 5 minutes
   */
  public metricDeprecatedCalls(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricCount({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), label: 'Calls to a deprecated version', ...props });
  }

  /**
   * How many distinct callers (API key, principal, IAM user and address together) called the
   * deprecated version, from the Contributor Insights rule.
   *
   * @default - over 5 minutes
   */
  public metricDistinctCallers(props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    return new cloudwatch.MathExpression({
      expression: `INSIGHT_RULE_METRIC('${this.topCallersRule.attrRuleName}', 'UniqueContributors')`,
      usingMetrics: {},
      period: Duration.minutes(5),
      label: 'Distinct callers of a deprecated version',
      ...props,
    });
  }

  private validateOrder(props: ApiDeprecationOptions): void {
    if (this.sunsetAt.getTime() <= this.deprecatedAt.getTime()) {
      throw new ValidationError(`\`deprecation.sunsetOn\` must be after \`deprecation.deprecatedOn\` (${describe(props.deprecatedOn)}), got ${describe(props.sunsetOn)}: a version is deprecated first and goes away later`, this);
    }
    if (this.sunsetAt.getTime() < Date.now()) {
      throw new ValidationError(`\`deprecation.sunsetOn\` must not be in the past, got ${describe(props.sunsetOn)}: a version past its sunset should be removed, or its sunset moved to a future date`, this);
    }
  }

  private validateLink(link: string): void {
    if (!Token.isUnresolved(link) && typeof link === 'string' && LINK_PATTERN.test(link) && link.length > STAGE_VARIABLE_MAX_LENGTH) {
      throw new ValidationError(`\`deprecation.link\` has ${link.length} characters, but the stage variable that carries it to the handlers holds at most ${STAGE_VARIABLE_MAX_LENGTH}: link a shorter URL`, this);
    }
    if (!Token.isUnresolved(link) && (typeof link !== 'string' || !LINK_PATTERN.test(link))) {
      throw new ValidationError(`\`deprecation.link\` must be an https URL of the characters A-Z a-z 0-9 - . _ ~ : / ? # & = , (a stage variable holds it), got ${describe(link)}: link the migration guide, such as 'https://example.com/docs/migrate-to-v2'`, this);
    }
  }
}

/** The access-log keys that identify a caller, for the top-callers rule (at most four). */
const TOP_CALLER_KEYS = [ACCESS_LOG_KEYS.apiKeyId, ACCESS_LOG_KEYS.principalId, ACCESS_LOG_KEYS.userArn, ACCESS_LOG_KEYS.sourceIp] as const;

/** An https URL that a stage variable can hold and a single-quoted gateway-response value can carry. */
const LINK_PATTERN = /^https:\/\/[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?([/?#][A-Za-z0-9\-._~:/?#&=,]*)?$/;

/** `YYYY-MM-DD`, or a full ISO 8601 timestamp with `Z` or an offset. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseDate(scope: Construct, prop: string, value: string): Date {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  const date = match ? new Date(match[4] === undefined ? `${value}T00:00:00Z` : value) : undefined;
  // A date-only value must name a real day: `new Date('2026-02-30')` rolls over to March.
  const realDay = match !== null && date !== undefined && !Number.isNaN(date.getTime())
    && (match[4] !== undefined || date.toISOString().slice(0, 10) === value);
  if (!realDay) {
    throw new ValidationError(`\`${prop}\` must be an ISO 8601 date ('2026-06-01') or timestamp ('2026-06-01T12:00:00Z'), got ${describe(value)}: write the date as YYYY-MM-DD`, scope);
  }
  // The headers carry Unix seconds, which handlers read as unsigned digits.
  if (date!.getTime() < 0) {
    throw new ValidationError(`\`${prop}\` must be on or after 1970-01-01, got ${describe(value)}: give the date the version was (or will be) deprecated or removed`, scope);
  }
  return date!;
}

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** The three header values, as `lambda/shared/response-headers/deprecation.ts` writes them too. */
function deprecationHeaderValues(deprecatedAt: number, sunsetAt: Date, link: string): Record<string, string> {
  return {
    [DEPRECATION_HEADERS.deprecation]: `@${deprecatedAt}`,
    [DEPRECATION_HEADERS.sunset]: sunsetAt.toUTCString(),
    [DEPRECATION_HEADERS.link]: `<${link}>; rel="deprecation"; type="text/html"`,
  };
}

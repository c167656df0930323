import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ACCESS_LOG_KEYS, WAF_BLOCK } from '../../lambda/shared/constants';

/** A metric the access log yields through a metric filter. */
interface AccessLogMetricSpec {
  /** The CloudWatch metric name. */
  readonly metricName: string;
  /** Which requests count. */
  readonly filterPattern: logs.IFilterPattern;
}

const status = `$.${ACCESS_LOG_KEYS.status}`;
const errorResponseType = `$.${ACCESS_LOG_KEYS.errorResponseType}`;
const integrationError = `$.${ACCESS_LOG_KEYS.integrationError}`;
const wafResponseCode = `$.${ACCESS_LOG_KEYS.wafResponseCode}`;

/** A pattern matching any of the gateway response types. */
function responseTypeIs(...types: apigw.ResponseType[]): logs.JsonPattern {
  return logs.FilterPattern.any(...types.map((type) => logs.FilterPattern.stringValue(errorResponseType, '=', type.responseType)));
}

/**
 * The signals API Gateway's own metrics lack, counted from the JSON access log (one line a request,
 * see `access-log-format.ts`). API Gateway writes `-` for a value that is not set.
 */
export const ACCESS_LOG_METRICS = {
  /**
   * Requests refused for their credentials: 401 (no or invalid token) and 403 (denied, or probing an
   * unknown path). Requests the web ACL blocked are left out: the firewall counts those itself.
   */
  failedAuthentications: {
    metricName: 'FailedAuthentications',
    filterPattern: logs.FilterPattern.all(
      logs.FilterPattern.any(logs.FilterPattern.numberValue(status, '=', 401), logs.FilterPattern.numberValue(status, '=', 403)),
      // WAF's own metrics count the requests the web ACL blocked.
      logs.FilterPattern.stringValue(wafResponseCode, '!=', WAF_BLOCK),
    ),
  },
  /** Requests refused with 429: the stage's or a route's throttle, or a usage plan's throttle or quota. */
  throttledRequests: {
    metricName: 'ThrottledRequests',
    filterPattern: logs.FilterPattern.numberValue(status, '=', 429),
  },
  /** Requests whose backend failed or timed out, as API Gateway saw it. */
  integrationErrors: {
    metricName: 'IntegrationErrors',
    filterPattern: logs.FilterPattern.any(
      responseTypeIs(apigw.ResponseType.INTEGRATION_FAILURE, apigw.ResponseType.INTEGRATION_TIMEOUT),
      logs.FilterPattern.stringValue(integrationError, '!=', '-'),
    ),
  },
  /**
   * Requests an authorizer could not decide: its function failed, timed out, was throttled or
   * returned no valid policy. API Gateway answers them with 500, so every caller of its routes is refused.
   */
  authorizerFailures: {
    metricName: 'AuthorizerFailures',
    filterPattern: responseTypeIs(apigw.ResponseType.AUTHORIZER_FAILURE, apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR),
  },
} as const satisfies Record<string, AccessLogMetricSpec>;

/** A metric of {@link ACCESS_LOG_METRICS}. */
export type AccessLogMetricName = keyof typeof ACCESS_LOG_METRICS;

/** Properties of {@link AccessLogMetrics}. */
export interface AccessLogMetricsProps {
  /** The access log group. */
  readonly logGroup: logs.ILogGroup;
  /** The CloudWatch namespace of the metrics, one per API so that APIs of an account do not mix. */
  readonly namespace: string;
}

/**
 * Metric filters on an API's access log, one per signal of {@link ACCESS_LOG_METRICS}. Each
 * publishes 1 for a matching request and 0 for any other, so the metrics have data whenever the
 * API has traffic.
 */
export class AccessLogMetrics extends Construct {
  /** The namespace of the metrics. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: AccessLogMetricsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    for (const [key, spec] of Object.entries(ACCESS_LOG_METRICS)) {
      new logs.MetricFilter(this, `${key.charAt(0).toUpperCase()}${key.slice(1)}`, {
        logGroup: props.logGroup,
        filterPattern: spec.filterPattern,
        metricNamespace: this.namespace,
        metricName: spec.metricName,
        metricValue: '1',
        defaultValue: 0,
        unit: cloudwatch.Unit.COUNT,
      });
    }
  }

  /**
   * One of the metrics.
   *
   * @default - sum over 1 minute
   */
  public metric(name: AccessLogMetricName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: ACCESS_LOG_METRICS[name].metricName,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...props,
    });
  }
}

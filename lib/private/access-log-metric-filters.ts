import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ACCESS_LOG_KEYS, WAF_BLOCK } from '../../lambda/shared/constants';
import { AccessLogMetricName } from '../observability/access-log-metric-name';

/** A metric the access log yields through a metric filter. */
interface AccessLogMetricSpec {
  /** The CloudWatch metric name. */
  readonly metricName: AccessLogMetricName;
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
 * see `access-log-format.ts`), by the construct id of their metric filter under `AccessLogMetrics`
 * (upper-cased first). API Gateway writes `-` for a value that is not set.
 */
export const ACCESS_LOG_METRICS = {
  /**
   * Requests refused for their credentials: 401 (no or invalid token) and 403 (denied, or probing an
   * unknown path). Requests the web ACL blocked are left out: the firewall counts those itself.
   */
  failedAuthentications: {
    metricName: AccessLogMetricName.FAILED_AUTHENTICATIONS,
    filterPattern: logs.FilterPattern.all(
      logs.FilterPattern.any(logs.FilterPattern.numberValue(status, '=', 401), logs.FilterPattern.numberValue(status, '=', 403)),
      // WAF's own metrics count the requests the web ACL blocked.
      logs.FilterPattern.stringValue(wafResponseCode, '!=', WAF_BLOCK),
    ),
  },
  /** Requests refused with 429: the stage's or a route's throttle, or a usage plan's throttle or quota. */
  throttledRequests: {
    metricName: AccessLogMetricName.THROTTLED_REQUESTS,
    filterPattern: logs.FilterPattern.numberValue(status, '=', 429),
  },
  /** Requests whose backend failed or timed out, as API Gateway saw it. */
  integrationErrors: {
    metricName: AccessLogMetricName.INTEGRATION_ERRORS,
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
    metricName: AccessLogMetricName.AUTHORIZER_FAILURES,
    filterPattern: responseTypeIs(apigw.ResponseType.AUTHORIZER_FAILURE, apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR),
  },
} as const satisfies Record<string, AccessLogMetricSpec>;

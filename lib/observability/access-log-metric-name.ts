/**
 * A metric an API's access log yields through a metric filter ({@link AccessLogMetrics}): the
 * signals API Gateway's own metrics lack. The values are the CloudWatch metric names.
 */
export enum AccessLogMetricName {
  /**
   * Requests refused for their credentials: 401 (no or invalid token) and 403 (denied, or probing
   * an unknown path). Requests the web ACL blocked are left out: the firewall counts those itself.
   */
  FAILED_AUTHENTICATIONS = 'FailedAuthentications',
  /** Requests refused with 429: the stage's or a route's throttle, or a usage plan's throttle or quota. */
  THROTTLED_REQUESTS = 'ThrottledRequests',
  /** Requests whose backend failed or timed out, as API Gateway saw it. */
  INTEGRATION_ERRORS = 'IntegrationErrors',
  /**
   * Requests an authorizer could not decide: its function failed, timed out, was throttled or
   * returned no valid policy. API Gateway answers them with 500.
   */
  AUTHORIZER_FAILURES = 'AuthorizerFailures',
}

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AccessLogMetricName } from './access-log-metric-name';
import { ACCESS_LOG_METRICS } from '../private/access-log-metric-filters';

/** Properties of {@link AccessLogMetrics}. */
export interface AccessLogMetricsProps {
  /** The access log group. */
  readonly logGroup: logs.ILogGroup;
  /** The CloudWatch namespace of the metrics, one per API so that APIs of an account do not mix. */
  readonly namespace: string;
}

/**
 * Metric filters on an API's access log, one per {@link AccessLogMetricName}. Each
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
   * @param name which metric
   * @default - sum over 1 minute
   */
  public metric(name: AccessLogMetricName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: name,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...props,
    });
  }
}

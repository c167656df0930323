/**
 * One count of a metric as a CloudWatch embedded metric format (EMF) log line: CloudWatch Logs
 * turns the line into the metric, with no API call.
 *
 * Written here rather than with Powertools Metrics, which would add about 11 KB to a bundle that
 * must stay under its 54 KB budget, for one counter.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function emfCount(
  namespace: string,
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
  timestampMs: number,
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: metricName, Unit: 'Count' }] }],
    },
    ...dimensions,
    [metricName]: 1,
  });
}

import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The width of a CloudWatch dashboard, in grid units: a row of `ApiDashboard` fills it. */
export const DASHBOARD_WIDTH = 24;
/** The height of a graph of `ApiDashboard`, in grid units. */
const GRAPH_HEIGHT = 6;

/** A graph a third of the dashboard wide, for the rows of `ApiDashboard` and those the firewall and the abuse blocker add. */
export function dashboardGraph(title: string, metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: DASHBOARD_WIDTH / 3, height: GRAPH_HEIGHT, leftYAxis: { min: 0 } });
}

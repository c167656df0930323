import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { DASHBOARD_WIDTH, dashboardGraph } from '../private/dashboard-graph';
import { validateSecureRestApi } from '../private/secure-rest-api-check';
import { ValidationError } from '../private/validation-error';
import { describe } from '../private/validators';
import type { ISecureRestApi } from '../secure-rest-api';

/** Properties of an {@link ApiDashboard}. */
export interface ApiDashboardProps {
  /** The API to show. */
  readonly api: ISecureRestApi;

  /**
   * The dashboard's name: letters, digits, `-` and `_`, at most 255 characters.
   *
   * @default - this construct's unique name
   */
  readonly dashboardName?: string;

  /**
   * The time range the dashboard opens with.
   *
   * @default Duration.hours(3)
   */
  readonly defaultRange?: Duration;
}

/** CloudWatch's rule for dashboard names. */
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ONE_MINUTE = Duration.minutes(1);

/**
 * One CloudWatch dashboard for an API, with the signals its alarms watch, readable at a glance:
 * the state of every alarm first; then traffic, errors and latency percentiles; then the suspicious
 * activity (failed authentications, throttled requests, integration errors); then the errors and
 * throttles of the functions the alarms watch. More rows can be added with {@link addRow}.
 *
 * Create it after the API's routes and authorizers: it shows the functions watched at that point.
 */
export class ApiDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ApiDashboardProps) {
    super(scope, id);
    const api = validateSecureRestApi(this, props?.api, 'the API whose metrics the dashboard shows');
    // Named after this construct, so two dashboards of one API do not clash.
    const dashboardName = props.dashboardName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '-' });
    if (!Token.isUnresolved(dashboardName) && !DASHBOARD_NAME.test(dashboardName)) {
      throw new ValidationError(`\`dashboardName\` must be 1 to 255 letters, digits, '-' or '_', got ${describe(dashboardName)}`, this);
    }
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName,
      defaultInterval: props.defaultRange ?? Duration.hours(3),
    });

    const alarms = api.alarms ? [...api.alarms.alarms, api.alarms.incidentAlarm] : [];
    if (alarms.length > 0) {
      this.addRow(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: DASHBOARD_WIDTH, height: 4 }));
    }
    this.addRow(
      dashboardGraph('Requests a minute', [api.metricCount({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE, label: 'requests' })]),
      dashboardGraph('Errors a minute', [
        api.metricClientError({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE, label: '4XX' }),
        api.metricServerError({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE, label: '5XX' }),
      ]),
      dashboardGraph('Latency (ms)', [50, 90, 99].map((percentile) =>
        api.metricLatency({ statistic: cloudwatch.Stats.p(percentile), period: ONE_MINUTE, label: `p${percentile}` }))),
    );
    this.addRow(
      dashboardGraph('Failed authentications a minute (401, 403)', [api.metricFailedAuthentications({ label: 'refused' })]),
      dashboardGraph('Throttled requests a minute (429)', [api.metricThrottledRequests({ label: 'throttled' })]),
      dashboardGraph('Integration errors and authorizer failures a minute', [
        api.metricIntegrationErrors({ label: 'integration failed or timed out' }),
        api.metricAuthorizerFailures({ label: 'authorizer failed' }),
      ]),
    );
    const functions = api.alarms?.monitoredFunctions ?? [];
    if (functions.length > 0) {
      this.addRow(
        dashboardGraph('Function errors a minute', functions.map((fn) => fn.metricErrors({ period: ONE_MINUTE, statistic: cloudwatch.Stats.SUM, label: labelOf(fn) }))),
        dashboardGraph('Function throttles a minute', functions.map((fn) => fn.metricThrottles({ period: ONE_MINUTE, statistic: cloudwatch.Stats.SUM, label: labelOf(fn) }))),
        dashboardGraph('Function duration p99 (ms)', functions.map((fn) => fn.metricDuration({ period: ONE_MINUTE, statistic: cloudwatch.Stats.p(99), label: labelOf(fn) }))),
      );
    }
  }

  /** Adds a row of widgets, such as the firewall's. */
  public addRow(...widgets: cloudwatch.IWidget[]): void {
    this.dashboard.addWidgets(new cloudwatch.Row(...widgets));
  }
}

/** A function's path in its stack, such as `Pets/Handler`: unique, where its id alone is not. */
function labelOf(fn: IConstruct): string {
  return fn.node.scopes.slice(fn.node.scopes.indexOf(Stack.of(fn)) + 1).map((scope) => scope.node.id).join('/');
}

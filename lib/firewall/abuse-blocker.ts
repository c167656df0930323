import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  ABUSE_BLOCKER_METRICS,
  ABUSE_BLOCKER_SERVICE,
  ABUSE_BLOCKER_TABLE_KEYS as TABLE_KEYS,
  BUNDLED_HANDLERS,
  AbuseBlockerSettings,
  ENV,
  IpSetReference,
  Ipv6NetworkThreshold,
  WAF_IP_SET_LIMIT,
} from '../../lambda/shared/constants';
import { ApiDashboard } from '../observability/api-dashboard';
import { BundledHandlerFunction } from '../private/bundled-handler';
import { Attachment, attach, refuseSecond } from '../private/attachments';
import { resolveReplication, ResolvedReplication } from '../private/block-list-replication';
import { validateCidrs } from '../private/cidr';
import { dashboardGraph } from '../private/dashboard-graph';
import { NAG_ACKNOWLEDGEMENTS, acknowledgeNag } from '../private/nag';
import { implementsSecureRestApi } from '../private/secure-rest-api-check';
import { ValidationError } from '../private/validation-error';
import { describe, validateDuration, validateRetention, validateWholeNumber } from '../private/validators';
import type { IApiFirewall } from './api-firewall';
import { BlockListReplication, BlockListReplicationRole } from './block-list-replication';

/** CloudWatch Logs' limit on a filter pattern's length. */
const MAX_FILTER_PATTERN_LENGTH = 1024;

const DEFAULT_THRESHOLD = 20;
const DEFAULT_WINDOW = Duration.minutes(5);
const DEFAULT_BLOCK_PERIOD = Duration.hours(1);
const DEFAULT_STATUS_CODES = [401, 403];
const DEFAULT_SWEEP_INTERVAL = Duration.minutes(5);
const DEFAULT_FILL_ALARM_PERCENT = 80;
const DEFAULT_IPV6_PREFIX_LENGTH = 64;
/** The default thresholds of an IPv6 /56 and /48, as multiples of `threshold`. */
const DEFAULT_IPV6_56_FACTOR = 5;
const DEFAULT_IPV6_48_FACTOR = 20;

/** Properties of an {@link AbuseBlocker}. */
export interface AbuseBlockerProps {
  /**
   * The firewall whose automatic block lists the blocker fills. It must create its web ACL (no
   * `webAclArn`), and takes one blocker.
   */
  readonly firewall: IApiFirewall;

  /**
   * Offending responses from one client address, within `window`, that get it blocked.
   *
   * @default 20
   */
  readonly threshold?: number;

  /**
   * The sliding window offences are counted over: whole minutes, from 1 to 60.
   *
   * @default Duration.minutes(5)
   */
  readonly window?: Duration;

  /**
   * How long an address stays blocked after it last reached the threshold: whole minutes, from 1
   * minute to 30 days. The sweep removes it within `sweepInterval` after that.
   *
   * @default Duration.hours(1)
   */
  readonly blockPeriod?: Duration;

  /**
   * The response statuses that count as offences. 401 and 403 are failed authentication and
   * refused access (including probes of paths that do not exist); add 404 or 429, for example, to
   * count those too. Requests AWS WAF blocked are never counted: the firewall already stopped them.
   *
   * @default [401, 403]
   */
  readonly statusCodes?: number[];

  /**
   * IPv6 clients are counted and blocked by the network of this many leading bits, from 48 to 128.
   * A client usually holds a whole /64 and could otherwise rotate through its addresses without
   * ever reaching the threshold (and fill the block list doing so); 128 counts each address alone.
   * A network that holds an allow-listed or exempt address is never blocked.
   *
   * @default 64
   */
  readonly ipv6PrefixLength?: number;

  /**
   * Offending responses from one IPv6 /56, within `window`, that get the whole /56 blocked. Each
   * /56's offences are counted together, besides each client network's own (`ipv6PrefixLength`),
   * so a client that spreads its offences over many /64s of its /56 is still caught. Counted only
   * when `ipv6PrefixLength` is longer than 56; must be greater than `threshold`. A /56 that holds
   * an allow-listed or exempt address is never blocked: its /64s are still counted and blocked
   * on their own.
   *
   * @default - 5 × `threshold` (100 with the default threshold)
   */
  readonly ipv6Prefix56Threshold?: number;

  /**
   * Offending responses from one IPv6 /48, within `window`, that get the whole /48 blocked, counted
   * like `ipv6Prefix56Threshold` (when `ipv6PrefixLength` is longer than 48). Must be greater than
   * the /56's threshold (or than `threshold` when /56s are not counted). A /48 that holds an
   * allow-listed or exempt address is never blocked: its /56s and /64s still are, on their own counts.
   *
   * @default - 20 × `threshold` (400 with the default threshold)
   */
  readonly ipv6Prefix48Threshold?: number;

  /**
   * CIDR blocks (IPv4 or IPv6) never blocked automatically, such as a partner's NAT shared by many
   * users. Unlike the firewall's allow lists, their requests still pass every firewall rule. The
   * firewall's allow lists are always exempt too (read from AWS WAF at run time).
   *
   * @default - none beyond the firewall's allow lists
   */
  readonly exemptCidrs?: string[];

  /**
   * How often the sweep removes expired blocks (and rebuilds the block lists from the table):
   * whole minutes, from 1 to 60.
   *
   * @default Duration.minutes(5)
   */
  readonly sweepInterval?: Duration;

  /**
   * The most addresses the blocker keeps in each block list (IPv4 and IPv6); a blocked IPv6 network
   * counts as one. When a list is full, it keeps repeat offenders first, then the heaviest (most
   * offences), then the blocks it already held (earliest first block), then by address; the others
   * wait outside until the sweep finds room, and the `AddressesEvicted` metric and alarm say so.
   *
   * @default 10000 (AWS WAF's limit for an IP set)
   */
  readonly maxBlockedAddresses?: number;

  /**
   * The function's reserved concurrency: fewer runs at once contend less for the IP sets' lock
   * tokens during a flood (throttled deliveries wait in Lambda's queue; they are not lost). Lambda
   * refuses a reservation that would leave the account fewer than 100 unreserved executions, so it
   * is off unless set.
   *
   * @default - no reservation (the account's unreserved concurrency)
   */
  readonly reservedConcurrency?: number;

  /**
   * The alarm on a nearly full block list fires at this fill, in percent.
   *
   * @default 80
   */
  readonly blockListFillAlarmPercent?: number;

  /**
   * What happens to the state table when it leaves the stack. With `RETAIN`, deletion protection is on.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The retention of the function's log group.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Shares the block list with the blockers of the API's other regions (one stack per region)
   * through a DynamoDB global table: `BlockListReplication.primary()` in the region whose stack
   * creates the table, `BlockListReplication.replica()` in each other region. Every region's
   * blocker records its blocks in its own replica, and its sweep rebuilds its own IP sets from
   * every live block in the table, so a block made in one region reaches every region's web ACL
   * within one `sweepInterval` plus the replication lag. Offences are counted per region.
   *
   * @default - no replication: the blocker keeps its own table in this region
   */
  readonly replication?: BlockListReplication;
}

/**
 * Blocks abusive clients automatically: reads the API's access log through a subscription filter,
 * counts each client address's offending responses (401 and 403 by default) over a sliding window,
 * and puts an address that reaches the threshold on the firewall's automatic block list (IPv4 or
 * IPv6) for the block period. A scheduled sweep takes expired blocks off.
 *
 * - The address is only ever `$context.identity.sourceIp`, the address API Gateway saw, never a
 *   header such as `X-Forwarded-For` that a client can forge.
 * - Addresses in the firewall's allow lists, or in `exemptCidrs`, are never blocked.
 * - Counters and blocks live in a DynamoDB table (encrypted with the API's key, expiring by TTL), so
 *   the block lists can always be rebuilt; each sweep does.
 * - IP sets are changed under AWS WAF's lock token: concurrent runs never lose each other's
 *   additions, conflicts are retried with jittered, bounded back-off, and a batch makes at most
 *   one `UpdateIPSet` call per list when nothing conflicts.
 * - IPv6 offences also count per /56 and per /48, each blocked whole at a higher threshold, so a
 *   client cannot spread its offences over many /64s.
 * - A list never exceeds `maxBlockedAddresses`: when full, it keeps repeat offenders, then the
 *   heaviest, then the blocks it already held; the sweep puts live blocks back when they rank in.
 * - Metrics (`AddressesBlocked`, `BlockListFillPercent`, `IpSetUpdateRetries`, `BlockerErrors`, …)
 *   go to the API's namespace, with alarms in the API's alarm set when it has one.
 * - With `replication`, the blockers of the API's regions share one block list through a DynamoDB
 *   global table: each records its blocks in its replica, and each sweep rebuilds its region's
 *   IP sets from every live block in the table.
 *
 * The access log group can have at most two subscription filters; this uses one.
 */
export class AbuseBlocker extends Construct {
  /** The function that counts offences and updates the block lists. */
  public readonly function: lambda.Function;
  /**
   * The table of counters and blocks: a `dynamodb.Table` without `replication`, a
   * `dynamodb.TableV2` (a global table) with `BlockListReplication.primary()`, and the replica of
   * that name in this region, imported, with `BlockListReplication.replica()`.
   */
  public readonly table: dynamodb.ITable;
  /**
   * With `BlockListReplication.replica()`: the alias on the API's key that the primary region's
   * stack names as the key of this region's replica.
   *
   * @default - none without `BlockListReplication.replica()`
   */
  public readonly replicaKeyAlias?: kms.Alias;
  /**
   * Where the function's failed invocations go (its on-failure destination): the access-log
   * deliveries whose offences were not counted, with the error. Encrypted with the API key,
   * TLS-only, kept 14 days; an alarm fires when it holds one.
   */
  public readonly failedInvocations: sqs.Queue;
  /** The access log's subscription filter that feeds the function. */
  public readonly subscriptionFilter: logs.SubscriptionFilter;
  /** The schedule of the sweep. */
  public readonly sweepSchedule: events.Rule;
  /**
   * The blocker's settings, as the function receives them.
   *
   * @internal
   */
  public readonly _settings: AbuseBlockerSettings;
  /** The blocker's alarms: addresses blocked (an attack signal), errors, malformed events, evicted blocks, a nearly full block list; empty without API alarms. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  private readonly firewall: IApiFirewall;

  constructor(scope: Construct, id: string, props: AbuseBlockerProps) {
    super(scope, id);
    this.firewall = this.validateFirewall(props?.firewall);
    refuseSecond(this.firewall, Attachment.ABUSE_BLOCKER, this, `\`firewall\` ${this.firewall.node.path} already has an AbuseBlocker: two would overwrite each other's block lists, so give the firewall one`);
    const { ipv4, ipv6 } = this.automaticBlockLists(this.firewall);
    const api = this.firewall.api;
    const window = props.window ?? DEFAULT_WINDOW;
    const blockPeriod = props.blockPeriod ?? DEFAULT_BLOCK_PERIOD;
    const sweepInterval = props.sweepInterval ?? DEFAULT_SWEEP_INTERVAL;
    const statusCodes = props.statusCodes ?? DEFAULT_STATUS_CODES;
    const exemptCidrs = props.exemptCidrs ?? [];
    const maxAddresses = props.maxBlockedAddresses ?? WAF_IP_SET_LIMIT;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    validateWholeNumber(this, 'threshold', props.threshold, { min: 1 });
    validateDuration(this, 'window', window, { min: Duration.minutes(1), max: Duration.hours(1), unit: 'minutes' });
    validateDuration(this, 'blockPeriod', blockPeriod, { min: Duration.minutes(1), max: Duration.days(30), unit: 'minutes' });
    validateDuration(this, 'sweepInterval', sweepInterval, { min: Duration.minutes(1), max: Duration.hours(1), unit: 'minutes' });
    validateWholeNumber(this, 'maxBlockedAddresses', maxAddresses, { min: 1, max: WAF_IP_SET_LIMIT });
    validateWholeNumber(this, 'ipv6PrefixLength', props.ipv6PrefixLength, { min: 48, max: 128 });
    const ipv6Networks = this.ipv6Networks(props);
    validateWholeNumber(this, 'blockListFillAlarmPercent', props.blockListFillAlarmPercent, { min: 1, max: 100 });
    validateWholeNumber(this, 'reservedConcurrency', props.reservedConcurrency, { min: 1, max: 1000 });
    validateRetention(this, 'logRetention', props.logRetention);
    this.validateStatusCodes(statusCodes);
    validateCidrs(this, 'exemptCidrs', exemptCidrs);

    const replication = props.replication === undefined ? undefined : resolveReplication(this, props.replication);
    this.table = this.createTable(replication, removalPolicy);
    if (replication?.keyAliasName !== undefined) {
      // The primary region's stack names this alias as the key of this region's replica.
      this.replicaKeyAlias = new kms.Alias(this, 'ReplicaKeyAlias', { aliasName: replication.keyAliasName, targetKey: api.key, removalPolicy });
    }

    const allowLists = [props.firewall.allowListIpv4, props.firewall.allowListIpv6].filter((set): set is wafv2.CfnIPSet => set !== undefined);
    this._settings = {
      tableName: this.table.tableName,
      threshold: props.threshold ?? DEFAULT_THRESHOLD,
      windowSeconds: window.toSeconds(),
      blockSeconds: blockPeriod.toSeconds(),
      statusCodes,
      ipv6PrefixLength: props.ipv6PrefixLength ?? DEFAULT_IPV6_PREFIX_LENGTH,
      ipv6Networks,
      ipv4Set: reference(ipv4),
      ipv6Set: reference(ipv6),
      allowListSets: allowLists.map(reference),
      exemptCidrs,
      maxAddressesPerSet: maxAddresses,
      metricsNamespace: api.accessLogMetrics.namespace,
      // One table for every region: each region counts its own offences (see StateStore).
      ...(replication === undefined ? {} : { counterRegion: replication.region }),
    };

    this.failedInvocations = new sqs.Queue(this, 'FailedInvocations', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: api.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const failedInvocationsArn = this.failedInvocations.queueArn;
    this.function = new BundledHandlerFunction(this, 'Function', {
      handler: BUNDLED_HANDLERS.abuseBlocker,
      description: `Blocks abusive clients of ${api.node.path}`.slice(0, 256),
      encryption: api.encryption,
      logGroupRetention: props.logRetention,
      logGroupRemovalPolicy: removalPolicy,
      // Conflicting IP-set writes back off for up to about 10 s; leave room for a slow batch.
      timeout: Duration.minutes(1),
      // A failed invocation is not retried: a retried batch would count its offences twice.
      retryAttempts: 0,
      // Granted below with exact actions (SqsDestination's grant would allow kms:GenerateDataKey* and kms:ReEncrypt*).
      onFailure: { bind: () => ({ destination: failedInvocationsArn }) },
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { [ENV.serviceName]: ABUSE_BLOCKER_SERVICE },
      settings: () => this._settings,
    });
    this.table.grant(this.function, 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:Query');
    // The table's key is the API's, which also encrypts its logs and topic: the function may use it
    // only through DynamoDB (decrypting its own environment is granted apart).
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      resources: [api.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
    }));
    // Lambda sends failed invocations to the queue with the function's role; SQS encrypts each with the key.
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [failedInvocationsArn] }));
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [api.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
    }));
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'],
      resources: [ipv4.attrArn, ipv6.attrArn],
    }));
    if (allowLists.length > 0) {
      this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['wafv2:GetIPSet'], resources: allowLists.map((set) => set.attrArn) }));
    }

    this.subscriptionFilter = new logs.SubscriptionFilter(this, 'AccessLogSubscription', {
      logGroup: api.accessLogGroup,
      destination: new destinations.LambdaDestination(this.function),
      filterPattern: this.offencePattern(statusCodes),
    });
    this.sweepSchedule = new events.Rule(this, 'SweepSchedule', {
      description: `Removes expired blocks from the automatic block lists of ${api.node.path}`.slice(0, 512),
      schedule: events.Schedule.rate(sweepInterval),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
    this.createAlarms(props.blockListFillAlarmPercent ?? DEFAULT_FILL_ALARM_PERCENT, sweepInterval);
    this.acknowledgeNagFindings(props);
    // Last: a blocker that failed validation is not the firewall's blocker.
    attach(this.firewall, Attachment.ABUSE_BLOCKER, this);
  }

  /**
   * The state table. Without replication, the table every blocker had (same construct id and
   * settings, so an existing table is kept). A primary creates a global table under another id: a
   * table cannot become global in place through CloudFormation (`AWS::DynamoDB::Table` and
   * `AWS::DynamoDB::GlobalTable` are different types), and its fixed name needs a new table anyway.
   */
  private createTable(replication: ResolvedReplication | undefined, removalPolicy: RemovalPolicy): dynamodb.ITable {
    const key = this.firewall.api.key;
    const deletionProtection = removalPolicy === RemovalPolicy.RETAIN;
    const keys = {
      partitionKey: { name: TABLE_KEYS.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sort, type: dynamodb.AttributeType.STRING },
    };
    if (replication === undefined) {
      return new dynamodb.Table(this, 'State', {
        ...keys,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: key,
        timeToLiveAttribute: TABLE_KEYS.expiresAt,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection,
        removalPolicy,
      });
    }
    if (replication.role === BlockListReplicationRole.REPLICA) {
      // The primary region's stack creates this region's replica; this region uses it by name
      // (its ARN is this region's, built at synth). Its key is this region's API key, by alias.
      return dynamodb.Table.fromTableAttributes(this, 'State', { tableName: replication.tableName, encryptionKey: key });
    }
    return new dynamodb.TableV2(this, 'GlobalState', {
      ...keys,
      tableName: replication.tableName,
      billing: dynamodb.Billing.onDemand(),
      // Each replica's key is the API key of its region, named by an alias ARN: "To specify a key,
      // use its key ID, Amazon Resource Name (ARN), alias name, or alias ARN" (AWS::DynamoDB::GlobalTable
      // ReplicaSSESpecification, KMSMasterKeyId). DynamoDB resolves the alias when it creates the
      // replica: pointing the alias at another key later does not re-encrypt the replica.
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(key, Object.fromEntries(replication.replicas.map((replica) => [replica.region, replica.keyAliasArn]))),
      timeToLiveAttribute: TABLE_KEYS.expiresAt,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection,
      removalPolicy,
      replicas: replication.replicas.map((replica) => ({ region: replica.region })),
    });
  }

  /**
   * The wider IPv6 networks counted besides each client's own (the /56 and /48 that are wider than
   * `ipv6PrefixLength`), each with its threshold, checked: each wider network needs more offences.
   */
  private ipv6Networks(props: AbuseBlockerProps): Ipv6NetworkThreshold[] {
    const prefixLength = props.ipv6PrefixLength ?? DEFAULT_IPV6_PREFIX_LENGTH;
    const threshold = props.threshold ?? DEFAULT_THRESHOLD;
    const networks = [
      { prop: 'ipv6Prefix56Threshold', prefixLength: 56, value: props.ipv6Prefix56Threshold, factor: DEFAULT_IPV6_56_FACTOR },
      { prop: 'ipv6Prefix48Threshold', prefixLength: 48, value: props.ipv6Prefix48Threshold, factor: DEFAULT_IPV6_48_FACTOR },
    ];
    let narrower = { prop: 'threshold', value: threshold };
    const counted: Ipv6NetworkThreshold[] = [];
    for (const network of networks) {
      validateWholeNumber(this, network.prop, network.value, { min: 1 });
      if (prefixLength <= network.prefixLength) {
        if (network.value !== undefined) {
          throw new ValidationError(`\`${network.prop}\` has no effect with \`ipv6PrefixLength\` ${prefixLength}, got ${network.value}: a client's own network is then a /${network.prefixLength} or wider, counted against \`threshold\`; leave it out, or set \`ipv6PrefixLength\` above ${network.prefixLength}`, this);
        }
        continue;
      }
      if (network.value === undefined && Token.isUnresolved(threshold)) {
        // A token's stand-in number multiplied is neither the value nor a token.
        throw new ValidationError(`\`${network.prop}\` must be given when \`threshold\` is a token (a value known only at deploy time): its default, ${network.factor} x threshold, cannot be worked out at synth; set it, or set \`ipv6PrefixLength\` to ${network.prefixLength} or less to count no /${network.prefixLength}`, this);
      }
      const value = network.value ?? network.factor * threshold;
      if (!Token.isUnresolved(value) && !Token.isUnresolved(narrower.value) && value <= narrower.value) {
        throw new ValidationError(`\`${network.prop}\` must be greater than \`${narrower.prop}\` (${narrower.value}), got ${value}: a /${network.prefixLength} holds many narrower networks, so it needs more offences than one; raise it above ${narrower.value}`, this);
      }
      counted.push({ prefixLength: network.prefixLength, threshold: value });
      narrower = { prop: network.prop, value };
    }
    return counted;
  }

  /** The firewall, checked by shape (callers in JavaScript or other languages can pass anything). */
  private validateFirewall(firewall: unknown): IApiFirewall {
    const candidate = firewall as Partial<IApiFirewall> | undefined;
    if (!Construct.isConstruct(firewall) || !implementsSecureRestApi(candidate?.api) || !('automaticBlockListIpv4' in firewall)) {
      const received = Construct.isConstruct(firewall) ? `the construct at '${firewall.node.path}'` : describe(firewall);
      throw new ValidationError(`\`firewall\` must be an ApiFirewall, got ${received}: pass the firewall whose automatic block lists the blocker fills`, this);
    }
    return firewall as IApiFirewall;
  }

  /** Addresses added to the automatic block lists. @default - sum over 1 minute */
  public metricAddressesBlocked(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ABUSE_BLOCKER_METRICS.addressesBlocked, cloudwatch.Stats.SUM, props);
  }

  /** Addresses the sweep removed: their block expired (or they were allow-listed since). @default - sum over 1 minute */
  public metricAddressesUnblocked(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ABUSE_BLOCKER_METRICS.addressesUnblocked, cloudwatch.Stats.SUM, props);
  }

  /** Live blocks dropped from (or kept out of) a full list. @default - sum over 1 minute */
  public metricAddressesEvicted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ABUSE_BLOCKER_METRICS.addressesEvicted, cloudwatch.Stats.SUM, props);
  }

  /** The fuller block list, in percent of `maxBlockedAddresses`. @default - maximum over 1 minute */
  public metricBlockListFill(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ABUSE_BLOCKER_METRICS.blockListFill, cloudwatch.Stats.MAXIMUM, props);
  }

  /** IP-set writes retried after a conflict. @default - sum over 1 minute */
  public metricIpSetUpdateRetries(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ABUSE_BLOCKER_METRICS.ipSetUpdateRetries, cloudwatch.Stats.SUM, props);
  }

  /** Log events or invocations the blocker could not read, skipped. @default - sum over 1 minute */
  public metricMalformedEvents(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ABUSE_BLOCKER_METRICS.malformedEvents, cloudwatch.Stats.SUM, props);
  }

  /** Steps that failed (a table or AWS WAF call, after its retries). @default - sum over 1 minute */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ABUSE_BLOCKER_METRICS.errors, cloudwatch.Stats.SUM, props);
  }

  /** Adds a row to `dashboard`: addresses blocked, unblocked and evicted; list fill; retries and errors. */
  public addDashboardRow(dashboard: ApiDashboard): void {
    dashboard.addRow(
      dashboardGraph('Abuse blocker: addresses a minute', [
        this.metricAddressesBlocked({ label: 'blocked' }),
        this.metricAddressesUnblocked({ label: 'unblocked' }),
        this.metricAddressesEvicted({ label: 'evicted (list full)' }),
      ]),
      dashboardGraph('Abuse blocker: fuller block list (%)', [this.metricBlockListFill({ label: 'fill' })]),
      dashboardGraph('Abuse blocker: retries, errors, malformed events', [
        this.metricIpSetUpdateRetries({ label: 'IP-set retries' }),
        this.metricErrors({ label: 'errors' }),
        this.metricMalformedEvents({ label: 'malformed' }),
      ]),
    );
  }

  private metric(metricName: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this._settings.metricsNamespace,
      metricName,
      // Powertools puts the service on every metric as a dimension.
      dimensionsMap: { service: ABUSE_BLOCKER_SERVICE },
      statistic,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /**
   * The blocker's alarms. Errors, malformed events, evictions and fill are measured per sweep interval: without an attack only the
   * sweep runs, and one-minute datapoints would be too sparse for the set's "3 of 5" rule.
   */
  private createAlarms(fillPercent: number, sweepInterval: Duration): void {
    const alarms = this.firewall.api.alarms;
    if (alarms === undefined) {
      return;
    }
    alarms.monitorFunction(this.function);
    this.alarms.push(
      alarms.addMetricAlarm('AbuseBlockerAddressesBlocked', {
        metric: this.metricAddressesBlocked(),
        threshold: 1,
        summary: 'The abuse blocker keeps blocking client addresses for repeated failed authentication or probing: credential stuffing or a scan is under way.',
        action: 'Read the blocker\'s log for the addresses and the access log for what they requested; a partner or office behind one address may need `exemptCidrs`.',
        attackSignal: true,
      }),
      alarms.addMetricAlarm('AbuseBlockerErrors', {
        metric: this.metricErrors({ period: sweepInterval }),
        threshold: 1,
        summary: 'The abuse blocker fails to count offences or to update the block lists, so abusive clients may not be blocked, or expired blocks not lifted.',
        action: 'Read the blocker function\'s log group for the failing step (table, AWS WAF, allow list); the sweep repairs the lists once the cause is gone.',
      }),
      alarms.addMetricAlarm('AbuseBlockerMalformedEvents', {
        metric: this.metricMalformedEvents({ period: sweepInterval }),
        threshold: 1,
        summary: 'The abuse blocker receives log lines or deliveries it cannot read, whose offences it does not count: a changed access-log format, oversized lines, or invocations that are not CloudWatch Logs deliveries.',
        action: 'Read the blocker function\'s log for the skipped events and the access log for their lines; check that the access-log format still ends with the WAF verdict, sourceIp and status.',
      }),
      alarms.addMetricAlarm('AbuseBlockerAddressesEvicted', {
        metric: this.metricAddressesEvicted({ period: sweepInterval }),
        threshold: 1,
        // Any eviction: a live block is not enforced.
        datapointsToAlarm: 1,
        summary: 'A full automatic block list dropped, or kept out, blocks that have not ended: addresses the blocker decided to block can reach the API. A flood of addresses may be pushing real blocks out.',
        action: 'Read the blocker\'s log for the evicted addresses and the BlockListFillPercent metric; consider a shorter block period, a higher threshold, geo or rate rules for a distributed attack, or blocking the networks by hand in the firewall\'s manual block list.',
      }),
      alarms.addMetricAlarm('AbuseBlockerFailedInvocations', {
        metric: this.failedInvocations.metricApproximateNumberOfMessagesVisible({ period: sweepInterval, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        datapointsToAlarm: 1,
        summary: 'Abuse blocker invocations failed and are now in its failed-invocations queue: access-log deliveries whose offences were not counted, or sweeps that did not run.',
        action: 'Read the blocker function\'s log for the error and the queue\'s messages for the events; once the cause is fixed, purge the queue (offences are counted live, not replayed; the next sweep makes up for a missed one).',
      }),
      alarms.addMetricAlarm('AbuseBlockerListFull', {
        metric: this.metricBlockListFill({ period: sweepInterval }),
        threshold: fillPercent,
        summary: `An automatic block list is ${fillPercent}% full or more: a distributed attack, or a block period too long for the traffic. A full list drops its lowest-ranked blocks (first offenders with the fewest offences).`,
        action: 'Check the blocked addresses and the AddressesEvicted metric; consider a shorter block period, a higher threshold, or the firewall\'s rate and geo rules for a distributed attack.',
      }),
    );
  }

  /** The cdk-nag findings that do not fit the blocker, each with its reason (see NAG_ACKNOWLEDGEMENTS). */
  private acknowledgeNagFindings(props: AbuseBlockerProps): void {
    acknowledgeNag(this.function, NAG_ACKNOWLEDGEMENTS.houseHandlerOutsideVpc);
    acknowledgeNag(this.function, NAG_ACKNOWLEDGEMENTS.blockerFailureDestination);
    if (props.reservedConcurrency === undefined) {
      acknowledgeNag(this.function, NAG_ACKNOWLEDGEMENTS.blockerConcurrency);
    }
    acknowledgeNag(this.failedInvocations, NAG_ACKNOWLEDGEMENTS.failureQueue);
    acknowledgeNag(this.sweepSchedule, NAG_ACKNOWLEDGEMENTS.sweepSchedule);
    acknowledgeNag(this.table, NAG_ACKNOWLEDGEMENTS.blockerStateBackup);
  }

  private automaticBlockLists(firewall: IApiFirewall): { ipv4: wafv2.CfnIPSet; ipv6: wafv2.CfnIPSet } {
    const { automaticBlockListIpv4: ipv4, automaticBlockListIpv6: ipv6 } = firewall;
    if (ipv4 === undefined || ipv6 === undefined) {
      throw new ValidationError(`\`firewall\` ${firewall.node.path} uses an existing web ACL (\`webAclArn\`), which has no automatic block lists: let the ApiFirewall create its web ACL`, this);
    }
    return { ipv4, ipv6 };
  }

  private validateStatusCodes(statusCodes: number[]): void {
    if (!Array.isArray(statusCodes) || statusCodes.length === 0) {
      throw new ValidationError(`\`statusCodes\` must list at least one response status, such as [401, 403], got ${describe(statusCodes)}`, this);
    }
    statusCodes.forEach((code, i) => {
      if (Token.isUnresolved(code) || !Number.isInteger(code) || code < 400 || code > 599) {
        throw new ValidationError(`\`statusCodes[${i}]\` must be an HTTP error status from 400 to 599, got ${describe(code)}`, this);
      }
      if (statusCodes.indexOf(code) !== i) {
        throw new ValidationError(`\`statusCodes[${i}]\` repeats ${code}: list each status once`, this);
      }
    });
  }

  private offencePattern(statusCodes: number[]): logs.IFilterPattern {
    const pattern = offencePattern(statusCodes);
    if (pattern.logPatternString.length > MAX_FILTER_PATTERN_LENGTH) {
      throw new ValidationError(`\`statusCodes\` lists ${statusCodes.length} statuses, whose filter pattern takes ${pattern.logPatternString.length} characters, over CloudWatch Logs' ${MAX_FILTER_PATTERN_LENGTH}: list fewer statuses`, this);
    }
    return pattern;
  }
}

function reference(ipSet: wafv2.CfnIPSet): IpSetReference {
  return { name: ipSet.name as string, id: ipSet.attrId, scope: 'REGIONAL' };
}

/**
 * Access-log lines that hold one of `statusCodes` anywhere: every offending line, and others (a
 * path or latency with those digits) that the blocker then ignores. Not a JSON pattern on purpose:
 * API Gateway does not escape every quote and backslash in client-shaped fields, so a client could
 * break its lines' JSON and a JSON pattern would never deliver them. The blocker reads the status,
 * address and WAF verdict from the end of the line, which API Gateway writes itself.
 */
function offencePattern(statusCodes: number[]): logs.IFilterPattern {
  return logs.FilterPattern.anyTerm(...statusCodes.map(String));
}

import { rulesCapacity, WAF_DEFAULT_CAPACITY, WAF_MAX_CAPACITY } from '../waf-capacity';
import { AlarmKind, alarmBilling, CostEstimate, estimateCost } from './cost';
import { GraphNode, GraphResource, listOf, ReportTemplate, TemplateGraph } from './template-graph';

/** CloudFormation's limit of resources in one template (a nested stack has its own). */
export const RESOURCES_PER_TEMPLATE_LIMIT = 500;

/** The version of the JSON report's shape; raised on a breaking change to it. */
export const REPORT_SCHEMA_VERSION = 1;

/** What the construct tree knows of a route that the template does not say (its description). */
export interface RouteFact {
  /** The label of the template of the route's REST API. */
  readonly restApiTemplate: string;
  /** The logical id of the route's REST API. */
  readonly restApiLogicalId: string;
  /** `<METHOD> <path>`. */
  readonly routeKey: string;
  /** The route's authorization as the access matrix describes it (groups and scopes included). */
  readonly authorization: string;
}

/** An acknowledgement recorded with `Validations.of(scope).acknowledge()`. */
export interface AcknowledgementFact {
  readonly ruleId: string;
  readonly reason: string;
  readonly constructPath: string;
  /** @default - the construct is not a resource */
  readonly logicalId?: string;
  /** @default - the construct is not a resource */
  readonly template?: string;
  /**
   * True when the construct has no resource in the stack's templates (an imported resource, such
   * as a replica region's table): the acknowledgement covers nothing here. Kept, and labelled, rather
   * than left out, so the report still shows every acknowledgement the construct tree records.
   * @default - the construct, or a construct under it, is a resource of the stack (or it is a scope above it)
   */
  readonly noResourceInStack?: boolean;
}

/** Everything the report is built from. */
export interface ReportInput {
  readonly artifactId: string;
  readonly stackName: string;
  readonly constructPath: string;
  /** @default - unknown (environment-agnostic stack) */
  readonly region?: string;
  /** @default - unknown */
  readonly account?: string;
  readonly template: ReportTemplate;
  readonly routes: readonly RouteFact[];
  readonly acknowledgements: readonly AcknowledgementFact[];
}

export interface Throttle { readonly rateLimit?: number; readonly burstLimit?: number }

export interface RouteRow {
  readonly api: string;
  readonly routeKey: string;
  readonly authorizationType: string;
  /** The access matrix's description, when the route was added with `addRoute`. */
  readonly authorization?: string;
  readonly scopes: string[];
  readonly authorizer?: { readonly logicalId: string; readonly name?: string; readonly type?: string; readonly resultTtlSeconds?: number };
  readonly apiKeyRequired: boolean;
  readonly throttle?: Throttle & { readonly source: 'method' | 'stage' };
  readonly template: string;
  readonly logicalId: string;
}

export interface UsageTierRow {
  readonly name: string;
  readonly logicalId: string;
  readonly throttle?: Throttle;
  readonly quota?: { readonly limit?: number; readonly period?: string; readonly offset?: number };
  readonly methodThrottles: Array<Throttle & { readonly method: string }>;
}

export interface WafRuleRow {
  readonly priority: number;
  readonly name: string;
  /** BLOCK, ALLOW, COUNT, CAPTCHA, CHALLENGE for a rule; for a rule group, what its override says. */
  readonly action: string;
  readonly managedGroup?: { readonly vendor: string; readonly name: string; readonly version?: string; readonly overrides: string[]; readonly config?: string };
  readonly capacity?: number;
}

export interface FirewallRow {
  readonly logicalId: string;
  readonly name?: string;
  readonly defaultAction: string;
  readonly rules: WafRuleRow[];
  /** @default - the capacity could not be computed for a statement the library does not write */
  readonly capacityUsed?: number;
  readonly capacityLimit: number;
  readonly capacityIncluded: number;
  readonly template: string;
}

export interface EncryptionRow {
  readonly type: string;
  readonly logicalId: string;
  readonly name?: string;
  readonly encryption: string;
  readonly kmsKey?: string;
  /** Log groups only: how long they keep their events, unless they never expire. */
  readonly retentionDays?: number;
  /** Log groups only: true when they keep their events for ever (no `RetentionInDays`). */
  readonly retentionNeverExpires?: boolean;
  readonly template: string;
}

export interface KeyRow {
  readonly logicalId: string;
  readonly rotation: boolean;
  readonly rotationPeriodDays?: number;
  readonly template: string;
}

export interface AlarmRow {
  readonly logicalId: string;
  readonly name?: string;
  readonly kind: AlarmKind;
  readonly metricsBilled: number;
  readonly actions: Array<{ readonly target: string; readonly subscriptions: string[] }>;
  readonly template: string;
}

export interface ResourceCountRow {
  readonly template: string;
  readonly fileName: string;
  readonly resources: number;
  readonly limit: number;
}

/** The report of one stack, what both renderers print. */
export interface SecurityReportModel {
  readonly schemaVersion: number;
  readonly stack: { readonly artifactId: string; readonly stackName: string; readonly constructPath: string; readonly region?: string; readonly account?: string };
  readonly routes: RouteRow[];
  readonly stageThrottles: Array<Throttle & { readonly api: string; readonly stage?: string }>;
  readonly usageTiers: UsageTierRow[];
  readonly firewalls: FirewallRow[];
  readonly keys: KeyRow[];
  readonly encryption: EncryptionRow[];
  readonly alarms: AlarmRow[];
  readonly resourceCounts: ResourceCountRow[];
  readonly acknowledgements: AcknowledgementFact[];
  readonly cost: CostEstimate;
}

/** What the JSON report is when the report could not be built (`incomplete` is only ever true). */
export interface IncompleteReport {
  readonly schemaVersion: number;
  readonly incomplete: true;
  /** The error that stopped the report, `<name>: <message>`. */
  readonly error: string;
  readonly stack: SecurityReportModel['stack'];
}

/** Builds a stack's report from its templates and the few facts only the construct tree has. */
export function buildReport(input: ReportInput): SecurityReportModel {
  const graph = new TemplateGraph(input.template);
  const stages = graph.resources('AWS::ApiGateway::Stage');
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    stack: { artifactId: input.artifactId, stackName: input.stackName, constructPath: input.constructPath, region: input.region, account: input.account },
    routes: routes(graph, stages, input.routes),
    stageThrottles: stages.map((stage) => {
      const all = listOf(stage.resource.Properties?.MethodSettings).find((s: any) => s.ResourcePath === '/*' && s.HttpMethod === '*');
      return { api: graph.describe(stage.node, stage.resource.Properties?.RestApiId), stage: stage.resource.Properties?.StageName, ...throttleOf(all, 'Throttling') };
    }),
    usageTiers: graph.resources('AWS::ApiGateway::UsagePlan').map(usageTier),
    firewalls: graph.resources('AWS::WAFv2::WebACL').map(firewall),
    keys: graph.resources('AWS::KMS::Key').map(({ node, logicalId, resource }) => ({
      logicalId,
      rotation: resource.Properties?.EnableKeyRotation === true,
      rotationPeriodDays: resource.Properties?.EnableKeyRotation === true ? (resource.Properties?.RotationPeriodInDays ?? 365) : undefined,
      template: node.template.label,
    })),
    encryption: encryption(graph),
    alarms: alarms(graph),
    resourceCounts: graph.nodes.map(({ template }) => ({
      template: template.label,
      fileName: template.fileName,
      resources: Object.keys(template.template.Resources ?? {}).length,
      limit: RESOURCES_PER_TEMPLATE_LIMIT,
    })),
    acknowledgements: [...input.acknowledgements],
    cost: estimateCost(graph),
  };
}

function throttleOf(settings: any, prefix: '' | 'Throttling'): Throttle {
  if (!settings) {
    return {};
  }
  const rate = settings[`${prefix}RateLimit`];
  const burst = settings[`${prefix}BurstLimit`];
  return { ...(rate !== undefined ? { rateLimit: rate } : {}), ...(burst !== undefined ? { burstLimit: burst } : {}) };
}

/** The `/a/{b}` path of an `AWS::ApiGateway::Resource` (or the root), following parents across templates. */
function resourcePath(graph: TemplateGraph, node: GraphNode, value: unknown, memo: Map<unknown, string>): string {
  const resolved = graph.resolve(node, value);
  if (resolved.kind !== 'resource') {
    return '/?';
  }
  const { target, attribute } = resolved;
  if (target.resource.Type === 'AWS::ApiGateway::RestApi' && attribute === 'RootResourceId') {
    return '/';
  }
  if (target.resource.Type !== 'AWS::ApiGateway::Resource') {
    return '/?';
  }
  const known = memo.get(target.resource);
  if (known !== undefined) {
    return known;
  }
  const parent = resourcePath(graph, target.node, target.resource.Properties?.ParentId, memo);
  const path = `${parent === '/' ? '' : parent}/${target.resource.Properties?.PathPart}`;
  memo.set(target.resource, path);
  return path;
}

function routes(graph: TemplateGraph, stages: GraphResource[], facts: readonly RouteFact[]): RouteRow[] {
  // Indexed once: a large API has thousands of methods, spread over nested stacks.
  const apiKey = (template: string, logicalId: string) => `${template}\u0000${logicalId}`;
  const factIndex = new Map(facts.map((fact, i) => [`${apiKey(fact.restApiTemplate, fact.restApiLogicalId)}\u0000${fact.routeKey}`, { fact, i }]));
  const stageOf = new Map<string, GraphResource>();
  for (const stage of stages) {
    const r = graph.resolve(stage.node, stage.resource.Properties?.RestApiId);
    if (r.kind === 'resource') {
      stageOf.set(apiKey(r.target.node.template.label, r.target.logicalId), stage);
    }
  }
  const paths = new Map<unknown, string>();
  const ordered = graph.resources('AWS::ApiGateway::Method').map(({ node, logicalId, resource }) => {
    const p = resource.Properties ?? {};
    const api = graph.resolve(node, p.RestApiId);
    const apiTemplate = api.kind === 'resource' ? api.target.node.template.label : node.template.label;
    const apiId = api.kind === 'resource' ? api.target.logicalId : graph.describe(node, p.RestApiId);
    const path = resourcePath(graph, node, p.ResourceId, paths);
    const routeKey = `${p.HttpMethod} ${path}`;
    const found = factIndex.get(`${apiKey(apiTemplate, apiId)}\u0000${routeKey}`);
    const authorizer = p.AuthorizerId !== undefined ? graph.resolve(node, p.AuthorizerId) : undefined;
    const stage = stageOf.get(apiKey(apiTemplate, apiId));
    // MethodSettings name a method by its path with `/` escaped as `~1`, after a leading `/`: `/~1pets/GET`.
    const escaped = `/${path.replace(/\//g, '~1')}`;
    const settings = listOf(stage?.resource.Properties?.MethodSettings);
    const own = settings.find((s) => s.ResourcePath === escaped && s.HttpMethod === p.HttpMethod);
    const all = settings.find((s) => s.ResourcePath === '/*' && s.HttpMethod === '*');
    const throttle = own && (own.ThrottlingRateLimit !== undefined || own.ThrottlingBurstLimit !== undefined)
      ? { ...throttleOf(own, 'Throttling'), source: 'method' as const }
      : all ? { ...throttleOf(all, 'Throttling'), source: 'stage' as const } : undefined;
    const row: RouteRow = {
      api: apiId,
      routeKey,
      authorizationType: p.AuthorizationType ?? 'NONE',
      authorization: found?.fact.authorization,
      scopes: listOf(p.AuthorizationScopes).map((scope) => graph.describe(node, scope)),
      authorizer: authorizer === undefined ? undefined : authorizer.kind === 'resource'
        ? {
          logicalId: authorizer.target.logicalId,
          name: authorizer.target.resource.Properties?.Name,
          type: authorizer.target.resource.Properties?.Type,
          resultTtlSeconds: authorizer.target.resource.Properties?.AuthorizerResultTtlInSeconds,
        }
        : { logicalId: graph.describe(node, p.AuthorizerId) },
      apiKeyRequired: p.ApiKeyRequired === true,
      throttle,
      template: node.template.label,
      logicalId,
    };
    // The access matrix's order (the order routes were added) where known, then the rest by key.
    return { row, order: found?.i ?? Number.MAX_SAFE_INTEGER };
  });
  return ordered.sort((a, b) => a.order - b.order || a.row.routeKey.localeCompare(b.row.routeKey)).map(({ row }) => row);
}

function usageTier({ logicalId, resource }: GraphResource): UsageTierRow {
  const p = resource.Properties ?? {};
  const methodThrottles = listOf(p.ApiStages).flatMap((stage: any) => Object.entries(stage.Throttle ?? {})
    .map(([method, throttle]) => ({ method, ...throttleOf(throttle, '') })));
  return {
    name: p.UsagePlanName ?? logicalId,
    logicalId,
    throttle: p.Throttle ? throttleOf(p.Throttle, '') : undefined,
    quota: p.Quota ? { limit: p.Quota.Limit, period: p.Quota.Period, offset: p.Quota.Offset } : undefined,
    methodThrottles,
  };
}

function actionName(action: Record<string, unknown> | undefined): string {
  const key = Object.keys(action ?? {})[0];
  return key ? key.toUpperCase() : '?';
}

function firewall({ node, logicalId, resource }: GraphResource): FirewallRow {
  const p = resource.Properties ?? {};
  const rules = listOf(p.Rules).sort((a: any, b: any) => a.Priority - b.Priority);
  const rows: WafRuleRow[] = rules.map((rule: any) => {
    const group = rule.Statement?.ManagedRuleGroupStatement;
    let capacity: number | undefined;
    try {
      capacity = rulesCapacity([camelCaseKeys(rule)]);
    } catch {
      capacity = undefined;
    }
    if (group) {
      const overrides = [
        ...listOf(group.RuleActionOverrides).map((o: any) => `${o.Name} → ${actionName(o.ActionToUse)}`),
        ...listOf(group.ExcludedRules).map((o: any) => `${o.Name} → COUNT (excluded)`),
      ];
      const configs = listOf(group.ManagedRuleGroupConfigs).map((c: any) => JSON.stringify(c));
      // A rule group's rules act as their own actions say, unless the override turns them all to COUNT.
      const action = rule.OverrideAction?.Count ? 'COUNT (whole group)' : 'rules\' own actions';
      return {
        priority: rule.Priority,
        name: rule.Name,
        action,
        managedGroup: { vendor: group.VendorName, name: group.Name, version: group.Version, overrides, config: configs.length > 0 ? configs.join(', ') : undefined },
        capacity,
      };
    }
    return { priority: rule.Priority, name: rule.Name, action: actionName(rule.Action), capacity };
  });
  const known = rows.every((r) => r.capacity !== undefined);
  return {
    logicalId,
    name: p.Name,
    defaultAction: actionName(p.DefaultAction),
    rules: rows,
    capacityUsed: known ? rows.reduce((total, r) => total + r.capacity!, 0) : undefined,
    capacityLimit: WAF_MAX_CAPACITY,
    capacityIncluded: WAF_DEFAULT_CAPACITY,
    template: node.template.label,
  };
}

/** A template's PascalCase keys in the camelCase of the L1 property types, which the WCU count reads. */
function camelCaseKeys(value: unknown): any {
  if (Array.isArray(value)) {
    return value.map(camelCaseKeys);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [camelCase(k), camelCaseKeys(v)]));
  }
  return value;
}

/** `IPSetReferenceStatement` → `ipSetReferenceStatement`, `FieldToMatch` → `fieldToMatch`, as the L1 types spell them. */
function camelCase(key: string): string {
  const leading = /^[A-Z]+(?=[A-Z][a-z])/.exec(key)?.[0] ?? key.charAt(0);
  return leading.toLowerCase() + key.slice(leading.length);
}

function keyText(graph: TemplateGraph, node: GraphNode, value: unknown): { encryption: string; kmsKey?: string } {
  const resolved = graph.resolve(node, value);
  if (resolved.kind === 'resource' && resolved.target.resource.Type === 'AWS::KMS::Key') {
    return { encryption: 'KMS (customer-managed key)', kmsKey: resolved.target.logicalId };
  }
  if (resolved.kind === 'resource' && resolved.target.resource.Type === 'AWS::KMS::Alias') {
    return { encryption: 'KMS (customer-managed key, by alias)', kmsKey: resolved.target.logicalId };
  }
  const text = graph.describe(node, value);
  return { encryption: /alias\/aws\//.test(text) ? 'KMS (AWS managed key)' : 'KMS', kmsKey: text };
}

function encryption(graph: TemplateGraph): EncryptionRow[] {
  const rows: EncryptionRow[] = [];
  const row = (g: GraphResource, name: unknown, enc: { encryption: string; kmsKey?: string }, extra: Partial<EncryptionRow> = {}) => rows.push({
    type: g.resource.Type,
    logicalId: g.logicalId,
    name: typeof name === 'string' ? name : name === undefined ? undefined : graph.describe(g.node, name),
    ...enc,
    ...extra,
    template: g.node.template.label,
  });
  for (const g of graph.resources('AWS::Logs::LogGroup')) {
    const p = g.resource.Properties ?? {};
    row(g, p.LogGroupName, p.KmsKeyId ? keyText(graph, g.node, p.KmsKeyId) : { encryption: 'CloudWatch Logs default (no KMS key)' },
      p.RetentionInDays === undefined ? { retentionNeverExpires: true } : { retentionDays: p.RetentionInDays });
  }
  for (const g of graph.resources('AWS::SNS::Topic')) {
    const p = g.resource.Properties ?? {};
    row(g, p.TopicName, p.KmsMasterKeyId ? keyText(graph, g.node, p.KmsMasterKeyId) : { encryption: 'none (no KMS key)' });
  }
  for (const g of [...graph.resources('AWS::DynamoDB::Table'), ...graph.resources('AWS::DynamoDB::GlobalTable')]) {
    const p = g.resource.Properties ?? {};
    const sse = p.SSESpecification ?? {};
    const replicaKeys = listOf(p.Replicas).map((r: any) => r.SSESpecification?.KMSMasterKeyId).filter((k: unknown) => k !== undefined);
    const key = sse.KMSMasterKeyId ?? replicaKeys[0];
    // `SSEEnabled: true` is KMS whatever `SSEType` says (KMS is its only value): with no key, the AWS
    // managed key aws/dynamodb (what `TableEncryption.AWS_MANAGED` writes). Without it, the AWS owned key.
    const enc = sse.SSEEnabled === true
      ? (key !== undefined ? keyText(graph, g.node, key) : { encryption: 'KMS (AWS managed key aws/dynamodb)' })
      : { encryption: 'AWS owned key (DynamoDB default)' };
    row(g, p.TableName, replicaKeys.length > 1 ? { ...enc, kmsKey: replicaKeys.map((k: unknown) => graph.describe(g.node, k)).join(', ') } : enc);
  }
  for (const g of graph.resources('AWS::SQS::Queue')) {
    const p = g.resource.Properties ?? {};
    row(g, p.QueueName, p.KmsMasterKeyId ? keyText(graph, g.node, p.KmsMasterKeyId)
      : { encryption: p.SqsManagedSseEnabled === false ? 'none' : 'SSE-SQS (SQS-owned key)' });
  }
  for (const g of graph.resources('AWS::S3::Bucket')) {
    const p = g.resource.Properties ?? {};
    const rule = listOf(p.BucketEncryption?.ServerSideEncryptionConfiguration)[0]?.ServerSideEncryptionByDefault;
    row(g, p.BucketName, rule?.KMSMasterKeyID ? keyText(graph, g.node, rule.KMSMasterKeyID)
      : { encryption: rule?.SSEAlgorithm ? `${rule.SSEAlgorithm}` : 'SSE-S3 (S3 default)' });
  }
  return rows;
}

function alarms(graph: TemplateGraph): AlarmRow[] {
  const subscriptions = graph.resources('AWS::SNS::Subscription');
  const actionsOf = (g: GraphResource) => [...new Set<unknown>(listOf(g.resource.Properties?.AlarmActions))].map((action) => {
    const resolved = graph.resolve(g.node, action);
    if (resolved.kind !== 'resource' || resolved.target.resource.Type !== 'AWS::SNS::Topic') {
      return { target: graph.describe(g.node, action), subscriptions: [] };
    }
    const topic = resolved.target;
    const subs = subscriptions.filter((s) => {
      const t = graph.resolve(s.node, s.resource.Properties?.TopicArn);
      return t.kind === 'resource' && t.target.logicalId === topic.logicalId && t.target.node === topic.node;
    }).map((s) => `${s.resource.Properties?.Protocol}: ${graph.describe(s.node, s.resource.Properties?.Endpoint)}`);
    const inline = listOf(topic.resource.Properties?.Subscription).map((s: any) => `${s.Protocol}: ${graph.describe(topic.node, s.Endpoint)}`);
    return { target: `SNS topic ${topic.logicalId}`, subscriptions: [...subs, ...inline] };
  });
  return [
    ...graph.resources('AWS::CloudWatch::Alarm').map((g) => {
      const billing = alarmBilling(g.resource.Properties ?? {});
      return { logicalId: g.logicalId, name: stringOrUndefined(g.resource.Properties?.AlarmName), ...billing, actions: actionsOf(g), template: g.node.template.label };
    }),
    ...graph.resources('AWS::CloudWatch::CompositeAlarm').map((g) => ({
      logicalId: g.logicalId,
      name: stringOrUndefined(g.resource.Properties?.AlarmName),
      kind: 'composite' as const,
      metricsBilled: 0,
      actions: actionsOf(g),
      template: g.node.template.label,
    })),
  ];
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

import { Annotations, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { validateThrottle } from '../private/throttle';
import { ValidationError } from '../private/validation-error';
import { describe, validateNonBlank, validateWholeNumber } from '../private/validators';
import { validateSecureRestApi } from '../private/secure-rest-api-check';
import type { ISecureRestApi } from '../secure-rest-api';
import { ThrottleSettings } from './throttle';

/** Letters, digits, `-` and `_`: a tier's name is also part of its construct id and plan name. */
const TIER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** API Gateway stores a quota's limit as a 32-bit signed integer. */
const MAX_QUOTA_LIMIT = 2_147_483_647;

/** The largest quota offset of each period: a weekday (0 to 6) or a day of the month (0 to 27). */
const MAX_QUOTA_OFFSET: Readonly<Record<apigw.Period, number>> = {
  [apigw.Period.DAY]: 0,
  [apigw.Period.WEEK]: 6,
  [apigw.Period.MONTH]: 27,
};

/** How an operator reads a key's value to hand it to its client: it is never in a template, output or log. */
const HOW_TO_READ_A_KEY_VALUE = 'aws apigateway get-api-key --api-key <key id> --include-value';

const USAGE_QUOTA_SYMBOL = Symbol.for('secure-api-gateway.UsageQuota');

/** Options of a weekly or monthly {@link UsageQuota}. */
export interface UsageQuotaOptions {
  /**
   * API Gateway's quota `offset`: the day the period starts on, counted from the period's first day
   * (for WEEK, 0 is Sunday; for MONTH, 0 is the 1st). At most 6 for WEEK and 27 for MONTH.
   *
   * AWS's references disagree on this field (the SDK references describe a start day, the API and
   * CloudFormation references a number of requests taken off the first period's limit); every value
   * accepted here is small enough to be safe under either reading.
   *
   * @default - not set: the period starts on its first day
   */
  readonly offset?: number;
}

/**
 * How many requests each client of a tier may make in a day, a week or a month. Every tier states
 * one; a tier without a quota must say why, with {@link UsageQuota.unlimited}.
 *
 * Quotas, like throttles, are targets that API Gateway applies on a best-effort basis: do not rely
 * on them to cap costs.
 */
export class UsageQuota {
  /** Whether `x` is a `UsageQuota`, of this or another copy of the library (where `instanceof` would say no). */
  public static isUsageQuota(x: any): x is UsageQuota {
    return x !== null && typeof x === 'object' && USAGE_QUOTA_SYMBOL in x;
  }

  /** At most `limit` requests a day for each client. */
  public static perDay(limit: number): UsageQuota {
    return new UsageQuota(limit, apigw.Period.DAY);
  }

  /** At most `limit` requests a week for each client. */
  public static perWeek(limit: number, options: UsageQuotaOptions = {}): UsageQuota {
    return new UsageQuota(limit, apigw.Period.WEEK, options.offset);
  }

  /** At most `limit` requests a month for each client. */
  public static perMonth(limit: number, options: UsageQuotaOptions = {}): UsageQuota {
    return new UsageQuota(limit, apigw.Period.MONTH, options.offset);
  }

  /**
   * No quota: the tier's clients are bounded by its throttle alone. The reason is required and
   * becomes part of the usage plan's default description, so a reviewer can see why.
   *
   * @param reason why the tier needs no quota, such as 'internal batch jobs, bounded by their throttle'
   */
  public static unlimited(reason: string): UsageQuota {
    return new UsageQuota(undefined, undefined, undefined, reason);
  }

  private constructor(
    /** The most requests a client may make in a period; `undefined` when unlimited. */
    public readonly limit: number | undefined,
    /** The period the limit applies to; `undefined` when unlimited. */
    public readonly period: apigw.Period | undefined,
    /** Where the period starts; `undefined` for the start of the period. */
    public readonly offset?: number,
    /** Why the tier has no quota; `undefined` when it has one. */
    public readonly unlimitedReason?: string,
  ) {
    Object.defineProperty(this, USAGE_QUOTA_SYMBOL, { value: true });
  }
}

/** A usage tier: one API Gateway usage plan with its limits. */
export interface UsageTierOptions {
  /**
   * The tier's name, such as `free` or `partner-gold`: 1 to 64 letters, digits, `-` and `_`,
   * unique among the tiers ignoring case. API keys name their tier with it.
   */
  readonly name: string;

  /**
   * The usage plan's description.
   *
   * @default - "Usage tier '<name>' of <API name>", with the reason when the tier has no quota
   */
  readonly description?: string;

  /**
   * The steady rate and the burst each client of the tier may send, over all methods. Both are
   * required: a tier states its limits. A limit above the stage's never takes effect (the stage
   * throttles all clients together first), so it gets a warning.
   */
  readonly throttle: ThrottleSettings;

  /** How many requests each client of the tier may make in a period, or `UsageQuota.unlimited(reason)`. */
  readonly quota: UsageQuota;

  /**
   * Throttles for single routes, keyed by route key (`'GET /pets/{petId}'`), in place of the
   * tier's `throttle` for those routes. Each route must require an API key: on other routes the
   * client is not identified, so no tier applies.
   *
   * @default - the tier's `throttle` applies to every route
   */
  readonly methodThrottles?: Record<string, ThrottleSettings>;
}

/** An API key and the tier it belongs to. */
export interface TierApiKeyOptions {
  /** The name of the tier whose limits apply to the key. Each key belongs to exactly one tier. */
  readonly tier: string;

  /**
   * The key's name, as shown in the console.
   *
   * @default - a name CloudFormation generates
   */
  readonly apiKeyName?: string;

  /**
   * The key's description, such as who holds it.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * Whether API Gateway accepts the key. Set `false` to suspend a client without losing the key.
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/** Properties of {@link UsageTiers}. */
export interface UsageTiersProps {
  /** The API whose stage the tiers meter. */
  readonly api: ISecureRestApi;

  /**
   * The tiers. More can be added with {@link UsageTiers.addTier}.
   *
   * @default - none
   */
  readonly tiers?: UsageTierOptions[];

  /**
   * The API keys, keyed by construct id, each with its tier. More can be added with
   * {@link UsageTiers.addApiKey}.
   *
   * @default - none
   */
  readonly apiKeys?: Record<string, TierApiKeyOptions>;
}

interface MethodThrottle {
  /** The prop in messages, such as `tiers[0].methodThrottles['GET /pets']`. */
  readonly prop: string;
  readonly routeKey: string;
  readonly method: apigw.Method;
  readonly throttle: ThrottleSettings;
}

interface TierRecord {
  readonly name: string;
  /** The prop in messages, such as `tiers[0]`. */
  readonly prop: string;
  readonly plan: apigw.UsagePlan;
  readonly throttle: ThrottleSettings;
  readonly methodThrottles: readonly MethodThrottle[];
}

interface KeyRecord {
  readonly key: apigw.IApiKey;
  readonly tier: TierRecord;
  readonly enabled: boolean;
}

/**
 * Usage tiers of a `SecureRestApi`: named usage plans, each with a throttle, a quota and optional
 * per-route throttles, and the API keys of each tier's clients.
 *
 * An API key identifies a client so that API Gateway can meter it; it is not proof of identity. A
 * key travels in a header, is often embedded in client code and cannot be scoped or short-lived, so
 * protect routes with an authorizer (Cognito, a JWT authorizer or IAM) and add
 * `apiKeyRequired: true` to the same routes to meter their callers. `RouteAuthorization.apiKey()`
 * alone suits partner integrations that can use nothing else.
 *
 * Tiers apply only to routes that require an API key: elsewhere API Gateway does not read the key.
 * Key values are generated by API Gateway and never appear in the template, in outputs or in the
 * access log (which records only the key's id); read one with
 * `aws apigateway get-api-key --api-key <key id> --include-value`.
 *
 * Problems that only show once the app is complete are reported at synth: a tier without a key, key
 * routes without any key, tiers without key routes, and limits above the stage's, as warnings.
 */
export class UsageTiers extends Construct {
  /** The API whose stage the tiers meter. */
  public readonly api: ISecureRestApi;

  private readonly tierRecords: TierRecord[] = [];
  private readonly keyRecords: KeyRecord[] = [];

  constructor(scope: Construct, id: string, props: UsageTiersProps) {
    super(scope, id);
    this.validateApi(props?.api);
    this.api = props.api;

    props.tiers?.forEach((tier) => this.addTier(tier));
    for (const [keyId, options] of Object.entries(props.apiKeys ?? {})) {
      this.addApiKey(keyId, options);
    }
    // What needs the finished app (keys and routes may be added later) is checked at synth. These are
    // warnings, never errors: keys may also be issued outside CDK, by a developer portal.
    this.node.addValidation({
      validate: () => {
        this.warnAboutTiersWithoutKeys();
        this.warnAboutKeyRoutesWithoutKeys();
        this.warnAboutTiersWithoutKeyRoutes();
        this.warnAboutThrottlesAboveTheStage();
        return [];
      },
    });
  }

  /** The usage plan of each tier, in the order the tiers were added. */
  public get usagePlans(): apigw.UsagePlan[] {
    return this.tierRecords.map((tier) => tier.plan);
  }

  /** Every API key, in the order they were added. */
  public get apiKeys(): apigw.IApiKey[] {
    return this.keyRecords.map((record) => record.key);
  }

  /** The names of the tiers, in the order they were added. */
  public get tierNames(): string[] {
    return this.tierRecords.map((tier) => tier.name);
  }

  /**
   * The usage plan of a tier, for keys created elsewhere (a developer portal) or for escape hatches.
   *
   * @param name the tier's name, exactly as given
   */
  public tier(name: string): apigw.UsagePlan {
    return this.tierNamed('tier(name)', name, 'name one of the tiers').plan;
  }

  /** Adds a tier: a usage plan on the API's stage with the tier's limits. */
  public addTier(options: UsageTierOptions): apigw.UsagePlan {
    const prop = `tiers[${this.tierRecords.length}]`;
    this.validateTierName(prop, options.name);
    this.validateTierThrottle(`${prop}.throttle`, options.throttle);
    this.validateQuota(`${prop}.quota`, options.quota);
    const methodThrottles = this.methodThrottles(prop, options.methodThrottles);

    const plan = new apigw.UsagePlan(this, `Tier-${options.name}`, {
      name: `${this.api.api.restApiName}-${options.name}`,
      description: options.description ?? this.defaultDescription(options),
      throttle: options.throttle,
      quota: renderQuota(options.quota),
      apiStages: [{
        api: this.api.api,
        stage: this.api.stage,
        throttle: methodThrottles.map(({ method, throttle }) => ({ method, throttle })),
      }],
    });
    this.tierRecords.push({ name: options.name, prop, plan, throttle: options.throttle, methodThrottles });
    return plan;
  }

  /**
   * Adds an API key to a tier. API Gateway generates the key's value: there is no way to set it
   * here, so it never appears in the template, in outputs or in logs.
   *
   * @param id the key's construct id, such as `PartnerAcme`
   */
  public addApiKey(id: string, options: TierApiKeyOptions): apigw.IApiKey {
    const prop = `apiKeys['${id}']`;
    this.validateNoKeyValue(prop, options);
    const tier = this.tierNamed(`${prop}.tier`, options?.tier, 'every API key belongs to exactly one tier; name one of the tiers');
    const enabled = options.enabled ?? true;
    const key = new apigw.ApiKey(this, id, {
      apiKeyName: options.apiKeyName,
      description: options.description,
      enabled,
    });
    // API Gateway allows a key in one usage plan per stage: the key joins its tier's plan only.
    tier.plan.addApiKey(key);
    this.keyRecords.push({ key, tier, enabled });
    return key;
  }

  private defaultDescription(options: UsageTierOptions): string {
    const base = `Usage tier '${options.name}' of ${this.api.api.restApiName}`;
    const reason = options.quota.unlimitedReason;
    return reason === undefined ? base : `${base}, without a quota: ${reason}`;
  }

  /** The tier called `name`; `fix` starts the advice in the message when `name` is blank. */
  private tierNamed(prop: string, name: string | undefined, fix: string): TierRecord {
    validateNonBlank(this, prop, name, `${fix} ${this.describeTiers()}`);
    const tier = this.tierRecords.find((t) => t.name === name);
    if (!tier) {
      throw new ValidationError(`\`${prop}\` names the tier ${describe(name)}, which does not exist: use one of the tiers ${this.describeTiers()}`, this);
    }
    return tier;
  }

  private describeTiers(): string {
    return this.tierRecords.length === 0
      ? "(there are none yet: add one first with `tiers` or addTier({ name: 'free', ... }))"
      : this.tierRecords.map((tier) => describe(tier.name)).join(', ');
  }

  /**
   * The per-route throttles of a tier, each resolved to its method. Only routes that require an API
   * key can be metered per client.
   */
  private methodThrottles(tierProp: string, throttles: Record<string, ThrottleSettings> | undefined): MethodThrottle[] {
    return Object.entries(throttles ?? {}).map(([routeKey, throttle]) => {
      const prop = `${tierProp}.methodThrottles['${routeKey}']`;
      this.validateMeteredRoute(prop, routeKey);
      this.validateTierThrottle(prop, throttle);
      return { prop, routeKey, method: this.api.methodFor(routeKey), throttle };
    });
  }

  private validateApi(api: unknown): void {
    validateSecureRestApi(this, api, 'the API whose stage the tiers meter');
  }

  private validateTierName(prop: string, name: string): void {
    validateNonBlank(this, `${prop}.name`, name, "give the tier a name such as 'free'");
    if (!TIER_NAME_PATTERN.test(name)) {
      throw new ValidationError(`\`${prop}.name\` must be 1 to 64 letters, digits, '-' or '_', got ${describe(name)}: use a name such as 'free' or 'partner-gold'`, this);
    }
    const other = this.tierRecords.find((tier) => tier.name.toLowerCase() === name.toLowerCase());
    if (other) {
      throw new ValidationError(`\`${prop}.name\` ${describe(name)} is already used by \`${other.prop}\` (${describe(other.name)}): tier names are compared ignoring case, so give each tier its own name`, this);
    }
  }

  /** Like the stage's throttle, and both limits are required: a tier states its limits. */
  private validateTierThrottle(prop: string, throttle: ThrottleSettings | undefined): void {
    const example = '{ rateLimit: 10, burstLimit: 20 }';
    if (throttle === undefined || throttle === null || typeof throttle !== 'object') {
      throw new ValidationError(`\`${prop}\` is missing: a tier states its limits, such as ${example}`, this);
    }
    validateThrottle(this, prop, throttle);
    for (const limit of ['rateLimit', 'burstLimit'] as const) {
      if (throttle[limit] === undefined) {
        throw new ValidationError(`\`${prop}.${limit}\` is missing: a tier states both its rate and its burst, such as ${example}`, this);
      }
    }
  }

  private validateQuota(prop: string, quota: UsageQuota | undefined): void {
    if (!UsageQuota.isUsageQuota(quota)) {
      throw new ValidationError(`\`${prop}\` is missing: a tier states its quota, such as UsageQuota.perDay(10_000), or UsageQuota.unlimited('<reason>') for none`, this);
    }
    if (quota.unlimitedReason !== undefined) {
      validateNonBlank(this, `UsageQuota.unlimited(reason)\` of \`${prop}`, quota.unlimitedReason,
        "say why the tier needs no quota, such as UsageQuota.unlimited('internal batch jobs, bounded by their throttle')");
      return;
    }
    validateWholeNumber(this, `${prop}.limit`, quota.limit, { min: 1, max: MAX_QUOTA_LIMIT });
    this.validateQuotaOffset(`${prop}.offset`, quota);
  }

  private validateQuotaOffset(prop: string, quota: UsageQuota): void {
    const offset = quota.offset;
    if (offset === undefined || Token.isUnresolved(offset) || quota.period === undefined) {
      return;
    }
    const max = MAX_QUOTA_OFFSET[quota.period];
    if (!Number.isInteger(offset) || offset < 0 || offset > max) {
      throw new ValidationError(`\`${prop}\` must be a whole number between 0 and ${max} for a ${quota.period} quota, got ${describe(offset)}: it is the day the period starts on, counted from the period's first day`, this);
    }
  }

  private validateMeteredRoute(prop: string, routeKey: string): void {
    const keyRoutes = this.api.routes.filter((route) => route.apiKeyRequired).map((route) => describe(route.routeKey));
    const routes = keyRoutes.length > 0 ? `the routes that require one are ${keyRoutes.join(', ')}` : 'no route requires one yet';
    const entry = this.api.routes.find((route) => route.routeKey === routeKey);
    if (!entry) {
      throw new ValidationError(`\`${prop}\` names a route that is not a route of this API: add the route with addRoute() before the tier, or name a route that requires an API key (${routes})`, this);
    }
    if (!entry.apiKeyRequired) {
      throw new ValidationError(`\`${prop}\` names a route that does not require an API key, so its callers are never matched to a tier and the throttle would never apply: set \`apiKeyRequired: true\` on the route, or remove the entry (${routes})`, this);
    }
  }

  /** A key's value would end up in the template; refuse it even where the types do not stop it. */
  private validateNoKeyValue(prop: string, options: TierApiKeyOptions): void {
    if ((options as { value?: unknown } | undefined)?.value !== undefined) {
      throw new ValidationError(`\`${prop}.value\` is not accepted: a value given here would be written into the template. Leave it out; API Gateway generates the value, which you can read with \`${HOW_TO_READ_A_KEY_VALUE}\``, this);
    }
  }

  private warnAboutTiersWithoutKeys(): void {
    for (const tier of this.tierRecords) {
      if (!this.keyRecords.some((record) => record.tier === tier && record.enabled)) {
        Annotations.of(tier.plan).addWarningV2('secure-api:tier-without-api-keys',
          `Tier '${tier.name}' has no enabled API key, so no client can use it: add one with addApiKey(id, { tier: '${tier.name}' }). If keys are issued outside CDK (a developer portal), acknowledge this warning.`);
      }
    }
  }

  private warnAboutKeyRoutesWithoutKeys(): void {
    const keyRoutes = this.api.routes.filter((route) => route.apiKeyRequired).map((route) => route.routeKey);
    if (keyRoutes.length > 0 && !this.keyRecords.some((record) => record.enabled)) {
      Annotations.of(this).addWarningV2('secure-api:api-key-routes-without-api-keys',
        `${keyRoutes.join(', ')} require an API key, but no tier has an enabled key, so API Gateway answers every call to them with 403: add a key with addApiKey(). If keys are issued outside CDK (a developer portal), acknowledge this warning.`);
    }
  }

  private warnAboutTiersWithoutKeyRoutes(): void {
    if (this.tierRecords.length > 0 && !this.api.routes.some((route) => route.apiKeyRequired)) {
      Annotations.of(this).addWarningV2('secure-api:tiers-without-api-key-routes',
        'No route of the API requires an API key, so API Gateway never reads one and the tiers\' throttles and quotas apply to no request: add `apiKeyRequired: true` (or RouteAuthorization.apiKey()) to the routes the tiers should meter.');
    }
  }

  private warnAboutThrottlesAboveTheStage(): void {
    for (const tier of this.tierRecords) {
      this.warnIfAbove(tier.plan, `${tier.prop}.throttle`, tier.throttle, this.api.throttleFor(), 'the stage');
      for (const methodThrottle of tier.methodThrottles) {
        this.warnIfAbove(tier.plan, methodThrottle.prop, methodThrottle.throttle, this.api.throttleFor(methodThrottle.routeKey), `the stage for ${methodThrottle.routeKey}`);
      }
    }
  }

  private warnIfAbove(scope: Construct, prop: string, throttle: ThrottleSettings, stageThrottle: ThrottleSettings, where: string): void {
    for (const limit of ['rateLimit', 'burstLimit'] as const) {
      const value = throttle[limit];
      const stageValue = stageThrottle[limit];
      if (isNumber(value) && isNumber(stageValue) && value > stageValue) {
        Annotations.of(scope).addWarningV2('secure-api:tier-throttle-above-stage',
          `\`${prop}.${limit}\` is ${value}, above the ${stageValue} of ${where}: the stage throttles all clients together first, so the tier can never use more than ${stageValue}. Lower the tier's limit, or raise the API's \`throttle\` (or the route's).`);
      }
    }
  }
}

function renderQuota(quota: UsageQuota): apigw.QuotaSettings | undefined {
  if (quota.limit === undefined) {
    return undefined;
  }
  return { limit: quota.limit, period: quota.period, offset: quota.offset };
}

function isNumber(value: number | undefined): value is number {
  return typeof value === 'number' && !Token.isUnresolved(value);
}

import { Annotations, ArnFormat, Duration, Fn, Names, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { SECURITY_HEADERS } from '../../lambda/shared/constants';
import { ApiDashboard } from '../observability/api-dashboard';
import { validateCidrs } from '../private/cidr';
import { corsConfigOf, wafResponseCorsHeaders } from '../private/cors';
import { dashboardGraph } from '../private/dashboard-graph';
import { ParsedRoute, parseRouteKey } from '../private/route-key';
import { Attachment, attach, attached, refuseSecond } from '../private/attachments';
import { validateSecureRestApi } from '../private/secure-rest-api-check';
import { ValidationError } from '../private/validation-error';
import { describe, validateRetention, validateWholeNumber } from '../private/validators';
import {
  WAF_DEFAULT_CAPACITY,
  WAF_MAX_CAPACITY,
  statementCapacity,
} from '../private/waf-capacity';
import { validateCountryCodes } from '../private/waf-countries';
import {
  NO_TRANSFORMATION,
  WAF_MAX_REGEX_LENGTH,
  WAF_RULE_NAME_PATTERN,
  routePathRegex,
  routeRuleName,
  routeScopeDown,
} from '../private/waf-statements';
import type { ISecureRestApi } from '../secure-rest-api';
import type { AbuseBlocker } from './abuse-blocker';

/** Whether the web ACL's rules act on the requests they match, or only count them. */
export enum FirewallMode {
  /** Rules act: blocking rules block, the allow list allows. For production. */
  BLOCK = 'BLOCK',
  /**
   * Every rule only counts what it matches (rule actions and managed groups' override actions are
   * Count), so nothing is blocked: to try the rules on real traffic in dev or staging first.
   */
  COUNT = 'COUNT',
}

/** The AWS managed rule groups the firewall can run, by their names in AWS WAF. */
export enum ManagedRuleGroup {
  /** Addresses Amazon threat intelligence has seen attack, probe or DDoS (25 WCU). On by default. */
  AMAZON_IP_REPUTATION_LIST = 'AWSManagedRulesAmazonIpReputationList',
  /** VPNs, proxies, Tor and hosting providers (50 WCU). Opt-in: it also blocks clients in clouds. */
  ANONYMOUS_IP_LIST = 'AWSManagedRulesAnonymousIpList',
  /** The core rule set: OWASP Top 10 style exploits, XSS, size restrictions (700 WCU). On by default. */
  COMMON_RULE_SET = 'AWSManagedRulesCommonRuleSet',
  /** Known bad inputs such as Log4Shell patterns (200 WCU). On by default. */
  KNOWN_BAD_INPUTS = 'AWSManagedRulesKnownBadInputsRuleSet',
  /** SQL injection (200 WCU). On by default. */
  SQL_INJECTION = 'AWSManagedRulesSQLiRuleSet',
  /** Linux-specific local file inclusion (200 WCU). Opt-in. */
  LINUX = 'AWSManagedRulesLinuxRuleSet',
  /** POSIX shell commands and file inclusion (100 WCU). Opt-in. */
  UNIX = 'AWSManagedRulesUnixRuleSet',
  /** Requests for administrative pages (100 WCU). Opt-in. */
  ADMIN_PROTECTION = 'AWSManagedRulesAdminProtectionRuleSet',
  /** Bot Control (50 WCU). Opt-in, and paid: a monthly fee and a price per million requests. */
  BOT_CONTROL = 'AWSManagedRulesBotControlRuleSet',
}

/** How thoroughly Bot Control inspects requests. Both levels are paid; TARGETED costs more. */
export enum BotControlInspectionLevel {
  /** Self-identifying bots, from static request data. */
  COMMON = 'COMMON',
  /** Also bots that hide, using browser interrogation (needs the client-side SDK) and heuristics. */
  TARGETED = 'TARGETED',
}

/**
 * Which AWS managed rule groups run, in this order after the firewall's own rules: IP reputation,
 * anonymous IP, core rule set, known bad inputs, SQL injection, Linux, POSIX, admin protection, Bot
 * Control (last, so that it, being paid per request inspected, sees only what the others let through).
 */
export interface ManagedRuleGroupsOptions {
  /**
   * `AWSManagedRulesAmazonIpReputationList`.
   *
   * @default true
   */
  readonly amazonIpReputationList?: boolean;

  /**
   * `AWSManagedRulesCommonRuleSet`. Its `SizeRestrictions_BODY` rule is set to Count: the
   * firewall's own body-size rule ({@link ApiFirewallProps.requestBodyLimit}) decides instead.
   *
   * @default true
   */
  readonly commonRuleSet?: boolean;

  /**
   * `AWSManagedRulesKnownBadInputsRuleSet`.
   *
   * @default true
   */
  readonly knownBadInputs?: boolean;

  /**
   * `AWSManagedRulesSQLiRuleSet`.
   *
   * @default true
   */
  readonly sqlInjection?: boolean;

  /**
   * `AWSManagedRulesAnonymousIpList`. It blocks hosting providers too, so server-to-server clients
   * running in a cloud are refused unless its `HostingProviderIPList` rule is overridden.
   *
   * @default false
   */
  readonly anonymousIpList?: boolean;

  /**
   * `AWSManagedRulesLinuxRuleSet`.
   *
   * @default false
   */
  readonly linux?: boolean;

  /**
   * `AWSManagedRulesUnixRuleSet`.
   *
   * @default false
   */
  readonly unix?: boolean;

  /**
   * `AWSManagedRulesAdminProtectionRuleSet`.
   *
   * @default false
   */
  readonly adminProtection?: boolean;

  /**
   * `AWSManagedRulesBotControlRuleSet` at this inspection level. Bot Control is paid (a monthly fee
   * per web ACL and a price per million requests it inspects). Most clients of an API are HTTP
   * libraries, which its `CategoryHttpLibrary` and `SignalNonBrowserUserAgent` rules block: override
   * them to COUNT ({@link ApiFirewallProps.managedRuleOverrides}) unless that is what you want.
   *
   * @default - Bot Control does not run
   */
  readonly botControl?: BotControlInspectionLevel;
}

/** What a rule of a managed rule group does instead of its own action. */
export enum ManagedRuleAction {
  /** Allow the request: no later rule sees it. */
  ALLOW = 'ALLOW',
  /** Block the request with the firewall's 403 response. */
  BLOCK = 'BLOCK',
  /** Only count (and label) the request. */
  COUNT = 'COUNT',
  /** Ask for a CAPTCHA (browsers only). */
  CAPTCHA = 'CAPTCHA',
  /** Run a silent browser challenge (browsers only). */
  CHALLENGE = 'CHALLENGE',
}

/** One rule of a managed rule group with another action than its own. */
export interface ManagedRuleOverride {
  /** The group, which must be enabled. */
  readonly ruleGroup: ManagedRuleGroup;
  /**
   * The rule's name in the group, such as `SizeRestrictions_QUERYSTRING` or `NoUserAgent_HEADER`.
   * AWS WAF silently ignores an override naming no rule of the group: copy names from the group's
   * documentation.
   */
  readonly ruleName: string;
  /** What the rule does instead. */
  readonly action: ManagedRuleAction;
}

/** A per-client-address rate limit. */
export interface RateLimitOptions {
  /**
   * The most requests one client address may send in `evaluationWindow`; beyond it, its requests
   * get 429 until its rate falls back under the limit. AWS WAF allows 10 to 2,000,000,000.
   *
   * @default 2000
   */
  readonly limit?: number;

  /**
   * How far back AWS WAF counts: 1, 2, 5 or 10 minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly evaluationWindow?: Duration;
}

/** A stricter rate limit on one route, such as `POST /login`. */
export interface RouteRateLimit {
  /** The route, `<METHOD> <path>`; it must be a route of the API when the app is synthesized. */
  readonly routeKey: string;

  /** The most requests per client (address, or header value) in `evaluationWindow`: 10 to 2,000,000,000. */
  readonly limit: number;

  /**
   * How far back AWS WAF counts: 1, 2, 5 or 10 minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly evaluationWindow?: Duration;

  /**
   * Count per value of this request header (such as `x-api-key`) instead of per client address.
   * AWS WAF leaves requests without the header out of the rule, so this limits holders of a key, not
   * a flood: a route that does not require the header gets a warning, as its callers can simply
   * leave the header out. Invalid key values are each counted apart, and refused by API Gateway.
   *
   * @default - per client address
   */
  readonly aggregateOnHeader?: string;

  /**
   * The rule's name in the web ACL (letters, digits, `_`, `-`; at most 128), also its metric name.
   *
   * @default - `RateLimit-<METHOD>-<path>`, plus `-by-<header>` when counted per header
   */
  readonly ruleName?: string;
}

const REQUEST_BODY_LIMIT_SYMBOL = Symbol.for('secure-api-gateway.RequestBodyLimit');

/**
 * How large a request body may be. The firewall blocks larger ones with its own rule, the last of
 * the web ACL, rather than with the core rule set's fixed 8 KB `SizeRestrictions_BODY` (set to Count).
 */
export class RequestBodyLimit {
  /** Whether `x` is a `RequestBodyLimit`, of this or another copy of the library (where `instanceof` would say no). */
  public static isRequestBodyLimit(x: any): x is RequestBodyLimit {
    return x !== null && typeof x === 'object' && REQUEST_BODY_LIMIT_SYMBOL in x;
  }

  /**
   * Blocks bodies larger than `size`, at most 16 KiB: AWS WAF sees only the first 16 KiB of an API
   * Gateway request body, and treats a larger body as over any limit up to that.
   */
  public static maxSize(size: Size): RequestBodyLimit {
    return new RequestBodyLimit(size);
  }

  /**
   * No body-size rule. The reason is required, so a reviewer sees why.
   *
   * @param reason why the API accepts bodies of any size, such as 'file uploads up to 5 MB'
   */
  public static unlimited(reason: string): RequestBodyLimit {
    return new RequestBodyLimit(undefined, reason);
  }

  private constructor(
    /** The largest body allowed; `undefined` when unlimited. */
    public readonly size: Size | undefined,
    /** Why there is no limit; `undefined` when there is one. */
    public readonly unlimitedReason?: string,
  ) {
    Object.defineProperty(this, REQUEST_BODY_LIMIT_SYMBOL, { value: true });
  }
}

/** Properties of an {@link ApiFirewall}. */
export interface ApiFirewallProps {
  /** The API whose stage the web ACL protects. It takes one firewall. */
  readonly api: ISecureRestApi;

  /**
   * The ARN of an existing REGIONAL web ACL to associate with the stage instead of creating one
   * (there is no L2 web ACL construct to pass instead). Then this construct writes no rules, IP sets
   * or logging configuration (the ACL's owner manages them, and a web ACL has one logging
   * configuration): only the association, the metric helpers and the alarm. Rule props are refused.
   *
   * @default - a web ACL is created
   */
  readonly webAclArn?: string;

  /**
   * Whether rules act or only count.
   *
   * @default FirewallMode.BLOCK
   */
  readonly mode?: FirewallMode;

  /**
   * IPv4 CIDR blocks always allowed: requests from them skip every later rule, rate limits and
   * managed rules included. Keep it to addresses you control. At most 10,000 blocks; `/0` is refused.
   *
   * @default - none (no IPv4 allow list)
   */
  readonly allowedIpv4Cidrs?: string[];

  /**
   * IPv6 CIDR blocks always allowed, as {@link allowedIpv4Cidrs}.
   *
   * @default - none (no IPv6 allow list)
   */
  readonly allowedIpv6Cidrs?: string[];

  /**
   * IPv4 CIDR blocks always blocked (403).
   *
   * @default - none (no manual IPv4 block list)
   */
  readonly blockedIpv4Cidrs?: string[];

  /**
   * IPv6 CIDR blocks always blocked (403).
   *
   * @default - none (no manual IPv6 block list)
   */
  readonly blockedIpv6Cidrs?: string[];

  /**
   * Countries whose requests are blocked (403), as ISO 3166-1 alpha-2 codes such as `'KP'` (upper
   * case; `'GB'` for the United Kingdom). AWS WAF places a request by its source address.
   *
   * @default - no country is blocked
   */
  readonly blockedCountries?: string[];

  /**
   * The per-client-address rate limit on the whole API.
   *
   * @default - 2000 requests per 5 minutes per address
   */
  readonly rateLimit?: RateLimitOptions;

  /**
   * Stricter limits on single routes, each its own rate-based rule after the per-address one.
   *
   * @default - none
   */
  readonly routeRateLimits?: RouteRateLimit[];

  /**
   * The path prefixes under which clients reach the API's routes, as AWS WAF sees the request's URI
   * path: `/<stage>` at the execute-api endpoint (`/v1/login`); a custom domain's base path such as
   * `/pets`, or `''` for a domain mapped at its root. Route rate limits match a route under any of them.
   *
   * @default - [`/<stage name>`]
   */
  readonly routePathPrefixes?: string[];

  /**
   * Which AWS managed rule groups run.
   *
   * @default - IP reputation, core rule set, known bad inputs and SQL injection
   */
  readonly managedRuleGroups?: ManagedRuleGroupsOptions;

  /**
   * Rules of the managed groups that act otherwise than their group says, such as a rule with false
   * positives set to COUNT. In COUNT mode every override counts too.
   *
   * @default - none, beyond the core rule set's `SizeRestrictions_BODY` set to Count
   */
  readonly managedRuleOverrides?: ManagedRuleOverride[];

  /**
   * How large a request body may be (403 above it).
   *
   * @default RequestBodyLimit.maxSize(Size.kibibytes(8))
   */
  readonly requestBodyLimit?: RequestBodyLimit;

  /**
   * The most WAF capacity units (WCU) the web ACL may use: synth fails above it. AWS WAF allows up
   * to 5000, and charges more above 1500 (a warning says so).
   *
   * @default 5000
   */
  readonly maxCapacity?: number;

  /**
   * How long to keep the WAF log.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the WAF log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Log only requests a rule blocked or counted (and CAPTCHA or challenge), dropping those allowed
   * with no rule matching. Cheaper for a busy API: the access log already records every request.
   *
   * @default false - every request is logged, with the labels AWS WAF gave it
   */
  readonly logOnlyBlockedAndCounted?: boolean;

  /**
   * The `WafBlockedRequests` alarm (an attack signal of the API's incident alarm) fires when the web
   * ACL blocks this many requests a minute or more. Added only when the API has alarms.
   *
   * @default 100
   */
  readonly blockedRequestsPerMinuteThreshold?: number;
}

/** CloudWatch's namespace of AWS WAF metrics. */
const WAF_NAMESPACE = 'AWS/WAFV2';

/** AWS WAF's metric names. */
const WAF_METRICS = {
  allowed: 'AllowedRequests',
  blocked: 'BlockedRequests',
  counted: 'CountedRequests',
} as const;

/** The `Rule` dimension value of metrics for the whole web ACL. */
const ALL_RULES = 'ALL';

/** Metric names AWS WAF reserves, which a rule cannot have. */
const RESERVED_METRIC_NAMES = ['All', 'Default_Action'];

/** The id of the alarm the firewall adds to the API's alarms. */
const BLOCKED_REQUESTS_ALARM_ID = 'WafBlockedRequests';

/** AWS WAF's bounds of a rate-based rule's limit. */
const MIN_RATE_LIMIT = 10;
const MAX_RATE_LIMIT = 2_000_000_000;

/** The evaluation windows AWS WAF offers, in seconds. */
const EVALUATION_WINDOWS_SECONDS = [60, 120, 300, 600];

/** The most addresses an IP set holds (AWS WAF quota). */
const MAX_IP_SET_ADDRESSES = 10_000;

/** How much of an API Gateway request body AWS WAF inspects unless the web ACL pays for more. */
const BODY_INSPECTION_LIMIT = Size.kibibytes(16);

const DEFAULT_RATE_LIMIT = 2000;
const DEFAULT_EVALUATION_WINDOW = Duration.minutes(5);
const DEFAULT_BODY_LIMIT = Size.kibibytes(8);
const DEFAULT_BLOCKED_REQUESTS_PER_MINUTE = 100;

/** The custom response bodies of blocked requests, by their key in the web ACL. */
const RESPONSE_BODIES = {
  Forbidden: { status: 403, message: 'Forbidden' },
  TooManyRequests: { status: 429, message: 'Too many requests' },
} as const;
type ResponseBodyKey = keyof typeof RESPONSE_BODIES;

/** Request headers kept out of the WAF log and of sampled requests: they carry credentials. */
const REDACTED_HEADERS = ['authorization', 'cookie'];

/** The core rule set's rule that blocks bodies over 8 KB, set to Count in favour of the firewall's own. */
const CRS_BODY_SIZE_RULE = 'SizeRestrictions_BODY';

/** The header a route rate limit per API key is usually keyed on. */
const API_KEY_HEADER = 'x-api-key';

/** HTTP header names: RFC 9110 token characters. */
const HEADER_NAME_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

/** A route-path prefix: empty, or `/`-separated segments. */
const PATH_PREFIX_PATTERN = /^(\/[A-Za-z0-9._~-]+)*$/;

/** A REGIONAL web ACL's ARN; the name is the third `/`-separated part. */
const REGIONAL_WEB_ACL_ARN = /^arn:[a-z-]+:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[A-Za-z0-9_-]{1,128}\/[a-f0-9-]{1,36}$/;

/** Managed groups and whether each runs by default, in the order they run. */
const MANAGED_GROUP_ORDER: ReadonlyArray<{ readonly group: ManagedRuleGroup; readonly option: keyof ManagedRuleGroupsOptions; readonly byDefault: boolean }> = [
  { group: ManagedRuleGroup.AMAZON_IP_REPUTATION_LIST, option: 'amazonIpReputationList', byDefault: true },
  { group: ManagedRuleGroup.ANONYMOUS_IP_LIST, option: 'anonymousIpList', byDefault: false },
  { group: ManagedRuleGroup.COMMON_RULE_SET, option: 'commonRuleSet', byDefault: true },
  { group: ManagedRuleGroup.KNOWN_BAD_INPUTS, option: 'knownBadInputs', byDefault: true },
  { group: ManagedRuleGroup.SQL_INJECTION, option: 'sqlInjection', byDefault: true },
  { group: ManagedRuleGroup.LINUX, option: 'linux', byDefault: false },
  { group: ManagedRuleGroup.UNIX, option: 'unix', byDefault: false },
  { group: ManagedRuleGroup.ADMIN_PROTECTION, option: 'adminProtection', byDefault: false },
  { group: ManagedRuleGroup.BOT_CONTROL, option: 'botControl', byDefault: false },
];

/** What a rule does when it matches, before COUNT mode is applied. */
type RuleKind = 'allow' | 'block' | 'rateLimit';

/** A per-route rate rule, parsed, waiting for its route to be checked at synth. */
interface RouteRule {
  readonly prop: string;
  readonly route: ParsedRoute;
  readonly header?: string;
}

/**
 * A firewall of an API, as the abuse blocker uses it: its IP sets, and where the blocker attaches.
 * `ApiFirewall` implements it.
 */
export interface IApiFirewall extends IConstruct {
  /** The API whose stage the web ACL protects. */
  readonly api: ISecureRestApi;
  /**
   * The IPv4 allow list.
   *
   * @default - none
   */
  readonly allowListIpv4?: wafv2.CfnIPSet;
  /**
   * The IPv6 allow list.
   *
   * @default - none
   */
  readonly allowListIpv6?: wafv2.CfnIPSet;
  /**
   * The automatic IPv4 block list, which the abuse blocker fills.
   *
   * @default - none: the web ACL was not created here
   */
  readonly automaticBlockListIpv4?: wafv2.CfnIPSet;
  /**
   * The automatic IPv6 block list, which the abuse blocker fills.
   *
   * @default - none: the web ACL was not created here
   */
  readonly automaticBlockListIpv6?: wafv2.CfnIPSet;
}

/**
 * An AWS WAF web ACL (REGIONAL) associated with the stage of a {@link SecureRestApi}, with rules in
 * this order, each with its own CloudWatch metrics and sampled requests:
 *
 * 1. allow lists (IPv4, IPv6): Allow, skipping every later rule;
 * 2. manual block lists (IPv4, IPv6): 403;
 * 3. automatic block lists (IPv4, IPv6), created empty for the abuse blocker to fill: 403;
 * 4. geo blocking by country: 403;
 * 5. a per-address rate limit on the whole API (2000 per 5 minutes by default): 429;
 * 6. per-route rate limits (method and path), per address or per header value: 429;
 * 7. AWS managed rule groups (IP reputation, core rule set, known bad inputs and SQL injection by
 *    default; anonymous IP, Linux, POSIX, admin protection and the paid Bot Control opt-in);
 * 8. a request-body size limit (8 KiB by default): 403.
 *
 * Requests no rule terminates are allowed (to API Gateway, which still authorizes them). The
 * firewall's blocks answer `{"message":"Forbidden"}` (403) or `{"message":"Too many requests"}`
 * (429) with the API's security headers; a managed group's own blocks get API Gateway's
 * `WAF_FILTERED` response, which `SecureRestApi` makes an equally bare 403.
 *
 * The WAF log goes to a log group named `aws-waf-logs-...`, encrypted with the API's key, with the
 * `authorization` and `cookie` headers redacted (in the log, and in sampled requests through the
 * web ACL's data protection). The web ACL's capacity (WCU) is computed at synth: an error above
 * `maxCapacity`, a warning above the 1500 WCU that the base price covers.
 */
export class ApiFirewall extends Construct implements IApiFirewall {
  /** The web ACL; `undefined` when an existing one was given with `webAclArn`. */
  public readonly webAcl?: wafv2.CfnWebACL;
  /** The ARN of the web ACL associated with the stage. */
  public readonly webAclArn: string;
  /** The web ACL's name: the `WebACL` dimension of its metrics. */
  public readonly webAclName: string;
  /** The association of the web ACL with the API's stage. */
  public readonly association: wafv2.CfnWebACLAssociation;
  /** Whether rules act or only count. */
  public readonly mode: FirewallMode;
  /** The WCU the web ACL's rules use (0 for an existing web ACL, whose rules are not known here). */
  public readonly capacity: number;
  /** The IPv4 allow list; `undefined` without `allowedIpv4Cidrs`. */
  public readonly allowListIpv4?: wafv2.CfnIPSet;
  /** The IPv6 allow list; `undefined` without `allowedIpv6Cidrs`. */
  public readonly allowListIpv6?: wafv2.CfnIPSet;
  /** The manual IPv4 block list; `undefined` without `blockedIpv4Cidrs`. */
  public readonly blockListIpv4?: wafv2.CfnIPSet;
  /** The manual IPv6 block list; `undefined` without `blockedIpv6Cidrs`. */
  public readonly blockListIpv6?: wafv2.CfnIPSet;
  /**
   * The automatic IPv4 block list, created empty for the abuse blocker, which owns its addresses at
   * run time. Deploys never write addresses to it unless the set itself is changed or replaced
   * (which empties it): keep its properties stable. `undefined` with `webAclArn`.
   */
  public readonly automaticBlockListIpv4?: wafv2.CfnIPSet;
  /** The automatic IPv6 block list, as {@link automaticBlockListIpv4}. */
  public readonly automaticBlockListIpv6?: wafv2.CfnIPSet;
  /** The WAF log group; `undefined` with `webAclArn`. */
  public readonly logGroup?: logs.LogGroup;
  /** The web ACL's logging configuration; `undefined` with `webAclArn`. */
  public readonly loggingConfiguration?: wafv2.CfnLoggingConfiguration;
  /** The `WafBlockedRequests` alarm; `undefined` when the API has no alarms. */
  public readonly blockedRequestsAlarm?: cloudwatch.Alarm;

  /** The API whose stage the web ACL protects. */
  public readonly api: ISecureRestApi;

  private readonly rules: wafv2.CfnWebACL.RuleProperty[] = [];
  /** The prop each rule comes from, for error messages; `undefined` for the firewall's own rules. */
  private readonly ruleProps: Array<string | undefined> = [];
  private readonly routeRules: RouteRule[] = [];
  /** The rules that allow (the allow lists): in COUNT mode their matches are not would-be blocks. */
  private readonly allowRuleNames: string[] = [];
  private readonly uniqueName: string;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    this.api = validateSecureRestApi(this, props?.api, 'the API whose stage the web ACL protects');
    refuseSecond(this.api, Attachment.FIREWALL, this, `\`api\` ${this.api.node.path} already has a firewall: a stage is associated with one web ACL, so give the API one ApiFirewall`);
    this.mode = props.mode ?? FirewallMode.BLOCK;
    this.validateMode(this.mode);
    // Within WAF's 128 characters for names, leaving room for an IP set's suffix.
    this.uniqueName = Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    validateWholeNumber(this, 'blockedRequestsPerMinuteThreshold', props.blockedRequestsPerMinuteThreshold, { min: 1 });

    if (props.webAclArn !== undefined) {
      this.validateExistingWebAcl(props);
      this.webAclArn = props.webAclArn;
      this.webAclName = Token.isUnresolved(props.webAclArn) ? Fn.select(2, Fn.split('/', props.webAclArn)) : props.webAclArn.split('/')[2];
      this.capacity = 0;
    } else {
      const maxCapacity = props.maxCapacity ?? WAF_MAX_CAPACITY;
      validateWholeNumber(this, 'maxCapacity', maxCapacity, { min: 1, max: WAF_MAX_CAPACITY });
      validateRetention(this, 'logRetention', props.logRetention);
      this.webAclName = this.uniqueName;

      const allowV4 = this.ipSet('AllowListIpv4', 'allowedIpv4Cidrs', props.allowedIpv4Cidrs, 4, 'allow-ipv4', 'Addresses allowed past every rule');
      const allowV6 = this.ipSet('AllowListIpv6', 'allowedIpv6Cidrs', props.allowedIpv6Cidrs, 6, 'allow-ipv6', 'Addresses allowed past every rule');
      const blockV4 = this.ipSet('BlockListIpv4', 'blockedIpv4Cidrs', props.blockedIpv4Cidrs, 4, 'block-ipv4', 'Addresses always blocked');
      const blockV6 = this.ipSet('BlockListIpv6', 'blockedIpv6Cidrs', props.blockedIpv6Cidrs, 6, 'block-ipv6', 'Addresses always blocked');
      const autoV4 = this.ipSet('AutomaticBlockListIpv4', 'automaticBlockListIpv4', [], 4, 'auto-block-ipv4', 'Addresses blocked by the abuse blocker');
      const autoV6 = this.ipSet('AutomaticBlockListIpv6', 'automaticBlockListIpv6', [], 6, 'auto-block-ipv6', 'Addresses blocked by the abuse blocker');
      this.allowListIpv4 = allowV4;
      this.allowListIpv6 = allowV6;
      this.blockListIpv4 = blockV4;
      this.blockListIpv6 = blockV6;
      this.automaticBlockListIpv4 = autoV4;
      this.automaticBlockListIpv6 = autoV6;

      this.addIpSetRule('AllowListIPv4', allowV4, 'allow');
      this.addIpSetRule('AllowListIPv6', allowV6, 'allow');
      this.addIpSetRule('BlockListIPv4', blockV4, 'block');
      this.addIpSetRule('BlockListIPv6', blockV6, 'block');
      this.addIpSetRule('AutomaticBlockListIPv4', autoV4, 'block');
      this.addIpSetRule('AutomaticBlockListIPv6', autoV6, 'block');
      this.addGeoRule(props.blockedCountries);
      this.addRateRule('RateLimitPerIp', 'rateLimit', props.rateLimit?.limit ?? DEFAULT_RATE_LIMIT, props.rateLimit?.evaluationWindow);
      this.addRouteRateRules(props.routeRateLimits ?? [], this.routePathPrefixes(props.routePathPrefixes));
      this.addManagedRuleGroups(props.managedRuleGroups ?? {}, props.managedRuleOverrides ?? []);
      this.addBodySizeRule(props.requestBodyLimit ?? RequestBodyLimit.maxSize(DEFAULT_BODY_LIMIT));

      this.capacity = this.computeCapacity(maxCapacity);
      this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
        name: this.webAclName,
        description: `Firewall of the API ${this.api.node.path.replace(/[^\w\-/]/g, '-')}`.slice(0, 256),
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        rules: this.rules,
        customResponseBodies: Object.fromEntries(Object.entries(RESPONSE_BODIES).map(([key, body]) => [key, {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ message: body.message }),
        }])),
        visibilityConfig: visibility(this.webAclName),
        // Also keeps the credentials out of sampled requests, which the logging redaction does not reach.
        dataProtectionConfig: {
          dataProtections: [{
            field: { fieldType: 'SINGLE_HEADER', fieldKeys: REDACTED_HEADERS },
            action: 'SUBSTITUTION',
            excludeRuleMatchDetails: false,
            excludeRateBasedDetails: false,
          }],
        },
      });
      this.webAclArn = this.webAcl.attrArn;

      const logging = this.createLogging(props);
      this.logGroup = logging.logGroup;
      this.loggingConfiguration = logging.configuration;
      this.node.addValidation({ validate: () => this.validateRouteRules() });
    }

    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: this.api.stage.stageArn,
      webAclArn: this.webAclArn,
    });
    this.blockedRequestsAlarm = this.addAlarm(props.blockedRequestsPerMinuteThreshold ?? DEFAULT_BLOCKED_REQUESTS_PER_MINUTE);
    // Last: a firewall that failed validation is not the API's firewall.
    attach(this.api, Attachment.FIREWALL, this);
  }

  /**
   * The abuse blocker that fills the automatic block lists.
   *
   * @default - undefined until an `AbuseBlocker` is created for the firewall
   */
  public get abuseBlocker(): AbuseBlocker | undefined {
    return attached<AbuseBlocker>(this, Attachment.ABUSE_BLOCKER);
  }

  /** The names of the web ACL's rules, in the order AWS WAF evaluates them (empty for an existing web ACL). */
  public get ruleNames(): string[] {
    return this.rules.map((rule) => rule.name);
  }

  /**
   * Requests the web ACL blocked, by any rule.
   *
   * @default - sum over 1 minute
   */
  public metricBlockedRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(WAF_METRICS.blocked, ALL_RULES, props);
  }

  /**
   * Requests the web ACL allowed: by the allow list, a managed rule, or its default action.
   *
   * @default - sum over 1 minute
   */
  public metricAllowedRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(WAF_METRICS.allowed, ALL_RULES, props);
  }

  /**
   * Requests a rule counted (every match in COUNT mode, and matches of rules overridden to Count).
   *
   * @default - sum over 1 minute
   */
  public metricCountedRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(WAF_METRICS.counted, ALL_RULES, props);
  }

  /**
   * Requests one rule of the web ACL blocked.
   *
   * @param ruleName a name from {@link ruleNames}, such as `RateLimitPerIp` or `AWS-AWSManagedRulesCommonRuleSet`
   * @default - sum over 1 minute
   */
  public metricBlockedRequestsForRule(ruleName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (this.webAcl !== undefined && !this.ruleNames.includes(ruleName)) {
      throw new ValidationError(`\`metricBlockedRequestsForRule\` names ${describe(ruleName)}, which is not a rule of this web ACL: use one of ${this.ruleNames.map(describe).join(', ')}`, this);
    }
    if (this.webAcl === undefined && (typeof ruleName !== 'string' || !WAF_RULE_NAME_PATTERN.test(ruleName))) {
      throw new ValidationError(`\`metricBlockedRequestsForRule\` needs the metric name of a rule of the web ACL (letters, digits, '_' and '-'), got ${describe(ruleName)}`, this);
    }
    return this.metric(WAF_METRICS.blocked, ruleName, props);
  }

  /**
   * Adds a row to `dashboard`: requests the web ACL allowed, blocked and counted, and the blocked
   * and counted requests of each of its rules.
   */
  public addDashboardRow(dashboard: ApiDashboard): void {
    const perRule = (metric: string) => this.ruleNames.map((rule) => this.metric(metric, rule, { label: rule }));
    dashboard.addRow(
      dashboardGraph('Firewall requests a minute', [
        this.metricAllowedRequests({ label: 'allowed' }),
        this.metricBlockedRequests({ label: 'blocked' }),
        this.metricCountedRequests({ label: 'counted' }),
      ]),
      dashboardGraph('Firewall blocked requests a minute, by rule', this.webAcl ? perRule(WAF_METRICS.blocked) : [this.metricBlockedRequests({ label: 'blocked' })]),
      dashboardGraph('Firewall counted requests a minute, by rule', this.webAcl ? perRule(WAF_METRICS.counted) : [this.metricCountedRequests({ label: 'counted' })]),
    );
  }

  private metric(metricName: string, rule: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: WAF_NAMESPACE,
      metricName,
      dimensionsMap: { WebACL: this.webAclName, Region: Stack.of(this).region, Rule: rule },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  private ipSet(id: string, prop: string, cidrs: string[] | undefined, version: 4 | 6, suffix: string, description: string): wafv2.CfnIPSet | undefined {
    if (cidrs === undefined || (cidrs.length === 0 && !id.startsWith('Automatic'))) {
      return undefined;
    }
    const parsed = validateCidrs(this, prop, cidrs, version);
    const catchAll = parsed.findIndex((cidr) => cidr.prefixLength === 0);
    if (catchAll >= 0) {
      throw new ValidationError(`\`${prop}[${catchAll}]\` is ${describe(cidrs[catchAll])}, every address: AWS WAF refuses /0 in an IP set; list narrower blocks`, this);
    }
    if (cidrs.length > MAX_IP_SET_ADDRESSES) {
      throw new ValidationError(`\`${prop}\` has ${cidrs.length} CIDR blocks, over the ${MAX_IP_SET_ADDRESSES} an AWS WAF IP set holds: merge them into larger blocks`, this);
    }
    cidrs.forEach((cidr, index) => {
      const first = cidrs.indexOf(cidr);
      if (first !== index) {
        throw new ValidationError(`\`${prop}[${index}]\` repeats \`${prop}[${first}]\` (${describe(cidr)}): list each block once`, this);
      }
    });
    return new wafv2.CfnIPSet(this, id, {
      name: `${this.uniqueName}-${suffix}`,
      description,
      scope: 'REGIONAL',
      ipAddressVersion: version === 4 ? 'IPV4' : 'IPV6',
      addresses: cidrs,
    });
  }

  private addIpSetRule(name: string, ipSet: wafv2.CfnIPSet | undefined, kind: RuleKind): void {
    if (ipSet !== undefined) {
      this.addRule(name, { ipSetReferenceStatement: { arn: ipSet.attrArn } }, kind);
      if (kind === 'allow') {
        this.allowRuleNames.push(name);
      }
    }
  }

  private addGeoRule(countries: string[] | undefined): void {
    if (countries === undefined || countries.length === 0) {
      return;
    }
    validateCountryCodes(this, 'blockedCountries', countries);
    this.addRule('GeoBlock', { geoMatchStatement: { countryCodes: countries } }, 'block');
  }

  private addRateRule(name: string, prop: string, limit: number, window: Duration | undefined, scopeDown?: wafv2.CfnWebACL.StatementProperty, header?: string): void {
    if (limit === undefined) {
      throw new ValidationError(`\`${prop}.limit\` is missing: give the most requests a client may send in the window, from ${MIN_RATE_LIMIT} to ${MAX_RATE_LIMIT}`, this);
    }
    validateWholeNumber(this, `${prop}.limit`, limit, { min: MIN_RATE_LIMIT, max: MAX_RATE_LIMIT });
    const evaluationWindow = window ?? DEFAULT_EVALUATION_WINDOW;
    if (!evaluationWindow.isUnresolved() && !EVALUATION_WINDOWS_SECONDS.includes(evaluationWindow.toMilliseconds({ integral: false }) / 1000)) {
      throw new ValidationError(`\`${prop}.evaluationWindow\` must be one of the windows AWS WAF offers (${EVALUATION_WINDOWS_SECONDS.map((s) => `${s / 60} min`).join(', ')}), got ${evaluationWindow.toHumanString()}: use Duration.minutes(1), 2, 5 or 10`, this);
    }
    this.addRule(name, {
      rateBasedStatement: {
        limit,
        evaluationWindowSec: evaluationWindow.toSeconds(),
        aggregateKeyType: header === undefined ? 'IP' : 'CUSTOM_KEYS',
        customKeys: header === undefined ? undefined : [{ header: { name: header, textTransformations: [...NO_TRANSFORMATION] } }],
        scopeDownStatement: scopeDown,
      },
    }, 'rateLimit', scopeDown === undefined ? undefined : prop);
  }

  private routePathPrefixes(given: string[] | undefined): string[] {
    const stageName = (this.api.stage.node.defaultChild as apigw.CfnStage).stageName!;
    const prefixes = given ?? [`/${stageName}`];
    if (prefixes.length === 0) {
      throw new ValidationError('`routePathPrefixes` must list at least one prefix, such as \'/v1\' for the stage at the execute-api endpoint or \'\' for a custom domain mapped at its root', this);
    }
    prefixes.forEach((prefix, index) => {
      if (Token.isUnresolved(prefix)) {
        return;
      }
      if (typeof prefix !== 'string' || !PATH_PREFIX_PATTERN.test(prefix)) {
        throw new ValidationError(`\`routePathPrefixes[${index}]\` must be '' or a path such as '/v1' (starting with '/', no trailing '/'), got ${describe(prefix)}`, this);
      }
      if (prefixes.indexOf(prefix) !== index) {
        throw new ValidationError(`\`routePathPrefixes[${index}]\` repeats ${describe(prefix)}: list each prefix once`, this);
      }
    });
    return prefixes;
  }

  private addRouteRateRules(limits: RouteRateLimit[], prefixes: string[]): void {
    limits.forEach((options, index) => {
      const prop = `routeRateLimits[${index}]`;
      const route = parseRouteKey(this, options.routeKey);
      const header = options.aggregateOnHeader;
      if (header !== undefined && (typeof header !== 'string' || !HEADER_NAME_PATTERN.test(header))) {
        throw new ValidationError(`\`${prop}.aggregateOnHeader\` must be an HTTP header name such as 'x-api-key', got ${describe(header)}`, this);
      }
      const regex = routePathRegex(route, prefixes);
      if (!Token.isUnresolved(regex) && regex.length > WAF_MAX_REGEX_LENGTH) {
        throw new ValidationError(`\`${prop}.routeKey\` ${describe(options.routeKey)} makes a path pattern of ${regex.length} characters, over AWS WAF's ${WAF_MAX_REGEX_LENGTH}: use fewer or shorter \`routePathPrefixes\``, this);
      }
      const name = options.ruleName ?? routeRuleName(route, header);
      if (options.ruleName !== undefined && (typeof name !== 'string' || !WAF_RULE_NAME_PATTERN.test(name) || RESERVED_METRIC_NAMES.includes(name))) {
        throw new ValidationError(`\`${prop}.ruleName\` must be 1 to 128 letters, digits, '_' or '-' (and not ${RESERVED_METRIC_NAMES.map(describe).join(' or ')}), got ${describe(name)}`, this);
      }
      if (options.ruleName === undefined && !WAF_RULE_NAME_PATTERN.test(name)) {
        throw new ValidationError(`\`${prop}.routeKey\` ${describe(options.routeKey)} makes the rule name ${describe(name)}, over AWS WAF's 128 characters: give the rule a shorter \`ruleName\``, this);
      }
      this.routeRules.push({ prop, route, header });
      this.addRateRule(name, prop, options.limit, options.evaluationWindow, routeScopeDown(route, prefixes), header?.toLowerCase());
    });
  }

  private addManagedRuleGroups(options: ManagedRuleGroupsOptions, overrides: ManagedRuleOverride[]): void {
    const enabled = MANAGED_GROUP_ORDER.filter(({ option, byDefault }) => {
      const value = options[option];
      if (value !== undefined && option !== 'botControl' && typeof value !== 'boolean') {
        throw new ValidationError(`\`managedRuleGroups.${option}\` must be true or false, got ${describe(value)}`, this);
      }
      if (option === 'botControl' && value !== undefined && !Object.values(BotControlInspectionLevel).includes(value as BotControlInspectionLevel)) {
        throw new ValidationError(`\`managedRuleGroups.botControl\` must be one of ${Object.values(BotControlInspectionLevel).map(describe).join(', ')}, got ${describe(value)}`, this);
      }
      return value === undefined ? byDefault : value !== false;
    }).map(({ group }) => group);
    this.validateOverrides(overrides, enabled);

    for (const group of enabled) {
      const own = overrides.filter((override) => override.ruleGroup === group).map((override) => ({ name: override.ruleName, actionToUse: this.overrideAction(override.action) }));
      if (group === ManagedRuleGroup.COMMON_RULE_SET && !own.some((override) => override.name === CRS_BODY_SIZE_RULE)) {
        own.push({ name: CRS_BODY_SIZE_RULE, actionToUse: { count: {} } });
      }
      const name = `AWS-${group}`;
      this.ruleProps.push(undefined);
      this.rules.push({
        name,
        priority: this.rules.length,
        overrideAction: this.mode === FirewallMode.COUNT ? { count: {} } : { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: group,
            ruleActionOverrides: own.length > 0 ? own : undefined,
            managedRuleGroupConfigs: group === ManagedRuleGroup.BOT_CONTROL
              ? [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: options.botControl! } }]
              : undefined,
          },
        },
        visibilityConfig: visibility(name),
      });
    }
  }

  private overrideAction(action: ManagedRuleAction): wafv2.CfnWebACL.RuleActionProperty {
    if (this.mode === FirewallMode.COUNT) {
      return { count: {} };
    }
    switch (action) {
      case ManagedRuleAction.ALLOW: return { allow: {} };
      case ManagedRuleAction.BLOCK: return { block: { customResponse: customResponse('Forbidden', wafResponseCorsHeaders(corsConfigOf(this.api))) } };
      case ManagedRuleAction.COUNT: return { count: {} };
      case ManagedRuleAction.CAPTCHA: return { captcha: {} };
      case ManagedRuleAction.CHALLENGE: return { challenge: {} };
    }
  }

  private addBodySizeRule(limit: RequestBodyLimit): void {
    if (!RequestBodyLimit.isRequestBodyLimit(limit)) {
      throw new ValidationError(`\`requestBodyLimit\` must be RequestBodyLimit.maxSize(size) or RequestBodyLimit.unlimited(reason), got ${describe(limit)}`, this);
    }
    if (limit.size === undefined) {
      if (typeof limit.unlimitedReason !== 'string' || limit.unlimitedReason.trim().length === 0) {
        throw new ValidationError('`requestBodyLimit` is RequestBodyLimit.unlimited() without a reason: say why the API accepts bodies of any size, such as RequestBodyLimit.unlimited(\'file uploads up to 5 MB\')', this);
      }
      return;
    }
    const bytes = limit.size.toBytes();
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > BODY_INSPECTION_LIMIT.toBytes()) {
      throw new ValidationError(`\`requestBodyLimit\` must be from 1 byte to 16 KiB (AWS WAF inspects at most the first 16 KiB of an API Gateway request body), got ${bytes} bytes: for larger bodies use RequestBodyLimit.unlimited(reason)`, this);
    }
    this.addRule('MaxRequestBodySize', {
      sizeConstraintStatement: {
        // A body over the inspection limit is oversize, so over any limit up to it: it matches.
        fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
        comparisonOperator: 'GT',
        size: bytes,
        textTransformations: [...NO_TRANSFORMATION],
      },
    }, 'block');
  }

  private addRule(name: string, statement: wafv2.CfnWebACL.StatementProperty, kind: RuleKind, prop?: string): void {
    this.ruleProps.push(prop);
    this.rules.push({
      name,
      priority: this.rules.length,
      statement,
      action: this.ruleAction(kind),
      visibilityConfig: visibility(name),
    });
  }

  private ruleAction(kind: RuleKind): wafv2.CfnWebACL.RuleActionProperty {
    if (this.mode === FirewallMode.COUNT) {
      return { count: {} };
    }
    if (kind === 'allow') {
      return { allow: {} };
    }
    return { block: { customResponse: customResponse(kind === 'rateLimit' ? 'TooManyRequests' : 'Forbidden', wafResponseCorsHeaders(corsConfigOf(this.api))) } };
  }

  /** The web ACL's WCU; throws above `maxCapacity`, warns above what the base price covers. */
  private computeCapacity(maxCapacity: number): number {
    this.validateRuleNames();
    const perRule = this.rules.map((rule) => ({ name: rule.name, wcu: statementCapacity(rule.statement as wafv2.CfnWebACL.StatementProperty) }));
    const total = perRule.reduce((sum, rule) => sum + rule.wcu, 0);
    const largest = [...perRule].sort((a, b) => b.wcu - a.wcu).slice(0, 3).map((rule) => `${rule.name} ${rule.wcu}`).join(', ');
    if (total > maxCapacity) {
      throw new ValidationError(`The web ACL's rules need ${total} WCU, over \`maxCapacity\` (${maxCapacity}${maxCapacity === WAF_MAX_CAPACITY ? ', AWS WAF\'s limit' : ''}); the largest are ${largest}: turn off managed rule groups or route rate limits${maxCapacity < WAF_MAX_CAPACITY ? `, or raise \`maxCapacity\` (at most ${WAF_MAX_CAPACITY})` : ''}`, this);
    }
    if (total > WAF_DEFAULT_CAPACITY) {
      Annotations.of(this).addWarningV2('secure-api:waf-capacity-over-default',
        `The web ACL's rules need ${total} WCU, over the ${WAF_DEFAULT_CAPACITY} WCU its base price covers: AWS WAF charges more for every request (the largest rules are ${largest}).`);
    }
    return total;
  }

  private createLogging(props: ApiFirewallProps): { logGroup: logs.LogGroup; configuration: wafv2.CfnLoggingConfiguration } {
    // AWS WAF writes only to log groups whose names start with `aws-waf-logs-`.
    const logGroupName = `aws-waf-logs-${this.uniqueName}`;
    const logGroup = this.api.encryption.createLogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const configuration = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAclArn,
      // AWS WAF wants the log group's ARN without the `:*` of `logGroupArn`.
      logDestinationConfigs: [Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
      loggingFilter: props.logOnlyBlockedAndCounted ? {
        DefaultBehavior: 'DROP',
        Filters: [{
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT', 'CAPTCHA', 'CHALLENGE'].map((action) => ({ ActionCondition: { Action: action } })),
        }],
      } : undefined,
    });
    configuration.node.addDependency(logGroup);
    return { logGroup, configuration };
  }

  /**
   * In COUNT mode, the requests a blocking firewall would have blocked: every counted match except
   * the allow lists', which also only count in COUNT mode.
   */
  private metricWouldBlockRequests(): cloudwatch.IMetric {
    const allowRules = this.allowRuleNames;
    if (allowRules.length === 0) {
      return this.metricCountedRequests();
    }
    const allowed = Object.fromEntries(allowRules.map((rule, i) => [`allowed${i}`, this.metric(WAF_METRICS.counted, rule)]));
    return new cloudwatch.MathExpression({
      expression: `counted - ${Object.keys(allowed).map((id) => `FILL(${id}, 0)`).join(' - ')}`,
      usingMetrics: { counted: this.metricCountedRequests(), ...allowed },
      period: Duration.minutes(1),
      label: 'would block',
    });
  }

  private addAlarm(threshold: number): cloudwatch.Alarm | undefined {
    const alarms = this.api.alarms;
    if (alarms === undefined) {
      return undefined;
    }
    const counting = this.mode === FirewallMode.COUNT;
    return alarms.addMetricAlarm(BLOCKED_REQUESTS_ALARM_ID, {
      // In COUNT mode nothing is blocked: the alarm watches what would have been, so the attack
      // signal still means something while rules are tried out.
      metric: counting ? this.metricWouldBlockRequests() : this.metricBlockedRequests(),
      threshold,
      summary: counting
        ? `The firewall (in COUNT mode) would block ${threshold} or more requests a minute: an attack, a scan or a flood is under way, or a rule has false positives to fix before blocking.`
        : `The firewall blocks ${threshold} or more requests a minute: an attack, a scan or a flood is under way.`,
      action: 'Read the WAF log (aws-waf-logs-*) for the rules and client addresses behind the blocks; add persistent offenders to the block list, and check for false positives before tightening rules.',
      attackSignal: true,
    });
  }

  /** Checks, at synth, that every per-route rule names a route of the API (routes may be added after the firewall). */
  private validateRouteRules(): string[] {
    const routes = this.api.routes;
    const errors: string[] = [];
    for (const rule of this.routeRules) {
      const found = routes.find((route) => route.routeKey === rule.route.key);
      if (found === undefined) {
        errors.push(`\`${rule.prop}.routeKey\` ${describe(rule.route.key)} is not a route of the API: add it with addRoute(), or fix the key (routes: ${routes.map((route) => route.routeKey).join(', ') || 'none'})`);
      } else if (rule.header?.toLowerCase() === API_KEY_HEADER && !found.apiKeyRequired) {
        Annotations.of(this).addWarningV2('secure-api:waf-rate-limit-header-optional',
          `\`${rule.prop}\` counts per '${rule.header}', but ${rule.route.key} does not require an API key: AWS WAF does not rate-limit requests without the header, so its callers can escape this limit by leaving it out.`);
      }
    }
    return errors;
  }

  /** Rule names are unique in a web ACL; a route rule may take a name another rule has. */
  private validateRuleNames(): void {
    const seen = new Map<string, number>();
    this.rules.forEach((rule, index) => {
      const first = seen.get(rule.name);
      if (first !== undefined) {
        const owner = (i: number) => (this.ruleProps[i] === undefined ? 'a rule of the firewall\'s own' : `\`${this.ruleProps[i]}\``);
        const prop = this.ruleProps[index] ?? this.ruleProps[first];
        throw new ValidationError(`\`${prop}\` makes the rule name ${describe(rule.name)}, which ${owner(this.ruleProps[index] === undefined ? index : first)} already has: rule names are unique in a web ACL, so give it its own \`ruleName\``, this);
      }
      seen.set(rule.name, index);
    });
  }

  private validateOverrides(overrides: ManagedRuleOverride[], enabled: ManagedRuleGroup[]): void {
    overrides.forEach((override, index) => {
      const prop = `managedRuleOverrides[${index}]`;
      if (!Object.values(ManagedRuleGroup).includes(override.ruleGroup)) {
        throw new ValidationError(`\`${prop}.ruleGroup\` must be a ManagedRuleGroup, got ${describe(override.ruleGroup)}`, this);
      }
      if (!enabled.includes(override.ruleGroup)) {
        throw new ValidationError(`\`${prop}.ruleGroup\` is ${override.ruleGroup}, which does not run: turn it on in \`managedRuleGroups\` or remove the override`, this);
      }
      if (typeof override.ruleName !== 'string' || !WAF_RULE_NAME_PATTERN.test(override.ruleName)) {
        throw new ValidationError(`\`${prop}.ruleName\` must be the name of a rule of ${override.ruleGroup} (letters, digits, '_' and '-'), got ${describe(override.ruleName)}`, this);
      }
      if (!Object.values(ManagedRuleAction).includes(override.action)) {
        throw new ValidationError(`\`${prop}.action\` must be one of ${Object.values(ManagedRuleAction).map(describe).join(', ')}, got ${describe(override.action)}`, this);
      }
      const first = overrides.findIndex((other) => other.ruleGroup === override.ruleGroup && other.ruleName === override.ruleName);
      if (first !== index) {
        throw new ValidationError(`\`${prop}\` overrides ${override.ruleGroup} ${override.ruleName} again (see \`managedRuleOverrides[${first}]\`): give each rule one action`, this);
      }
    });
  }

  private validateMode(mode: FirewallMode): void {
    if (!Object.values(FirewallMode).includes(mode)) {
      throw new ValidationError(`\`mode\` must be one of ${Object.values(FirewallMode).map(describe).join(', ')}, got ${describe(mode)}`, this);
    }
  }

  private validateExistingWebAcl(props: ApiFirewallProps): void {
    const arn = props.webAclArn!;
    if (!Token.isUnresolved(arn)) {
      if (typeof arn === 'string' && /:global\/webacl\//.test(arn)) {
        throw new ValidationError(`\`webAclArn\` ${describe(arn)} is a CLOUDFRONT web ACL, which cannot protect a regional API: give the ARN of a REGIONAL web ACL in the API's region`, this);
      }
      if (typeof arn !== 'string' || !REGIONAL_WEB_ACL_ARN.test(arn)) {
        throw new ValidationError(`\`webAclArn\` must be the ARN of a REGIONAL web ACL, such as 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/my-acl/1234abcd-12ab-34cd-56ef-1234567890ab', got ${describe(arn)}`, this);
      }
    }
    const ignored: Array<keyof ApiFirewallProps> = ['mode', 'allowedIpv4Cidrs', 'allowedIpv6Cidrs', 'blockedIpv4Cidrs', 'blockedIpv6Cidrs',
      'blockedCountries', 'rateLimit', 'routeRateLimits', 'routePathPrefixes', 'managedRuleGroups', 'managedRuleOverrides', 'requestBodyLimit',
      'maxCapacity', 'logRetention', 'removalPolicy', 'logOnlyBlockedAndCounted'];
    const given = ignored.filter((key) => props[key] !== undefined);
    if (given.length > 0) {
      throw new ValidationError(`\`webAclArn\` is given, so \`${given.join('`, `')}\` would be ignored: the existing web ACL's owner manages its rules and logging; remove them, or leave out \`webAclArn\` to create a web ACL`, this);
    }
  }
}

/** Metrics and sampled requests on, under `name`. */
function visibility(name: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name };
}

/** A block response: the status and body of `key`, with the API's security headers. */
function customResponse(key: ResponseBodyKey, corsHeaders: Array<{ name: string; value: string }>): wafv2.CfnWebACL.CustomResponseProperty {
  return {
    responseCode: RESPONSE_BODIES[key].status,
    customResponseBodyKey: key,
    // With the API's CORS headers, a page of an allowed origin can read the 403 or 429.
    responseHeaders: [...Object.entries(SECURITY_HEADERS).map(([name, value]) => ({ name, value })), ...corsHeaders],
  };
}

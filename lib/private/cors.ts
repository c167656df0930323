/**
 * CORS for a `SecureRestApi`: the options checked and resolved, the preflight each path with a route
 * gets (an `OPTIONS` method answered by API Gateway), the headers of the gateway responses and the
 * stage variables that carry the settings to Lambda proxy backends.
 */
import { Annotations, Duration, Lazy, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { addGatewayResponseHeader } from './gateway-responses';
import { ParsedRoute } from './route-key';
import { STAGE_VARIABLE_MAX_LENGTH, addStageVariable } from './stage-variables';
import { ValidationError } from './validation-error';
import { describe } from './validators';
import { AUTHORIZATION_HEADER, CORS_ANY_ORIGIN, CORS_HEADERS, CORS_STAGE_VARIABLES, ORIGIN_HEADER } from '../../lambda/shared/constants';
import { HttpMethod, RouteAuthorization } from '../auth/route-authorization';
import type { CorsOptions } from '../traffic/cors-options';

/** The request headers a page may send when `allowHeaders` is left out. */
export const DEFAULT_CORS_ALLOW_HEADERS: readonly string[] = ['Content-Type', AUTHORIZATION_HEADER, 'X-Api-Key', 'X-Amz-Date', 'X-Amz-Security-Token'];

/** How long a browser caches a preflight's answer when `maxAge` is left out. */
export const DEFAULT_CORS_MAX_AGE = Duration.minutes(10);

/** The longest preflight cache a browser keeps: Chromium caps `Access-Control-Max-Age` at 2 hours. */
export const MAX_CORS_MAX_AGE = Duration.hours(2);

/** The status of a preflight's answer, whatever the origin: never 401 or 403. */
export const PREFLIGHT_STATUS = '204';

/** Why the preflight routes are public, in the access matrix. */
export const PREFLIGHT_REASON = 'CORS preflight: answered by API Gateway, reaches no backend';

/** The methods `Access-Control-Allow-Methods` lists for an `ANY` route. */
const ALL_METHODS: readonly HttpMethod[] = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.HEAD, HttpMethod.OPTIONS];

const ANY_ORIGIN = '*';

/** A header name: letters, digits, `-`, `_` and `.` (what API Gateway's static values and stage variables can carry). */
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A DNS name or IPv4 address in lower case. Not an IPv6 address: its brackets cannot travel in a
 * stage variable to the backends.
 */
const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

const DEFAULT_PORTS: Record<string, string> = { 'https': '443', 'http': '80' };

/** CORS options, checked, with their defaults. */
export interface CorsConfig {
  /** The allowed origins; `['*']` for any. */
  readonly origins: readonly string[];
  readonly anyOrigin: boolean;
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds: number;
}

/** Checks `cors` and resolves its defaults, or throws a {@link ValidationError} naming the prop, the value and the fix. */
export function validateCors(scope: IConstruct, cors: CorsOptions): CorsConfig {
  if (cors === null || typeof cors !== 'object') {
    throw new ValidationError(`\`cors\` must be an object such as { allowOrigins: ['https://app.example.com'] }, got ${describe(cors)}`, scope);
  }
  const allowCredentials = cors.allowCredentials ?? false;
  const allowInsecure = cors.allowInsecureOrigins ?? false;
  const allowHeaders = validateHeaderNames(scope, 'cors.allowHeaders', cors.allowHeaders ?? DEFAULT_CORS_ALLOW_HEADERS);
  const exposeHeaders = validateHeaderNames(scope, 'cors.exposeHeaders', cors.exposeHeaders ?? []);
  const origins = cors.allowOrigins;
  if (!Array.isArray(origins) || origins.length === 0) {
    throw new ValidationError(`\`cors.allowOrigins\` must list at least one origin, such as ['https://app.example.com'], got ${describe(origins)}`, scope);
  }
  origins.forEach((origin, index) => {
    const prop = `cors.allowOrigins[${index}]`;
    if (origin === ANY_ORIGIN) {
      validateAnyOrigin(scope, prop, origins.length, allowCredentials, cors.allowHeaders === undefined, allowHeaders);
      return;
    }
    const problem = originProblem(origin, allowInsecure);
    if (problem !== undefined) {
      throw new ValidationError(`\`${prop}\` ${problem}`, scope);
    }
    const first = origins.indexOf(origin);
    if (first !== index) {
      throw new ValidationError(`\`${prop}\` repeats \`cors.allowOrigins[${first}]\` (${describe(origin)}): list each origin once`, scope);
    }
  });
  // The origins reach Lambda proxy backends in one stage variable, which holds at most 512 characters.
  const joined = origins.join(',').length;
  if (joined > STAGE_VARIABLE_MAX_LENGTH) {
    throw new ValidationError(`\`cors.allowOrigins\` lists ${origins.length} origins of ${joined} characters in all (with commas), but the stage variable that carries them to the backends holds at most ${STAGE_VARIABLE_MAX_LENGTH}: list fewer origins`, scope);
  }
  const exposed = exposeHeaders.join(',').length;
  if (exposed > STAGE_VARIABLE_MAX_LENGTH) {
    throw new ValidationError(`\`cors.exposeHeaders\` makes ${exposed} characters in all (with commas), but the stage variable that carries them to the backends holds at most ${STAGE_VARIABLE_MAX_LENGTH}: expose fewer headers`, scope);
  }
  return {
    origins: [...origins],
    anyOrigin: origins[0] === ANY_ORIGIN,
    allowHeaders,
    exposeHeaders,
    allowCredentials,
    maxAgeSeconds: validateMaxAge(scope, cors.maxAge),
  };
}

function validateAnyOrigin(scope: IConstruct, prop: string, count: number, allowCredentials: boolean, defaultHeaders: boolean, allowHeaders: readonly string[]): void {
  if (count > 1) {
    throw new ValidationError(`\`${prop}\` is '*', which must be the only origin, got ${count} origins: list the origins, or give ['*'] alone`, scope);
  }
  if (allowCredentials) {
    throw new ValidationError(`\`${prop}\` is '*' and \`cors.allowCredentials\` is true: a page of any site could then act with your users' cookies (and browsers refuse credentials with '*'); list the origins that may send credentials`, scope);
  }
  const authorization = allowHeaders.findIndex((header) => header.toLowerCase() === AUTHORIZATION_HEADER.toLowerCase());
  if (authorization >= 0) {
    const header = defaultHeaders ? `\`cors.allowHeaders\` (by default) holds '${allowHeaders[authorization]}'` : `\`cors.allowHeaders[${authorization}]\` is '${allowHeaders[authorization]}'`;
    throw new ValidationError(`\`${prop}\` is '*' and ${header}: a page of any site could then send your users' tokens; list the origins, or give \`cors.allowHeaders\` without Authorization`, scope);
  }
}

/**
 * What is wrong with `origin` as an allowed origin, or undefined when it is exactly
 * `scheme://host[:port]` as a browser sends it in the `Origin` header.
 */
export function originProblem(origin: unknown, allowInsecure: boolean): string | undefined {
  const example = "'https://app.example.com'";
  if (typeof origin !== 'string' || origin.length === 0) {
    return `must be an origin such as ${example}, got ${describe(origin)}`;
  }
  if (Token.isUnresolved(origin)) {
    return `is a token, got ${describe(origin)}: origins are compared and written into the preflight's template at synth, so give the literal origin, such as ${example}`;
  }
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(origin);
  if (!match) {
    return `must be scheme://host[:port], such as ${example}, got ${describe(origin)}`;
  }
  const [, scheme, authority, rest] = match;
  if (rest !== '') {
    const fix = `'${scheme.toLowerCase()}://${authority.toLowerCase()}'`;
    return `must be an origin (scheme://host[:port]) without a path, query, fragment or trailing slash, got ${describe(origin)}: browsers send the origin without them, so use ${fix}`;
  }
  if (authority.includes('@')) {
    return `must not hold a user name or password, got ${describe(origin)}: use scheme://host[:port], such as ${example}`;
  }
  if (scheme !== scheme.toLowerCase() || authority !== authority.toLowerCase()) {
    return `must be in lower case, got ${describe(origin)}: browsers send the scheme and host in lower case, so use '${origin.toLowerCase()}'`;
  }
  if (scheme !== 'https' && scheme !== 'http') {
    return `must be an https:// origin, got ${describe(origin)}`;
  }
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority);
  const host = hostPort?.[1] ?? '';
  const port = hostPort?.[2];
  if (host.includes('*')) {
    return `has a wildcard in its host, got ${describe(origin)}: CORS compares origins exactly, so list each origin`;
  }
  if (!HOST.test(host)) {
    return `has the host ${describe(host)}, which is not a DNS name or IPv4 address, got ${describe(origin)}: use an origin such as ${example}`;
  }
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535 || port.startsWith('0')) {
      return `has the port ${describe(port)}, which is not a number from 1 to 65535, got ${describe(origin)}`;
    }
    if (DEFAULT_PORTS[scheme] === port) {
      return `names the default port ${port} of ${scheme}://, got ${describe(origin)}: browsers send the origin without it, so use '${scheme}://${host}'`;
    }
  }
  if (scheme === 'http' && !allowInsecure) {
    return `is an http:// origin, got ${describe(origin)}: anyone on that page's network can impersonate it. Use https://, or, for a development environment only, set \`cors.allowInsecureOrigins\` to true`;
  }
  return undefined;
}

function validateHeaderNames(scope: IConstruct, prop: string, names: readonly string[]): readonly string[] {
  if (!Array.isArray(names)) {
    throw new ValidationError(`\`${prop}\` must be a list of header names, such as ['Content-Type'], got ${describe(names)}`, scope);
  }
  names.forEach((name, index) => {
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
      throw new ValidationError(`\`${prop}[${index}]\` must be a header name of letters, digits, '-', '_' and '.', got ${describe(name)}`, scope);
    }
    const first = names.findIndex((other) => other.toLowerCase() === name.toLowerCase());
    if (first !== index) {
      throw new ValidationError(`\`${prop}[${index}]\` repeats \`${prop}[${first}]\` (${describe(names[first])}); header names compare without case: list each header once`, scope);
    }
  });
  return [...names];
}

function validateMaxAge(scope: IConstruct, maxAge: Duration | undefined): number {
  const value = maxAge ?? DEFAULT_CORS_MAX_AGE;
  if (value === null || typeof value !== 'object' || typeof (value as Partial<Duration>).toSeconds !== 'function') {
    throw new ValidationError(`\`cors.maxAge\` must be a Duration such as Duration.minutes(10), got ${describe(value)}`, scope);
  }
  if (value.isUnresolved()) {
    throw new ValidationError('`cors.maxAge` is a token: give a literal Duration, such as Duration.minutes(10), which is written into the preflight\'s answer at synth', scope);
  }
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_CORS_MAX_AGE.toSeconds()) {
    throw new ValidationError(`\`cors.maxAge\` must be a whole number of seconds from 0 seconds to 2 hours, got ${value.toHumanString()}: browsers cache a preflight at most 2 hours (Chromium's cap), so use Duration.hours(2) or less`, scope);
  }
  return seconds;
}

/** `Access-Control-Allow-Methods` for the routes of one path: their methods and OPTIONS, all of them for `ANY`. */
export function allowMethodsHeader(methods: Iterable<HttpMethod>): string {
  const given = new Set(methods);
  given.add(HttpMethod.OPTIONS);
  const listed = given.has(HttpMethod.ANY) ? ALL_METHODS : ALL_METHODS.filter((method) => given.has(method));
  return listed.join(',');
}

/**
 * The integration response template of a preflight with several allowed origins: it sets
 * `Access-Control-Allow-Origin` to the request's `Origin` only when that is exactly one of them (as
 * aws-cdk-lib's `addCorsPreflight` does, without its fallback to the first origin). Another origin
 * gets the same 204 without the header, which its browser treats as a refusal.
 */
export function preflightResponseTemplate(origins: readonly string[]): string {
  // Origins were checked (scheme://host[:port] of [a-z0-9.:-]): nothing in them needs escaping in VTL.
  const condition = origins.map((origin) => `$origin == "${origin}"`).join(' || ');
  return [
    `#set($origin = $input.params().header.get("${ORIGIN_HEADER}"))`,
    '#if("$!origin" == "")',
    `  #set($origin = $input.params().header.get("${ORIGIN_HEADER.toLowerCase()}"))`,
    '#end',
    `#if(${condition})`,
    `  #set($context.responseOverride.header.${CORS_HEADERS.allowOrigin} = $origin)`,
    '#end',
    '',
  ].join('\n');
}

/**
 * The static headers of a preflight's answer (header name to value, unquoted). With several
 * origins, `Access-Control-Allow-Origin` is set by the template instead.
 */
export function preflightHeaders(config: CorsConfig, allowMethods: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (config.origins.length === 1) {
    headers[CORS_HEADERS.allowOrigin] = config.origins[0];
  }
  if (!config.anyOrigin) {
    headers[CORS_HEADERS.vary] = ORIGIN_HEADER;
  }
  headers[CORS_HEADERS.allowMethods] = allowMethods;
  if (config.allowHeaders.length > 0) {
    headers[CORS_HEADERS.allowHeaders] = config.allowHeaders.join(',');
  }
  headers[CORS_HEADERS.maxAge] = String(config.maxAgeSeconds);
  if (config.allowCredentials) {
    headers[CORS_HEADERS.allowCredentials] = 'true';
  }
  return headers;
}

/**
 * The CORS headers of every gateway response (401, 403, 429, 5xx), as gateway-response parameter
 * values: static values in single quotes, or a mapping of a request header.
 *
 * With one origin, `Access-Control-Allow-Origin` is that origin, and with credentials
 * `Access-Control-Allow-Credentials: true` goes with it. With several origins, a gateway response
 * cannot choose among them (it has no template logic): the only dynamic value it has is a request
 * header, so it reflects the request's `Origin`, whatever it is. That is safe because a gateway
 * response's body is a fixed generic message and the request id (see `gateway-responses.ts`): a page
 * of any origin learns only that the request was refused, which it could learn by sending the
 * request itself, without a browser. Reflection is never combined with
 * `Access-Control-Allow-Credentials`, which would let any site read responses to requests made with
 * a user's cookies: with several origins and credentials, a credentialed request's gateway errors
 * stay unreadable to the page (the browser reports a network error), and the API warns about it.
 */
export function gatewayResponseCorsHeaders(config: CorsConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  if (config.origins.length === 1) {
    headers[CORS_HEADERS.allowOrigin] = `'${config.origins[0]}'`;
    if (config.allowCredentials) {
      headers[CORS_HEADERS.allowCredentials] = "'true'";
    }
  } else {
    headers[CORS_HEADERS.allowOrigin] = `method.request.header.${ORIGIN_HEADER.toLowerCase()}`;
  }
  if (!config.anyOrigin) {
    headers[CORS_HEADERS.vary] = `'${ORIGIN_HEADER}'`;
  }
  if (config.exposeHeaders.length > 0) {
    headers[CORS_HEADERS.exposeHeaders] = `'${config.exposeHeaders.join(',')}'`;
  }
  return headers;
}

/** The stage variables that carry the settings to Lambda proxy backends (see `lambda/shared/response-headers/cors.ts`). */
export function corsStageVariables(config: CorsConfig): Record<string, string> {
  const variables: Record<string, string> = {
    [CORS_STAGE_VARIABLES.origins]: config.anyOrigin ? CORS_ANY_ORIGIN : config.origins.join(','),
    [CORS_STAGE_VARIABLES.credentials]: String(config.allowCredentials),
  };
  if (config.exposeHeaders.length > 0) {
    variables[CORS_STAGE_VARIABLES.exposeHeaders] = config.exposeHeaders.join(',');
  }
  return variables;
}

/**
 * The CORS headers of the firewall's own block responses (AWS WAF's 403 and 429), as name and value.
 * AWS WAF's custom responses are static: with one origin (or `*`) they carry it, as the gateway
 * responses do; with several they carry none, since WAF cannot reflect the request's `Origin` (a
 * page then sees a network error instead of the 403 or 429).
 */
export function wafResponseCorsHeaders(config: CorsConfig | undefined): Array<{ name: string; value: string }> {
  if (config === undefined || config.origins.length > 1) {
    return [];
  }
  const headers: Array<{ name: string; value: string }> = [{ name: CORS_HEADERS.allowOrigin, value: config.origins[0] }];
  if (!config.anyOrigin) {
    headers.push({ name: CORS_HEADERS.vary, value: ORIGIN_HEADER });
  }
  if (config.allowCredentials) {
    headers.push({ name: CORS_HEADERS.allowCredentials, value: 'true' });
  }
  return headers;
}

/** The CORS settings of each API that has them, for the parts that attach to it (the firewall). */
const CONFIGS = new WeakMap<IConstruct, CorsConfig>();

/** The CORS settings of `api`, or undefined when it has no `cors`. */
export function corsConfigOf(api: IConstruct): CorsConfig | undefined {
  return CONFIGS.get(api);
}

/** What a preflight route is given: what `addRoute` needs besides its key. */
export interface PreflightRoute {
  readonly authorization: RouteAuthorization;
  readonly integration: apigw.Integration;
  readonly methodResponses: apigw.MethodResponse[];
}

const OWNER = '`cors`';

/**
 * The CORS of one API: checks the options, adds the gateway-response headers and the stage
 * variables, and gives each path its preflight route when the path gets its first route.
 */
export class CorsPreflights {
  public readonly config: CorsConfig;
  /** The methods of the routes on each path, for its `Access-Control-Allow-Methods`, read at synth. */
  private readonly methodsByPath = new Map<string, Set<HttpMethod>>();
  private readonly integrations = new Set<apigw.Integration>();

  constructor(private readonly api: IConstruct, stage: apigw.Stage, options: CorsOptions) {
    this.config = validateCors(api, options);
    CONFIGS.set(api, this.config);
    for (const [name, value] of Object.entries(gatewayResponseCorsHeaders(this.config))) {
      addGatewayResponseHeader(api, name, value, OWNER);
    }
    for (const [name, value] of Object.entries(corsStageVariables(this.config))) {
      addStageVariable(stage, name, value, OWNER);
    }
    if (this.config.allowCredentials && this.config.origins.length > 1) {
      Annotations.of(api).addWarningV2('secure-api:cors-gateway-responses-without-credentials',
        '`cors` allows credentials from several origins: the API\'s own error responses (401, 403, 429, 5xx) reflect the request\'s Origin and so never say Access-Control-Allow-Credentials, and a page cannot read them for a credentialed request. Allow one origin to let it read them.');
    }
  }

  /** Refuses a route of the user's on `OPTIONS`: the API answers preflights itself. */
  public validateRoute(prop: string, route: ParsedRoute, integration: apigw.Integration): void {
    if (route.method === HttpMethod.OPTIONS && !this.integrations.has(integration)) {
      throw new ValidationError(`\`${prop}\` is an OPTIONS route, but with \`cors\` the API answers OPTIONS (the CORS preflight) on every path that has a route: remove the route, or leave out \`cors\` and answer preflights yourself`, this.api);
    }
  }

  /**
   * Notes a route that was added; for the first route of a path, returns the options of the path's
   * preflight route, which the API then adds as `OPTIONS <path>`.
   */
  public routeAdded(route: ParsedRoute): PreflightRoute | undefined {
    const known = this.methodsByPath.get(route.path);
    if (known !== undefined) {
      known.add(route.method);
      return undefined;
    }
    const methods = new Set([route.method]);
    this.methodsByPath.set(route.path, methods);
    const headers = preflightHeaders(this.config, '');
    const responseParameters: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      responseParameters[`method.response.header.${name}`] = name === CORS_HEADERS.allowMethods
        // Routes added later on the same path add their methods.
        ? Lazy.string({ produce: () => `'${allowMethodsHeader(methods)}'` })
        : `'${value}'`;
    }
    const several = this.config.origins.length > 1;
    const integration = new apigw.MockIntegration({
      requestTemplates: { 'application/json': `{"statusCode": ${PREFLIGHT_STATUS}}` },
      passthroughBehavior: apigw.PassthroughBehavior.WHEN_NO_TEMPLATES,
      integrationResponses: [{
        statusCode: PREFLIGHT_STATUS,
        responseParameters,
        responseTemplates: several ? { 'application/json': preflightResponseTemplate(this.config.origins) } : undefined,
      }],
    });
    this.integrations.add(integration);
    const declared = [...Object.keys(headers), ...(several ? [CORS_HEADERS.allowOrigin] : [])];
    return {
      authorization: RouteAuthorization.publicAccess(PREFLIGHT_REASON),
      integration,
      methodResponses: [{
        statusCode: PREFLIGHT_STATUS,
        responseParameters: Object.fromEntries(declared.map((name) => [`method.response.header.${name}`, true])),
      }],
    };
  }
}

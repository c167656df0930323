/**
 * The prober function of `integ.probes.ts`: the assertions invoke it with one action each, and it
 * sends the requests (signed with its own role where asked) and reports what came back. Tokens, client
 * secrets and API key values stay inside the function: it reports statuses and log lines only.
 */
import {
  Http,
  HttpRequest,
  LabelledRequest,
  burst,
  clientCredentialsToken,
  offendUnlessBlocked,
  reached,
  statuses,
  summariseAccessLog,
} from './probes';
import { signedHeaders } from './signer';

const REGION = requiredEnv('AWS_REGION');
/** How far back the access log is searched for marked lines. */
const LOG_LOOKBACK_MS = 60 * 60 * 1000;
/** Each request may take this long: API Gateway's own timeout is 29 s. */
const REQUEST_TIMEOUT_MS = 30_000;

const credentials = {
  accessKeyId: requiredEnv('AWS_ACCESS_KEY_ID'),
  secretAccessKey: requiredEnv('AWS_SECRET_ACCESS_KEY'),
  sessionToken: process.env.AWS_SESSION_TOKEN,
};

/** Sends a request, signed with SigV4 for `signFor` when given. The path is sent exactly as given. */
const http: Http = async (request) => {
  const url = new URL(request.url);
  const method = request.method ?? 'GET';
  const headers = request.signFor === undefined
    ? { ...request.headers }
    : await signedHeaders({ url, method, headers: { ...request.headers }, body: request.body }, request.signFor, REGION, credentials);
  const response = await fetch(url, { method, headers, body: request.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), redirect: 'manual' });
  return { status: response.status, body: await response.text() };
};

/** Calls an AWS JSON-protocol API (Cognito, CloudWatch Logs) with the function's role. */
async function awsJson<T>(service: string, target: string, body: object): Promise<T> {
  const response = await http({
    url: `https://${service}.${REGION}.amazonaws.com/`,
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(body),
    signFor: service,
  });
  if (response.status !== 200) {
    throw new Error(`${target} answered ${response.status}: ${response.body.slice(0, 200)}`);
  }
  return JSON.parse(response.body) as T;
}

/** A machine client's secret, read from Cognito. */
async function clientSecret(userPoolId: string, clientId: string): Promise<string> {
  const described = await awsJson<{ UserPoolClient: { ClientSecret: string } }>(
    'cognito-idp', 'AWSCognitoIdentityProviderService.DescribeUserPoolClient', { UserPoolId: userPoolId, ClientId: clientId });
  return described.UserPoolClient.ClientSecret;
}

/** An API key's value, read from API Gateway. */
async function apiKeyValue(apiKeyId: string): Promise<string> {
  const response = await http({ url: `https://apigateway.${REGION}.amazonaws.com/apikeys/${encodeURIComponent(apiKeyId)}?includeValue=true`, signFor: 'apigateway' });
  if (response.status !== 200) {
    throw new Error(`GetApiKey answered ${response.status}`);
  }
  return (JSON.parse(response.body) as { value: string }).value;
}

interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** The actions, by name, with what each takes. */
interface Actions {
  /** Sends each request once and reports its status; `protected` requests must not get a 2xx. */
  'statuses': { readonly requests: LabelledRequest[]; readonly protectedLabels?: string[] };
  /** Sends `count` copies of a request at once (with an API key's value when `apiKeyId` is given). */
  'burst': { readonly request: HttpRequest; readonly count: number; readonly apiKeyId?: string };
  /**
   * Gets a token for each client, then calls each route without a token and with each token; reports
   * each route's statuses, and the routes each caller (`none` or a client) reached with a 2xx.
   */
  'tokens': {
    readonly tokenUrl: string;
    readonly userPoolId: string;
    readonly clients: Record<string, { readonly clientId: string; readonly scope: string }>;
    readonly routes: Record<string, HttpRequest>;
  };
  /** Calls a public route and, only if it answers 200, fails `count` logins. */
  'offend-unless-blocked': { readonly offence: HttpRequest; readonly count: number; readonly check: HttpRequest };
  /** Reads the access-log lines that carry `marker`. */
  'read-access-log': { readonly logGroupName: string; readonly marker: string; readonly expected: number; readonly tlsKey: string };
}

type ProberEvent = { [A in keyof Actions]: { readonly action: A } & Actions[A] }[keyof Actions];

/**
 * Runs one action and logs its report (statuses, counts, log lines; never a token, secret or key
 * value), so that a run's findings can be read in the function's log group as well as in the
 * assertions' results.
 */
export async function handler(event: ProberEvent): Promise<unknown> {
  const report = await run(event);
  console.log(JSON.stringify({ action: event.action, report }));
  return report;
}

async function run(event: ProberEvent): Promise<unknown> {
  switch (event.action) {
    case 'statuses': {
      const result = await statuses(http, event.requests);
      const protectedOnly = Object.fromEntries(Object.entries(result).filter(([label]) => event.protectedLabels?.includes(label)));
      return { statuses: result, protectedReached: reached(protectedOnly) };
    }
    case 'burst': {
      const headers = event.apiKeyId === undefined ? event.request.headers : { ...event.request.headers, 'x-api-key': await apiKeyValue(event.apiKeyId) };
      return burst(http, { ...event.request, headers }, event.count);
    }
    case 'tokens': {
      const tokens: Record<string, string> = {};
      for (const [name, client] of Object.entries(event.clients)) {
        tokens[name] = await clientCredentialsToken(http, event.tokenUrl, client.clientId, await clientSecret(event.userPoolId, client.clientId), client.scope);
      }
      const report: Record<string, Record<string, number>> = {};
      for (const [route, request] of Object.entries(event.routes)) {
        const calls: LabelledRequest[] = [{ label: 'none', ...request }, ...Object.entries(tokens).map(([name, token]) => ({
          label: name, ...request, headers: { ...request.headers, authorization: `Bearer ${token}` },
        }))];
        report[route] = await statuses(http, calls);
      }
      const reachedBy = (label: string) => reached(Object.fromEntries(Object.entries(report).map(([route, result]) => [route, result[label]])));
      return { statuses: report, reachedBy: Object.fromEntries(['none', ...Object.keys(tokens)].map((label) => [label, reachedBy(label)])) };
    }
    case 'offend-unless-blocked':
      return offendUnlessBlocked(http, event.offence, event.count, event.check);
    case 'read-access-log': {
      const events: LogEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await awsJson<{ events?: LogEvent[]; nextToken?: string }>('logs', 'Logs_20140328.FilterLogEvents', {
          logGroupName: event.logGroupName,
          filterPattern: `"${event.marker}"`,
          startTime: Date.now() - LOG_LOOKBACK_MS,
          nextToken,
        });
        events.push(...page.events ?? []);
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return summariseAccessLog(events, event.expected, event.tlsKey);
    }
    default:
      throw new Error(`unknown action ${JSON.stringify((event as { action?: unknown }).action)}`);
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set`);
  }
  return value;
}

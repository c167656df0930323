/**
 * What the prober function of `integ.probes.ts` does against a deployed API: sends requests and
 * reports what came back (statuses, counts, access-log lines), never tokens or key values. Pure
 * apart from the `Http` it is given, so the tests run it against a local server.
 */
import { parseOffences } from '../../../lambda/abuse-blocker/log-events';

/** Sends one HTTP request; the prober's entry point signs requests for AWS with SigV4. */
export type Http = (request: HttpRequest) => Promise<HttpResponse>;

export interface HttpRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Sign the request with the function's own credentials (SigV4), for this service. */
  readonly signFor?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** One labelled request, for reports keyed by label. */
export interface LabelledRequest extends HttpRequest {
  readonly label: string;
}

/** Every request answered, as label → status. */
export async function statuses(http: Http, requests: readonly LabelledRequest[]): Promise<Record<string, number>> {
  const answered = await Promise.all(requests.map(async ({ label, ...request }) => [label, (await http(request)).status] as const));
  return Object.fromEntries(answered);
}

/** The labels whose requests were answered 2xx: a protected route reached. */
export function reached(result: Record<string, number>): string[] {
  return Object.entries(result).filter(([, status]) => status >= 200 && status < 300).map(([label]) => label).sort();
}

/** What a burst of identical requests, sent at once, got back. */
export interface BurstReport {
  /** How many requests got each status. */
  readonly counts: Record<string, number>;
  /** The distinct statuses, ascending. */
  readonly distinct: number[];
}

/** Sends `count` copies of `request` at once and counts the statuses. */
export async function burst(http: Http, request: HttpRequest, count: number): Promise<BurstReport> {
  const answers = await Promise.all(Array.from({ length: count }, () => http(request)));
  const counts: Record<string, number> = {};
  for (const { status } of answers) {
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return { counts, distinct: [...new Set(answers.map((answer) => answer.status))].sort((a, b) => a - b) };
}

/** What the access log holds for the marked requests, and whether its readers can read it. */
export interface AccessLogReport {
  /** Lines found that carry the marker. */
  readonly lines: number;
  /** Whether at least the expected number of lines arrived. */
  readonly complete: boolean;
  /** Lines that are not valid JSON, raw: JSON metric filters never match them. */
  readonly unparsable: string[];
  /** Lines whose end the abuse blocker cannot read (`parseOffences` counts them malformed). */
  readonly malformed: number;
  /** The distinct values of the TLS version field (`tls`) in the lines that parse. */
  readonly tlsVersions: string[];
  /** Each line as logged, to read how API Gateway escaped the user agent, path and query. */
  readonly samples: string[];
}

/** Sums up access-log lines of the marked requests (CloudWatch Logs events with `message`s). */
export function summariseAccessLog(events: ReadonlyArray<{ readonly timestamp: number; readonly message: string }>, expected: number, tlsKey: string): AccessLogReport {
  const unparsable: string[] = [];
  const tlsVersions = new Set<string>();
  for (const { message } of events) {
    try {
      const line = JSON.parse(message) as Record<string, unknown>;
      tlsVersions.add(String(line[tlsKey]));
    } catch {
      unparsable.push(message);
    }
  }
  return {
    lines: events.length,
    complete: events.length >= expected,
    unparsable,
    malformed: parseOffences(events, new Set()).malformed,
    tlsVersions: [...tlsVersions].sort(),
    samples: events.map((event) => event.message),
  };
}

/** What one call of a public route, and the failed logins sent while it still answered 200, got back. */
export interface AutomaticBlockReport {
  /** The public route's status, before any login of this call. */
  readonly before: number;
  /** The statuses of the failed logins: none once the public route no longer answers 200. */
  readonly offences: number[];
}

/**
 * Calls a public route and, only while it answers 200 (this address is not blocked yet), fails
 * `count` logins. The abuse blocker lists an address a while after its failed logins (access log,
 * subscription, Lambda, IP set), so a caller calls this again until `before` is 403; an address that
 * changed between calls offends again, and no login is sent once the firewall blocks the address.
 */
export async function offendUnlessBlocked(http: Http, offence: HttpRequest, count: number, check: HttpRequest): Promise<AutomaticBlockReport> {
  const before = (await http(check)).status;
  const offences: number[] = [];
  if (before === 200) {
    for (let i = 0; i < count; i++) {
      offences.push((await http(offence)).status);
    }
  }
  return { before, offences };
}

/** Gets an access token with the OAuth 2.0 client credentials grant; throws if the issuer refuses. */
export async function clientCredentialsToken(http: Http, tokenUrl: string, clientId: string, clientSecret: string, scope: string): Promise<string> {
  const response = await http({
    url: tokenUrl,
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'authorization': `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  });
  if (response.status !== 200) {
    throw new Error(`the token endpoint answered ${response.status}`);
  }
  const token = (JSON.parse(response.body) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string') {
    throw new Error('the token endpoint answered without an access_token');
  }
  return token;
}

import { gunzipSync } from 'node:zlib';
import { ACCESS_LOG_KEYS, WAF_BLOCK } from '../shared/constants';
import { HostAddress, hostAddress } from './addresses';

/** The decoded body of a CloudWatch Logs subscription delivery. */
export interface SubscriptionMessage {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly logGroup: string;
  readonly logEvents: readonly unknown[];
}

/** One offending response: a client address and when API Gateway logged the request. */
export interface Offence {
  readonly address: HostAddress;
  /** Milliseconds since the epoch, from the log event. */
  readonly timestamp: number;
}

/** What the blocker took from a batch of access-log events. */
export interface ParsedBatch {
  readonly offences: Offence[];
  /** Events that were not access-log lines of the expected shape: skipped. */
  readonly malformed: number;
  /** Well-formed events that are not offences (another status, or blocked by WAF already). */
  readonly ignored: number;
}

/** Refuses anything that would take long to decompress: a delivery is at most about 1 MB. */
const MAX_DECODED_BYTES = 8 * 1024 * 1024;

/**
 * Decodes `awslogs.data` (base64 of gzipped JSON), or returns `undefined` if it is not a
 * subscription message.
 */
export function decodeSubscription(data: unknown): SubscriptionMessage | undefined {
  if (typeof data !== 'string' || data.length === 0) {
    return undefined;
  }
  let message: unknown;
  try {
    message = JSON.parse(gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: MAX_DECODED_BYTES }).toString('utf8'));
  } catch {
    return undefined;
  }
  if (message === null || typeof message !== 'object') {
    return undefined;
  }
  const { messageType, logGroup, logEvents } = message as Record<string, unknown>;
  if ((messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') || typeof logGroup !== 'string' || !Array.isArray(logEvents)) {
    return undefined;
  }
  return { messageType, logGroup, logEvents };
}

/**
 * The end of an access-log line: the WAF verdict, the client address and the status, which the log
 * format writes last (see `lib/observability/access-log-format.ts`). API Gateway writes these values
 * itself; fields a client shapes (user agent, path) come earlier, and if one of them breaks the
 * line's JSON (API Gateway does not escape every quote and backslash), or repeats a key, the end of
 * the line is still API Gateway's own. So the blocker reads the end, and never parses the line.
 */
const LINE_END = new RegExp(
  `"${ACCESS_LOG_KEYS.wafResponseCode}":"([^"\\\\]*)","${ACCESS_LOG_KEYS.sourceIp}":"([^"\\\\]*)","${ACCESS_LOG_KEYS.status}":(\\d{3})\\}\\s*$`,
);

/**
 * Picks the offences out of access-log events: responses with one of `statusCodes` that API
 * Gateway served (not those AWS WAF blocked, which the firewall already stopped). The address is
 * only ever the access log's `sourceIp` (`$context.identity.sourceIp`), never a header.
 */
export function parseOffences(logEvents: readonly unknown[], statusCodes: ReadonlySet<number>): ParsedBatch {
  const offences: Offence[] = [];
  let malformed = 0;
  let ignored = 0;
  for (const event of logEvents) {
    const line = lineEnd(event);
    const address = hostAddress(line?.sourceIp);
    if (line === undefined || address === undefined) {
      malformed++;
    } else if (!statusCodes.has(line.status) || line.wafResponseCode === WAF_BLOCK) {
      ignored++;
    } else {
      offences.push({ address, timestamp: line.timestamp });
    }
  }
  return { offences, malformed, ignored };
}

function lineEnd(event: unknown): { timestamp: number; wafResponseCode: string; sourceIp: string; status: number } | undefined {
  if (event === null || typeof event !== 'object') {
    return undefined;
  }
  const { timestamp, message } = event as Record<string, unknown>;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0 || typeof message !== 'string') {
    return undefined;
  }
  const match = LINE_END.exec(message);
  return match ? { timestamp, wafResponseCode: match[1], sourceIp: match[2], status: Number(match[3]) } : undefined;
}

import { createGunzip } from 'node:zlib';
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

/**
 * AWS Lambda's limit on an asynchronous invocation's payload, which is how CloudWatch Logs invokes a
 * subscription's function: "For asynchronous invocations, the maximum payload size is 1 MB"
 * (Lambda API reference, Invoke: https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html).
 * `awslogs.data` is part of that payload, so a longer one is not a delivery.
 */
export const LAMBDA_ASYNC_PAYLOAD_LIMIT_BYTES = 1_048_576;

/**
 * The most a deflate stream can expand: 1032 to 1 (zlib's technical details,
 * https://www.zlib.net/zlib_tech.html, "the limit is 1032:1").
 */
const DEFLATE_MAX_RATIO = 1032;

/**
 * The most a legitimate delivery can decompress to: base64 carries 3 bytes in 4 characters, and
 * gzip expands at most by deflate's ratio. About 774 MiB: the delivery is read as a stream, one log
 * event at a time, so the function never holds it whole; beyond this it is not a delivery.
 */
export const MAX_DECODED_BYTES = Math.floor((LAMBDA_ASYNC_PAYLOAD_LIMIT_BYTES * 3) / 4) * DEFLATE_MAX_RATIO;

/**
 * CloudWatch Logs' limit on one log event: "Each log event can be no larger than 256 KB"
 * (CloudWatch Logs API reference, PutLogEvents:
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
 */
export const CLOUDWATCH_LOGS_EVENT_LIMIT_BYTES = 262_144;

/**
 * The most one log event may take in the delivery's JSON before it is parsed: its message at the
 * event limit with every character escaped as `\uXXXX` (6 bytes), plus room for its id and
 * timestamp. A larger event is counted as malformed without being parsed; the batch's others are read.
 */
export const MAX_EVENT_JSON_BYTES = CLOUDWATCH_LOGS_EVENT_LIMIT_BYTES * 6 + 1024;

/** The most any other field of the delivery may take (a log group name is at most 512 characters). */
const MAX_FIELD_JSON_BYTES = 64 * 1024;

/**
 * How much of a message the blocker keeps: the end of the line, where the WAF verdict, the address
 * and the status are (see `LINE_END`). The rest (user agent, path) is dropped as soon as it is parsed.
 */
export const LINE_TAIL_CHARS = 1024;

/** Limits of the decoder, for tests. */
export interface DecodeLimits {
  readonly maxDecodedBytes: number;
}

const DEFAULT_LIMITS: DecodeLimits = { maxDecodedBytes: MAX_DECODED_BYTES };

/**
 * Decodes `awslogs.data` (base64 of gzipped JSON), or returns `undefined` if it is not a
 * subscription message. The JSON is read as a stream and never parsed whole: each log event is
 * parsed on its own once its size is known to be within `MAX_EVENT_JSON_BYTES`, and only the end of
 * its message is kept. An event that is larger, or that is not JSON, is passed on as `null` (so it
 * is counted as malformed), and the other events of the batch are kept.
 */
export async function decodeSubscription(data: unknown, limits: DecodeLimits = DEFAULT_LIMITS): Promise<SubscriptionMessage | undefined> {
  if (typeof data !== 'string' || data.length === 0 || data.length > LAMBDA_ASYNC_PAYLOAD_LIMIT_BYTES) {
    return undefined;
  }
  const scanner = new DeliveryScanner();
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  let decoded = 0;
  try {
    gunzip.end(Buffer.from(data, 'base64'));
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      decoded += chunk.length;
      if (decoded > limits.maxDecodedBytes || !scanner.write(chunk)) {
        gunzip.destroy();
        return undefined;
      }
    }
  } catch {
    return undefined;
  }
  return scanner.end();
}

/**
 * Splits a delivery's JSON, as it streams in, into its top-level fields and the elements of its
 * `logEvents` array, each handed to `JSON.parse` on its own and only when small enough. It tracks
 * strings (with their escapes) and nesting only, to find where each value ends: JSON.parse still
 * checks every value it keeps.
 */
class DeliveryScanner {
  private readonly fields = new Map<string, unknown>();
  private logEvents: unknown[] | undefined;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private done = false;
  private failed = false;
  /** At depth 1: reading a key (`key`), after it (`colon`), or a value (`value`). */
  private phase: 'key' | 'colon' | 'value' = 'key';
  private key = '';
  private parts: Buffer[] = [];
  private size = 0;
  private oversized = false;
  /** Whether the value being read is the `logEvents` array, split into its elements. */
  private inEvents = false;

  /** Feeds the next chunk; `false` once the text cannot be a subscription message. */
  public write(chunk: Buffer): boolean {
    let from = 0;
    for (let i = 0; i < chunk.length && !this.failed; i++) {
      const byte = chunk[i];
      if (this.done) {
        if (!isSpace(byte)) {
          this.failed = true;
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
        } else if (byte === BACKSLASH) {
          this.escaped = true;
        } else if (byte === QUOTE) {
          this.inString = false;
        }
        continue;
      }
      if (this.depth === 0) {
        if (byte === OPEN_BRACE) {
          this.depth = 1;
          from = i + 1;
          this.startPart();
        } else if (!isSpace(byte)) {
          this.failed = true;
        }
        continue;
      }
      if (byte === QUOTE) {
        this.inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (this.depth === 1 && this.phase === 'value' && this.key === 'logEvents' && byte === OPEN_BRACKET && this.isBlank(chunk, from, i)) {
          this.inEvents = true;
          this.logEvents = [];
          this.depth = 2;
          from = i + 1;
          this.startPart();
          continue;
        }
        this.depth++;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET || byte === COMMA) {
        const closes = byte !== COMMA;
        if (this.inEvents && this.depth === 2) {
          this.addPart(chunk, from, i);
          this.endEvent(closes);
          from = i + 1;
          if (closes) {
            this.inEvents = false;
            this.depth = 1;
            this.phase = 'value';
            this.startPart();
          }
          continue;
        }
        if (this.depth === 1) {
          this.addPart(chunk, from, i);
          this.endTopLevel();
          from = i + 1;
          if (closes) {
            this.depth = 0;
            this.done = true;
          }
          continue;
        }
        if (closes) {
          this.depth--;
        }
      } else if (byte === COLON && this.depth === 1 && this.phase === 'key') {
        this.addPart(chunk, from, i);
        this.endKey();
        from = i + 1;
      }
    }
    if (!this.failed && !this.done && this.depth > 0) {
      this.addPart(chunk, from, chunk.length);
    }
    return !this.failed;
  }

  /** The message, once the whole text is read; `undefined` if it is not a subscription message. */
  public end(): SubscriptionMessage | undefined {
    if (this.failed || !this.done) {
      return undefined;
    }
    const messageType = this.fields.get('messageType');
    const logGroup = this.fields.get('logGroup');
    const logEvents = this.logEvents;
    if ((messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') || typeof logGroup !== 'string' || logEvents === undefined) {
      return undefined;
    }
    return { messageType, logGroup, logEvents };
  }

  /** Whether nothing but white space came since the last separator. */
  private isBlank(chunk: Buffer, from: number, to: number): boolean {
    if (this.oversized || this.parts.some((part) => part.some((byte) => !isSpace(byte)))) {
      return false;
    }
    for (let i = from; i < to; i++) {
      if (!isSpace(chunk[i])) {
        return false;
      }
    }
    return true;
  }

  private startPart(): void {
    this.parts = [];
    this.size = 0;
    this.oversized = false;
  }

  private addPart(chunk: Buffer, from: number, to: number): void {
    if (this.oversized || to <= from) {
      return;
    }
    const limit = this.inEvents ? MAX_EVENT_JSON_BYTES : MAX_FIELD_JSON_BYTES;
    this.size += to - from;
    if (this.size > limit) {
      this.oversized = true;
      this.parts = [];
    } else {
      this.parts.push(chunk.subarray(from, to));
    }
  }

  /** The text read since the last separator, or `undefined` if it was too large. */
  private takePart(): string | undefined {
    const text = this.oversized ? undefined : Buffer.concat(this.parts).toString('utf8');
    this.startPart();
    return text;
  }

  private endKey(): void {
    const text = this.takePart();
    const key = text === undefined ? undefined : parseJson(text);
    if (typeof key !== 'string') {
      this.failed = true;
      return;
    }
    this.key = key;
    this.phase = 'value';
  }

  private endTopLevel(): void {
    const text = this.takePart();
    if (this.phase === 'key') {
      // `{}` or a trailing comma: only the empty object has nothing before its brace.
      if (text === undefined || text.trim() !== '' || this.fields.size > 0 || this.logEvents !== undefined) {
        this.failed = true;
      }
      return;
    }
    this.phase = 'key';
    if (this.key === 'logEvents' && this.logEvents !== undefined && text !== undefined && text.trim() === '') {
      return; // the array was read element by element
    }
    if (this.key === 'logEvents') {
      this.logEvents = undefined; // not an array: not a subscription message
    }
    if (text === undefined) {
      this.fields.delete(this.key);
      return;
    }
    const value = parseJson(text);
    if (value === INVALID) {
      this.failed = true;
    } else {
      this.fields.set(this.key, value);
    }
  }

  private endEvent(closes: boolean): void {
    const text = this.takePart();
    if (closes && text !== undefined && text.trim() === '' && this.logEvents?.length === 0) {
      return; // []
    }
    const event = text === undefined ? INVALID : parseJson(text);
    this.logEvents?.push(event === INVALID ? null : trimmed(event));
  }
}

const INVALID = Symbol('invalid');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

/** The event with only the end of its message, copied so the full message can be freed. */
function trimmed(event: unknown): unknown {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    return event;
  }
  const { message } = event as Record<string, unknown>;
  if (typeof message !== 'string' || message.length <= LINE_TAIL_CHARS) {
    return event;
  }
  return { ...event, message: Buffer.from(message.slice(-LINE_TAIL_CHARS), 'utf8').toString('utf8') };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
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

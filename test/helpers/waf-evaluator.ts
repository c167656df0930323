/**
 * A small evaluator of AWS WAF statements as they appear in a synthesized template (CloudFormation's
 * PascalCase), written from AWS WAF's documentation and independent of the library's code, so a test
 * can ask "does this rule match this request?" of the rule the library actually writes.
 *
 * It knows only what the firewall's route rules use: AND, OR, NOT, string (byte) match, regex match,
 * the URI path and the method, and the text transformations NONE, URL_DECODE and NORMALIZE_PATH.
 * Anything else throws, so a rule it cannot judge never passes silently.
 */

/** The parts of a web request the evaluator inspects. */
export interface WafRequest {
  readonly method: string;
  /** The URI path exactly as the client sent it, without the query string. */
  readonly uriPath: string;
}

type Statement = Record<string, any>;
type Transformation = { Priority: number; Type: string };

/**
 * AWS WAF's URL_DECODE: "decodes a URL-encoded value". Each `%XX` becomes the byte it encodes, in
 * one pass; a `%` not followed by two hex digits is left as it is.
 */
export function urlDecode(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * AWS WAF's NORMALIZE_PATH: "removes multiple slashes, directory self-references, and directory
 * back-references that are not at the beginning of the input". A `..` removes the segment before it;
 * a `..` with no segment before it (at the beginning) stays. A path that ended in a slash, `.` or
 * `..` keeps a trailing slash.
 */
export function normalizePath(text: string): string {
  const collapsed = text.replace(/\/{2,}/g, '/');
  const rooted = collapsed.startsWith('/');
  const segments = (rooted ? collapsed.slice(1) : collapsed).split('/');
  const out: string[] = [];
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') {
        if (out.length > 0 && out[out.length - 1] !== '..') {
          out.pop();
        } else {
          out.push('..');
        }
      }
      if (last && out[out.length - 1] !== '..') {
        out.push('');
      }
      return;
    }
    out.push(segment);
  });
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined;
}

const TRANSFORMATIONS: Record<string, (text: string) => string> = {
  NONE: (text) => text,
  URL_DECODE: urlDecode,
  NORMALIZE_PATH: normalizePath,
};

/** Applies `transformations` from the lowest priority to the highest, as AWS WAF does. */
export function transform(text: string, transformations: readonly Transformation[]): string {
  if (transformations.length > 10) {
    throw new Error(`AWS WAF takes at most 10 text transformations in a statement, got ${transformations.length}`);
  }
  return [...transformations].sort((a, b) => a.Priority - b.Priority).reduce((value, t) => {
    const apply = TRANSFORMATIONS[t.Type];
    if (!apply) {
      throw new Error(`The evaluator does not implement the text transformation ${t.Type}`);
    }
    return apply(value);
  }, text);
}

function field(fieldToMatch: Record<string, unknown>, request: WafRequest): string {
  if (fieldToMatch.UriPath) {
    return request.uriPath;
  }
  if (fieldToMatch.Method) {
    return request.method;
  }
  throw new Error(`The evaluator does not inspect ${Object.keys(fieldToMatch).join(', ')}`);
}

function byteMatch(match: Statement, request: WafRequest): boolean {
  const value = transform(field(match.FieldToMatch, request), match.TextTransformations);
  const search: string = match.SearchString;
  switch (match.PositionalConstraint) {
    case 'EXACTLY': return value === search;
    case 'STARTS_WITH': return value.startsWith(search);
    case 'ENDS_WITH': return value.endsWith(search);
    case 'CONTAINS': return value.includes(search);
    default: throw new Error(`The evaluator does not implement the positional constraint ${match.PositionalConstraint}`);
  }
}

function regexMatch(match: Statement, request: WafRequest): boolean {
  if (typeof match.RegexString !== 'string') {
    throw new Error(`The regex is not a literal string: ${JSON.stringify(match.RegexString)}`);
  }
  return new RegExp(match.RegexString).test(transform(field(match.FieldToMatch, request), match.TextTransformations));
}

/** Whether `statement` matches `request`; for a rate-based statement, whether the request is counted. */
export function matches(statement: Statement, request: WafRequest): boolean {
  if (statement.AndStatement) {
    return statement.AndStatement.Statements.every((inner: Statement) => matches(inner, request));
  }
  if (statement.OrStatement) {
    return statement.OrStatement.Statements.some((inner: Statement) => matches(inner, request));
  }
  if (statement.NotStatement) {
    return !matches(statement.NotStatement.Statement, request);
  }
  if (statement.ByteMatchStatement) {
    return byteMatch(statement.ByteMatchStatement, request);
  }
  if (statement.RegexMatchStatement) {
    return regexMatch(statement.RegexMatchStatement, request);
  }
  if (statement.RateBasedStatement) {
    const scopeDown = statement.RateBasedStatement.ScopeDownStatement;
    return scopeDown === undefined || matches(scopeDown, request);
  }
  throw new Error(`The evaluator does not implement ${Object.keys(statement).join(', ')}`);
}

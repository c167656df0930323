import { Token } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { HttpMethod } from '../auth/route-authorization';
import { Route, pathRegex } from '../../lambda/shared/routes';
import { ParsedRoute } from './route-key';

/** AWS WAF's rule for rule and metric names it accepts here: letters, digits, `_` and `-`. */
export const WAF_RULE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** The longest regular expression a regex match statement takes. */
export const WAF_MAX_REGEX_LENGTH = 512;

/** A text transformation that changes nothing, for statements that require one. */
export const NO_TRANSFORMATION: readonly wafv2.CfnWebACL.TextTransformationProperty[] = [{ priority: 0, type: 'NONE' }];

/** Percent-decoding, so that `/v1/log%69n` is seen as `/v1/login`. */
const URL_DECODED: readonly wafv2.CfnWebACL.TextTransformationProperty[] = [{ priority: 0, type: 'URL_DECODE' }];

/**
 * Path normalisation: AWS WAF's `NORMALIZE_PATH` removes repeated slashes, `.` segments, and `..`
 * segments with the segment before them (a `..` at the start stays), so that `/v1//pets/./1` and
 * `/v1/pets/x/../1` are seen as `/v1/pets/1`. Not `NORMALIZE_PATH_WIN`, which also turns `\` into
 * `/`: API Gateway does not separate path segments at a backslash.
 */
const NORMALIZED: readonly wafv2.CfnWebACL.TextTransformationProperty[] = [{ priority: 0, type: 'NORMALIZE_PATH' }];

/** Percent-decoding, then path normalisation, so that `/v1/pets/%2e/1` is seen as `/v1/pets/1`. */
const URL_DECODED_NORMALIZED: readonly wafv2.CfnWebACL.TextTransformationProperty[] = [
  { priority: 0, type: 'URL_DECODE' },
  { priority: 1, type: 'NORMALIZE_PATH' },
];

/**
 * The forms of the URI path a per-route rule matches, any one sufficing: as sent, percent-decoded,
 * normalised, and percent-decoded then normalised.
 */
const ROUTE_PATH_TRANSFORMATIONS: readonly (readonly wafv2.CfnWebACL.TextTransformationProperty[])[] = [
  NO_TRANSFORMATION,
  URL_DECODED,
  NORMALIZED,
  URL_DECODED_NORMALIZED,
];

/** `text` with every regular-expression metacharacter escaped. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regular expression matching the URI path of a request for `route`, as clients send it: under
 * one of `prefixes` (`/v1` for the stage at the execute-api endpoint, a custom domain's base path,
 * or `''`), with an optional trailing slash (API Gateway sends `/login/` to the `/login` route). A
 * `{param}` segment matches any one non-empty segment and `{param+}` any non-empty rest of the path.
 */
export function routePathRegex(route: Route, prefixes: readonly string[]): string {
  // Longer prefixes first, so `/v10` is tried before `/v1`. A token (a stage name from a parameter)
  // is left as it is: stage names hold only letters, digits, `-` and `_`, nothing to escape.
  const alternatives = [...prefixes].sort((a, b) => b.length - a.length)
    .map((prefix) => (Token.isUnresolved(prefix) ? prefix : escapeRegex(prefix))).join('|');
  return `^(?:${alternatives})${pathRegex(route, escapeRegex)}$`;
}

/**
 * The scope-down statement of a per-route rate rule: the route's method (any method for `ANY`) and
 * its path. The path is matched as sent, percent-decoded, normalised (`//`, `/./` and `/x/../`
 * removed), and percent-decoded then normalised (`/%2e/`), because how API Gateway decodes and
 * normalises a path before routing it is not documented: whichever form reaches the route, the
 * request is counted, and a client cannot escape the limit by spelling the path differently.
 */
export function routeScopeDown(route: ParsedRoute, prefixes: readonly string[]): wafv2.CfnWebACL.StatementProperty {
  const regexString = routePathRegex(route, prefixes);
  const path: wafv2.CfnWebACL.StatementProperty = {
    orStatement: {
      statements: ROUTE_PATH_TRANSFORMATIONS.map((transformations) => ({
        regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString, textTransformations: transformations.map((t) => ({ ...t })) },
      })),
    },
  };
  if (route.method === HttpMethod.ANY) {
    return path;
  }
  return {
    andStatement: {
      statements: [
        {
          byteMatchStatement: {
            fieldToMatch: { method: {} },
            positionalConstraint: 'EXACTLY',
            searchString: route.method,
            textTransformations: [...NO_TRANSFORMATION],
          },
        },
        path,
      ],
    },
  };
}

/**
 * The default name of a per-route rate rule: `RateLimit-POST-login`, with `-by-<header>` when it
 * counts per header value. Characters a rule name cannot hold are dropped.
 */
export function routeRuleName(route: ParsedRoute, header?: string): string {
  const path = route.segments.length === 0 ? 'root' : route.segments.map((segment) => segment.text.replace(/[^A-Za-z0-9_-]/g, '')).join('-');
  const key = header === undefined ? '' : `-by-${header.replace(/[^A-Za-z0-9_-]/g, '')}`;
  return `RateLimit-${route.method}-${path}${key}`;
}

import { DEPRECATION_HEADERS, DEPRECATION_STAGE_VARIABLES } from '../constants';

/** The stage variables of a request, as API Gateway passes them (`event.stageVariables`). */
export type StageVariables = Readonly<Record<string, string | undefined>> | null | undefined;

/** Unix seconds as the deprecation construct writes them: digits only, no sign, no fraction. */
const UNIX_SECONDS = /^[0-9]{1,12}$/;

/** An https URL of the characters a stage variable can hold, nothing that could break a header. */
const HTTPS_LINK = /^https:\/\/[A-Za-z0-9\-._~:/?#&=,]{1,2040}$/;

/**
 * The `Deprecation`, `Sunset` and `Link` headers of a deprecated API version, from the stage
 * variables the construct sets. Returns no headers (never throws) when the version is not
 * deprecated or a variable is missing or malformed: a handler must not fail over a header.
 */
export function deprecationHeaders(stageVariables: StageVariables): Record<string, string> {
  if (stageVariables === null || typeof stageVariables !== 'object') {
    return {};
  }
  const deprecatedAt = own(stageVariables, DEPRECATION_STAGE_VARIABLES.deprecatedAt);
  const sunsetAt = own(stageVariables, DEPRECATION_STAGE_VARIABLES.sunsetAt);
  const link = own(stageVariables, DEPRECATION_STAGE_VARIABLES.link);
  if (deprecatedAt === undefined || sunsetAt === undefined || link === undefined
    || !UNIX_SECONDS.test(deprecatedAt) || !UNIX_SECONDS.test(sunsetAt) || !HTTPS_LINK.test(link)) {
    return {};
  }
  const sunset = new Date(Number(sunsetAt) * 1000);
  if (Number.isNaN(sunset.getTime())) {
    return {};
  }
  return {
    [DEPRECATION_HEADERS.deprecation]: `@${Number(deprecatedAt)}`,
    // `toUTCString()` is the IMF-fixdate form of an HTTP-date: `Sun, 06 Nov 1994 08:49:37 GMT`.
    [DEPRECATION_HEADERS.sunset]: sunset.toUTCString(),
    [DEPRECATION_HEADERS.link]: `<${link}>; rel="deprecation"; type="text/html"`,
  };
}

/** An own string property, never one of the prototype's. */
function own(variables: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

import {
  AUDIENCE_CLAIMS,
  GROUP_CLAIMS,
  JwtAuthorizerSettings,
  JwtIssuerSettings,
  JwtLimitSettings,
  JwtPlanGroup,
  JwtPlanNarrowing,
  JwtPlanRoute,
  JwtPolicyPlan,
  SCOPE_CLAIMS,
  TOKEN_TYPES,
} from '../shared/constants';
import { narrowingsOf } from '../shared/routes/planner';
import { SettingsReader } from '../shared/settings-reader';
import { SettingsError } from './errors';

const read = new SettingsReader((message) => new SettingsError(message));

/**
 * Reads and checks the settings file the construct wrote next to the handler, with each deploy-time
 * value taken from the environment variable its reference names. Called once at cold start: a
 * function with broken settings fails to start instead of guessing.
 */
export function readSettings(file: string, env: Readonly<Record<string, string | undefined>>): JwtAuthorizerSettings {
  return parseSettings(read.file(file, env));
}

/** Checks the settings, as read from the settings file. */
export function parseSettings(value: unknown): JwtAuthorizerSettings {
  const settings = read.record(value, 'settings');
  const issuers = read.array(settings.issuers, 'issuers').map((issuer, i) => parseIssuer(issuer, `issuers[${i}]`));
  if (issuers.length === 0) {
    throw new SettingsError('`issuers` is empty');
  }
  issuers.forEach(({ issuer }, i) => {
    if (issuers.findIndex((other) => other.issuer === issuer) !== i) {
      throw new SettingsError(`\`issuers[${i}].issuer\` repeats an earlier issuer`);
    }
  });
  return {
    issuers,
    plan: parsePlan(settings.plan),
    limits: parseLimits(settings.limits),
    metricsNamespace: read.string(settings.metricsNamespace, 'metricsNamespace'),
  };
}

function parseIssuer(value: unknown, at: string): JwtIssuerSettings {
  const issuer = read.record(value, at);
  const audience = read.strings(issuer.audience, `${at}.audience`);
  if (audience.length === 0) {
    throw new SettingsError(`\`${at}.audience\` is empty`);
  }
  const discovery = read.boolean(issuer.discovery, `${at}.discovery`);
  if (discovery === (issuer.jwksUri !== undefined)) {
    throw new SettingsError(`\`${at}\` must have either \`jwksUri\` or \`discovery\` true`);
  }
  const requiredClaims = read.record(issuer.requiredClaims, `${at}.requiredClaims`);
  Object.entries(requiredClaims).forEach(([claim, value]) => read.string(value, `${at}.requiredClaims.${claim}`));
  return {
    issuer: httpsUrl(issuer.issuer, `${at}.issuer`),
    audience,
    audienceClaim: read.oneOf(issuer.audienceClaim, AUDIENCE_CLAIMS, `${at}.audienceClaim`),
    ...(discovery ? {} : { jwksUri: httpsUrl(issuer.jwksUri, `${at}.jwksUri`) }),
    discovery,
    tokenType: read.oneOf(issuer.tokenType, TOKEN_TYPES, `${at}.tokenType`),
    requiredClaims: requiredClaims as Record<string, string>,
    scopeClaims: read.strings(issuer.scopeClaims, `${at}.scopeClaims`).map((claim, i) => read.oneOf(claim, SCOPE_CLAIMS, `${at}.scopeClaims[${i}]`)),
    groupClaims: read.strings(issuer.groupClaims, `${at}.groupClaims`).map((claim, i) => read.oneOf(claim, GROUP_CLAIMS, `${at}.groupClaims[${i}]`)),
    scopes: read.strings(issuer.scopes, `${at}.scopes`),
    groups: read.strings(issuer.groups, `${at}.groups`),
    requireAccessTokenType: read.boolean(issuer.requireAccessTokenType, `${at}.requireAccessTokenType`),
  };
}

/**
 * Checks the route table's plan, as `compilePolicyPlan` wrote it: every index in range, every array
 * of its shape, so that the policy builder can neither crash on it nor read past it.
 */
export function parsePlan(value: unknown): JwtPolicyPlan {
  const plan = read.record(value, 'plan');
  const scopes = read.strings(plan.scopes, 'plan.scopes');
  const groups = read.strings(plan.groups, 'plan.groups');
  const routes = read.array(plan.routes, 'plan.routes').map((route, i): JwtPlanRoute => {
    const at = `plan.routes[${i}]`;
    const [path, arnPattern, need, in_] = tuple(route, at, 4);
    if (!read.string(path, `${at}[0]`).startsWith('/') || !read.string(arnPattern, `${at}[1]`).includes('/')) {
      throw new SettingsError(`\`${at}\` must be a path starting with '/' and an ARN pattern with a method`);
    }
    return [path as string, arnPattern as string, indexes(need, `${at}[2]`, scopes.length), indexes(in_, `${at}[3]`, groups.length)];
  });
  const count = routes.length;
  /** One entry per route, each read by `item`. */
  const perRoute = <T>(key: string, item: (value: unknown, at: string, i: number) => T): T[] => {
    const items = read.array(plan[key], `plan.${key}`);
    if (items.length !== count) {
      throw new SettingsError(`\`plan.${key}\` must have one entry per route (${count}), got ${items.length}`);
    }
    return items.map((entry, i) => item(entry, `plan.${key}[${i}]`, i));
  };
  const reachers = perRoute('reachers', (entry, at) => indexes(entry, at, count));
  const ownDenyHits = perRoute('ownDenyHits', (entry, at) => indexes(entry, at, count));
  const belowDenyHits = perRoute('belowDenyHits', (entry, at) => (entry === null ? null : indexes(entry, at, count)));
  const narrowings = perRoute('narrowings', (entry, at, i) => {
    const byReacher = read.array(entry, at);
    // Read only for a route whose own Deny refuses another route: then one list per reacher.
    const expected = ownDenyHits[i].length === 0 ? 0 : reachers[i].length;
    if (byReacher.length !== expected) {
      throw new SettingsError(`\`${at}\` must have ${expected} entries (one per reacher of a route with own-Deny hits), got ${byReacher.length}`);
    }
    return byReacher.map((list, r) => read.array(list, `${at}[${r}]`).map((narrowing, n): JwtPlanNarrowing => {
      const where = `${at}[${r}][${n}]`;
      const [index, refuses] = tuple(narrowing, where, 2);
      // The reacher's pattern has one narrowing, or three if it ends in `/*`.
      return [read.wholeNumber(index, `${where}[0]`, 0, narrowingsOf(routes[reachers[i][r]][1]).length - 1), indexes(refuses, `${where}[1]`, count)];
    }));
  });
  const groupCandidates = read.array(plan.groupCandidates, 'plan.groupCandidates').map((candidate, i): JwtPlanGroup => {
    const at = `plan.groupCandidates[${i}]`;
    const [depth, members, reach] = tuple(candidate, at, 3);
    const memberIndexes = indexes(members, `${at}[1]`, count);
    if (memberIndexes.length < 2) {
      throw new SettingsError(`\`${at}[1]\` must list at least 2 routes`);
    }
    // Its pattern is a prefix of its first member's pattern: a path segment at least, not the whole path.
    const segments = routes[memberIndexes[0]][1].split('/').length - 1;
    return [read.wholeNumber(depth, `${at}[0]`, 1, segments - 1), memberIndexes, indexes(reach, `${at}[2]`, count)];
  });
  return { scopes, groups, routes, reachers, ownDenyHits, belowDenyHits, narrowings, groupCandidates };
}

/** An array of exactly `length` entries. */
function tuple(value: unknown, at: string, length: number): unknown[] {
  const items = read.array(value, at);
  if (items.length !== length) {
    throw new SettingsError(`\`${at}\` must have ${length} entries, got ${items.length}`);
  }
  return items;
}

/**
 * An array of indexes below `count`; only a failing item is named (as {@link SettingsReader.strings}
 * does, for the cold start of 1,000 routes).
 */
function indexes(value: unknown, at: string, count: number): number[] {
  const items = read.array(value, at);
  const bad = items.findIndex((item) => typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item >= count);
  if (bad >= 0) {
    throw new SettingsError(`\`${at}[${bad}]\` must be an index from 0 to ${count - 1}, got ${JSON.stringify(items[bad])}`);
  }
  return items as number[];
}

function parseLimits(value: unknown): JwtLimitSettings {
  const limits = read.record(value, 'limits');
  const positive = (key: keyof JwtLimitSettings, min = 1): number => {
    const n = limits[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
      throw new SettingsError(`\`limits.${key}\` must be a whole number >= ${min}`);
    }
    return n;
  };
  return {
    maxTokenBytes: positive('maxTokenBytes'),
    maxLifetimeSeconds: positive('maxLifetimeSeconds'),
    clockSkewSeconds: positive('clockSkewSeconds', 0),
    jwksMaxAgeSeconds: positive('jwksMaxAgeSeconds'),
    jwksTimeoutMs: positive('jwksTimeoutMs'),
    jwksRetrySeconds: positive('jwksRetrySeconds'),
  };
}

function httpsUrl(value: unknown, at: string): string {
  const url = read.string(value, at);
  if (!url.startsWith('https://')) {
    throw new SettingsError(`\`${at}\` must be an https:// URL`);
  }
  return url;
}

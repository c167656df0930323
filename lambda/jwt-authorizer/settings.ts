import {
  AUDIENCE_CLAIMS,
  GROUP_CLAIMS,
  HTTP_METHODS,
  JwtAuthorizerSettings,
  JwtIssuerSettings,
  JwtLimitSettings,
  JwtRouteSettings,
  SCOPE_CLAIMS,
  TOKEN_TYPES,
} from '../shared/constants';
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
    routes: read.array(settings.routes, 'routes').map((route, i) => parseRoute(route, `routes[${i}]`)),
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

function parseRoute(value: unknown, at: string): JwtRouteSettings {
  const route = read.array(value, at);
  const method = read.oneOf(route[0], HTTP_METHODS, `${at}[0]`);
  const path = read.string(route[1], `${at}[1]`);
  if (!path.startsWith('/')) {
    throw new SettingsError(`\`${at}[1]\` must be a path starting with '/'`);
  }
  if (route.length === 2) {
    return [method, path];
  }
  if (route.length === 4) {
    return [method, path, read.strings(route[2], `${at}[2]`), read.strings(route[3], `${at}[3]`)];
  }
  throw new SettingsError(`\`${at}\` must have 2 or 4 entries`);
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

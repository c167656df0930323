import {
  AUDIENCE_CLAIMS,
  GROUP_CLAIMS,
  HTTP_METHODS,
  JwtAuthorizerSettings,
  JwtIssuerSettings,
  JwtLimitSettings,
  JwtRouteSettings,
  SCOPE_CLAIMS,
} from '../shared/constants';
import { SettingsError } from './errors';

/**
 * Parses and checks the settings the construct wrote into the environment. Called once at cold
 * start: a function with broken settings fails to start instead of guessing.
 */
export function parseSettings(json: string | undefined): JwtAuthorizerSettings {
  if (!json) {
    throw new SettingsError('the settings variable is missing or empty');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new SettingsError('the settings variable is not JSON');
  }
  const settings = record(raw, 'settings');
  const issuers = array(settings.issuers, 'issuers').map((issuer, i) => parseIssuer(issuer, `issuers[${i}]`));
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
    routes: array(settings.routes, 'routes').map((route, i) => parseRoute(route, `routes[${i}]`)),
    limits: parseLimits(settings.limits),
  };
}

function parseIssuer(value: unknown, at: string): JwtIssuerSettings {
  const issuer = record(value, at);
  const audience = strings(issuer.audience, `${at}.audience`);
  if (audience.length === 0) {
    throw new SettingsError(`\`${at}.audience\` is empty`);
  }
  return {
    issuer: httpsUrl(issuer.issuer, `${at}.issuer`),
    audience,
    audienceClaim: oneOf(issuer.audienceClaim, AUDIENCE_CLAIMS, `${at}.audienceClaim`),
    jwksUri: httpsUrl(issuer.jwksUri, `${at}.jwksUri`),
    scopeClaims: strings(issuer.scopeClaims, `${at}.scopeClaims`).map((claim, i) => oneOf(claim, SCOPE_CLAIMS, `${at}.scopeClaims[${i}]`)),
    groupClaims: strings(issuer.groupClaims, `${at}.groupClaims`).map((claim, i) => oneOf(claim, GROUP_CLAIMS, `${at}.groupClaims[${i}]`)),
    scopes: strings(issuer.scopes, `${at}.scopes`),
    groups: strings(issuer.groups, `${at}.groups`),
    requireAccessTokenType: boolean(issuer.requireAccessTokenType, `${at}.requireAccessTokenType`),
  };
}

function parseRoute(value: unknown, at: string): JwtRouteSettings {
  const route = array(value, at);
  const method = oneOf(route[0], HTTP_METHODS, `${at}[0]`);
  const path = string(route[1], `${at}[1]`);
  if (!path.startsWith('/')) {
    throw new SettingsError(`\`${at}[1]\` must be a path starting with '/'`);
  }
  if (route.length === 2) {
    return [method, path];
  }
  if (route.length === 4) {
    return [method, path, strings(route[2], `${at}[2]`), strings(route[3], `${at}[3]`)];
  }
  throw new SettingsError(`\`${at}\` must have 2 or 4 entries`);
}

function parseLimits(value: unknown): JwtLimitSettings {
  const limits = record(value, 'limits');
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

function record(value: unknown, at: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SettingsError(`\`${at}\` must be an object`);
  }
  return value as Record<string, unknown>;
}

function array(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new SettingsError(`\`${at}\` must be an array`);
  }
  return value;
}

function string(value: unknown, at: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new SettingsError(`\`${at}\` must be a non-empty string`);
  }
  return value;
}

function strings(value: unknown, at: string): string[] {
  return array(value, at).map((item, i) => string(item, `${at}[${i}]`));
}

function boolean(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') {
    throw new SettingsError(`\`${at}\` must be true or false`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], at: string): T {
  if (!allowed.includes(value as T)) {
    throw new SettingsError(`\`${at}\` must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function httpsUrl(value: unknown, at: string): string {
  const url = string(value, at);
  if (!url.startsWith('https://')) {
    throw new SettingsError(`\`${at}\` must be an https:// URL`);
  }
  return url;
}

import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { JWT_AUTHORIZER_ENV } from '../shared/constants';
import { AuthorizerEvent, authorize } from './authorizer';
import { ExpiringJwksCache } from './jwks-cache';
import { RouteTable } from './route-policy';
import { parseSettings } from './settings';
import { createTokenVerifier } from './verifier';

// Read once per cold start: broken settings stop the function from starting.
const settings = parseSettings(process.env[JWT_AUTHORIZER_ENV.settings]);
const logger = new Logger();
const routes = new RouteTable(settings.routes);
const verify = createTokenVerifier(settings, new ExpiringJwksCache({
  maxAgeSeconds: settings.limits.jwksMaxAgeSeconds,
  retrySeconds: settings.limits.jwksRetrySeconds,
  timeoutMs: settings.limits.jwksTimeoutMs,
}));

/** The JWT authorizer: a TOKEN or REQUEST Lambda authorizer of API Gateway. */
export function handler(event: AuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  return authorize(event, { settings, routes, verify, log: logger });
}

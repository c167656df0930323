import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { JWT_AUTHORIZER_METRICS, JWT_AUTHORIZER_METRIC_DIMENSIONS, JWT_AUTHORIZER_SERVICE, MAX_ISSUER_DOCUMENT_BYTES, SETTINGS_FILE } from '../shared/constants';
import { AuthorizerDeps, AuthorizerEvent, authorize } from './authorizer';
import { emfCount } from './fault-metric';
import { IssuerKeyLocator } from './discovery';
import { issuerFetcher } from './issuer-fetch';
import { ExpiringJwksCache } from './jwks-cache';
import { RouteTable } from './route-policy';
import { readSettings } from './settings';
import { createTokenVerifier } from './verifier';

// Read once per cold start, from the file the construct wrote next to this bundle: broken settings
// stop the function from starting.
const settings = readSettings(`${__dirname}/${SETTINGS_FILE}`, process.env);
// Key sets and discovery documents: HTTPS only, one attempt, bounded in time and size.
const fetcher = issuerFetcher({ timeoutMs: settings.limits.jwksTimeoutMs, maxBytes: MAX_ISSUER_DOCUMENT_BYTES });
const logger = new Logger({ serviceName: JWT_AUTHORIZER_SERVICE });
const dimensions = {
  [JWT_AUTHORIZER_METRIC_DIMENSIONS.service]: JWT_AUTHORIZER_SERVICE,
  // Set by Lambda: the construct cannot write its own function's name into the function's settings.
  [JWT_AUTHORIZER_METRIC_DIMENSIONS.functionName]: process.env.AWS_LAMBDA_FUNCTION_NAME ?? JWT_AUTHORIZER_SERVICE,
};
const deps: AuthorizerDeps = {
  settings,
  routes: new RouteTable(settings.plan),
  verify: createTokenVerifier(settings, new ExpiringJwksCache({
    maxAgeSeconds: settings.limits.jwksMaxAgeSeconds,
    retrySeconds: settings.limits.jwksRetrySeconds,
    fetcher,
  }), new IssuerKeyLocator({ fetcher, retrySeconds: settings.limits.jwksRetrySeconds })),
  log: logger,
  // Straight to stdout, as Powertools does: Lambda's console would prefix the line, and CloudWatch
  // reads embedded metrics only from lines that are one JSON object.
  faults: { count: () => process.stdout.write(`${emfCount(settings.metricsNamespace, JWT_AUTHORIZER_METRICS.faults, dimensions, Date.now())}\n`) },
};

/** The JWT authorizer: a TOKEN or REQUEST Lambda authorizer of API Gateway. */
export function handler(event: AuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  return authorize(event, deps);
}

/**
 * Constants shared by the constructs (lib/) and the Lambda handlers (lambda/).
 *
 * This is the one module both sides import: it holds names, never logic, so a header or
 * variable name is written once and cannot drift between the stack and the code it deploys.
 */

/**
 * Security headers on every response the API sends: API Gateway's own error responses
 * (gateway responses) and the example backend's responses.
 */
export const SECURITY_HEADERS = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
} as const;

/** Environment variables the library sets on every function it creates. */
export const ENV = {
  /** Lets Node.js map stack traces through the bundle's source map. */
  nodeOptions: 'NODE_OPTIONS',
  /** The service name Powertools puts on every log line and metric. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/**
 * Keys of the API's JSON access log. The construct writes them (see `lib/observability`), and the
 * handlers that read the log (the abuse blocker, metric filters) look them up by these names.
 */
export const ACCESS_LOG_KEYS = {
  requestId: 'requestId',
  extendedRequestId: 'extendedRequestId',
  requestTime: 'requestTime',
  requestTimeEpoch: 'requestTimeEpoch',
  sourceIp: 'sourceIp',
  userAgent: 'userAgent',
  caller: 'caller',
  user: 'user',
  userArn: 'userArn',
  principalId: 'principalId',
  authorizerError: 'authorizerError',
  authorizerStatus: 'authorizerStatus',
  authorizerLatency: 'authorizerLatency',
  wafResponseCode: 'wafResponseCode',
  apiKeyId: 'apiKeyId',
  httpMethod: 'httpMethod',
  resourcePath: 'resourcePath',
  path: 'path',
  domainName: 'domainName',
  stage: 'stage',
  status: 'status',
  protocol: 'protocol',
  tlsVersion: 'tlsVersion',
  cipherSuite: 'cipherSuite',
  responseLength: 'responseLength',
  responseLatency: 'responseLatency',
  integrationStatus: 'integrationStatus',
  integrationLatency: 'integrationLatency',
  integrationError: 'integrationError',
  errorMessage: 'errorMessage',
  errorResponseType: 'errorResponseType',
} as const;

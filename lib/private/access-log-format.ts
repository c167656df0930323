import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { ACCESS_LOG_KEYS } from '../../lambda/shared/constants';

type AccessLogKey = keyof typeof ACCESS_LOG_KEYS;

/**
 * The `$context` variable behind each access-log key.
 *
 * Richer than `jsonWithStandardFields`: it adds what an investigation of abuse needs (the
 * authorizer's outcome, the WAF's verdict, the API key, the integration's status and latency, the
 * error type). The client address is `$context.identity.sourceIp`, the address API Gateway saw,
 * never a header such as `X-Forwarded-For` that a client can forge.
 *
 * `$context.error.validationErrorString` is left out on purpose: its text quotes schema property
 * names and is not documented as escaped, so it could break the JSON line; `errorResponseType`
 * (`BAD_REQUEST_BODY`) already says that a request failed validation.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<AccessLogKey, string>> = {
  requestId: apigw.AccessLogField.contextRequestId(),
  extendedRequestId: apigw.AccessLogField.contextExtendedRequestId(),
  requestTime: apigw.AccessLogField.contextRequestTime(),
  requestTimeEpoch: apigw.AccessLogField.contextRequestTimeEpoch(),
  userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
  caller: apigw.AccessLogField.contextIdentityCaller(),
  user: apigw.AccessLogField.contextIdentityUser(),
  userArn: apigw.AccessLogField.contextIdentityUserArn(),
  principalId: apigw.AccessLogField.contextAuthorizerPrincipalId(),
  authorizerError: apigw.AccessLogField.contextAuthorizerError(),
  authorizerStatus: apigw.AccessLogField.contextAuthorizerStatus(),
  authorizerLatency: apigw.AccessLogField.contextAuthorizerLatency(),
  apiKeyId: apigw.AccessLogField.contextIdentityApiKeyId(),
  httpMethod: apigw.AccessLogField.contextHttpMethod(),
  resourcePath: apigw.AccessLogField.contextResourcePath(),
  path: apigw.AccessLogField.contextPath(),
  domainName: apigw.AccessLogField.contextDomainName(),
  stage: apigw.AccessLogField.contextStage(),
  protocol: apigw.AccessLogField.contextProtocol(),
  // No AccessLogField helpers exist for these two yet.
  tlsVersion: '$context.tlsVersion',
  cipherSuite: '$context.cipherSuite',
  responseLength: apigw.AccessLogField.contextResponseLength(),
  responseLatency: apigw.AccessLogField.contextResponseLatency(),
  integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
  integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
  integrationError: apigw.AccessLogField.contextIntegrationErrorMessage(),
  errorMessage: apigw.AccessLogField.contextErrorMessageString(),
  errorResponseType: apigw.AccessLogField.contextErrorResponseType(),
  // Last, in this order, after every value a client can shape (user agent, path, error text): API
  // Gateway does not escape every quote and backslash in those, so a client can break a line's JSON
  // or repeat a key, but the end of the line is always API Gateway's own. The abuse blocker reads
  // these three from the end of the line (lambda/abuse-blocker/log-events.ts); keep them last.
  wafResponseCode: apigw.AccessLogField.contextWafResponseCode(),
  sourceIp: apigw.AccessLogField.contextIdentitySourceIp(),
  status: apigw.AccessLogField.contextStatus(),
};

/**
 * Keys written as JSON numbers. API Gateway always sets these variables; every other value is
 * written as a string, because an unset variable prints as `-`, which would break a bare number.
 */
export const NUMERIC_ACCESS_LOG_KEYS: readonly AccessLogKey[] = ['status', 'requestTimeEpoch', 'responseLatency'];

/**
 * Keys whose variable API Gateway already writes as a quoted, escaped JSON string
 * (`$context.error.messageString`): the error message may itself contain quotes.
 */
export const PREQUOTED_ACCESS_LOG_KEYS: readonly AccessLogKey[] = ['errorMessage'];

/** Builds the JSON line template for the access log from {@link ACCESS_LOG_FIELDS}. */
export function accessLogTemplate(): string {
  const members = (Object.keys(ACCESS_LOG_FIELDS) as AccessLogKey[]).map((key) => {
    const variable = ACCESS_LOG_FIELDS[key];
    const bare = NUMERIC_ACCESS_LOG_KEYS.includes(key) || PREQUOTED_ACCESS_LOG_KEYS.includes(key);
    const value = bare ? variable : `"${variable}"`;
    return `"${ACCESS_LOG_KEYS[key]}":${value}`;
  });
  return `{${members.join(',')}}`;
}

/** The access-log format `SecureRestApi` uses: one JSON object a request. */
export function secureAccessLogFormat(): apigw.AccessLogFormat {
  return apigw.AccessLogFormat.custom(accessLogTemplate());
}

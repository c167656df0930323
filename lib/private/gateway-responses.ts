import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { ValidationError } from './validation-error';
import { SECURITY_HEADERS } from '../../lambda/shared/constants';

/** One gateway response the API overrides: its type, status code and the fixed message it returns. */
export interface GatewayResponseSpec {
  readonly id: string;
  readonly type: apigw.ResponseType;
  /**
   * The status code.
   *
   * @default - the response type's own status (used for the two defaults)
   */
  readonly statusCode?: string;
  readonly message: string;
}

/**
 * The responses API Gateway itself sends, each with a fixed, generic message. API Gateway's own
 * messages name internals ("Missing Authentication Token", authorizer and integration errors,
 * validation details); these say only what kind of failure it was. The two defaults catch every
 * type not listed, keeping that type's status code.
 */
export const GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  { id: 'Default4xx', type: apigw.ResponseType.DEFAULT_4XX, message: 'Request rejected' },
  { id: 'Default5xx', type: apigw.ResponseType.DEFAULT_5XX, message: 'Internal server error' },
  { id: 'BadRequestBody', type: apigw.ResponseType.BAD_REQUEST_BODY, statusCode: '400', message: 'Invalid request' },
  { id: 'BadRequestParameters', type: apigw.ResponseType.BAD_REQUEST_PARAMETERS, statusCode: '400', message: 'Invalid request' },
  { id: 'Unauthorized', type: apigw.ResponseType.UNAUTHORIZED, statusCode: '401', message: 'Unauthorized' },
  { id: 'AccessDenied', type: apigw.ResponseType.ACCESS_DENIED, statusCode: '403', message: 'Forbidden' },
  { id: 'MissingAuthenticationToken', type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, statusCode: '403', message: 'Forbidden' },
  { id: 'InvalidSignature', type: apigw.ResponseType.INVALID_SIGNATURE, statusCode: '403', message: 'Forbidden' },
  { id: 'ExpiredToken', type: apigw.ResponseType.EXPIRED_TOKEN, statusCode: '403', message: 'Forbidden' },
  { id: 'InvalidApiKey', type: apigw.ResponseType.INVALID_API_KEY, statusCode: '403', message: 'Forbidden' },
  { id: 'WafFiltered', type: apigw.ResponseType.WAF_FILTERED, statusCode: '403', message: 'Forbidden' },
  { id: 'ResourceNotFound', type: apigw.ResponseType.RESOURCE_NOT_FOUND, statusCode: '404', message: 'Not found' },
  { id: 'RequestTooLarge', type: apigw.ResponseType.REQUEST_TOO_LARGE, statusCode: '413', message: 'Request too large' },
  { id: 'UnsupportedMediaType', type: apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, statusCode: '415', message: 'Unsupported media type' },
  { id: 'Throttled', type: apigw.ResponseType.THROTTLED, statusCode: '429', message: 'Too many requests' },
  { id: 'QuotaExceeded', type: apigw.ResponseType.QUOTA_EXCEEDED, statusCode: '429', message: 'Too many requests' },
  { id: 'AuthorizerFailure', type: apigw.ResponseType.AUTHORIZER_FAILURE, statusCode: '500', message: 'Internal server error' },
  { id: 'AuthorizerConfigurationError', type: apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, statusCode: '500', message: 'Internal server error' },
  { id: 'IntegrationFailure', type: apigw.ResponseType.INTEGRATION_FAILURE, statusCode: '504', message: 'Upstream error' },
  { id: 'IntegrationTimeout', type: apigw.ResponseType.INTEGRATION_TIMEOUT, statusCode: '504', message: 'Upstream timeout' },
];

/** Gateway-response header values are static strings in single quotes. */
export function gatewayResponseHeaders(): Record<string, string> {
  return Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([name, value]) => [name, `'${value}'`]));
}

/** The JSON body of a gateway response: the fixed message and the request id, nothing else. */
export function gatewayResponseTemplate(message: string): Record<string, string> {
  return { 'application/json': `{"message":"${message}","requestId":"$context.requestId"}` };
}

/** A header that another part (CORS, a deprecated version) adds to every gateway response of an API. */
interface ExtraHeader {
  /** The gateway-response parameter value: a static `'value'` in single quotes, or a mapping such as `method.request.header.origin`. */
  readonly value: string;
  /** Who added it, for the error when two parts disagree. */
  readonly owner: string;
}

const EXTRA_HEADERS = new WeakMap<IConstruct, Map<string, ExtraHeader>>();

/**
 * Adds a header to every gateway response (401, 403, 429, 5xx, ...) of `api`, rendered at synth.
 * Header names compare case-insensitively; the security headers cannot be replaced, and two parts
 * giving one header different values is an error naming both.
 */
export function addGatewayResponseHeader(api: IConstruct, name: string, value: string, owner: string): void {
  const key = name.toLowerCase();
  if (Object.keys(SECURITY_HEADERS).some((header) => header.toLowerCase() === key)) {
    throw new ValidationError(`${owner} cannot set the gateway-response header ${name}: it is one of the API's security headers`, api);
  }
  const headers = EXTRA_HEADERS.get(api) ?? new Map<string, ExtraHeader>();
  EXTRA_HEADERS.set(api, headers);
  const existing = [...headers.entries()].find(([header]) => header.toLowerCase() === key);
  if (existing && existing[1].value !== value) {
    throw new ValidationError(`${owner} sets the gateway-response header ${name} to ${value}, but ${existing[1].owner} already set it to ${existing[1].value}: give it one value`, api);
  }
  if (!existing) {
    headers.set(name, { value, owner });
  }
}

/** The gateway-response parameters of `api`: the security headers, then what other parts added. */
export function gatewayResponseParameters(api: IConstruct): Record<string, string> {
  const headers = { ...gatewayResponseHeaders() };
  for (const [name, { value }] of EXTRA_HEADERS.get(api) ?? []) {
    headers[name] = value;
  }
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [`gatewayresponse.header.${name}`, value]));
}

/**
 * The AWS limits the constructs and handlers share, each defined once in lambda/shared/constants.ts,
 * checked against the documented value written here as a literal, with the page it comes from.
 */
import { INVOKE_ACTION, LAMBDA_ENVIRONMENT_LIMIT_BYTES, WAF_IP_SET_LIMIT } from '../../../lambda/shared/constants';

test('AWS WAF holds at most 10,000 addresses in one IP set', () => {
  // AWS WAF quotas: https://docs.aws.amazon.com/waf/latest/developerguide/limits.html
  expect(WAF_IP_SET_LIMIT).toBe(10_000);
});

test('calling an API Gateway method takes the IAM action execute-api:Invoke', () => {
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
  expect(INVOKE_ACTION).toBe('execute-api:Invoke');
});

test('a Lambda function\'s environment variables take at most 4 KB together', () => {
  // Lambda quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
  expect(LAMBDA_ENVIRONMENT_LIMIT_BYTES).toBe(4096);
});

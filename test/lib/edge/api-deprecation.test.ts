import { Match, Template } from 'aws-cdk-lib/assertions';
import { LambdaRouteIntegration, RouteAuthorization, SecureRestApi, SecureRestApiProps } from '../../../lib';
import { ApiDeprecationOptions } from '../../../lib/edge/api-deprecation';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { inlineFunction, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const DEPRECATION: ApiDeprecationOptions = { deprecatedOn: '2026-06-01', sunsetOn: '2099-12-31T12:00:00Z', link: 'https://example.com/docs/migrate-to-v2' };
// 2026-06-01T00:00:00Z and 2099-12-31T12:00:00Z in Unix seconds.
const DEPRECATED_AT = 1780272000;
const SUNSET_AT = 4102401600;

function deprecatedApi(deprecation: ApiDeprecationOptions = DEPRECATION, props: SecureRestApiProps = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api', { alarms: { enabled: false }, ...props, deprecation });
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
  return { stack, api };
}

describe('a deprecated API version', () => {
  test('every gateway response carries Deprecation (RFC 9745), Sunset (RFC 8594) and Link, next to the security headers', () => {
    const { stack } = deprecatedApi();
    const template = Template.fromStack(stack);
    const responses = template.findResources('AWS::ApiGateway::GatewayResponse');
    expect(Object.keys(responses).length).toBeGreaterThan(10);
    for (const response of Object.values(responses)) {
      expect(response.Properties.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Deprecation': `'@${DEPRECATED_AT}'`,
        'gatewayresponse.header.Sunset': '\'Thu, 31 Dec 2099 12:00:00 GMT\'',
        'gatewayresponse.header.Link': '\'<https://example.com/docs/migrate-to-v2>; rel="deprecation"; type="text/html"\'',
        'gatewayresponse.header.X-Content-Type-Options': '\'nosniff\'',
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'UNAUTHORIZED', StatusCode: '401' });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'THROTTLED', StatusCode: '429' });
  });

  test('the stage carries the dates in Unix seconds and the link, for the handlers', () => {
    const { stack } = deprecatedApi();
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      Variables: { secureApiDeprecatedAt: String(DEPRECATED_AT), secureApiSunsetAt: String(SUNSET_AT), secureApiDeprecationLink: 'https://example.com/docs/migrate-to-v2' },
    });
  });

  test('a Contributor Insights rule ranks the remaining callers of the access log by API key, principal, IAM user and address', () => {
    const { stack, api } = deprecatedApi();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::InsightRule', 1);
    const rule = Object.values(template.findResources('AWS::CloudWatch::InsightRule'))[0];
    expect(rule.Properties.RuleState).toBe('ENABLED');
    const body = stack.resolve(api.deprecation!.topCallersRule.ruleBody);
    // The body is a JSON string with the log group's name as a reference.
    const joined = body['Fn::Join'][1] as unknown[];
    const text = joined.map((part) => (typeof part === 'string' ? part : '"LOG_GROUP"')).join('');
    expect(JSON.parse(text.replace('""LOG_GROUP""', '"LOG_GROUP"'))).toEqual({
      Schema: { Name: 'CloudWatchLogRule', Version: 1 },
      LogGroupNames: ['LOG_GROUP'],
      LogFormat: 'JSON',
      Contribution: { Keys: ['$.apiKeyId', '$.principalId', '$.userArn', '$.sourceIp'], Filters: [] },
      AggregateOn: 'Count',
    });
    expect(joined.find((part) => typeof part !== 'string')).toEqual({ Ref: stack.resolve((api.accessLogGroup.node.defaultChild as any).logicalId) });
  });

  test('metrics: calls to the version (the stage\'s Count, summed) and distinct callers from the rule', () => {
    const { stack, api } = deprecatedApi();
    const calls = api.deprecation!.metricDeprecatedCalls();
    expect(calls.metricName).toBe('Count');
    expect(calls.statistic).toBe('Sum');
    expect(calls.period.toMinutes()).toBe(5);
    const callers = api.deprecation!.metricDistinctCallers().toMetricConfig().mathExpression!;
    expect(stack.resolve(callers.expression)).toEqual({ 'Fn::Join': ['', ["INSIGHT_RULE_METRIC('", { 'Fn::GetAtt': [expect.any(String), 'RuleName'] }, "', 'UniqueContributors')"]] });
  });

  test('an API without `deprecation` has none of it', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api', { alarms: { enabled: false } });
    api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    const template = Template.fromStack(stack);
    expect(api.deprecation).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::InsightRule', 0);
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseParameters: Match.not(Match.objectLike({ 'gatewayresponse.header.Deprecation': Match.anyValue() })) });
  });

  test.each([
    [{ deprecatedOn: '2026-6-1' }, '`deprecation.deprecatedOn` must be an ISO 8601 date (\'2026-06-01\') or timestamp (\'2026-06-01T12:00:00Z\'), got \'2026-6-1\': write the date as YYYY-MM-DD'],
    [{ sunsetOn: '2099-02-30' }, '`deprecation.sunsetOn` must be an ISO 8601 date (\'2026-06-01\') or timestamp (\'2026-06-01T12:00:00Z\'), got \'2099-02-30\''],
    [{ sunsetOn: 'next year' }, '`deprecation.sunsetOn` must be an ISO 8601 date'],
    [{ deprecatedOn: '2099-12-31', sunsetOn: '2099-01-01' }, '`deprecation.sunsetOn` must be after `deprecation.deprecatedOn` (\'2099-12-31\'), got \'2099-01-01\': a version is deprecated first and goes away later'],
    [{ deprecatedOn: '2019-01-01', sunsetOn: '2020-01-01' }, '`deprecation.sunsetOn` must not be in the past, got \'2020-01-01\': a version past its sunset should be removed, or its sunset moved to a future date'],
    [{ link: 'http://example.com/migrate' }, '`deprecation.link` must be an https URL of the characters A-Z a-z 0-9 - . _ ~ : / ? # & = , (a stage variable holds it), got \'http://example.com/migrate\': link the migration guide'],
    [{ link: 'https://example.com/it\'s' }, '`deprecation.link` must be an https URL'],
    [{ link: 'https://example.com/a b' }, '`deprecation.link` must be an https URL'],
    [{ link: `https://example.com/${'a'.repeat(500)}` }, '`deprecation.link` has 520 characters, but the stage variable that carries it to the handlers holds at most 512: link a shorter URL'],
    [{ deprecatedOn: '1960-01-01' }, '`deprecation.deprecatedOn` must be on or after 1970-01-01, got \'1960-01-01\''],
  ])('refuses %j', (change, message) => {
    const error = errorOf(ValidationError, () => deprecatedApi({ ...DEPRECATION, ...change }));
    expect(error.message).toContain(message);
    expect(error.message).toContain('(at TestStack/Api/Deprecation)');
  });
});

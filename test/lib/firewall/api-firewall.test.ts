import { Duration, Lazy, RemovalPolicy, Size } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  ApiDashboard,
  LambdaRouteIntegration,
  RouteAuthorization,
  SecureRestApi,
  SecureRestApiProps,
} from '../../../lib';
import {
  ApiFirewall,
  ApiFirewallProps,
  BotControlInspectionLevel,
  FirewallMode,
  ManagedRuleAction,
  ManagedRuleGroup,
  RequestBodyLimit,
  RouteRateLimit,
} from '../../../lib/firewall/api-firewall';
import { ValidationError } from '../../../lib/private/validation-error';
import { foreignInstance } from '../../helpers/brands';
import { errorOf } from '../../helpers/errors';
import { inlineFunction, logicalId, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';
import { matches, normalizePath, transform, urlDecode } from '../../helpers/waf-evaluator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

/** The unique name of a firewall with the id `Firewall` in `TestStack`: its web ACL's name. */
const ACL_NAME = 'TestStack-Firewall-D476B5F7';
const AT = ' (at TestStack/Firewall)';
const SECURITY_HEADER_NAMES = ['Strict-Transport-Security', 'X-Content-Type-Options', 'Cache-Control', 'X-Frame-Options'];
const NONE = [{ Priority: 0, Type: 'NONE' }];

type Rule = Record<string, any>;

/** An API with a public POST /login, an IAM GET /pets/{petId} and an API-key GET /orders, and its firewall. */
function build(props: Omit<ApiFirewallProps, 'api'> = {}, apiProps: SecureRestApiProps = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api', apiProps);
  const integration = new LambdaRouteIntegration(inlineFunction(stack));
  api.addRoute('POST /login', {
    authorization: RouteAuthorization.publicAccess('sign-in'),
    integration,
    requestBodySchema: { type: apigw.JsonSchemaType.OBJECT },
  });
  api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
  api.addRoute('GET /orders', { authorization: RouteAuthorization.apiKey(), integration });
  const firewall = new ApiFirewall(stack, 'Firewall', { api, ...props });
  return { stack, api, firewall };
}

function webAclOf(template: Template): Record<string, any> {
  const acls = Object.values(template.findResources('AWS::WAFv2::WebACL'));
  expect(acls).toHaveLength(1);
  return acls[0].Properties;
}

function rulesOf(template: Template): Rule[] {
  return webAclOf(template).Rules;
}

function ruleNamed(template: Template, name: string): Rule {
  const rule = rulesOf(template).find((r) => r.Name === name);
  expect(rule).toBeDefined();
  return rule!;
}


const validationErrorOf = (fn: () => unknown) => errorOf(ValidationError, fn);

const forbidden = {
  Block: {
    CustomResponse: {
      ResponseCode: 403,
      CustomResponseBodyKey: 'Forbidden',
      ResponseHeaders: SECURITY_HEADER_NAMES.map((name) => ({ Name: name, Value: Match.anyValue() })),
    },
  },
};
const tooManyRequests = { Block: { CustomResponse: Match.objectLike({ ResponseCode: 429, CustomResponseBodyKey: 'TooManyRequests' }) } };

describe('ApiFirewall defaults', () => {
  const { stack, api, firewall } = build();
  const template = Template.fromStack(stack);
  const rules = rulesOf(template);

  test('one REGIONAL web ACL that allows what no rule terminates, with metrics and sampled requests', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: ACL_NAME,
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: ACL_NAME },
    });
    expect(firewall.webAclName).toBe(ACL_NAME);
    expect(stack.resolve(firewall.webAclArn)).toEqual({ 'Fn::GetAtt': [logicalId(stack, firewall.webAcl!), 'Arn'] });
    expect(firewall.mode).toBe(FirewallMode.BLOCK);
  });

  test('rules in the documented order, with increasing priorities', () => {
    expect(rules.map((rule) => rule.Name)).toEqual([
      'AutomaticBlockListIPv4',
      'AutomaticBlockListIPv6',
      'RateLimitPerIp',
      'AWS-AWSManagedRulesAmazonIpReputationList',
      'AWS-AWSManagedRulesCommonRuleSet',
      'AWS-AWSManagedRulesKnownBadInputsRuleSet',
      'AWS-AWSManagedRulesSQLiRuleSet',
      'MaxRequestBodySize',
    ]);
    expect(rules.map((rule) => rule.Priority)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(firewall.ruleNames).toEqual(rules.map((rule) => rule.Name));
  });

  test('every rule emits CloudWatch metrics under its own name and keeps sampled requests', () => {
    for (const rule of rules) {
      expect(rule.VisibilityConfig).toEqual({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: rule.Name });
    }
  });

  test('the automatic block lists exist, empty, one per IP version, and block with 403', () => {
    template.resourceCountIs('AWS::WAFv2::IPSet', 2);
    template.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'REGIONAL', IPAddressVersion: 'IPV4', Addresses: [], Name: `${ACL_NAME}-auto-block-ipv4` });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'REGIONAL', IPAddressVersion: 'IPV6', Addresses: [], Name: `${ACL_NAME}-auto-block-ipv6` });
    expect(rules[0]).toMatchObject({
      Statement: { IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [logicalId(stack, firewall.automaticBlockListIpv4!), 'Arn'] } } },
    });
    expect(rules[1].Statement.IPSetReferenceStatement.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack, firewall.automaticBlockListIpv6!), 'Arn'] });
    expect(Match.objectLike(forbidden).test(rules[0].Action).isSuccess).toBe(true);
    expect(firewall.allowListIpv4).toBeUndefined();
    expect(firewall.blockListIpv6).toBeUndefined();
  });

  test('a per-address rate limit of 2000 requests in 5 minutes answers 429', () => {
    expect(rules[2].Statement).toEqual({ RateBasedStatement: { Limit: 2000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } });
    expect(Match.objectLike(tooManyRequests).test(rules[2].Action).isSuccess).toBe(true);
  });

  test('the four default managed rule groups, their own actions in force', () => {
    const managed = rules.filter((rule) => rule.Statement.ManagedRuleGroupStatement);
    expect(managed.map((rule) => rule.Statement.ManagedRuleGroupStatement.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
    ]);
    for (const rule of managed) {
      expect(rule.OverrideAction).toEqual({ None: {} });
      expect(rule.Action).toBeUndefined();
      expect(rule.Statement.ManagedRuleGroupStatement.VendorName).toBe('AWS');
    }
  });

  test('the core rule set only counts bodies over 8 KB: the firewall\'s own body-size rule decides', () => {
    expect(ruleNamed(template, 'AWS-AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides)
      .toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    expect(ruleNamed(template, 'AWS-AWSManagedRulesSQLiRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides).toBeUndefined();
  });

  test('bodies over 8 KiB are blocked with 403, and so are bodies too large for AWS WAF to see whole', () => {
    const rule = ruleNamed(template, 'MaxRequestBodySize');
    expect(rule.Statement).toEqual({
      SizeConstraintStatement: { FieldToMatch: { Body: { OversizeHandling: 'MATCH' } }, ComparisonOperator: 'GT', Size: 8192, TextTransformations: NONE },
    });
    expect(Match.objectLike(forbidden).test(rule.Action).isSuccess).toBe(true);
  });

  test('blocked requests get a small JSON body that reveals nothing', () => {
    expect(webAclOf(template).CustomResponseBodies).toEqual({
      Forbidden: { ContentType: 'APPLICATION_JSON', Content: '{"message":"Forbidden"}' },
      TooManyRequests: { ContentType: 'APPLICATION_JSON', Content: '{"message":"Too many requests"}' },
    });
  });

  test('the web ACL is associated with the API\'s stage', () => {
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [logicalId(stack, firewall.webAcl!), 'Arn'] },
      ResourceArn: {
        'Fn::Join': ['', [
          'arn:aws:apigateway:eu-west-1::/restapis/', { Ref: logicalId(stack, api.api) },
          '/stages/', { Ref: logicalId(stack, api.stage) },
        ]],
      },
    });
  });

  test('the WAF log goes to an aws-waf-logs- log group, encrypted with the API\'s key, kept a year and retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: `aws-waf-logs-${ACL_NAME}`,
        KmsKeyId: { 'Fn::GetAtt': [logicalId(stack, api.key), 'Arn'] },
        RetentionInDays: 365,
      },
      DeletionPolicy: 'Retain',
    });
    expect(firewall.logGroup).toBeDefined();
  });

  test('the key lets CloudWatch Logs use it for the WAF log group', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
    const statement = key.Properties.KeyPolicy.Statement.find((s: Rule) => s.Sid === 'AllowCloudWatchLogsForTheseLogGroupsOnly');
    expect(statement.Condition.ArnEquals['kms:EncryptionContext:aws:logs:arn'])
      .toContainEqual(`arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-${ACL_NAME}`);
  });

  test('logging names the log group without :*, redacts authorization and cookie, and keeps every request', () => {
    template.hasResource('AWS::WAFv2::LoggingConfiguration', {
      Properties: {
        ResourceArn: { 'Fn::GetAtt': [logicalId(stack, firewall.webAcl!), 'Arn'] },
        LogDestinationConfigs: [`arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-${ACL_NAME}`],
        RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
        LoggingFilter: Match.absent(),
      },
      DependsOn: Match.arrayWith([logicalId(stack, firewall.logGroup!)]),
    });
  });

  test('authorization and cookie are substituted in sampled requests too (data protection)', () => {
    expect(webAclOf(template).DataProtectionConfig).toEqual({
      DataProtections: [{
        Field: { FieldType: 'SINGLE_HEADER', FieldKeys: ['authorization', 'cookie'] },
        Action: 'SUBSTITUTION',
        ExcludeRuleMatchDetails: false,
        ExcludeRateBasedDetails: false,
      }],
    });
  });

  test('the capacity is the managed groups\' 1125 WCU plus 5 for the firewall\'s own rules, with no warning', () => {
    expect(firewall.capacity).toBe(25 + 700 + 200 + 200 + 1 + 1 + 2 + 1);
    expect(Annotations.fromStack(stack).findWarning('/TestStack/Firewall', Match.anyValue())).toEqual([]);
  });

  test('a WafBlockedRequests alarm on the whole web ACL, 100 a minute, is one attack signal of the incident alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack-Api-46A8C9EA-WafBlockedRequests',
      Namespace: 'AWS/WAFV2',
      MetricName: 'BlockedRequests',
      Dimensions: Match.arrayEquals([
        { Name: 'Region', Value: 'eu-west-1' },
        { Name: 'Rule', Value: 'ALL' },
        { Name: 'WebACL', Value: ACL_NAME },
      ]),
      Statistic: 'Sum',
      Period: 60,
      Threshold: 100,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmDescription: Match.stringLikeRegexp('^The firewall blocks 100 or more requests a minute.* What to do: Read the WAF log'),
    });
    const wafAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((alarm) => alarm.Properties.Namespace === 'AWS/WAFV2');
    expect(wafAlarms).toHaveLength(1);
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::CompositeAlarm'))).toContain(logicalId(stack, firewall.blockedRequestsAlarm!));
  });

  test('the default web ACL, IP sets, association and logging match the reviewed snapshot', () => {
    const types = ['AWS::WAFv2::WebACL', 'AWS::WAFv2::IPSet', 'AWS::WAFv2::WebACLAssociation', 'AWS::WAFv2::LoggingConfiguration'];
    const resources = Object.fromEntries(Object.entries(template.toJSON().Resources as Record<string, Rule>).filter(([, resource]) => types.includes(resource.Type)));
    expect(resources).toMatchSnapshot();
  });
});

describe('RequestBodyLimit.isRequestBodyLimit', () => {
  test('is true for both kinds of limit, of this or another copy of the library', () => {
    expect(RequestBodyLimit.isRequestBodyLimit(RequestBodyLimit.maxSize(Size.kibibytes(4)))).toBe(true);
    expect(RequestBodyLimit.isRequestBodyLimit(RequestBodyLimit.unlimited('file uploads'))).toBe(true);
    expect(RequestBodyLimit.isRequestBodyLimit(foreignInstance('RequestBodyLimit', { size: Size.kibibytes(4) }))).toBe(true);
  });

  test('is false for a size and other values', () => {
    expect(RequestBodyLimit.isRequestBodyLimit(Size.kibibytes(4))).toBe(false);
    expect(RequestBodyLimit.isRequestBodyLimit({ size: Size.kibibytes(4) })).toBe(false);
    expect(RequestBodyLimit.isRequestBodyLimit(undefined)).toBe(false);
  });

  test('a limit of another copy of the library is applied', () => {
    const { stack } = build({ requestBodyLimit: foreignInstance('RequestBodyLimit', { size: Size.kibibytes(4) }) as RequestBodyLimit });
    expect(ruleNamed(Template.fromStack(stack), 'MaxRequestBodySize').Statement.SizeConstraintStatement.Size).toBe(4096);
  });
});

describe('the API records its firewall', () => {
  test('SecureRestApi.firewall is the firewall once there is one', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    expect(api.firewall).toBeUndefined();
    const firewall = new ApiFirewall(stack, 'Firewall', { api });
    expect(api.firewall).toBe(firewall);
  });
});

describe('ApiFirewall with every rule', () => {
  const { stack, firewall } = build({
    allowedIpv4Cidrs: ['198.51.100.0/24'],
    allowedIpv6Cidrs: ['2001:db8:1::/48'],
    blockedIpv4Cidrs: ['203.0.113.7/32', '192.0.2.0/24'],
    blockedIpv6Cidrs: ['2001:db8:bad::/48'],
    blockedCountries: ['KP', 'IR'],
    rateLimit: { limit: 500, evaluationWindow: Duration.minutes(1) },
    routeRateLimits: [
      { routeKey: 'POST /login', limit: 10 },
      { routeKey: 'GET /pets/{petId}', limit: 100, evaluationWindow: Duration.minutes(10) },
      { routeKey: 'GET /orders', limit: 50, aggregateOnHeader: 'X-API-Key' },
    ],
    managedRuleGroups: {
      anonymousIpList: true,
      linux: true,
      unix: true,
      adminProtection: true,
      botControl: BotControlInspectionLevel.COMMON,
    },
  });
  const template = Template.fromStack(stack);
  const rules = rulesOf(template);

  test('rules in the documented order, with increasing priorities', () => {
    expect(rules.map((rule) => rule.Name)).toEqual([
      'AllowListIPv4',
      'AllowListIPv6',
      'BlockListIPv4',
      'BlockListIPv6',
      'AutomaticBlockListIPv4',
      'AutomaticBlockListIPv6',
      'GeoBlock',
      'RateLimitPerIp',
      'RateLimit-POST-login',
      'RateLimit-GET-pets-petId',
      'RateLimit-GET-orders-by-X-API-Key',
      'AWS-AWSManagedRulesAmazonIpReputationList',
      'AWS-AWSManagedRulesAnonymousIpList',
      'AWS-AWSManagedRulesCommonRuleSet',
      'AWS-AWSManagedRulesKnownBadInputsRuleSet',
      'AWS-AWSManagedRulesSQLiRuleSet',
      'AWS-AWSManagedRulesLinuxRuleSet',
      'AWS-AWSManagedRulesUnixRuleSet',
      'AWS-AWSManagedRulesAdminProtectionRuleSet',
      'AWS-AWSManagedRulesBotControlRuleSet',
      'MaxRequestBodySize',
    ]);
    expect(rules.map((rule) => rule.Priority)).toEqual(rules.map((_, index) => index));
  });

  test('every rule emits metrics under its own name and keeps sampled requests', () => {
    for (const rule of rules) {
      expect(rule.VisibilityConfig).toEqual({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: rule.Name });
    }
  });

  test('the allow lists allow, by IP version', () => {
    template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV4', Addresses: ['198.51.100.0/24'], Name: `${ACL_NAME}-allow-ipv4` });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV6', Addresses: ['2001:db8:1::/48'], Name: `${ACL_NAME}-allow-ipv6` });
    expect(ruleNamed(template, 'AllowListIPv4')).toMatchObject({
      Action: { Allow: {} },
      Statement: { IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [logicalId(stack, firewall.allowListIpv4!), 'Arn'] } } },
    });
    expect(ruleNamed(template, 'AllowListIPv6').Statement.IPSetReferenceStatement.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack, firewall.allowListIpv6!), 'Arn'] });
  });

  test('the manual block lists block with 403, by IP version', () => {
    template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV4', Addresses: ['203.0.113.7/32', '192.0.2.0/24'], Name: `${ACL_NAME}-block-ipv4` });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV6', Addresses: ['2001:db8:bad::/48'], Name: `${ACL_NAME}-block-ipv6` });
    for (const [name, ipSet] of [['BlockListIPv4', firewall.blockListIpv4!], ['BlockListIPv6', firewall.blockListIpv6!]] as const) {
      const rule = ruleNamed(template, name);
      expect(rule.Statement.IPSetReferenceStatement.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack, ipSet), 'Arn'] });
      expect(Match.objectLike(forbidden).test(rule.Action).isSuccess).toBe(true);
    }
    template.resourceCountIs('AWS::WAFv2::IPSet', 6);
  });

  test('geo blocking by country answers 403', () => {
    const rule = ruleNamed(template, 'GeoBlock');
    expect(rule.Statement).toEqual({ GeoMatchStatement: { CountryCodes: ['KP', 'IR'] } });
    expect(Match.objectLike(forbidden).test(rule.Action).isSuccess).toBe(true);
  });

  test('the per-address limit takes its limit and window', () => {
    expect(ruleNamed(template, 'RateLimitPerIp').Statement).toEqual({ RateBasedStatement: { Limit: 500, EvaluationWindowSec: 60, AggregateKeyType: 'IP' } });
  });

  test('a static route\'s limit is scoped to its method and its path under the stage, trailing slash allowed', () => {
    const rule = ruleNamed(template, 'RateLimit-POST-login');
    const pattern = '^(?:/v1)/login/?$';
    expect(rule.Statement).toEqual({
      RateBasedStatement: {
        Limit: 10,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
        ScopeDownStatement: {
          AndStatement: {
            Statements: [
              { ByteMatchStatement: { FieldToMatch: { Method: {} }, PositionalConstraint: 'EXACTLY', SearchString: 'POST', TextTransformations: NONE } },
              {
                OrStatement: {
                  Statements: [
                    { RegexMatchStatement: { FieldToMatch: { UriPath: {} }, RegexString: pattern, TextTransformations: NONE } },
                    { RegexMatchStatement: { FieldToMatch: { UriPath: {} }, RegexString: pattern, TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }] } },
                    { RegexMatchStatement: { FieldToMatch: { UriPath: {} }, RegexString: pattern, TextTransformations: [{ Priority: 0, Type: 'NORMALIZE_PATH' }] } },
                    {
                      RegexMatchStatement: {
                        FieldToMatch: { UriPath: {} },
                        RegexString: pattern,
                        TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }, { Priority: 1, Type: 'NORMALIZE_PATH' }],
                      },
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    });
    expect(Match.objectLike(tooManyRequests).test(rule.Action).isSuccess).toBe(true);
  });

  test('a parameterised route\'s path parameter matches one path segment', () => {
    const rule = ruleNamed(template, 'RateLimit-GET-pets-petId');
    const statements = rule.Statement.RateBasedStatement.ScopeDownStatement.AndStatement.Statements;
    expect(statements[0].ByteMatchStatement.SearchString).toBe('GET');
    expect(statements[1].OrStatement.Statements.map((s: Rule) => s.RegexMatchStatement.RegexString)).toEqual(Array(4).fill('^(?:/v1)/pets/[^/]+/?$'));
    expect(rule.Statement.RateBasedStatement.EvaluationWindowSec).toBe(600);
  });

  test('a route limit per header value aggregates on the header instead of the address', () => {
    const statement = ruleNamed(template, 'RateLimit-GET-orders-by-X-API-Key').Statement.RateBasedStatement;
    expect(statement).toMatchObject({
      Limit: 50,
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [{ Header: { Name: 'x-api-key', TextTransformations: NONE } }],
    });
    expect(statement.ScopeDownStatement.AndStatement.Statements[1].OrStatement.Statements[0].RegexMatchStatement.RegexString).toBe('^(?:/v1)/orders/?$');
  });

  test('no warning for a per-key limit on a route that requires an API key', () => {
    expect(Annotations.fromStack(stack).findWarning('/TestStack/Firewall', Match.stringLikeRegexp('does not require an API key'))).toEqual([]);
  });

  test('the opt-in managed groups run after the defaults, in the documented order', () => {
    const names = rules.filter((rule) => rule.Statement.ManagedRuleGroupStatement).map((rule) => rule.Statement.ManagedRuleGroupStatement.Name);
    expect(names).toEqual(Object.values(ManagedRuleGroup));
  });

  test('Bot Control runs at the chosen inspection level', () => {
    expect(ruleNamed(template, 'AWS-AWSManagedRulesBotControlRuleSet').Statement.ManagedRuleGroupStatement.ManagedRuleGroupConfigs)
      .toEqual([{ AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } }]);
  });

  test('the capacity is the sum of every rule\'s documented cost', () => {
    const ipSets = 6;
    const geo = 1;
    const perIp = 2;
    const routeScopeDown = 2 + 3 + 13 + 13 + 23; // method; path as sent, decoded, normalised, decoded then normalised
    const routes = (2 + routeScopeDown) * 3 + 30; // one of them keyed on a header
    const managed = 25 + 50 + 700 + 200 + 200 + 200 + 100 + 100 + 50;
    const body = 1;
    expect(firewall.capacity).toBe(ipSets + geo + perIp + routes + managed + body);
  });

  test('over the 1500 WCU of the base price, a warning says it costs more', () => {
    Annotations.fromStack(stack).hasWarning('/TestStack/Firewall',
      Match.stringLikeRegexp(`The web ACL's rules need ${firewall.capacity} WCU, over the 1500 WCU its base price covers: AWS WAF charges more for every request \\(the largest rules are AWS-AWSManagedRulesCommonRuleSet 700, `));
    Annotations.fromStack(stack).hasWarning('/TestStack/Firewall', Match.stringLikeRegexp('secure-api:waf-capacity-over-default'));
  });
});

describe('ApiFirewall COUNT mode', () => {
  const { stack, firewall } = build({
    mode: FirewallMode.COUNT,
    allowedIpv4Cidrs: ['198.51.100.0/24'],
    blockedIpv4Cidrs: ['203.0.113.0/24'],
    blockedCountries: ['KP'],
    routeRateLimits: [{ routeKey: 'POST /login', limit: 10 }],
    managedRuleOverrides: [{ ruleGroup: ManagedRuleGroup.SQL_INJECTION, ruleName: 'SQLi_BODY', action: ManagedRuleAction.BLOCK }],
  });
  const template = Template.fromStack(stack);
  const rules = rulesOf(template);

  test('every rule of the firewall\'s own only counts, the allow list included', () => {
    const own = rules.filter((rule) => !rule.Statement.ManagedRuleGroupStatement);
    expect(own.map((rule) => rule.Name)).toEqual(['AllowListIPv4', 'BlockListIPv4', 'AutomaticBlockListIPv4', 'AutomaticBlockListIPv6', 'GeoBlock', 'RateLimitPerIp', 'RateLimit-POST-login', 'MaxRequestBodySize']);
    for (const rule of own) {
      expect(rule.Action).toEqual({ Count: {} });
    }
  });

  test('every managed group\'s result is counted, and every override counts too', () => {
    const managed = rules.filter((rule) => rule.Statement.ManagedRuleGroupStatement);
    expect(managed).toHaveLength(4);
    for (const rule of managed) {
      expect(rule.OverrideAction).toEqual({ Count: {} });
    }
    expect(ruleNamed(template, 'AWS-AWSManagedRulesSQLiRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides)
      .toEqual([{ Name: 'SQLi_BODY', ActionToUse: { Count: {} } }]);
    expect(firewall.mode).toBe(FirewallMode.COUNT);
  });

  test('the alarm watches what would be blocked: counted requests less the allow list\'s', () => {
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .find((a) => String(a.Properties.AlarmName).endsWith('-WafBlockedRequests'))!.Properties;
    expect(alarm.AlarmDescription).toMatch(/^The firewall \(in COUNT mode\) would block 100 or more requests a minute/);
    expect(alarm.MetricName).toBeUndefined();
    const queries = Object.fromEntries(alarm.Metrics.map((m: any) => [m.Id, m]));
    expect(queries.expr_1).toMatchObject({ Expression: 'counted - FILL(allowed0, 0)', ReturnData: true });
    expect(queries.counted.MetricStat.Metric).toMatchObject({ MetricName: 'CountedRequests', Dimensions: expect.arrayContaining([{ Name: 'Rule', Value: 'ALL' }]) });
    expect(queries.allowed0.MetricStat.Metric).toMatchObject({ MetricName: 'CountedRequests', Dimensions: expect.arrayContaining([{ Name: 'Rule', Value: 'AllowListIPv4' }]) });
  });

  test('without allow lists, the alarm watches counted requests', () => {
    const plain = Template.fromStack(build({ mode: FirewallMode.COUNT }).stack);
    plain.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-WafBlockedRequests$'),
      MetricName: 'CountedRequests',
      Dimensions: Match.arrayWith([{ Name: 'Rule', Value: 'ALL' }]),
    });
  });
});

describe('managed rule groups and overrides', () => {
  test('per-rule overrides take each action; BLOCK answers the firewall\'s 403', () => {
    const { stack } = build({
      managedRuleOverrides: [
        { ruleGroup: ManagedRuleGroup.COMMON_RULE_SET, ruleName: 'NoUserAgent_HEADER', action: ManagedRuleAction.COUNT },
        { ruleGroup: ManagedRuleGroup.COMMON_RULE_SET, ruleName: 'GenericLFI_BODY', action: ManagedRuleAction.BLOCK },
        { ruleGroup: ManagedRuleGroup.KNOWN_BAD_INPUTS, ruleName: 'Host_localhost_HEADER', action: ManagedRuleAction.ALLOW },
        { ruleGroup: ManagedRuleGroup.SQL_INJECTION, ruleName: 'SQLi_COOKIE', action: ManagedRuleAction.CAPTCHA },
        { ruleGroup: ManagedRuleGroup.SQL_INJECTION, ruleName: 'SQLi_BODY', action: ManagedRuleAction.CHALLENGE },
      ],
    });
    const template = Template.fromStack(stack);
    expect(ruleNamed(template, 'AWS-AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'NoUserAgent_HEADER', ActionToUse: { Count: {} } },
      { Name: 'GenericLFI_BODY', ActionToUse: { Block: { CustomResponse: expect.objectContaining({ ResponseCode: 403, CustomResponseBodyKey: 'Forbidden' }) } } },
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
    expect(ruleNamed(template, 'AWS-AWSManagedRulesKnownBadInputsRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides)
      .toEqual([{ Name: 'Host_localhost_HEADER', ActionToUse: { Allow: {} } }]);
    expect(ruleNamed(template, 'AWS-AWSManagedRulesSQLiRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'SQLi_COOKIE', ActionToUse: { Captcha: {} } },
      { Name: 'SQLi_BODY', ActionToUse: { Challenge: {} } },
    ]);
  });

  test('an override of the core rule set\'s body-size rule replaces the automatic Count', () => {
    const { stack } = build({
      managedRuleOverrides: [{ ruleGroup: ManagedRuleGroup.COMMON_RULE_SET, ruleName: 'SizeRestrictions_BODY', action: ManagedRuleAction.BLOCK }],
    });
    const overrides = ruleNamed(Template.fromStack(stack), 'AWS-AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides;
    expect(overrides).toHaveLength(1);
    expect(overrides[0]).toMatchObject({ Name: 'SizeRestrictions_BODY', ActionToUse: { Block: { CustomResponse: { ResponseCode: 403 } } } });
  });

  test('default groups can be turned off, each with an explicit false', () => {
    const { stack, firewall } = build({ managedRuleGroups: { commonRuleSet: false, sqlInjection: false, knownBadInputs: false, amazonIpReputationList: false } });
    const template = Template.fromStack(stack);
    expect(rulesOf(template).some((rule) => rule.Statement.ManagedRuleGroupStatement)).toBe(false);
    expect(firewall.capacity).toBe(1 + 1 + 2 + 1);
  });

  test('Bot Control TARGETED, alone among the opt-ins', () => {
    const { stack, firewall } = build({ managedRuleGroups: { botControl: BotControlInspectionLevel.TARGETED } });
    expect(ruleNamed(Template.fromStack(stack), 'AWS-AWSManagedRulesBotControlRuleSet').Statement.ManagedRuleGroupStatement.ManagedRuleGroupConfigs)
      .toEqual([{ AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'TARGETED' } }]);
    expect(firewall.capacity).toBe(1130 + 50);
  });
});

describe('request body limit', () => {
  test('a smaller limit', () => {
    const { stack } = build({ requestBodyLimit: RequestBodyLimit.maxSize(Size.kibibytes(2)) });
    expect(ruleNamed(Template.fromStack(stack), 'MaxRequestBodySize').Statement.SizeConstraintStatement.Size).toBe(2048);
  });

  test('16 KiB, the most AWS WAF sees of a body', () => {
    const { stack } = build({ requestBodyLimit: RequestBodyLimit.maxSize(Size.kibibytes(16)) });
    expect(ruleNamed(Template.fromStack(stack), 'MaxRequestBodySize').Statement.SizeConstraintStatement.Size).toBe(16384);
  });

  test('unlimited with a reason: no body-size rule, and the core rule set still only counts large bodies', () => {
    const { stack, firewall } = build({ requestBodyLimit: RequestBodyLimit.unlimited('file uploads up to 5 MB') });
    const template = Template.fromStack(stack);
    expect(firewall.ruleNames).not.toContain('MaxRequestBodySize');
    expect(ruleNamed(template, 'AWS-AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides)
      .toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    expect(firewall.capacity).toBe(1129);
  });
});

describe('route rate limits', () => {
  test('path prefixes for a custom domain, longer first', () => {
    const { stack } = build({ routePathPrefixes: ['', '/v1', '/pets-api'], routeRateLimits: [{ routeKey: 'POST /login', limit: 10 }] });
    const statements = ruleNamed(Template.fromStack(stack), 'RateLimit-POST-login').Statement.RateBasedStatement.ScopeDownStatement.AndStatement.Statements;
    expect(statements[1].OrStatement.Statements[0].RegexMatchStatement.RegexString).toBe('^(?:/pets-api|/v1|)/login/?$');
  });

  test('the stage name, whatever it is, prefixes the path', () => {
    const { stack } = build({ routeRateLimits: [{ routeKey: 'POST /login', limit: 10 }] }, { stageName: 'prod' });
    const statements = ruleNamed(Template.fromStack(stack), 'RateLimit-POST-login').Statement.RateBasedStatement.ScopeDownStatement.AndStatement.Statements;
    expect(statements[1].OrStatement.Statements[0].RegexMatchStatement.RegexString).toBe('^(?:/prod)/login/?$');
  });

  test('an ANY route is matched on its path alone', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    api.addRoute('ANY /token', { authorization: RouteAuthorization.publicAccess('token'), integration: new LambdaRouteIntegration(inlineFunction(stack)), requestBodySchema: {} });
    new ApiFirewall(stack, 'Firewall', { api, routeRateLimits: [{ routeKey: 'ANY /token', limit: 20 }] });
    const scopeDown = ruleNamed(Template.fromStack(stack), 'RateLimit-ANY-token').Statement.RateBasedStatement.ScopeDownStatement;
    expect(scopeDown.AndStatement).toBeUndefined();
    expect(scopeDown.OrStatement.Statements[0].RegexMatchStatement.RegexString).toBe('^(?:/v1)/token/?$');
  });

  test('a route added after the firewall counts: the route is checked at synth', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    const firewall = new ApiFirewall(stack, 'Firewall', { api, routeRateLimits: [{ routeKey: 'POST /signup', limit: 10 }] });
    api.addRoute('POST /signup', { authorization: RouteAuthorization.publicAccess('sign-up'), integration: new LambdaRouteIntegration(inlineFunction(stack)), requestBodySchema: {} });
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(firewall.ruleNames).toContain('RateLimit-POST-signup');
  });

  test('a route that does not exist fails synth, naming the prop', () => {
    const { stack } = build({ routeRateLimits: [{ routeKey: 'POST /login', limit: 10 }, { routeKey: 'POST /logout', limit: 10 }] });
    expect(() => Template.fromStack(stack)).toThrow(
      "`routeRateLimits[1].routeKey` 'POST /logout' is not a route of the API: add it with addRoute(), or fix the key (routes: POST /login, GET /pets/{petId}, GET /orders)");
  });

  test('the same path with another method is not the route', () => {
    const { stack } = build({ routeRateLimits: [{ routeKey: 'GET /login', limit: 10 }] });
    expect(() => Template.fromStack(stack)).toThrow("`routeRateLimits[0].routeKey` 'GET /login' is not a route of the API");
  });

  test('a per-key limit on a route that does not require an API key warns that callers can leave the header out', () => {
    const { stack } = build({ routeRateLimits: [{ routeKey: 'POST /login', limit: 10, aggregateOnHeader: 'x-api-key' }] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Firewall', Match.stringLikeRegexp(
      "`routeRateLimits\\[0\\]` counts per 'x-api-key', but POST /login does not require an API key: AWS WAF does not rate-limit requests without the header"));
  });

  test('two limits on one route, per address and per key, with their own names', () => {
    const { firewall } = build({
      routeRateLimits: [
        { routeKey: 'GET /orders', limit: 10 },
        { routeKey: 'GET /orders', limit: 100, aggregateOnHeader: 'x-api-key' },
        { routeKey: 'GET /orders', limit: 1000, evaluationWindow: Duration.minutes(10), ruleName: 'OrdersDaily' },
      ],
    });
    expect(firewall.ruleNames.filter((name) => name.includes('orders') || name === 'OrdersDaily'))
      .toEqual(['RateLimit-GET-orders', 'RateLimit-GET-orders-by-x-api-key', 'OrdersDaily']);
  });
});

describe('a route rate rule counts every spelling of its path', () => {
  /** The example app's route rule, on an API that also has the routes next to it. */
  function routeRule(): Rule {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    const integration = new LambdaRouteIntegration(inlineFunction(stack));
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('DELETE /pets/{petId}', { authorization: RouteAuthorization.iam(), integration });
    api.addRoute('DELETE /pets/{petId}/photos', { authorization: RouteAuthorization.iam(), integration });
    new ApiFirewall(stack, 'Firewall', { api, routeRateLimits: [{ routeKey: 'DELETE /pets/{petId}', limit: 100, evaluationWindow: Duration.minutes(5) }] });
    return ruleNamed(Template.fromStack(stack), 'RateLimit-DELETE-pets-petId');
  }

  /** The rule as it was before paths were normalised: the path only as sent and percent-decoded. */
  function withoutNormalisation(rule: Rule): Rule {
    const copy = JSON.parse(JSON.stringify(rule));
    const path = copy.Statement.RateBasedStatement.ScopeDownStatement.AndStatement.Statements[1].OrStatement;
    path.Statements = path.Statements.filter((statement: Rule) => !statement.RegexMatchStatement.TextTransformations.some((t: Rule) => t.Type === 'NORMALIZE_PATH'));
    expect(path.Statements.map((statement: Rule) => statement.RegexMatchStatement.TextTransformations))
      .toEqual([[{ Priority: 0, Type: 'NONE' }], [{ Priority: 0, Type: 'URL_DECODE' }]]);
    return copy;
  }

  const variants = ['/v1/pets//1', '/v1//pets/1', '//v1/pets/1', '/v1/pets/1//', '/v1/./pets/1', '/v1/pets/x/../1', '/v1/pets/%2e/1'];
  const counted = (rule: Rule, uriPath: string, method = 'DELETE') => matches(rule.Statement, { method, uriPath });

  test('the evaluator applies URL_DECODE and NORMALIZE_PATH as AWS WAF documents them', () => {
    expect(urlDecode('/v1/pets/%2e/%2E%2e/1%zz')).toBe('/v1/pets/./../1%zz');
    expect(normalizePath('//a///b/')).toBe('/a/b/');
    expect(normalizePath('/a/./b/.')).toBe('/a/b/');
    expect(normalizePath('/a/x/y/../../b/..')).toBe('/a/');
    expect(normalizePath('../a/../../b')).toBe('../../b'); // back-references at the beginning stay
    expect(transform('/a/%2e%2e/b', [{ Priority: 1, Type: 'NORMALIZE_PATH' }, { Priority: 0, Type: 'URL_DECODE' }])).toBe('/b');
  });

  test('the rule inspects the path as sent, decoded, normalised, and decoded then normalised', () => {
    const path = routeRule().Statement.RateBasedStatement.ScopeDownStatement.AndStatement.Statements[1].OrStatement.Statements;
    expect(path.map((statement: Rule) => statement.RegexMatchStatement.TextTransformations)).toEqual([
      [{ Priority: 0, Type: 'NONE' }],
      [{ Priority: 0, Type: 'URL_DECODE' }],
      [{ Priority: 0, Type: 'NORMALIZE_PATH' }],
      [{ Priority: 0, Type: 'URL_DECODE' }, { Priority: 1, Type: 'NORMALIZE_PATH' }],
    ]);
  });

  test.each(variants)('%s is counted by the rule of DELETE /pets/{petId}', (uriPath) => {
    expect(counted(routeRule(), uriPath)).toBe(true);
  });

  test.each(variants)('%s escaped the rule without normalisation', (uriPath) => {
    expect(counted(withoutNormalisation(routeRule()), uriPath)).toBe(false);
  });

  test('the plain path and a trailing slash are counted, as before', () => {
    const rule = routeRule();
    expect(counted(rule, '/v1/pets/1')).toBe(true);
    expect(counted(rule, '/v1/pets/1/')).toBe(true);
    expect(counted(withoutNormalisation(rule), '/v1/pets/1')).toBe(true);
  });

  test.each([
    ['DELETE', '/v1/pets'],
    ['DELETE', '/v1/pets/'],
    ['DELETE', '//v1//pets//'],
    ['DELETE', '/v1/pets/1/photos'],
    ['DELETE', '/v1/pets//1/./photos'],
    ['DELETE', '/v1/pets/1/%2e/photos'],
    ['DELETE', '/v2/pets/1'],
    ['GET', '/v1/pets//1'],
  ])('%s %s, not the route, is not counted', (method, uriPath) => {
    expect(counted(routeRule(), uriPath, method)).toBe(false);
  });
});

describe('logging', () => {
  test('logOnlyBlockedAndCounted keeps requests a rule blocked or counted, and drops the rest', () => {
    const { stack } = build({ logOnlyBlockedAndCounted: true });
    Template.fromStack(stack).hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LoggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [{
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT', 'CAPTCHA', 'CHALLENGE'].map((action) => ({ ActionCondition: { Action: action } })),
        }],
      },
    });
  });

  test('retention and removal policy', () => {
    const { stack } = build({ logRetention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'), RetentionInDays: 90 },
      DeletionPolicy: 'Delete',
    });
  });
});

describe('metrics', () => {
  const { firewall } = build({ routeRateLimits: [{ routeKey: 'POST /login', limit: 10 }] });
  const dimensions = (rule: string) => ({ WebACL: ACL_NAME, Region: 'eu-west-1', Rule: rule });

  test.each([
    ['metricBlockedRequests', 'BlockedRequests'],
    ['metricAllowedRequests', 'AllowedRequests'],
    ['metricCountedRequests', 'CountedRequests'],
  ] as const)('%s: %s of the whole web ACL, Sum over 1 minute', (method, metricName) => {
    const metric = firewall[method]();
    expect(metric.namespace).toBe('AWS/WAFV2');
    expect(metric.metricName).toBe(metricName);
    expect(metric.dimensions).toEqual(dimensions('ALL'));
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toSeconds()).toBe(60);
  });

  test('props override the defaults', () => {
    const metric = firewall.metricBlockedRequests({ period: Duration.minutes(5), statistic: 'Maximum', label: 'blocked' });
    expect(metric.period.toSeconds()).toBe(300);
    expect(metric.statistic).toBe('Maximum');
    expect(metric.label).toBe('blocked');
  });

  test('metricBlockedRequestsForRule: one rule\'s blocked requests', () => {
    const metric = firewall.metricBlockedRequestsForRule('RateLimit-POST-login');
    expect(metric.metricName).toBe('BlockedRequests');
    expect(metric.dimensions).toEqual(dimensions('RateLimit-POST-login'));
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toSeconds()).toBe(60);
  });

  test('metricBlockedRequestsForRule refuses a rule the web ACL does not have', () => {
    expect(validationErrorOf(() => firewall.metricBlockedRequestsForRule('RateLimit-POST-logout')).message).toBe(
      "`metricBlockedRequestsForRule` names 'RateLimit-POST-logout', which is not a rule of this web ACL: use one of 'AutomaticBlockListIPv4', 'AutomaticBlockListIPv6', 'RateLimitPerIp', 'RateLimit-POST-login', 'AWS-AWSManagedRulesAmazonIpReputationList', 'AWS-AWSManagedRulesCommonRuleSet', 'AWS-AWSManagedRulesKnownBadInputsRuleSet', 'AWS-AWSManagedRulesSQLiRuleSet', 'MaxRequestBodySize'" + AT);
  });

  test('addDashboardRow adds allowed, blocked and counted requests, and blocked and counted by rule', () => {
    const { stack: dashboardStack, api, firewall: fw } = build();
    const dashboard = new ApiDashboard(dashboardStack, 'Dashboard', { api });
    fw.addDashboardRow(dashboard);
    const body = JSON.stringify(Template.fromStack(dashboardStack).findResources('AWS::CloudWatch::Dashboard'));
    for (const title of ['Firewall requests a minute', 'Firewall blocked requests a minute, by rule', 'Firewall counted requests a minute, by rule']) {
      expect(body).toContain(title);
    }
    for (const name of ['AllowedRequests', 'BlockedRequests', 'CountedRequests']) {
      expect(body).toContain(`\\"AWS/WAFV2\\",\\"${name}\\"`);
    }
    for (const rule of fw.ruleNames) {
      expect(body).toContain(`\\"Rule\\",\\"${rule}\\"`);
    }
  });
});

describe('without the API\'s alarms', () => {
  test('no alarm is added', () => {
    const { stack, firewall } = build({}, { alarms: { enabled: false } });
    expect(firewall.blockedRequestsAlarm).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('a custom threshold', () => {
    const { stack } = build({ blockedRequestsPerMinuteThreshold: 500 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'BlockedRequests', Threshold: 500 });
  });
});

describe('an existing web ACL', () => {
  const ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared-acl/1234abcd-12ab-34cd-56ef-1234567890ab';

  test('is only associated with the stage: no web ACL, IP sets or logging of its own', () => {
    const { stack, firewall } = build({ webAclArn: ARN });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::IPSet', 0);
    template.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 0);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: ARN });
    expect(firewall.webAcl).toBeUndefined();
    expect(firewall.automaticBlockListIpv4).toBeUndefined();
    expect(firewall.logGroup).toBeUndefined();
    expect(firewall.capacity).toBe(0);
    expect(firewall.ruleNames).toEqual([]);
  });

  test('its metrics and alarm use its name, from the ARN', () => {
    const { stack, firewall } = build({ webAclArn: ARN, blockedRequestsPerMinuteThreshold: 20 });
    expect(firewall.webAclName).toBe('shared-acl');
    expect(firewall.metricBlockedRequestsForRule('SomeRule').dimensions).toEqual({ WebACL: 'shared-acl', Region: 'eu-west-1', Rule: 'SomeRule' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BlockedRequests',
      Threshold: 20,
      Dimensions: Match.arrayWith([{ Name: 'WebACL', Value: 'shared-acl' }]),
    });
  });

  test('a token ARN: the name is selected at deploy time', () => {
    const { stack, firewall } = build({ webAclArn: Lazy.string({ produce: () => ARN }) });
    expect(stack.resolve(firewall.webAclName)).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', ARN] }] });
  });

  test('rule props are refused rather than ignored', () => {
    expect(validationErrorOf(() => build({ webAclArn: ARN, mode: FirewallMode.COUNT, blockedCountries: ['KP'], logRetention: logs.RetentionDays.ONE_DAY })).message).toBe(
      "`webAclArn` is given, so `mode`, `blockedCountries`, `logRetention` would be ignored: the existing web ACL's owner manages its rules and logging; remove them, or leave out `webAclArn` to create a web ACL" + AT);
  });

  test('a CLOUDFRONT web ACL is refused', () => {
    expect(validationErrorOf(() => build({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/cf/1234abcd-12ab-34cd-56ef-1234567890ab' })).message).toBe(
      "`webAclArn` 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/cf/1234abcd-12ab-34cd-56ef-1234567890ab' is a CLOUDFRONT web ACL, which cannot protect a regional API: give the ARN of a REGIONAL web ACL in the API's region" + AT);
  });

  test.each(['shared-acl', 'arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/x/1234abcd', ''])('%p is not a web ACL ARN', (arn) => {
    expect(validationErrorOf(() => build({ webAclArn: arn })).message).toBe(
      `\`webAclArn\` must be the ARN of a REGIONAL web ACL, such as 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/my-acl/1234abcd-12ab-34cd-56ef-1234567890ab', got '${arn}'` + AT);
  });
});

describe('capacity', () => {
  test('over maxCapacity fails with the total and the largest rules', () => {
    expect(validationErrorOf(() => build({ maxCapacity: 1000 })).message).toBe(
      "The web ACL's rules need 1130 WCU, over `maxCapacity` (1000); the largest are AWS-AWSManagedRulesCommonRuleSet 700, AWS-AWSManagedRulesKnownBadInputsRuleSet 200, AWS-AWSManagedRulesSQLiRuleSet 200: turn off managed rule groups or route rate limits, or raise `maxCapacity` (at most 5000)" + AT);
  });

  test('over AWS WAF\'s 5000 fails without suggesting to raise the limit', () => {
    const routeRateLimits = Array.from({ length: 80 }, (_, index) => ({ routeKey: 'GET /orders', limit: 10, aggregateOnHeader: 'x-api-key', ruleName: `Orders${index}` }));
    expect(validationErrorOf(() => build({ routeRateLimits })).message).toBe(
      `The web ACL's rules need ${1130 + 80 * 86} WCU, over \`maxCapacity\` (5000, AWS WAF's limit); the largest are AWS-AWSManagedRulesCommonRuleSet 700, AWS-AWSManagedRulesKnownBadInputsRuleSet 200, AWS-AWSManagedRulesSQLiRuleSet 200: turn off managed rule groups or route rate limits` + AT);
  });

  test('exactly at maxCapacity synthesizes', () => {
    const { firewall } = build({ maxCapacity: 1130 });
    expect(firewall.capacity).toBe(1130);
  });

  test.each([0, 5001, 1.5])('maxCapacity %p is refused', (maxCapacity) => {
    expect(validationErrorOf(() => build({ maxCapacity })).message).toBe(`\`maxCapacity\` must be a whole number between 1 and 5000, got ${maxCapacity}` + AT);
  });
});

describe('validation', () => {
  test('an invalid CIDR', () => {
    expect(validationErrorOf(() => build({ allowedIpv4Cidrs: ['10.0.0.0/8', '10.0.0.300/32'] })).message).toBe(
      "`allowedIpv4Cidrs[1]` must be an IPv4 CIDR block such as 203.0.113.0/24, got '10.0.0.300/32': '10.0.0.300' is not an IPv4 or IPv6 address" + AT);
  });

  test('an address without a prefix length', () => {
    expect(validationErrorOf(() => build({ blockedIpv4Cidrs: ['203.0.113.7'] })).message).toBe(
      "`blockedIpv4Cidrs[0]` must be an IPv4 CIDR block such as 203.0.113.0/24, got '203.0.113.7': the prefix length is missing (write /32 or /128 for a single address)" + AT);
  });

  test('IPv6 in an IPv4 list', () => {
    expect(validationErrorOf(() => build({ blockedIpv4Cidrs: ['2001:db8::/32'] })).message).toBe(
      "`blockedIpv4Cidrs[0]` must be an IPv4 CIDR block such as 203.0.113.0/24, got the IPv6 block '2001:db8::/32': move it to the IPv6 list" + AT);
  });

  test('IPv4 in an IPv6 list', () => {
    expect(validationErrorOf(() => build({ allowedIpv6Cidrs: ['203.0.113.0/24'] })).message).toBe(
      "`allowedIpv6Cidrs[0]` must be an IPv6 CIDR block such as 2001:db8::/32, got the IPv4 block '203.0.113.0/24': move it to the IPv4 list" + AT);
  });

  test('/0, which AWS WAF refuses', () => {
    expect(validationErrorOf(() => build({ blockedIpv6Cidrs: ['::/0'] })).message).toBe(
      "`blockedIpv6Cidrs[0]` is '::/0', every address: AWS WAF refuses /0 in an IP set; list narrower blocks" + AT);
  });

  test('a CIDR listed twice', () => {
    expect(validationErrorOf(() => build({ blockedIpv4Cidrs: ['192.0.2.0/24', '198.51.100.0/24', '192.0.2.0/24'] })).message).toBe(
      "`blockedIpv4Cidrs[2]` repeats `blockedIpv4Cidrs[0]` ('192.0.2.0/24'): list each block once" + AT);
  });

  test('more CIDRs than an IP set holds', () => {
    const cidrs = Array.from({ length: 10_001 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    expect(validationErrorOf(() => build({ blockedIpv4Cidrs: cidrs })).message).toBe(
      '`blockedIpv4Cidrs` has 10001 CIDR blocks, over the 10000 an AWS WAF IP set holds: merge them into larger blocks' + AT);
  });

  test('UK is refused, suggesting GB', () => {
    expect(validationErrorOf(() => build({ blockedCountries: ['KP', 'UK'] })).message).toBe(
      "`blockedCountries[1]` must be an ISO 3166-1 alpha-2 country code, got 'UK': UK is not the ISO 3166-1 code of that country: use 'GB'" + AT);
  });

  test('a lower-case country code is refused', () => {
    expect(validationErrorOf(() => build({ blockedCountries: ['ir'] })).message).toBe(
      "`blockedCountries[0]` must be an ISO 3166-1 alpha-2 country code, got 'ir': codes are upper case: use 'IR'" + AT);
  });

  test.each([9, 2_000_000_001, 100.5, -1])('a rate limit of %p', (limit) => {
    expect(validationErrorOf(() => build({ rateLimit: { limit } })).message).toBe(`\`rateLimit.limit\` must be a whole number between 10 and 2000000000, got ${limit}` + AT);
  });

  test('a route rate limit without its limit', () => {
    expect(validationErrorOf(() => build({ routeRateLimits: [{ routeKey: 'POST /login' } as RouteRateLimit] })).message).toBe(
      '`routeRateLimits[0].limit` is missing: give the most requests a client may send in the window, from 10 to 2000000000' + AT);
  });

  test('a route rate limit below AWS WAF\'s minimum', () => {
    expect(validationErrorOf(() => build({ routeRateLimits: [{ routeKey: 'POST /login', limit: 5 }] })).message).toBe(
      '`routeRateLimits[0].limit` must be a whole number between 10 and 2000000000, got 5' + AT);
  });

  test.each([
    [Duration.minutes(3), '3 minutes'],
    [Duration.seconds(30), '30 seconds'],
    [Duration.hours(1), '1 hour'],
    [Duration.millis(0.5), '0.5 millis'],
  ])('an evaluation window of %s', (evaluationWindow, human) => {
    expect(validationErrorOf(() => build({ rateLimit: { evaluationWindow } })).message).toBe(
      `\`rateLimit.evaluationWindow\` must be one of the windows AWS WAF offers (1 min, 2 min, 5 min, 10 min), got ${human}: use Duration.minutes(1), 2, 5 or 10` + AT);
  });

  test('a route rate limit\'s evaluation window', () => {
    expect(validationErrorOf(() => build({ routeRateLimits: [{ routeKey: 'POST /login', limit: 10, evaluationWindow: Duration.minutes(15) }] })).message).toMatch(
      /^`routeRateLimits\[0\]\.evaluationWindow` must be one of the windows AWS WAF offers/);
  });

  test('an invalid route key', () => {
    expect(validationErrorOf(() => build({ routeRateLimits: [{ routeKey: 'POST login', limit: 10 }] })).message).toBe(
      "`routeKey` 'POST login' has a path that does not start with '/': write '/login'" + AT);
  });

  test('an invalid header name', () => {
    expect(validationErrorOf(() => build({ routeRateLimits: [{ routeKey: 'GET /orders', limit: 10, aggregateOnHeader: 'x api key' }] })).message).toBe(
      "`routeRateLimits[0].aggregateOnHeader` must be an HTTP header name such as 'x-api-key', got 'x api key'" + AT);
  });

  test('two route limits with the same rule name', () => {
    expect(validationErrorOf(() => build({ routeRateLimits: [{ routeKey: 'POST /login', limit: 10 }, { routeKey: 'POST /login', limit: 20 }] })).message).toBe(
      "`routeRateLimits[1]` makes the rule name 'RateLimit-POST-login', which `routeRateLimits[0]` already has: rule names are unique in a web ACL, so give it its own `ruleName`" + AT);
  });

  test('a route limit named like a rule of the firewall\'s own', () => {
    expect(validationErrorOf(() => build({ routeRateLimits: [{ routeKey: 'POST /login', limit: 10, ruleName: 'MaxRequestBodySize' }] })).message).toBe(
      "`routeRateLimits[0]` makes the rule name 'MaxRequestBodySize', which a rule of the firewall's own already has: rule names are unique in a web ACL, so give it its own `ruleName`" + AT);
  });

  test.each(['Login limit', 'All', 'x'.repeat(129)])('a rule name of %p', (ruleName) => {
    expect(validationErrorOf(() => build({ routeRateLimits: [{ routeKey: 'POST /login', limit: 10, ruleName }] })).message).toBe(
      `\`routeRateLimits[0].ruleName\` must be 1 to 128 letters, digits, '_' or '-' (and not 'All' or 'Default_Action'), got '${ruleName}'` + AT);
  });

  test('a route path too long for a rule name', () => {
    const path = `/${'a'.repeat(60)}/${'b'.repeat(60)}`;
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    expect(validationErrorOf(() => new ApiFirewall(stack, 'Firewall', { api, routeRateLimits: [{ routeKey: `POST ${path}`, limit: 10 }] })).message).toBe(
      `\`routeRateLimits[0].routeKey\` 'POST ${path}' makes the rule name 'RateLimit-POST-${'a'.repeat(60)}-${'b'.repeat(60)}', over AWS WAF's 128 characters: give the rule a shorter \`ruleName\`` + AT);
  });

  test('a path pattern over AWS WAF\'s 512 characters', () => {
    const routePathPrefixes = Array.from({ length: 40 }, (_, i) => `/prefix-${i}-${'x'.repeat(4)}`);
    expect(validationErrorOf(() => build({ routePathPrefixes, routeRateLimits: [{ routeKey: 'POST /login', limit: 10 }] })).message).toMatch(
      /^`routeRateLimits\[0\]\.routeKey` 'POST \/login' makes a path pattern of \d+ characters, over AWS WAF's 512: use fewer or shorter `routePathPrefixes`/);
  });

  test.each(['v1', '/v1/', '/v 1'])('a route path prefix of %p', (prefix) => {
    expect(validationErrorOf(() => build({ routePathPrefixes: [prefix] })).message).toBe(
      `\`routePathPrefixes[0]\` must be '' or a path such as '/v1' (starting with '/', no trailing '/'), got '${prefix}'` + AT);
  });

  test('no route path prefix', () => {
    expect(validationErrorOf(() => build({ routePathPrefixes: [] })).message).toBe(
      "`routePathPrefixes` must list at least one prefix, such as '/v1' for the stage at the execute-api endpoint or '' for a custom domain mapped at its root" + AT);
  });

  test('a route path prefix listed twice', () => {
    expect(validationErrorOf(() => build({ routePathPrefixes: ['/v1', '/v1'] })).message).toBe("`routePathPrefixes[1]` repeats '/v1': list each prefix once" + AT);
  });

  test('an override of a group that does not run', () => {
    expect(validationErrorOf(() => build({ managedRuleOverrides: [{ ruleGroup: ManagedRuleGroup.LINUX, ruleName: 'LFI_URIPATH', action: ManagedRuleAction.COUNT }] })).message).toBe(
      '`managedRuleOverrides[0].ruleGroup` is AWSManagedRulesLinuxRuleSet, which does not run: turn it on in `managedRuleGroups` or remove the override' + AT);
  });

  test('an override with an invalid rule name', () => {
    expect(validationErrorOf(() => build({ managedRuleOverrides: [{ ruleGroup: ManagedRuleGroup.COMMON_RULE_SET, ruleName: 'No User Agent', action: ManagedRuleAction.COUNT }] })).message).toBe(
      "`managedRuleOverrides[0].ruleName` must be the name of a rule of AWSManagedRulesCommonRuleSet (letters, digits, '_' and '-'), got 'No User Agent'" + AT);
  });

  test('an override with an unknown action', () => {
    expect(validationErrorOf(() => build({ managedRuleOverrides: [{ ruleGroup: ManagedRuleGroup.COMMON_RULE_SET, ruleName: 'NoUserAgent_HEADER', action: 'IGNORE' as ManagedRuleAction }] })).message).toBe(
      "`managedRuleOverrides[0].action` must be one of 'ALLOW', 'BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE', got 'IGNORE'" + AT);
  });

  test('the same rule overridden twice', () => {
    const override = { ruleGroup: ManagedRuleGroup.COMMON_RULE_SET, ruleName: 'NoUserAgent_HEADER', action: ManagedRuleAction.COUNT };
    expect(validationErrorOf(() => build({ managedRuleOverrides: [override, { ...override, action: ManagedRuleAction.BLOCK }] })).message).toBe(
      '`managedRuleOverrides[1]` overrides AWSManagedRulesCommonRuleSet NoUserAgent_HEADER again (see `managedRuleOverrides[0]`): give each rule one action' + AT);
  });

  test('a managed group option that is not a boolean', () => {
    expect(validationErrorOf(() => build({ managedRuleGroups: { commonRuleSet: 'no' as unknown as boolean } })).message).toBe(
      "`managedRuleGroups.commonRuleSet` must be true or false, got 'no'" + AT);
  });

  test('an unknown Bot Control level', () => {
    expect(validationErrorOf(() => build({ managedRuleGroups: { botControl: 'HIGH' as BotControlInspectionLevel } })).message).toBe(
      "`managedRuleGroups.botControl` must be one of 'COMMON', 'TARGETED', got 'HIGH'" + AT);
  });

  test.each([[Size.kibibytes(17), 17408], [Size.bytes(0), 0]])('a body limit of %s', (size, bytes) => {
    expect(validationErrorOf(() => build({ requestBodyLimit: RequestBodyLimit.maxSize(size) })).message).toBe(
      `\`requestBodyLimit\` must be from 1 byte to 16 KiB (AWS WAF inspects at most the first 16 KiB of an API Gateway request body), got ${bytes} bytes: for larger bodies use RequestBodyLimit.unlimited(reason)` + AT);
  });

  test('an unlimited body without a reason', () => {
    expect(validationErrorOf(() => build({ requestBodyLimit: RequestBodyLimit.unlimited(' ') })).message).toBe(
      "`requestBodyLimit` is RequestBodyLimit.unlimited() without a reason: say why the API accepts bodies of any size, such as RequestBodyLimit.unlimited('file uploads up to 5 MB')" + AT);
  });

  test('an infinite log retention', () => {
    expect(validationErrorOf(() => build({ logRetention: logs.RetentionDays.INFINITE })).message).toMatch(
      /^`logRetention` must be a finite CloudWatch Logs retention in days .* got 9999: logs must expire/);
  });

  test('an alarm threshold of 0', () => {
    expect(validationErrorOf(() => build({ blockedRequestsPerMinuteThreshold: 0 })).message).toBe(
      '`blockedRequestsPerMinuteThreshold` must be a whole number >= 1, got 0' + AT);
  });

  test('an unknown mode', () => {
    expect(validationErrorOf(() => build({ mode: 'DETECT' as FirewallMode })).message).toBe("`mode` must be one of 'BLOCK', 'COUNT', got 'DETECT'" + AT);
  });

  test('a second firewall on the same API', () => {
    const { stack, api } = build();
    expect(validationErrorOf(() => new ApiFirewall(stack, 'Firewall2', { api })).message).toBe(
      '`api` TestStack/Api already has a firewall: a stage is associated with one web ACL, so give the API one ApiFirewall (at TestStack/Firewall2)');
  });

  test('a second firewall on the same API without alarms, where no alarm of the first one exists', () => {
    const { stack, api, firewall } = build({}, { alarms: { enabled: false } });
    expect(firewall.blockedRequestsAlarm).toBeUndefined();
    expect(validationErrorOf(() => new ApiFirewall(stack, 'Firewall2', { api })).message).toBe(
      '`api` TestStack/Api already has a firewall: a stage is associated with one web ACL, so give the API one ApiFirewall (at TestStack/Firewall2)');
  });

  test('a firewall that fails validation does not claim the API: a valid one can follow', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    expect(validationErrorOf(() => new ApiFirewall(stack, 'Bad', { api, mode: 'DETECT' as FirewallMode })).message).toBe("`mode` must be one of 'BLOCK', 'COUNT', got 'DETECT' (at TestStack/Bad)");
    expect(api.firewall).toBeUndefined();
    const good = new ApiFirewall(stack, 'Good', { api });
    expect(api.firewall).toBe(good);
  });

  test('an `api` that is not a SecureRestApi, as JavaScript or another language can pass', () => {
    const stack = newStack();
    const plain = new apigw.RestApi(stack, 'Plain');
    plain.root.addMethod('GET');
    expect(validationErrorOf(() => new ApiFirewall(stack, 'Firewall', { api: plain as any })).message).toBe(
      "`api` must be a SecureRestApi, got the construct at 'TestStack/Plain': pass the API whose stage the web ACL protects" + AT);
    expect(validationErrorOf(() => new ApiFirewall(stack, 'Firewall2', {} as any)).message).toBe(
      '`api` must be a SecureRestApi, got undefined: pass the API whose stage the web ACL protects (at TestStack/Firewall2)');
  });

  test('a second firewall on the same API, even when the first uses an existing web ACL', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    new ApiFirewall(stack, 'Shared', { api, webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/1234abcd-12ab-34cd-56ef-1234567890ab' });
    expect(validationErrorOf(() => new ApiFirewall(stack, 'Firewall2', { api })).message).toBe(
      '`api` TestStack/Api already has a firewall: a stage is associated with one web ACL, so give the API one ApiFirewall (at TestStack/Firewall2)');
  });
});

describe('CIDRs with host bits', () => {
  test('are refused at synth, naming the network address: AWS WAF would refuse the IP set at deploy', () => {
    expect(validationErrorOf(() => build({ allowedIpv4Cidrs: ['195.178.188.66/29'] })).message)
      .toContain("`allowedIpv4Cidrs[0]` must be an IPv4 CIDR block such as 203.0.113.0/24, got '195.178.188.66/29': '195.178.188.66' has bits set after the first 29: write the network address, 195.178.188.64/29");
    expect(validationErrorOf(() => build({ blockedIpv6Cidrs: ['2001:db8::1/32'] })).message)
      .toContain("write the network address, 2001:db8::/32");
  });
});

import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import {
  MANAGED_RULE_GROUP_CAPACITY,
  STATEMENT_CAPACITY,
  WAF_DEFAULT_CAPACITY,
  WAF_MAX_CAPACITY,
  WAF_MAX_TEXT_TRANSFORMATIONS,
  rulesCapacity,
  statementCapacity,
} from '../../../lib/private/waf-capacity';

type Statement = wafv2.CfnWebACL.StatementProperty;
const NONE = [{ priority: 0, type: 'NONE' }];
const DECODE = [{ priority: 0, type: 'URL_DECODE' }];
const NORMALIZE = [{ priority: 0, type: 'NORMALIZE_PATH' }];
const DECODE_NORMALIZE = [{ priority: 0, type: 'URL_DECODE' }, { priority: 1, type: 'NORMALIZE_PATH' }];

const ipSet: Statement = { ipSetReferenceStatement: { arn: 'arn' } };
const geo: Statement = { geoMatchStatement: { countryCodes: ['KP'] } };
const method: Statement = { byteMatchStatement: { fieldToMatch: { method: {} }, positionalConstraint: 'EXACTLY', searchString: 'POST', textTransformations: NONE } };
const regex = (textTransformations = NONE): Statement => ({ regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: '^/v1/login/?$', textTransformations } });

describe('published capacities', () => {
  test('the managed rule groups, as AWS documents them', () => {
    expect(MANAGED_RULE_GROUP_CAPACITY).toEqual({
      AWSManagedRulesAmazonIpReputationList: 25,
      AWSManagedRulesCommonRuleSet: 700,
      AWSManagedRulesKnownBadInputsRuleSet: 200,
      AWSManagedRulesSQLiRuleSet: 200,
      AWSManagedRulesAnonymousIpList: 50,
      AWSManagedRulesLinuxRuleSet: 200,
      AWSManagedRulesUnixRuleSet: 100,
      AWSManagedRulesAdminProtectionRuleSet: 100,
      AWSManagedRulesBotControlRuleSet: 50,
    });
  });

  test('the account limits: 1500 in the base price, 5000 at most, 10 text transformations a statement', () => {
    expect(WAF_DEFAULT_CAPACITY).toBe(1500);
    expect(WAF_MAX_CAPACITY).toBe(5000);
    expect(WAF_MAX_TEXT_TRANSFORMATIONS).toBe(10);
  });
});

describe('statementCapacity', () => {
  test.each<[string, Statement, number]>([
    ['an IP set reference', ipSet, 1],
    ['a geo match', geo, 1],
    ['a label match', { labelMatchStatement: { key: 'k', scope: 'LABEL' } }, 1],
    ['an exact byte match without transformation', method, 2],
    ['a STARTS_WITH byte match', { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: 'STARTS_WITH', searchString: '/a', textTransformations: NONE } }, 2],
    ['a CONTAINS byte match', { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: 'CONTAINS', searchString: 'a', textTransformations: NONE } }, 10],
    ['a byte match on all query arguments with two transformations', {
      byteMatchStatement: {
        fieldToMatch: { allQueryArguments: {} },
        positionalConstraint: 'EXACTLY',
        searchString: 'a',
        textTransformations: [{ priority: 0, type: 'LOWERCASE' }, { priority: 1, type: 'URL_DECODE' }],
      },
    }, 2 + 10 + 20],
    ['a regex match', regex(), 3],
    ['a regex match after URL decoding', regex(DECODE), 13],
    ['a regex match after path normalisation', regex(NORMALIZE), 13],
    ['a regex match after URL decoding then path normalisation (10 a transformation)', regex(DECODE_NORMALIZE), 23],
    ['a regex match on the JSON body (base doubled)', { regexMatchStatement: { fieldToMatch: { jsonBody: { matchPattern: { all: {} }, matchScope: 'ALL' } }, regexString: 'a', textTransformations: NONE } }, 6],
    ['a body size constraint', { sizeConstraintStatement: { fieldToMatch: { body: { oversizeHandling: 'MATCH' } }, comparisonOperator: 'GT', size: 8192, textTransformations: NONE } }, 1],
    ['an AND of its statements', { andStatement: { statements: [method, regex()] } }, 5],
    ['an OR of its statements', { orStatement: { statements: [regex(), regex(DECODE)] } }, 16],
    ['a NOT of its statement', { notStatement: { statement: ipSet } }, 1],
    ['a rate-based rule per address', { rateBasedStatement: { aggregateKeyType: 'IP', limit: 2000 } }, 2],
    ['a rate-based rule with a scope-down', { rateBasedStatement: { aggregateKeyType: 'IP', limit: 10, scopeDownStatement: { andStatement: { statements: [method, { orStatement: { statements: [regex(), regex(DECODE)] } }] } } } }, 2 + 2 + 3 + 13],
    ['a route rule\'s scope-down: method, and the path as sent, decoded, normalised, decoded then normalised', {
      rateBasedStatement: {
        aggregateKeyType: 'IP',
        limit: 10,
        scopeDownStatement: { andStatement: { statements: [method, { orStatement: { statements: [regex(), regex(DECODE), regex(NORMALIZE), regex(DECODE_NORMALIZE)] } }] } },
      },
    }, 2 + 2 + 3 + 13 + 13 + 23],
    ['a rate-based rule per header value', { rateBasedStatement: { aggregateKeyType: 'CUSTOM_KEYS', limit: 10, customKeys: [{ header: { name: 'x-api-key', textTransformations: NONE } }] } }, 32],
    ['the core rule set', { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } }, 700],
    ['a managed group with a scope-down', { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesBotControlRuleSet', scopeDownStatement: method } }, 52],
  ])('%s costs %i', (_, statement, wcu) => {
    expect(statementCapacity(statement)).toBe(wcu);
  });

  test('the statement costs are the documented ones', () => {
    expect(STATEMENT_CAPACITY).toEqual({
      ipSet: 1,
      geoMatch: 1,
      labelMatch: 1,
      rateBased: 2,
      rateBasedCustomKey: 30,
      byteMatchAnchored: 2,
      byteMatchContains: 10,
      regexMatch: 3,
      sizeConstraint: 1,
      textTransformation: 10,
      allQueryArguments: 10,
    });
  });

  test('refuses a statement with more text transformations than AWS WAF takes', () => {
    const eleven = Array.from({ length: 11 }, (_, priority) => ({ priority, type: 'URL_DECODE' }));
    expect(statementCapacity(regex(eleven.slice(0, 10)))).toBe(103);
    expect(() => statementCapacity(regex(eleven))).toThrow('A statement applies 11 text transformations, over AWS WAF\'s 10');
  });

  test('refuses a managed group without a published capacity rather than guessing', () => {
    expect(() => statementCapacity({ managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesATPRuleSet' } }))
      .toThrow('No published capacity for the managed rule group AWS/AWSManagedRulesATPRuleSet');
    expect(() => statementCapacity({ managedRuleGroupStatement: { vendorName: 'F5', name: 'AWSManagedRulesCommonRuleSet' } }))
      .toThrow('No published capacity for the managed rule group F5/AWSManagedRulesCommonRuleSet');
  });

  test('refuses a statement type it does not know rather than guessing', () => {
    expect(() => statementCapacity({ sqliMatchStatement: { fieldToMatch: { body: {} }, textTransformations: NONE } }))
      .toThrow('No capacity known for the statement sqliMatchStatement');
  });
});

describe('rulesCapacity', () => {
  test('sums the statements of the rules', () => {
    const rule = (name: string, statement: Statement): wafv2.CfnWebACL.RuleProperty => ({
      name, priority: 0, statement, visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    expect(rulesCapacity([rule('a', ipSet), rule('b', geo), rule('c', { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesSQLiRuleSet' } })])).toBe(202);
    expect(rulesCapacity([])).toBe(0);
  });
});

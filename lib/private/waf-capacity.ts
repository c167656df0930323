import * as wafv2 from 'aws-cdk-lib/aws-wafv2';

/**
 * The web ACL capacity units (WCU) of the AWS managed rule groups the firewall offers, as AWS
 * publishes them on each group's page of the AWS WAF Developer Guide ("VendorName: AWS, Name: ...,
 * WCU: ..."). A group's capacity is fixed by its owner; a new version could change it, so these
 * are checked again whenever a group is added here.
 */
export const MANAGED_RULE_GROUP_CAPACITY: Readonly<Record<string, number>> = {
  AWSManagedRulesAmazonIpReputationList: 25,
  AWSManagedRulesCommonRuleSet: 700,
  AWSManagedRulesKnownBadInputsRuleSet: 200,
  AWSManagedRulesSQLiRuleSet: 200,
  AWSManagedRulesAnonymousIpList: 50,
  AWSManagedRulesLinuxRuleSet: 200,
  AWSManagedRulesUnixRuleSet: 100,
  AWSManagedRulesAdminProtectionRuleSet: 100,
  AWSManagedRulesBotControlRuleSet: 50,
};

/**
 * The documented WCU costs of the statements the firewall writes (AWS WAF Developer Guide, the
 * "WCUs" line of each rule statement's page).
 */
export const STATEMENT_CAPACITY = {
  /** IP set reference: 1 (5 with a forwarded-IP header inspected at position ANY, not used here). */
  ipSet: 1,
  /** Geographic match: 1. */
  geoMatch: 1,
  /** Label match: 1. */
  labelMatch: 1,
  /** Rate-based: 2 as a base cost, plus the scope-down statement. */
  rateBased: 2,
  /** Rate-based: 30 for each custom aggregation key. */
  rateBasedCustomKey: 30,
  /** String (byte) match that is EXACTLY, STARTS_WITH or ENDS_WITH. */
  byteMatchAnchored: 2,
  /** String (byte) match that is CONTAINS or CONTAINS_WORD. */
  byteMatchContains: 10,
  /** Regex match: 3 as a base cost. */
  regexMatch: 3,
  /** Size constraint: 1 as a base cost. */
  sizeConstraint: 1,
  /**
   * Each text transformation other than NONE ("Each text transformation is 10 WCUs"), counted in
   * every statement that applies it: a route rule that inspects its path as sent, decoded,
   * normalised, and decoded then normalised pays for 4 transformations.
   */
  textTransformation: 10,
  /** Inspecting all query arguments adds 10. */
  allQueryArguments: 10,
} as const;

/** What every web ACL may use before AWS WAF charges more for it. */
export const WAF_DEFAULT_CAPACITY = 1500;

/** The most a web ACL may use (AWS WAF quota). */
export const WAF_MAX_CAPACITY = 5000;

/** The most text transformations one statement may apply (AWS WAF quota). */
export const WAF_MAX_TEXT_TRANSFORMATIONS = 10;

type Statement = wafv2.CfnWebACL.StatementProperty;
type FieldToMatch = wafv2.CfnWebACL.FieldToMatchProperty;
type Transformation = wafv2.CfnWebACL.TextTransformationProperty;

/**
 * The WCU of one statement as the firewall writes it, computed from the statement itself so the
 * figure cannot drift from the rules. Throws for a statement type it does not know (a bug here,
 * never a user error), rather than guessing.
 */
export function statementCapacity(statement: Statement): number {
  const s = statement as Record<string, any>;
  if (s.ipSetReferenceStatement) {
    return STATEMENT_CAPACITY.ipSet;
  }
  if (s.geoMatchStatement) {
    return STATEMENT_CAPACITY.geoMatch;
  }
  if (s.labelMatchStatement) {
    return STATEMENT_CAPACITY.labelMatch;
  }
  if (s.andStatement || s.orStatement) {
    // Logical statements cost what their nested statements cost.
    const nested: Statement[] = (s.andStatement ?? s.orStatement).statements;
    return nested.reduce((total, inner) => total + statementCapacity(inner), 0);
  }
  if (s.notStatement) {
    return statementCapacity(s.notStatement.statement);
  }
  if (s.byteMatchStatement) {
    const match = s.byteMatchStatement;
    const anchored = ['EXACTLY', 'STARTS_WITH', 'ENDS_WITH'].includes(match.positionalConstraint);
    const base = anchored ? STATEMENT_CAPACITY.byteMatchAnchored : STATEMENT_CAPACITY.byteMatchContains;
    return componentCapacity(base, match.fieldToMatch, match.textTransformations);
  }
  if (s.regexMatchStatement) {
    const match = s.regexMatchStatement;
    return componentCapacity(STATEMENT_CAPACITY.regexMatch, match.fieldToMatch, match.textTransformations);
  }
  if (s.sizeConstraintStatement) {
    const match = s.sizeConstraintStatement;
    return componentCapacity(STATEMENT_CAPACITY.sizeConstraint, match.fieldToMatch, match.textTransformations);
  }
  if (s.rateBasedStatement) {
    const rate = s.rateBasedStatement;
    const keys = (rate.customKeys ?? []) as wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty[];
    const scopeDown = rate.scopeDownStatement ? statementCapacity(rate.scopeDownStatement) : 0;
    return STATEMENT_CAPACITY.rateBased + keys.length * STATEMENT_CAPACITY.rateBasedCustomKey + scopeDown;
  }
  if (s.managedRuleGroupStatement) {
    const group = s.managedRuleGroupStatement;
    const capacity = MANAGED_RULE_GROUP_CAPACITY[group.name];
    if (capacity === undefined || group.vendorName !== 'AWS') {
      throw new Error(`No published capacity for the managed rule group ${group.vendorName}/${group.name}`);
    }
    return capacity + (group.scopeDownStatement ? statementCapacity(group.scopeDownStatement) : 0);
  }
  throw new Error(`No capacity known for the statement ${Object.keys(s).join(', ')}`);
}

/** The WCU of a web ACL's rules: the sum of their statements'. */
export function rulesCapacity(rules: readonly wafv2.CfnWebACL.RuleProperty[]): number {
  return rules.reduce((total, rule) => total + statementCapacity(rule.statement as Statement), 0);
}

/**
 * A request-component statement's cost: its base, doubled for the JSON body, plus 10 for all
 * query arguments and 10 for each text transformation other than NONE.
 */
function componentCapacity(base: number, field: FieldToMatch, transformations: readonly Transformation[]): number {
  if (transformations.length > WAF_MAX_TEXT_TRANSFORMATIONS) {
    throw new Error(`A statement applies ${transformations.length} text transformations, over AWS WAF's ${WAF_MAX_TEXT_TRANSFORMATIONS}`);
  }
  const doubled = field.jsonBody ? base * 2 : base;
  const queryArguments = field.allQueryArguments ? STATEMENT_CAPACITY.allQueryArguments : 0;
  const transformed = transformations.filter((t) => t.type !== 'NONE').length * STATEMENT_CAPACITY.textTransformation;
  return doubled + queryArguments + transformed;
}

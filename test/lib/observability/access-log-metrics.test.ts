import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ACCESS_LOG_KEYS } from '../../../lambda/shared/constants';
import { AccessLogMetricName, LambdaRouteIntegration, RouteAuthorization, SecureRestApi, SecureRestApiProps } from '../../../lib';
import { ACCESS_LOG_FIELDS, NUMERIC_ACCESS_LOG_KEYS, PREQUOTED_ACCESS_LOG_KEYS, accessLogTemplate } from '../../../lib/private/access-log-format';
import { ACCESS_LOG_METRICS } from '../../../lib/private/access-log-metric-filters';
import { inlineFunction, logicalId, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

// ---------------------------------------------------------------------------------------------
// Sample access-log lines, built from the real template as API Gateway fills it.
// ---------------------------------------------------------------------------------------------

type AccessLogKey = keyof typeof ACCESS_LOG_KEYS;
type LineValues = Partial<Record<AccessLogKey, string | number>>;

const CONTEXT_VARIABLE = /\$context\.[A-Za-z0-9_.]*[A-Za-z0-9_]/g;
const KEY_OF_VARIABLE = new Map<string, AccessLogKey>(
  (Object.entries(ACCESS_LOG_FIELDS) as Array<[AccessLogKey, string]>).map(([key, variable]) => [variable, key]));

/** What API Gateway writes for every request: the variables it always sets. */
const ALWAYS_SET: LineValues = {
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  extendedRequestId: 'ABCDEFghijk=',
  requestTime: '27/Nov/2026:22:36:45 +0000',
  requestTimeEpoch: 1795819005000,
  sourceIp: '203.0.113.7',
  userAgent: 'curl/8.5.0',
  httpMethod: 'GET',
  resourcePath: '/pets',
  path: '/v1/pets',
  domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
  stage: 'v1',
  status: 200,
  protocol: 'HTTP/1.1',
  tlsVersion: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
  responseLength: '2',
  responseLatency: 42,
};

/**
 * An access-log line as API Gateway writes it for a request described by `values`: the template's
 * `$context` variables replaced by the values (numeric keys bare, the pre-quoted error message as
 * its own JSON string, every other key inside the template's quotes), and every variable without
 * a value as `-`.
 */
function accessLogLine(values: LineValues): string {
  const all: LineValues = { ...ALWAYS_SET, ...values };
  const template = accessLogTemplate();
  return template.replace(CONTEXT_VARIABLE, (variable: string) => {
    const key = KEY_OF_VARIABLE.get(variable);
    if (key === undefined) {
      throw new Error(`the template has a variable the sample does not know: ${variable}`);
    }
    const value = all[key];
    if (NUMERIC_ACCESS_LOG_KEYS.includes(key)) {
      if (typeof value !== 'number') {
        throw new Error(`${key} is written bare and API Gateway always sets it: give the sample a number`);
      }
      return String(value);
    }
    if (PREQUOTED_ACCESS_LOG_KEYS.includes(key)) {
      return JSON.stringify(String(value ?? '-'));
    }
    // Inside the template's own quotes: escape as a JSON string's content.
    return JSON.stringify(String(value ?? '-')).slice(1, -1);
  });
}

function accessLogRecord(values: LineValues): unknown {
  return JSON.parse(accessLogLine(values));
}

// ---------------------------------------------------------------------------------------------
// An independent oracle: the subset of CloudWatch Logs JSON filter syntax the patterns use.
// ---------------------------------------------------------------------------------------------

type Token =
  | { kind: 'open' | 'close' | 'lparen' | 'rparen' | 'and' | 'or' }
  | { kind: 'selector'; path: string[] }
  | { kind: 'op'; op: '=' | '!=' | '<' | '<=' | '>' | '>=' }
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string };

type Expression =
  | { kind: 'compare'; path: string[]; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: number | string }
  | { kind: 'and' | 'or'; operands: Expression[] };

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`filter oracle: ${what} at ${i} of ${JSON.stringify(pattern)}`);
  };
  while (i < pattern.length) {
    const rest = pattern.slice(i);
    const c = pattern[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '{' || c === '}' || c === '(' || c === ')') {
      tokens.push({ kind: ({ '{': 'open', '}': 'close', '(': 'lparen', ')': 'rparen' } as const)[c] });
      i += 1;
    } else if (rest.startsWith('&&') || rest.startsWith('||')) {
      tokens.push({ kind: rest.startsWith('&&') ? 'and' : 'or' });
      i += 2;
    } else if (/^(!=|<=|>=|=|<|>)/.test(rest)) {
      const op = /^(!=|<=|>=|=|<|>)/.exec(rest)![1] as '=' | '!=' | '<' | '<=' | '>' | '>=';
      tokens.push({ kind: 'op', op });
      i += op.length;
    } else if (c === '$') {
      // Only plain dotted member names: `$.a.b`. Arrays (`[0]`) and wildcards (`*`) are not in the subset.
      const match = /^\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/.exec(rest);
      if (!match || /^[[*]/.test(rest.slice(match[0].length))) {
        fail('unsupported selector');
      }
      tokens.push({ kind: 'selector', path: match![1].slice(1).split('.') });
      i += match![0].length;
    } else if (c === '"') {
      let value = '';
      let j = i + 1;
      for (; j < pattern.length && pattern[j] !== '"'; j += 1) {
        if (pattern[j] === '\\') {
          fail('escape in a string value');
        }
        if (pattern[j] === '*') {
          fail('wildcard in a string value');
        }
        value += pattern[j];
      }
      if (j >= pattern.length) {
        fail('unterminated string');
      }
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else if (/^-?\d/.test(rest)) {
      const match = /^-?\d+(\.\d+)?/.exec(rest)!;
      if (/^[A-Za-z_]/.test(rest.slice(match[0].length))) {
        fail('unsupported number');
      }
      tokens.push({ kind: 'number', value: Number(match[0]) });
      i += match[0].length;
    } else {
      // Unquoted strings, IS NULL, NOT EXISTS, TRUE/FALSE, regular expressions, `%`: not in the subset.
      fail(`unsupported syntax ${JSON.stringify(rest.slice(0, 12))}`);
    }
  }
  return tokens;
}

function parsePattern(pattern: string): Expression {
  const tokens = tokenize(pattern);
  let position = 0;
  const peek = () => tokens[position];
  const fail = (what: string): never => {
    throw new Error(`filter oracle: ${what} at token ${position} of ${JSON.stringify(pattern)}`);
  };
  const expect = (kind: Token['kind']) => {
    if (peek()?.kind !== kind) {
      fail(`expected ${kind}`);
    }
    position += 1;
  };

  // A sequence of terms joined by one operator; mixing && and || without parentheses is refused,
  // since the oracle should not guess at a precedence the patterns do not rely on.
  const parseSequence = (): Expression => {
    const operands = [parseTerm()];
    let joiner: 'and' | 'or' | undefined;
    while (peek()?.kind === 'and' || peek()?.kind === 'or') {
      const kind = peek()!.kind as 'and' | 'or';
      if (joiner !== undefined && joiner !== kind) {
        fail('&& and || mixed without parentheses');
      }
      joiner = kind;
      position += 1;
      operands.push(parseTerm());
    }
    return joiner === undefined ? operands[0] : { kind: joiner, operands };
  };

  const parseTerm = (): Expression => {
    const token = peek();
    if (token?.kind === 'lparen') {
      position += 1;
      const inner = parseSequence();
      expect('rparen');
      return inner;
    }
    if (token?.kind !== 'selector') {
      fail('expected a selector or (');
    }
    position += 1;
    const op = peek();
    if (op?.kind !== 'op') {
      fail('expected a comparison');
    }
    position += 1;
    const value = peek();
    if (value?.kind !== 'number' && value?.kind !== 'string') {
      fail('expected a number or a double-quoted string');
    }
    position += 1;
    const comparison = (op as { op: '=' | '!=' | '<' | '<=' | '>' | '>=' }).op;
    const operand = (value as { value: number | string }).value;
    if (typeof operand === 'string' && comparison !== '=' && comparison !== '!=') {
      fail('strings compare only with = and !=');
    }
    return { kind: 'compare', path: (token as { path: string[] }).path, op: comparison, value: operand };
  };

  expect('open');
  const expression = parseSequence();
  expect('close');
  if (position !== tokens.length) {
    fail('trailing tokens');
  }
  return expression;
}

function select(record: unknown, path: string[]): unknown {
  let current = record;
  for (const name of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.prototype.hasOwnProperty.call(current, name)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

function evaluate(expression: Expression, record: unknown): boolean {
  switch (expression.kind) {
    case 'and':
      return expression.operands.every((operand) => evaluate(operand, record));
    case 'or':
      return expression.operands.some((operand) => evaluate(operand, record));
    case 'compare': {
      const actual = select(record, expression.path);
      if (typeof expression.value === 'number') {
        // A numeric comparison matches a JSON number only.
        if (typeof actual !== 'number') {
          return false;
        }
        const expected = expression.value;
        return { '=': actual === expected, '!=': actual !== expected, '<': actual < expected, '<=': actual <= expected, '>': actual > expected, '>=': actual >= expected }[expression.op];
      }
      // A string comparison matches a JSON string only; a missing field matches neither = nor !=.
      if (typeof actual !== 'string') {
        return false;
      }
      return expression.op === '=' ? actual === expression.value : actual !== expression.value;
    }
  }
}

/** Whether the metric's filter pattern, as rendered for CloudFormation, matches the line. */
function counts(metric: keyof typeof ACCESS_LOG_METRICS, values: LineValues): boolean {
  return evaluate(parsePattern(ACCESS_LOG_METRICS[metric].filterPattern.logPatternString), accessLogRecord(values));
}

// ---------------------------------------------------------------------------------------------

describe('the filter oracle', () => {
  test('evaluates comparisons, || and && with parentheses', () => {
    const record = { status: 401, kind: 'A', nested: { n: 3 } };
    expect(evaluate(parsePattern('{ $.status = 401 }'), record)).toBe(true);
    expect(evaluate(parsePattern('{ $.status != 401 }'), record)).toBe(false);
    expect(evaluate(parsePattern('{ $.status >= 400 && $.status < 500 }'), record)).toBe(true);
    expect(evaluate(parsePattern('{ ($.status = 403) || ($.kind = "A") }'), record)).toBe(true);
    expect(evaluate(parsePattern('{ ($.status = 403) || (($.kind = "A") && ($.nested.n > 3)) }'), record)).toBe(false);
    expect(evaluate(parsePattern('{ $.kind != "B" }'), record)).toBe(true);
  });

  test('evaluates a parenthesised || nested inside an &&, as failedAuthentications renders it', () => {
    const pattern = '{ (($.status = 401) || ($.status = 403)) && ($.kind != "B") }';
    expect(parsePattern(pattern)).toEqual({
      kind: 'and',
      operands: [
        { kind: 'or', operands: [{ kind: 'compare', path: ['status'], op: '=', value: 401 }, { kind: 'compare', path: ['status'], op: '=', value: 403 }] },
        { kind: 'compare', path: ['kind'], op: '!=', value: 'B' },
      ],
    });
    expect(evaluate(parsePattern(pattern), { status: 401, kind: 'A' })).toBe(true);
    expect(evaluate(parsePattern(pattern), { status: 403, kind: 'A' })).toBe(true);
    expect(evaluate(parsePattern(pattern), { status: 403, kind: 'B' })).toBe(false);
    expect(evaluate(parsePattern(pattern), { status: 429, kind: 'A' })).toBe(false);
    // The && binds the whole parenthesised ||, not only its last comparison.
    expect(evaluate(parsePattern(pattern), { status: 401, kind: 'B' })).toBe(false);
  });

  test('compares numbers with numbers and strings with strings only', () => {
    expect(evaluate(parsePattern('{ $.status = 401 }'), { status: '401' })).toBe(false);
    expect(evaluate(parsePattern('{ $.status = "401" }'), { status: 401 })).toBe(false);
    expect(evaluate(parsePattern('{ $.missing != "-" }'), {})).toBe(false);
  });

  test.each([
    '$.status = 401',
    '{ $.status = 401',
    '{ $.status IS NULL }',
    '{ $.kind = A }',
    '{ $.kind = "A*" }',
    '{ $.list[0] = 1 }',
    '{ $.a = 1 && $.b = 2 || $.c = 3 }',
    '{ (($.a = 1) || ($.b = 2) && ($.c = 3) }',
    '{ ($.a = 1)) }',
    '{ $.kind > "A" }',
    '{ %regex% }',
  ])('refuses syntax it does not implement: %s', (pattern) => {
    expect(() => parsePattern(pattern)).toThrow(/filter oracle/);
  });
});

describe('sample access-log lines', () => {
  test('are valid JSON with every key of the template, numbers bare and unset values as "-"', () => {
    const record = accessLogRecord({}) as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(Object.values(ACCESS_LOG_KEYS).sort());
    expect(record.status).toBe(200);
    expect(record.responseLatency).toBe(42);
    expect(record.integrationError).toBe('-');
    expect(record.errorResponseType).toBe('-');
    expect(record.errorMessage).toBe('-');
  });
});

describe('ACCESS_LOG_METRICS filter patterns against sample lines', () => {
  describe('failedAuthentications', () => {
    test.each([
      ['401, no or invalid token', { status: 401, errorResponseType: 'UNAUTHORIZED', errorMessage: 'Unauthorized', authorizerStatus: '401' }],
      ['403, token without the route\'s scope', { status: 403, errorResponseType: 'ACCESS_DENIED', errorMessage: 'User is not authorized to access this resource' }],
      ['403, probing an unknown path', { status: 403, resourcePath: '-', errorResponseType: 'MISSING_AUTHENTICATION_TOKEN', errorMessage: 'Missing Authentication Token' }],
      ['401 the firewall let through', { status: 401, wafResponseCode: 'WAF_ALLOW', errorResponseType: 'UNAUTHORIZED', errorMessage: 'Unauthorized' }],
      ['403 the firewall let through', { status: 403, wafResponseCode: 'WAF_ALLOW', errorResponseType: 'ACCESS_DENIED', errorMessage: 'User is not authorized to access this resource' }],
    ] as Array<[string, LineValues]>)('counts %s', (_name, values) => {
      expect(counts('failedAuthentications', values)).toBe(true);
    });

    // The firewall counts its own blocks (and raises its own attack signal): one flood must not count twice.
    test.each([
      ['403, blocked by the firewall', { status: 403, wafResponseCode: 'WAF_BLOCK', errorResponseType: 'WAF_FILTERED', errorMessage: 'Forbidden' }],
      ['200', { status: 200, integrationStatus: '200', integrationLatency: '35' }],
      ['404 from the backend', { status: 404, integrationStatus: '200' }],
      ['429', { status: 429, errorResponseType: 'THROTTLED', errorMessage: 'Too Many Requests' }],
      ['500', { status: 500, integrationStatus: '200' }],
      ['500 of a failed authorizer', { status: 500, errorResponseType: 'AUTHORIZER_FAILURE', errorMessage: 'Internal server error' }],
    ] as Array<[string, LineValues]>)('does not count %s', (_name, values) => {
      expect(counts('failedAuthentications', values)).toBe(false);
    });

    test('is 401 or 403, and not blocked by the firewall', () => {
      expect(ACCESS_LOG_METRICS.failedAuthentications.filterPattern.logPatternString)
        .toBe('{ (($.status = 401) || ($.status = 403)) && ($.wafResponseCode != "WAF_BLOCK") }');
    });
  });

  describe('throttledRequests', () => {
    test.each([
      ['429 of a throttle', { status: 429, errorResponseType: 'THROTTLED', errorMessage: 'Too Many Requests' }],
      ['429 of an exhausted quota', { status: 429, apiKeyId: 'k1', errorResponseType: 'QUOTA_EXCEEDED', errorMessage: 'Limit Exceeded' }],
    ] as Array<[string, LineValues]>)('counts %s', (_name, values) => {
      expect(counts('throttledRequests', values)).toBe(true);
    });

    test.each([200, 401, 403, 404, 500, 503])('does not count %i', (status) => {
      expect(counts('throttledRequests', { status })).toBe(false);
    });
  });

  describe('integrationErrors', () => {
    test.each([
      ['an INTEGRATION_FAILURE', { status: 504, errorResponseType: 'INTEGRATION_FAILURE', errorMessage: 'Internal server error' }],
      ['an INTEGRATION_TIMEOUT', { status: 504, errorResponseType: 'INTEGRATION_TIMEOUT', errorMessage: 'Endpoint request timed out', integrationLatency: '29000' }],
      ['an integration error message', { status: 502, errorResponseType: 'DEFAULT_5XX', integrationError: 'Lambda.Unknown', errorMessage: 'Internal server error' }],
      ['an integration error message on a line without an error type', { status: 500, integrationError: 'Connection refused' }],
    ] as Array<[string, LineValues]>)('counts %s', (_name, values) => {
      expect(counts('integrationErrors', values)).toBe(true);
    });

    test.each([
      ['a plain 200', { status: 200, integrationStatus: '200', integrationLatency: '35' }],
      ['a 401', { status: 401, errorResponseType: 'UNAUTHORIZED', errorMessage: 'Unauthorized' }],
      ['a 429', { status: 429, errorResponseType: 'THROTTLED', errorMessage: 'Too Many Requests' }],
      ['a 500 the function answered itself', { status: 500, integrationStatus: '200' }],
      ['a 500 of a failed authorizer', { status: 500, errorResponseType: 'AUTHORIZER_FAILURE', errorMessage: 'Internal server error' }],
    ] as Array<[string, LineValues]>)('does not count %s', (_name, values) => {
      expect(counts('integrationErrors', values)).toBe(false);
    });
  });

  describe('authorizerFailures', () => {
    test.each([
      ['an AUTHORIZER_FAILURE (the function failed, timed out or was throttled)', { status: 500, authorizerStatus: '500', errorResponseType: 'AUTHORIZER_FAILURE', errorMessage: 'Internal server error' }],
      ['an AUTHORIZER_CONFIGURATION_ERROR (no valid policy, or no permission to invoke)', { status: 500, errorResponseType: 'AUTHORIZER_CONFIGURATION_ERROR', errorMessage: 'Internal server error' }],
    ] as Array<[string, LineValues]>)('counts %s', (_name, values) => {
      expect(counts('authorizerFailures', values)).toBe(true);
    });

    test.each([
      ['a plain 200', { status: 200, principalId: 'user-1', authorizerStatus: '200', integrationStatus: '200' }],
      ['a 401 the authorizer decided', { status: 401, errorResponseType: 'UNAUTHORIZED', errorMessage: 'Unauthorized', authorizerStatus: '401' }],
      ['a 403 the authorizer decided', { status: 403, errorResponseType: 'ACCESS_DENIED', errorMessage: 'User is not authorized to access this resource' }],
      ['an INTEGRATION_FAILURE', { status: 504, errorResponseType: 'INTEGRATION_FAILURE', errorMessage: 'Internal server error' }],
      ['a 500 the function answered itself', { status: 500, integrationStatus: '200' }],
    ] as Array<[string, LineValues]>)('does not count %s', (_name, values) => {
      expect(counts('authorizerFailures', values)).toBe(false);
    });
  });

  test('every pattern is within the oracle\'s subset and reads keys the access log has', () => {
    const keys = new Set<string>(Object.values(ACCESS_LOG_KEYS));
    for (const spec of Object.values(ACCESS_LOG_METRICS)) {
      const pattern = spec.filterPattern.logPatternString;
      expect(() => parsePattern(pattern)).not.toThrow();
      for (const [selector] of pattern.matchAll(/\$\.[A-Za-z0-9_.]+/g)) {
        expect({ selector, known: keys.has(selector.slice(2)) }).toEqual({ selector, known: true });
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------

function build(props: SecureRestApiProps = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api', props);
  api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
  return { stack, api };
}


const NAMESPACE = 'SecureApi/TestStack-Api-46A8C9EA';

describe('AccessLogMetrics resources', () => {
  test.each([
    ['failedAuthentications', 'FailedAuthentications'],
    ['throttledRequests', 'ThrottledRequests'],
    ['integrationErrors', 'IntegrationErrors'],
    ['authorizerFailures', 'AuthorizerFailures'],
  ] as const)('%s: a metric filter on the access log publishing %s, 1 a match and 0 otherwise, in Count', (name, metricName) => {
    const { stack, api } = build();
    expect(ACCESS_LOG_METRICS[name].metricName).toBe(metricName);
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalId(stack, api.accessLogGroup) },
      FilterPattern: ACCESS_LOG_METRICS[name].filterPattern.logPatternString,
      MetricTransformations: [{
        MetricNamespace: NAMESPACE,
        MetricName: metricName,
        MetricValue: '1',
        DefaultValue: 0,
        Unit: 'Count',
        Dimensions: Match.absent(),
      }],
    });
  });

  test('there is one filter a metric, and no other', () => {
    const { stack } = build();
    Template.fromStack(stack).resourceCountIs('AWS::Logs::MetricFilter', Object.keys(ACCESS_LOG_METRICS).length);
    expect(Object.keys(ACCESS_LOG_METRICS).sort()).toEqual(['authorizerFailures', 'failedAuthentications', 'integrationErrors', 'throttledRequests']);
  });

  test('there is one filter for each AccessLogMetricName, with its value as the metric name', () => {
    expect(Object.values(ACCESS_LOG_METRICS).map((spec) => spec.metricName).sort()).toEqual(Object.values(AccessLogMetricName).sort());
  });

  test('the namespace is SecureApi/<the API\'s unique name>, so two APIs of a stack do not mix', () => {
    const { stack, api } = build();
    const other = new SecureRestApi(stack, 'Other');
    other.addRoute('GET /x', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack, 'OtherHandler')) });
    expect(api.accessLogMetrics.namespace).toBe(NAMESPACE);
    expect(other.accessLogMetrics.namespace).toBe('SecureApi/TestStack-Other-9C685AED');
    const namespaces = Object.values(Template.fromStack(stack).findResources('AWS::Logs::MetricFilter'))
      .map((filter) => filter.Properties.MetricTransformations[0].MetricNamespace);
    expect(new Set(namespaces)).toEqual(new Set([NAMESPACE, 'SecureApi/TestStack-Other-9C685AED']));
  });

  test('the namespace stays within CloudWatch\'s 255 characters for a long construct path', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'A'.repeat(300), { restApiName: 'short-name' });
    expect(api.accessLogMetrics.namespace.startsWith('SecureApi/TestStack-AAAA')).toBe(true);
    expect(api.accessLogMetrics.namespace.length).toBeLessThanOrEqual(255);
  });

  test('the filters stay when alarms are turned off', () => {
    const { stack } = build({ alarms: { enabled: false } });
    Template.fromStack(stack).resourceCountIs('AWS::Logs::MetricFilter', 4);
  });
});

describe('metric helpers', () => {
  test.each([
    ['metricFailedAuthentications', 'FailedAuthentications'],
    ['metricThrottledRequests', 'ThrottledRequests'],
    ['metricIntegrationErrors', 'IntegrationErrors'],
    ['metricAuthorizerFailures', 'AuthorizerFailures'],
  ] as const)('%s is %s in the API\'s namespace, Sum over 1 minute, without dimensions', (method, metricName) => {
    const { api } = build();
    const metric = api[method]();
    expect(metric.namespace).toBe(NAMESPACE);
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toSeconds()).toBe(60);
    expect(metric.dimensions).toBeUndefined();
  });

  test('take MetricOptions over the defaults', () => {
    const { api } = build();
    const metric = api.metricFailedAuthentications({ statistic: cloudwatch.Stats.AVERAGE, period: Duration.minutes(5), label: 'refused' });
    expect(metric.statistic).toBe('Average');
    expect(metric.period.toMinutes()).toBe(5);
    expect(metric.label).toBe('refused');
    expect(metric.namespace).toBe(NAMESPACE);
  });

  test('AccessLogMetrics.metric gives the same metric as the API\'s helper', () => {
    const { api } = build();
    const metric = api.accessLogMetrics.metric(AccessLogMetricName.THROTTLED_REQUESTS);
    expect({ namespace: metric.namespace, name: metric.metricName, statistic: metric.statistic, period: metric.period.toSeconds() })
      .toEqual({ namespace: NAMESPACE, name: 'ThrottledRequests', statistic: 'Sum', period: 60 });
  });

  test('work with alarms turned off', () => {
    const { api } = build({ alarms: { enabled: false } });
    expect(api.metricIntegrationErrors().namespace).toBe(NAMESPACE);
    expect(api.metricAuthorizerFailures().namespace).toBe(NAMESPACE);
  });
});

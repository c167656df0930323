import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ACCESS_LOG_KEYS } from '../../../lambda/shared/constants';
import { ACCESS_LOG_FIELDS, NUMERIC_ACCESS_LOG_KEYS, PREQUOTED_ACCESS_LOG_KEYS, accessLogTemplate, secureAccessLogFormat } from '../../../lib/private/access-log-format';

const CONTEXT_VARIABLE = /\$context\.[A-Za-z0-9_.]*[A-Za-z0-9_]/g;

/** A sample value for a string variable: recognisable, and different for each variable. */
function sampleString(variable: string): string {
  return `sample:${variable.replace('$context.', '')}`;
}

/**
 * Fills the template as API Gateway would: each `$context.*` variable replaced by a value. A
 * variable in quotes gets a sample string; a bare one (a numeric field) gets a number.
 */
function renderSample(template: string): { line: string; numbers: Map<string, number> } {
  const numbers = new Map<string, number>();
  const line = template.replace(CONTEXT_VARIABLE, (variable: string, offset: number) => {
    if (template[offset - 1] === '"') {
      return sampleString(variable);
    }
    if (prequotedVariables.includes(variable)) {
      // API Gateway writes these as a quoted, escaped JSON string of their own.
      return JSON.stringify(`${sampleString(variable)} with "quotes"`);
    }
    const value = 1000 + numbers.size;
    numbers.set(variable, value);
    return String(value);
  });
  return { line, numbers };
}

const prequotedVariables: string[] = PREQUOTED_ACCESS_LOG_KEYS.map((key) => ACCESS_LOG_FIELDS[key]);
const allKeys = Object.values(ACCESS_LOG_KEYS);
const numericKeys = NUMERIC_ACCESS_LOG_KEYS.map((key) => ACCESS_LOG_KEYS[key]);

describe('ACCESS_LOG_FIELDS', () => {
  test('has a field for every key of ACCESS_LOG_KEYS and no other', () => {
    expect(Object.keys(ACCESS_LOG_FIELDS).sort()).toEqual(Object.keys(ACCESS_LOG_KEYS).sort());
  });

  test.each(Object.entries(ACCESS_LOG_FIELDS))('maps %s to exactly one $context variable', (_key, variable) => {
    expect(variable).toMatch(/^\$context\.[A-Za-z]+(\.[A-Za-z]+)*$/);
  });

  test('logs each variable once', () => {
    const variables = Object.values(ACCESS_LOG_FIELDS);
    expect(new Set(variables).size).toBe(variables.length);
  });

  test('takes sourceIp from $context.identity.sourceIp, the address API Gateway saw', () => {
    expect(ACCESS_LOG_FIELDS.sourceIp).toBe('$context.identity.sourceIp');
  });

  test('takes the request ids and status from their $context variables', () => {
    expect(ACCESS_LOG_FIELDS.requestId).toBe('$context.requestId');
    expect(ACCESS_LOG_FIELDS.extendedRequestId).toBe('$context.extendedRequestId');
    expect(ACCESS_LOG_FIELDS.status).toBe('$context.status');
    expect(ACCESS_LOG_FIELDS.wafResponseCode).toBe('$context.wafResponseCode');
  });
});

describe('NUMERIC_ACCESS_LOG_KEYS', () => {
  test('are status, requestTimeEpoch and responseLatency, which API Gateway always sets', () => {
    expect([...NUMERIC_ACCESS_LOG_KEYS].sort()).toEqual(['requestTimeEpoch', 'responseLatency', 'status']);
  });
});

describe('PREQUOTED_ACCESS_LOG_KEYS', () => {
  test('the error message uses $context.error.messageString, written bare because API Gateway quotes and escapes it', () => {
    expect(PREQUOTED_ACCESS_LOG_KEYS).toEqual(['errorMessage']);
    expect(ACCESS_LOG_FIELDS.errorMessage).toBe('$context.error.messageString');
    expect(accessLogTemplate()).toContain('"errorMessage":$context.error.messageString,');
  });
});

describe('accessLogTemplate', () => {
  const template = accessLogTemplate();

  test('ends with the WAF verdict, the client address and the status, after every value a client can shape', () => {
    // A repeated key smuggled into an earlier value would lose to these: JSON parsers keep the last.
    expect(template.endsWith('"wafResponseCode":"$context.wafResponseCode","sourceIp":"$context.identity.sourceIp","status":$context.status}')).toBe(true);
  });

  test('is one line, as CloudWatch Logs needs one JSON object per line', () => {
    expect(template).not.toMatch(/[\r\n]/);
    expect(template.startsWith('{')).toBe(true);
    expect(template.endsWith('}')).toBe(true);
  });

  test('parses as JSON once every $context variable is replaced by a sample value', () => {
    const { line } = renderSample(template);
    expect(line).not.toContain('$context');
    expect(() => JSON.parse(line)).not.toThrow();
  });

  test('has every key of ACCESS_LOG_KEYS and no other', () => {
    const record = JSON.parse(renderSample(template).line) as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual([...allKeys].sort());
  });

  test('writes each key with the value of its own $context variable', () => {
    const { line, numbers } = renderSample(template);
    const record = JSON.parse(line) as Record<string, unknown>;
    for (const [key, variable] of Object.entries(ACCESS_LOG_FIELDS)) {
      const logKey = ACCESS_LOG_KEYS[key as keyof typeof ACCESS_LOG_KEYS];
      const expected = numericKeys.includes(logKey) ? numbers.get(variable)
        : prequotedVariables.includes(variable) ? `${sampleString(variable)} with "quotes"` : sampleString(variable);
      expect({ key: logKey, value: record[logKey] }).toEqual({ key: logKey, value: expected });
    }
  });

  test('writes the numeric keys as bare JSON numbers', () => {
    const record = JSON.parse(renderSample(template).line) as Record<string, unknown>;
    for (const key of numericKeys) {
      expect({ key, type: typeof record[key] }).toEqual({ key, type: 'number' });
      expect(template).toContain(`"${key}":${ACCESS_LOG_FIELDS[key]}`);
    }
  });

  test('writes every other key as a quoted string, since an unset variable prints as "-"', () => {
    const record = JSON.parse(renderSample(template).line) as Record<string, unknown>;
    for (const key of allKeys.filter((k) => !numericKeys.includes(k))) {
      expect({ key, type: typeof record[key] }).toEqual({ key, type: 'string' });
    }
  });

  test('stays valid JSON when every string variable is unset and prints as "-"', () => {
    const line = template.replace(CONTEXT_VARIABLE, (_variable: string, offset: number) => (template[offset - 1] === '"' ? '-' : '200'));
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record[ACCESS_LOG_KEYS.userAgent]).toBe('-');
    expect(record[ACCESS_LOG_KEYS.status]).toBe(200);
  });

  test('takes sourceIp from $context.identity.sourceIp', () => {
    const record = JSON.parse(renderSample(template).line) as Record<string, unknown>;
    expect(record[ACCESS_LOG_KEYS.sourceIp]).toBe(sampleString('$context.identity.sourceIp'));
    expect(template).toContain(`"${ACCESS_LOG_KEYS.sourceIp}":"$context.identity.sourceIp"`);
  });

  test('reads no header a client can forge, such as X-Forwarded-For', () => {
    expect(template.toLowerCase()).not.toContain('x-forwarded-for');
    expect(template.toLowerCase()).not.toContain('forwarded');
    expect(template).not.toMatch(/\$input|\$method|header/i);
    // Every variable is a $context variable: nothing else can be interpolated.
    expect(template.match(/\$[A-Za-z]+/g)?.every((v) => v === '$context')).toBe(true);
  });

  test('holds the request id, which API Gateway requires in a custom access log format', () => {
    expect(template).toContain('"requestId":"$context.requestId"');
  });
});

describe('secureAccessLogFormat', () => {
  test('renders the template', () => {
    expect(secureAccessLogFormat().toString()).toBe(accessLogTemplate());
  });

  test('is accepted by apigw.AccessLogFormat.custom and a Stage, which writes it to the template', () => {
    const stack = new Stack(new App(), 'TestStack');
    const api = new apigw.RestApi(stack, 'Api', {
      cloudWatchRole: false,
      deployOptions: {
        accessLogDestination: new apigw.LogGroupLogDestination(new logs.LogGroup(stack, 'AccessLogs')),
        accessLogFormat: apigw.AccessLogFormat.custom(accessLogTemplate()),
      },
    });
    api.root.addMethod('GET', new apigw.MockIntegration());
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { Format: accessLogTemplate() },
    });
  });

  test('is accepted where a format without a request id is rejected', () => {
    const stack = new Stack(new App(), 'TestStack');
    const destination = new apigw.LogGroupLogDestination(new logs.LogGroup(stack, 'AccessLogs'));
    const stage = (id: string, format: apigw.AccessLogFormat) => {
      const api = new apigw.RestApi(stack, id, { cloudWatchRole: false, deploy: false });
      api.root.addMethod('GET', new apigw.MockIntegration());
      return new apigw.Stage(stack, `${id}Stage`, { deployment: new apigw.Deployment(stack, `${id}Deployment`, { api }), accessLogDestination: destination, accessLogFormat: format });
    };
    expect(() => stage('Secure', secureAccessLogFormat())).not.toThrow();
    expect(() => stage('Bad', apigw.AccessLogFormat.custom('{"status":$context.status}'))).toThrow(/Access log must include either/);
  });
});

import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { JwtExpiredError, JwtInvalidSignatureError, JwtParseError, ParameterValidationError, WaitPeriodNotYetEndedJwkError } from 'aws-jwt-verify/error';
import { AuthorizerEvent, DecisionLog, FaultCounter, UNAUTHORIZED, authorize } from '../../../lambda/jwt-authorizer/authorizer';
import { TokenPolicyError } from '../../../lambda/jwt-authorizer/errors';
import type { TokenVerifier } from '../../../lambda/jwt-authorizer/verifier';
import type { JwtAuthorizerSettings, JwtIssuerSettings, JwtRouteSettings } from '../../../lambda/shared/constants';
import { compilePolicyPlan } from '../../../lambda/shared/routes';
import { CompiledRouteTable as RouteTable } from './compiled-table';
import { policyAllows } from './policy-oracle';

const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1';
const HEADER_B64 = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0';
const PAYLOAD_B64 = 'eyJzdWIiOiJhbGljZSJ9';
const SIGNATURE_B64 = 'c2VjcmV0LXNpZ25hdHVyZS1ieXRlcw';
const TOKEN = `${HEADER_B64}.${PAYLOAD_B64}.${SIGNATURE_B64}`;

const ISSUER: JwtIssuerSettings = {
  issuer: 'https://auth.example.com/',
  audience: ['https://api.example.com'],
  audienceClaim: 'aud',
  jwksUri: 'https://auth.example.com/.well-known/jwks.json',
  scopeClaims: ['scope', 'permissions'],
  groupClaims: ['groups'],
  scopes: ['openid', 'pets/read', 'pets/write'],
  groups: ['admins', 'staff', 'x'],
  requireAccessTokenType: false,
  discovery: false,
  tokenType: 'access',
  requiredClaims: {},
};

const ROUTES: JwtRouteSettings[] = [
  ['GET', '/health'],
  ['GET', '/pets', ['pets/read'], []],
  ['GET', '/pets/{petId}', ['pets/read'], []],
  ['POST', '/pets', ['pets/write'], []],
  ['GET', '/pets/{petId}/admin', [], ['admins']],
];

const SETTINGS: JwtAuthorizerSettings = {
  issuers: [ISSUER],
  plan: compilePolicyPlan(ROUTES),
  limits: { maxTokenBytes: 4096, maxLifetimeSeconds: 3600, clockSkewSeconds: 60, jwksMaxAgeSeconds: 3600, jwksTimeoutMs: 3000, jwksRetrySeconds: 10 },
  metricsNamespace: 'SecureApi/Test',
};

interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Record<string, unknown>;
}

class RecordingLog implements DecisionLog {
  public readonly entries: LogEntry[] = [];

  public debug(message: string, details: Record<string, unknown>): void {
    this.entries.push({ level: 'debug', message, details });
  }

  public info(message: string, details: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, details });
  }

  public warn(message: string, details: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, details });
  }

  public error(message: string, details: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, details });
  }
}

class CountingFaults implements FaultCounter {
  public counted = 0;

  public count(): void {
    this.counted += 1;
  }
}

/** The logs of the current test, and every entry written by earlier tests of this file. */
const logs: RecordingLog[] = [];
const everyEntry: LogEntry[] = [];

afterEach(() => {
  everyEntry.push(...logs.flatMap((log) => log.entries));
  logs.length = 0;
});

function newLog(): RecordingLog {
  const log = new RecordingLog();
  logs.push(log);
  return log;
}

const requestEvent = (authorization: unknown, route = 'GET/pets'): AuthorizerEvent & { type: string } =>
  ({ type: 'REQUEST', methodArn: `${ARN}/${route}`, headers: { Authorization: authorization }, multiValueHeaders: { Authorization: [authorization] } });

const tokenEvent = (authorizationToken: unknown, route = 'GET/pets'): AuthorizerEvent & { type: string } =>
  ({ type: 'TOKEN', methodArn: `${ARN}/${route}`, authorizationToken });

/** The oracle's verdict on a policy the authorizer returned, for a request written `GET/pets/7`. */
function allowedBy(policyDocument: APIGatewayAuthorizerResult['policyDocument'], route: string): boolean {
  return policyAllows(policyDocument as unknown as Parameters<typeof policyAllows>[0], `${ARN}/${route}`);
}

function verifying(payload: Record<string, unknown>, issuer: JwtIssuerSettings = ISSUER): jest.Mock & TokenVerifier {
  return jest.fn(async () => ({ payload, issuer }));
}

function rejecting(value: unknown): jest.Mock & TokenVerifier {
  return jest.fn(async () => {
    throw value;
  });
}

async function decide(event: unknown, verify: TokenVerifier, routes = new RouteTable(ROUTES)) {
  const log = newLog();
  const faults = new CountingFaults();
  const result = await authorize(event as AuthorizerEvent, { settings: SETTINGS, routes, verify, log, faults });
  expect(faults.counted).toBe(0);
  return { result, log };
}

/** Runs a request that must fail: checks it ends in exactly Error('Unauthorized'). */
async function unauthorized(event: unknown, verify: TokenVerifier, routes: RouteTable, faults: FaultCounter): Promise<RecordingLog> {
  const log = newLog();
  let thrown: unknown;
  try {
    await authorize(event as AuthorizerEvent, { settings: SETTINGS, routes, verify, log, faults });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect(Object.getPrototypeOf(thrown)).toBe(Error.prototype);
  expect((thrown as Error).message).toBe(UNAUTHORIZED);
  return log;
}

/** Runs a refused request: Error('Unauthorized'), one info line, no fault counted; returns the logged reason. */
async function refusal(event: unknown, verify: TokenVerifier = verifying({ sub: 'alice' }), routes = new RouteTable(ROUTES)): Promise<{ reason: unknown; log: RecordingLog }> {
  const faults = new CountingFaults();
  const log = await unauthorized(event, verify, routes, faults);
  expect(log.entries).toHaveLength(1);
  expect(log.entries[0]).toMatchObject({ level: 'info', message: 'token refused' });
  expect(faults.counted).toBe(0);
  return { reason: log.entries[0].details.reason, log };
}

/** Runs a request that hits a bug: Error('Unauthorized'), one error line, one fault counted; returns what was logged. */
async function fault(event: unknown, verify: TokenVerifier, routes = new RouteTable(ROUTES)): Promise<Record<string, unknown>> {
  const faults = new CountingFaults();
  const log = await unauthorized(event, verify, routes, faults);
  expect(log.entries).toHaveLength(1);
  expect(log.entries[0]).toMatchObject({ level: 'error', message: 'authorizer fault' });
  expect(faults.counted).toBe(1);
  return log.entries[0].details;
}

test('the message that makes API Gateway answer 401 is Unauthorized', () => {
  expect(UNAUTHORIZED).toBe('Unauthorized');
});

describe('a valid token', () => {
  test('a REQUEST event: the principal, the policy for the caller\'s permissions, and a context of strings', async () => {
    const verify = verifying({ sub: 'alice', scope: 'openid pets/read', groups: ['staff'], azp: 'web-app', email: 'alice@example.com' });
    const { result } = await decide(requestEvent(`Bearer ${TOKEN}`), verify);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledWith(TOKEN);
    expect(result.principalId).toBe('alice');
    expect(result.policyDocument).toEqual(new RouteTable(ROUTES).policyFor(`${ARN}/GET/pets`, { scopes: new Set(['openid', 'pets/read']), groups: new Set(['staff']) }).policyDocument);
    expect(result.context).toEqual({ sub: 'alice', issuer: 'https://auth.example.com/', clientId: 'web-app', scopes: 'openid pets/read', groups: '["staff"]' });
    expect(Object.values(result.context!).every((value) => typeof value === 'string')).toBe(true);
  });

  test('the policy allows the routes the caller may call, whatever route the request is for', async () => {
    const { result } = await decide(requestEvent(`Bearer ${TOKEN}`, 'POST/pets'), verifying({ sub: 'alice', scope: 'pets/read' }));
    const allowed = (route: string) => allowedBy(result.policyDocument, route);
    expect(['GET/pets', 'GET/pets/7', 'POST/pets', 'GET/pets/7/admin', 'GET/health'].filter(allowed)).toEqual(['GET/pets', 'GET/pets/7']);
  });

  test('a TOKEN event is decided like a REQUEST event', async () => {
    const verify = verifying({ sub: 'alice', scope: 'pets/read' });
    const fromToken = await decide(tokenEvent(`Bearer ${TOKEN}`), verify);
    const fromRequest = await decide(requestEvent(`Bearer ${TOKEN}`), verify);
    expect(verify).toHaveBeenNthCalledWith(1, TOKEN);
    expect(fromToken.result).toEqual(fromRequest.result);
  });

  test('a caller without the scopes of any route gets a policy denying everything (403), not Unauthorized (401)', async () => {
    const { result } = await decide(requestEvent(`Bearer ${TOKEN}`), verifying({ sub: 'eve' }));
    expect(result.principalId).toBe('eve');
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${ARN}/*`] }]);
  });

  test.each([
    ['client_id', { client_id: 'machine-1', azp: 'other' }, 'machine-1'],
    ['azp', { azp: 'machine-2', cid: 'other' }, 'machine-2'],
    ['cid', { cid: 'machine-3', appid: 'other' }, 'machine-3'],
    ['appid', { appid: 'machine-4' }, 'machine-4'],
    ['client_id, when sub is empty', { sub: '', client_id: 'machine-5' }, 'machine-5'],
    ['client_id, when sub is not a string', { sub: 7, client_id: 'machine-6' }, 'machine-6'],
  ])('without sub, the principal is the client named by %s', async (_name, payload, principal) => {
    const { result } = await decide(requestEvent(`Bearer ${TOKEN}`), verifying(payload));
    expect(result.principalId).toBe(principal);
    expect(result.context).toMatchObject({ sub: principal, clientId: principal });
  });

  test('sub wins over the client claims', async () => {
    const { result } = await decide(requestEvent(`Bearer ${TOKEN}`), verifying({ sub: 'alice', client_id: 'machine' }));
    expect(result.principalId).toBe('alice');
    expect(result.context).toMatchObject({ sub: 'alice', clientId: 'machine' });
  });

  test('a token naming no client has an empty clientId, no scopes and no groups in its context', async () => {
    const { result } = await decide(requestEvent(`Bearer ${TOKEN}`), verifying({ sub: 'alice' }));
    expect(result.context).toEqual({ sub: 'alice', issuer: 'https://auth.example.com/', clientId: '', scopes: '', groups: '[]' });
  });

  test('scopes and groups come from the claims of the issuer that signed the token', async () => {
    const okta: JwtIssuerSettings = { ...ISSUER, issuer: 'https://okta.example.com', scopeClaims: ['scp'], groupClaims: ['roles'] };
    const { result } = await decide(requestEvent(`Bearer ${TOKEN}`), verifying({ sub: 'bob', scope: 'pets/write', scp: ['pets/read'], groups: ['x'], roles: ['admins'] }, okta));
    expect(result.context).toMatchObject({ issuer: 'https://okta.example.com', scopes: 'pets/read', groups: '["admins"]' });
    expect(allowedBy(result.policyDocument, 'GET/pets/7/admin')).toBe(true);
    expect(allowedBy(result.policyDocument, 'POST/pets')).toBe(false);
  });

  test('an accepted token is logged at debug level only (the access log records each call): subject, issuer and the number of routes allowed', async () => {
    const { log } = await decide(requestEvent(`Bearer ${TOKEN}`), verifying({ sub: 'alice', scope: 'pets/read' }));
    expect(log.entries).toEqual([{ level: 'debug', message: 'token accepted', details: { sub: 'alice', issuer: 'https://auth.example.com/', allowedRoutes: 2 } }]);
  });

  test('routes shadowed by a Deny are logged as a warning, before the decision', async () => {
    const routes = new RouteTable([
      ['GET', '/pets/{id}', ['pets/read'], []],
      ['GET', '/pets/{id}/admin', [], ['admins']],
      ['GET', '/pets/{id}/{sub}/admin', ['pets/read'], []],
    ]);
    const { result, log } = await decide(requestEvent(`Bearer ${TOKEN}`, 'GET/pets/7'), verifying({ sub: 'alice', scope: 'pets/read' }), routes);
    expect(log.entries).toEqual([
      { level: 'warn', message: 'routes refused by a Deny for an overlapping route', details: { sub: 'alice', issuer: 'https://auth.example.com/', allowedRoutes: 2, shadowed: ['GET /pets/{id}/{sub}/admin'] } },
      { level: 'debug', message: 'token accepted', details: { sub: 'alice', issuer: 'https://auth.example.com/', allowedRoutes: 2 } },
    ]);
    expect(allowedBy(result.policyDocument, 'GET/pets/7/x/admin')).toBe(false);
  });
});

describe('every failure is exactly Error(\'Unauthorized\'), with the reason logged', () => {
  test.each([
    ['no Authorization header', { type: 'REQUEST', methodArn: `${ARN}/GET/pets`, headers: {} }],
    ['another scheme', requestEvent(`Basic ${TOKEN}`)],
    ['no scheme', requestEvent(TOKEN)],
    ['two tokens', requestEvent(`Bearer ${TOKEN} ${TOKEN}`)],
    ['a header that is not a string', requestEvent(42)],
    ['a TOKEN event with an empty token', tokenEvent('')],
    ['a TOKEN event with a null token', tokenEvent(null)],
    ['a header over maxTokenBytes', requestEvent(`Bearer ${TOKEN}${'A'.repeat(4096)}`)],
    ['a repeated header', { type: 'REQUEST', methodArn: `${ARN}/GET/pets`, headers: { Authorization: `Bearer ${TOKEN}`, authorization: `Bearer ${TOKEN}` } }],
    ['headers that disagree with multiValueHeaders', { type: 'REQUEST', methodArn: `${ARN}/GET/pets`, headers: { Authorization: `Bearer ${TOKEN}` }, multiValueHeaders: { Authorization: ['Bearer other'] } }],
    ['a null event', null],
    ['an undefined event', undefined],
    ['an empty event', {}],
    ['headers that are a string', { headers: 'nope' }],
  ])('a bad header or event: %s (verify is never called)', async (_name, event) => {
    const verify = verifying({ sub: 'alice', scope: 'pets/read' });
    expect((await refusal(event, verify)).reason).toBe('bad-credentials');
    expect(verify).not.toHaveBeenCalled();
  });

  test('verify rejects with a TokenPolicyError: a refusal', async () => {
    expect((await refusal(requestEvent(`Bearer ${TOKEN}`), rejecting(new TokenPolicyError('the token has no exp claim')))).reason).toBe('token-policy');
  });

  test('an aws-jwt-verify error is refused', async () => {
    await refusal(requestEvent(`Bearer ${TOKEN}`), rejecting(new JwtExpiredError('Token expired at 2024-01-01T00:00:00.000Z', 1704067200)));
    await refusal(requestEvent(`Bearer ${TOKEN}`), rejecting(new WaitPeriodNotYetEndedJwkError('Not allowed to fetch JWKS yet')));
  });

  // The bundle is minified, so class names are single letters in Lambda: each library error maps
  // to a stable reason, so the log tells an expired token from a bad signature or a back-off.
  test.each<[string, Error, string]>([
    ['JwtExpiredError', new JwtExpiredError('Token expired', 1), 'expired'],
    ['JwtInvalidSignatureError', new JwtInvalidSignatureError('Invalid signature'), 'bad-signature'],
    ['WaitPeriodNotYetEndedJwkError', new WaitPeriodNotYetEndedJwkError('Not allowed to fetch JWKS yet'), 'jwks-back-off'],
  ])('a library %s is logged with a stable reason', async (_name, error, reason) => {
    expect((await refusal(requestEvent(`Bearer ${TOKEN}`), rejecting(error))).reason).toBe(reason);
  });

  test('a long error message is logged shortened: messages can quote what an attacker sent', async () => {
    const { log } = await refusal(requestEvent(`Bearer ${TOKEN}`), rejecting(new TokenPolicyError(`Issuer not allowed: ${'x'.repeat(5000)}`)));
    expect(String(log.entries[0].details.detail)).toHaveLength(200);
  });

  test('verify throwing synchronously is refused too', async () => {
    const verify = jest.fn(() => {
      throw new JwtParseError('sync');
    }) as unknown as TokenVerifier;
    expect((await refusal(requestEvent(`Bearer ${TOKEN}`), verify)).reason).toBe('malformed');
  });

  test('the detail of the refusal is the error\'s message', async () => {
    const { log } = await refusal(requestEvent(`Bearer ${TOKEN}`), rejecting(new TokenPolicyError('the token has no exp claim')));
    expect(log.entries[0].details).toEqual({ reason: 'token-policy', detail: 'the token has no exp claim' });
  });


  test.each([
    ['no claims at all', {}],
    ['an empty sub and no client', { sub: '' }],
    ['a sub that is not a string and no client', { sub: 42 }],
    ['client claims that are empty or not strings', { client_id: '', azp: 7, cid: null, appid: ['x'] }],
  ])('a token naming no subject or client: %s', async (_name, payload) => {
    const { reason, log } = await refusal(requestEvent(`Bearer ${TOKEN}`), verifying(payload));
    expect(reason).toBe('no-subject');
    expect(log.entries[0].details.detail).toBe('the token names no subject or client');
  });

  test.each([
    ['missing', { type: 'REQUEST', headers: { Authorization: `Bearer ${TOKEN}` } }],
    ['not execute-api', { type: 'REQUEST', methodArn: 'arn:aws:s3:::bucket', headers: { Authorization: `Bearer ${TOKEN}` } }],
    ['a number', { type: 'TOKEN', methodArn: 42, authorizationToken: `Bearer ${TOKEN}` }],
    ['an ARN of another API with a wildcard', { type: 'TOKEN', methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:*/v1/GET/pets', authorizationToken: `Bearer ${TOKEN}` }],
  ])('a methodArn that is %s', async (_name, event) => {
    expect((await refusal(event, verifying({ sub: 'alice', scope: 'pets/read' }))).reason).toBe('bad-method-arn');
  });

  test.each([
    ['a scope claim that is an array', { sub: 'alice', scope: ['pets/read'] }],
    ['a permissions claim that is a string', { sub: 'alice', permissions: 'pets/write' }],
    ['a group claim holding a number', { sub: 'alice', groups: ['admins', 1] }],
  ])('malformed claims: %s', async (_name, payload) => {
    expect((await refusal(requestEvent(`Bearer ${TOKEN}`), verifying(payload))).reason).toBe('token-policy');
  });
});

describe('a fault (an unexpected exception: a bug) is logged at error level and counted, and still answered Unauthorized', () => {
  test('a TypeError inside verification: logged at error level with its stack, counted as a fault, answered Unauthorized', async () => {
    const verify = jest.fn(async () => {
      const keys = undefined as unknown as { find(): unknown };
      return keys.find() as never;
    }) as unknown as TokenVerifier;
    const details = await fault(requestEvent(`Bearer ${TOKEN}`), verify);
    expect(details).toMatchObject({ reason: 'fault', name: 'TypeError' });
    expect(details.detail).toMatch(/Cannot read properties of undefined/);
    expect(details.stack).toMatch(/^TypeError: Cannot read properties of undefined/);
    expect(details.stack).toContain('authorizer.test.ts');
  });

  test('a TypeError in policy building (after verification) is a fault too, never an Allow', async () => {
    const routes = new RouteTable(ROUTES);
    jest.spyOn(routes, 'policyFor').mockImplementation(() => {
      throw new TypeError('routes is not iterable');
    });
    expect((await fault(requestEvent(`Bearer ${TOKEN}`), verifying({ sub: 'alice', scope: 'pets/read' }), routes)).detail).toBe('routes is not iterable');
  });

  test.each<[string, unknown, string]>([
    ['an Error', new Error('boom'), 'Error'],
    ['a RangeError', new RangeError('Maximum call stack size exceeded'), 'RangeError'],
    ['aws-jwt-verify\'s ParameterValidationError (it was called wrongly)', new ParameterValidationError('issuer must be provided'), 'Error'],
    ['a string', 'boom', 'string'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'object'],
    ['a number', 42, 'number'],
    ['a plain object', { code: 'E' }, 'object'],
    ['an object without a prototype', Object.create(null), 'object'],
    ['a Symbol', Symbol('boom'), 'symbol'],
  ])('verify rejects with %s: a fault', async (_name, value, name) => {
    expect((await fault(requestEvent(`Bearer ${TOKEN}`), rejecting(value))).name).toBe(name);
  });

  test('verify throwing a TypeError synchronously is a fault', async () => {
    const verify = jest.fn(() => {
      throw new TypeError('sync');
    }) as unknown as TokenVerifier;
    expect((await fault(requestEvent(`Bearer ${TOKEN}`), verify)).detail).toBe('sync');
  });

  // Describing the fault never throws in place of Error('Unauthorized'), whatever was thrown.
  test('a thrown value whose fields cannot be read still gives Error(\'Unauthorized\')', async () => {
    const hostile = Object.create(Error.prototype, {
      name: {
        get(): string {
          throw new Error('getter');
        },
      },
    });
    expect(await fault(requestEvent(`Bearer ${TOKEN}`), rejecting(hostile))).toMatchObject({ reason: 'fault', detail: 'unreadable' });
  });

  test('a fault counter that throws still gives Error(\'Unauthorized\'), and the fault is logged', async () => {
    const log = await unauthorized(requestEvent(`Bearer ${TOKEN}`), rejecting(new TypeError('boom')), new RouteTable(ROUTES), {
      count: () => {
        throw new Error('stdout closed');
      },
    });
    expect(log.entries).toEqual([expect.objectContaining({ level: 'error', message: 'authorizer fault' })]);
  });

  test('the token and the header value are redacted from a fault\'s message and stack, which can quote them', async () => {
    const details = await fault(requestEvent(`Bearer ${TOKEN}`), rejecting(new SyntaxError(`Unexpected token in "${TOKEN}" and "${SIGNATURE_B64}"`)));
    expect(details.detail).toBe('Unexpected token in "[redacted]" and "[redacted]"');
    expect(details.stack).toMatch(/^SyntaxError: Unexpected token in "\[redacted\]" and "\[redacted\]"/);
  });
});

test('the log never receives the token, its signature or the header value (every entry of this file)', async () => {
  // A few more decisions, so this test stands on its own when run alone.
  await decide(requestEvent(`Bearer ${TOKEN}`), verifying({ sub: 'alice', scope: 'pets/read' }));
  await refusal(requestEvent(`Basic ${TOKEN}`));
  await refusal(requestEvent(`Bearer ${TOKEN}`), rejecting(new JwtInvalidSignatureError('Invalid signature')));
  await refusal(requestEvent(`Bearer ${TOKEN}`), verifying({}));
  await fault(requestEvent(`Bearer ${TOKEN}`), rejecting(new TypeError(`Cannot read properties of undefined (reading '${TOKEN}', 'Bearer ${TOKEN}')`)));
  const entries = [...everyEntry, ...logs.flatMap((log) => log.entries)];
  expect(entries.filter((entry) => entry.message === 'token accepted').length).toBeGreaterThan(0);
  expect(entries.filter((entry) => entry.message === 'token refused').length).toBeGreaterThan(5);
  expect(entries.filter((entry) => entry.message === 'authorizer fault').length).toBeGreaterThan(5);
  const logged = JSON.stringify(entries, (_key, value) => (typeof value === 'symbol' ? String(value) : value));
  for (const secret of [TOKEN, SIGNATURE_B64, PAYLOAD_B64, HEADER_B64]) {
    expect(logged).not.toContain(secret);
  }
});

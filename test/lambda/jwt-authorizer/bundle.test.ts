/**
 * The JWT authorizer end to end: the construct's settings file and its esbuild bundle, run in a
 * fresh Node.js process against real HTTPS OIDC issuers on localhost with real signed tokens.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { JWT_AUTHORIZER_METRICS, JwtRouteSettings, SETTINGS_FILE } from '../../../lambda/shared/constants';
import { compilePolicyPlan } from '../../../lambda/shared/routes';
import { AudienceClaim, GroupClaim, JwtAuthorizer, JwtAuthorizerType, LambdaRouteIntegration, RouteAuthorization, ScopeClaim, SecureRestApi } from '../../../lib';
import { assetDirOf, bundlingApp, environmentOf, settingsTextOf } from '../../helpers/bundles';
import { inlineFunction } from '../../helpers/stack';
import { HarnessIssuer, OidcHarness, Outcome } from '../../support/oidc-harness';
import { policyAllows } from './policy-oracle';

const API_AUDIENCE = 'https://pets.example.com';
const COGNITO_CLIENT = 'cognito-app-client';
const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1';
const arn = (route: string) => `${ARN}/${route}`;
const UNAUTHORIZED: Outcome = { error: 'Unauthorized' };

let harness: OidcHarness;
let bundle: string;
let settings: string;
const issuers: Record<string, HarnessIssuer> = {};
const issued: string[] = [];

/** Builds the stack a user would, with issuers pointing at the harness, and synthesizes it for real. */
function synthesize(): { bundle: string; settings: string } {
  const app = bundlingApp();
  const stack = new Stack(app, 'AuthStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const api = new SecureRestApi(stack, 'Api');
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    api,
    type: JwtAuthorizerType.REQUEST,
    issuers: [
      { issuer: issuers.auth0.url, audience: [API_AUDIENCE], jwksUri: issuers.auth0.jwksUri, scopeClaims: [ScopeClaim.SCOPE, ScopeClaim.PERMISSIONS], groupClaims: [], scopes: ['pets/read', 'pets/write'] },
      { issuer: issuers.entra.url, audience: [API_AUDIENCE], jwksUri: issuers.entra.jwksUri, scopeClaims: [ScopeClaim.SCP], groupClaims: [GroupClaim.ROLES], scopes: ['pets/read', 'pets/write'], groups: ['admins'] },
      { issuer: issuers.okta.url, audience: [API_AUDIENCE], discovery: true, scopeClaims: [ScopeClaim.SCP], groupClaims: [GroupClaim.GROUPS], scopes: ['pets/read'], groups: ['admins', 'Pet Admins'] },
      { issuer: issuers.cognito.url, audience: [COGNITO_CLIENT], audienceClaim: AudienceClaim.CLIENT_ID, jwksUri: issuers.cognito.jwksUri, scopeClaims: [ScopeClaim.SCOPE], groupClaims: [GroupClaim.COGNITO_GROUPS], scopes: ['pets/read', 'pets/write'], groups: ['admins'] },
      { issuer: issuers.flaky.url, audience: [API_AUDIENCE], jwksUri: issuers.flaky.jwksUri, scopes: ['pets/read'] },
    ],
  });
  const integration = new LambdaRouteIntegration(inlineFunction(stack));
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('uptime checks'), integration });
  api.addRoute('GET /pets', { authorization: jwt.authorize({ scopes: ['pets/read'] }), integration });
  api.addRoute('GET /pets/{petId}', { authorization: jwt.authorize({ scopes: ['pets/read'] }), integration });
  api.addRoute('POST /pets', { authorization: jwt.authorize({ scopes: ['pets/write'] }), integration, requestBodySchema: {} });
  api.addRoute('GET /pets/{petId}/admin', { authorization: jwt.authorize({ groups: ['admins'] }), integration });
  api.addRoute('DELETE /pets/{petId}', { authorization: jwt.authorize({ scopes: ['pets/write'], groups: ['admins'] }), integration });
  api.addRoute('GET /me', { authorization: jwt.authorize(), integration });
  app.synth();
  // The issuers are literal URLs: nothing is left to deploy time, so the environment holds no reference.
  expect(Object.keys(environmentOf(jwt.function))).toEqual(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']);
  return { bundle: path.join(assetDirOf(jwt.function), 'index.js'), settings: settingsTextOf(jwt.function) };
}

/**
 * A copy of the synthesized bundle, with `settings` as its settings file (none when undefined):
 * what Lambda unpacks from the function's asset. Each copy is a fresh module for `require`.
 */
function deployed(settings: string | undefined): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'jwt-authorizer-'));
  for (const file of ['index.js', 'index.js.map']) {
    copyFileSync(path.join(path.dirname(bundle), file), path.join(dir, file));
  }
  if (settings !== undefined) {
    writeFileSync(path.join(dir, SETTINGS_FILE), settings);
  }
  return path.join(dir, 'index.js');
}

/** The environment the function runs with; debug level, so the test sees every line the authorizer can write and checks none holds a token. */
const ENVIRONMENT = { POWERTOOLS_SERVICE_NAME: 'jwt-authorizer', POWERTOOLS_LOG_LEVEL: 'DEBUG' };

/** A fresh cold start of the bundle, with the synthesized settings after `change`. */
async function coldStart(changeLimits: Record<string, number> = {}, change: (settings: any) => void = () => undefined, env: Record<string, string> = {}): Promise<void> {
  const parsed = JSON.parse(settings);
  Object.assign(parsed.limits, changeLimits);
  change(parsed);
  await harness.call('load', { bundle: deployed(JSON.stringify(parsed)), env: { ...ENVIRONMENT, ...env } });
}

async function token(name: string, options: Parameters<OidcHarness['token']>[1] = {}): Promise<string> {
  const value = await harness.token(name, options);
  issued.push(value);
  return value;
}

/** A token an attacker made (see the harness's `forge`). */
async function forge(options: { name: string; kind: string; claims?: Record<string, unknown>; kid?: string }): Promise<string> {
  const value = await harness.call<string>('forge', options);
  issued.push(value);
  return value;
}

const event = (authorization: unknown, route = 'GET/pets') => ({ type: 'REQUEST', methodArn: arn(route), headers: { Authorization: authorization } });
const tokenEvent = (authorizationToken: unknown, route = 'GET/pets') => ({ type: 'TOKEN', methodArn: arn(route), authorizationToken });

async function decide(authorization: string, route = 'GET/pets'): Promise<Outcome> {
  return (await harness.invoke(event(authorization, route)))[0];
}

/** The route table of the stack {@link synthesize} builds, as the construct hands it to the compiler. */
const ROUTE_TABLE: readonly JwtRouteSettings[] = [
  ['GET', '/health'],
  ['GET', '/pets', ['pets/read'], []],
  ['GET', '/pets/{petId}', ['pets/read'], []],
  ['POST', '/pets', ['pets/write'], []],
  ['GET', '/pets/{petId}/admin', [], ['admins']],
  ['DELETE', '/pets/{petId}', ['pets/write'], ['admins']],
  ['GET', '/me', [], []],
];

/** The routes a decision lets the caller reach, out of every route of the API. */
function reachable(outcome: Outcome): string[] {
  if (outcome.error !== undefined) {
    return [];
  }
  return ['GET/pets', 'GET/pets/7', 'POST/pets', 'GET/pets/7/admin', 'DELETE/pets/7', 'GET/me', 'PUT/pets/7']
    .filter((route) => policyAllows(outcome.result.policyDocument, arn(route)));
}

beforeAll(async () => {
  harness = await OidcHarness.start();
  for (const name of ['auth0', 'entra', 'okta', 'cognito', 'flaky', 'rogue']) {
    issuers[name] = await harness.issuer(name, { trailingSlash: name === 'auth0' });
  }
  ({ bundle, settings } = synthesize());
  await coldStart();
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

describe('the bundle', () => {
  test('is one minified file with its source map and the settings file, within the 54 KB budget', () => {
    const dir = path.dirname(bundle);
    expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map', SETTINGS_FILE]);
    // 54 KB: the 50 KB of the first authorizer, plus OIDC discovery with its bounded fetch (issue 14)
    // and the policy planner (issue 11). Module init, what the budget protects, stays within 2x.
    expect(statSync(bundle).size).toBeLessThan(54 * 1024);
  });

  test('runs under the Node.js CI provides for Lambda\'s runtime (HANDLER_NODE), else under the test\'s own', async () => {
    const version = await harness.call<string>('nodeVersion');
    if (process.env.HANDLER_NODE) {
      expect(version).toMatch(/^v24\./);
    } else {
      expect(version).toBe(process.version);
    }
  });

  test('reads its settings from the file next to it: without one it does not start, and says why', async () => {
    const copy = deployed(undefined);
    const file = path.join(path.dirname(copy), SETTINGS_FILE);
    await expect(harness.call('load', { bundle: copy, env: ENVIRONMENT })).rejects.toThrow(`Invalid JWT authorizer settings: the settings file ${file} cannot be read as JSON: Error: ENOENT: no such file or directory, open '${file}'`);
    await expect(harness.call('load', { bundle: deployed('{"issuers":'), env: ENVIRONMENT })).rejects.toThrow(/Invalid JWT authorizer settings: the settings file .*settings\.json cannot be read as JSON: SyntaxError: /);
    await coldStart();
  });

  test('the synthesized settings file holds the plan compiled from every route of the API, the guarded ones with their requirements', () => {
    expect(readFileSync(path.join(path.dirname(bundle), SETTINGS_FILE), 'utf8')).toBe(settings);
    expect(JSON.parse(settings).plan).toEqual(compilePolicyPlan(ROUTE_TABLE));
    expect(JSON.parse(settings)).not.toHaveProperty('routes');
  });
});

describe('valid tokens of each issuer style', () => {
  test('Auth0: `scope` string and `permissions` array, audience in `aud`, issuer with a trailing slash', async () => {
    const outcome = await decide(`Bearer ${await token('auth0', { claims: { sub: 'auth0|alice', aud: [API_AUDIENCE, 'https://tenant.auth0.com/userinfo'], scope: 'openid pets/read', permissions: ['pets/write'] } })}`);
    expect(reachable(outcome)).toEqual(['GET/pets', 'GET/pets/7', 'POST/pets', 'GET/me']);
    expect(outcome.result.principalId).toBe('auth0|alice');
  });

  test('Entra ID: `scp` string and `roles` array', async () => {
    const outcome = await decide(`Bearer ${await token('entra', { claims: { sub: 'entra-bob', aud: API_AUDIENCE, scp: 'pets/read pets/write', roles: ['admins'], azp: 'entra-client' } })}`);
    expect(reachable(outcome)).toEqual(['GET/pets', 'GET/pets/7', 'POST/pets', 'GET/pets/7/admin', 'DELETE/pets/7', 'GET/me']);
    expect(outcome.result.context).toEqual({ sub: 'entra-bob', issuer: issuers.entra.url, clientId: 'entra-client', scopes: 'pets/read pets/write', groups: '["admins"]' });
  });

  test('an issuer with discovery: the authorizer finds its key set in its discovery document, over HTTPS', async () => {
    expect(JSON.parse(settings).issuers.find((issuer: { issuer: string }) => issuer.issuer === issuers.okta.url)).toMatchObject({ discovery: true });
    expect(JSON.parse(settings).issuers.find((issuer: { issuer: string }) => issuer.issuer === issuers.okta.url)).not.toHaveProperty('jwksUri');
    const outcome = await decide(`Bearer ${await token('okta', { claims: { sub: 'dora', aud: API_AUDIENCE, scp: ['pets/read'] } })}`);
    expect(outcome.result.principalId).toBe('dora');
  });

  test('Okta: `scp` array and `groups` array', async () => {
    const outcome = await decide(`Bearer ${await token('okta', { claims: { sub: 'okta-carol', aud: API_AUDIENCE, scp: ['pets/read'], groups: ['admins'], cid: 'okta-client' } })}`);
    expect(reachable(outcome)).toEqual(['GET/pets', 'GET/pets/7', 'GET/pets/7/admin', 'GET/me']);
    expect(outcome.result.context.clientId).toBe('okta-client');
  });

  test('Cognito: audience in `client_id`, `token_use` access, `cognito:groups`', async () => {
    const outcome = await decide(`Bearer ${await token('cognito', { claims: { sub: 'cognito-dan', client_id: COGNITO_CLIENT, token_use: 'access', scope: 'pets/read', 'cognito:groups': ['admins'] } })}`);
    expect(reachable(outcome)).toEqual(['GET/pets', 'GET/pets/7', 'GET/pets/7/admin', 'GET/me']);
  });

  test('a machine token with no `sub` is identified by its client id', async () => {
    const outcome = await decide(`Bearer ${await token('cognito', { omit: ['sub'], claims: { client_id: COGNITO_CLIENT, token_use: 'access', scope: 'pets/write' } })}`);
    expect(outcome.result.principalId).toBe(COGNITO_CLIENT);
    expect(reachable(outcome)).toEqual(['POST/pets', 'GET/me']);
  });

  test('the scheme is case-insensitive and TOKEN events work like REQUEST events', async () => {
    const value = await token('auth0', { claims: { sub: 'alice', aud: API_AUDIENCE, scope: 'pets/read' } });
    const [lower, upper, tokenType] = await harness.invoke(event(`bearer ${value}`), event(`BEARER ${value}`), tokenEvent(`Bearer ${value}`));
    for (const outcome of [lower, upper, tokenType]) {
      expect(reachable(outcome)).toEqual(['GET/pets', 'GET/pets/7', 'GET/me']);
    }
  });

  test('every context value is a string', async () => {
    const outcome = await decide(`Bearer ${await token('okta', { claims: { sub: 's', aud: API_AUDIENCE, scp: ['pets/read'], groups: ['a', 'b'] } })}`);
    expect(Object.values(outcome.result.context).every((value) => typeof value === 'string')).toBe(true);
  });
});

describe('a valid token without the route\'s scope or group is denied (403), not unauthorized (401)', () => {
  test('a token with no scopes reaches only the routes that need none', async () => {
    const outcome = await decide(`Bearer ${await token('auth0', { claims: { sub: 'eve', aud: API_AUDIENCE } })}`, 'POST/pets');
    expect(outcome.error).toBeUndefined();
    expect(reachable(outcome)).toEqual(['GET/me']);
  });

  test('one trusted issuer cannot grant a scope or group that only another declares', async () => {
    // The partner issuer (Okta here) declares pets/read only: its pets/write counts for nothing.
    const outcome = await decide(`Bearer ${await token('okta', { claims: { sub: 'mallory', aud: API_AUDIENCE, scp: ['pets/read', 'pets/write'], groups: ['auditors'] } })}`, 'POST/pets');
    expect(reachable(outcome)).toEqual(['GET/pets', 'GET/pets/7', 'GET/me']);
    expect(outcome.result.context.scopes).toBe('pets/read');
  });

  test('a group name with a space is a group like any other', async () => {
    const outcome = await decide(`Bearer ${await token('okta', { claims: { sub: 'gina', aud: API_AUDIENCE, groups: ['Everyone', 'Pet Admins'] } })}`);
    expect(outcome.result.context.groups).toBe('["Pet Admins"]');
    expect(reachable(outcome)).toEqual(['GET/me']);
  });

  test('a token for an issuer whose routes all need scopes it lacks gets an explicit Deny', async () => {
    const outcome = await decide(`Bearer ${await token('okta', { claims: { sub: 'frank', aud: API_AUDIENCE, scp: ['other/scope'] } })}`);
    expect(reachable(outcome)).toEqual(['GET/me']);
  });
});

describe('caching never over-permits: the policy of the first call holds for every route', () => {
  test('a read token allows reads, and neither writes nor the admin route under a read path', async () => {
    const outcome = await decide(`Bearer ${await token('auth0', { claims: { sub: 'reader', aud: API_AUDIENCE, scope: 'pets/read' } })}`, 'GET/pets/7');
    const statements = outcome.result.policyDocument.Statement;
    expect(statements.flatMap((s: { Resource: string[] }) => s.Resource)).not.toContain(`${ARN}/*`);
    expect(policyAllows(outcome.result.policyDocument, arn('GET/pets'))).toBe(true);
    expect(policyAllows(outcome.result.policyDocument, arn('POST/pets'))).toBe(false);
    // `GET/pets/*` also matches `GET/pets/7/admin`: the policy denies every path below GET /pets/{petId},
    // the admin route and any route added there while the policy is cached.
    expect(policyAllows(outcome.result.policyDocument, arn('GET/pets/7/admin'))).toBe(false);
    expect(statements).toContainEqual({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${ARN}/GET/pets/*/*`] });
    // API Gateway routes a trailing slash to the same resource: that form is denied too.
    expect(policyAllows(outcome.result.policyDocument, arn('GET/pets/7/admin/'))).toBe(false);
  });

  test('the first route called does not narrow the policy: no spurious 403 on the next route', async () => {
    const value = await token('entra', { claims: { sub: 'writer', aud: API_AUDIENCE, scp: 'pets/read pets/write' } });
    const [fromPost, fromGet] = await harness.invoke(event(`Bearer ${value}`, 'POST/pets'), event(`Bearer ${value}`, 'GET/pets/7'));
    expect(reachable(fromPost)).toEqual(reachable(fromGet));
    expect(reachable(fromPost)).toEqual(['GET/pets', 'GET/pets/7', 'POST/pets', 'GET/me']);
  });
});

describe('attacks: each is refused with 401, never allowed and never a crash', () => {
  const refused = async (authorization: unknown) => expect(await harness.invoke(event(authorization))).toEqual([UNAUTHORIZED]);

  test('alg none', async () => {
    await refused(`Bearer ${await forge({ name: 'auth0', kind: 'none', claims: { aud: API_AUDIENCE, scope: 'pets/read' } })}`);
  });

  test('HS256 signed with the issuer\'s public key (algorithm confusion)', async () => {
    await refused(`Bearer ${await forge({ name: 'auth0', kind: 'hs256', claims: { aud: API_AUDIENCE, scope: 'pets/read' } })}`);
  });

  test('a signature by a 1024-bit RSA key, even one the issuer publishes', async () => {
    await refused(`Bearer ${await forge({ name: 'entra', kind: 'weak-rsa', claims: { sub: 'x', aud: API_AUDIENCE, scp: 'pets/read' } })}`);
  });

  test('expired, not yet valid, issued in the future, without exp, and too long-lived', async () => {
    const base = { sub: 'x', aud: API_AUDIENCE, scope: 'pets/read' };
    const now = Math.floor(Date.now() / 1000);
    for (const options of [
      { claims: base, expiresIn: -120 },
      { claims: { ...base, nbf: now + 600 } },
      { claims: { ...base, iat: now + 600 } },
      { claims: base, omit: ['exp'] },
      { claims: base, expiresIn: 2 * 86400 },
    ]) {
      await refused(`Bearer ${await token('auth0', options)}`);
    }
  });

  test('a wrong audience, an untrusted issuer, and an untrusted issuer claiming a trusted `iss`', async () => {
    await refused(`Bearer ${await token('auth0', { claims: { sub: 'x', aud: 'https://other-api.example.com', scope: 'pets/read' } })}`);
    await refused(`Bearer ${await token('rogue', { claims: { sub: 'x', aud: API_AUDIENCE, scope: 'pets/read' } })}`);
    await refused(`Bearer ${await token('rogue', { claims: { sub: 'x', aud: API_AUDIENCE, scope: 'pets/read', iss: issuers.auth0.url } })}`);
    await refused(`Bearer ${await token('cognito', { claims: { sub: 'x', client_id: 'another-client', token_use: 'access', scope: 'pets/read' } })}`);
  });

  test('an ID token used as an access token', async () => {
    await refused(`Bearer ${await token('auth0', { claims: { sub: 'x', aud: API_AUDIENCE, nonce: 'n-1', scope: 'pets/read' } })}`);
    await refused(`Bearer ${await token('cognito', { claims: { sub: 'x', aud: COGNITO_CLIENT, client_id: COGNITO_CLIENT, token_use: 'id', 'cognito:groups': ['admins'] } })}`);
    await refused(`Bearer ${await token('entra', { claims: { sub: 'x', aud: API_AUDIENCE, at_hash: 'abc', roles: ['admins'] } })}`);
  });

  test('a payload changed after signing (a scope added) with the original signature', async () => {
    const [header, payload, signature] = (await token('auth0', { claims: { sub: 'x', aud: API_AUDIENCE, scope: 'pets/read' } })).split('.');
    const raised = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), scope: 'pets/read pets/write' };
    await refused(`Bearer ${header}.${Buffer.from(JSON.stringify(raised)).toString('base64url')}.${signature}`);
  });

  test('a crit header', async () => {
    await refused(`Bearer ${await forge({ name: 'auth0', kind: 'crit', claims: { sub: 'x', aud: API_AUDIENCE, scope: 'pets/read' } })}`);
  });

  test('scope and group spoofing: unread claims, other letter case, prefixes, malformed claims', async () => {
    const spoofs = [
      { sub: 'x', aud: API_AUDIENCE, scp: 'pets/write' }, // this issuer's scopes are in `scope` and `permissions` only
      { sub: 'x', aud: API_AUDIENCE, scope: 'Pets/Write pets/writer pets/write/extra' },
      { sub: 'x', aud: API_AUDIENCE, groups: ['admins'], roles: ['admins'] }, // and it reads no group claims
    ];
    for (const claims of spoofs) {
      expect(reachable(await decide(`Bearer ${await token('auth0', { claims })}`))).toEqual(['GET/me']);
    }
    expect(reachable(await decide(`Bearer ${await token('entra', { claims: { sub: 'x', aud: API_AUDIENCE, roles: ['Admins'] } })}`))).toEqual(['GET/me']);
    await refused(`Bearer ${await token('okta', { claims: { sub: 'x', aud: API_AUDIENCE, scp: ['pets/read', 7] } })}`);
    await refused(`Bearer ${await token('auth0', { claims: { sub: 'x', aud: API_AUDIENCE, scope: ['pets/read'] } })}`);
  });

  test('oversized and malformed tokens', async () => {
    const valid = await token('auth0', { claims: { sub: 'x', aud: API_AUDIENCE, scope: 'pets/read' } });
    await refused(`Bearer ${valid}${'A'.repeat(9000)}`);
    for (const malformed of ['abc', 'a.b.c', 'e30.e30.', `${valid.split('.')[0]}.bm90IGpzb24.sig`, `${valid}.extra`, valid.split('.').slice(0, 2).join('.')]) {
      await refused(`Bearer ${malformed}`);
    }
  });

  test('bad Bearer forms and missing or repeated headers', async () => {
    const valid = await token('auth0', { claims: { sub: 'x', aud: API_AUDIENCE, scope: 'pets/read' } });
    for (const value of [valid, `Basic ${valid}`, `Bearer ${valid} ${valid}`, `Bearer`, `Bearer${valid}`, ` Bearer ${valid}`, `Bearer ${valid} `, `Bearer\t${valid}`, '', 42, null, undefined]) {
      await refused(value);
    }
    const repeated = { type: 'REQUEST', methodArn: arn('GET/pets'), headers: { Authorization: `Bearer ${valid}`, authorization: `Bearer ${valid}` } };
    const multi = { type: 'REQUEST', methodArn: arn('GET/pets'), headers: { Authorization: `Bearer ${valid}` }, multiValueHeaders: { Authorization: [`Bearer ${valid}`, 'Bearer other'] } };
    expect(await harness.invoke(repeated, multi)).toEqual([UNAUTHORIZED, UNAUTHORIZED]);
  });

  test('events that are not authorizer events', async () => {
    const valid = await token('auth0', { claims: { sub: 'x', aud: API_AUDIENCE, scope: 'pets/read' } });
    expect(await harness.invoke(null, {}, { headers: 'nope' }, { ...event(`Bearer ${valid}`), methodArn: 'arn:aws:s3:::bucket' })).toEqual([UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED]);
  });
});

describe('signing keys', () => {
  test('20 concurrent cold requests fetch the key set once', async () => {
    await coldStart();
    const before = await harness.call<Record<string, number>>('fetches');
    const value = await token('okta', { claims: { sub: 'x', aud: API_AUDIENCE, scp: ['pets/read'] } });
    const outcomes = await harness.invoke(...Array.from({ length: 20 }, () => event(`Bearer ${value}`)));
    expect(outcomes.every((outcome) => outcome.result?.principalId === 'x')).toBe(true);
    const after = await harness.call<Record<string, number>>('fetches');
    expect(after.okta - before.okta).toBe(1);
  });

  test('a flood of tokens with unknown key ids causes at most one extra fetch', async () => {
    await coldStart();
    await decide(`Bearer ${await token('entra', { claims: { sub: 'x', aud: API_AUDIENCE } })}`);
    const before = await harness.call<Record<string, number>>('fetches');
    const forged = await Promise.all(Array.from({ length: 50 }, (_, i) => forge({ name: 'entra', kind: 'foreign-key', kid: `unknown-${i}`, claims: { sub: 'x', aud: API_AUDIENCE } })));
    const outcomes = await harness.invoke(...forged.map((value) => event(`Bearer ${value}`)));
    expect(outcomes.every((outcome) => outcome.error === 'Unauthorized')).toBe(true);
    const after = await harness.call<Record<string, number>>('fetches');
    expect(after.entra - before.entra).toBeLessThanOrEqual(1);
  });

  test('a rotated-in key is picked up, once', async () => {
    await harness.call('rotate', { name: 'okta', kid: 'okta-k2' });
    const value = await token('okta', { kid: 'okta-k2', claims: { sub: 'x', aud: API_AUDIENCE, scp: ['pets/read'] } });
    expect(reachable(await decide(`Bearer ${value}`))).toContain('GET/pets');
  });

  test.each(['down', 'error', 'garbage', 'slow'])('a key set endpoint that is %s: every request refused, fetches rate-limited', async (mode) => {
    await coldStart({ jwksTimeoutMs: 500 });
    await harness.call('jwks', { name: 'flaky', mode });
    try {
      const before = await harness.call<Record<string, number>>('fetches');
      const value = await token('flaky', { claims: { sub: 'x', aud: API_AUDIENCE, scope: 'pets/read' } });
      const started = Date.now();
      const burst = await harness.invoke(...Array.from({ length: 20 }, () => event(`Bearer ${value}`)));
      const later = await harness.invoke(...Array.from({ length: 20 }, () => event(`Bearer ${value}`)));
      expect([...burst, ...later].every((outcome) => outcome.error === 'Unauthorized')).toBe(true);
      expect(Date.now() - started).toBeLessThan(3000);
      const after = await harness.call<Record<string, number>>('fetches');
      expect(after.flaky - before.flaky).toBe(1);
    } finally {
      await harness.call('jwks', { name: 'flaky', mode: 'ok' });
    }
  });

  test('keys are fetched again after their maximum age', async () => {
    await coldStart({ jwksMaxAgeSeconds: 1 });
    const value = await token('cognito', { claims: { sub: 'x', client_id: COGNITO_CLIENT, token_use: 'access', scope: 'pets/read' } });
    const before = await harness.call<Record<string, number>>('fetches');
    await decide(`Bearer ${value}`);
    await decide(`Bearer ${value}`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(reachable(await decide(`Bearer ${value}`))).toContain('GET/pets');
    const after = await harness.call<Record<string, number>>('fetches');
    expect(after.cognito - before.cognito).toBe(2);
  });
});

describe('the settings file at scale, and values known only at deploy time', () => {
  afterAll(async () => {
    await coldStart();
  });

  test('a Cognito issuer and app client known only at deploy time come from the environment variables the file refers to', async () => {
    await coldStart({}, (parsed) => {
      const cognito = parsed.issuers.find((issuer: any) => issuer.audienceClaim === 'client_id');
      Object.assign(cognito, { issuer: { $env: 'SECURE_API_SETTING_1' }, jwksUri: { $env: 'SECURE_API_SETTING_2' }, audience: [{ $env: 'SECURE_API_SETTING_3' }] });
    }, { SECURE_API_SETTING_1: issuers.cognito.url, SECURE_API_SETTING_2: issuers.cognito.jwksUri, SECURE_API_SETTING_3: COGNITO_CLIENT });
    const outcome = await decide(`Bearer ${await token('cognito', { claims: { sub: 'cognito-ref', client_id: COGNITO_CLIENT, token_use: 'access', scope: 'pets/read' } })}`);
    expect(reachable(outcome)).toEqual(['GET/pets', 'GET/pets/7', 'GET/me']);
  });

  test('a settings file of 1,000 routes is read and checked at cold start, and decides', async () => {
    const plan = compilePolicyPlan([...ROUTE_TABLE, ...Array.from({ length: 1000 }, (_, i): JwtRouteSettings => ['GET', `/resource-${i}/{id}`, ['pets/read'], []])]);
    await coldStart({}, (parsed) => {
      parsed.plan = plan;
    });
    const outcome = await decide(`Bearer ${await token('auth0', { claims: { sub: 'reader', aud: API_AUDIENCE, scope: 'pets/read' } })}`, 'GET/resource-999/7');
    expect(policyAllows(outcome.result.policyDocument, arn('GET/resource-999/7'))).toBe(true);
    expect(policyAllows(outcome.result.policyDocument, arn('POST/pets'))).toBe(false);
    // One index out of range among the thousand routes' reach: the function does not start.
    const parsed = JSON.parse(settings);
    parsed.plan = { ...plan, belowDenyHits: plan.belowDenyHits.map((hits, i) => (i === 1004 ? [plan.routes.length] : hits)) };
    await expect(harness.call('load', { bundle: deployed(JSON.stringify(parsed)), env: ENVIRONMENT }))
      .rejects.toThrow(`Invalid JWT authorizer settings: \`plan.belowDenyHits[1004][0]\` must be an index from 0 to ${plan.routes.length - 1}, got ${plan.routes.length}`);
  });
});

test('the minified bundle logs each refusal with a stable reason', () => {
  const reasons = new Set(harness.stdout.split('\n').filter((line) => line.includes('token refused')).map((line) => JSON.parse(line).reason));
  for (const reason of ['expired', 'not-yet-valid', 'wrong-audience', 'bad-signature', 'malformed', 'unknown-kid', 'jwks-unavailable', 'jwks-invalid', 'bad-credentials', 'token-policy']) {
    expect(reasons).toContain(reason);
  }
});

test('no token ever appears in the authorizer\'s logs', () => {
  expect(issued.length).toBeGreaterThan(30);
  expect(harness.stdout).toContain('token accepted');
  expect(harness.stdout).toContain('token refused');
  for (const value of issued) {
    // The signature, or the payload of an unsigned token: what identifies the token.
    const [, payload, signature] = value.split('.');
    expect(harness.stdout).not.toContain(signature || payload);
  }
});

test('refusals are not faults: the bundle logged no fault and wrote no fault metric', () => {
  expect(harness.stdout).toContain('token refused');
  for (const output of [harness.stdout, harness.stderr]) {
    expect(output).not.toContain('authorizer fault');
    expect(output).not.toContain(JWT_AUTHORIZER_METRICS.faults);
  }
});

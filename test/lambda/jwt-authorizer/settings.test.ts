import { SettingsError } from '../../../lambda/jwt-authorizer/errors';
import { readSettings } from '../../../lambda/jwt-authorizer/settings';
import { compilePolicyPlan } from '../../../lambda/shared/routes';
import { errorOf, settingsErrorMessage } from '../../helpers/errors';
import { settingsFileWith } from '../../helpers/settings-files';

/** Reads settings as the handler does at cold start: from a settings file holding `json` (none when undefined). */
const parseSettings = (json: string | undefined, env: Record<string, string> = {}) => readSettings(settingsFileWith(json), env);

const PREFIX = 'Invalid JWT authorizer settings: ';

/** Settings as the construct writes them. */
function valid(): Record<string, any> {
  return {
    issuers: [
      {
        issuer: 'https://auth.example.com/',
        audience: ['https://api.example.com'],
        audienceClaim: 'aud',
        jwksUri: 'https://auth.example.com/.well-known/jwks.json',
        scopeClaims: ['scope', 'permissions'],
        groupClaims: [],
        scopes: ['pets/read', 'pets/write'],
        groups: [],
        requireAccessTokenType: true,
        discovery: false,
        tokenType: 'access',
        requiredClaims: { tid: 'tenant-1' },
      },
      {
        issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
        audience: ['client-1'],
        audienceClaim: 'client_id',
        jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json',
        scopeClaims: ['scope'],
        groupClaims: ['cognito:groups'],
        scopes: ['pets/read'],
        groups: ['admins'],
        requireAccessTokenType: false,
        discovery: false,
        tokenType: 'cognito-access',
        requiredClaims: {},
      },
    ],
    // compilePolicyPlan of GET /health (public), ANY /{proxy+} (admins), GET /pets and GET /pets/{petId}
    // (pets/read), DELETE /pets/{petId} (pets/write and admins), GET /pets/{petId}/photos (pets/read).
    plan: {
      scopes: ['pets/read', 'pets/write'],
      groups: ['admins'],
      routes: [
        ['/{proxy+}', '*/*', [], [0]],
        ['/pets', 'GET/pets', [0], []],
        ['/pets/{petId}', 'GET/pets/*', [0], []],
        ['/pets/{petId}', 'DELETE/pets/*', [1], [0]],
        ['/pets/{petId}/photos', 'GET/pets/*/photos', [0], []],
      ],
      reachers: [[2, 3, 4], [0, 2], [0], [0], [0, 2]],
      ownDenyHits: [[1, 2, 3, 4], [], [0, 4], [0], [0]],
      belowDenyHits: [null, null, [0, 4], [0], null],
      narrowings: [
        [[[0, [0, 4]], [2, [0, 4]]], [[2, [0]]], []],
        [],
        [[[0, [0, 2, 3, 4]], [2, [0, 2, 3, 4]]]],
        [[[0, [0, 2, 3, 4]], [2, [0, 2, 3, 4]]]],
        [[[0, [0, 2, 3, 4]], [2, [0, 2, 3, 4]]], [[0, [0, 4]], [2, [0, 4]]]],
      ],
      groupCandidates: [[1, [2, 4], [0, 1, 2, 4]]],
    },
    limits: { maxTokenBytes: 8192, maxLifetimeSeconds: 86400, clockSkewSeconds: 60, jwksMaxAgeSeconds: 3600, jwksTimeoutMs: 3000, jwksRetrySeconds: 10 },
    metricsNamespace: 'SecureApi/Test',
  };
}

/** The message of the SettingsError for the valid settings after `change`, without the prefix. */
function messageFor(change: (settings: Record<string, any>) => void): string {
  return settingsErrorMessage(SettingsError, parseSettings, PREFIX, valid(), change);
}

describe('parseSettings: valid settings', () => {
  test('returns the issuers, plan and limits the construct wrote', () => {
    expect(parseSettings(JSON.stringify(valid()))).toEqual(valid());
  });

  test('the plan in valid() is the one the compiler makes for its routes', () => {
    expect(compilePolicyPlan([
      ['GET', '/health'],
      ['ANY', '/{proxy+}', [], ['admins']],
      ['GET', '/pets', ['pets/read'], []],
      ['GET', '/pets/{petId}', ['pets/read'], []],
      ['DELETE', '/pets/{petId}', ['pets/write'], ['admins']],
      ['GET', '/pets/{petId}/photos', ['pets/read'], []],
    ])).toEqual(valid().plan);
  });

  test('drops keys it does not know', () => {
    const settings = valid();
    settings.extra = 'x';
    settings.issuers[0].unknown = 'y';
    settings.plan.unknown = 'z';
    const parsed = parseSettings(JSON.stringify(settings).replace('"plan":{', '"plan":{"__proto__":{"polluted":true},'));
    expect(parsed).not.toHaveProperty('extra');
    expect(parsed.issuers[0]).not.toHaveProperty('unknown');
    expect(parsed.plan).not.toHaveProperty('unknown');
    expect(Object.keys(parsed.plan)).not.toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('requireAccessTokenType must be a boolean: nothing is guessed', () => {
    for (const value of [undefined, 'true', 1]) {
      const settings = valid();
      settings.issuers[0].requireAccessTokenType = value;
      expect(() => parseSettings(JSON.stringify(settings))).toThrow('Invalid JWT authorizer settings: `issuers[0].requireAccessTokenType` must be true or false');
    }
  });

  test('an issuer listed twice', () => {
    const twice = valid();
    twice.issuers.push({ ...twice.issuers[0] });
    expect(() => parseSettings(JSON.stringify(twice))).toThrow(`\`issuers[${twice.issuers.length - 1}].issuer\` repeats an earlier issuer`);
  });

  test('clockSkewSeconds may be 0', () => {
    const settings = valid();
    settings.limits.clockSkewSeconds = 0;
    expect(parseSettings(JSON.stringify(settings)).limits.clockSkewSeconds).toBe(0);
  });

  test('a Cognito issuer and its app client, known only at deploy time, come from the environment variables their references name', () => {
    const settings = valid();
    const cognito = settings.issuers[1];
    settings.issuers[1] = { ...cognito, issuer: { $env: 'SECURE_API_SETTING_2' }, jwksUri: { $env: 'SECURE_API_SETTING_3' }, audience: [{ $env: 'SECURE_API_SETTING_1' }] };
    const parsed = parseSettings(JSON.stringify(settings), {
      SECURE_API_SETTING_1: 'client-1',
      SECURE_API_SETTING_2: cognito.issuer,
      SECURE_API_SETTING_3: cognito.jwksUri,
    });
    expect(parsed).toEqual(valid());
  });

  test('a deploy-time issuer is checked like any other: https only', () => {
    const settings = valid();
    settings.issuers[1].issuer = { $env: 'SECURE_API_SETTING_1' };
    expect(errorOf(SettingsError, () => parseSettings(JSON.stringify(settings), { SECURE_API_SETTING_1: 'http://cognito-idp.eu-west-1.amazonaws.com/x' })).message)
      .toBe(`${PREFIX}\`issuers[1].issuer\` must be an https:// URL`);
  });

  test('the plan of 1,000 routes is read and checked', () => {
    const settings = valid();
    settings.plan = compilePolicyPlan(Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? ['GET', `/resource-${i}`] : ['GET', `/resource-${i}/{id}`, ['pets/read'], i % 3 === 1 ? [] : ['admins']])));
    const parsed = parseSettings(JSON.stringify(settings));
    expect(parsed.plan.routes).toHaveLength(666);
    expect(parsed.plan.routes[665]).toEqual(['/resource-998/{id}', 'GET/resource-998/*', [0], [0]]);
    settings.plan.reachers[665] = [666];
    expect(errorOf(SettingsError, () => parseSettings(JSON.stringify(settings))).message).toBe(`${PREFIX}\`plan.reachers[665][0]\` must be an index from 0 to 665, got 666`);
  });

  test('the plan may have no route', () => {
    const settings = valid();
    settings.plan = compilePolicyPlan([['GET', '/health']]);
    expect(parseSettings(JSON.stringify(settings)).plan).toEqual({ scopes: [], groups: [], routes: [], reachers: [], ownDenyHits: [], belowDenyHits: [], narrowings: [], groupCandidates: [] });
  });
});

describe('readSettings: each error', () => {
  test('no settings file next to the handler', () => {
    const file = settingsFileWith(undefined);
    expect(errorOf(SettingsError, () => readSettings(file, {})).message).toBe(`${PREFIX}the settings file ${file} cannot be read as JSON: Error: ENOENT: no such file or directory, open '${file}'`);
  });

  test.each(['', '{', 'not json', "{'issuers': []}", '{"issuers": [],}'])('the file is not JSON: %s', (json) => {
    const file = settingsFileWith(json);
    expect(errorOf(SettingsError, () => readSettings(file, {})).message.startsWith(`${PREFIX}the settings file ${file} cannot be read as JSON: `)).toBe(true);
  });

  test('an issuer that refers to an environment variable that is not set', () => {
    const settings = valid();
    settings.issuers[1].issuer = { $env: 'SECURE_API_SETTING_1' };
    expect(errorOf(SettingsError, () => parseSettings(JSON.stringify(settings))).message)
      .toBe(`${PREFIX}the environment variable SECURE_API_SETTING_1 is not set`);
  });

  test.each(['null', '[]', '"settings"', '42', 'true'])('the settings are %s, not an object', (json) => {
    expect(errorOf(SettingsError, () => parseSettings(json)).message).toBe(`${PREFIX}\`settings\` must be an object`);
  });

  test.each<[string, (s: Record<string, any>) => void, string]>([
    // issuers
    ['issuers missing', (s) => delete s.issuers, '`issuers` must be an array'],
    ['issuers an object', (s) => { s.issuers = { 0: s.issuers[0] }; }, '`issuers` must be an array'],
    ['issuers empty', (s) => { s.issuers = []; }, '`issuers` is empty'],
    ['an issuer null', (s) => { s.issuers[1] = null; }, '`issuers[1]` must be an object'],
    ['an issuer an array', (s) => { s.issuers[0] = []; }, '`issuers[0]` must be an object'],
    ['audience missing', (s) => delete s.issuers[0].audience, '`issuers[0].audience` must be an array'],
    ['audience a string', (s) => { s.issuers[0].audience = 'https://api.example.com'; }, '`issuers[0].audience` must be an array'],
    ['audience empty', (s) => { s.issuers[1].audience = []; }, '`issuers[1].audience` is empty'],
    ['an audience empty', (s) => { s.issuers[0].audience = ['a', '']; }, '`issuers[0].audience[1]` must be a non-empty string'],
    ['an audience a number', (s) => { s.issuers[0].audience = [7]; }, '`issuers[0].audience[0]` must be a non-empty string'],
    ['issuer missing', (s) => delete s.issuers[0].issuer, '`issuers[0].issuer` must be a non-empty string'],
    ['issuer http', (s) => { s.issuers[0].issuer = 'http://auth.example.com/'; }, '`issuers[0].issuer` must be an https:// URL'],
    ['issuer in upper case', (s) => { s.issuers[0].issuer = 'HTTPS://auth.example.com/'; }, '`issuers[0].issuer` must be an https:// URL'],
    ['audienceClaim missing', (s) => delete s.issuers[0].audienceClaim, '`issuers[0].audienceClaim` must be one of aud, client_id'],
    ['audienceClaim unknown', (s) => { s.issuers[1].audienceClaim = 'azp'; }, '`issuers[1].audienceClaim` must be one of aud, client_id'],
    ['jwksUri empty', (s) => { s.issuers[0].jwksUri = ''; }, '`issuers[0].jwksUri` must be a non-empty string'],
    ['jwksUri http', (s) => { s.issuers[0].jwksUri = 'http://auth.example.com/jwks'; }, '`issuers[0].jwksUri` must be an https:// URL'],
    ['scopeClaims missing', (s) => delete s.issuers[0].scopeClaims, '`issuers[0].scopeClaims` must be an array'],
    ['a scopeClaim empty', (s) => { s.issuers[0].scopeClaims = ['scope', '']; }, '`issuers[0].scopeClaims[1]` must be a non-empty string'],
    ['a scopeClaim unknown', (s) => { s.issuers[0].scopeClaims = ['scope', 'roles']; }, '`issuers[0].scopeClaims[1]` must be one of scope, scp, permissions'],
    ['groupClaims missing', (s) => delete s.issuers[1].groupClaims, '`issuers[1].groupClaims` must be an array'],
    ['declared scopes missing', (s) => delete s.issuers[0].scopes, '`issuers[0].scopes` must be an array'],
    ['a declared group empty', (s) => { s.issuers[1].groups = ['admins', '']; }, '`issuers[1].groups[1]` must be a non-empty string'],
    ['a groupClaim a number', (s) => { s.issuers[1].groupClaims = [1]; }, '`issuers[1].groupClaims[0]` must be a non-empty string'],
    ['a groupClaim unknown', (s) => { s.issuers[1].groupClaims = ['scope']; }, '`issuers[1].groupClaims[0]` must be one of cognito:groups, groups, roles'],
    // the plan
    ['plan missing', (s) => delete s.plan, '`plan` must be an object'],
    ['plan an array', (s) => { s.plan = []; }, '`plan` must be an object'],
    ['plan scopes missing', (s) => delete s.plan.scopes, '`plan.scopes` must be an array'],
    ['a plan scope empty', (s) => { s.plan.scopes[1] = ''; }, '`plan.scopes[1]` must be a non-empty string'],
    ['a plan group a number', (s) => { s.plan.groups[0] = 1; }, '`plan.groups[0]` must be a non-empty string'],
    ['plan routes an object', (s) => { s.plan.routes = {}; }, '`plan.routes` must be an array'],
    ['a plan route an object', (s) => { s.plan.routes[1] = { path: '/pets' }; }, '`plan.routes[1]` must be an array'],
    ['a plan route of 3 entries', (s) => { s.plan.routes[1].pop(); }, '`plan.routes[1]` must have 4 entries, got 3'],
    ['a plan route of 5 entries', (s) => { s.plan.routes[1].push([]); }, '`plan.routes[1]` must have 4 entries, got 5'],
    ['a route path a number', (s) => { s.plan.routes[0][0] = 7; }, '`plan.routes[0][0]` must be a non-empty string'],
    ['a route path without a leading slash', (s) => { s.plan.routes[0][0] = 'pets'; }, '`plan.routes[0]` must be a path starting with \'/\' and an ARN pattern with a method'],
    ['a route ARN pattern without a method', (s) => { s.plan.routes[0][1] = '*'; }, '`plan.routes[0]` must be a path starting with \'/\' and an ARN pattern with a method'],
    ['a route ARN pattern empty', (s) => { s.plan.routes[2][1] = ''; }, '`plan.routes[2][1]` must be a non-empty string'],
    ['a route scope past the scopes', (s) => { s.plan.routes[1][2] = [2]; }, '`plan.routes[1][2][0]` must be an index from 0 to 1, got 2'],
    ['a route scope a name', (s) => { s.plan.routes[1][2] = ['pets/read']; }, '`plan.routes[1][2][0]` must be an index from 0 to 1, got "pets/read"'],
    ['a route group negative', (s) => { s.plan.routes[3][3] = [0, -1]; }, '`plan.routes[3][3][1]` must be an index from 0 to 0, got -1'],
    ['a route group a fraction', (s) => { s.plan.routes[3][3] = [0.5]; }, '`plan.routes[3][3][0]` must be an index from 0 to 0, got 0.5'],
    ['route groups null', (s) => { s.plan.routes[3][3] = null; }, '`plan.routes[3][3]` must be an array'],
    ['reachers missing', (s) => delete s.plan.reachers, '`plan.reachers` must be an array'],
    ['reachers for fewer routes', (s) => { s.plan.reachers.pop(); }, '`plan.reachers` must have one entry per route (5), got 4'],
    ['a reacher past the routes', (s) => { s.plan.reachers[1] = [0, 5]; }, '`plan.reachers[1][1]` must be an index from 0 to 4, got 5'],
    ['own-Deny hits null', (s) => { s.plan.ownDenyHits[2] = null; }, '`plan.ownDenyHits[2]` must be an array'],
    ['own-Deny hits for more routes', (s) => { s.plan.ownDenyHits.push([]); }, '`plan.ownDenyHits` must have one entry per route (5), got 6'],
    ['below-Deny hits a number', (s) => { s.plan.belowDenyHits[0] = 0; }, '`plan.belowDenyHits[0]` must be an array'],
    ['a below-Deny hit a string', (s) => { s.plan.belowDenyHits[2] = ['0']; }, '`plan.belowDenyHits[2][0]` must be an index from 0 to 4, got "0"'],
    ['narrowings missing for a reacher', (s) => { s.plan.narrowings[0].pop(); }, '`plan.narrowings[0]` must have 3 entries (one per reacher of a route with own-Deny hits), got 2'],
    ['narrowings of a route without own-Deny hits', (s) => { s.plan.narrowings[1] = [[]]; }, '`plan.narrowings[1]` must have 0 entries (one per reacher of a route with own-Deny hits), got 1'],
    ['a reacher\'s narrowings an object', (s) => { s.plan.narrowings[2][0] = {}; }, '`plan.narrowings[2][0]` must be an array'],
    ['a narrowing of 1 entry', (s) => { s.plan.narrowings[2][0][0] = [0]; }, '`plan.narrowings[2][0][0]` must have 2 entries, got 1'],
    ['a narrowing that is not one', (s) => { s.plan.narrowings[0][0][0][0] = 3; }, '`plan.narrowings[0][0][0][0]` must be a whole number from 0 to 2'],
    ['a narrowing a pattern without `/*` does not have', (s) => { s.plan.narrowings[0][2] = [[1, []]]; }, '`plan.narrowings[0][2][0][0]` must be a whole number from 0 to 0'],
    ['a narrowing refusing a route past the routes', (s) => { s.plan.narrowings[4][1][0][1] = [9]; }, '`plan.narrowings[4][1][0][1][0]` must be an index from 0 to 4, got 9'],
    ['group candidates missing', (s) => delete s.plan.groupCandidates, '`plan.groupCandidates` must be an array'],
    ['a group candidate of 2 entries', (s) => { s.plan.groupCandidates[0].pop(); }, '`plan.groupCandidates[0]` must have 3 entries, got 2'],
    ['a group at the root', (s) => { s.plan.groupCandidates[0][0] = 0; }, '`plan.groupCandidates[0][0]` must be a whole number from 1 to 1'],
    ['a group as deep as its member', (s) => { s.plan.groupCandidates[0][0] = 2; }, '`plan.groupCandidates[0][0]` must be a whole number from 1 to 1'],
    ['a group of one route', (s) => { s.plan.groupCandidates[0][1] = [2]; }, '`plan.groupCandidates[0][1]` must list at least 2 routes'],
    ['a group member past the routes', (s) => { s.plan.groupCandidates[0][1] = [2, 5]; }, '`plan.groupCandidates[0][1][1]` must be an index from 0 to 4, got 5'],
    ['a group reaching past the routes', (s) => { s.plan.groupCandidates[0][2] = [-1]; }, '`plan.groupCandidates[0][2][0]` must be an index from 0 to 4, got -1'],
    // limits
    ['no metrics namespace', (s) => delete s.metricsNamespace, '`metricsNamespace` must be a non-empty string'],
    ['an empty metrics namespace', (s) => { s.metricsNamespace = ''; }, '`metricsNamespace` must be a non-empty string'],
    ['limits missing', (s) => delete s.limits, '`limits` must be an object'],
    ['limits an array', (s) => { s.limits = [8192]; }, '`limits` must be an object'],
    ['maxTokenBytes missing', (s) => delete s.limits.maxTokenBytes, '`limits.maxTokenBytes` must be a whole number >= 1'],
    ['maxTokenBytes 0', (s) => { s.limits.maxTokenBytes = 0; }, '`limits.maxTokenBytes` must be a whole number >= 1'],
    ['maxTokenBytes a string', (s) => { s.limits.maxTokenBytes = '8192'; }, '`limits.maxTokenBytes` must be a whole number >= 1'],
    ['maxLifetimeSeconds a fraction', (s) => { s.limits.maxLifetimeSeconds = 1.5; }, '`limits.maxLifetimeSeconds` must be a whole number >= 1'],
    ['clockSkewSeconds negative', (s) => { s.limits.clockSkewSeconds = -1; }, '`limits.clockSkewSeconds` must be a whole number >= 0'],
    ['jwksMaxAgeSeconds 0', (s) => { s.limits.jwksMaxAgeSeconds = 0; }, '`limits.jwksMaxAgeSeconds` must be a whole number >= 1'],
    ['jwksTimeoutMs null', (s) => { s.limits.jwksTimeoutMs = null; }, '`limits.jwksTimeoutMs` must be a whole number >= 1'],
    ['jwksRetrySeconds negative', (s) => { s.limits.jwksRetrySeconds = -10; }, '`limits.jwksRetrySeconds` must be a whole number >= 1'],
  ])('%s', (_name, change, message) => {
    expect(messageFor(change)).toBe(message);
  });

  test('a limit of 1e400 (Infinity once parsed) is refused', () => {
    const settings = JSON.stringify(valid()).replace('"maxTokenBytes":8192', '"maxTokenBytes":1e400');
    expect(errorOf(SettingsError, () => parseSettings(settings)).message).toBe(`${PREFIX}\`limits.maxTokenBytes\` must be a whole number >= 1`);
  });

  test('the first error found is reported: issuers before the plan before limits', () => {
    expect(messageFor((s) => { s.issuers = []; s.plan = null; s.limits = null; })).toBe('`issuers` is empty');
    expect(messageFor((s) => { s.plan = null; s.limits = null; })).toBe('`plan` must be an object');
  });
});

describe('parseSettings: where the keys are, and the token type', () => {
  test('an issuer with discovery has no jwksUri', () => {
    const settings = valid();
    delete settings.issuers[0].jwksUri;
    settings.issuers[0].discovery = true;
    expect(parseSettings(JSON.stringify(settings)).issuers[0]).toMatchObject({ discovery: true });
    expect(parseSettings(JSON.stringify(settings)).issuers[0]).not.toHaveProperty('jwksUri');
  });

  test('exactly one of jwksUri and discovery', () => {
    expect(messageFor((s) => { s.issuers[0].discovery = true; })).toBe('`issuers[0]` must have either `jwksUri` or `discovery` true');
    expect(messageFor((s) => { delete s.issuers[0].jwksUri; })).toBe('`issuers[0]` must have either `jwksUri` or `discovery` true');
    expect(messageFor((s) => { s.issuers[0].discovery = 'yes'; })).toBe('`issuers[0].discovery` must be true or false');
  });

  test('the token type is one the authorizer knows, and required claims are strings', () => {
    expect(messageFor((s) => { s.issuers[0].tokenType = 'id'; })).toBe('`issuers[0].tokenType` must be one of access, cognito-access, keycloak-access, google-id');
    expect(messageFor((s) => { s.issuers[0].requiredClaims = { hd: 7 }; })).toBe('`issuers[0].requiredClaims.hd` must be a non-empty string');
    expect(messageFor((s) => { s.issuers[0].requiredClaims = ['hd']; })).toBe('`issuers[0].requiredClaims` must be an object');
  });
});

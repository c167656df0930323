import { permissionsOf } from '../../../lambda/jwt-authorizer/claims';
import { TokenPolicyError, UnauthorizedError } from '../../../lambda/jwt-authorizer/errors';
import type { GroupClaim, ScopeClaim } from '../../../lambda/shared/constants';
import { errorOf } from '../../helpers/errors';

function issuer(scopeClaims: ScopeClaim[], groupClaims: GroupClaim[] = [], declared: string[] = []) {
  return { scopeClaims, groupClaims, scopes: declared, groups: declared };
}

/** Every string a payload carries, split at spaces: declared, so these tests see the reading alone. */
function everyValue(payload: Record<string, unknown>): string[] {
  return Object.values(payload).flatMap((value) => (typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value.filter((item) => typeof item === 'string') : []));
}

function read(payload: Record<string, unknown>, scopeClaims: ScopeClaim[], groupClaims: GroupClaim[] = []) {
  const { scopes, groups } = permissionsOf(payload, issuer(scopeClaims, groupClaims, everyValue(payload)));
  return { scopes: [...scopes].sort(), groups: [...groups].sort() };
}

const policyErrorOf = (fn: () => unknown) => errorOf(TokenPolicyError, fn);

describe('permissionsOf: scope claims', () => {
  test('`scope` is a space-separated string (RFC 8693)', () => {
    expect(read({ scope: 'openid pets/read pets/write' }, ['scope']).scopes).toEqual(['openid', 'pets/read', 'pets/write']);
  });

  test('`scope` with extra spaces yields no empty scopes', () => {
    expect(read({ scope: '  pets/read   pets/write ' }, ['scope']).scopes).toEqual(['pets/read', 'pets/write']);
  });

  test('an empty `scope` or `scp` string yields no scopes', () => {
    expect(read({ scope: '' }, ['scope']).scopes).toEqual([]);
    expect(read({ scp: '' }, ['scp']).scopes).toEqual([]);
  });

  test('`scp` is a string (Entra ID) or an array (Okta)', () => {
    expect(read({ scp: 'pets/read pets/write' }, ['scp']).scopes).toEqual(['pets/read', 'pets/write']);
    expect(read({ scp: ['pets/read', 'pets/write'] }, ['scp']).scopes).toEqual(['pets/read', 'pets/write']);
  });

  test('`permissions` is an array (Auth0 RBAC)', () => {
    expect(read({ permissions: ['pets/write'] }, ['permissions']).scopes).toEqual(['pets/write']);
  });

  test('several configured claims are merged, each value once', () => {
    expect(read({ scope: 'openid pets/read', permissions: ['pets/write', 'pets/read'] }, ['scope', 'permissions']).scopes)
      .toEqual(['openid', 'pets/read', 'pets/write']);
  });

  test('claims the issuer is not configured with are ignored, whatever their shape', () => {
    const payload = { scope: 'a', scp: ['b'], permissions: 7, groups: 'admins', roles: ['admins'], 'cognito:groups': null };
    expect(read(payload, ['scope'])).toEqual({ scopes: ['a'], groups: [] });
    expect(read(payload, [])).toEqual({ scopes: [], groups: [] });
  });

  test('an absent configured claim yields nothing', () => {
    expect(read({}, ['scope', 'scp', 'permissions'], ['cognito:groups', 'groups', 'roles'])).toEqual({ scopes: [], groups: [] });
  });

  test('values are kept as they are: no case folding, no prefix matching', () => {
    expect(read({ scope: 'Pets/Read pets/read/extra' }, ['scope']).scopes).toEqual(['Pets/Read', 'pets/read/extra']);
  });

  test('an inherited claim is not read', () => {
    const payload = Object.create({ scope: 'pets/write' }) as Record<string, unknown>;
    expect(read(payload, ['scope']).scopes).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, ScopeClaim, string]>([
    ['`scope` as an array', { scope: ['pets/read'] }, 'scope', 'claim scope is not a string without whitespace'],
    ['`scope` as a number', { scope: 7 }, 'scope', 'claim scope is not a string without whitespace'],
    ['`scope` as null', { scope: null }, 'scope', 'claim scope is not a string without whitespace'],
    ['`scp` as a number', { scp: 1 }, 'scp', 'claim scp is not a string or an array of strings without whitespace'],
    ['`scp` as an object', { scp: { 'pets/read': true } }, 'scp', 'claim scp is not a string or an array of strings without whitespace'],
    ['`scp` holding a number', { scp: ['pets/read', 7] }, 'scp', 'claim scp is not a string or an array of strings without whitespace'],
    ['`scp` holding an empty string', { scp: ['pets/read', ''] }, 'scp', 'claim scp is not a string or an array of strings without whitespace'],
    ['`scp` holding a value with a space', { scp: ['pets/read pets/write'] }, 'scp', 'claim scp is not a string or an array of strings without whitespace'],
    ['`scp` holding a value with a tab', { scp: ['pets/read\tpets/write'] }, 'scp', 'claim scp is not a string or an array of strings without whitespace'],
    ['`permissions` as a string', { permissions: 'pets/write' }, 'permissions', 'claim permissions is not an array of strings without whitespace'],
    ['`permissions` holding an array', { permissions: [['pets/write']] }, 'permissions', 'claim permissions is not an array of strings without whitespace'],
  ])('%s makes the whole token unusable', (_name, payload, claim, message) => {
    const error = policyErrorOf(() => permissionsOf(payload, issuer([claim])));
    expect(error.message).toBe(message);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.reason).toBe('token-policy');
  });

  test('a malformed configured claim refuses the token even when another configured claim is well formed', () => {
    expect(policyErrorOf(() => permissionsOf({ scope: 'pets/read', permissions: 'pets/write' }, issuer(['scope', 'permissions']))).message)
      .toBe('claim permissions is not an array of strings without whitespace');
  });
});

describe('permissionsOf: group claims', () => {
  test.each<GroupClaim>(['cognito:groups', 'groups', 'roles'])('`%s` is an array of strings', (claim) => {
    expect(read({ [claim]: ['admins', 'staff'] }, [], [claim]).groups).toEqual(['admins', 'staff']);
  });

  test('several configured group claims are merged, each value once', () => {
    expect(read({ groups: ['admins'], roles: ['admins', 'auditors'] }, [], ['groups', 'roles']).groups).toEqual(['admins', 'auditors']);
  });

  test('an empty array yields no groups', () => {
    expect(read({ groups: [] }, [], ['groups']).groups).toEqual([]);
  });

  test('scopes and groups are kept apart: a group named like a scope grants no scope', () => {
    expect(read({ scope: 'admins', groups: ['pets/read'] }, ['scope'], ['groups'])).toEqual({ scopes: ['admins'], groups: ['pets/read'] });
  });

  test.each<[string, unknown]>([
    ['a string', 'admins'],
    ['a number', 1],
    ['null', null],
    ['an object', { admins: true }],
    ['an array holding a number', ['admins', 1]],
    ['an array holding an empty string', ['']],
  ])('a group claim that is %s makes the whole token unusable', (_name, value) => {
    expect(policyErrorOf(() => permissionsOf({ 'cognito:groups': value }, issuer([], ['cognito:groups']))).message)
      .toBe('claim cognito:groups is not an array of strings');
  });

  test('a group name may hold spaces, as directory groups do', () => {
    expect(read({ groups: ['Everyone', 'Pet Admins'] }, [], ['groups']).groups).toEqual(['Everyone', 'Pet Admins']);
  });
});

describe('permissionsOf: only what the token\'s own issuer declares counts', () => {
  const partner = { scopeClaims: ['scp'] as ScopeClaim[], groupClaims: ['groups'] as GroupClaim[], scopes: ['pets:read'], groups: ['partners'] };

  test('a scope or group the issuer does not declare is dropped, however it is spelled', () => {
    const { scopes, groups } = permissionsOf({ scp: ['pets:read', 'pets:write', 'Pets:Read'], groups: ['partners', 'admins'] }, partner);
    expect([...scopes]).toEqual(['pets:read']);
    expect([...groups]).toEqual(['partners']);
  });

  test('an issuer that declares nothing grants nothing', () => {
    const { scopes, groups } = permissionsOf({ scp: ['pets:read'], groups: ['partners'] }, { ...partner, scopes: [], groups: [] });
    expect([...scopes, ...groups]).toEqual([]);
  });
});

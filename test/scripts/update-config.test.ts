/**
 * The update configuration (.github/dependabot.yml): every dependency of package.json is updated,
 * in exactly one weekly group, so each update arrives as one pull request that the suite tests.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// js-yaml 3 ships no types. `load` with the JSON schema reads plain data only (no custom tags, no
// code), and means the same in js-yaml 3 and 4+ (where `safeLoad` is gone), so a major update passes.
const yaml = require('js-yaml') as { load(text: string, options: { schema: unknown }): unknown; JSON_SCHEMA: unknown };

const ROOT = path.resolve(__dirname, '..', '..');

interface Group {
  readonly 'patterns'?: readonly string[];
  readonly 'exclude-patterns'?: readonly string[];
  readonly 'dependency-type'?: string;
}

interface Update {
  readonly 'package-ecosystem': string;
  readonly 'directory': string;
  readonly 'schedule': { readonly interval: string };
  readonly 'versioning-strategy'?: string;
  readonly 'groups'?: Record<string, Group>;
}

const config = yaml.load(readFileSync(path.join(ROOT, '.github', 'dependabot.yml'), 'utf8'), { schema: yaml.JSON_SCHEMA }) as { version: number; updates: Update[] };
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const npm = config.updates.find((update) => update['package-ecosystem'] === 'npm')!;

/** Whether a Dependabot pattern matches a dependency name: `*` matches any characters, nothing else is special. */
function matches(pattern: string, name: string): boolean {
  const regex = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*');
  return new RegExp(`^${regex}$`).test(name);
}

/** The groups a dependency falls in, as Dependabot reads `patterns` and `exclude-patterns`. */
function groupsOf(name: string): string[] {
  return Object.entries(npm.groups ?? {})
    .filter(([, group]) => (group.patterns ?? []).some((pattern) => matches(pattern, name)))
    .filter(([, group]) => !(group['exclude-patterns'] ?? []).some((pattern) => matches(pattern, name)))
    .map(([groupName]) => groupName);
}

describe('the update configuration', () => {
  test('updates the npm dependencies of the repository root every week', () => {
    expect(config.version).toBe(2);
    expect(npm).toMatchObject({ directory: '/', schedule: { interval: 'weekly' } });
  });

  test('leaves the peer ranges alone while an update satisfies them: the lowest supported versions move on purpose', () => {
    expect(npm['versioning-strategy']).toBe('increase-if-necessary');
    expect(packageJson.peerDependencies).toEqual({ 'aws-cdk-lib': expect.stringMatching(/^\^/), 'constructs': expect.stringMatching(/^\^/), 'cdk-nag': expect.stringMatching(/^\^/) });
    // cdk-nag only for ComplianceChecks: npm does not install it unless the app does.
    expect(packageJson.peerDependenciesMeta).toEqual({ 'cdk-nag': { optional: true } });
  });

  test('has the three groups, and none that filters by dependency type (it would leave a dependency out)', () => {
    expect(Object.keys(npm.groups ?? {}).sort()).toEqual(['aws-cdk', 'aws-sdk', 'dev-tools']);
    for (const group of Object.values(npm.groups ?? {})) {
      expect(group['dependency-type']).toBeUndefined();
    }
  });

  test('every dependency of package.json falls in exactly one group', () => {
    const names = [...new Set(['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']
      .flatMap((field) => Object.keys(packageJson[field] ?? {})))].sort();
    expect(names.length).toBeGreaterThan(0);
    const notInOne = names.map((name) => ({ name, groups: groupsOf(name) })).filter(({ groups }) => groups.length !== 1);
    expect(notInOne).toEqual([]);
  });

  test.each([
    ['aws-cdk-lib', 'aws-cdk'],
    ['aws-cdk', 'aws-cdk'],
    ['constructs', 'aws-cdk'],
    ['@aws-cdk/integ-tests-alpha', 'aws-cdk'],
    ['@aws-sdk/client-wafv2', 'aws-sdk'],
    ['aws-sdk-client-mock', 'aws-sdk'],
    ['typescript', 'dev-tools'],
    ['jsii', 'dev-tools'],
    ['@swc/core', 'dev-tools'],
    ['esbuild', 'dev-tools'],
    ['aws-jwt-verify', 'dev-tools'],
  ])('%s is in the %s group', (name, group) => {
    expect(groupsOf(name)).toEqual([group]);
  });

  test('a pattern matches by name, with `*` for any characters', () => {
    expect(matches('@aws-sdk/*', '@aws-sdk/client-dynamodb')).toBe(true);
    expect(matches('aws-cdk', 'aws-cdk-lib')).toBe(false);
    expect(matches('@aws-cdk/*', '@aws-cdk-foo/bar')).toBe(false);
  });
});

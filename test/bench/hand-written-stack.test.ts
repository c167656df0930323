/**
 * The synth-time benchmark compares the example stack with a hand-written aws-cdk-lib stack; the
 * comparison is fair only while both have the same resources. This keeps the bench from drifting
 * when the example app grows (the bench itself runs outside CI).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { countByType } from '../../bench/common';
import { HandWrittenApiStack } from '../../bench/hand-written-stack';
import { ExampleApiStack } from '../../bin/example-api-stack';
import { ENVIRONMENTS_CONTEXT_KEY, parseEnvironmentConfig } from '../../bin/environment-config';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING } from '../helpers/stack';

test('the hand-written stack has the same resources, by type and count, as the example stack', () => {
  const config = parseEnvironmentConfig('dev', (CDK_JSON_CONTEXT[ENVIRONMENTS_CONTEXT_KEY] as Record<string, unknown>).dev);
  const counts = (build: (app: App) => Stack) => {
    const stack = build(new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } }));
    return Object.fromEntries(countByType(Template.fromStack(stack).toJSON()));
  };
  const library = counts((app) => new ExampleApiStack(app, 'Library', { env: { account: config.account, region: config.region }, config }));
  const handWritten = counts((app) => new HandWrittenApiStack(app, 'HandWritten', { env: { account: config.account, region: config.region }, config }));
  expect(handWritten).toEqual(library);
  expect(Object.values(library).reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
});

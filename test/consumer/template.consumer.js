/**
 * The template of the consumer app (test/consumer/app), synthesized by `node` from the packed
 * library. The snapshot is reviewed like code: it changes when the library's output changes,
 * including the asset hash of a pre-bundled handler, which changes only when that handler does.
 * Run with CONSUMER_CDK_OUT set by scripts/consumer-test.sh; `--ci` refuses to write a missing
 * snapshot, so a run never passes by recording what it saw.
 */
const { readFileSync } = require('node:fs');
const path = require('node:path');

const cdkOut = process.env.CONSUMER_CDK_OUT;

test('the consumer app synthesizes the same template from run to run', () => {
  expect(cdkOut).toBeDefined();
  const template = JSON.parse(readFileSync(path.join(cdkOut, 'ConsumerStack.template.json'), 'utf8'));
  expect(Object.keys(template.Resources).length).toBeGreaterThan(50);
  expect(template).toMatchSnapshot();
});

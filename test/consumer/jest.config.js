/**
 * Jest for the consumer check only (`scripts/consumer-test.sh`, run by .ci/run): it snapshots the
 * template a user's app synthesized from the packed library. Not part of `npm test`, which has no
 * packed library to install.
 */
/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/template.consumer.js'],
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The example app and the README's samples import the package by name, as users do; in tests the
  // name points at the sources, so a test never runs a stale build of the constructs.
  moduleNameMapper: {
    '^secure-api-gateway$': '<rootDir>/lib/index.ts',
    '^secure-api-gateway/response-headers$': '<rootDir>/lambda/shared/response-headers/index.ts',
  },
  transform: {
    '^.+\\.tsx?$': ['@swc/jest'],
  },
  setupFiles: ['<rootDir>/test/setup/no-network.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  snapshotSerializers: ['<rootDir>/test/setup/asset-hash-serializer.ts'],
  testTimeout: 60_000,
  // Jest's default on two cores is one worker, which runs the files one after another; the files
  // are independent (each builds its own apps, bundles and issuers), so both cores are used.
  maxWorkers: 2,
};

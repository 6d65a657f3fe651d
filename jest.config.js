/** @type {import('jest').Config} */
// The compiler settings `npm start` uses too (scripts/start.mjs): one file, so tests and the server compile alike.
const swc = { ...require('./scripts/swc-options.json'), sourceMaps: 'inline' };

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', swc] },
  // ESM-only packages (the OIDC relying party and the test's OpenID Provider) are compiled to CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|oauth4webapi|oidc-provider|jose)/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  setupFiles: ['reflect-metadata', '<rootDir>/test/testkit/setup-env.ts'],
  globalSetup: '<rootDir>/test/testkit/global-setup.ts',
  globalTeardown: '<rootDir>/test/testkit/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: process.env.CI ? 2 : '50%',
};

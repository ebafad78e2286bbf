/** Jest runs the TypeScript sources as native ES modules (openid-client, jose and oidc-provider are ESM-only). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testSequencer: '<rootDir>/test/support/sequencer.mjs',
  // Generous for a 2-core machine that also runs other work: the in-process tests hash passwords with argon2, whose
  // time grows with the load. Files that start processes allow more (test/support/timeouts.ts).
  testTimeout: 120_000,
  // Half the cores: every worker also starts processes (servers, the CLI, Chromium, nginx) and argon2 threads.
  maxWorkers: '50%',
};

/**
 * Type-checking happens once, in `tsc --noEmit` (npm test runs it alongside jest: scripts/test.js); ts-jest only transpiles
 * (tsconfig's isolatedModules makes it use transpileModule),
 * which keeps each test file's start-up to module loading.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // Two cores: one worker per core. The terraform suite itself runs two stacks at a time.
  maxWorkers: 2,
  testTimeout: 30000,
  // Slowest first, so the long terraform suite starts at once and the rest fills the other worker.
  testSequencer: '<rootDir>/__tests__/support/sequencer.js',
  // One temporary directory per run, removed at the end: no cdktf.outdir.* or work dirs left behind.
  globalSetup: '<rootDir>/__tests__/support/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.js',
};

/**
 * Type-checking happens once, in `tsc --noEmit` (npm test runs it alongside jest: scripts/test.js); ts-jest only transpiles
 * (tsconfig's isolatedModules makes it use transpileModule),
 * which keeps each test file's start-up to module loading.
 *
 * Tests live in specs (`__tests__/<folder>/*.spec.ts`) that a runner per folder (`__tests__/<folder>.test.ts`)
 * loads into one test file, so a folder loads the platform's modules once (support/specs.ts). A command
 * that names spec files (`npx jest __tests__/iam/role-contracts.spec.ts`) runs those specs alone.
 * @type {import('jest').Config}
 */
const namesSpecs = process.argv.slice(2).some((arg) => arg.endsWith('.spec.ts'));

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: namesSpecs ? ['**/*.spec.ts'] : ['**/*.test.ts'],
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

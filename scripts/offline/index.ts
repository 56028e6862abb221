/**
 * Offline proof of synthesized stacks against the real AWS provider, with no AWS account and no
 * network: see workdir.ts (work dir + override files), test-file.ts (the `terraform test` file:
 * real-provider plan, mock apply, invariants) and run.ts (running terraform, scheduling).
 */
export * from './run';
export type { StackJson } from './stack';
export { offlineTestFile, type TestFileOptions } from './test-file';
export * from './workdir';
